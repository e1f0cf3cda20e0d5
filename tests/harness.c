/*
 * harness.c - counting, reporting and the runner's entry point.
 */
#include "harness.h"

#include <stdarg.h>
#include <stdlib.h>

int nb_test_passed, nb_test_failed, nb_test_skipped;
int nb_test_cur_failed;
const char *nb_test_filter;
static const char *cur_name;

void
nb_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!nb_test_cur_failed)
		fprintf(stderr, "FAIL %s\n", cur_name ? cur_name : "?");
	nb_test_cur_failed = 1;
	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
nb_test_run(const char *name, void (*fn)(void))
{
	if (nb_test_filter && !strstr(name, nb_test_filter))
		return;
	cur_name = name;
	nb_test_cur_failed = 0;
	fn();
	if (nb_test_cur_failed)
		nb_test_failed++;
	else
		nb_test_passed++;
	if (getenv("NB_TEST_VERBOSE"))
		fprintf(stderr, "%s %s\n", nb_test_cur_failed ? "FAIL" : "ok",
			name);
}

const char *
nb_test_shared_dir(void)
{
	const char *s = getenv("NB_SHARED");
	return s && *s ? s : "../shared";
}

const char *
nb_test_root(void)
{
	return ".";
}
