/*
 * source.c - reading a site from a directory on disk.
 */
#include "source.h"
#include "arena.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct nb_source {
	char *root;
};

int
nb_source_open_dir(nb_source **out, const char *root, nb_diags *d)
{
	struct stat st;
	nb_source *s;

	*out = NULL;
	if (stat(root, &st) != 0)
		return nb_error(d, root, 0, 0,
			"give the folder that holds site.yaml and content/",
			"cannot open the site folder: %s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return nb_error(d, root, 0, 0,
			"give the folder that holds site.yaml and content/",
			"the site source is not a folder");
	s = nb_xcalloc(1, sizeof(*s));
	s->root = nb_xstrdup(root);
	*out = s;
	return 0;
}

void
nb_source_free(nb_source *s)
{
	if (!s)
		return;
	free(s->root);
	free(s);
}

const char *
nb_source_root(const nb_source *s)
{
	return s->root;
}

static char *
full_path(const nb_source *s, const char *path)
{
	size_t n = strlen(s->root) + strlen(path) + 2;
	char *p = nb_xmalloc(n);

	snprintf(p, n, "%s/%s", s->root, path);
	return p;
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

int
nb_source_list(const nb_source *s, const char *dir, const char *suffix,
	       char ***names, size_t *n, nb_diags *d)
{
	char *full = full_path(s, dir);
	size_t sl = strlen(suffix), cap = 0, len = 0;
	char **v = NULL;
	struct dirent *de;
	DIR *dp;
	int rc = 0;

	*names = NULL;
	*n = 0;
	dp = opendir(full);
	if (!dp) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = nb_error(d, dir, 0, 0, NULL,
				"cannot read this folder: %s", strerror(errno));
		free(full);
		return rc;
	}
	while ((de = readdir(dp)) != NULL) {
		size_t nl = strlen(de->d_name);
		struct stat st;
		char *fp, *rel;

		if (de->d_name[0] == '.' || nl <= sl ||
		    strcmp(de->d_name + nl - sl, suffix) != 0)
			continue;
		fp = nb_xmalloc(strlen(full) + nl + 2);
		sprintf(fp, "%s/%s", full, de->d_name);
		rel = nb_xmalloc(strlen(dir) + nl + 2);
		sprintf(rel, "%s/%s", dir, de->d_name);
		if (lstat(fp, &st) != 0) {
			rc = nb_error(d, rel, 0, 0, NULL, "cannot read: %s",
				      strerror(errno));
		} else if (S_ISLNK(st.st_mode)) {
			rc = nb_error(d, rel, 0, 0,
				"replace the link with the file itself",
				"symbolic links are not allowed in content/");
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
		free(fp);
		free(rel);
	}
	closedir(dp);
	free(full);
	if (len)
		qsort(v, len, sizeof(*v), cmp_names);
	*names = v;
	*n = len;
	return rc;
}

int
nb_source_read(const nb_source *s, const char *path, char **data,
	       size_t *len, nb_diags *d)
{
	char *full = full_path(s, path), *buf = NULL;
	struct stat st;
	size_t got = 0;
	FILE *fp = NULL;
	int rc = -1;

	*data = NULL;
	*len = 0;
	if (lstat(full, &st) != 0) {
		if (errno == ENOENT) {
			rc = 1;
			goto done;
		}
		nb_error(d, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
		goto done;
	}
	if (S_ISLNK(st.st_mode)) {
		nb_error(d, path, 0, 0, "replace the link with the file itself",
			 "symbolic links are not allowed in a site");
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		nb_error(d, path, 0, 0, NULL, "not a regular file");
		goto done;
	}
	if (st.st_size > NB_SOURCE_MAX_FILE) {
		nb_error(d, path, 0, 0,
			 "split the record or move large documents out of content/",
			 "the file is larger than %d MiB",
			 NB_SOURCE_MAX_FILE / (1024 * 1024));
		goto done;
	}
	fp = fopen(full, "rb");
	if (!fp) {
		nb_error(d, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
		goto done;
	}
	buf = nb_xmalloc((size_t)st.st_size + 1);
	got = fread(buf, 1, (size_t)st.st_size, fp);
	if (ferror(fp)) {
		nb_error(d, path, 0, 0, NULL, "read error");
		goto done;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	buf = NULL;
	rc = 0;
done:
	if (fp)
		fclose(fp);
	free(buf);
	free(full);
	return rc;
}

int
nb_source_exists(const nb_source *s, const char *path)
{
	char *full = full_path(s, path);
	struct stat st;
	int ok = lstat(full, &st) == 0 && S_ISREG(st.st_mode);

	free(full);
	return ok;
}
