/*
 * util.c - test helpers: temporary trees, builds, running the binary.
 */
#include "util.h"
#include "harness.h"

#include "diag.h"
#include "write.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *
tu_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *p = malloc(4096);

	snprintf(p, 4096, "%s/nb-test-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(p)) {
		perror("mkdtemp");
		abort();
	}
	return p;
}

int
tu_copy_tree(const char *from, const char *to)
{
	DIR *dp = opendir(from);
	struct dirent *de;
	int rc = 0;

	if (!dp)
		return -1;
	mkdir(to, 0755);
	while ((de = readdir(dp)) != NULL) {
		char a[4096], b[4096];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(a, sizeof(a), "%s/%s", from, de->d_name);
		snprintf(b, sizeof(b), "%s/%s", to, de->d_name);
		if (lstat(a, &st) != 0)
			rc = -1;
		else if (S_ISDIR(st.st_mode))
			rc |= tu_copy_tree(a, b);
		else if (S_ISREG(st.st_mode)) {
			char *text = tu_read(from, de->d_name);
			if (!text || tu_write(to, de->d_name, text) != 0)
				rc = -1;
			free(text);
		}
	}
	closedir(dp);
	return rc;
}

int
tu_write(const char *dir, const char *rel, const char *text)
{
	char path[4096], *p;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	fp = fopen(path, "wb");
	if (!fp)
		return -1;
	fwrite(text, 1, strlen(text), fp);
	return fclose(fp) == 0 ? 0 : -1;
}

char *
tu_read(const char *dir, const char *rel)
{
	char path[4096], *buf;
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

int
tu_exists(const char *dir, const char *rel)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return stat(path, &st) == 0;
}

int
tu_build(const char *source, const char *output, const char *today,
	 char **printed)
{
	return tu_build_jobs(source, output, today, 0, printed);
}

int
tu_build_jobs(const char *source, const char *output, const char *today,
	      int jobs, char **printed)
{
	nb_build_opts o;
	nb_build_stats st;
	nb_diags d = NB_DIAGS_INIT;
	char why[128];
	size_t len;
	FILE *mem;
	int rc;

	memset(&o, 0, sizeof(o));
	o.source = source;
	o.output = output;
	o.share = ".";      /* the repository: themes/default */
	o.has_today = 1;
	o.jobs = jobs;
	nb_date_parse(&o.today, today, strlen(today), why, sizeof(why));
	rc = nb_build(&o, &st, &d);
	nb_diags_sort(&d);
	if (printed) {
		mem = open_memstream(printed, &len);
		nb_diags_print(mem, &d);
		fclose(mem);
	}
	nb_diags_free(&d);
	return rc;
}

int
tu_run(const char *cmd, char **out)
{
	char full[8192], buf[4096];
	size_t len = 0, n;
	FILE *p;
	int st;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	if (!p)
		return -1;
	*out = malloc(1);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		*out = realloc(*out, len + n + 1);
		memcpy(*out + len, buf, n);
		len += n;
	}
	(*out)[len] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *
tu_bin(void)
{
	const char *b = getenv("NB_BIN");
	return b && *b ? b : "./noticeboard";
}

int
tu_git(const char *dir, const char *date, const char *cmd, char **out)
{
	size_t n = strlen(dir) + strlen(cmd) + 512;
	char *full = malloc(n), *o = NULL;
	int rc;

	snprintf(full, n,
		 "cd '%s' && GIT_AUTHOR_NAME='Ann Officer' GIT_AUTHOR_EMAIL=ann@test.example "
		 "GIT_COMMITTER_NAME='Ann Officer' GIT_COMMITTER_EMAIL=ann@test.example "
		 "GIT_AUTHOR_DATE='%s' GIT_COMMITTER_DATE='%s' "
		 "GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent sh -c '%s'",
		 dir, date, date, cmd);
	rc = tu_run(full, &o);
	if (out)
		*out = o;
	else
		free(o);
	free(full);
	return rc;
}

static char *example_root, *example_out, *example_printed;
static int example_failed;

static void
example_cleanup(void)
{
	if (example_root)
		nb_rmtree(example_root);
	free(example_root);
	free(example_out);
	free(example_printed);
}

const char *
tu_example(void)
{
	char p[4096];

	if (example_out || example_failed)
		return example_out;
	example_root = tu_tmpdir();
	atexit(example_cleanup);
	snprintf(p, sizeof(p), "%s/public", example_root);
	if (tu_build(".", p, "2026-11-23", &example_printed) != 0) {
		example_failed = 1;
		nb_test_fail(__FILE__, __LINE__,
			     "the example site does not build:\n%s", example_printed);
		return NULL;
	}
	example_out = strdup(p);
	return example_out;
}

const char *
tu_example_printed(void)
{
	tu_example();
	return example_printed ? example_printed : "";
}

const char *
tu_example_scratch(void)
{
	tu_example();
	return example_root;
}

char *
tu_example_file(const char *rel)
{
	const char *out = tu_example();
	char *p = out ? tu_read(out, rel) : NULL;

	if (!p)
		nb_test_fail(__FILE__, __LINE__, "no file %s in the example site", rel);
	return p;
}

void
tu_uncache(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	(void)fsync(fd);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
}

int
tu_in_memory(const char *path, size_t off)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t at = off - off % (size_t)page;
	unsigned char vec[1] = { 0 };
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd < 0)
		return 0;
	p = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd, (off_t)at);
	close(fd);
	if (p == MAP_FAILED)
		return 0;
	if (mincore(p, (size_t)page, vec) != 0)
		vec[0] = 0;
	munmap(p, (size_t)page);
	return vec[0] & 1;
}
