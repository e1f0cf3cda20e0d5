/*
 * test_hostile.c - broken and malicious input, end to end.
 *
 * Content comes from many officers in many organisations: some of it will
 * be broken and some may be hostile.  Each test here builds a small site
 * (tests/fixtures/minimal plus a few files) and checks for either a clear
 * error (path:line:column where there is one) with nothing written to the
 * output folder, or safe output: no script from a record ever reaches a
 * page.  Short cases that fit in text live in tests/cases/bad-input.txt;
 * these need bytes, links, sizes or checks over every page.  Crashes found
 * by the fuzzers (fuzz/) become tests here too.
 */
#include "harness.h"
#include "pagecheck.h"
#include "util.h"

#include "mustache.h"
#include "source.h"
#include "value.h"
#include "write.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FIXTURE "tests/fixtures/minimal"
/* a string literal that may hold NULs, and its length */
#define BYTES(s) s, sizeof(s) - 1

/* A copy of the minimal site, and an output folder holding an earlier
 * build (a sentinel file) that a failed build must leave alone. */
typedef struct site {
	char *root, *src, *out;
} site;

static void
site_new(site *s)
{
	char p[4096];

	s->root = tu_tmpdir();
	snprintf(p, sizeof(p), "%s/site", s->root);
	s->src = strdup(p);
	snprintf(p, sizeof(p), "%s/public", s->root);
	s->out = strdup(p);
	if (tu_copy_tree(FIXTURE, s->src) != 0)
		nb_test_fail(__FILE__, __LINE__, "cannot copy %s", FIXTURE);
	tu_write(s->out, "sentinel.html", "the site as published before");
}

static void
site_free(site *s)
{
	nb_rmtree(s->root);
	free(s->root);
	free(s->src);
	free(s->out);
}

/* Write exactly len bytes (they may hold NULs) at src/rel. */
static void
write_bytes(const site *s, const char *rel, const char *data, size_t len)
{
	char path[4096];
	FILE *fp;

	tu_write(s->src, rel, "");   /* makes the folders */
	snprintf(path, sizeof(path), "%s/%s", s->src, rel);
	fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, len, fp) != len)
		nb_test_fail(__FILE__, __LINE__, "cannot write %s", path);
	if (fp)
		fclose(fp);
}

/* A build that must fail, printing `want` as one of its lines, and leave
 * the published site alone. */
#define CHECK_REFUSED(s, want) check_refused((s), (want), __FILE__, __LINE__)

static void
check_refused(const site *s, const char *want, const char *file, int line)
{
	char *printed = NULL;
	const char *p;
	size_t n = strlen(want);
	int rc, found = 0;

	rc = tu_build(s->src, s->out, "2026-11-23", &printed);
	if (rc == 0)
		nb_test_fail(file, line, "the build succeeded; want: %s", want);
	for (p = printed; p && (p = strstr(p, want)) != NULL; p += n)
		if ((p == printed || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			found = 1;
	if (!found)
		nb_test_fail(file, line, "missing line\n    %s\n  output was:\n%s",
			     want, printed ? printed : "");
	if (!tu_exists(s->out, "sentinel.html") ||
	    tu_exists(s->out, "index.html"))
		nb_test_fail(file, line, "the published site was changed");
	free(printed);
}

/* The text of the only consultation in a test, with `extra` lines of
 * front matter and a body. */
static char *
consultation(const char *extra, const char *body)
{
	const char *head = "---\ntitle: T\nsummary: S\nlead: county-council\n"
			   "level: consult\nareas: [north-ward]\n"
			   "opens: 2026-11-01\ncloses: 2026-11-30\n";
	size_t n = strlen(head) + strlen(extra) + strlen(body) + 8;
	char *t = malloc(n);

	snprintf(t, n, "%s%s---\n%s", head, extra, body);
	return t;
}

/* ---- every page, walked ------------------------------------------------- */

typedef void (*page_fn)(const char *rel, const char *text, void *ud);

static void
walk(const char *root, const char *rel, page_fn fn, void *ud)
{
	char path[4096];
	struct dirent *de;
	DIR *dp;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	dp = opendir(path);
	if (!dp)
		return;
	while ((de = readdir(dp)) != NULL) {
		char sub[4096];
		struct stat st;
		char full[8300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
			 de->d_name);
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		if (lstat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(root, sub, fn, ud);
		} else if (S_ISREG(st.st_mode)) {
			char *text = tu_read(root, sub);
			if (text)
				fn(sub, text, ud);
			free(text);
		}
	}
	closedir(dp);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Files a browser renders as markup (pages, SVG charts, feeds); data
 * files (JSON, CSV, iCalendar) carry text as text. */
static int
is_markup(const char *rel)
{
	return !ends_with(rel, ".json") && !ends_with(rel, ".csv") &&
	       !ends_with(rel, ".ics") && !ends_with(rel, ".txt") &&
	       !ends_with(rel, ".css");
}

#define MARKERS 200

typedef struct scan {
	int pages, bad;
	char first_bad[300];
	unsigned char seen[MARKERS];   /* alert(N) appears in markup */
} scan;

static void
scan_page(const char *rel, const char *text, void *ud)
{
	scan *sc = ud;
	const char *p, *why;

	if (!is_markup(rel))
		return;
	sc->pages++;
	if ((why = markup_problem(text)) != NULL && !sc->bad++)
		snprintf(sc->first_bad, sizeof(sc->first_bad), "%s: %s", rel,
			 why);
	for (p = text; (p = strstr(p, "alert(")) != NULL; p++) {
		int n = atoi(p + 6);
		if (n > 0 && n < MARKERS)
			sc->seen[n] = 1;
	}
}

/* The checks above find what they are meant to find. */
static void
hostile__the_page_checker_finds_scripts(void)
{
	static const char *const bad[] = {
		"<p><script>alert(1)</script></p>",
		"<SCRIPT src=x></SCRIPT>",
		"<script type=\"application/ld+json\">{\"a\": \"<!--<script>\"}</script>",
		"<script type=\"application/ld+json\">{}",
		"<script type=\"application/ld+json\">{\"a\": \"<\\/script>\"}</script>",
		"<a href=\"javascript:alert(1)\">",
		"<a href=\" JavaScript:alert(1)\">",
		"<a href=\"jav&#x61;script:alert(1)\">",
		"<a href=\"&#106;avascript:alert(1)\">",
		"<a href=\"java&#9;script:alert(1)\">",
		"<a href=\"javascript&colon;alert(1)\">",
		"<img src=\"data:text/html,x\">",
		"<img src=\"data:image/svg+xml,x\">",
		"<form action=\"vbscript:x\">",
		"<iframe src=\"https://x.example/\">",
	};
	static const char *const good[] = {
		"<script type=\"application/ld+json\">{\"a\": \"\\u003c\\/script>\"}</script>",
		"<a href=\"https://x.example/javascript:\">javascript: as text</a>",
		"<a href=\"jav%09ascript:alert(1)\">a relative link</a>",
		"<img src=\"data:image/png;base64,AAAA\">",
		"<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!markup_problem(bad[i]))
			nb_test_fail(__FILE__, __LINE__, "not found in %s",
				     bad[i]);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (markup_problem(good[i]))
			nb_test_fail(__FILE__, __LINE__, "%s in %s",
				     markup_problem(good[i]), good[i]);
}

/* ---- script in every field ---------------------------------------------- */

/* Fields of every record type, each set to text that would run a script
 * if it reached a page unescaped (and, with "<!--", break a script
 * element it was put in).  In the templates below $T is a text
 * field ($N one the default theme does not show: a partner's short name,
 * a standalone event's description), $E an email address and $U a link (a real https link, with the
 * attack in its path); each becomes a YAML string with its own number,
 * alert(N), so the test can tell which field went missing. */
static const struct { const char *path, *text; } every_field[] = {
	{ "site.yaml",
	  "title: $T\nshort_title: $T\ndescription: $T\n"
	  "base_url: https://engage.test.example\norganisation: $T\n"
	  "contact_email: $E\nladder:\n"
	  "  - id: inform\n    label: $T\n    description: $T\n"
	  "  - id: consult\n    label: $T\n    description: $T\n" },
	{ "content/topics.yaml",
	  "- id: transport\n  label: $T\n  description: $T\n" },
	{ "content/audiences.yaml",
	  "- id: young-people\n  label: $T\n  description: $T\n" },
	{ "content/areas/county.yaml",
	  "name: $T\ntype: $T\ncode: $T\ndescription: $T\ncontacts:\n"
	  "  - name: $T\n    role: $T\n    email: $E\n    phone: $T\n" },
	{ "content/partners/county-council.yaml",
	  "name: $T\nshort_name: $N\ntype: council\nwebsite: $U\n"
	  "description: $T\nemail: $E\nphone: $T\n"
	  "logo:\n  file: $U\n  alt: $T\n" },
	{ "content/consultations/bus-review.md",
	  "---\ntitle: $T\nsummary: $T\nlead: county-council\n"
	  "partners: [police]\nlevel: consult\nareas: [north-ward]\n"
	  "topics: [transport]\naudiences: [young-people]\n"
	  "opens: 2026-11-01\ncloses: 2026-12-31\nfeedback_by: 2027-02-28\n"
	  "take_part:\n  - text: $T\n    link: $U\n  - text: $T\n"
	  "can_influence: [$T]\ncannot_influence: [$T]\n"
	  "accessibility: [$T]\n"
	  "documents:\n  - title: $T\n    url: $U\n    format: $T\n"
	  "    size: $T\n"
	  "contact:\n  name: $T\n  email: $E\n  phone: $T\n"
	  "events:\n  - title: $T\n    start: 2026-12-08 19:00\n"
	  "    end: 2026-12-08 21:00\n    description: $T\n"
	  "    venue:\n      name: $T\n      address: $T\n      postcode: $T\n"
	  "      step_free: true\n      parking: $T\n      access_notes: $T\n"
	  "    online: $U\n    booking: $U\n    bsl: true\n"
	  "    translation: $T\n"
	  "---\n<script>alert(0)</script>\n" },
	{ "content/consultations/postponed.md",
	  "---\ntitle: $T\nsummary: $T\nlead: police\nlevel: inform\n"
	  "areas: [all]\nopens: 2026-11-01\ncloses: 2026-12-31\n"
	  "status: postponed\nstatus_note: $T\n---\n" },
	{ "content/events/forum.md",
	  "---\ntitle: $T\nsummary: $T\nlead: police\nareas: [town]\n"
	  "topics: [transport]\nstart: 2026-12-10 18:00\n"
	  "end: 2026-12-10 19:30\ndescription: $N\n"
	  "venue:\n  name: $T\n  address: $T\n  postcode: $T\n"
	  "  parking: $T\n  access_notes: $T\n"
	  "online: $U\nbooking: $U\ntranslation: $T\n"
	  "contact:\n  name: $T\n  email: $E\n  phone: $T\n"
	  "---\n<script>alert(0)</script>\n" },
	{ "content/events/no-summary.md",
	  "---\ntitle: $T\nlead: police\nareas: [town]\n"
	  "start: 2026-12-11 18:00\nend: 2026-12-11 19:30\n"
	  "description: $T\nonline: https://meet.test.example/x\n---\n" },
	{ "content/outcomes/old-survey-outcome.md",
	  "---\nconsultation: old-survey\ntitle: $T\nsummary: $T\n"
	  "published: 2026-03-15\nresponses:\n  total: 10\n"
	  "  by_method:\n    - method: $T\n      count: 7\n"
	  "you_said_we_did:\n"
	  "  - you_said: $T\n    we_did: $T\n    state: done\n"
	  "  - you_said: $T\n    we_did: $T\n    state: not possible\n"
	  "    why: $T\n"
	  "decision: $T\ndecided_by: $T\ndecided_on: 2026-03-10\n"
	  "next_steps: $T\n"
	  "documents:\n  - title: $T\n    url: $U\n    format: $T\n"
	  "    size: $T\n"
	  "updates:\n  - date: 2026-04-01\n    text: $T\n"
	  "---\n<script>alert(0)</script>\n" },
	{ "content/pages/about.md",
	  "---\ntitle: $T\nsummary: $T\nfooter: true\n---\n"
	  "<script>alert(0)</script>\n" },
};

/* Where each marker came from, for failure messages; whether a theme may
 * leave the field out. */
static char marker_from[MARKERS][120];
static unsigned char marker_optional[MARKERS];

static char *
expand(const char *path, const char *tmpl, int *next)
{
	size_t cap = strlen(tmpl) * 4 + 1024, len = 0;
	char *out = malloc(cap);
	const char *p;
	int line = 1;

	for (p = tmpl; *p; p++) {
		char v[200];
		int n = *next;

		if (*p == '\n')
			line++;
		if (p[0] != '$' || !strchr("TNEU", p[1])) {
			out[len++] = *p;
			continue;
		}
		marker_optional[n] = p[1] == 'N';
		if (p[1] == 'T' || p[1] == 'N')
			snprintf(v, sizeof(v),
				 "\"<!--<script>alert(%d)</script>\\\"'&\"", n);
		else if (p[1] == 'E')
			snprintf(v, sizeof(v),
				 "\"<script>alert(%d)</script>\\\"'&@x.example\"",
				 n);
		else
			snprintf(v, sizeof(v),
				 "\"https://x.example/\\\"><script>alert(%d)</script>\"",
				 n);
		snprintf(marker_from[n], sizeof(marker_from[n]), "%s, line %d",
			 path, line);
		(*next)++;
		memcpy(out + len, v, strlen(v));
		len += strlen(v);
		p++;
	}
	out[len] = '\0';
	return out;
}

static void
hostile__script_in_every_field_is_escaped(void)
{
	site s;
	scan sc;
	char *printed = NULL;
	size_t i;
	int next = 1, n;

	site_new(&s);
	for (i = 0; i < sizeof(every_field) / sizeof(every_field[0]); i++) {
		char *text = expand(every_field[i].path, every_field[i].text,
				    &next);
		tu_write(s.src, every_field[i].path, text);
		free(text);
	}
	CHECK(next < MARKERS);
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", &printed), 0);
	if (printed && *printed)
		nb_test_fail(__FILE__, __LINE__, "unexpected messages:\n%s",
			     printed);
	memset(&sc, 0, sizeof(sc));
	walk(s.out, "", scan_page, &sc);
	CHECK(sc.pages > 20);
	if (sc.bad)
		nb_test_fail(__FILE__, __LINE__, "%d unsafe pages (first: %s)",
			     sc.bad, sc.first_bad);
	/* every field reached some page, escaped */
	for (n = 1; n < next; n++)
		if (!sc.seen[n] && !marker_optional[n])
			nb_test_fail(__FILE__, __LINE__,
				     "alert(%d) (%s) is on no page",
				     n, marker_from[n]);
	/* the Markdown bodies' raw HTML was dropped, not escaped */
	CHECK(!sc.seen[0]);
	{
		char *page = tu_read(s.out, "consultations/bus-review/index.html");
		CHECK_HAS(page, "&lt;script&gt;alert(");
		CHECK_HAS(page, "&lt;/script&gt;&quot;&#39;&amp;");
		free(page);
	}
	free(printed);
	if (getenv("NB_KEEP")) printf("kept %s\n", s.out); else
	site_free(&s);
}

/* ---- Markdown ------------------------------------------------------------- */

static void
hostile__markdown_cannot_run_script(void)
{
	static const char body[] =
		"<script>alert(1)</script>\n\n"
		"<SCRIPT SRC=//evil.example/x.js></SCRIPT>\n\n"
		"<img src=x onerror=alert(1)>\n\n"
		"<a href=\"javascript:alert(1)\">raw link</a>\n\n"
		"<iframe src=\"https://evil.example/\"></iframe>\n\n"
		"<style>body{display:none}</style>\n\n"
		"Inline <b onmouseover=alert(1)>bold</b> and <svg onload=alert(1)>.\n\n"
		"[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) "
		"[c](  javascript:alert(1)) [d](java&#x73;cript:alert(1)) "
		"[e](jav&#x09;ascript:alert(1)) [f](vbscript:msgbox(1)) "
		"[g](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) "
		"[h](file:///etc/passwd) [i](&#106;avascript:alert(1))\n\n"
		"<javascript:alert(1)> <data:text/html,<script>alert(1)</script>>\n\n"
		"![img](javascript:alert(1)) ![svg](data:image/svg+xml,<svg onload=alert(1)>)\n\n"
		"[ref][r] ![ref img][r]\n\n"
		"[r]: javascript:alert(1)\n\n"
		"```html\n<script>alert('in code, escaped')</script>\n```\n\n"
		"`<script>` in a code span.\n";
	site s;
	char *text = consultation("", body), *page;

	site_new(&s);
	tu_write(s.src, "content/consultations/markdown.md", text);
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	page = tu_read(s.out, "consultations/markdown/index.html");
	CHECK(page != NULL);
	if (page) {
		const char *why = markup_problem(page);

		if (why)
			nb_test_fail(__FILE__, __LINE__, "the page has %s", why);
		CHECK(!ci_find(page, "<style>body"));
		CHECK(!ci_find(page, "<svg onload"));
		CHECK(!ci_find(page, " onerror="));
		CHECK(!ci_find(page, " onmouseover="));
		/* code shows the text of the tag, escaped */
		CHECK_HAS(page, "&lt;script&gt;alert(");
		CHECK_HAS(page, "<code>&lt;script&gt;</code>");
		/* links keep their text but lose the target */
		CHECK_HAS(page, "<a href=\"\">a</a>");
		CHECK_HAS(page, "<a href=\"\">i</a>");
		CHECK_HAS(page, "<a href=\"\">ref</a>");
		free(page);
	}
	free(text);
	if (getenv("NB_KEEP")) printf("kept %s\n", s.out); else
	site_free(&s);
}

/* Pathological Markdown (deep nesting, unclosed brackets) builds in
 * linear time: cmark's own limits hold under our renderer too. */
static void
hostile__pathological_markdown_builds_quickly(void)
{
	static const char *const pieces[] = { ">", "[", "*a", "- ", "`",
					      "<a href=", "![", "_" };
	const size_t reps = 20000;
	size_t i, k, len = 0;
	char *body = malloc(reps * 16 * 8 + 1), *text;
	site s;
	time_t t0;

	for (k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
		for (i = 0; i < reps; i++) {
			memcpy(body + len, pieces[k], strlen(pieces[k]));
			len += strlen(pieces[k]);
		}
		body[len++] = '\n';
		body[len++] = '\n';
	}
	body[len] = '\0';
	text = consultation("", body);
	site_new(&s);
	tu_write(s.src, "content/consultations/deep.md", text);
	t0 = time(NULL);
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	CHECK(time(NULL) - t0 < 20);
	CHECK(tu_exists(s.out, "consultations/deep/index.html"));
	free(text);
	free(body);
	site_free(&s);
}

/* ---- bytes ------------------------------------------------------------------ */

static void
hostile__invalid_utf8_and_nul_bytes_are_errors(void)
{
	static const struct {
		const char *rel, *data;
		size_t len;
		const char *want;
	} cases[] = {
		{ "content/consultations/latin1.md",
		  BYTES("---\ntitle: Caf\xe9\n---\n"),
		  "content/consultations/latin1.md:2:11: error: the file is not valid UTF-8 (byte 0xE9)" },
		{ "content/consultations/body.md",
		  BYTES("---\ntitle: T\n---\nCosts \xa3" "5.\n"),
		  "content/consultations/body.md:4:7: error: the file is not valid UTF-8 (byte 0xA3)" },
		{ "content/consultations/overlong.md",
		  BYTES("---\ntitle: \xc0\xaf\n---\n"),
		  "content/consultations/overlong.md:2:8: error: the file is not valid UTF-8 (byte 0xC0)" },
		{ "content/consultations/surrogate.md",
		  BYTES("---\ntitle: T\n---\n\xed\xa0\x80\n"),
		  "content/consultations/surrogate.md:4:1: error: the file is not valid UTF-8 (byte 0xED)" },
		{ "content/consultations/truncated.md",
		  BYTES("---\ntitle: T\n---\nend \xe2\x82"),
		  "content/consultations/truncated.md:4:5: error: the file is not valid UTF-8 (byte 0xE2)" },
		{ "content/consultations/nul.md",
		  BYTES("---\ntitle: T\n---\nBody\0text\n"),
		  "content/consultations/nul.md:4:5: error: the file contains a NUL byte" },
		{ "content/consultations/nul-fm.md",
		  BYTES("---\ntitle: \0\n---\n"),
		  "content/consultations/nul-fm.md:2:8: error: the file contains a NUL byte" },
		{ "content/areas/north-ward.yaml",
		  BYTES("name: North\x80ward\ntype: ward\n"),
		  "content/areas/north-ward.yaml:1:12: error: the file is not valid UTF-8 (byte 0x80)" },
		{ "site.yaml",
		  BYTES("title: T\0\nbase_url: https://x.example\n"),
		  "site.yaml:1:9: error: the file contains a NUL byte" },
		{ "content/topics.yaml",
		  BYTES("\xff\xfe-\0 \0i\0d\0"),
		  "content/topics.yaml:1:1: error: the file is saved as UTF-16, not UTF-8" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		site s;

		site_new(&s);
		write_bytes(&s, cases[i].rel, cases[i].data, cases[i].len);
		CHECK_REFUSED(&s, cases[i].want);
		site_free(&s);
	}
}

/* A record saved with a UTF-8 BOM and Windows line ends builds exactly as
 * the same record with LF does. */
static char *
to_crlf_bom(const char *text)
{
	size_t n = strlen(text), i, k = 3;
	char *out = malloc(n * 2 + 4);

	memcpy(out, "\xEF\xBB\xBF", 3);
	for (i = 0; i < n; i++) {
		if (text[i] == '\n')
			out[k++] = '\r';
		out[k++] = text[i];
	}
	out[k] = '\0';
	return out;
}

typedef struct compare {
	const char *other;
	int files, differ;
	char first[256];
} compare;

static void
compare_page(const char *rel, const char *text, void *ud)
{
	compare *c = ud;
	char *b = tu_read(c->other, rel);

	c->files++;
	if (!b || strcmp(b, text) != 0) {
		if (!c->differ++)
			snprintf(c->first, sizeof(c->first), "%s", rel);
	}
	free(b);
}

static void
hostile__bom_and_crlf_build_identically(void)
{
	static const char *const files[] = {
		"content/consultations/bus-review.md",
		"content/consultations/crlf.md",
		"content/areas/north-ward.yaml",
		"content/topics.yaml",
		"site.yaml",
		"content/pages/about.md",
	};
	static const char crlf_record[] =
		"---\n"
		"title: Line ends\n"
		"summary: >\n  A folded summary\n  over two lines.\n"
		"lead: county-council\nlevel: consult\nareas: [north-ward]\n"
		"opens: 2026-11-01\ncloses: 2026-11-30\n"
		"can_influence:\n  - |\n    A literal block\n    of two lines\n"
		"---\n"
		"# Heading\n\nA paragraph\nwith a soft break.\n\n"
		"- a list\n- of two\n\n    code block\n\n"
		"A hard break  \nhere.\n";
	site a, b;
	compare c;
	size_t i;

	site_new(&a);
	site_new(&b);
	tu_write(a.src, "content/consultations/crlf.md", crlf_record);
	tu_write(b.src, "content/consultations/crlf.md", crlf_record);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *text = tu_read(b.src, files[i]), *conv;
		CHECK(text != NULL);
		if (!text)
			continue;
		conv = to_crlf_bom(text);
		tu_write(b.src, files[i], conv);
		free(conv);
		free(text);
	}
	CHECK_INT(tu_build(a.src, a.out, "2026-11-23", NULL), 0);
	CHECK_INT(tu_build(b.src, b.out, "2026-11-23", NULL), 0);
	memset(&c, 0, sizeof(c));
	c.other = b.out;
	walk(a.out, "", compare_page, &c);
	CHECK(c.files > 20);
	if (c.differ)
		nb_test_fail(__FILE__, __LINE__,
			     "%d of %d files differ with CRLF and a BOM (first: %s)",
			     c.differ, c.files, c.first);
	{
		char *page = tu_read(b.out, "consultations/crlf/index.html");
		CHECK_HAS(page, "A folded summary over two lines.");
		CHECK_LACKS(page, "\r");
		CHECK_LACKS(page, "\xEF\xBB\xBF");
		free(page);
	}
	site_free(&a);
	site_free(&b);
}

/* A template saved with a BOM does not put one in the middle of a page. */
static void
hostile__template_bom_is_not_output(void)
{
	site s;
	char *page;

	site_new(&s);
	tu_write(s.src, "layouts/404.mustache",
		 "\xEF\xBB\xBF{{<base}}{{$main}}<h1>Lost</h1>{{/main}}{{/base}}\r\n");
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	page = tu_read(s.out, "404.html");
	CHECK_HAS(page, "<h1>Lost</h1>");
	CHECK_LACKS(page, "\xEF\xBB\xBF");
	free(page);
	site_free(&s);
}

/* ---- sizes ------------------------------------------------------------------ */

static void
hostile__files_over_the_size_limit_are_refused(void)
{
	static const char *const where[] = {
		"content/consultations/huge.md",
		"site.yaml",
		"content/topics.yaml",
		"layouts/page.mustache",
		"static/huge.css",
	};
	size_t big = (size_t)NB_SOURCE_MAX_FILE + 1, i;
	char *data = malloc(big);

	memset(data, 'a', big);
	memcpy(data, "---\n", 4);
	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		char want[256];
		site s;

		site_new(&s);
		write_bytes(&s, where[i], data, big);
		snprintf(want, sizeof(want),
			 "%s: error: the file is larger than %d MiB", where[i],
			 NB_SOURCE_MAX_FILE / (1024 * 1024));
		CHECK_REFUSED(&s, want);
		site_free(&s);
	}
	free(data);
}

static void
hostile__a_file_at_the_size_limit_is_read(void)
{
	size_t max = (size_t)NB_SOURCE_MAX_FILE;
	nb_diags d = NB_DIAGS_INIT;
	nb_source *src = NULL;
	char *data = malloc(max), *got = NULL;
	size_t len = 0;
	site s;

	memset(data, 'x', max);
	site_new(&s);
	write_bytes(&s, "static/max.txt", data, max);
	CHECK_INT(nb_source_open_dir(&src, s.src, &d), 0);
	CHECK_INT(nb_source_read(src, "static/max.txt", &got, &len, &d), 0);
	CHECK(len == max);
	CHECK_INT(d.errors, 0);
	nb_source_free(src);
	nb_diags_free(&d);
	free(got);
	free(data);
	site_free(&s);
}

/* ---- paths and links ------------------------------------------------------ */

static void
hostile__source_refuses_paths_outside_the_site(void)
{
	static const char *const bad[] = { "../site/site.yaml", "/etc/passwd",
		"content/../site.yaml", "./site.yaml", "content//topics.yaml",
		"" };
	nb_diags d = NB_DIAGS_INIT;
	nb_source *src = NULL;
	char *data = NULL, **names = NULL;
	size_t len, n, i;
	site s;

	site_new(&s);
	CHECK_INT(nb_source_open_dir(&src, s.src, &d), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t before = d.errors;
		CHECK_INT(nb_source_read(src, bad[i], &data, &len, &d), -1);
		CHECK(data == NULL);
		CHECK(d.errors == before + 1);
		CHECK(!nb_source_exists(src, bad[i]));
	}
	CHECK_INT(nb_source_list(src, "content/../content/areas", ".yaml",
				 &names, &n, &d), -1);
	CHECK(n == 0);
	nb_source_names_free(names, n);
	CHECK_HAS(d.items[0].msg, "refusing to read outside the site");
	/* the good path still reads */
	CHECK_INT(nb_source_read(src, "content/topics.yaml", &data, &len, &d), 0);
	CHECK_HAS(data, "transport");
	free(data);
	nb_source_free(src);
	nb_diags_free(&d);
	site_free(&s);
}

/* A symbolic link anywhere in a site is refused, whether it is a record,
 * a folder on the way to one, site.yaml, a template or a static file. */
static void
hostile__symlinks_out_of_the_site_are_refused(void)
{
	static const struct { const char *link, *to, *want; } cases[] = {
		{ "content/consultations/linked.md", "outside/secret.md",
		  "content/consultations/linked.md: error: symbolic links are not allowed in a site" },
		{ "content", "outside/content",
		  "content: error: symbolic links are not allowed in a site" },
		{ "content/consultations", "outside/content/consultations",
		  "content/consultations: error: symbolic links are not allowed in a site" },
		{ "site.yaml", "outside/site.yaml",
		  "site.yaml: error: symbolic links are not allowed in a site" },
		{ "content/topics.yaml", "outside/content/topics.yaml",
		  "content/topics.yaml: error: symbolic links are not allowed in a site" },
		{ "layouts", "outside/layouts",
		  "layouts: error: symbolic links are not allowed in a site" },
		{ "layouts/page.mustache", "outside/layouts/page.mustache",
		  "layouts/page.mustache: error: symbolic links are not allowed in a site" },
		{ "static/passwd.txt", "/etc/passwd",
		  "static/passwd.txt: error: symbolic links are not allowed in a site" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char target[4096], link[4096], *printed = NULL;
		const char *p;
		int count = 0;
		site s;

		site_new(&s);
		/* a whole copy of the site outside it, with a secret */
		snprintf(target, sizeof(target), "%s/outside", s.root);
		tu_copy_tree(FIXTURE, target);
		tu_write(target, "secret.md", "---\ntitle: Secret\n---\n");
		tu_write(target, "layouts/page.mustache", "{{title}}");
		tu_write(s.src, "layouts/.keep", "");
		tu_write(s.src, "static/.keep", "");
		if (cases[i].to[0] == '/')
			snprintf(target, sizeof(target), "%s", cases[i].to);
		else
			snprintf(target, sizeof(target), "%s/%s", s.root,
				 cases[i].to);
		snprintf(link, sizeof(link), "%s/%s", s.src, cases[i].link);
		nb_rmtree(link);
		if (symlink(target, link) != 0)
			nb_test_fail(__FILE__, __LINE__, "cannot link %s",
				     link);
		CHECK_REFUSED(&s, cases[i].want);
		/* reported once, however many paths go through it */
		tu_build(s.src, s.out, "2026-11-23", &printed);
		for (p = printed; p && (p = strstr(p, "symbolic")) != NULL; p++)
			count++;
		if (count != 1)
			nb_test_fail(__FILE__, __LINE__,
				     "%s: %d messages about links:\n%s",
				     cases[i].link, count, printed);
		free(printed);
		site_free(&s);
	}
}

/* ---- time ------------------------------------------------------------------- */

/* 01:30 on the nights the clocks change in Europe/London: on 29 March
 * 2026 it does not exist (it is published as 02:30 BST, with a warning);
 * on 25 October 2026 it happens twice (the first, BST, is meant).  Both
 * are listed on their own day. */
static void
hostile__events_when_the_clocks_change(void)
{
	site s;
	char *printed = NULL, *page, *month;
	char *text = consultation(
		"events:\n"
		"  - title: Spring walk\n    start: 2026-03-29 01:30\n"
		"    end: 2026-03-29 03:00\n    online: https://meet.test.example/a\n"
		"  - title: Autumn walk\n    start: 2026-10-25 01:30\n"
		"    end: 2026-10-25 02:30\n    online: https://meet.test.example/b\n"
		"  - title: Just before\n    start: 2026-03-29 00:59\n"
		"    end: 2026-03-29 02:00\n    online: https://meet.test.example/c\n",
		"");

	site_new(&s);
	tu_write(s.src, "content/consultations/clocks.md", text);
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", &printed), 0);
	CHECK_HAS(printed, "content/consultations/clocks.md:11:12: warning: "
		  "`start`: 1:30am does not exist on Sunday 29 March 2026 in "
		  "Europe/London; it is published as 2:30am");
	CHECK_LACKS(printed, "Autumn");
	CHECK_LACKS(printed, ":19:12:");   /* 00:59 and 02:00 exist */
	page = tu_read(s.out, "consultations/clocks/index.html");
	CHECK_HAS(page, "<time datetime=\"2026-03-29T02:30:00+01:00\">Sunday 29 March 2026, 2:30am to 3am</time>");
	CHECK_HAS(page, "<time datetime=\"2026-10-25T01:30:00+01:00\">Sunday 25 October 2026, 1:30am to 2:30am</time>");
	CHECK_HAS(page, "<time datetime=\"2026-03-29T00:59:00+00:00\">");
	free(page);
	month = tu_read(s.out, "calendar/2026/03/index.html");
	page = month ? strstr(month, "id=\"day-2026-03-29\"") : NULL;
	CHECK(page != NULL);
	if (page) {
		char *walk_at = strstr(page, "Spring walk");
		char *next_day = strstr(page + 1, "id=\"day-");
		CHECK(walk_at != NULL);
		CHECK(!next_day || (walk_at && walk_at < next_day));
		CHECK_HAS(page, "datetime=\"2026-03-29T02:30:00+01:00\"");
	}
	free(month);
	month = tu_read(s.out, "calendar/2026/10/index.html");
	page = month ? strstr(month, "id=\"day-2026-10-25\"") : NULL;
	CHECK(page != NULL);
	if (page) {
		char *walk_at = strstr(page, "Autumn walk");
		char *next_day = strstr(page + 1, "id=\"day-");
		CHECK(walk_at != NULL);
		CHECK(!next_day || (walk_at && walk_at < next_day));
		CHECK_HAS(page, "datetime=\"2026-10-25T01:30:00+01:00\"");
	}
	free(month);
	free(printed);
	free(text);
	site_free(&s);
}

/* ---- templates -------------------------------------------------------------- */

/* Sections nested over lists multiply; rendering stops at a budget with
 * an error naming the template, rather than running for hours or filling
 * the disk.  The limits are lowered here so the test is quick. */
static void
hostile__template_work_is_bounded(void)
{
	static const struct {
		size_t steps, bytes;
		const char *want;
	} limits[] = {
		{ 50000, 0, "rendering takes more than 50000 steps" },
		{ 0, 30000, "the rendered page is larger than 30000 bytes" },
	};
	size_t k;

	for (k = 0; k < sizeof(limits) / sizeof(limits[0]); k++) {
		nb_arena *a = nb_arena_new();
		nb_tmpl_set *set = nb_tmpl_set_new(a, NULL, NULL);
		nb_value *ctx = nb_val_map(a), *list = nb_val_list(a);
		nb_diags d = NB_DIAGS_INIT;
		nb_buf out = NB_BUF_INIT, src = NB_BUF_INIT;
		nb_template *t = NULL;
		int i;

		nb_tmpl_set_limits(set, limits[k].steps, limits[k].bytes);
		for (i = 0; i < 10; i++)
			nb_val_push(a, list, nb_val_str(a, "xx"));
		nb_val_set(a, ctx, "l", list);
		for (i = 0; i < 12; i++)
			nb_buf_puts(&src, "{{#l}}");
		nb_buf_puts(&src, limits[k].bytes ? "{{.}}{{.}}{{.}}{{.}}" :
			    "{{.}}");
		for (i = 0; i < 12; i++)
			nb_buf_puts(&src, "{{/l}}");
		CHECK_INT(nb_tmpl_parse(&t, set, "nested",
					"layouts/nested.mustache", src.ptr,
					src.len, &d), 0);
		CHECK_INT(nb_tmpl_render(&out, set, t, ctx, &d), -1);
		CHECK_INT(d.errors, 1);
		if (d.len) {
			CHECK_STR(d.items[0].path, "layouts/nested.mustache");
			CHECK_STR(d.items[0].msg, limits[k].want);
		}
		if (limits[k].bytes)
			CHECK(out.len <= limits[k].bytes + 16);
		nb_buf_free(&out);
		nb_buf_free(&src);
		nb_diags_free(&d);
		nb_tmpl_set_free(set);
		nb_arena_free(a);
	}
}

static void
hostile__a_site_with_an_empty_calendar_builds(void)
{
	static const char *const gone[] = { "content/consultations/bus-review.md",
		"content/consultations/old-survey.md", "content/outcomes/old-survey-outcome.md" };
	char path[4096], *printed = NULL;
	size_t i;
	site s;

	site_new(&s);
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", s.src, gone[i]);
		unlink(path);
	}
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", &printed), 0);
	CHECK_STR(printed, "");
	CHECK(tu_exists(s.out, "index.html"));
	free(printed);
	site_free(&s);
}

static void
hostile__impossible_day_numbers_in_a_rule_are_refused(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	tu_write(s.src, "content/events/sixth-friday.md",
		 "---\ntitle: Never\nlead: police\nareas: [all]\n"
		 "start: 2026-12-04 19:00\nend: 2026-12-04 20:00\n"
		 "online: https://meet.test.example/x\n"
		 "repeat: FREQ=MONTHLY;BYDAY=-6FR;COUNT=5\n---\n");
	CHECK(tu_build(s.src, s.out, "2026-11-23", &printed) != 0);
	CHECK_HAS(printed, "content/events/sixth-friday.md:8:9: error: `repeat`: there is no day number -6 in a month");
	free(printed);
	site_free(&s);
}

void
suite_hostile(void)
{
	RUN(hostile__a_site_with_an_empty_calendar_builds);
	RUN(hostile__impossible_day_numbers_in_a_rule_are_refused);
	RUN(hostile__the_page_checker_finds_scripts);
	RUN(hostile__script_in_every_field_is_escaped);
	RUN(hostile__markdown_cannot_run_script);
	RUN(hostile__pathological_markdown_builds_quickly);
	RUN(hostile__invalid_utf8_and_nul_bytes_are_errors);
	RUN(hostile__bom_and_crlf_build_identically);
	RUN(hostile__template_bom_is_not_output);
	RUN(hostile__files_over_the_size_limit_are_refused);
	RUN(hostile__a_file_at_the_size_limit_is_read);
	RUN(hostile__source_refuses_paths_outside_the_site);
	RUN(hostile__symlinks_out_of_the_site_are_refused);
	RUN(hostile__events_when_the_clocks_change);
	RUN(hostile__template_work_is_bounded);
}
