/*
 * source.c - reading a site from a directory on disk.
 *
 * Every path is walked from the site's root one folder at a time with
 * openat(2) and O_NOFOLLOW, so a symbolic link anywhere in it (a linked
 * record, a linked content/ folder, a linked site.yaml) is refused rather
 * than followed out of the site, and nothing can change a checked path
 * between the check and the read.  Paths with "..", "." or empty parts, or
 * absolute paths, are refused too.  A link is reported once per source,
 * however many paths go through it.
 */
#define _GNU_SOURCE   /* preadv2 and RWF_NOWAIT (Linux 4.14) */
#include "source.h"
#include "arena.h"
#include "git.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

/* Paths already reported as symbolic links (so each is reported once);
 * pages may be rendered, and so files read, in more than one thread. */
struct reported {
	char **v;
	size_t n;
	pthread_mutex_t lock;
};

struct nb_source {
	char *root;
	int fd;                   /* the root folder, open; -1 for git */
	struct reported *links;
	nb_git *git;              /* the repository, when there is one */
	int from_git;             /* files come from the commit, not disk */
	atomic_size_t *misses;    /* reads that had to wait for the disk */
};

/* Records are read in threads; libgit2's repository is not to be used by
 * two at once. */
static pthread_mutex_t git_lock = PTHREAD_MUTEX_INITIALIZER;

static const char HINT_LINK[] =
	"replace the link with the file or folder itself: a site may not "
	"reach outside its folder";

int
nb_source_open_dir(nb_source **out, const char *root, nb_diags *d)
{
	nb_source *s;
	int fd;

	*out = NULL;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR)
			return nb_error(d, root, 0, 0,
				"give the folder that holds site.yaml and content/",
				"the site source is not a folder");
		return nb_error(d, root, 0, 0,
			"give the folder that holds site.yaml and content/",
			"cannot open the site folder: %s", strerror(errno));
	}
	s = nb_xcalloc(1, sizeof(*s));
	s->root = nb_xstrdup(root);
	s->fd = fd;
	s->links = nb_xcalloc(1, sizeof(*s->links));
	pthread_mutex_init(&s->links->lock, NULL);
	s->misses = nb_xmalloc(sizeof(*s->misses));
	atomic_init(s->misses, 0);
	*out = s;
	return 0;
}

int
nb_source_open_git(nb_source **out, const char *repo, const char *ref,
		   nb_diags *d)
{
	nb_source *s;
	nb_git *g;

	*out = NULL;
	if (nb_git_open(&g, repo, ref, d) != 0)
		return -1;
	s = nb_xcalloc(1, sizeof(*s));
	s->root = nb_xstrdup(nb_git_name(g));
	s->fd = -1;
	s->links = nb_xcalloc(1, sizeof(*s->links));
	pthread_mutex_init(&s->links->lock, NULL);
	s->git = g;
	s->from_git = 1;
	*out = s;
	return 0;
}

int
nb_source_attach_history(nb_source *s, nb_diags *d)
{
	if (s->git || !nb_git_is_worktree(s->root))
		return 0;
	return nb_git_open(&s->git, s->root, "HEAD", d);
}

nb_git *
nb_source_git(const nb_source *s)
{
	return s->git;
}

void
nb_source_free(nb_source *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->links->n; i++)
		free(s->links->v[i]);
	free(s->links->v);
	pthread_mutex_destroy(&s->links->lock);
	free(s->links);
	free(s->misses);
	if (s->fd >= 0)
		close(s->fd);
	nb_git_free(s->git);
	free(s->root);
	free(s);
}

const char *
nb_source_root(const nb_source *s)
{
	return s->root;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
nb_source_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Report the symbolic link at rel[0..len), once per source (quiet: only
 * return -1, so that a later read reports it). */
static int
link_error(const nb_source *s, const char *rel, size_t len, int quiet,
	   nb_diags *d)
{
	struct reported *r = s->links;
	char *p;
	size_t i;

	if (quiet)
		return -1;
	p = nb_xstrndup(rel, len);

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->v[i], p) == 0) {
			pthread_mutex_unlock(&r->lock);
			free(p);
			return -1;
		}
	}
	r->v = nb_xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n++] = p;
	pthread_mutex_unlock(&r->lock);
	return nb_error(d, p, 0, 0, HINT_LINK,
			"symbolic links are not allowed in a site");
}

/* Is rel a relative path of plain names ("content/areas/x.yaml")? */
static int
rel_ok(const char *rel)
{
	const char *p = rel;

	if (!*rel || *rel == '/')
		return 0;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		if (*p == '/')
			p++;
	}
	return 1;
}

/*
 * Open the folders of rel[0..len) in turn from the root, refusing
 * symbolic links.  Returns an open folder (close it), or -1 with *why:
 * 1 a part is missing or is not a folder, -1 an error added to d.
 */
static int
open_dirs(const nb_source *s, const char *rel, size_t len, int quiet,
	  int *why, nb_diags *d)
{
	size_t at = 0;
	int fd = dup(s->fd);

	if (fd < 0) {
		*why = nb_error(d, rel, 0, 0, NULL, "cannot read: %s",
				strerror(errno));
		return -1;
	}
	while (at < len) {
		const char *e = memchr(rel + at, '/', len - at);
		size_t n = e ? (size_t)(e - (rel + at)) : len - at;
		char *part = nb_xstrndup(rel + at, n);
		struct stat st;
		int next, err;

		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		err = errno;
		if (next < 0) {
			if (fstatat(fd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				*why = link_error(s, rel, at + n, quiet, d);
			else if (err == ENOENT || err == ENOTDIR)
				*why = 1;
			else
				*why = nb_error(d, rel, 0, 0, NULL,
						"cannot read: %s",
						strerror(err));
		}
		free(part);
		close(fd);
		if (next < 0)
			return -1;
		fd = next;
		at += n + (e ? 1 : 0);
	}
	return fd;
}

int
nb_source_list_ids(const nb_source *s, const char *dir, const char *suffix,
		   char ***names, unsigned char (**ids)[20], size_t *n,
		   nb_diags *d)
{
	*ids = NULL;
	if (s->from_git)
		return nb_git_list_ids(s->git, dir, suffix, names, ids, n, d);
	return nb_source_list(s, dir, suffix, names, n, d);
}

int
nb_source_list(const nb_source *s, const char *dir, const char *suffix,
	       char ***names, size_t *n, nb_diags *d)
{
	size_t sl = strlen(suffix), cap = 0, len = 0;
	char **v = NULL;
	struct dirent *de;
	DIR *dp;

	if (s->from_git)
		return nb_git_list(s->git, dir, suffix, names, n, d);
	int fd, why = 0, rc = 0;

	*names = NULL;
	*n = 0;
	if (!rel_ok(dir))
		return nb_error(d, dir, 0, 0, NULL,
				"refusing to read outside the site");
	fd = open_dirs(s, dir, strlen(dir), 0, &why, d);
	if (fd < 0)
		return why < 0 ? -1 : 0;   /* a missing folder: no files */
	dp = fdopendir(fd);
	if (!dp) {
		close(fd);
		return nb_error(d, dir, 0, 0, NULL,
				"cannot read this folder: %s", strerror(errno));
	}
	while ((de = readdir(dp)) != NULL) {
		size_t nl = strlen(de->d_name);
		struct stat st;
		char *rel;

		if (de->d_name[0] == '.' || nl <= sl ||
		    strcmp(de->d_name + nl - sl, suffix) != 0)
			continue;
		rel = nb_xmalloc(strlen(dir) + nl + 2);
		sprintf(rel, "%s/%s", dir, de->d_name);
		/* the folder says what each entry is (ext4, tmpfs, btrfs and
		 * xfs do): a file's size is then checked when it is read,
		 * not with a call for each of a big site's files here */
		if (de->d_type == DT_REG) {
			st.st_mode = S_IFREG;
			st.st_size = 0;
		} else if (de->d_type == DT_LNK) {
			st.st_mode = S_IFLNK;
		} else if (de->d_type != DT_UNKNOWN) {
			st.st_mode = S_IFDIR;   /* not a record, whatever it is */
		} else if (fstatat(dirfd(dp), de->d_name, &st,
				   AT_SYMLINK_NOFOLLOW) != 0) {
			rc = nb_error(d, rel, 0, 0, NULL, "cannot read: %s",
				      strerror(errno));
			free(rel);
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			rc = link_error(s, rel, strlen(rel), 0, d);
		} else if (!S_ISREG(st.st_mode)) {
			/* folders and devices are not records */
		} else if (st.st_size > NB_SOURCE_MAX_FILE) {
			rc = nb_error(d, rel, 0, 0,
				"split the record or move large documents out of content/",
				"the file is larger than %d MiB",
				NB_SOURCE_MAX_FILE / (1024 * 1024));
		} else {
			if (len == cap) {
				cap = cap ? cap * 2 : 32;
				v = nb_xrealloc(v, cap * sizeof(*v));
			}
			v[len++] = nb_xstrdup(de->d_name);
		}
		free(rel);
	}
	closedir(dp);
	if (len)
		qsort(v, len, sizeof(*v), cmp_names);
	*names = v;
	*n = len;
	return rc;
}

/* Open the regular file at path without following links.  Returns an
 * open file (close it) with *st filled in, or -1 with *why as for
 * open_dirs. */
static int
open_file(const nb_source *s, const char *path, struct stat *st, int quiet,
	  int *why, nb_diags *d)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dfd, fd;

	*why = 0;
	if (!rel_ok(path)) {
		*why = nb_error(d, path, 0, 0, NULL,
				"refusing to read outside the site");
		return -1;
	}
#ifdef SYS_openat2
	{
		/* One call for the common case, a regular file reached
		 * without links: the kernel refuses any link on the way and
		 * anything outside the root.  Whatever is unusual is looked
		 * at again below, one folder at a time, to say what it is. */
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			      RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, s->fd, path, &how, sizeof(how));
		if (fd >= 0) {
			if (fstat(fd, st) == 0 && S_ISREG(st->st_mode))
				return fd;
			close(fd);
		}
	}
#endif
	dfd = open_dirs(s, path, slash ? (size_t)(slash - path) : 0, quiet, why,
			d);
	if (dfd < 0)
		return -1;
	fd = -1;
	if (fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW) != 0) {
		*why = errno == ENOENT || errno == ENOTDIR ? 1 :
			nb_error(d, path, 0, 0, NULL, "cannot read: %s",
				 strerror(errno));
	} else if (S_ISLNK(st->st_mode)) {
		*why = link_error(s, path, strlen(path), quiet, d);
	} else if (!S_ISREG(st->st_mode)) {
		*why = nb_error(d, path, 0, 0, NULL, "not a regular file");
	} else if ((fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
				O_CLOEXEC)) < 0 || fstat(fd, st) != 0) {
		*why = nb_error(d, path, 0, 0, NULL, "cannot open: %s",
				strerror(errno));
	} else if (!S_ISREG(st->st_mode)) {   /* replaced since fstatat */
		*why = nb_error(d, path, 0, 0, NULL, "not a regular file");
	} else {
		close(dfd);
		return fd;
	}
	if (fd >= 0)
		close(fd);
	close(dfd);
	return -1;
}

int
nb_source_read(const nb_source *s, const char *path, char **data,
	       size_t *len, nb_diags *d)
{
	struct stat st;
	char *buf = NULL;
	size_t want, got = 0;
	int fd, why, rc = -1;

	if (s->from_git) {
		pthread_mutex_lock(&git_lock);
		rc = nb_git_read(s->git, path, data, len, d);
		pthread_mutex_unlock(&git_lock);
		return rc;
	}
	*data = NULL;
	*len = 0;
	fd = open_file(s, path, &st, 0, &why, d);
	if (fd < 0)
		return why > 0 ? 1 : -1;
	if (st.st_size > NB_SOURCE_MAX_FILE) {
		nb_error(d, path, 0, 0,
			 "split the record or move large documents out of content/",
			 "the file is larger than %d MiB",
			 NB_SOURCE_MAX_FILE / (1024 * 1024));
		goto done;
	}
	want = (size_t)st.st_size;
	buf = nb_xmalloc(want + 1);
#ifdef RWF_NOWAIT
	if (want) {
		/* what the page cache holds, without waiting: a file it does
		 * not hold is counted, for nb_source_prefetch, and read */
		struct iovec v = { buf, want };
		ssize_t r = preadv2(fd, &v, 1, 0, RWF_NOWAIT);

		if (r > 0)
			got = (size_t)r;
		if (r < 0 ? errno == EAGAIN : (size_t)r < want)
			atomic_fetch_add_explicit(s->misses, 1,
						  memory_order_relaxed);
	}
#endif
	while (got < want) {
		ssize_t r = pread(fd, buf + got, want - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			nb_error(d, path, 0, 0, NULL, "read error: %s",
				 strerror(errno));
			goto done;
		}
		if (r == 0)
			break;   /* the file shrank while we read it */
		got += (size_t)r;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	buf = NULL;
	rc = 0;
done:
	close(fd);
	free(buf);
	return rc;
}

int
nb_source_blob(const nb_source *s, const char *path, unsigned char oid[20])
{
	int rc;

	if (!s->from_git)
		return 1;
	pthread_mutex_lock(&git_lock);
	rc = nb_git_blob_oid(s->git, path, oid);
	pthread_mutex_unlock(&git_lock);
	return rc;
}

int
nb_source_exists(const nb_source *s, const char *path)
{
	nb_diags ignore = NB_DIAGS_INIT;

	if (s->from_git) {
		char id[41];
		return nb_git_blob_id(s->git, path, id) == 0;
	}
	struct stat st;
	/* a link found here is reported when the path is read, not now */
	int why, fd = open_file(s, path, &st, 1, &why, &ignore);

	nb_diags_free(&ignore);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* ---- reading ahead ------------------------------------------------------ */

struct nb_prefetch {
	const nb_source *s;
	const char *dir;
	char *const *names;
	size_t n;
	const atomic_size_t *cursor;
	atomic_int stop;
	pthread_t thread;
	int no_openat2;           /* this kernel has none: openat instead */
};

static void
nap(long usec)
{
	struct timespec ts = { 0, usec * 1000 };

	nanosleep(&ts, NULL);
}

/* Ask for one file's bytes.  The names were listed as regular files in a
 * folder reached without links; opening them by name again without
 * openat2 (kernels before 5.6, valgrind) could follow a link put there
 * since, which would only bring a file into memory: the read refuses
 * it. */
static void
prefetch_one(nb_prefetch *p, const char *name, char **path, size_t *cap)
{
	size_t need = strlen(p->dir) + strlen(name) + 2;
	int fd = -1;

	if (need > *cap) {
		*cap = need * 2;
		*path = nb_xrealloc(*path, *cap);
	}
	snprintf(*path, *cap, "%s/%s", p->dir, name);
#ifdef SYS_openat2
	if (!p->no_openat2) {
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			      RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, p->s->fd, *path, &how,
				  sizeof(how));
		if (fd < 0 && errno == ENOSYS)
			p->no_openat2 = 1;
	}
#else
	p->no_openat2 = 1;
#endif
	if (p->no_openat2)
		fd = openat(p->s->fd, *path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			    O_CLOEXEC);
	if (fd < 0)
		return;   /* the read says why */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
	close(fd);
}

static void *
prefetch_run(void *arg)
{
	nb_prefetch *p = arg;
	char *path = NULL;
	size_t cap = 0, i = 0;

	while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		size_t at = atomic_load_explicit(p->cursor,
						 memory_order_relaxed);

		if (at >= p->n)
			break;
		if (atomic_load_explicit(p->s->misses,
					 memory_order_relaxed) == 0) {
			nap(1000);   /* warm so far: nothing to do */
			continue;
		}
		if (i < at)
			i = at;       /* the readers caught up */
		if (i >= p->n)
			break;        /* asked for them all */
		if (i >= at + NB_SOURCE_READ_AHEAD) {
			nap(200);     /* far enough ahead */
			continue;
		}
		prefetch_one(p, p->names[i++], &path, &cap);
	}
	free(path);
	return NULL;
}

size_t
nb_source_waits(const nb_source *s)
{
	return s->misses ? atomic_load(s->misses) : 0;
}

nb_prefetch *
nb_source_prefetch(const nb_source *s, const char *dir, char *const *names,
		   size_t n, const atomic_size_t *cursor)
{
	nb_prefetch *p;

	if (s->from_git || n < 64)
		return NULL;
	p = nb_xcalloc(1, sizeof(*p));
	p->s = s;
	p->dir = dir;
	p->names = names;
	p->n = n;
	p->cursor = cursor;
	atomic_init(&p->stop, 0);
	if (pthread_create(&p->thread, NULL, prefetch_run, p) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

void
nb_prefetch_stop(nb_prefetch *p)
{
	if (!p)
		return;
	atomic_store_explicit(&p->stop, 1, memory_order_relaxed);
	pthread_join(p->thread, NULL);
	free(p);
}
