/*
 * fuzz_build.c - a whole build over a small generated site.
 *
 * At start-up the example site's lookup records (site.yaml, areas,
 * partners, topics, audiences) are copied into a temporary folder.  Each
 * input is split at NUL bytes into up to eight files, written into fixed
 * places in that site (an empty part writes nothing):
 *
 *   0 content/consultations/fuzz.md    4 content/areas/fuzz.yaml
 *   1 content/events/fuzz.md           5 content/partners/fuzz.yaml
 *   2 content/outcomes/fuzz.md         6 content/consultations/fuzz-2.md
 *   3 content/pages/fuzz.md            7 site.yaml (replaces it)
 *
 * then the site is built into a temporary output folder and the files are
 * removed again.  A build that succeeds must have written no page that
 * could run a script (tests/pagecheck.h): records are the attacker's,
 * templates are not, so nothing in a page may come from a record
 * unescaped.  A build that fails must report an error and publish
 * nothing, and no build may leave a staging folder behind.
 *
 * NB_FUZZ_SITE (default ".") is where the example site is; NB_FUZZ_SHARE
 * (default ".") holds themes/.
 */
#include "fuzz.h"
#include "../tests/pagecheck.h"

#include "build.h"
#include "date.h"
#include "diag.h"
#include "write.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const slots[FUZZ_MAX_PARTS] = {
	"content/consultations/fuzz.md", "content/events/fuzz.md",
	"content/outcomes/fuzz.md", "content/pages/fuzz.md",
	"content/areas/fuzz.yaml", "content/partners/fuzz.yaml",
	"content/consultations/fuzz-2.md", "site.yaml",
};

static char tmp[PATH_MAX], site[PATH_MAX], out[PATH_MAX], share[PATH_MAX];
static char *site_yaml;
static size_t site_yaml_len;

static char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n)
		abort();
	buf[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		FUZZ_FAIL("cannot write %s: %s", path, strerror(errno));
}

/* Copy the regular files of from/dir into to/dir. */
static void
copy_dir(const char *from, const char *to, const char *dir)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct dirent *de;
	DIR *dp;

	snprintf(a, sizeof(a), "%s/%s", from, dir);
	snprintf(b, sizeof(b), "%s/%s", to, dir);
	mkdir(b, 0755);
	if (!(dp = opendir(a)))
		return;
	while ((de = readdir(dp)) != NULL) {
		char fa[PATH_MAX * 2], fb[PATH_MAX * 2];
		struct stat st;
		size_t len;
		char *text;

		snprintf(fa, sizeof(fa), "%s/%s", a, de->d_name);
		snprintf(fb, sizeof(fb), "%s/%s", b, de->d_name);
		if (de->d_name[0] == '.' || lstat(fa, &st) != 0 ||
		    !S_ISREG(st.st_mode) || !(text = read_file(fa, &len)))
			continue;
		write_file(fb, text, len);
		free(text);
	}
	closedir(dp);
}

static void
cleanup(void)
{
	if (tmp[0])
		nb_rmtree(tmp);
}

/* Remove the folders of earlier runs that are no longer running
 * (libFuzzer does not always run atexit handlers). */
static void
remove_stale(const char *dir)
{
	struct dirent *de;
	DIR *dp = opendir(dir);

	while (dp && (de = readdir(dp)) != NULL) {
		char path[PATH_MAX * 2], *end;
		long pid;

		if (strncmp(de->d_name, "nb-fuzz-build-", 14) != 0)
			continue;
		pid = strtol(de->d_name + 14, &end, 10);
		if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		nb_rmtree(path);
	}
	if (dp)
		closedir(dp);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *from = getenv("NB_FUZZ_SITE"), *sh = getenv("NB_FUZZ_SHARE");
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char path[PATH_MAX * 2];
	static const char *const dirs[] = { "content/consultations",
		"content/events", "content/outcomes", "content/pages", NULL };
	int i;

	(void)argc;
	(void)argv;
	if (!from || !*from)
		from = ".";
	if (!realpath(sh && *sh ? sh : ".", share))
		FUZZ_FAIL("no share folder");
	remove_stale(dir);
	snprintf(tmp, sizeof(tmp), "%s/nb-fuzz-build-%ld", dir, (long)getpid());
	nb_rmtree(tmp);
	if (mkdir(tmp, 0700) != 0)
		FUZZ_FAIL("mkdir %s: %s", tmp, strerror(errno));
	atexit(cleanup);
	snprintf(site, sizeof(site), "%s/site", tmp);
	snprintf(out, sizeof(out), "%s/public", tmp);
	mkdir(site, 0755);
	snprintf(path, sizeof(path), "%s/content", site);
	mkdir(path, 0755);
	copy_dir(from, site, "content/areas");
	copy_dir(from, site, "content/partners");
	for (i = 0; dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", site, dirs[i]);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path), "%s/site.yaml", from);
	site_yaml = read_file(path, &site_yaml_len);
	if (!site_yaml)
		FUZZ_FAIL("no %s (set NB_FUZZ_SITE)", path);
	snprintf(path, sizeof(path), "%s/site.yaml", site);
	write_file(path, site_yaml, site_yaml_len);
	for (i = 0; i < 2; i++) {
		const char *f = i ? "content/audiences.yaml" : "content/topics.yaml";
		char p2[PATH_MAX * 2];
		size_t len;
		char *text;

		snprintf(p2, sizeof(p2), "%s/%s", from, f);
		if ((text = read_file(p2, &len)) != NULL) {
			snprintf(path, sizeof(path), "%s/%s", site, f);
			write_file(path, text, len);
			free(text);
		}
	}
	return 0;
}

static void
check_page(const char *root, const char *rel)
{
	char path[PATH_MAX * 2];
	const char *why;
	char *text;
	size_t n = strlen(rel);

	if ((n > 5 && !strcmp(rel + n - 5, ".json")) ||
	    (n > 4 && (!strcmp(rel + n - 4, ".csv") ||
		       !strcmp(rel + n - 4, ".ics") ||
		       !strcmp(rel + n - 4, ".txt") ||
		       !strcmp(rel + n - 4, ".css"))))
		return;   /* data, not markup */
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (!(text = read_file(path, NULL)))
		FUZZ_FAIL("cannot read %s", path);
	if ((why = markup_problem(text)) != NULL)
		FUZZ_FAIL("%s has %s", rel, why);
	free(text);
}

static void
check_tree(const char *root, const char *rel)
{
	char path[PATH_MAX * 2];
	struct dirent *de;
	DIR *dp;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if (!(dp = opendir(path)))
		return;
	while ((de = readdir(dp)) != NULL) {
		char sub[PATH_MAX], full[PATH_MAX * 3];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
			 de->d_name);
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		if (lstat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			check_tree(root, sub);
		else
			check_page(root, sub);
	}
	closedir(dp);
}

/* After a build: the output link exists only if the build succeeded, and
 * no staging or old folder is left (the copies the output link points to,
 * public.nb-a and public.nb-b, and the lock file public.nb-lock are the
 * writer's own).  Then everything but the site is removed, so each input
 * builds from nothing. */
static void
check_and_clear_output(int built)
{
	struct dirent *de;
	DIR *dp = opendir(tmp);
	int has_public = 0;

	while (dp && (de = readdir(dp)) != NULL) {
		char path[PATH_MAX * 2];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, "site"))
			continue;
		if (!strcmp(de->d_name, "public"))
			has_public = 1;
		else if (strcmp(de->d_name, "public.nb-a") != 0 &&
			 strcmp(de->d_name, "public.nb-b") != 0 &&
			 strcmp(de->d_name, "public.nb-lock") != 0)
			FUZZ_FAIL("left behind: %s", de->d_name);
		snprintf(path, sizeof(path), "%s/%s", tmp, de->d_name);
		nb_rmtree(path);
	}
	if (dp)
		closedir(dp);
	if (built && !has_public)
		FUZZ_FAIL("a good build published nothing");
	if (!built && has_public)
		FUZZ_FAIL("a failed build published %s", out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_part parts[FUZZ_MAX_PARTS];
	nb_diags d = NB_DIAGS_INIT;
	nb_build_opts o;
	nb_build_stats st;
	char path[PATH_MAX * 2], why[64];
	size_t n, i;
	int rc;

	n = fuzz_split(data, size, parts, FUZZ_MAX_PARTS);
	for (i = 0; i < n; i++) {
		if (!parts[i].len)
			continue;
		snprintf(path, sizeof(path), "%s/%s", site, slots[i]);
		write_file(path, parts[i].s, parts[i].len);
	}
	memset(&o, 0, sizeof(o));
	o.source = site;
	o.output = out;
	o.share = share;
	o.has_today = 1;
	nb_date_parse(&o.today, "2026-11-23", 10, why, sizeof(why));
	rc = nb_build(&o, &st, &d);
	if (rc != 0 && d.errors == 0)
		FUZZ_FAIL("the build failed without an error");
	if (rc == 0 && d.errors != 0)
		FUZZ_FAIL("the build succeeded with errors");
	if (rc == 0)
		check_tree(out, "");
	check_and_clear_output(rc == 0);
	nb_diags_free(&d);
	for (i = 0; i < n; i++) {
		if (!parts[i].len)
			continue;
		snprintf(path, sizeof(path), "%s/%s", site, slots[i]);
		if (i == 7)
			write_file(path, site_yaml, site_yaml_len);
		else
			unlink(path);
	}
	return 0;
}
