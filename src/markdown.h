/*
 * markdown.h - Markdown to HTML with cmark, safe mode on.
 *
 * The only file that sees cmark is markdown.c.  Raw HTML in the source is
 * replaced by a comment and javascript:, vbscript:, file: and data: links
 * (except data:image/png|gif|jpeg|webp) are dropped, as cmark's
 * CMARK_OPT_SAFE does.  Headings are shifted so that a body's "# Heading"
 * fits under the page's own h1 (see shift).
 */
#ifndef NB_MARKDOWN_H
#define NB_MARKDOWN_H

#include <stddef.h>

#include "arena.h"
#include "diag.h"

/*
 * Render text[0..len) as HTML.  `shift` is added to every heading level
 * (capped at 6): a body rendered under a page's h1 uses shift 1 so "# A"
 * becomes <h2>.  Smart punctuation is on (curly quotes, en dashes).
 * Returns an arena-owned NUL-terminated string.
 */
char *nb_markdown_html(nb_arena *a, const char *text, size_t len, int shift);

/* Render a one-line string (a summary, a list item) as inline HTML with no
 * surrounding <p>.  Arena-owned. */
char *nb_markdown_inline(nb_arena *a, const char *text, size_t len);

/*
 * A record's body: nb_markdown_html(), and from the same parse, warnings
 * (in d, at path:line:column; the body starts on file line first_line)
 * about what people using screen readers or skimming links stumble on:
 * images without alt text, link text that makes no sense on its own
 * ("click here", "read more"), and the same link text pointing to
 * different places.
 */
char *nb_markdown_body(nb_arena *a, const char *text, size_t len, int shift,
		       const char *path, int first_line, nb_diags *d);

#endif
