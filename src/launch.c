/*
 * launch.c - the noticeboard command: starts the engine, with malloc's
 * huge pages turned on.
 *
 * glibc's malloc asks the kernel for huge pages only when the tunable
 * glibc.malloc.hugetlb is in the environment the process starts with
 * (GLIBC_TUNABLES, which the loader reads before main).  Where a page
 * fault is dear (about 20 microseconds on the virtual machine of
 * docs/performance.md) that takes a tenth off a rebuild.  The engine
 * links libgit2, libical (with ICU) and libmicrohttpd (with GnuTLS):
 * starting it costs about 25 ms there, so it is not started twice to set
 * the tunable.  This program needs only libc: it sets the tunable and
 * becomes the engine (execv: the same process, no child to wait for).
 *
 * The engine is noticeboard-engine beside this program (a build tree, or
 * a copy of both), or else in NB_LIBEXECDIR (installed).  A GLIBC_TUNABLES
 * that names the tunable already (glibc.malloc.hugetlb=0 turns it off)
 * is left as it is; so is one that cannot be added to.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NB_LIBEXECDIR
#define NB_LIBEXECDIR "/usr/local/libexec/noticeboard"
#endif

#define ENGINE "noticeboard-engine"
#define TUNABLE "glibc.malloc.hugetlb=1"

/* The engine beside `self` (a path to this program) into buf: 0, or -1
 * when there is none there. */
static int
beside(const char *self, char *buf, size_t size)
{
	const char *slash = strrchr(self, '/');
	int n;

	if (!slash)
		return -1;
	n = snprintf(buf, size, "%.*s/" ENGINE, (int)(slash - self), self);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return access(buf, X_OK) == 0 ? 0 : -1;
}

/* Where the engine is: beside this program (as /proc says it is, or as it
 * was called), else installed.  NULL when it is nowhere. */
static const char *
find_engine(const char *argv0, char *buf, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		if (beside(self, buf, size) == 0)
			return buf;
	}
	if (argv0 && beside(argv0, buf, size) == 0)
		return buf;
	if (access(NB_LIBEXECDIR "/" ENGINE, X_OK) == 0)
		return NB_LIBEXECDIR "/" ENGINE;
	return NULL;
}

static void
huge_pages(void)
{
#ifdef __GLIBC__
	const char *was = getenv("GLIBC_TUNABLES");
	char *now;
	size_t n;

	if (was && strstr(was, "glibc.malloc.hugetlb"))
		return;   /* said already, either way */
	n = (was ? strlen(was) + 1 : 0) + sizeof(TUNABLE);
	now = malloc(n);
	if (!now)
		return;
	snprintf(now, n, "%s%s%s", was ? was : "", was && *was ? ":" : "",
		 TUNABLE);
	(void)setenv("GLIBC_TUNABLES", now, 1);   /* as it was, if not */
	free(now);
#endif
}

int
main(int argc, char **argv)
{
	char buf[PATH_MAX + sizeof(ENGINE) + 1];
	const char *engine = find_engine(argc > 0 ? argv[0] : NULL, buf,
					 sizeof(buf));

	if (!engine) {
		fprintf(stderr, "noticeboard: cannot find " ENGINE " beside this "
			"program or in " NB_LIBEXECDIR "\n"
			"  hint: build it with make, or install it with make install\n");
		return 1;
	}
	huge_pages();
	execv(engine, argv);
	fprintf(stderr, "noticeboard: cannot start %s: %s\n"
		"  hint: build it again with make, or install it again with make install\n",
		engine, strerror(errno));
	return 1;
}
