/*
 * git.c - a site at one commit, and its history, with libgit2.
 *
 * libgit2 objects never leave this file: trees and blobs are looked up,
 * copied into malloc'd or arena memory, and freed here.
 */
#include "git.h"
#include "buf.h"
#include "model.h"   /* nb_sig */

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

struct nb_git {
	git_repository *repo;
	git_commit *commit;
	git_tree *tree;
	char id[GIT_OID_HEXSZ + 1];
	char *name;
	char *path;               /* as opened, for nb_git_reopen */
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
	g->path = nb_xstrdup(path);
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
	free(g->path);
	free(g);
	git_libgit2_shutdown();
}

int
nb_git_reopen(nb_git **out, const nb_git *g, nb_diags *d)
{
	int rc = nb_git_open(out, g->path, g->id, d);

	if (rc == 0) {
		free((*out)->name);
		(*out)->name = nb_xstrdup(g->name);
	}
	return rc;
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
nb_git_hash_blob(const void *data, size_t len, unsigned char out[20])
{
	git_oid oid;

	if (git_odb_hash(&oid, data, len, GIT_OBJECT_BLOB) != 0)
		return -1;
	memcpy(out, oid.id, 20);
	return 0;
}

void
nb_git_init(void)
{
	git_libgit2_init();
}

void
nb_git_shutdown(void)
{
	git_libgit2_shutdown();
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

/* ---- the history kept between builds ---------------------------------------- */

/*
 * The walk's result for a commit is written to a file (the output's
 * OUTPUT.nb-history); a later build whose walk reaches that commit takes
 * every file's older changes from there instead of walking on.  Binary,
 * in the machine's byte order, ending in a signature of what comes
 * before it (a damaged or foreign file is not used):
 *
 *   "nb-hist1", string commit, string prefix,
 *   u32 commits, each: string id, i64 time, string subject, string author
 *   u32 files, each: string path, u32 changes, each: u32 commit number,
 *       string renamed_from (or u32 0xffffffff), u32 old paths, strings
 *   u64 signature
 *
 * A string is u32 length and its bytes.
 */

#define HIST_MAGIC "nb-hist1"
#define HIST_NONE 0xffffffffu

static void
hist_u32(nb_buf *b, uint32_t v)
{
	nb_buf_put(b, (const char *)&v, 4);
}

static void
hist_str(nb_buf *b, const char *s)
{
	if (!s) {
		hist_u32(b, HIST_NONE);
		return;
	}
	hist_u32(b, (uint32_t)strlen(s));
	nb_buf_puts(b, s);
}

static int
cmp_cstr(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Write what the walk of `commit` gave (files: path -> history). */
static void
hist_save(const char *path, const char *commit, const char *prefix,
	  const nb_map *files)
{
	nb_buf b = NB_BUF_INIT;
	nb_map ids = NB_MAP_INIT;      /* commit id -> its number + 1 */
	const char **paths = nb_xmalloc((files->len + 1) * sizeof(*paths));
	const nb_change **commits = NULL;
	size_t i, k, np = 0, nc = 0, cap = 0;
	uint64_t sig;
	char *tmp;
	FILE *fp;

	for (i = 0; i < files->cap; i++)
		if (files->keys[i] && files->vals[i])
			paths[np++] = files->keys[i];
	/* in order, so that the same history gives the same file */
	qsort(paths, np, sizeof(*paths), cmp_cstr);
	for (i = 0; i < np; i++) {
		const nb_file_history *h = nb_map_get(files, paths[i]);
		for (k = 0; k < h->n; k++) {
			if (nb_map_get(&ids, h->changes[k].commit))
				continue;
			if (nc == cap) {
				cap = cap ? cap * 2 : 64;
				commits = nb_xrealloc(commits, cap * sizeof(*commits));
			}
			commits[nc++] = &h->changes[k];
			nb_map_put(&ids, h->changes[k].commit, (void *)(uintptr_t)nc,
				   NULL);
		}
	}
	nb_buf_put(&b, HIST_MAGIC, 8);
	hist_str(&b, commit);
	hist_str(&b, prefix);
	hist_u32(&b, (uint32_t)nc);
	for (i = 0; i < nc; i++) {
		int64_t t = commits[i]->time;
		hist_str(&b, commits[i]->commit);
		nb_buf_put(&b, (const char *)&t, 8);
		hist_str(&b, commits[i]->subject);
		hist_str(&b, commits[i]->author);
	}
	hist_u32(&b, (uint32_t)np);
	for (i = 0; i < np; i++) {
		const nb_file_history *h = nb_map_get(files, paths[i]);
		hist_str(&b, paths[i]);
		hist_u32(&b, (uint32_t)h->n);
		for (k = 0; k < h->n; k++) {
			hist_u32(&b, (uint32_t)(uintptr_t)nb_map_get(&ids,
				 h->changes[k].commit) - 1);
			hist_str(&b, h->changes[k].renamed_from);
		}
		hist_u32(&b, (uint32_t)h->n_old);
		for (k = 0; k < h->n_old; k++)
			hist_str(&b, h->old_paths[k]);
	}
	sig = nb_sig(NB_SIG_INIT, b.ptr, b.len);
	nb_buf_put(&b, (const char *)&sig, 8);
	/* OUTPUT.nb-history-tmp-PID, renamed into place (write.c removes a
	 * killed build's) */
	tmp = nb_xmalloc(strlen(path) + 32);
	sprintf(tmp, "%s-tmp-%ld", path, (long)getpid());
	unlink(tmp);   /* an earlier process's, with this number */
	fp = fopen(tmp, "wbx");
	if (fp) {
		int ok = fwrite(b.ptr, 1, b.len, fp) == b.len;
		if (fclose(fp) != 0)
			ok = 0;
		if (!ok || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(tmp);
	free(commits);
	free(paths);
	nb_map_free(&ids);
	nb_buf_free(&b);
}

typedef struct hist_rd {
	const char *p, *end;
	nb_arena *a;
	int bad;
} hist_rd;

static uint32_t
rd_u32(hist_rd *r)
{
	uint32_t v = 0;

	if (r->end - r->p < 4) {
		r->bad = 1;
		return 0;
	}
	memcpy(&v, r->p, 4);
	r->p += 4;
	return v;
}

static const char *
rd_str(hist_rd *r)
{
	uint32_t n = rd_u32(r);
	const char *s;

	if (r->bad || n == HIST_NONE)
		return NULL;
	if ((uint64_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	s = nb_arena_strndup(r->a, r->p, n);
	r->p += n;
	return s;
}

/* The saved walk of commit `commit` (40 hex digits) under `prefix`: 0 with
 * *base (path -> history, in a) set, or -1 when there is none. */
static int
hist_load(const char *path, const char *commit, const char *prefix,
	  nb_arena *a, nb_map *base)
{
	hist_rd r;
	nb_change *commits = NULL;
	char *data = NULL;
	size_t len = 0, cap = 0;
	uint32_t nc, nf, i, k;
	uint64_t sig;
	const char *s;
	FILE *fp = fopen(path, "rb");
	int rc = -1;

	memset(base, 0, sizeof(*base));
	if (!fp)
		return -1;
	{
		/* the file in one buffer (in huge pages when it is big) */
		struct stat st;
		if (fstat(fileno(fp), &st) == 0 && st.st_size > 0) {
			cap = (size_t)st.st_size + 1;
			data = nb_xmalloc_big(&cap);
		}
	}
	for (;;) {
		size_t got;
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			data = nb_xrealloc(data, cap);
		}
		got = fread(data + len, 1, cap - len, fp);
		if (!got)
			break;
		len += got;
	}
	fclose(fp);
	if (len < 16 || memcmp(data, HIST_MAGIC, 8) != 0)
		goto done;
	memcpy(&sig, data + len - 8, 8);
	if (nb_sig(NB_SIG_INIT, data, len - 8) != sig)
		goto done;
	r.p = data + 8;
	r.end = data + len - 8;
	r.a = a;
	r.bad = 0;
	s = rd_str(&r);
	if (!s || strcmp(s, commit) != 0)
		goto done;
	s = rd_str(&r);
	if (!s || strcmp(s, prefix) != 0)
		goto done;
	nc = rd_u32(&r);
	if (r.bad || nc > (size_t)(r.end - r.p) / 24)
		goto done;
	commits = nb_arena_alloc(a, (nc + 1) * sizeof(*commits));
	for (i = 0; i < nc && !r.bad; i++) {
		memset(&commits[i], 0, sizeof(commits[i]));
		commits[i].commit = rd_str(&r);
		if (r.end - r.p < 8) {
			r.bad = 1;
			break;
		}
		memcpy(&commits[i].time, r.p, 8);
		r.p += 8;
		commits[i].subject = rd_str(&r);
		commits[i].author = rd_str(&r);
		if (!commits[i].commit || !commits[i].subject || !commits[i].author)
			r.bad = 1;
	}
	nf = rd_u32(&r);
	for (i = 0; i < nf && !r.bad; i++) {
		nb_file_history *h = nb_arena_alloc(a, sizeof(*h));
		uint32_t n;
		memset(h, 0, sizeof(*h));
		h->path = rd_str(&r);
		n = rd_u32(&r);
		if (!h->path || r.bad || n > (size_t)(r.end - r.p) / 8) {
			r.bad = 1;
			break;
		}
		for (k = 0; k < n && !r.bad; k++) {
			nb_change c;
			uint32_t at = rd_u32(&r);
			if (at >= nc) {
				r.bad = 1;
				break;
			}
			c = commits[at];
			c.renamed_from = rd_str(&r);
			add_change(a, h, &c);
		}
		n = rd_u32(&r);
		if (r.bad || n > (size_t)(r.end - r.p) / 4) {
			r.bad = 1;
			break;
		}
		for (k = 0; k < n && !r.bad; k++) {
			const char *op = rd_str(&r);
			if (!op)
				r.bad = 1;
			else
				add_old_path(a, h, op);
		}
		nb_map_put(base, h->path, h, NULL);
	}
	if (!r.bad && r.p == r.end)
		rc = 0;
done:
	if (rc != 0)
		nb_map_free(base);
	free(data);
	return rc;
}

/* A commit of the walk: what it says of a change, and its diff with its
 * first parent. */
typedef struct walked {
	nb_change ch;
	git_diff *diff;
} walked;

/* The paths under prefix at the walk's first commit, from the saved walk
 * of base (its paths: the tree at base) and what the commits since added,
 * deleted and renamed (v[0..n), newest first), into out with an empty
 * history each: what walking the tree would give, without reading 16,000
 * tree entries. */
static void
paths_since(nb_map *out, const nb_map *base, const walked *v, size_t n,
	    nb_arena *a)
{
	nb_map cur = NB_MAP_INIT;      /* path -> 1, or NULL: gone */
	size_t i, k;

	nb_map_reserve(&cur, base->len + 16);
	for (i = 0; i < base->cap; i++)
		if (base->keys[i] && base->vals[i])
			nb_map_put(&cur, base->keys[i], (void *)1, NULL);
	for (i = n; i-- > 0;) {
		size_t nd = git_diff_num_deltas(v[i].diff);
		for (k = 0; k < nd; k++) {
			const git_diff_delta *dl = git_diff_get_delta(v[i].diff, k);
			switch (dl->status) {
			case GIT_DELTA_ADDED:
				nb_map_set(&cur, nb_arena_strdup(a, dl->new_file.path),
					   (void *)1);
				break;
			case GIT_DELTA_DELETED:
				if (nb_map_get(&cur, dl->old_file.path))
					nb_map_set(&cur, dl->old_file.path, NULL);
				break;
			case GIT_DELTA_RENAMED:
				if (nb_map_get(&cur, dl->old_file.path))
					nb_map_set(&cur, dl->old_file.path, NULL);
				nb_map_set(&cur, nb_arena_strdup(a, dl->new_file.path),
					   (void *)1);
				break;
			default:
				break;
			}
		}
	}
	nb_map_reserve(out, cur.len);
	for (i = 0; i < cur.cap; i++) {
		nb_file_history *h;
		if (!cur.keys[i] || !cur.vals[i])
			continue;
		h = nb_arena_alloc(a, sizeof(*h));
		h->path = cur.keys[i];
		nb_map_put(out, h->path, h, NULL);
	}
	nb_map_free(&cur);
}

int
nb_git_history(nb_map *out, nb_git *g, const char *prefix, nb_arena *a,
	       const char *cache, nb_diags *d)
{
	git_diff_options dopts;
	git_diff_find_options fopts;
	nb_map alias = NB_MAP_INIT;    /* path at that time -> history */
	nb_map base = NB_MAP_INIT;     /* the saved walk of base_id */
	git_oid oid, base_id;
	int have_base = 0, at_base = 0;
	char *pathspec = nb_arena_strdup(a, prefix);
	walked *v = NULL;
	size_t n = 0, cap = 0, i, k;
	void *pl[3];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (cache) {
		/* the last walk's size says what this one takes: the paths,
		 * their histories, and the last walk read in */
		struct stat st;
		if (stat(cache, &st) == 0 && st.st_size > 0)
			nb_arena_reserve(a, (size_t)st.st_size * 4);
	}
	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
	dopts.pathspec.strings = &pathspec;
	dopts.pathspec.count = 1;
	fopts.flags = GIT_DIFF_FIND_RENAMES;
	if (cache) {
		/* the commit the last build walked from, when it saved it */
		FILE *fp = fopen(cache, "rb");
		char head[8 + 4 + GIT_OID_HEXSZ + 1];
		if (fp && fread(head, 1, sizeof(head) - 1, fp) == sizeof(head) - 1 &&
		    memcmp(head, HIST_MAGIC, 8) == 0) {
			head[sizeof(head) - 1] = '\0';
			have_base = git_oid_fromstr(&base_id, head + 12) == 0;
		}
		if (fp)
			fclose(fp);
	}

	/* the commits along first parents, newest first, each with its diff,
	 * down to the saved walk's commit or the first commit (or one whose
	 * parent is not in the repository: a shallow clone) */
	oid = *git_commit_id(g->commit);
	for (;;) {
		git_commit *c = NULL, *parent = NULL;
		git_tree *t = NULL, *pt = NULL;
		git_diff *diff = NULL;
		char idbuf[GIT_OID_HEXSZ + 1];
		walked *w;
		int more;

		if (have_base && git_oid_equal(&oid, &base_id)) {
			git_oid_tostr(idbuf, sizeof(idbuf), &oid);
			at_base = hist_load(cache, idbuf, prefix, a, &base) == 0;
			if (at_base)
				break;
			have_base = 0;
		}
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
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = nb_xrealloc(v, cap * sizeof(*v));
		}
		w = &v[n++];
		memset(w, 0, sizeof(*w));
		w->diff = diff;
		git_oid_tostr(idbuf, sizeof(idbuf), git_commit_id(c));
		w->ch.commit = nb_arena_strdup(a, idbuf);
		w->ch.time = (int64_t)git_commit_time(c);
		w->ch.subject = subject_of(a, c);
		w->ch.author = nb_arena_strdup(a, git_commit_author(c)->name ?
					       git_commit_author(c)->name : "");
		git_tree_free(t);
		git_tree_free(pt);
		git_commit_free(parent);
		git_commit_free(c);
		if (!more)
			break;
	}

	/* every path at the first commit, with its history to come: from
	 * the saved walk when the walk reached it, else from the tree */
	if (at_base) {
		paths_since(out, &base, v, n, a);
	} else {
		pl[0] = out;
		pl[1] = a;
		pl[2] = (void *)prefix;
		if (git_tree_walk(g->tree, GIT_TREEWALK_PRE, tree_paths_cb,
				  pl) != 0) {
			git_fail(d, g->name, NULL);
			goto done;
		}
	}
	nb_map_reserve(&alias, out->len);
	for (i = 0; i < out->cap; i++)
		if (out->keys[i])
			nb_map_put(&alias, out->keys[i], out->vals[i], NULL);

	/* each commit's changes, newest first, to the files their paths
	 * were then */
	for (i = 0; i < n; i++) {
		size_t nd = git_diff_num_deltas(v[i].diff);
		for (k = 0; k < nd; k++) {
			const git_diff_delta *dl = git_diff_get_delta(v[i].diff, k);
			const char *np = dl->new_file.path, *op = dl->old_file.path;
			nb_file_history *h;
			nb_change cc = v[i].ch;

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
	}
	if (at_base) {
		/* from there on the walk is the saved one: each file followed
		 * this far goes on as that path did there (a file no commit
		 * since touched takes its history as it was) */
		for (i = 0; i < alias.cap; i++) {
			nb_file_history *h = alias.vals[i], *was;
			if (!alias.keys[i] || !h ||
			    !(was = nb_map_get(&base, alias.keys[i])))
				continue;
			if (!h->n && !h->n_old) {
				h->changes = was->changes;
				h->n = h->cap = was->n;
				h->old_paths = was->old_paths;
				h->n_old = h->cap_old = was->n_old;
				continue;
			}
			for (k = 0; k < was->n; k++)
				add_change(a, h, &was->changes[k]);
			for (k = 0; k < was->n_old; k++)
				add_old_path(a, h, was->old_paths[k]);
		}
	}
	/* saved for the next build, unless the saved walk is this one */
	if (cache && !(at_base && n == 0))
		hist_save(cache, git_oid_tostr_s(git_commit_id(g->commit)),
			  prefix, out);
	rc = 0;
done:
	for (i = 0; i < n; i++)
		git_diff_free(v[i].diff);
	free(v);
	nb_map_free(&base);
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
