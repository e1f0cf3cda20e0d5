/*
 * harness.h - a small test harness (after cmark's api_test/harness.c).
 *
 * A test is a void function; RUN(fn) runs it and counts it as passed when
 * none of its CHECKs failed.  Every failed check prints file:line and what
 * was expected.  The runner ends with "N passed, N failed".
 *
 * Each tests/test_<module>.c defines `void suite_<module>(void)` that RUNs
 * its tests; tests/main.c calls every suite.
 */
#ifndef NB_HARNESS_H
#define NB_HARNESS_H

#include <stdio.h>
#include <string.h>

extern int nb_test_passed, nb_test_failed, nb_test_skipped;
extern int nb_test_cur_failed;
extern const char *nb_test_filter;

void nb_test_run(const char *name, void (*fn)(void));
void nb_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Directory holding shared/ (the conformance suites): "../shared" seen
 * from the repository root, or $NB_SHARED. */
const char *nb_test_shared_dir(void);
/* Repository root (where the Makefile is); tests run from there. */
const char *nb_test_root(void);

#define RUN(fn) nb_test_run(#fn, fn)

#define CHECK(cond) do { \
	if (!(cond)) nb_test_fail(__FILE__, __LINE__, "%s", #cond); \
} while (0)

#define CHECK_INT(got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ != w_) nb_test_fail(__FILE__, __LINE__, \
		"%s: got %lld, want %lld", #got, g_, w_); \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!g_ || !w_ || strcmp(g_, w_) != 0) \
		nb_test_fail(__FILE__, __LINE__, \
			"%s:\n  got:  \"%s\"\n  want: \"%s\"", #got, \
			g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

/* haystack contains needle */
#define CHECK_HAS(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) \
		nb_test_fail(__FILE__, __LINE__, \
			"%s does not contain \"%s\"", #hay, n_); \
} while (0)

#define CHECK_LACKS(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	if (h_ && strstr(h_, n_)) \
		nb_test_fail(__FILE__, __LINE__, \
			"%s unexpectedly contains \"%s\"", #hay, n_); \
} while (0)

#endif
