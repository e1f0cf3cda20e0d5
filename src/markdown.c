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
#include <stdio.h>
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

/* ---- content checks ------------------------------------------------------ */

/* The text inside a node (a link's or an image's), lower-cased and with
 * runs of space folded, into buf. */
static void
inner_text(cmark_node *node, char *buf, size_t size)
{
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;
	size_t k = 0;

	if (!it)
		nb_oom();
	buf[0] = '\0';
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		const char *s;
		if (ev != CMARK_EVENT_ENTER || n == node)
			continue;
		s = cmark_node_get_literal(n);
		if (cmark_node_get_type(n) == CMARK_NODE_SOFTBREAK)
			s = " ";
		for (; s && *s && k + 1 < size; s++) {
			char c = *s;
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if ((c == ' ' || c == '\t' || c == '\n') &&
			    (k == 0 || buf[k - 1] == ' '))
				continue;
			if (c == '\t' || c == '\n')
				c = ' ';
			buf[k++] = c;
		}
	}
	while (k && buf[k - 1] == ' ')
		k--;
	buf[k] = '\0';
	cmark_iter_free(it);
}

static const char *const vague[] = { "click here", "here", "click", "more",
	"read more", "this", "this link", "link", "this page", "find out more",
	"more information", "learn more", "continue", NULL };

static void
lint(cmark_node *doc, const char *path, int first_line, nb_diags *d)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	struct seen { char text[120]; const char *url; int line; } seen[64];
	size_t nseen = 0, i;

	if (!it)
		nb_oom();
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		int line = first_line + cmark_node_get_start_line(n) - 1;
		int col = cmark_node_get_start_column(n);
		char inner[120];

		if (ev != CMARK_EVENT_ENTER ||
		    (t != CMARK_NODE_IMAGE && t != CMARK_NODE_LINK))
			continue;
		inner_text(n, inner, sizeof(inner));
		if (t == CMARK_NODE_IMAGE) {
			if (!inner[0])
				nb_warning(d, path, line, col,
					   "describe the image between the brackets: ![A map of the ward](map.png), or leave it out",
					   "an image has no text alternative (alt text)");
			continue;
		}
		for (i = 0; vague[i]; i++)
			if (strcmp(inner, vague[i]) == 0)
				break;
		if (vague[i]) {
			nb_warning(d, path, line, col,
				   "make the link text say where it goes, e.g. [the parking proposals (PDF)](...)",
				   "the link text \"%s\" does not make sense on its own", inner);
			continue;
		}
		for (i = 0; i < nseen; i++) {
			if (strcmp(seen[i].text, inner) == 0 &&
			    strcmp(seen[i].url, cmark_node_get_url(n)) != 0) {
				nb_warning(d, path, line, col,
					   "give each link text of its own, so people can tell them apart",
					   "the link text \"%s\" is also used on line %d for another address",
					   inner, seen[i].line);
				break;
			}
		}
		if (i == nseen && nseen < sizeof(seen) / sizeof(seen[0]) && inner[0]) {
			snprintf(seen[nseen].text, sizeof(seen[nseen].text), "%s", inner);
			seen[nseen].url = cmark_node_get_url(n);
			seen[nseen].line = line;
			nseen++;
		}
	}
	cmark_iter_free(it);
}

char *
nb_markdown_body(nb_arena *a, const char *text, size_t len, int shift,
		 const char *path, int first_line, nb_diags *d)
{
	cmark_node *doc = parse(text, len);
	char *out;

	lint(doc, path, first_line, d);
	if (shift)
		shift_headings(doc, shift);
	out = render(a, doc, 0);
	cmark_node_free(doc);
	return out;
}
