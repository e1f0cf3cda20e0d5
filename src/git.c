/*
 * git.c - a site at one commit, and its history, with libgit2.
 *
 * libgit2 objects never leave this file: trees and blobs are looked up,
 * copied into malloc'd or arena memory, and freed here.
 */
#include "git.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct nb_git {
	git_repository *repo;
	git_commit *commit;
	git_tree *tree;
	char id[GIT_OID_HEXSZ + 1];
	char *name;
};

static int
git_fail(nb_diags *d, const char *what, const char *hint)
{
	const git_error *e = git_error_last();

	return nb_error(d, what, 0, 0, hint, "git: %s",
			e && e->message ? e->message : "unknown error");
}

int
nb_git_open(nb_git **out, const char *path, const char *ref, nb_diags *d)
{
	git_object *obj = NULL, *peeled = NULL;
	nb_git *g;
	size_t n;

	*out = NULL;
	git_libgit2_init();
	/* keep the big trees (content/consultations/ of a large site) in
	 * libgit2's cache instead of inflating them again for every file */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
			 (size_t)16 * 1024 * 1024);
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)512 * 1024 * 1024);
	g = nb_xcalloc(1, sizeof(*g));
	if (git_repository_open_ext(&g->repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
				    NULL) != 0) {
		git_fail(d, path, "give the path of a git repository (a work tree or a bare repository)");
		goto fail;
	}
	if (!ref)
		ref = "HEAD";
	if (git_revparse_single(&obj, g->repo, ref) != 0) {
		git_fail(d, path, "give a branch, tag or commit that exists, e.g. --ref main");
		goto fail;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) {
		git_fail(d, path, "the ref must name a commit");
		goto fail;
	}
	g->commit = (git_commit *)peeled;
	peeled = NULL;
	if (git_commit_tree(&g->tree, g->commit) != 0) {
		git_fail(d, path, NULL);
		goto fail;
	}
	git_oid_tostr(g->id, sizeof(g->id), git_commit_id(g->commit));
	n = strlen(path) + strlen(ref) + 8;
	g->name = nb_xmalloc(n);
	snprintf(g->name, n, "%s at %s", path, ref);
	git_object_free(obj);
	*out = g;
	return 0;
fail:
	git_object_free(peeled);
	git_object_free(obj);
	nb_git_free(g);
	return -1;
}

void
nb_git_free(nb_git *g)
{
	if (!g)
		return;
	git_tree_free(g->tree);
	git_commit_free(g->commit);
	git_repository_free(g->repo);
	free(g->name);
	free(g);
	git_libgit2_shutdown();
}

const char *
nb_git_commit(const nb_git *g)
{
	return g->id;
}

const char *
nb_git_name(const nb_git *g)
{
	return g->name;
}

int
nb_git_is_shallow(const nb_git *g)
{
	return git_repository_is_shallow(g->repo) == 1;
}

int
nb_git_is_worktree(const char *dir)
{
	char p[4096];
	struct stat st;

	if (snprintf(p, sizeof(p), "%s/.git", dir) >= (int)sizeof(p))
		return 0;
	return stat(p, &st) == 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
nb_git_list(const nb_git *g, const char *dir, const char *suffix,
	    char ***names, size_t *n, nb_diags *d)
{
	git_tree_entry *e = NULL;
	git_tree *t = NULL;
	size_t sl = strlen(suffix), i, cnt, len = 0;
	char **v = NULL;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (git_tree_entry_bypath(&e, g->tree, dir) != 0)
		return 0;   /* no such folder: an empty list */
	if (git_tree_entry_type(e) != GIT_OBJECT_TREE ||
	    git_tree_lookup(&t, g->repo, git_tree_entry_id(e)) != 0) {
		git_tree_entry_free(e);
		return 0;
	}
	cnt = git_tree_entrycount(t);
	v = nb_xcalloc(cnt + 1, sizeof(*v));
	for (i = 0; i < cnt; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(te);
		size_t nl = strlen(name);
		git_filemode_t mode = git_tree_entry_filemode(te);

		if (name[0] == '.' || nl <= sl || strcmp(name + nl - sl, suffix) != 0)
			continue;
		if (mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT) {
			char rel[1024];
			snprintf(rel, sizeof(rel), "%s/%s", dir, name);
			rc = nb_error(d, rel, 0, 0,
				"replace the link with the file itself: a site may not reach outside its repository",
				mode == GIT_FILEMODE_LINK ?
				"symbolic links are not allowed in a site" :
				"submodules are not allowed in content/");
			continue;
		}
		if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE)
			continue;
		v[len++] = nb_xstrdup(name);
	}
	git_tree_free(t);
	git_tree_entry_free(e);
	qsort(v, len, sizeof(*v), cmp_names);
	*names = v;
	*n = len;
	return rc;
}

int
nb_git_read(const nb_git *g, const char *path, char **data, size_t *len,
	    nb_diags *d)
{
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	git_filemode_t mode;
	git_object_size_t size;
	int rc = -1;

	*data = NULL;
	*len = 0;
	if (git_tree_entry_bypath(&e, g->tree, path) != 0)
		return 1;
	mode = git_tree_entry_filemode(e);
	if (mode == GIT_FILEMODE_LINK) {
		nb_error(d, path, 0, 0,
			 "replace the link with the file itself: a site may not reach outside its repository",
			 "symbolic links are not allowed in a site");
		goto done;
	}
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
		rc = 1;
		goto done;
	}
	if (git_blob_lookup(&b, g->repo, git_tree_entry_id(e)) != 0) {
		git_fail(d, path, NULL);
		goto done;
	}
	size = git_blob_rawsize(b);
	if (size > 4 * 1024 * 1024) {
		nb_error(d, path, 0, 0,
			 "split the record or move large documents out of content/",
			 "the file is larger than 4 MiB");
		goto done;
	}
	*data = nb_xmalloc((size_t)size + 1);
	memcpy(*data, git_blob_rawcontent(b), (size_t)size);
	(*data)[size] = '\0';
	*len = (size_t)size;
	rc = 0;
done:
	git_blob_free(b);
	git_tree_entry_free(e);
	return rc;
}

int
nb_git_blob_id(const nb_git *g, const char *path, char out[41])
{
	git_tree_entry *e = NULL;

	if (git_tree_entry_bypath(&e, g->tree, path) != 0)
		return 1;
	git_oid_tostr(out, 41, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return 0;
}

int
nb_git_blob_oid(const nb_git *g, const char *path, unsigned char out[20])
{
	git_tree_entry *e = NULL;
	git_filemode_t mode;
	int rc = 1;

	if (git_tree_entry_bypath(&e, g->tree, path) != 0)
		return 1;
	mode = git_tree_entry_filemode(e);
	if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
		memcpy(out, git_tree_entry_id(e)->id, 20);
		rc = 0;
	}
	git_tree_entry_free(e);
	return rc;
}

/* ---- history ------------------------------------------------------------------ */

static void
add_change(nb_arena *a, nb_file_history *h, const nb_change *c)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 4;
		h->changes = nb_arena_grow(a, h->changes, h->cap * sizeof(nb_change),
					   cap * sizeof(nb_change));
		h->cap = cap;
	}
	h->changes[h->n++] = *c;
}

static void
add_old_path(nb_arena *a, nb_file_history *h, const char *p)
{
	size_t i;

	for (i = 0; i < h->n_old; i++)
		if (strcmp(h->old_paths[i], p) == 0)
			return;
	if (h->n_old == h->cap_old) {
		size_t cap = h->cap_old ? h->cap_old * 2 : 2;
		h->old_paths = nb_arena_grow(a, h->old_paths,
			h->cap_old * sizeof(char *), cap * sizeof(char *));
		h->cap_old = cap;
	}
	h->old_paths[h->n_old++] = nb_arena_strdup(a, p);
}

/* Collect the paths under prefix of a tree, recursively. */
static int
tree_paths_cb(const char *root, const git_tree_entry *e, void *payload)
{
	void **pl = payload;
	nb_map *files = pl[0];
	nb_arena *a = pl[1];
	const char *prefix = pl[2];
	char *path;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	path = nb_arena_printf(a, "%s%s", root, git_tree_entry_name(e));
	if (strncmp(path, prefix, strlen(prefix)) != 0)
		return 0;
	{
		nb_file_history *h = nb_arena_alloc(a, sizeof(*h));
		h->path = path;
		nb_map_put(files, path, h, NULL);
	}
	return 0;
}

static const char *
subject_of(nb_arena *a, const git_commit *c)
{
	const char *s = git_commit_summary((git_commit *)c);
	return nb_arena_strdup(a, s ? s : "");
}

int
nb_git_history(nb_map *out, nb_git *g, const char *prefix, nb_arena *a,
	       nb_diags *d)
{
	git_diff_options dopts;
	git_diff_find_options fopts;
	nb_map alias = NB_MAP_INIT;    /* path at that time -> history */
	git_oid oid;
	char *pathspec = nb_arena_strdup(a, prefix);
	void *pl[3];
	int rc = -1;
	size_t i;

	memset(out, 0, sizeof(*out));
	pl[0] = out;
	pl[1] = a;
	pl[2] = (void *)prefix;
	if (git_tree_walk(g->tree, GIT_TREEWALK_PRE, tree_paths_cb, pl) != 0) {
		git_fail(d, g->name, NULL);
		goto done;
	}
	for (i = 0; i < out->cap; i++)
		if (out->keys[i])
			nb_map_put(&alias, out->keys[i], out->vals[i], NULL);

	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
	dopts.pathspec.strings = &pathspec;
	dopts.pathspec.count = 1;
	fopts.flags = GIT_DIFF_FIND_RENAMES;
	/* along first parents, newest first: a commit whose parent is not
	 * in the repository (a shallow clone) ends the walk */
	oid = *git_commit_id(g->commit);
	for (;;) {
		git_commit *c = NULL, *parent = NULL;
		git_tree *t = NULL, *pt = NULL;
		git_diff *diff = NULL;
		nb_change ch;
		char idbuf[GIT_OID_HEXSZ + 1];
		size_t k, nd;
		int more;

		if (git_commit_lookup(&c, g->repo, &oid) != 0)
			break;
		more = git_commit_parentcount(c) > 0 &&
		       git_commit_parent(&parent, c, 0) == 0;
		if (more) {
			git_commit_tree(&pt, parent);
			oid = *git_commit_id(parent);
		}
		git_commit_tree(&t, c);
		if (git_diff_tree_to_tree(&diff, g->repo, pt, t, &dopts) != 0 ||
		    git_diff_find_similar(diff, &fopts) != 0) {
			git_diff_free(diff);
			git_tree_free(t);
			git_tree_free(pt);
			git_commit_free(parent);
			git_commit_free(c);
			git_fail(d, g->name, NULL);
			goto done;
		}
		git_oid_tostr(idbuf, sizeof(idbuf), git_commit_id(c));
		memset(&ch, 0, sizeof(ch));
		ch.commit = nb_arena_strdup(a, idbuf);
		ch.time = (int64_t)git_commit_time(c);
		ch.subject = subject_of(a, c);
		ch.author = nb_arena_strdup(a, git_commit_author(c)->name ?
					    git_commit_author(c)->name : "");
		nd = git_diff_num_deltas(diff);
		for (k = 0; k < nd; k++) {
			const git_diff_delta *dl = git_diff_get_delta(diff, k);
			const char *np = dl->new_file.path, *op = dl->old_file.path;
			nb_file_history *h;
			nb_change cc = ch;

			switch (dl->status) {
			case GIT_DELTA_MODIFIED:
				if ((h = nb_map_get(&alias, np)) != NULL)
					add_change(a, h, &cc);
				break;
			case GIT_DELTA_ADDED:
				if ((h = nb_map_get(&alias, np)) != NULL) {
					add_change(a, h, &cc);
					/* older commits with this path were
					 * about another record */
					nb_map_set(&alias, np, NULL);
				}
				break;
			case GIT_DELTA_RENAMED:
				if ((h = nb_map_get(&alias, np)) != NULL) {
					cc.renamed_from = nb_arena_strdup(a, op);
					add_change(a, h, &cc);
					add_old_path(a, h, op);
					nb_map_set(&alias, np, NULL);
					nb_map_set(&alias, nb_arena_strdup(a, op), h);
				}
				break;
			default:
				break;
			}
		}
		git_diff_free(diff);
		git_tree_free(t);
		git_tree_free(pt);
		git_commit_free(parent);
		git_commit_free(c);
		if (!more)
			break;
	}
	rc = 0;
done:
	nb_map_free(&alias);
	return rc;
}

int
nb_git_changed(nb_map *out, nb_git *g, const char *from, const char *prefix,
	       nb_arena *a, nb_diags *d)
{
	git_oid oid;
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_diff *diff = NULL;
	git_diff_options dopts;
	git_diff_find_options fopts;
	char *pathspec = nb_arena_strdup(a, prefix);
	size_t k, nd;
	int rc = -1;

	if (git_oid_fromstr(&oid, from) != 0 ||
	    git_commit_lookup(&c, g->repo, &oid) != 0)
		return 1;
	if (git_commit_tree(&t, c) != 0)
		goto done;
	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
	if (*prefix) {
		dopts.pathspec.strings = &pathspec;
		dopts.pathspec.count = 1;
	}
	fopts.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_tree_to_tree(&diff, g->repo, t, g->tree, &dopts) != 0 ||
	    git_diff_find_similar(diff, &fopts) != 0) {
		git_fail(d, g->name, NULL);
		goto done;
	}
	nd = git_diff_num_deltas(diff);
	for (k = 0; k < nd; k++) {
		const git_diff_delta *dl = git_diff_get_delta(diff, k);
		nb_map_put(out, nb_arena_strdup(a, dl->old_file.path), (void *)1, NULL);
		nb_map_put(out, nb_arena_strdup(a, dl->new_file.path), (void *)1, NULL);
	}
	rc = 0;
done:
	git_diff_free(diff);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}
