/*
 * git.c - a site at one commit, and its history, with libgit2.
 *
 * libgit2 objects never leave this file: trees and blobs are looked up,
 * copied into malloc'd or arena memory, and freed here.
 */
#include "git.h"
#include "arena.h"
#include "buf.h"
#include "model.h"   /* nb_sig */

#include <fcntl.h>
#include <git2.h>
#include <git2/sys/alloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
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

/*
 * libgit2's allocator: the C library's, with the big allocations (a loose
 * tree of 10,000 entries is read whole, then inflated) touched before
 * libgit2 reads into them (nb_prefault: one such read of 315 KB took
 * 4.3 ms).  As libgit2's own, a failure sets its out-of-memory error.
 */
#define PREFAULT_FROM (64 * 1024)

static void *
fresh(void *p, size_t n)
{
	if (!p && n)
		git_error_set_oom();
	else if (p && n >= PREFAULT_FROM)
		nb_prefault(p, n);
	return p;
}

static void *
a_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return fresh(malloc(n), n);
}

static void *
a_calloc(size_t nelem, size_t elsize, const char *file, int line)
{
	void *p = calloc(nelem, elsize);

	(void)file;
	(void)line;
	if (!p && nelem && elsize)
		git_error_set_oom();
	return p;
}

static char *
a_strdup(const char *str, const char *file, int line)
{
	char *p = strdup(str);

	(void)file;
	(void)line;
	if (!p)
		git_error_set_oom();
	return p;
}

static char *
a_substrdup(const char *str, size_t n, const char *file, int line)
{
	char *p;

	if (n == SIZE_MAX) {
		git_error_set_oom();
		return NULL;
	}
	p = a_malloc(n + 1, file, line);
	if (p) {
		memcpy(p, str, n);
		p[n] = '\0';
	}
	return p;
}

static char *
a_strndup(const char *str, size_t n, const char *file, int line)
{
	size_t len = 0;

	while (len < n && str[len])
		len++;
	return a_substrdup(str, len, file, line);
}

static void *
a_realloc(void *ptr, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return fresh(realloc(ptr, n), n);
}

static void *
a_reallocarray(void *ptr, size_t nelem, size_t elsize, const char *file,
	       int line)
{
	if (elsize && nelem > SIZE_MAX / elsize) {
		git_error_set_oom();
		return NULL;
	}
	return a_realloc(ptr, nelem * elsize, file, line);
}

static void *
a_mallocarray(size_t nelem, size_t elsize, const char *file, int line)
{
	return a_reallocarray(NULL, nelem, elsize, file, line);
}

static void
set_allocator(void)
{
	static git_allocator a = {
		.gmalloc = a_malloc, .gcalloc = a_calloc, .gstrdup = a_strdup,
		.gstrndup = a_strndup, .gsubstrdup = a_substrdup,
		.grealloc = a_realloc, .greallocarray = a_reallocarray,
		.gmallocarray = a_mallocarray, .gfree = free
	};

	git_libgit2_opts(GIT_OPT_SET_ALLOCATOR, &a);
}

/*
 * Debian's libgit2 (1.5, built with mbed TLS) reads every certificate in
 * /etc/ssl/certs/ca-certificates.crt when it starts, for HTTPS remotes:
 * 144 certificates, 10 to 12 ms of one core on the machine of
 * docs/performance.md (a twentieth of a rebuild) before anything can use
 * git.  Noticeboard opens repositories on this machine and never fetches,
 * so they are never used.  This definition is the one libgit2 is given:
 * the linker exports it from the program, as a library linked with it
 * refers to it, and the loader looks in the program first.  It reads
 * nothing and leaves the chain as mbedtls_x509_crt_init made it, empty,
 * so that a TLS connection, were libgit2 ever to make one here, would
 * trust no server rather than any.  A libgit2 built otherwise (OpenSSL,
 * or loading certificates when it first connects) never calls it;
 * test_git.c checks that it is the one found.
 */
int mbedtls_x509_crt_parse_file(void *chain, const char *path);

int
mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	(void)chain;
	(void)path;
	return 0;
}

/* git_libgit2_init, with the allocator set first (libgit2 keeps one set
 * before it starts). */
static void
git_start(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, set_allocator);
	git_libgit2_init();
}

int
nb_git_open(nb_git **out, const char *path, const char *ref, nb_diags *d)
{
	git_object *obj = NULL, *peeled = NULL;
	nb_git *g;
	size_t n;

	*out = NULL;
	git_start();
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

/* A listed file: its name and blob id. */
typedef struct listed {
	char *name;
	unsigned char id[20];
} listed;

static int
cmp_listed(const void *a, const void *b)
{
	return strcmp(((const listed *)a)->name, ((const listed *)b)->name);
}

int
nb_git_list(const nb_git *g, const char *dir, const char *suffix,
	    char ***names, size_t *n, nb_diags *d)
{
	return nb_git_list_ids(g, dir, suffix, names, NULL, n, d);
}

int
nb_git_list_ids(const nb_git *g, const char *dir, const char *suffix,
		char ***names, unsigned char (**ids)[20], size_t *n,
		nb_diags *d)
{
	git_tree_entry *e = NULL;
	git_tree *t = NULL;
	size_t sl = strlen(suffix), i, cnt, len = 0;
	listed *v = NULL;
	char **out;
	int rc = 0, sorted = 1;

	*names = NULL;
	if (ids)
		*ids = NULL;
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
		v[len].name = nb_xstrdup(name);
		memcpy(v[len].id, git_tree_entry_id(te)->id, 20);
		if (len && strcmp(v[len - 1].name, name) > 0)
			sorted = 0;
		len++;
	}
	git_tree_free(t);
	git_tree_entry_free(e);
	/* a tree's files are in name order already (git sorts them so) */
	if (!sorted)
		qsort(v, len, sizeof(*v), cmp_listed);
	out = nb_xcalloc(len + 1, sizeof(*out));
	if (ids)
		*ids = nb_xmalloc((len ? len : 1) * sizeof(**ids));
	for (i = 0; i < len; i++) {
		out[i] = v[i].name;
		if (ids)
			memcpy((*ids)[i], v[i].id, 20);
	}
	free(v);
	*names = out;
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
	git_start();
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
 *   "nb-hist2", string commit, string prefix,
 *   u32 commits, each: string id, i64 time, string subject, string author
 *   u32 files, in order of path, each: string path, u32 changes, each:
 *       u32 commit number, string renamed_from (or u32 0xffffffff),
 *       u32 old paths, strings
 *   u64 signature
 *
 * A string is u32 length, its bytes and a NUL.  The file is mapped when it
 * is read, and what it gives points into it: the mapping is the arena's.
 */

#define HIST_MAGIC "nb-hist2"
#define HIST_NONE 0xffffffffu

static void
hist_u32(nb_buf *b, uint32_t v)
{
	nb_buf_put(b, (const char *)&v, 4);
}

static void
hist_str(nb_buf *b, const char *s)
{
	size_t n;

	if (!s) {
		hist_u32(b, HIST_NONE);
		return;
	}
	n = strlen(s);
	hist_u32(b, (uint32_t)n);
	nb_buf_put(b, s, n + 1);   /* with its NUL */
}

static int
cmp_cstr(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Commits numbered by their id's address: every change of one commit
 * shares its id (the walk's own, or the saved walk's), so two addresses
 * are two commits.  Open addressing, at most half full. */
typedef struct commit_nums {
	const void **keys;
	uint32_t *nums;
	size_t len, cap;
} commit_nums;

static size_t
ptr_slot(const commit_nums *t, const void *k)
{
	uint64_t h = (uint64_t)(uintptr_t)k * 0x9e3779b97f4a7c15ULL;
	size_t j = (size_t)(h >> 20) & (t->cap - 1);

	while (t->keys[j] && t->keys[j] != k)
		j = (j + 1) & (t->cap - 1);
	return j;
}

/* The number of commit k, or UINT32_MAX after giving it the next. */
static uint32_t
commit_num(commit_nums *t, const void *k)
{
	size_t j;

	if (2 * (t->len + 1) > t->cap) {
		commit_nums g = { NULL, NULL, 0, t->cap ? t->cap * 2 : 1024 };
		size_t i;
		g.keys = nb_xcalloc(g.cap, sizeof(*g.keys));
		g.nums = nb_xmalloc(g.cap * sizeof(*g.nums));
		for (i = 0; i < t->cap; i++)
			if (t->keys[i]) {
				size_t q = ptr_slot(&g, t->keys[i]);
				g.keys[q] = t->keys[i];
				g.nums[q] = t->nums[i];
			}
		g.len = t->len;
		free(t->keys);
		free(t->nums);
		*t = g;
	}
	j = ptr_slot(t, k);
	if (t->keys[j])
		return t->nums[j];
	t->keys[j] = k;
	t->nums[j] = (uint32_t)t->len++;
	return UINT32_MAX;
}

/* Write what the walk of `commit` gave (files: path -> history), the
 * files in the order of paths[0..np) (sorted; a path files no longer
 * holds is left out); about `size` bytes (the last one's size), or 0. */
static void
hist_save(const char *path, const char *commit, const char *prefix,
	  const nb_map *files, const char **paths, size_t np, size_t size)
{
	nb_buf b = NB_BUF_INIT;
	commit_nums nums = { NULL, NULL, 0, 0 };
	const nb_change **by = NULL;
	size_t i, k, nf = 0, nc = 0, cap = 0;
	uint64_t sig;
	char *tmp;
	FILE *fp;

	/* the commits numbered as the files name them (the same history
	 * gives the same file), each with its details */
	for (i = 0; i < np; i++) {
		const nb_file_history *h = nb_map_get(files, paths[i]);
		if (!h)
			continue;
		nf++;
		for (k = 0; k < h->n; k++) {
			if (commit_num(&nums, h->changes[k].commit) != UINT32_MAX)
				continue;
			if (nc == cap) {
				cap = cap ? cap * 2 : 64;
				by = nb_xrealloc(by, cap * sizeof(*by));
			}
			by[nc++] = &h->changes[k];
		}
	}
	nb_buf_grow(&b, size + size / 8 + 4096);
	nb_buf_put(&b, HIST_MAGIC, 8);
	hist_str(&b, commit);
	hist_str(&b, prefix);
	hist_u32(&b, (uint32_t)nc);
	for (i = 0; i < nc; i++) {
		int64_t t = by[i]->time;
		hist_str(&b, by[i]->commit);
		nb_buf_put(&b, (const char *)&t, 8);
		hist_str(&b, by[i]->subject);
		hist_str(&b, by[i]->author);
	}
	hist_u32(&b, (uint32_t)nf);
	for (i = 0; i < np; i++) {
		const nb_file_history *h = nb_map_get(files, paths[i]);
		if (!h)
			continue;
		hist_str(&b, paths[i]);
		hist_u32(&b, (uint32_t)h->n);
		for (k = 0; k < h->n; k++) {
			hist_u32(&b, nums.nums[ptr_slot(&nums, h->changes[k].commit)]);
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
	free(by);
	free(nums.keys);
	free(nums.nums);
	nb_buf_free(&b);
}

typedef struct hist_rd {
	const char *p, *end;
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

/* A string where it lies in the file (NUL and all), or NULL. */
static const char *
rd_str(hist_rd *r)
{
	uint32_t n = rd_u32(r);
	const char *s;

	if (r->bad || n == HIST_NONE)
		return NULL;
	if ((uint64_t)(r->end - r->p) <= n || r->p[n] != '\0') {
		r->bad = 1;
		return NULL;
	}
	s = r->p;
	r->p += (size_t)n + 1;
	return s;
}

/* What hist_load gives. */
typedef struct saved_walk {
	nb_map files;                /* path -> history */
	const char **paths;          /* its paths in the file's order */
	size_t n;
} saved_walk;

/* The saved walk of commit `commit` (40 hex digits) under `prefix`: 0 with
 * *w set (in a, pointing into the file, mapped for as long as a lives),
 * or -1 when there is none. */
static int
hist_load(const char *path, const char *commit, const char *prefix,
	  nb_arena *a, saved_walk *w)
{
	hist_rd r;
	nb_change *commits = NULL;
	const char *data;
	size_t len;
	uint32_t nc, nf, i, k;
	uint64_t sig;
	const char *s;
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

	memset(w, 0, sizeof(*w));
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_size < 24 ||
	    (uint64_t)st.st_size > SIZE_MAX / 2) {
		close(fd);
		return -1;
	}
	len = (size_t)st.st_size;
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	nb_arena_own_map(a, map, len);   /* what is read points into it */
	data = map;
	if (memcmp(data, HIST_MAGIC, 8) != 0)
		return -1;
	memcpy(&sig, data + len - 8, 8);
	if (nb_sig(NB_SIG_INIT, data, len - 8) != sig)
		return -1;
	r.p = data + 8;
	r.end = data + len - 8;
	r.bad = 0;
	s = rd_str(&r);
	if (!s || strcmp(s, commit) != 0)
		return -1;
	s = rd_str(&r);
	if (!s || strcmp(s, prefix) != 0)
		return -1;
	nc = rd_u32(&r);
	if (r.bad || nc > (size_t)(r.end - r.p) / 24)
		return -1;
	commits = nb_arena_alloc(a, (nc + 1) * sizeof(*commits));
	for (i = 0; i < nc && !r.bad; i++) {
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
	if (r.bad || nf > (size_t)(r.end - r.p) / 13)
		goto done;
	nb_map_reserve(&w->files, nf);
	w->paths = nb_arena_alloc_raw(a, (nf + 1) * sizeof(*w->paths));
	for (i = 0; i < nf && !r.bad; i++) {
		nb_file_history *h = nb_arena_alloc(a, sizeof(*h));
		uint32_t n;
		h->path = rd_str(&r);
		n = rd_u32(&r);
		if (!h->path || r.bad || n > (size_t)(r.end - r.p) / 8) {
			r.bad = 1;
			break;
		}
		if (n) {
			h->changes = nb_arena_alloc_raw(a, n * sizeof(*h->changes));
			h->n = h->cap = n;
		}
		for (k = 0; k < n && !r.bad; k++) {
			uint32_t at = rd_u32(&r);
			if (at >= nc) {
				r.bad = 1;
				break;
			}
			h->changes[k] = commits[at];
			h->changes[k].renamed_from = rd_str(&r);
		}
		n = rd_u32(&r);
		if (r.bad || n > (size_t)(r.end - r.p) / 4) {
			r.bad = 1;
			break;
		}
		if (n) {
			h->old_paths = nb_arena_alloc_raw(a, n * sizeof(*h->old_paths));
			h->n_old = h->cap_old = n;
		}
		for (k = 0; k < n && !r.bad; k++)
			if (!(h->old_paths[k] = rd_str(&r)))
				r.bad = 1;
		if (!r.bad && nb_map_put(&w->files, h->path, h, NULL) == 0)
			w->paths[w->n++] = h->path;
	}
	if (!r.bad && r.p == r.end)
		rc = 0;
done:
	if (rc != 0) {
		nb_map_free(&w->files);
		memset(w, 0, sizeof(*w));
	}
	return rc;
}

/* A file a commit changed, as against its first parent. */
typedef struct delta {
	git_delta_t status;          /* added, deleted, modified, renamed */
	const char *old_path, *new_path;
} delta;

/* A commit of the walk: what it says of a change, and what it changed
 * under the prefix, in order of path. */
typedef struct walked {
	nb_change ch;
	delta *d;
	size_t nd;
} walked;

typedef struct tree_diff {
	git_repository *repo;
	nb_arena *a;
	delta *d;
	size_t nd, cap;
	int added, deleted;
	int other;                   /* something the walk leaves to libgit2 */
} tree_diff;

static void
put_delta(tree_diff *td, git_delta_t status, const char *path)
{
	if (td->nd == td->cap) {
		size_t cap = td->cap ? td->cap * 2 : 16;
		td->d = nb_arena_grow(td->a, td->d, td->cap * sizeof(*td->d),
				      cap * sizeof(*td->d));
		td->cap = cap;
	}
	td->d[td->nd].status = status;
	td->d[td->nd].old_path = td->d[td->nd].new_path = path;
	td->nd++;
	td->added |= status == GIT_DELTA_ADDED;
	td->deleted |= status == GIT_DELTA_DELETED;
}

static int
regular(const git_tree_entry *e)
{
	git_filemode_t m = git_tree_entry_filemode(e);

	return m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE;
}

/* The files that differ between trees x (before; NULL: none) and y
 * (after; NULL: none) under `dir` (ends in a slash), by walking both in
 * their order and going into only the subtrees whose ids differ: what
 * libgit2's diff gives without renames, for a small part of its work (it
 * matches every one of 10,000 paths against the pathspec, both trees'
 * entries sorted again).  Anything but files and folders (a link, a
 * submodule, a file that became a folder) is left to libgit2. */
static int
diff_trees(tree_diff *td, const git_tree *x, const git_tree *y,
	   const char *dir)
{
	size_t nx = x ? git_tree_entrycount(x) : 0;
	size_t ny = y ? git_tree_entrycount(y) : 0;
	size_t i = 0, k = 0;

	while ((i < nx || k < ny) && !td->other) {
		const git_tree_entry *ex = i < nx ? git_tree_entry_byindex(x, i) : NULL;
		const git_tree_entry *ey = k < ny ? git_tree_entry_byindex(y, k) : NULL;
		const git_tree_entry *e;
		int c = !ex ? 1 : !ey ? -1 : git_tree_entry_cmp(ex, ey);
		git_tree *sx = NULL, *sy = NULL;
		char *path;
		int rc = 0;

		if (c == 0 && git_oid_equal(git_tree_entry_id(ex),
					    git_tree_entry_id(ey)) &&
		    git_tree_entry_filemode(ex) == git_tree_entry_filemode(ey)) {
			i++;
			k++;
			continue;
		}
		e = c <= 0 ? ex : ey;
		if (c == 0 && git_tree_entry_type(ex) != git_tree_entry_type(ey)) {
			td->other = 1;
			break;
		}
		path = nb_arena_printf(td->a, "%s%s", dir, git_tree_entry_name(e));
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			if (c <= 0 && git_tree_lookup(&sx, td->repo,
						      git_tree_entry_id(ex)) != 0)
				return -1;
			if (c >= 0 && git_tree_lookup(&sy, td->repo,
						      git_tree_entry_id(ey)) != 0) {
				git_tree_free(sx);
				return -1;
			}
			rc = diff_trees(td, sx, sy, nb_arena_printf(td->a, "%s/", path));
			git_tree_free(sx);
			git_tree_free(sy);
			if (rc != 0)
				return rc;
		} else if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
			   !regular(e) || (c == 0 && !regular(ey))) {
			td->other = 1;
		} else {
			put_delta(td, c < 0 ? GIT_DELTA_DELETED : c > 0 ?
				  GIT_DELTA_ADDED : GIT_DELTA_MODIFIED, path);
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			k++;
	}
	return 0;
}

int nb_git_libgit2_diff;

/* What the commit with tree t changed under prefix ("dir/", or "dir/sub/")
 * against its parent's tree pt (NULL for a first commit), renames found
 * as git finds them, into w.  0, or -1 with git's error. */
static int
commit_deltas(git_repository *repo, git_tree *pt, git_tree *t,
	      const char *prefix, const git_diff_options *dopts,
	      const git_diff_find_options *fopts, nb_arena *a, walked *w)
{
	tree_diff td;
	git_tree *x = pt, *y = t;
	git_diff *diff = NULL;
	const char *p = prefix;
	size_t k;
	int rc = 0;

	memset(&td, 0, sizeof(td));
	td.repo = repo;
	td.a = a;
	/* down to the prefix's folder in both */
	while (*p && rc == 0 && (x || y)) {
		const char *slash = strchr(p, '/');
		char name[256];
		const git_tree_entry *ex, *ey;
		git_tree *nx = NULL, *ny = NULL;
		if (!slash || (size_t)(slash - p) >= sizeof(name) || slash == p) {
			td.other = 1;
			break;
		}
		memcpy(name, p, (size_t)(slash - p));
		name[slash - p] = '\0';
		ex = x ? git_tree_entry_byname(x, name) : NULL;
		ey = y ? git_tree_entry_byname(y, name) : NULL;
		if ((ex && git_tree_entry_type(ex) != GIT_OBJECT_TREE) ||
		    (ey && git_tree_entry_type(ey) != GIT_OBJECT_TREE)) {
			td.other = 1;
			break;
		}
		if (ex && ey && git_oid_equal(git_tree_entry_id(ex),
					      git_tree_entry_id(ey)))
			ex = ey = NULL;   /* nothing changed under it */
		if ((ex && git_tree_lookup(&nx, repo, git_tree_entry_id(ex)) != 0) ||
		    (ey && git_tree_lookup(&ny, repo, git_tree_entry_id(ey)) != 0))
			rc = -1;
		if (x != pt)
			git_tree_free(x);
		if (y != t)
			git_tree_free(y);
		x = nx;
		y = ny;
		p = slash + 1;
	}
	if (rc == 0 && !td.other && (x || y))
		rc = diff_trees(&td, x, y, prefix);
	if (x != pt)
		git_tree_free(x);
	if (y != t)
		git_tree_free(y);
	if (rc != 0)
		return -1;
	if (!td.other && !(td.added && td.deleted) && !nb_git_libgit2_diff) {
		/* no file both went and came: no rename to find */
		w->d = td.d;
		w->nd = td.nd;
		return 0;
	}
	/* libgit2's diff, which finds renames (a file gone and one come that
	 * is at least half the same) */
	if (git_diff_tree_to_tree(&diff, repo, pt, t, dopts) != 0 ||
	    git_diff_find_similar(diff, fopts) != 0) {
		git_diff_free(diff);
		return -1;
	}
	w->nd = git_diff_num_deltas(diff);
	w->d = nb_arena_alloc(a, (w->nd + 1) * sizeof(*w->d));
	for (k = 0; k < w->nd; k++) {
		const git_diff_delta *dl = git_diff_get_delta(diff, k);
		w->d[k].status = dl->status;
		w->d[k].old_path = nb_arena_strdup(a, dl->old_file.path);
		w->d[k].new_path = nb_arena_strdup(a, dl->new_file.path);
	}
	git_diff_free(diff);
	return 0;
}

/* Each path some commit of the walk (v[0..n)) touched, old and new, once,
 * onto *out (a vector in a). */
static void
touched_paths(nb_arena *a, const walked *v, size_t n, nb_map *seen,
	      nb_vec *out)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < v[i].nd; k++) {
			const delta *dl = &v[i].d[k];
			const char *ps[2] = { dl->old_path, dl->new_path };
			int q;
			for (q = 0; q < 2; q++) {
				char *p;
				if (!ps[q] || nb_map_get(seen, ps[q]))
					continue;
				p = nb_arena_strdup(a, ps[q]);
				nb_map_put(seen, p, (void *)1, NULL);
				nb_vec_push(a, out, p);
			}
		}
	}
}

/* The copy in a of a path touched_paths() saw. */
static const char *
touched_key(const nb_map *seen, const char *p)
{
	size_t slot = nb_map_slot(seen, p);

	return slot == (size_t)-1 ? p : seen->keys[slot];
}

/* The paths of files for the saved walk, in order: the saved walk's
 * (sorted) merged with those the commits since added (touched, and not in
 * the saved walk: a path there that was deleted and added again is there
 * once).  In a. */
static const char **
paths_in_order(nb_arena *a, const saved_walk *base, const nb_vec *touched,
	       const nb_map *was_of, size_t *np)
{
	const char **fresh = nb_arena_alloc_raw(a, (touched->len + 1) *
						 sizeof(*fresh));
	const char **all;
	size_t nf = 0, i, j, k;

	for (i = 0; i < touched->len; i++)
		if (!nb_map_get(was_of, touched->items[i]))
			fresh[nf++] = touched->items[i];
	qsort(fresh, nf, sizeof(*fresh), cmp_cstr);
	all = nb_arena_alloc_raw(a, (base->n + nf + 1) * sizeof(*all));
	for (i = j = k = 0; i < base->n || j < nf;)
		all[k++] = j >= nf || (i < base->n &&
			   strcmp(base->paths[i], fresh[j]) < 0) ?
			   base->paths[i++] : fresh[j++];
	*np = k;
	return all;
}

int
nb_git_history(nb_map *out, nb_git *g, const char *prefix, nb_arena *a,
	       const char *cache, nb_diags *d)
{
	git_diff_options dopts;
	git_diff_find_options fopts;
	nb_map alias = NB_MAP_INIT;    /* path at that time -> history */
	nb_map was_of = NB_MAP_INIT;   /* a touched path -> its saved history */
	nb_map seen = NB_MAP_INIT;
	nb_vec touched = { NULL, 0, 0 };
	saved_walk base;               /* the saved walk of base_id */
	git_oid oid, base_id;
	int have_base = 0, at_base = 0;
	char *pathspec = nb_arena_strdup(a, prefix);
	walked *v = NULL;
	size_t n = 0, cap = 0, i, k, saved_size = 0;
	struct stat st;
	void *pl[3];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&base, 0, sizeof(base));
	if (cache && stat(cache, &st) == 0 && st.st_size > 0) {
		/* the last walk's size says what this one takes (its
		 * histories, and what is written for the next) */
		saved_size = (size_t)st.st_size;
		nb_arena_reserve(a, saved_size * 2);
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
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = nb_xrealloc(v, cap * sizeof(*v));
		}
		w = &v[n];
		memset(w, 0, sizeof(*w));
		if (commit_deltas(g->repo, pt, t, prefix, &dopts, &fopts, a,
				  w) != 0) {
			git_tree_free(t);
			git_tree_free(pt);
			git_commit_free(parent);
			git_commit_free(c);
			git_fail(d, g->name, NULL);
			goto done;
		}
		n++;
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

	if (at_base) {
		/*
		 * Every path at the first commit, from the saved walk: its
		 * map becomes out, each file that no commit since touched
		 * keeping its saved history as it is.  What the commits since
		 * touched is done over: the paths they added, deleted and
		 * renamed (oldest first), then a new, empty history for each
		 * such path that is there now, to be followed back below.
		 */
		touched_paths(a, v, n, &seen, &touched);
		for (i = 0; i < touched.len; i++) {
			nb_file_history *h = nb_map_get(&base.files,
							touched.items[i]);
			if (h)
				nb_map_put(&was_of, h->path, h, NULL);
		}
		*out = base.files;
		memset(&base.files, 0, sizeof(base.files));
		for (i = n; i-- > 0;) {
			for (k = 0; k < v[i].nd; k++) {
				const delta *dl = &v[i].d[k];
				const char *np = dl->new_path;
				const char *op = dl->old_path;
				if (dl->status == GIT_DELTA_DELETED ||
				    dl->status == GIT_DELTA_RENAMED)
					nb_map_set(out, touched_key(&seen, op),
						   NULL);
				if (dl->status == GIT_DELTA_ADDED ||
				    dl->status == GIT_DELTA_RENAMED)
					nb_map_set(out, touched_key(&seen, np),
						   (void *)1);
			}
		}
		for (i = 0; i < touched.len; i++) {
			size_t slot = nb_map_slot(out, touched.items[i]);
			nb_file_history *h;
			if (slot == (size_t)-1 || !out->vals[slot])
				continue;
			h = nb_arena_alloc(a, sizeof(*h));
			h->path = out->keys[slot];
			out->vals[slot] = h;
			nb_map_put(&alias, h->path, h, NULL);
		}
	} else {
		pl[0] = out;
		pl[1] = a;
		pl[2] = (void *)prefix;
		if (git_tree_walk(g->tree, GIT_TREEWALK_PRE, tree_paths_cb,
				  pl) != 0) {
			git_fail(d, g->name, NULL);
			goto done;
		}
		nb_map_reserve(&alias, out->len);
		for (i = 0; i < out->cap; i++)
			if (out->keys[i])
				nb_map_put(&alias, out->keys[i], out->vals[i], NULL);
	}

	/* each commit's changes, newest first, to the files their paths
	 * were then */
	for (i = 0; i < n; i++) {
		for (k = 0; k < v[i].nd; k++) {
			const delta *dl = &v[i].d[k];
			const char *np = dl->new_path, *op = dl->old_path;
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
		 * this far goes on as that path did there */
		for (i = 0; i < alias.cap; i++) {
			nb_file_history *h = alias.vals[i], *was;
			if (!alias.keys[i] || !h ||
			    !(was = nb_map_get(&was_of, alias.keys[i])))
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
	if (cache && !(at_base && n == 0)) {
		const char **paths;
		size_t np = 0;
		if (at_base) {
			paths = paths_in_order(a, &base, &touched, &was_of, &np);
		} else {
			paths = nb_xmalloc((out->len + 1) * sizeof(*paths));
			for (i = 0; i < out->cap; i++)
				if (out->keys[i] && out->vals[i])
					paths[np++] = out->keys[i];
			qsort(paths, np, sizeof(*paths), cmp_cstr);
		}
		hist_save(cache, git_oid_tostr_s(git_commit_id(g->commit)),
			  prefix, out, paths, np, saved_size);
		if (!at_base)
			free((void *)paths);
	}
	rc = 0;
done:
	free(v);
	nb_map_free(&base.files);
	nb_map_free(&alias);
	nb_map_free(&was_of);
	nb_map_free(&seen);
	return rc;
}
