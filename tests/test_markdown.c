/*
 * test_markdown.c - Markdown to HTML: safe mode, heading shift, smart
 * punctuation and inline rendering.
 */
#include "harness.h"

#include "arena.h"
#include "buf.h"
#include "markdown.h"

static char *
html(nb_arena *a, const char *s, int shift)
{
	return nb_markdown_html(a, s, strlen(s), shift);
}

static char *
inl(nb_arena *a, const char *s)
{
	return nb_markdown_inline(a, s, strlen(s));
}

static void
markdown__renders_blocks(void)
{
	nb_arena *a = nb_arena_new();

	CHECK_STR(html(a, "Hello *world*\n\n- a\n- b\n", 0),
		  "<p>Hello <em>world</em></p>\n"
		  "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
	CHECK_STR(html(a, "", 0), "");
	CHECK_STR(html(a, "a & b < c\n", 0), "<p>a &amp; b &lt; c</p>\n");
	nb_arena_free(a);
}

static void
markdown__raw_html_omitted(void)
{
	nb_arena *a = nb_arena_new();
	char *out = html(a, "<script>alert(1)</script>\n\n"
			    "Hi <b onclick=\"x()\">there</b>\n\n"
			    "<div>\nblock\n</div>\n", 0);

	CHECK_LACKS(out, "<script");
	CHECK_LACKS(out, "<b");
	CHECK_LACKS(out, "onclick");
	CHECK_LACKS(out, "<div");
	CHECK_HAS(out, "<!-- raw HTML omitted -->");
	CHECK_HAS(out, "<p>Hi <!-- raw HTML omitted -->there"
		       "<!-- raw HTML omitted --></p>");
	nb_arena_free(a);
}

static void
markdown__dangerous_links_emptied(void)
{
	static const struct {
		const char *src, *want;
	} cases[] = {
		{ "[x](javascript:alert(1))", "<a href=\"\">x</a>" },
		{ "[x](JavaScript:alert(1))", "<a href=\"\">x</a>" },
		{ "[x](vbscript:msgbox)", "<a href=\"\">x</a>" },
		{ "[x](file:///etc/passwd)", "<a href=\"\">x</a>" },
		{ "[x](data:text/html;base64,PHNjcmlwdD4=)",
		  "<a href=\"\">x</a>" },
		{ "<javascript:alert(1)>", "<a href=\"\">javascript:alert(1)</a>" },
		{ "![i](javascript:alert(1))", "<img src=\"\" alt=\"i\" />" },
		/* images as data: URLs are kept, as cmark does */
		{ "![i](data:image/png;base64,iVBORw0KGgo=)",
		  "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"i\" />" },
		{ "[x](data:image/gif;base64,R0lGOD)",
		  "<a href=\"data:image/gif;base64,R0lGOD\">x</a>" },
		{ "![i](data:image/svg+xml;base64,PHN2Zz4=)",
		  "<img src=\"\" alt=\"i\" />" },
		/* ordinary links are untouched */
		{ "[x](https://example.org/a?b=1&c=2)",
		  "<a href=\"https://example.org/a?b=1&amp;c=2\">x</a>" },
		{ "[x](/events/2026/)", "<a href=\"/events/2026/\">x</a>" },
		{ "[x](mailto:a@example.org)",
		  "<a href=\"mailto:a@example.org\">x</a>" },
	};
	nb_arena *a = nb_arena_new();
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = inl(a, cases[i].src);

		if (strcmp(out, cases[i].want) != 0)
			nb_test_fail(__FILE__, __LINE__,
				     "%s:\n  got:  %s\n  want: %s",
				     cases[i].src, out, cases[i].want);
	}
	nb_arena_free(a);
}

static void
markdown__headings_shifted(void)
{
	static const char src[] = "# One\n\n## Two\n\n###### Six\n\nSetext\n===\n";
	nb_arena *a = nb_arena_new();
	char *out;

	out = html(a, src, 0);
	CHECK_HAS(out, "<h1>One</h1>");
	CHECK_HAS(out, "<h2>Two</h2>");
	CHECK_HAS(out, "<h6>Six</h6>");
	CHECK_HAS(out, "<h1>Setext</h1>");

	out = html(a, src, 1);
	CHECK_STR(out, "<h2>One</h2>\n<h3>Two</h3>\n<h6>Six</h6>\n"
		       "<h2>Setext</h2>\n");

	out = html(a, src, 4);
	CHECK_STR(out, "<h5>One</h5>\n<h6>Two</h6>\n<h6>Six</h6>\n"
		       "<h5>Setext</h5>\n");

	out = html(a, src, 1000);
	CHECK_LACKS(out, "<h1>");
	CHECK_LACKS(out, "<h5>");
	CHECK_HAS(out, "<h6>One</h6>");

	/* headings inside block quotes and lists are reached too */
	out = html(a, "> # Quoted\n\n- # Listed\n", 2);
	CHECK_HAS(out, "<h3>Quoted</h3>");
	CHECK_HAS(out, "<h3>Listed</h3>");
	nb_arena_free(a);
}

static void
markdown__smart_punctuation(void)
{
	nb_arena *a = nb_arena_new();

	CHECK_STR(inl(a, "\"Hello,\" she said -- it's 9--5 --- really..."),
		  "\xE2\x80\x9CHello,\xE2\x80\x9D she said \xE2\x80\x93 "
		  "it\xE2\x80\x99s 9\xE2\x80\x93" "5 \xE2\x80\x94 "
		  "really\xE2\x80\xA6");
	CHECK_STR(inl(a, "'single'"), "\xE2\x80\x98single\xE2\x80\x99");
	/* code is left alone */
	CHECK_STR(inl(a, "`\"a\" -- b`"),
		  "<code>&quot;a&quot; -- b</code>");
	nb_arena_free(a);
}

static void
markdown__inline_strips_single_paragraph(void)
{
	static const struct {
		const char *src, *want;
	} cases[] = {
		{ "*Planning* & budget", "<em>Planning</em> &amp; budget" },
		{ "  padded  ", "padded" },
		{ "", "" },
		{ "a <b>x</b>", "a <!-- raw HTML omitted -->x"
				"<!-- raw HTML omitted -->" },
		{ "[home](/)", "<a href=\"/\">home</a>" },
		{ "line one\nline two", "line one\nline two" },
		/* not a single paragraph: left as blocks */
		{ "one\n\ntwo", "<p>one</p>\n<p>two</p>\n" },
		{ "# Title", "<h1>Title</h1>\n" },
		{ "<p>x</p>", "<!-- raw HTML omitted -->\n" },
	};
	nb_arena *a = nb_arena_new();
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = inl(a, cases[i].src);

		if (strcmp(out, cases[i].want) != 0)
			nb_test_fail(__FILE__, __LINE__,
				     "\"%s\":\n  got:  \"%s\"\n  want: \"%s\"",
				     cases[i].src, out, cases[i].want);
	}
	nb_arena_free(a);
}

static void
markdown__bad_bytes_replaced(void)
{
	nb_arena *a = nb_arena_new();

	CHECK_STR(nb_markdown_inline(a, "a\0b", 3), "a\xEF\xBF\xBD" "b");
	CHECK_STR(inl(a, "caf\xC3 \xFF"), "caf\xEF\xBF\xBD \xEF\xBF\xBD");
	/* text is taken by length, not to a NUL */
	CHECK_STR(nb_markdown_html(a, "*x*yz", 3, 0), "<p><em>x</em></p>\n");
	nb_arena_free(a);
}

static void
markdown__pathological_input(void)
{
	nb_arena *a = nb_arena_new();
	nb_buf b = NB_BUF_INIT;
	char *out;
	int i;

	for (i = 0; i < 20000; i++)
		nb_buf_puts(&b, "> ");
	nb_buf_puts(&b, "# deep\n");
	out = nb_markdown_html(a, b.ptr, b.len, 1);
	CHECK_HAS(out, "<h2>deep</h2>");

	nb_buf_clear(&b);
	for (i = 0; i < 20000; i++)
		nb_buf_puts(&b, "*a **b ");
	for (i = 0; i < 20000; i++)
		nb_buf_puts(&b, "[");
	out = nb_markdown_inline(a, b.ptr, b.len);
	CHECK(out != NULL && strlen(out) > 0);
	nb_buf_free(&b);
	nb_arena_free(a);
}

void
suite_markdown(void)
{
	RUN(markdown__renders_blocks);
	RUN(markdown__raw_html_omitted);
	RUN(markdown__dangerous_links_emptied);
	RUN(markdown__headings_shifted);
	RUN(markdown__smart_punctuation);
	RUN(markdown__inline_strips_single_paragraph);
	RUN(markdown__bad_bytes_replaced);
	RUN(markdown__pathological_input);
}
