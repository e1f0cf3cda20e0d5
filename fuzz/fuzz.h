/*
 * fuzz.h - what the libFuzzer targets in fuzz/ share.
 *
 * Each target is one fuzz_NAME.c defining LLVMFuzzerTestOneInput; `make
 * fuzz` builds them with clang (-fsanitize=fuzzer,address,undefined) and
 * runs each for FUZZ_SECONDS from a seed corpus that fuzz/seeds.sh makes
 * from the example content and the default theme.  Inputs that hold
 * several files separate them with NUL bytes (text files cannot hold a
 * NUL: the readers refuse it), so seeds stay readable and any mutation
 * still splits into files.  Header-only: static functions.
 */
#ifndef NB_FUZZ_H
#define NB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_PARTS 8

typedef struct fuzz_part {
	const char *s;
	size_t len;
} fuzz_part;

/* Split data at NUL bytes into at most max parts (the last takes the
 * rest, NULs and all).  Returns the number of parts (at least 1). */
static inline size_t
fuzz_split(const uint8_t *data, size_t size, fuzz_part *parts, size_t max)
{
	const char *p = (const char *)data, *end = p + size;
	size_t n = 0;

	while (n + 1 < max) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		if (!z)
			break;
		parts[n].s = p;
		parts[n].len = (size_t)(z - p);
		n++;
		p = z + 1;
	}
	parts[n].s = p;
	parts[n].len = (size_t)(end - p);
	return n + 1;
}

/* A NUL-terminated malloc'd copy (the libraries read C strings). */
static inline char *
fuzz_strndup(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		abort();
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Report a broken promise and crash, so libFuzzer keeps the input. */
#define FUZZ_FAIL(...) do { \
	fprintf(stderr, "fuzz: " __VA_ARGS__); \
	fputc('\n', stderr); \
	abort(); \
} while (0)

#endif
