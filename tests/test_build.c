/*
 * test_build.c - whole builds: bad input (tests/cases/bad-input.txt),
 * atomic output, the command line and its exit codes.
 */
#include "harness.h"
#include "util.h"

#include "write.h"

#include <stdlib.h>
#include <string.h>

#define FIXTURE "tests/fixtures/minimal"
#define CASES "tests/cases/bad-input.txt"

/* A fresh copy of the minimal site, and an output folder holding an
 * earlier build (a sentinel file) that a failed build must not touch. */
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

/* ---- table-driven bad input ---------------------------------------------- */

typedef struct bcase {
	char *name;
	char *files[8], *texts[8];
	int nfiles;
	char *expect;
	int line;
} bcase;

static int
starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static void
check_case(const bcase *c)
{
	site s;
	char *printed = NULL, *exp, *line, *save = NULL;
	size_t want_errors = 0, got_errors = 0;
	const char *p;
	int i, rc;

	site_new(&s);
	for (i = 0; i < c->nfiles; i++)
		tu_write(s.src, c->files[i], c->texts[i]);
	rc = tu_build(s.src, s.out, "2026-11-23", &printed);
	if (rc == 0)
		nb_test_fail(CASES, c->line, "case '%s': the build succeeded",
			     c->name);
	if (!tu_exists(s.out, "sentinel.html") || tu_exists(s.out, "index.html"))
		nb_test_fail(CASES, c->line,
			     "case '%s': the published site was changed", c->name);
	exp = strdup(c->expect);
	for (line = strtok_r(exp, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *found = printed;
		size_t n = strlen(line);
		int ok = 0;
		if (strstr(line, ": error: "))
			want_errors++;
		while (found && (found = strstr(found, line)) != NULL) {
			if ((found == printed || found[-1] == '\n') &&
			    (found[n] == '\n' || found[n] == '\0')) {
				ok = 1;
				break;
			}
			found += n;
		}
		if (!ok)
			nb_test_fail(CASES, c->line,
				     "case '%s': missing line\n    %s\n  output was:\n%s",
				     c->name, line, printed ? printed : "");
	}
	for (p = printed; p && (p = strstr(p, ": error: ")) != NULL; p++)
		got_errors++;
	if (got_errors != want_errors)
		nb_test_fail(CASES, c->line,
			     "case '%s': %zu errors printed, %zu expected:\n%s",
			     c->name, got_errors, want_errors, printed);
	free(exp);
	free(printed);
	site_free(&s);
}

static void
build__bad_input_cases(void)
{
	char *text = tu_read(".", CASES), *p, *next;
	bcase c;
	int lineno = 1, ncases = 0, mode = 0;   /* 0 none, 1 file, 2 expect */
	char *buf = NULL;

	if (!text) {
		nb_test_fail(__FILE__, __LINE__, "cannot read %s", CASES);
		return;
	}
	memset(&c, 0, sizeof(c));
#define FLUSH() do { \
	if (mode == 1) c.texts[c.nfiles - 1] = buf ? buf : strdup(""); \
	else if (mode == 2) c.expect = buf ? buf : strdup(""); \
	else free(buf); \
	buf = NULL; \
} while (0)
#define FINISH() do { \
	if (c.name) { check_case(&c); ncases++; } \
	free(c.name); free(c.expect); \
	for (int k_ = 0; k_ < c.nfiles; k_++) { free(c.files[k_]); free(c.texts[k_]); } \
	memset(&c, 0, sizeof(c)); \
} while (0)
	for (p = text; *p; p = next, lineno++) {
		size_t n;
		next = strchr(p, '\n');
		next = next ? next + 1 : p + strlen(p);
		n = (size_t)(next - p);
		if (starts(p, "@@@ case: ")) {
			FLUSH();
			FINISH();
			c.name = strndup(p + 10, n - 11);
			c.line = lineno;
			mode = 0;
		} else if (starts(p, "@@@ file: ")) {
			FLUSH();
			c.files[c.nfiles++] = strndup(p + 10, n - 11);
			mode = 1;
		} else if (starts(p, "@@@ expect")) {
			FLUSH();
			mode = 2;
		} else if (mode == 0) {
			continue;   /* comments and blank lines between cases */
		} else if (mode == 2 && (n <= 1 || p[0] == '#')) {
			continue;
		} else {
			size_t old = buf ? strlen(buf) : 0;
			buf = realloc(buf, old + n + 1);
			memcpy(buf + old, p, n);
			buf[old + n] = '\0';
		}
	}
	FLUSH();
	FINISH();
#undef FLUSH
#undef FINISH
	free(text);
	CHECK(ncases >= 20);
	printf("bad input: %d cases\n", ncases);
}

/* ---- good builds of the minimal site ----------------------------------- */

static void
build__minimal_site_builds_and_replaces_output(void)
{
	site s;
	char *printed = NULL, *page;

	site_new(&s);
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", &printed), 0);
	CHECK_STR(printed, "");
	CHECK(!tu_exists(s.out, "sentinel.html"));
	CHECK(tu_exists(s.out, "index.html"));
	CHECK(tu_exists(s.out, "404.html"));
	CHECK(tu_exists(s.out, "static/style.css"));
	page = tu_read(s.out, "consultations/bus-review/index.html");
	CHECK_HAS(page, "<h1>Bus review</h1>");
	CHECK_HAS(page, "tag--open");
	CHECK_HAS(page, "Tuesday 8 December 2026, 7pm to 9pm");
	CHECK_HAS(page, "datetime=\"2026-12-08T19:00:00+00:00\"");
	free(page);
	/* no staging folders are left beside the output */
	{
		char *out = NULL;
		char cmd[4200];
		snprintf(cmd, sizeof(cmd), "ls -a '%s'", s.root);
		tu_run(cmd, &out);
		CHECK_LACKS(out, "nb-tmp");
		CHECK_LACKS(out, "nb-old");
		free(out);
	}
	free(printed);
	site_free(&s);
}

static void
build__rollup_ward_to_district_and_county(void)
{
	site s;
	char *town, *county, *ward, *other;

	site_new(&s);
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	ward = tu_read(s.out, "areas/north-ward/index.html");
	town = tu_read(s.out, "areas/town/index.html");
	county = tu_read(s.out, "areas/county/index.html");
	CHECK_HAS(ward, "/consultations/bus-review/");
	CHECK_HAS(town, "/consultations/bus-review/");
	CHECK_HAS(county, "/consultations/bus-review/");
	/* the district's own consultation does not go down to the ward */
	CHECK_HAS(town, "/consultations/old-survey/");
	CHECK_LACKS(ward, "/consultations/old-survey/");
	/* the event rolls up with it */
	CHECK_HAS(county, "Bus drop-in");
	other = tu_read(s.out, "partners/police/index.html");
	CHECK_HAS(other, "/consultations/bus-review/");
	free(other);
	other = tu_read(s.out, "topics/transport/index.html");
	CHECK_HAS(other, "/consultations/bus-review/");
	free(other);
	other = tu_read(s.out, "audiences/young-people/index.html");
	CHECK_HAS(other, "/consultations/bus-review/");
	free(other);
	free(ward);
	free(town);
	free(county);
	site_free(&s);
}

static void
build__status_follows_the_date(void)
{
	static const struct { const char *today, *slug; } cases[] = {
		{ "2026-10-31", "tag--upcoming" },
		{ "2026-11-01", "tag--open" },
		{ "2026-12-16", "tag--open" },
		{ "2026-12-17", "tag--closing-soon" },
		{ "2026-12-31", "tag--closing-soon" },
		{ "2027-01-01", "tag--closed" },
		{ "2027-02-28", "tag--closed" },
		{ "2027-03-01", "tag--feedback-overdue" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		site s;
		char *page;
		site_new(&s);
		CHECK_INT(tu_build(s.src, s.out, cases[i].today, NULL), 0);
		page = tu_read(s.out, "consultations/bus-review/index.html");
		if (!page || !strstr(page, cases[i].slug))
			nb_test_fail(__FILE__, __LINE__, "on %s: want %s",
				     cases[i].today, cases[i].slug);
		free(page);
		site_free(&s);
	}
}

static void
build__outcome_and_cancelled(void)
{
	site s;
	char *page;

	site_new(&s);
	tu_write(s.src, "content/consultations/called-off.md",
		 "---\ntitle: Called off\nsummary: Cancelled.\nlead: police\n"
		 "level: inform\nareas: [all]\nopens: 2026-11-01\n"
		 "closes: 2026-11-30\nstatus: cancelled\n"
		 "status_note: The venue is closed.\n---\n");
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	page = tu_read(s.out, "consultations/old-survey/index.html");
	CHECK_HAS(page, "tag--outcome-published");
	CHECK_HAS(page, "/outcomes/old-survey-outcome/");
	free(page);
	page = tu_read(s.out, "consultations/called-off/index.html");
	CHECK_HAS(page, "tag--cancelled");
	CHECK_HAS(page, "The venue is closed.");
	free(page);
	/* `all` puts it on every area's page */
	page = tu_read(s.out, "areas/north-ward/index.html");
	CHECK_HAS(page, "/consultations/called-off/");
	free(page);
	page = tu_read(s.out, "outcomes/old-survey-outcome/index.html");
	CHECK_HAS(page, "More buses.");
	CHECK_HAS(page, "on time (promised by");
	free(page);
	site_free(&s);
}

static void
build__escapes_html_in_fields_and_markdown(void)
{
	site s;
	char *page;

	site_new(&s);
	tu_write(s.src, "content/consultations/hostile.md",
		 "---\ntitle: \"<script>alert(1)</script> & more\"\n"
		 "summary: \"<img src=x onerror=alert(1)>\"\nlead: police\n"
		 "level: inform\nareas: [all]\nopens: 2026-11-01\n"
		 "closes: 2026-11-30\n---\n"
		 "<script>alert(2)</script>\n\n[x](javascript:alert(3))\n");
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	page = tu_read(s.out, "consultations/hostile/index.html");
	CHECK_HAS(page, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more");
	/* the only script element is the page's JSON-LD data */
	CHECK_LACKS(page, "<script>");
	CHECK_LACKS(page, "<script src");
	CHECK_LACKS(page, "alert(1)</script>");
	CHECK_LACKS(page, "<img src=x");
	CHECK_LACKS(page, "javascript:");
	free(page);
	site_free(&s);
}

static void
build__warns_about_unknown_fields(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	tu_write(s.src, "content/partners/fire.yaml",
		 "name: Test Fire\nwebsit: https://fire.test.example\n");
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", &printed), 0);
	CHECK_HAS(printed, "content/partners/fire.yaml:2:1: warning: unknown field `websit` is ignored");
	CHECK_HAS(printed, "hint: did you mean `website`?");
	free(printed);
	site_free(&s);
}

static void
build__site_path_prefix_from_base_url(void)
{
	site s;
	char *page;

	site_new(&s);
	tu_write(s.src, "site.yaml", "title: T\nbase_url: https://council.example/engage/\n");
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	page = tu_read(s.out, "index.html");
	CHECK_HAS(page, "href=\"/engage/consultations/\"");
	CHECK_HAS(page, "href=\"/engage/static/style.css\"");
	CHECK_HAS(page, "<link rel=\"canonical\" href=\"https://council.example/engage/\">");
	free(page);
	site_free(&s);
}

static void
build__layouts_override_the_theme(void)
{
	site s;
	char *page;

	site_new(&s);
	tu_write(s.src, "layouts/404.mustache",
		 "{{<base}}{{$main}}<h1>Lost in {{site.title}}</h1>{{/main}}{{/base}}");
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	page = tu_read(s.out, "404.html");
	CHECK_HAS(page, "<h1>Lost in Test partnership calendar</h1>");
	CHECK_HAS(page, "Skip to main content");   /* still the theme's base */
	free(page);
	site_free(&s);
}

static void
build__template_error_keeps_old_site(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	tu_write(s.src, "layouts/page.mustache", "{{#content}}\n<h1>{{title}}</h1>\n");
	CHECK(tu_build(s.src, s.out, "2026-11-23", &printed) != 0);
	CHECK_HAS(printed, "layouts/page.mustache:1:1: error:");
	CHECK(tu_exists(s.out, "sentinel.html"));
	free(printed);
	site_free(&s);
}


/* Thousands of pages do not each list every page number: the first,
 * the last and two either side, with an ellipsis for each gap. */
static void
build__pagination_shows_pages_near_this_one(void)
{
	site s;
	char *p, name[128], text[512];
	int i;

	site_new(&s);
	for (i = 0; i < 240; i++) {   /* with the old survey: 13 pages */
		snprintf(name, sizeof(name), "content/consultations/past-%03d.md", i);
		snprintf(text, sizeof(text),
			 "---\ntitle: Past activity %03d\nsummary: Old.\n"
			 "lead: police\nlevel: inform\nareas: [north-ward]\n"
			 "opens: 2025-01-%02d\ncloses: 2025-02-%02d\n---\n",
			 i, i % 28 + 1, i % 28 + 1);
		tu_write(s.src, name, text);
	}
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	p = tu_read(s.out, "consultations/past/page/7/index.html");
	CHECK_HAS(p, "(page 7 of 13)");
	CHECK_HAS(p, "href=\"/consultations/past/\" aria-label=\"Page 1 of 13\"");
	for (i = 5; i <= 9; i++) {
		snprintf(text, sizeof(text), "/consultations/past/page/%d/\" ", i);
		CHECK_HAS(p, text);
	}
	CHECK_HAS(p, "aria-label=\"Page 13 of 13\"");
	CHECK_LACKS(p, "aria-label=\"Page 2 of 13\"");
	CHECK_LACKS(p, "aria-label=\"Page 4 of 13\"");
	CHECK_LACKS(p, "aria-label=\"Page 10 of 13\"");
	CHECK_LACKS(p, "aria-label=\"Page 12 of 13\"");
	CHECK_HAS(p, "<li class=\"pagination__ellipsis\">&hellip;</li>");
	CHECK_HAS(p, "aria-current=\"page\" aria-label=\"Page 7 of 13, this page\"");
	free(p);
	/* near the start, page 2 stands in for a one-page gap */
	p = tu_read(s.out, "consultations/past/page/5/index.html");
	CHECK_HAS(p, "aria-label=\"Page 2 of 13\"");
	CHECK_LACKS(p, "aria-label=\"Page 8 of 13\"");
	free(p);
	site_free(&s);
}

/* Feedback promises are shown a page at a time: a national site has
 * thousands of closed activities, and one page of them all is megabytes. */
static void
build__feedback_promises_are_paginated(void)
{
	site s;
	char *p, name[128], text[512];
	int i;

	site_new(&s);
	/* 45 activities whose feedback is overdue, led by the police in the
	 * north ward */
	for (i = 0; i < 45; i++) {
		snprintf(name, sizeof(name), "content/consultations/late-%02d.md", i);
		snprintf(text, sizeof(text),
			 "---\ntitle: Late activity %02d\nsummary: Old.\n"
			 "lead: police\nlevel: consult\nareas: [north-ward]\n"
			 "opens: 2025-01-%02d\ncloses: 2025-02-%02d\n"
			 "feedback_by: 2025-05-01\n---\n",
			 i, i % 28 + 1, i % 28 + 1);
		tu_write(s.src, name, text);
	}
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);

	/* the overview shows the first page and links to the rest */
	p = tu_read(s.out, "feedback/index.html");
	CHECK_HAS(p, "href=\"/feedback/overdue/\">All ");
	CHECK_HAS(p, " activities with feedback overdue</a>");
	{
		/* 20 of the 45 (and none of the fixtures' overdue ones
		 * could push the count past a page) */
		const char *at = p ? strstr(p, "id=\"overdue\"") : NULL;
		const char *end = at ? strstr(at, "id=\"outcomes\"") : NULL;
		int cards = 0;
		while (at && end && (at = strstr(at, "<li class=\"card\">")) &&
		       at < end)
			cards++, at++;
		CHECK_INT(cards, 20);
	}
	free(p);
	p = tu_read(s.out, "feedback/overdue/page/3/index.html");
	CHECK_HAS(p, "Feedback overdue (page 3 of 3)");
	free(p);
	/* so does the list of every activity */
	p = tu_read(s.out, "consultations/index.html");
	CHECK_HAS(p, "Closed: feedback overdue (");
	CHECK_HAS(p, "href=\"/feedback/overdue/\">All ");
	{
		const char *at = p ? strstr(p, "<h2 id=\"feedback-overdue\"") : NULL;
		const char *end = at ? strstr(at + 1, "<h2 ") : NULL;
		int cards = 0;
		while (at && (at = strstr(at, "<li class=\"card\">")) &&
		       (!end || at < end))
			cards++, at++;
		CHECK_INT(cards, 20);
	}
	free(p);

	/* each partner's and area's promises: counts of all on every page,
	 * a table of one page */
	p = tu_read(s.out, "feedback/partners/police/index.html");
	CHECK_HAS(p, "Feedback promises: ");
	CHECK_HAS(p, "href=\"/feedback/partners/police/page/2/\"");
	{
		const char *at = p;
		int rows = 0;
		while (at && (at = strstr(at, "<tr><th scope=\"row\">")) != NULL)
			rows++, at++;
		CHECK_INT(rows, 20);
	}
	free(p);
	p = tu_read(s.out, "feedback/areas/north-ward/page/3/index.html");
	CHECK_HAS(p, "(page 3 of 3)");
	CHECK_HAS(p, "aria-current=\"page\" aria-label=\"Page 3 of 3, this page\"");
	CHECK_HAS(p, "<dt>Feedback overdue</dt><dd>");
	CHECK_HAS(p, "href=\"/feedback/areas/north-ward/\"");   /* breadcrumb */
	free(p);
	CHECK(!tu_exists(s.out, "feedback/areas/north-ward/page/4/index.html"));
	site_free(&s);
}

/* Embeds carry the site's own brand.css inline, unable to end their
 * <style>, and follow it when it changes. */
static void
build__embeds_carry_the_sites_brand(void)
{
	site s;
	char *p;

	site_new(&s);
	tu_write(s.src, "static/brand.css",
		 ":root { --nb-brand: #123456; --nb-link: #0b3d91; }\n"
		 "/* </style><script>alert(1)</script> */\n");
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	p = tu_read(s.out, "embed/partners/police/index.html");
	CHECK_HAS(p, "--nb-link: #0b3d91;");
	CHECK_HAS(p, "/* <\\/style><script>alert(1)<\\/script> */");
	CHECK_LACKS(p, "</style><script>");
	CHECK_LACKS(p, "#1d4f6e;");        /* not the theme's brand */
	free(p);
	/* a new brand: the next build renders the embeds again */
	tu_write(s.src, "static/brand.css", ":root { --nb-link: #222222; }\n");
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	p = tu_read(s.out, "embed/partners/police/index.html");
	CHECK_HAS(p, "--nb-link: #222222;");
	free(p);
	site_free(&s);
}

static void
build__long_lists_are_paginated(void)
{
	site s;
	char *p, name[128], text[512];
	int i;

	site_new(&s);
	/* 45 past activities in the north ward, and the old survey */
	for (i = 0; i < 45; i++) {
		snprintf(name, sizeof(name), "content/consultations/past-%02d.md", i);
		snprintf(text, sizeof(text),
			 "---\ntitle: Past activity %02d\nsummary: Old.\n"
			 "lead: police\nlevel: inform\nareas: [north-ward]\n"
			 "opens: 2025-01-%02d\ncloses: 2025-02-%02d\n---\n",
			 i, i % 28 + 1, i % 28 + 1);
		tu_write(s.src, name, text);
	}
	/* one outcome in the town: shown, and no pages of them */
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	p = tu_read(s.out, "areas/town/index.html");
	CHECK_HAS(p, "/outcomes/old-survey-outcome/");
	CHECK_LACKS(p, "/areas/town/outcomes/");
	free(p);
	CHECK(!tu_exists(s.out, "areas/town/outcomes/index.html"));
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "content/outcomes/past-%02d-outcome.md", i);
		snprintf(text, sizeof(text),
			 "---\nconsultation: past-%02d\nsummary: Done.\n"
			 "published: 2025-%02d-15\nresponses:\n  total: 3\n"
			 "you_said_we_did:\n  - you_said: More.\n    we_did: Added.\n"
			 "    state: done\n---\n", i, i + 1);
		tu_write(s.src, name, text);
	}
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	p = tu_read(s.out, "consultations/past/index.html");
	CHECK_LACKS(p, "pagination__ellipsis");   /* three pages: all shown */
	CHECK_HAS(p, "<title>Past consultations and activities (page 1 of 3) - ");
	CHECK_HAS(p, "46 in all.");
	CHECK_HAS(p, "href=\"/consultations/past/page/2/\" rel=\"next\"");
	CHECK_HAS(p, "aria-current=\"page\" aria-label=\"Page 1 of 3, this page\"");
	free(p);
	p = tu_read(s.out, "consultations/past/page/3/index.html");
	CHECK_HAS(p, "<h1>Past consultations and activities (page 3 of 3)</h1>");
	CHECK_HAS(p, "rel=\"prev\"");
	CHECK_LACKS(p, "rel=\"next\"");
	free(p);
	CHECK(!tu_exists(s.out, "consultations/past/page/4/index.html"));
	/* the ward's page shows the latest ten and links to the rest; so
	 * for their outcomes (a dozen here: the newest first) */
	p = tu_read(s.out, "areas/north-ward/index.html");
	CHECK_HAS(p, "<a href=\"/areas/north-ward/past/\">All 45 past activities</a>");
	CHECK_HAS(p, "<a href=\"/areas/north-ward/outcomes/\">All 12 outcomes in North ward</a>");
	CHECK_HAS(p, "/outcomes/past-11-outcome/");
	CHECK_LACKS(p, "/outcomes/past-01-outcome/");
	free(p);
	p = tu_read(s.out, "areas/north-ward/outcomes/index.html");
	CHECK_HAS(p, "<h1>You said, we did in North ward</h1>");
	CHECK_HAS(p, "12 in all.");
	CHECK_HAS(p, "/outcomes/past-01-outcome/");
	free(p);
	CHECK(!tu_exists(s.out, "areas/north-ward/outcomes/page/2/index.html"));
	/* nothing coming up in the ward: no such pages, no link */
	CHECK(!tu_exists(s.out, "areas/north-ward/coming-up/index.html"));
	p = tu_read(s.out, "areas/north-ward/index.html");
	CHECK_LACKS(p, "coming up</a>");
	CHECK_LACKS(p, "open now</a>");
	free(p);
	/* 25 open in the ward: its page shows the 20 closing soonest and
	 * links to all of them, as does the police's */
	for (i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "content/consultations/open-%02d.md", i);
		snprintf(text, sizeof(text),
			 "---\ntitle: Open activity %02d\nsummary: Now.\n"
			 "lead: police\nlevel: inform\nareas: [north-ward]\n"
			 "opens: 2026-11-01\ncloses: 2026-12-%02d\n---\n",
			 i, i + 1);
		tu_write(s.src, name, text);
	}
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	p = tu_read(s.out, "areas/north-ward/index.html");
	CHECK_HAS(p, "<a href=\"/areas/north-ward/open/\">All ");
	CHECK_HAS(p, "/consultations/open-19/");
	CHECK_LACKS(p, "/consultations/open-24/");   /* closes last */
	free(p);
	p = tu_read(s.out, "areas/north-ward/open/index.html");
	CHECK_HAS(p, "<h1>Open now: North ward (page 1 of 2)</h1>");
	CHECK_HAS(p, "26 in all.");   /* and the bus review */
	CHECK_HAS(p, "/consultations/open-00/");
	free(p);
	p = tu_read(s.out, "areas/north-ward/open/page/2/index.html");
	CHECK_HAS(p, "/consultations/open-24/");
	free(p);
	CHECK(tu_exists(s.out, "partners/police/open/index.html"));
	p = tu_read(s.out, "areas/north-ward/past/page/3/index.html");
	CHECK_HAS(p, "Past activities in North ward (page 3 of 3)");
	free(p);
	/* the index keeps current groups whole and caps the past */
	p = tu_read(s.out, "consultations/index.html");
	CHECK_HAS(p, "/consultations/bus-review/");
	free(p);
	/* 23 events to come in the ward (and the bus review's) and one
	 * over: its page shows the first 20, soonest first, and links to
	 * all of them */
	for (i = 0; i < 24; i++) {
		snprintf(name, sizeof(name), "content/events/meeting-%02d.md", i);
		snprintf(text, sizeof(text),
			 "---\ntitle: Ward meeting %02d\nsummary: Meet us.\n"
			 "lead: police\nareas: [north-ward]\n"
			 "start: 2026-%s-%02d 19:00\nend: 2026-%s-%02d 20:00\n"
			 "venue:\n  name: Ward Hall\n---\n",
			 i, i ? "12" : "10", i ? i : 5, i ? "12" : "10",
			 i ? i : 5);
		tu_write(s.src, name, text);
	}
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	p = tu_read(s.out, "areas/north-ward/index.html");
	CHECK_HAS(p, "/events/meeting-01/");
	CHECK_HAS(p, "/events/meeting-19/");   /* and the bus review's */
	CHECK_LACKS(p, "/events/meeting-20/");
	CHECK_LACKS(p, "/events/meeting-00/");   /* over */
	CHECK_HAS(p, "<a href=\"/areas/north-ward/events/\">All ");
	free(p);
	p = tu_read(s.out, "areas/north-ward/events/index.html");
	CHECK_HAS(p, "<h1>Events: North ward (page 1 of 2)</h1>");
	CHECK_HAS(p, "24 in all.");
	CHECK_HAS(p, "<h2 class=\"event__title\"><a href=\"/events/meeting-01/\">");
	CHECK_LACKS(p, "/events/meeting-00/");
	free(p);
	p = tu_read(s.out, "areas/north-ward/events/page/2/index.html");
	CHECK_HAS(p, "/events/meeting-23/");
	free(p);
	CHECK(tu_exists(s.out, "partners/police/events/index.html"));
	p = tu_read(s.out, "partners/police/index.html");
	CHECK_HAS(p, "<a href=\"/partners/police/events/\">All ");
	free(p);
	/* the bus review's alone: no such page, no link */
	snprintf(name, sizeof(name), "%s/content/events", s.src);
	CHECK_INT(nb_rmtree(name), 0);
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	CHECK(!tu_exists(s.out, "areas/north-ward/events/index.html"));
	p = tu_read(s.out, "areas/north-ward/index.html");
	CHECK_HAS(p, "/consultations/bus-review/#event-");
	CHECK_LACKS(p, "upcoming events</a>");
	free(p);
	site_free(&s);
}

static void
build__month_grid_is_an_accessible_table(void)
{
	site s;
	char *p;
	const char *c;
	int th = 0;

	site_new(&s);
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", NULL), 0);
	p = tu_read(s.out, "calendar/2026/12/index.html");
	CHECK_HAS(p, "<caption>December 2026");
	CHECK_HAS(p, "Monday</");
	CHECK_HAS(p, "Sunday</");
	for (c = p; c && (c = strstr(c, "<th scope=\"col\">")) != NULL; c++)
		th++;
	CHECK_INT(th, 7);
	/* the bus drop-in on Tuesday 8 December, and the last day of the bus
	 * review on Thursday 31 December: links whose names give the date */
	c = strstr(p, "<a href=\"#day-2026-12-08\"");
	CHECK(c != NULL);
	if (c) {
		const char *e = strstr(c, "</a>");
		CHECK(e && strstr(c, "Tuesday 8 December 2026") &&
		      strstr(c, "Tuesday 8 December 2026") < e);
	}
	CHECK_HAS(p, "<a href=\"#day-2026-12-31\"");
	CHECK_HAS(p, "id=\"day-2026-12-08\"");
	CHECK_LACKS(p, "colspan");
	/* 1 December 2026 is a Tuesday: one empty cell before it */
	CHECK_HAS(p, "<tr><td></td><td><span class=\"month-grid__empty\">1</span>");
	free(p);
	site_free(&s);
}


static void
build__content_checks_warn_about_links_images_and_hard_summaries(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	tu_write(s.src, "content/consultations/checks.md",
		 "---\ntitle: Checks\n"
		 "summary: \"Notwithstanding the aforementioned considerations regarding "
		 "infrastructural prioritisation, stakeholders' representations concerning "
		 "intergenerational sustainability necessitate comprehensive reconsideration.\"\n"
		 "lead: police\nlevel: inform\nareas: [all]\nopens: 2026-11-01\n"
		 "closes: 2026-11-30\n---\n"
		 "A map: ![](map.png)\n\n"
		 "To respond, [click here](https://example.org/a).\n\n"
		 "See [the plan](https://example.org/plan-1) and later\n"
		 "[the plan](https://example.org/plan-2).\n");
	CHECK_INT(tu_build(s.src, s.out, "2026-11-23", &printed), 0);
	CHECK_HAS(printed, "content/consultations/checks.md:3:10: warning: the summary is hard to read");
	CHECK_HAS(printed, "content/consultations/checks.md:10:8: warning: an image has no text alternative (alt text)");
	CHECK_HAS(printed, "content/consultations/checks.md:12:13: warning: the link text \"click here\" does not make sense on its own");
	CHECK_HAS(printed, "content/consultations/checks.md:15:1: warning: the link text \"the plan\" is also used on line 14 for another address");
	/* warnings do not stop the build */
	CHECK(tu_exists(s.out, "consultations/checks/index.html"));
	free(printed);
	site_free(&s);
}

/* ---- the command line ------------------------------------------------------ */

static void
cli__help_version_and_usage_errors(void)
{
	char cmd[512], *out = NULL;

	snprintf(cmd, sizeof(cmd), "%s --help", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_HAS(out, "Usage: noticeboard");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s --version", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_HAS(out, "noticeboard ");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s frobnicate", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 2);
	CHECK_HAS(out, "unknown command 'frobnicate'");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s build --now 2026-02-30", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 2);
	free(out);
	snprintf(cmd, sizeof(cmd), "%s build --bogus", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 2);
	free(out);
	snprintf(cmd, sizeof(cmd), "SOURCE_DATE_EPOCH=soon %s build", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 2);
	free(out);
}

static void
cli__content_errors_exit_1_and_write_nothing(void)
{
	site s;
	char cmd[8192], *out = NULL;

	site_new(&s);
	tu_write(s.src, "content/consultations/bad.md", "---\ntitle: [\n---\n");
	snprintf(cmd, sizeof(cmd), "%s build --source '%s' --output '%s' --now 2026-11-23",
		 tu_bin(), s.src, s.out);
	CHECK_INT(tu_run(cmd, &out), 1);
	CHECK_HAS(out, "content/consultations/bad.md:");
	CHECK_HAS(out, "nothing was written");
	CHECK(tu_exists(s.out, "sentinel.html"));
	free(out);
	snprintf(cmd, sizeof(cmd), "%s check --source '%s'", tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 1);
	free(out);
	site_free(&s);
}

static void
cli__source_date_epoch_sets_today(void)
{
	site s;
	char cmd[8192], *out = NULL, *page;

	site_new(&s);
	/* 2027-03-01T00:30:00Z: feedback overdue for bus-review */
	snprintf(cmd, sizeof(cmd),
		 "SOURCE_DATE_EPOCH=1803861000 %s build --quiet --source '%s' --output '%s'",
		 tu_bin(), s.src, s.out);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_STR(out, "");
	page = tu_read(s.out, "consultations/bus-review/index.html");
	CHECK_HAS(page, "tag--feedback-overdue");
	CHECK_HAS(page, "datetime=\"2027-03-01\"");
	free(page);
	free(out);
	site_free(&s);
}

/* check's build renders every page and writes only the list of files */
static void
build__dry_build_writes_only_the_list_of_files(void)
{
	site s;
	nb_build_opts o;
	nb_build_stats st;
	nb_diags d = NB_DIAGS_INIT;
	char why[128], out[4200];
	char *list;

	site_new(&s);
	snprintf(out, sizeof(out), "%s/dry", s.root);
	memset(&o, 0, sizeof(o));
	o.source = s.src;
	o.output = out;
	o.share = ".";
	o.has_today = 1;
	o.dry = 1;
	nb_date_parse(&o.today, "2026-11-23", 10, why, sizeof(why));
	CHECK_INT(nb_build(&o, &st, &d), 0);
	nb_diags_free(&d);
	CHECK(st.files > 20);
	list = tu_read(out, ".noticeboard/files");
	CHECK_HAS(list, "\nconsultations/bus-review/index.html\n");
	CHECK_HAS(list, "\nindex.html\n");
	CHECK_HAS(list, "\nsitemap.xml\n");
	free(list);
	CHECK(!tu_exists(out, "index.html"));
	CHECK(!tu_exists(out, "consultations/bus-review/index.html"));
	CHECK(!tu_exists(out, ".noticeboard/manifest"));
	site_free(&s);
}

void
suite_build(void)
{
	RUN(build__bad_input_cases);
	RUN(build__minimal_site_builds_and_replaces_output);
	RUN(build__rollup_ward_to_district_and_county);
	RUN(build__status_follows_the_date);
	RUN(build__outcome_and_cancelled);
	RUN(build__escapes_html_in_fields_and_markdown);
	RUN(build__warns_about_unknown_fields);
	RUN(build__site_path_prefix_from_base_url);
	RUN(build__layouts_override_the_theme);
	RUN(build__template_error_keeps_old_site);
	RUN(build__long_lists_are_paginated);
	RUN(build__pagination_shows_pages_near_this_one);
	RUN(build__feedback_promises_are_paginated);
	RUN(build__embeds_carry_the_sites_brand);
	RUN(build__content_checks_warn_about_links_images_and_hard_summaries);
	RUN(build__month_grid_is_an_accessible_table);
	RUN(build__dry_build_writes_only_the_list_of_files);
	RUN(cli__help_version_and_usage_errors);
	RUN(cli__content_errors_exit_1_and_write_nothing);
	RUN(cli__source_date_epoch_sets_today);
}
