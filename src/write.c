/*
 * write.c - staging, writing and swapping in the output folder.
 */
#include "write.h"
#include "arena.h"
#include "buf.h"
#include "map.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define STAGE_TAG ".nb-tmp-"
#define OLD_TAG ".nb-old-"
#define LINK_TAG ".nb-link-"
#define CACHE_TAG ".nb-cache-tmp-"  /* cache.c */
#define HIST_TAG ".nb-history-tmp-" /* git.c */
#define SEAL "/.noticeboard/manifest"   /* a complete build's last file */
#define FILES ".noticeboard/files"      /* every file of a build */

struct nb_out {
	char *dest;
	char *stage;              /* staging folder, or the inactive copy */
	int swap;                 /* two copies and a symbolic link */
	int dry;                  /* nb_out_dry: write the list of files only */
	atomic_size_t files, bytes, reused;
	nb_map dirs;              /* folders made in the staging folder */
	/* every output of this build: those the copy held before are marked
	 * in `claimed` (without the lock: a site has tens of thousands),
	 * others are in `written` */
	nb_map written;
	nb_map previous;          /* every file the copy held before */
	atomic_uchar *claimed;    /* previous.cap flags, or NULL */
	char *previous_text;      /* the list they were read from (the keys) */
	size_t previous_len;
	nb_arena *keys;           /* the keys of dirs and written */
	pthread_mutex_t lock;     /* dirs and written: pages are written
				   * from more than one thread */
	/* the last build's manifest (nb_out_read_manifest): what each of its
	 * outputs depended on.  With a list of files, beside it, slot for
	 * slot (one lookup says whether an output can be taken); without
	 * one, in a map of its own (path -> index + 1 in last_sigs) */
	uint64_t *sigs;           /* previous.cap, or NULL */
	unsigned char *has_sig;   /* previous.cap flags, or NULL */
	nb_map last;
	uint64_t *last_sigs;
	char *manifest_text;      /* the keys of last */
	size_t last_outputs;      /* the manifest's outputs */
};

#define OUT_LOCK(o) pthread_mutex_lock(&(o)->lock)
#define OUT_UNLOCK(o) pthread_mutex_unlock(&(o)->lock)

/* Remove everything in the folder `fd` (taken: closed at the end), by
 * names relative to it and with each entry's kind from the folder, as
 * clone_at does.  Returns 0 or -1. */
static int
rm_at(int fd)
{
	DIR *dp = fdopendir(fd);
	struct dirent *de;
	int rc = 0;

	if (!dp) {
		close(fd);
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		const char *name = de->d_name;
		int type = de->d_type;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd(dp), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
				rc = -1;
				continue;
			}
			type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
		}
		if (type == DT_DIR) {
			int sub = openat(dirfd(dp), name, O_RDONLY | O_DIRECTORY |
					 O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 || rm_at(sub) != 0 ||
			    unlinkat(dirfd(dp), name, AT_REMOVEDIR) != 0)
				rc = -1;
		} else if (unlinkat(dirfd(dp), name, 0) != 0) {
			rc = -1;   /* a link is removed, never followed */
		}
	}
	closedir(dp);
	return rc;
}

int
nb_rmtree(const char *path)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = rm_at(fd);
	if (rmdir(path) != 0)
		rc = -1;
	return rc;
}

/* Remove staging and old folders of builds that are no longer running. */
static void
clean_leftovers(const char *dest)
{
	char *dir = nb_xstrdup(dest), *slash, *base;
	const char *parent;
	struct dirent *de;
	size_t bl;
	DIR *dp;

	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		parent = *dir ? dir : "/";
		base = slash + 1;
	} else {
		parent = ".";
		base = dir;
	}
	bl = strlen(base);
	dp = opendir(parent);
	while (dp && (de = readdir(dp)) != NULL) {
		const char *rest;
		char *end, *full;
		long pid;
		size_t n;
		int ours = 0;   /* a cache file this process may be writing */

		if (strncmp(de->d_name, base, bl) != 0)
			continue;
		rest = de->d_name + bl;
		if (strncmp(rest, STAGE_TAG, strlen(STAGE_TAG)) == 0)
			rest += strlen(STAGE_TAG);
		else if (strncmp(rest, OLD_TAG, strlen(OLD_TAG)) == 0)
			rest += strlen(OLD_TAG);
		else if (strncmp(rest, LINK_TAG, strlen(LINK_TAG)) == 0)
			rest += strlen(LINK_TAG);
		else if (strncmp(rest, CACHE_TAG, strlen(CACHE_TAG)) == 0)
			rest += strlen(CACHE_TAG), ours = 1;
		else if (strncmp(rest, HIST_TAG, strlen(HIST_TAG)) == 0)
			rest += strlen(HIST_TAG), ours = 1;
		else
			continue;
		pid = strtol(rest, &end, 10);
		if (end == rest || *end || pid <= 0)
			continue;
		if (pid != (long)getpid() && kill((pid_t)pid, 0) == 0)
			continue;   /* that build is still running */
		if (ours && pid == (long)getpid())
			continue;   /* this one's (cache.c and git.c replace
				     * one left by an earlier process) */
		n = strlen(parent) + strlen(de->d_name) + 2;
		full = nb_xmalloc(n);
		snprintf(full, n, "%s/%s", parent, de->d_name);
		nb_rmtree(full);
		free(full);
	}
	if (dp)
		closedir(dp);
	free(dir);
}

/* The whole of a small file, NUL-terminated (malloc'd), or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t got = 0;

	*len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		size_t want = (size_t)st.st_size, cap = want + 1;
		buf = nb_xmalloc_big(&cap);
		nb_prefault(buf, want + 1);
		while (got < want) {
			ssize_t r = read(fd, buf + got, want - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		buf[got] = '\0';
		*len = got;
	}
	close(fd);
	return buf;
}

/* The list of files the copy being updated holds, from its last build
 * (the keys point into o->previous_text).  Not changed once read, so
 * threads look in it without the lock. */
static void
read_files(nb_out *o)
{
	size_t n = strlen(o->stage) + sizeof(FILES) + 2, len, lines = 0;
	char *path = nb_xmalloc(n), *p, *nl, *end;

	snprintf(path, n, "%s/%s", o->stage, FILES);
	o->previous_text = slurp(path, &len);
	free(path);
	if (!o->previous_text)
		return;
	o->previous_len = len;
	end = o->previous_text + len;
	for (p = o->previous_text; p < end; p++)
		lines += *p == '\n';
	nb_map_reserve(&o->previous, lines);
	nb_map_reserve(&o->written, lines / 8);   /* files it did not hold */
	/* a line without its newline (a file cut short) ends the list */
	for (p = o->previous_text; p < end &&
	     (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
		*nl = '\0';
		if (nl > p)
			nb_map_put(&o->previous, p, (void *)1, NULL);
	}
	o->claimed = nb_xcalloc(o->previous.cap ? o->previous.cap : 1,
				sizeof(*o->claimed));
}

/* Note that this build makes `rel`.  Returns 0, or 1 when it already
 * did (two records want one address). */
static int
claim(nb_out *o, const char *rel)
{
	size_t k = o->claimed ? nb_map_slot(&o->previous, rel) : (size_t)-1;
	int had;

	if (k != (size_t)-1)
		return atomic_exchange(&o->claimed[k], 1) != 0;
	OUT_LOCK(o);
	had = nb_map_get(&o->written, rel) != NULL;
	if (!had)
		nb_map_put(&o->written, nb_arena_strdup(o->keys, rel),
			   (void *)1, NULL);
	OUT_UNLOCK(o);
	return had;
}

/* Whether this build has made `rel` yet. */
static int
claimed(nb_out *o, const char *rel)
{
	size_t k = o->claimed ? nb_map_slot(&o->previous, rel) : (size_t)-1;
	int had;

	if (k != (size_t)-1)
		return atomic_load(&o->claimed[k]) != 0;
	OUT_LOCK(o);
	had = nb_map_get(&o->written, rel) != NULL;
	OUT_UNLOCK(o);
	return had;
}

/* Fill the folder `to` (a descriptor) with what the folder `from` holds,
 * its files as hard links, but for the file at `skip` (a path under
 * `from`, or NULL).  Takes `from` (closed at the end).  Relative to the
 * folders' descriptors, and with the kind of each entry from the folder
 * itself: a site has tens of thousands of files, and this spares a path
 * walked from the top and an lstat for each. */
static void
clone_at(int from, int to, const char *skip)
{
	DIR *dp = fdopendir(from);
	struct dirent *de;

	if (!dp) {
		close(from);
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		const char *name = de->d_name;
		size_t n = strlen(name);
		int type = de->d_type;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd(dp), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR :
			       S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (type == DT_DIR) {
			int f, t;
			if (mkdirat(to, name, 0755) != 0)
				continue;
			f = openat(dirfd(dp), name, O_RDONLY | O_DIRECTORY |
				   O_NOFOLLOW | O_CLOEXEC);
			t = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				   O_CLOEXEC);
			if (f >= 0 && t >= 0)
				clone_at(f, t, skip && strncmp(skip, name, n) == 0 &&
					 skip[n] == '/' ? skip + n + 1 : NULL);
			else if (f >= 0)
				close(f);
			if (t >= 0)
				close(t);
		} else if (type == DT_REG && !(skip && strcmp(skip, name) == 0)) {
			(void)linkat(dirfd(dp), name, to, name, 0);
		}
	}
	closedir(dp);
}

/* Make `to` a copy of `from` whose files are hard links, but for the file
 * `skip` (a path under `from`, or NULL: none). */
static void
clone_tree(const char *from, const char *to, const char *skip)
{
	size_t fl = strlen(from);
	int f, t;

	if (mkdir(to, 0755) != 0)
		return;
	f = open(from, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	t = open(to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (skip && (strncmp(skip, from, fl) != 0 || skip[fl] != '/'))
		skip = NULL;
	if (f >= 0 && t >= 0)
		clone_at(f, t, skip ? skip + fl + 1 : NULL);
	else if (f >= 0)
		close(f);
	if (t >= 0)
		close(t);
}

/* The two copies of a site published as a link: DEST.nb-a and DEST.nb-b. */
static char *
copy_name(const char *dest, char which)
{
	size_t n = strlen(dest) + 8;
	char *p = nb_xmalloc(n);

	snprintf(p, n, "%s.nb-%c", dest, which);
	return p;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int
nb_out_begin(nb_out **out, const char *dest, nb_diags *d)
{
	struct stat st;
	nb_out *o;
	size_t n;
	int exists;

	*out = NULL;
	if (!*dest || strcmp(dest, "/") == 0 || strcmp(dest, ".") == 0 ||
	    strcmp(dest, "..") == 0 || dest[strlen(dest) - 1] == '/')
		return nb_error(d, dest, 0, 0,
			"give a folder of its own for the site, like public",
			"refusing to use this output folder");
	clean_leftovers(dest);
	o = nb_xcalloc(1, sizeof(*o));
	o->keys = nb_arena_new();
	pthread_mutex_init(&o->lock, NULL);
	o->dest = nb_xstrdup(dest);
	exists = lstat(dest, &st) == 0;
	if (!exists || S_ISLNK(st.st_mode)) {
		/* a new site, or one published as a link to one of two
		 * copies: the next build updates the other copy */
		char target[4096];
		ssize_t tl = exists ? readlink(dest, target, sizeof(target) - 1)
				    : -1;
		char *a = copy_name(dest, 'a');
		if (tl > 0) {
			target[tl] = '\0';
			if (strcmp(target, base_name(a)) != 0 &&
			    strcmp(target + (tl > 5 ? tl - 5 : 0), ".nb-b") != 0) {
				free(a);
				free(o->dest);
				nb_arena_free(o->keys);
				pthread_mutex_destroy(&o->lock);
				free(o);
				return nb_error(d, dest, 0, 0,
					"remove the link, or give another --output",
					"the output is a link Noticeboard did not make");
			}
			o->stage = copy_name(dest, strcmp(target, base_name(a)) == 0 ?
					     'b' : 'a');
			free(a);
		} else {
			o->stage = a;
		}
		o->swap = 1;
		/* a copy without its manifest is new, or was left half-updated:
		 * start it again as a copy of the live one (hard links: files
		 * are replaced, never written into), to be updated from there */
		n = strlen(o->stage) + sizeof(SEAL);
		{
			char *seal = nb_xmalloc(n);
			snprintf(seal, n, "%s%s", o->stage, SEAL);
			if (access(seal, F_OK) != 0) {
				nb_rmtree(o->stage);
				if (tl > 0) {
					/* the seal last: a copy killed part way
					 * is never taken for a whole one */
					char *live = copy_name(dest,
						o->stage[strlen(o->stage) - 1] == 'a' ? 'b' : 'a');
					size_t ln = strlen(live) + sizeof(SEAL);
					char *live_seal = nb_xmalloc(ln);
					snprintf(live_seal, ln, "%s%s", live, SEAL);
					clone_tree(live, o->stage, live_seal);
					link(live_seal, seal);
					free(live_seal);
					free(live);
				}
			}
			free(seal);
		}
		if (mkdir(o->stage, 0755) != 0 && errno != EEXIST) {
			nb_error(d, o->stage, 0, 0,
				 "check that the folder above the output exists and can be written",
				 "cannot create the site's copy: %s", strerror(errno));
			goto fail;
		}
		read_files(o);
		*out = o;
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		nb_error(d, dest, 0, 0, "remove it or choose another --output",
			 "the output path exists and is not a folder");
		goto fail;
	}
	n = strlen(dest) + strlen(STAGE_TAG) + 24;
	o->stage = nb_xmalloc(n);
	snprintf(o->stage, n, "%s%s%ld", dest, STAGE_TAG, (long)getpid());
	nb_rmtree(o->stage);
	if (mkdir(o->stage, 0755) != 0) {
		nb_error(d, o->stage, 0, 0,
			 "check that the folder above the output exists and can be written",
			 "cannot create the staging folder: %s", strerror(errno));
		goto fail;
	}
	*out = o;
	return 0;
fail:
	free(o->stage);
	free(o->dest);
	nb_map_free(&o->dirs);
	nb_arena_free(o->keys);
	pthread_mutex_destroy(&o->lock);
	free(o);
	return -1;
}

const char *
nb_out_base(const nb_out *o)
{
	return o->swap ? o->stage : o->dest;
}

void
nb_out_unseal(nb_out *o)
{
	size_t n;
	char *seal;

	if (!o->swap)
		return;
	n = strlen(o->stage) + sizeof(SEAL);
	seal = nb_xmalloc(n);
	snprintf(seal, n, "%s%s", o->stage, SEAL);
	unlink(seal);
	free(seal);
}

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

static int
known_dir(nb_out *o, const char *path)
{
	int known;

	OUT_LOCK(o);
	known = nb_map_get(&o->dirs, path) != NULL;
	OUT_UNLOCK(o);
	return known;
}

/* Make a folder (or find it there) and remember it.  Returns 0, or -1
 * (errno set). */
static int
make_dir(nb_out *o, const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return -1;
	OUT_LOCK(o);
	if (!nb_map_get(&o->dirs, path))
		nb_map_put(&o->dirs, nb_arena_strdup(o->keys, path), (void *)1,
			   NULL);
	OUT_UNLOCK(o);
	return 0;
}

/* Make the folders above path; the lock is not held while mkdir runs
 * (two threads making the same folder both succeed: EEXIST). */
static int
mkdirs(nb_out *o, char *path)
{
	char *p, *slash = strrchr(path, '/');

	if (!slash)
		return 0;
	/* most files go in a folder made a moment ago: skip the syscalls */
	*slash = '\0';
	if (known_dir(o, path)) {
		*slash = '/';
		return 0;
	}
	for (p = path + strlen(o->stage) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (!known_dir(o, path) && make_dir(o, path) != 0) {
			*p = '/';
			*slash = '/';
			return -1;
		}
		*p = '/';
	}
	if (make_dir(o, path) != 0) {
		*slash = '/';
		return -1;
	}
	*slash = '/';
	return 0;
}

/* Write all of data to fd.  Returns 0, or -1 (errno set). */
static int
write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* iov[0..n) whole, a batch of them at a time (a short write goes on
 * from where it stopped). */
static int
writev_all(int fd, const struct iovec *iov, size_t n)
{
	struct iovec batch[256];
	size_t i = 0, off = 0;   /* the next byte: iov[i], at off */

	while (i < n) {
		size_t k, want = 0, left;
		ssize_t w;

		for (k = 0; i + k < n && k < sizeof(batch) / sizeof(*batch); k++) {
			batch[k] = iov[i + k];
			want += batch[k].iov_len;
		}
		batch[0].iov_base = (char *)batch[0].iov_base + off;
		batch[0].iov_len -= off;
		want -= off;
		w = writev(fd, batch, (int)k);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0 && want) {
			errno = ENOSPC;
			return -1;
		}
		for (left = (size_t)w; i < n && left >= iov[i].iov_len - off; i++) {
			left -= iov[i].iov_len - off;
			off = 0;
		}
		off += left;
	}
	return 0;
}

void
nb_out_dry(nb_out *o)
{
	o->dry = 1;
}

int
nb_out_open(nb_out *o, const char *rel, nb_diags *d)
{
	size_t sl = strlen(o->stage), rl = strlen(rel);
	char stackpath[512], *path = sl + rl + 2 <= sizeof(stackpath) ?
		stackpath : nb_xmalloc(sl + rl + 2);
	int fd = -1, e, made;

	if (!rel_ok(rel)) {
		nb_error(d, rel, 0, 0, NULL, "refusing to write outside the site");
		goto done;
	}
	memcpy(path, o->stage, sl);
	path[sl] = '/';
	memcpy(path + sl + 1, rel, rl + 1);
	/* a dry build makes its folders only for the list of files; a copy
	 * that held a site has most of them, so there the file is opened
	 * first and its folders made only when it cannot be (a failing
	 * mkdir for each folder above each file cost more) */
	made = o->previous.len == 0 && (!o->dry || strcmp(rel, FILES) == 0);
	if (made && mkdirs(o, path) != 0)
		goto no_dir;
	if (claim(o, rel)) {
		nb_error(d, rel, 0, 0, "two records want the same address: rename one",
			 "cannot write: the file was already written by this build");
		goto done;
	}
	if (o->dry && strcmp(rel, FILES) != 0) {
		/* counted as written; its bytes go nowhere */
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			nb_error(d, rel, 0, 0, NULL, "cannot open /dev/null: %s",
				 strerror(errno));
		goto done;
	}
	/* never write into a file another copy may share: a file already
	 * there is replaced */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT && !made) {
		if (mkdirs(o, path) != 0)
			goto no_dir;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0 && errno == EEXIST && unlink(path) == 0)
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		nb_error(d, rel, 0, 0,
			 "check the disk has space and the output folder can be written",
			 "cannot write: %s", strerror(errno));
	goto done;
no_dir:
	e = errno;
	nb_error(d, rel, 0, 0, "check the disk has space and the output folder can be written",
		 "cannot create folder: %s", strerror(e));
done:
	if (path != stackpath)
		free(path);
	return fd;
}

int
nb_out_put(int fd, const char *rel, const char *data, size_t len,
	   nb_diags *d)
{
	if (write_all(fd, data, len) != 0)
		return nb_error(d, rel, 0, 0, "check the disk has space",
				"cannot write: %s", strerror(errno));
	return 0;
}

int
nb_out_close(nb_out *o, const char *rel, int fd, size_t len, nb_diags *d)
{
	if (close(fd) != 0)
		return nb_error(d, rel, 0, 0, "check the disk has space",
				"cannot write: %s", strerror(errno));
	o->files++;
	o->bytes += len;
	return 0;
}

int
nb_out_write(nb_out *o, const char *rel, const char *data, size_t len,
	     nb_diags *d)
{
	int fd = nb_out_open(o, rel, d);

	if (fd < 0)
		return -1;
	if (nb_out_put(fd, rel, data, len, d) != 0) {
		close(fd);
		return -1;
	}
	return nb_out_close(o, rel, fd, len, d);
}

int
nb_out_writev(nb_out *o, const char *rel, const struct iovec *iov, size_t n,
	      nb_diags *d)
{
	int fd = nb_out_open(o, rel, d);
	size_t len = 0, i;

	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (writev_all(fd, iov, n) != 0) {
		int e = errno;
		close(fd);
		return nb_error(d, rel, 0, 0, "check the disk has space",
				"cannot write: %s", strerror(e));
	}
	return nb_out_close(o, rel, fd, len, d);
}

const char *
nb_out_dest(const nb_out *o)
{
	return o->dest;
}

int
nb_out_reuse(nb_out *o, const char *rel)
{
	char *to = NULL, *from = NULL;
	struct stat st;
	int rc = -1;

	if (!rel_ok(rel) || o->dry)
		return -1;
	if (o->swap) {
		/* the copy being updated has it already, as it was: its sealed
		 * list of files says so (no system call: a site has tens of
		 * thousands of these) */
		size_t k = o->claimed ? nb_map_slot(&o->previous, rel) :
					(size_t)-1;
		if (k == (size_t)-1 || atomic_exchange(&o->claimed[k], 1))
			return -1;
		o->files++;
		o->reused++;
		return 0;
	}
	{
		size_t n = strlen(o->stage) + strlen(o->dest) + 2 * strlen(rel) + 4;
		to = nb_xmalloc(n);
		from = nb_xmalloc(n);
		snprintf(from, n, "%s/%s", o->dest, rel);
		snprintf(to, n, "%s/%s", o->stage, rel);
	}
	if (claimed(o, rel))
		goto done;
	/* no other page has this address; only a regular file of the
	 * published site, never a link */
	if (lstat(from, &st) != 0 || !S_ISREG(st.st_mode) || mkdirs(o, to) != 0 ||
	    link(from, to) != 0)
		goto done;
	(void)claim(o, rel);
	o->files++;
	o->reused++;
	o->bytes += (size_t)st.st_size;
	rc = 0;
done:
	free(to);
	free(from);
	return rc;
}

/* Sixteen hex digits, or -1. */
static int
hex16(const char *p, uint64_t *v)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 16; i++) {
		unsigned c = (unsigned char)p[i], d;
		if (c - '0' < 10)
			d = c - '0';
		else if ((c | 0x20) - 'a' < 6)
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		x = x << 4 | d;
	}
	*v = x;
	return 0;
}

void
nb_out_read_manifest(nb_out *o)
{
	static const char head[] = "noticeboard-manifest 1\n";
	size_t n = strlen(nb_out_base(o)) + sizeof(SEAL), len, lines = 0, k = 0;
	char *path = nb_xmalloc(n), *text, *p, *end, *nl;

	snprintf(path, n, "%s%s", nb_out_base(o), SEAL);
	text = slurp(path, &len);
	free(path);
	if (!text || len < sizeof(head) - 1 ||
	    memcmp(text, head, sizeof(head) - 1) != 0) {
		free(text);
		return;
	}
	end = text + len;
	for (p = text; p < end; p++)
		lines += *p == '\n';
	if (o->claimed) {
		o->sigs = nb_xmalloc(o->previous.cap * sizeof(*o->sigs));
		o->has_sig = nb_xcalloc(o->previous.cap, 1);
	} else {
		nb_map_reserve(&o->last, lines);
		o->last_sigs = nb_xmalloc((lines ? lines : 1) *
					  sizeof(*o->last_sigs));
	}
	/* "%016llx %s\n" for each output; a line without its newline (a
	 * file cut short) ends it */
	for (p = text + sizeof(head) - 1;
	     p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL;
	     p = nl + 1) {
		uint64_t v;
		*nl = '\0';
		if (nl - p < 18 || p[16] != ' ' || hex16(p, &v) != 0)
			continue;   /* the commit line, or not of this making */
		o->last_outputs++;
		if (o->claimed) {
			size_t slot = nb_map_slot(&o->previous, p + 17);
			if (slot != (size_t)-1) {
				o->sigs[slot] = v;
				o->has_sig[slot] = 1;
			}
		} else if (nb_map_put(&o->last, p + 17,
				      (void *)(uintptr_t)(k + 1), NULL) == 0) {
			o->last_sigs[k++] = v;
		}
	}
	if (o->claimed)
		free(text);
	else
		o->manifest_text = text;
}

int
nb_out_last_sig(const nb_out *o, const char *rel, uint64_t *sig)
{
	size_t k;

	if (o->has_sig) {
		k = nb_map_slot(&o->previous, rel);
		if (k == (size_t)-1 || !o->has_sig[k])
			return 0;
		*sig = o->sigs[k];
		return 1;
	}
	k = (uintptr_t)nb_map_get(&o->last, rel);
	if (!k)
		return 0;
	*sig = o->last_sigs[k - 1];
	return 1;
}

size_t
nb_out_last_outputs(const nb_out *o)
{
	return o->last_outputs;
}

int
nb_out_take(nb_out *o, const char *rel, uint64_t sig)
{
	uint64_t was;
	size_t k;

	if (o->swap && o->has_sig) {
		/* one lookup: the file is in the copy, with this signature,
		 * and not yet taken */
		if (o->dry || !rel_ok(rel))
			return -1;
		k = nb_map_slot(&o->previous, rel);
		if (k == (size_t)-1 || !o->has_sig[k] || o->sigs[k] != sig ||
		    atomic_exchange(&o->claimed[k], 1))
			return -1;
		o->files++;
		o->reused++;
		return 0;
	}
	if (!nb_out_last_sig(o, rel, &was) || was != sig)
		return -1;
	return nb_out_reuse(o, rel);
}

size_t
nb_out_reused(const nb_out *o)
{
	return o->reused;
}

size_t
nb_out_files(const nb_out *o)
{
	return o->files;
}

size_t
nb_out_bytes(const nb_out *o)
{
	return o->bytes;
}

static void
out_free(nb_out *o)
{
	free(o->sigs);
	free(o->has_sig);
	nb_map_free(&o->last);
	free(o->last_sigs);
	free(o->manifest_text);
	nb_map_free(&o->dirs);
	nb_map_free(&o->written);
	nb_arena_free(o->keys);
	nb_map_free(&o->previous);   /* its keys are in previous_text */
	free(o->claimed);
	free(o->previous_text);
	pthread_mutex_destroy(&o->lock);
	free(o->stage);
	free(o->dest);
	free(o);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Remove what the copy held that this build did not make, and record
 * what it holds now. */
static int
prune(nb_out *o, nb_diags *d)
{
	nb_buf list = NB_BUF_INIT;
	size_t i, n;
	char *path;
	int rc = 0;

	for (i = 0; i < o->previous.cap; i++) {
		const char *rel = o->previous.keys[i];
		if (!rel || (o->claimed && o->claimed[i]))
			continue;
		n = strlen(o->stage) + strlen(rel) + 2;
		path = nb_xmalloc(n);
		snprintf(path, n, "%s/%s", o->stage, rel);
		if (unlink(path) == 0) {
			/* and the folders it leaves empty */
			char *slash;
			size_t root = strlen(o->stage);
			while ((slash = strrchr(path, '/')) != NULL &&
			       (size_t)(slash - path) > root) {
				*slash = '\0';
				if (rmdir(path) != 0)
					break;
			}
		}
		free(path);
	}
	{
		/* sorted, so that the same site gives the same list: what this
		 * build took from the copy's list, in that list's order (it is
		 * sorted: this function wrote it), merged with what is new */
		const char **was = nb_xmalloc((o->previous.len + 1) * sizeof(*was));
		const char **v = nb_xmalloc((o->written.len + o->previous.len + 1) *
					    sizeof(*v));
		size_t k = 0, w = 0, a = 0, b = 0, total = 0;
		int in_order = 1;
		const char *p, *end = o->previous_text ?
			o->previous_text + o->previous_len : NULL;

		for (i = 0; i < o->written.cap; i++)
			if (o->written.keys[i])
				v[k++] = o->written.keys[i];
		v[k++] = FILES;
		qsort(v, k, sizeof(*v), cmp_str);
		for (p = o->previous_text; o->claimed && p && p < end;
		     p += strlen(p) + 1) {
			size_t slot;
			if (!*p || (slot = nb_map_slot(&o->previous, p)) ==
				   (size_t)-1 || o->previous.keys[slot] != p ||
			    !o->claimed[slot])
				continue;
			if (w && strcmp(was[w - 1], p) >= 0)
				in_order = 0;
			was[w++] = p;
		}
		if (!in_order) {
			/* a list not of this function's making */
			memcpy(v + k, was, w * sizeof(*v));
			k += w;
			w = 0;
			qsort(v, k, sizeof(*v), cmp_str);
		}
		for (i = 0; i < k; i++)
			total += strlen(v[i]) + 1;
		for (i = 0; i < w; i++)
			total += strlen(was[i]) + 1;
		nb_buf_grow(&list, total + 1);
		while (a < k || b < w) {
			const char *s = b >= w || (a < k && strcmp(v[a], was[b]) < 0) ?
					v[a++] : was[b++];
			nb_buf_put(&list, s, strlen(s));
			nb_buf_putc(&list, '\n');
		}
		free(was);
		free(v);
	}
	if (nb_out_write(o, FILES, list.ptr, list.len, d) != 0)
		rc = -1;
	nb_buf_free(&list);
	return rc;
}

static int
swap_in(nb_out *o, nb_diags *d)
{
	size_t n = strlen(o->dest) + strlen(LINK_TAG) + 24;
	char *tmp = nb_xmalloc(n);
	int rc = 0;

	if (prune(o, d) != 0) {
		free(tmp);
		return -1;
	}
	snprintf(tmp, n, "%s%s%ld", o->dest, LINK_TAG, (long)getpid());
	unlink(tmp);
	/* the link is replaced in one rename: readers see the old site or
	 * the new one, never a mixture or nothing */
	if (symlink(base_name(o->stage), tmp) != 0 || rename(tmp, o->dest) != 0) {
		rc = nb_error(d, o->dest, 0, 0, NULL,
			      "cannot point the site at its new copy: %s",
			      strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int
nb_out_commit(nb_out *o, nb_diags *d)
{
	struct stat st;
	char *old = NULL;
	size_t n;
	int rc = -1, had_old;

	if (o->swap) {
		rc = swap_in(o, d);
		out_free(o);
		return rc;
	}
	if (prune(o, d) != 0)   /* nothing to remove: writes the list */
		goto fail;
	had_old = lstat(o->dest, &st) == 0;
	if (had_old) {
		if (!S_ISDIR(st.st_mode)) {
			nb_error(d, o->dest, 0, 0, "remove it or choose another --output",
				 "the output path exists and is not a folder");
			goto fail;
		}
		n = strlen(o->dest) + strlen(OLD_TAG) + 24;
		old = nb_xmalloc(n);
		snprintf(old, n, "%s%s%ld", o->dest, OLD_TAG, (long)getpid());
		nb_rmtree(old);
		if (rename(o->dest, old) != 0) {
			nb_error(d, o->dest, 0, 0, NULL,
				 "cannot move the old site aside: %s",
				 strerror(errno));
			goto fail;
		}
	}
	if (rename(o->stage, o->dest) != 0) {
		nb_error(d, o->dest, 0, 0, NULL,
			 "cannot move the new site into place: %s",
			 strerror(errno));
		if (old)
			rename(old, o->dest);   /* put the old one back */
		goto fail;
	}
	if (old)
		nb_rmtree(old);
	rc = 0;
	free(old);
	out_free(o);
	return rc;
fail:
	free(old);
	nb_out_abort(o);
	return rc;
}

void
nb_out_abort(nb_out *o)
{
	if (!o)
		return;
	/* a copy is left as it is: without its manifest, the next build
	 * starts it afresh */
	if (!o->swap)
		nb_rmtree(o->stage);
	out_free(o);
}
