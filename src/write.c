/*
 * write.c - staging, writing and swapping in the output folder.
 */
#include "write.h"
#include "arena.h"
#include "map.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STAGE_TAG ".nb-tmp-"
#define OLD_TAG ".nb-old-"

struct nb_out {
	char *dest;
	char *stage;
	size_t files, bytes, reused;
	nb_map dirs;              /* folders made in the staging folder */
};

int
nb_rmtree(const char *path)
{
	struct stat st;
	DIR *dp;
	struct dirent *de;
	int rc = 0;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	dp = opendir(path);
	if (!dp)
		return -1;
	while ((de = readdir(dp)) != NULL) {
		char *child;
		size_t n;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n = strlen(path) + strlen(de->d_name) + 2;
		child = nb_xmalloc(n);
		snprintf(child, n, "%s/%s", path, de->d_name);
		if (nb_rmtree(child) != 0)
			rc = -1;
		free(child);
	}
	closedir(dp);
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

		if (strncmp(de->d_name, base, bl) != 0)
			continue;
		rest = de->d_name + bl;
		if (strncmp(rest, STAGE_TAG, strlen(STAGE_TAG)) == 0)
			rest += strlen(STAGE_TAG);
		else if (strncmp(rest, OLD_TAG, strlen(OLD_TAG)) == 0)
			rest += strlen(OLD_TAG);
		else
			continue;
		pid = strtol(rest, &end, 10);
		if (end == rest || *end || pid <= 0)
			continue;
		if (pid != (long)getpid() && kill((pid_t)pid, 0) == 0)
			continue;   /* that build is still running */
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

int
nb_out_begin(nb_out **out, const char *dest, nb_diags *d)
{
	nb_out *o;
	size_t n;

	*out = NULL;
	if (!*dest || strcmp(dest, "/") == 0 || strcmp(dest, ".") == 0 ||
	    strcmp(dest, "..") == 0)
		return nb_error(d, dest, 0, 0,
			"give a folder of its own for the site, like public",
			"refusing to use this output folder");
	clean_leftovers(dest);
	o = nb_xcalloc(1, sizeof(*o));
	o->dest = nb_xstrdup(dest);
	n = strlen(dest) + strlen(STAGE_TAG) + 24;
	o->stage = nb_xmalloc(n);
	snprintf(o->stage, n, "%s%s%ld", dest, STAGE_TAG, (long)getpid());
	nb_rmtree(o->stage);
	if (mkdir(o->stage, 0755) != 0) {
		nb_error(d, o->stage, 0, 0,
			 "check that the folder above the output exists and can be written",
			 "cannot create the staging folder: %s", strerror(errno));
		free(o->stage);
		free(o->dest);
		free(o);
		return -1;
	}
	*out = o;
	return 0;
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
mkdirs(nb_out *o, char *path)
{
	char *p, *slash = strrchr(path, '/');

	if (!slash)
		return 0;
	/* most files go in a folder made a moment ago: skip the syscalls */
	*slash = '\0';
	if (nb_map_get(&o->dirs, path)) {
		*slash = '/';
		return 0;
	}
	for (p = path + strlen(o->stage) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (!nb_map_get(&o->dirs, path) && mkdir(path, 0755) != 0 &&
		    errno != EEXIST) {
			*p = '/';
			*slash = '/';
			return -1;
		}
		*p = '/';
	}
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		*slash = '/';
		return -1;
	}
	nb_map_put(&o->dirs, nb_xstrdup(path), (void *)1, NULL);
	*slash = '/';
	return 0;
}

int
nb_out_write(nb_out *o, const char *rel, const char *data, size_t len,
	     nb_diags *d)
{
	size_t n = strlen(o->stage) + strlen(rel) + 2;
	char *path = nb_xmalloc(n);
	FILE *fp = NULL;
	int rc = -1;

	if (!rel_ok(rel)) {
		nb_error(d, rel, 0, 0, NULL, "refusing to write outside the site");
		goto done;
	}
	snprintf(path, n, "%s/%s", o->stage, rel);
	if (mkdirs(o, path) != 0) {
		nb_error(d, rel, 0, 0, "check the disk has space and the output folder can be written",
			 "cannot create folder: %s", strerror(errno));
		goto done;
	}
	fp = fopen(path, "wbx");
	if (!fp) {
		nb_error(d, rel, 0, 0,
			 errno == EEXIST ? "two records want the same address: rename one" :
			 "check the disk has space and the output folder can be written",
			 "cannot write: %s", strerror(errno));
		goto done;
	}
	if ((len && fwrite(data, 1, len, fp) != len) || fflush(fp) != 0 ||
	    ferror(fp)) {
		nb_error(d, rel, 0, 0, "check the disk has space",
			 "cannot write: %s", strerror(errno));
		goto done;
	}
	o->files++;
	o->bytes += len;
	rc = 0;
done:
	if (fp && fclose(fp) != 0 && rc == 0)
		rc = nb_error(d, rel, 0, 0, "check the disk has space",
			      "cannot write: %s", strerror(errno));
	free(path);
	return rc;
}

const char *
nb_out_dest(const nb_out *o)
{
	return o->dest;
}

int
nb_out_reuse(nb_out *o, const char *rel)
{
	size_t n = strlen(o->stage) + strlen(o->dest) + 2 * strlen(rel) + 4;
	char *to = nb_xmalloc(n), *from = nb_xmalloc(n);
	struct stat st;
	int rc = -1;

	if (!rel_ok(rel))
		goto done;
	snprintf(from, n, "%s/%s", o->dest, rel);
	snprintf(to, n, "%s/%s", o->stage, rel);
	/* only a regular file of the published site, never a link */
	if (lstat(from, &st) != 0 || !S_ISREG(st.st_mode))
		goto done;
	if (mkdirs(o, to) != 0 || link(from, to) != 0)
		goto done;
	o->files++;
	o->reused++;
	o->bytes += (size_t)st.st_size;
	rc = 0;
done:
	free(to);
	free(from);
	return rc;
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
	size_t i;

	for (i = 0; i < o->dirs.cap; i++)
		free((char *)o->dirs.keys[i]);
	nb_map_free(&o->dirs);
	free(o->stage);
	free(o->dest);
	free(o);
}

int
nb_out_commit(nb_out *o, nb_diags *d)
{
	struct stat st;
	char *old = NULL;
	size_t n;
	int rc = -1, had_old;

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
	nb_rmtree(o->stage);
	out_free(o);
}
