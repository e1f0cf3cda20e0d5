/*
 * git.h - reading a site straight from a git repository, with libgit2.
 *
 * The only file that calls libgit2 is git.c.  A nb_git is a repository
 * opened at one commit: files are read from the commit's tree (bare
 * repositories included; no checkout, no `git` program), and one walk of
 * the history gives every file's dated changes, following renames.
 */
#ifndef NB_GIT_H
#define NB_GIT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "map.h"

typedef struct nb_git nb_git;

/* Open the repository at `path` (a work tree, its .git, or a bare
 * repository) at `ref` (a branch, tag, commit id or any revision git
 * understands; NULL means HEAD).  Returns 0, or -1 with an error in d. */
int nb_git_open(nb_git **out, const char *path, const char *ref,
		nb_diags *d);
void nb_git_free(nb_git *g);           /* accepts NULL */
/* The same repository at the same commit, opened again: a handle for
 * another thread (libgit2's objects are used by one thread at a time). */
int nb_git_reopen(nb_git **out, const nb_git *g, nb_diags *d);

/* The commit's id (40 hex digits) and a description ("repo at ref"). */
const char *nb_git_commit(const nb_git *g);
const char *nb_git_name(const nb_git *g);
int nb_git_is_shallow(const nb_git *g);

/* As nb_source_list / nb_source_read (source.h), from the commit's tree.
 * Symbolic links and submodules in the tree are refused with an error. */
int nb_git_list(const nb_git *g, const char *dir, const char *suffix,
		char ***names, size_t *n, nb_diags *d);
/* The same, with each file's blob id beside its name (*ids: n ids of 20
 * bytes, malloc'd): reading a folder's thousands of records then needs
 * no walk from the root for each. */
int nb_git_list_ids(const nb_git *g, const char *dir, const char *suffix,
		    char ***names, unsigned char (**ids)[20], size_t *n,
		    nb_diags *d);
int nb_git_read(const nb_git *g, const char *path, char **data, size_t *len,
		nb_diags *d);
/* The blob id of a file (40 hex digits into out[41]); 0, or 1 if absent. */
int nb_git_blob_id(const nb_git *g, const char *path, char out[41]);
/* The same as 20 bytes, for a regular file only (not a link): 0, or 1. */
int nb_git_blob_oid(const nb_git *g, const char *path, unsigned char out[20]);
/* The id git would give a file of these bytes, without a repository (how
 * the parse cache knows a folder's files); 0, or -1.  Between
 * nb_git_init() and nb_git_shutdown(), which count: each init needs its
 * shutdown. */
int nb_git_hash_blob(const void *data, size_t len, unsigned char out[20]);
void nb_git_init(void);
void nb_git_shutdown(void);

/* One change to a file: a commit that touched it. */
typedef struct nb_change {
	const char *commit;       /* 40 hex digits */
	int64_t time;             /* committer time, seconds since the epoch */
	const char *subject;      /* first line of the message */
	const char *author;       /* author name */
	const char *renamed_from; /* the path before, when this renamed it */
} nb_change;

typedef struct nb_file_history {
	const char *path;         /* the path in the built commit */
	nb_change *changes;       /* newest first */
	size_t n, cap;
	const char **old_paths;   /* paths it had before renames */
	size_t n_old, cap_old;
	/* the first and last change's days (nb_date_days) in the site's
	 * zone, worked out once it is known (history.c) when `dated` */
	int dated;
	int64_t first_day, last_day;
} nb_file_history;

/*
 * Walk the history of the commit once, along first parents (a merge counts
 * as the day its changes reached the branch), and collect the changes to
 * every file under `prefix` that exists in the commit, following renames.
 * *out maps each path to a nb_file_history; everything is allocated in a.
 * With `cache` (a file, or NULL): when the walk reaches the commit whose
 * walk was saved there, every file takes its older changes from that
 * (the same, for the walk is a function of the commit) and the walk stops;
 * this commit's walk is then saved in its place.
 * Returns 0, or -1 with an error in d.
 */
int nb_git_history(nb_map *out, nb_git *g, const char *prefix, nb_arena *a,
		   const char *cache, nb_diags *d);

/* For tests: nonzero makes the walk take every commit's changes from
 * libgit2's diff, as it does for those where a file went and another came
 * (a rename to look for), in place of its own walk of the trees. */
extern int nb_git_libgit2_diff;

/* Whether `dir` is the top of a git work tree (has a .git). */
int nb_git_is_worktree(const char *dir);

#endif
