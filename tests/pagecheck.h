/*
 * pagecheck.h - could anything in a built page run a script?
 *
 * Shared by the hostile-input tests (tests/test_hostile.c) and the
 * whole-build fuzzer (fuzz/fuzz_build.c), which aborts when a page built
 * from fuzzed content fails the check.  Header-only: static functions.
 */
#ifndef NB_PAGECHECK_H
#define NB_PAGECHECK_H

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* strcasestr, which is not in POSIX.  Byte by byte, without a call per
 * position: the fuzzer checks every page of every build with it. */
static inline const char *
ci_find(const char *hay, const char *needle)
{
	int lo = tolower((unsigned char)needle[0]);
	int up = toupper((unsigned char)needle[0]);

	for (; *hay; hay++) {
		size_t i;

		if (*hay != lo && *hay != up)
			continue;
		for (i = 1; needle[i] &&
		     tolower((unsigned char)hay[i]) ==
		     tolower((unsigned char)needle[i]); i++)
			;
		if (!needle[i])
			return hay;
	}
	return NULL;
}

/* Could this link run a script?  The value is an attribute's, as the
 * browser reads it: entities decoded, tabs and newlines dropped, leading
 * spaces and control characters skipped (the WHATWG URL parser). */
static inline int
dangerous_url(const char *v, size_t len)
{
	static const char *const bad[] = { "javascript:", "vbscript:",
					   "data:", "file:", NULL };
	static const char *const images[] = { "data:image/png",
		"data:image/gif", "data:image/jpeg", "data:image/webp", NULL };
	char u[64];
	size_t i = 0, k = 0;
	int j;

	while (i < len && k + 1 < sizeof(u)) {
		unsigned c = (unsigned char)v[i];
		if (c == '&') {
			const char *semi = memchr(v + i, ';', len - i);
			if (semi && v[i + 1] == '#') {
				c = (unsigned)strtoul(v + i + 2 +
					(v[i + 2] == 'x' || v[i + 2] == 'X'),
					NULL, v[i + 2] == 'x' ||
					v[i + 2] == 'X' ? 16 : 10);
				i = (size_t)(semi - v) + 1;
			} else if (semi && !strncmp(v + i, "&amp;", 5)) {
				i += 5;
			} else if (semi && !strncmp(v + i, "&colon;", 7)) {
				c = ':';
				i += 7;
			} else {
				i++;
			}
		} else {
			i++;
		}
		if (c == '\t' || c == '\n' || c == '\r' || (k == 0 && c <= ' '))
			continue;
		u[k++] = (char)tolower((int)c);
	}
	u[k] = '\0';
	for (j = 0; images[j]; j++)
		if (!strncmp(u, images[j], strlen(images[j])))
			return 0;
	for (j = 0; bad[j]; j++)
		if (!strncmp(u, bad[j], strlen(bad[j])))
			return 1;
	return 0;
}

/*
 * What in a page could run a script, or NULL.  The only script elements
 * allowed are the theme's JSON-LD blocks, and no '<' may appear in them:
 * "</script" would end the element early and "<!--<script" would make it
 * swallow the rest of the page.  No href, src or action may hold a script
 * link.
 */
static inline const char *
markup_problem(const char *text)
{
	static const char ld[] = "<script type=\"application/ld+json\">";
	static const char *const attrs[] = { "href", "src", "action",
					     "formaction", NULL };
	const char *p;
	int i;

	for (p = text; (p = ci_find(p, "<script")) != NULL; p++) {
		const char *end;

		if (strncmp(p, ld, sizeof(ld) - 1) != 0)
			return "a script element";
		end = ci_find(p + sizeof(ld) - 1, "</script");
		if (!end)
			return "a script element that is never closed";
		if (memchr(p + sizeof(ld) - 1, '<',
			   (size_t)(end - p) - (sizeof(ld) - 1)))
			return "a '<' in JSON-LD (write it \\u003c)";
		p = end;
	}
	/* every attribute written name="value": is it a link? */
	for (p = text; (p = strchr(p, '=')) != NULL; p++) {
		const char *name = p, *q;
		size_t nl;

		if (p[1] != '"')
			continue;
		while (name > text && (isalnum((unsigned char)name[-1]) ||
				       name[-1] == '-'))
			name--;
		nl = (size_t)(p - name);
		if (name == text || !isspace((unsigned char)name[-1]) ||
		    !(q = strchr(p + 2, '"')))
			continue;
		for (i = 0; attrs[i]; i++)
			if (strlen(attrs[i]) == nl &&
			    !strncasecmp(name, attrs[i], nl) &&
			    dangerous_url(p + 2, (size_t)(q - p - 2)))
				return "a script link";
	}
	if (ci_find(text, "<iframe") || ci_find(text, "<object") ||
	    ci_find(text, "<embed"))
		return "an embedded document";
	return NULL;
}

#endif
