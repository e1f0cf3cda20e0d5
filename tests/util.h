/*
 * util.h - helpers shared by the tests: temporary folders, files, builds.
 */
#ifndef NB_TEST_UTIL_H
#define NB_TEST_UTIL_H

#include <stddef.h>

#include "build.h"

/* A new empty folder under $TMPDIR; free() the result after rm. */
char *tu_tmpdir(void);
/* Copy a folder tree (regular files and folders only). 0 or -1. */
int tu_copy_tree(const char *from, const char *to);
/* Write a file, creating folders.  0 or -1. */
int tu_write(const char *dir, const char *rel, const char *text);
/* Read a whole file (malloc'd, NUL-terminated), or NULL. */
char *tu_read(const char *dir, const char *rel);
int tu_exists(const char *dir, const char *rel);
/* Build `source` into `output` as on `today` ("2026-11-23").  Returns
 * nb_build's result; *printed (malloc'd) gets the diagnostics as main
 * prints them. */
int tu_build(const char *source, const char *output, const char *today,
	     char **printed);
/* The same in `jobs` render threads (0: one for each core). */
int tu_build_jobs(const char *source, const char *output, const char *today,
		  int jobs, char **printed);
/* Run a shell command; returns its exit status, *out (malloc'd) gets its
 * standard output and error. */
int tu_run(const char *cmd, char **out);
/* Run a shell command in dir with a fixed git identity and author and
 * committer date; returns its exit status, and puts what it printed in
 * *out when out is not NULL (malloc'd). */
int tu_git(const char *dir, const char *date, const char *cmd, char **out);

/* The example site (the repository's site.yaml and content/) built once
 * as on 2026-11-23, shared by the suites that read it and removed when
 * the runner exits; NULL after a failed build (the failure is reported).
 * tu_example_printed() gives what the build printed; tu_example_scratch()
 * a folder for the suites' own files; tu_example_file() reads a file of
 * the built site (malloc'd), failing the test when it is missing. */
const char *tu_example(void);
const char *tu_example_printed(void);
const char *tu_example_scratch(void);
char *tu_example_file(const char *rel);

/* Drop a file's bytes from the page cache (written out first: the kernel
 * keeps pages it has not written); tu_in_memory says whether the page at
 * off is in it, looked at without reading it. */
void tu_uncache(const char *path);
int tu_in_memory(const char *path, size_t off);

/* The noticeboard binary under test ($NB_BIN or ./noticeboard). */
const char *tu_bin(void);

#endif
