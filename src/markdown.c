/*
 * markdown.c - Markdown to HTML with cmark; the only user of cmark.
 *
 * cmark parses with our own allocator (which aborts on out-of-memory, like
 * the rest of Noticeboard), so its results are freed with exactly the
 * allocator that made them.  The HTML is copied into the caller's arena
 * and every cmark object is freed before returning.
 *
 * Safe mode stays on: CMARK_OPT_UNSAFE is never passed, so cmark 0.30
 * replaces raw HTML with "<!-- raw HTML omitted -->" and empties the URLs
 * of javascript:, vbscript:, file: and data: links (other than
 * data:image/png|gif|jpeg|webp).  CMARK_OPT_SAFE is passed as well, for
 * older cmark versions in which safe mode was opt-in.
 */
#include "markdown.h"

#include <cmark.h>

#include <stdlib.h>
#include <string.h>

#define OPTIONS (CMARK_OPT_SAFE | CMARK_OPT_SMART | CMARK_OPT_VALIDATE_UTF8)

static void *
mem_calloc(size_t n, size_t size)
{
	return nb_xcalloc(n, size);
}

static void *
mem_realloc(void *p, size_t size)
{
	return nb_xrealloc(p, size);
}

static void
mem_free(void *p)
{
	free(p);
}

static cmark_mem nb_cmark_mem = { mem_calloc, mem_realloc, mem_free };

static cmark_node *
parse(const char *text, size_t len)
{
	cmark_parser *p = cmark_parser_new_with_mem(OPTIONS, &nb_cmark_mem);
	cmark_node *doc;

	if (!p)
		nb_oom();
	cmark_parser_feed(p, text, len);
	doc = cmark_parser_finish(p);
	cmark_parser_free(p);
	if (!doc)
		nb_oom();
	return doc;
}

/* Add `shift` to every heading's level, keeping it within 1..6.  cmark's
 * iterator walks the tree without recursion. */
static void
shift_headings(cmark_node *doc, int shift)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	cmark_node *n;
	int level;

	if (!it)
		nb_oom();
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER ||
		    cmark_node_get_type(n) != CMARK_NODE_HEADING)
			continue;
		level = cmark_node_get_heading_level(n);
		level = shift > 5 ? 6 : shift < -5 ? 1 : level + shift;
		if (level > 6)
			level = 6;
		if (level < 1)
			level = 1;
		cmark_node_set_heading_level(n, level);
	}
	cmark_iter_free(it);
}

/* Render doc into the arena; `strip_p` removes the <p>...</p>\n around a
 * document that is a single paragraph. */
static char *
render(nb_arena *a, cmark_node *doc, int strip_p)
{
	char *html = cmark_render_html(doc, OPTIONS);
	cmark_node *first = cmark_node_first_child(doc);
	const char *s;
	size_t len;
	char *out;

	if (!html)
		nb_oom();
	s = html;
	len = strlen(html);
	if (strip_p && first && first == cmark_node_last_child(doc) &&
	    cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH &&
	    len >= 8 && !memcmp(s, "<p>", 3) &&
	    !memcmp(s + len - 5, "</p>\n", 5)) {
		s += 3;
		len -= 8;
	}
	out = nb_arena_strndup(a, s, len);
	nb_cmark_mem.free(html);
	return out;
}

char *
nb_markdown_html(nb_arena *a, const char *text, size_t len, int shift)
{
	cmark_node *doc = parse(text, len);
	char *out;

	if (shift)
		shift_headings(doc, shift);
	out = render(a, doc, 0);
	cmark_node_free(doc);
	return out;
}

char *
nb_markdown_inline(nb_arena *a, const char *text, size_t len)
{
	cmark_node *doc = parse(text, len);
	char *out = render(a, doc, 1);

	cmark_node_free(doc);
	return out;
}
