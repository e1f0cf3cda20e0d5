/*
 * source.h - the read stage: where a site's files come from.
 *
 * A source is a tree of files addressed by paths relative to the site's
 * root ("content/areas/abbey.yaml").  Today sources are directories on
 * disk; a git ref is another implementation of the same interface.  Paths
 * handed out are the ones diagnostics print, so officers see the path as
 * it is in their repository.
 */
#ifndef NB_SOURCE_H
#define NB_SOURCE_H

#include <stdatomic.h>
#include <stddef.h>

#include "diag.h"

#define NB_SOURCE_MAX_FILE (4 * 1024 * 1024)   /* bytes per file */

typedef struct nb_source nb_source;

/* Open a directory as a source.  Returns 0, or -1 with an error in d. */
int nb_source_open_dir(nb_source **out, const char *root, nb_diags *d);
void nb_source_free(nb_source *s);   /* accepts NULL */

/* Open the tree of a commit in a git repository (bare or not) as a
 * source: `ref` is a branch, tag or commit (NULL: HEAD).  Returns 0, or -1
 * with an error in d. */
int nb_source_open_git(nb_source **out, const char *repo, const char *ref,
		       nb_diags *d);

/* For a folder that is the top of a git work tree, open its repository at
 * HEAD for history (files are still read from the folder).  0 when there
 * is nothing to attach or it worked; -1 with an error in d. */
int nb_source_attach_history(nb_source *s, nb_diags *d);

/* The repository behind a source, or NULL (git.h). */
struct nb_git *nb_source_git(const nb_source *s);

/* A description of the source for messages ("directory /srv/site"). */
const char *nb_source_root(const nb_source *s);

/*
 * The regular files directly in `dir` whose names end with `suffix`,
 * sorted by name.  *names is a malloc'd array of malloc'd file names (not
 * paths); free with nb_source_names_free.  A missing directory gives an
 * empty list.  Symbolic links are refused with an error, as are files over
 * NB_SOURCE_MAX_FILE (here when the folder does not say what its entries
 * are, else when nb_source_read reads them).  Returns 0, or -1 with errors
 * in d.
 */
int nb_source_list(const nb_source *s, const char *dir, const char *suffix,
		   char ***names, size_t *n, nb_diags *d);
void nb_source_names_free(char **names, size_t n);
/* The same, with each file's blob id (20 bytes) in *ids when the source
 * is a git commit (malloc'd: free it), else *ids NULL. */
int nb_source_list_ids(const nb_source *s, const char *dir,
		       const char *suffix, char ***names,
		       unsigned char (**ids)[20], size_t *n, nb_diags *d);

/* Read a file.  *data is malloc'd and NUL-terminated (the caller frees
 * it).  Returns 0, 1 when the file does not exist (nothing is added to d),
 * or -1 with an error in d. */
int nb_source_read(const nb_source *s, const char *path, char **data,
		   size_t *len, nb_diags *d);

/* The git blob id of a file read from a commit: 0, or 1 when the source
 * is a folder or the path is not a regular file there. */
int nb_source_blob(const nb_source *s, const char *path,
		   unsigned char oid[20]);

/* Whether a regular file exists at path. */
int nb_source_exists(const nb_source *s, const char *path);

/*
 * Reading ahead of a folder's readers.  Records are read one per thread,
 * and from a cold page cache (a fresh boot, or pages the kernel took back
 * since the last build) each read waits for the disk alone.  Reading
 * ahead asks the kernel for the next files' bytes (POSIX_FADV_WILLNEED),
 * so that the disk has many requests at once.  It begins only once a read
 * has had to wait (nb_source_read counts them), so a warm cache costs a
 * sleeping thread and nothing else, and it keeps at most
 * NB_SOURCE_READ_AHEAD files ahead of *cursor, the index into names of
 * the next file the readers take.  Files it cannot open are left to the
 * read, which says why.  NULL for a git source (libgit2 reads packs, not
 * files), for a short list, or when no thread can be started: reading is
 * the same without it, only slower from a cold cache.
 */
#define NB_SOURCE_READ_AHEAD 512

typedef struct nb_prefetch nb_prefetch;

/* How many reads so far found their file's bytes on the disk, not in
 * memory (0 for a git source). */
size_t nb_source_waits(const nb_source *s);

nb_prefetch *nb_source_prefetch(const nb_source *s, const char *dir,
				char *const *names, size_t n,
				const atomic_size_t *cursor);
void nb_prefetch_stop(nb_prefetch *p);   /* waits for it; accepts NULL */

#endif
