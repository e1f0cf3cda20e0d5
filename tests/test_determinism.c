/*
 * test_determinism.c - two builds of the same records are byte-identical.
 *
 * The records are a synthetic site of 300 consultations made by the
 * benchmark generator (bench/gen.py, deterministic from its seed), large
 * enough that every kind of page, feed and data file is written, and that
 * a parallel build splits the work.  The two builds use different
 * numbers of threads (one, then three): the output must not depend on
 * which thread rendered what.
 */
#include "harness.h"
#include "util.h"

#include "write.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GEN "/usr/bin/python3 bench/gen.py"

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder, sorted; *n gets how many.  NULL when it cannot
 * be read. */
static char **
names_of(const char *dir, size_t *n)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!dp)
		return NULL;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = strdup(de->d_name);
	}
	closedir(dp);
	qsort(v, *n, sizeof(*v), cmp_names);
	return v;
}

static void
free_names(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Compare two trees; the first difference goes in why (and 0 is
 * returned); *files counts the files compared. */
static int
same_tree(const char *a, const char *b, size_t *files, char *why,
	  size_t whylen)
{
	size_t na, nb, i;
	char **va = names_of(a, &na), **vb = names_of(b, &nb);
	int ok = 1;

	if (!va || !vb) {
		snprintf(why, whylen, "cannot read %.2000s or %.2000s", a, b);
		ok = 0;
	}
	for (i = 0; ok && i < na && i < nb; i++) {
		char pa[4096], pb[4096];
		struct stat sa, sb;

		if (strcmp(va[i], vb[i]) != 0) {
			snprintf(why, whylen, "%.2000s/%.1000s is in one build only", a,
				 strcmp(va[i], vb[i]) < 0 ? va[i] : vb[i]);
			ok = 0;
			break;
		}
		snprintf(pa, sizeof(pa), "%s/%s", a, va[i]);
		snprintf(pb, sizeof(pb), "%s/%s", b, vb[i]);
		if (lstat(pa, &sa) != 0 || lstat(pb, &sb) != 0 ||
		    S_ISDIR(sa.st_mode) != S_ISDIR(sb.st_mode)) {
			snprintf(why, whylen, "%.3900s differs in kind", pa);
			ok = 0;
		} else if (S_ISDIR(sa.st_mode)) {
			ok = same_tree(pa, pb, files, why, whylen);
		} else {
			char *ta = tu_read(a, va[i]), *tb = tu_read(b, vb[i]);
			if (!ta || !tb || sa.st_size != sb.st_size ||
			    memcmp(ta, tb, (size_t)sa.st_size) != 0) {
				snprintf(why, whylen, "%.3900s differs between builds", pa);
				ok = 0;
			}
			(*files)++;
			free(ta);
			free(tb);
		}
	}
	if (ok && na != nb) {
		snprintf(why, whylen, "%.3000s has %zu entries in one build, %zu in the other",
			 a, na, nb);
		ok = 0;
	}
	free_names(va, na);
	free_names(vb, nb);
	return ok;
}

static void
determinism__two_builds_are_byte_identical(void)
{
	char *root = tu_tmpdir(), *out = NULL, cmd[4096], src[2048];
	char a[2048], b[2048], why[4096] = "";
	size_t files = 0;
	int rc;

	snprintf(src, sizeof(src), "%s/site", root);
	snprintf(a, sizeof(a), "%s/one", root);
	snprintf(b, sizeof(b), "%s/two", root);
	snprintf(cmd, sizeof(cmd), GEN " 300 %s --seed 3 2>&1", src);
	rc = tu_run(cmd, &out);
	if (rc != 0)
		nb_test_fail(__FILE__, __LINE__, "%s failed: %s", cmd,
			     out ? out : "");
	free(out);
	out = NULL;
	CHECK_INT(tu_build_jobs(src, a, "2026-11-23", 1, &out), 0);
	free(out);
	out = NULL;
	CHECK_INT(tu_build_jobs(src, b, "2026-11-23", 3, &out), 0);
	free(out);
	if (rc == 0 && !same_tree(a, b, &files, why, sizeof(why)))
		nb_test_fail(__FILE__, __LINE__, "%s", why);
	/* every kind of output was there to compare */
	CHECK(files > 1000);
	CHECK(tu_exists(a, "calendar.ics"));
	CHECK(tu_exists(a, "sitemap.xml"));
	CHECK(tu_exists(a, "data/consultations.json"));
	nb_rmtree(root);
	free(root);
}

/* Records read in threads report the same problems as in one thread. */
static void
determinism__errors_whatever_the_threads(void)
{
	char *root = tu_tmpdir(), *out = NULL, *one = NULL, *three = NULL;
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), GEN " 120 %s/site --seed 4 2>&1 && cd %s/site/content/consultations && "
		 "for f in $(ls | sed -n '3p;40p;77p;118p'); do "
		 "sed -i 's/^closes: .*/closes: 2026-02-30/' $f; done", root, root);
	CHECK_INT(tu_run(cmd, &out), 0);
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/site", root);
	{
		char a[2048], b[2048];
		snprintf(a, sizeof(a), "%s/one", root);
		snprintf(b, sizeof(b), "%s/three", root);
		CHECK_INT(tu_build_jobs(cmd, a, "2026-11-23", 1, &one), -1);
		CHECK_INT(tu_build_jobs(cmd, b, "2026-11-23", 3, &three), -1);
	}
	CHECK(one && three && strcmp(one, three) == 0);
	CHECK(one && strstr(one, "there is no 30 February 2026") != NULL);
	free(one);
	free(three);
	nb_rmtree(root);
	free(root);
}

/* The generator is deterministic too: the same seed, the same files. */
static void
determinism__generator_is_seeded(void)
{
	char *root = tu_tmpdir(), *out = NULL, cmd[4096];

	snprintf(cmd, sizeof(cmd), GEN " 40 %s/a --seed 5 2>&1 && " GEN
		 " 40 %s/b --seed 5 2>&1 && " GEN " 40 %s/c --seed 6 2>&1 && "
		 "diff -r %s/a %s/b", root, root, root, root, root);
	CHECK_INT(tu_run(cmd, &out), 0);
	free(out);
	/* and another seed gives other records */
	snprintf(cmd, sizeof(cmd), "diff -rq %s/a %s/c", root, root);
	CHECK(tu_run(cmd, &out) != 0);
	free(out);
	nb_rmtree(root);
	free(root);
}

void
suite_determinism(void)
{
	RUN(determinism__generator_is_seeded);
	RUN(determinism__two_builds_are_byte_identical);
	RUN(determinism__errors_whatever_the_threads);
}
