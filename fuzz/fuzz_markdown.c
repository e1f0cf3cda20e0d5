/*
 * fuzz_markdown.c - Markdown rendering, safe mode.
 *
 * Whatever an officer writes in a body, the HTML must hold no script
 * element, no embedded document, no script link (tests/pagecheck.h) and
 * no tag or attribute that cmark does not write itself (so no raw HTML got
 * through).  Output that fails crashes the target, so libFuzzer keeps the
 * input.
 */
#include "fuzz.h"
#include "../tests/pagecheck.h"

#include "arena.h"
#include "markdown.h"

/* Is every tag one cmark writes, with only the attributes it writes?
 * Text's '<' is always escaped, so a '<' in the output starts a tag. */
static const char *
foreign_tag(const char *html)
{
	static const char *const tags[] = { "p", "h1", "h2", "h3", "h4",
		"h5", "h6", "a", "img", "em", "strong", "code", "pre",
		"blockquote", "ul", "ol", "li", "hr", "br", NULL };
	static const char *const attrs[] = { "href", "title", "src", "alt",
		"class", "start", NULL };
	const char *p = html;

	while ((p = strchr(p, '<')) != NULL) {
		size_t n;
		int i, ok = 0;

		p++;
		if (!strncmp(p, "!-- raw HTML omitted -->", 24)) {
			p += 24;
			continue;
		}
		if (*p == '/')
			p++;
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
		for (i = 0; tags[i]; i++)
			if (strlen(tags[i]) == n && !strncmp(p, tags[i], n))
				ok = 1;
		if (!ok)
			return p;
		p += n;
		while (*p == ' ') {
			p++;
			if (*p == '/')
				break;
			n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
			for (ok = 0, i = 0; attrs[i]; i++)
				if (strlen(attrs[i]) == n &&
				    !strncmp(p, attrs[i], n))
					ok = 1;
			if (!ok || p[n] != '=' || p[n + 1] != '"')
				return p;
			p = strchr(p + n + 2, '"');
			if (!p)
				return "an unclosed attribute";
			p++;
		}
		if (*p == '/')
			p++;
		if (*p != '>')
			return p;
	}
	return NULL;
}

static void
check(const char *html, const char *what)
{
	const char *why = markup_problem(html);

	if (why)
		FUZZ_FAIL("%s has %s:\n%s", what, why, html);
	why = foreign_tag(html);
	if (why)
		FUZZ_FAIL("%s has a tag cmark does not write, at \"%.20s\":\n%s",
			  what, why, html);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nb_arena *a = nb_arena_new();
	int shift = size ? (data[0] % 8) - 1 : 1;

	check(nb_markdown_html(a, (const char *)data, size, shift), "a body");
	check(nb_markdown_inline(a, (const char *)data, size), "a line");
	nb_arena_free(a);
	return 0;
}
