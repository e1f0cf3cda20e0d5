/*
 * test_report.c - feedback promises, accountability pages and the yearly
 * report of the example site at 2026-11-23.  Every figure below was
 * counted by hand from content/ (and re-counted by a separate script),
 * not taken from the program's output.
 */
#include "harness.h"
#include "util.h"

#include "report.h"
#include "write.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define page tu_example_file

/* Hand counts for 2026 (activities that opened in 2026). */
static const struct { const char *table, *id; long count; } counts_2026[] = {
	{ "level", "inform", 1 }, { "level", "consult", 12 },
	{ "level", "involve", 4 }, { "level", "collaborate", 3 },
	{ "level", "empower", 1 },
	{ "partner", "thornshire-county-council", 10 },
	{ "partner", "kingsbridge-city-council", 7 },
	{ "partner", "thornshire-cvs", 6 },
	{ "partner", "ashvale-district-council", 5 },
	{ "partner", "thornshire-police", 5 },
	{ "partner", "harrowdale-district-council", 4 },
	{ "partner", "thornshire-icb", 4 },
	{ "partner", "thornshire-fire-rescue", 2 },
	{ "partner", "thorn-valley-homes", 2 },
	{ "area", "thornshire", 14 }, { "area", "kingsbridge", 7 },
	{ "area", "ashvale", 4 }, { "area", "harrowdale", 3 },
	{ "area", "", 7 },   /* Everywhere */
	{ "topic", "community-safety", 6 }, { "topic", "budget", 5 },
	{ "topic", "health", 5 }, { "topic", "environment", 3 },
	{ "topic", "youth-services", 3 }, { "topic", "parks", 3 },
	{ "topic", "transport", 3 }, { "topic", "housing", 2 },
	{ "topic", "social-care", 1 }, { "topic", "libraries", 1 },
	{ "topic", "planning", 0 },
	{ "summary", "activities", 21 }, { "summary", "cancelled", 2 },
	{ "summary", "responses", 16968 }, { "summary", "outcomes", 7 },
	{ "feedback", "closed", 12 }, { "feedback", "on_time", 5 },
	{ "feedback", "late", 2 }, { "feedback", "overdue", 2 },
	{ "feedback", "awaiting", 3 }, { "feedback", "undated", 0 },
	/* days from closing to feedback: 20 54 54 56 79 103 109 */
	{ "feedback", "median_days_to_feedback", 56 },
};

static void
report__csv_figures_equal_hand_counts(void)
{
	char *csv = page("reports/2026/report.csv");
	size_t i;

	if (!csv)
		return;
	CHECK(strncmp(csv, "table,id,label,value\r\n", 22) == 0);
	for (i = 0; i < sizeof(counts_2026) / sizeof(counts_2026[0]); i++) {
		char prefix[128], *line;
		int found = 0;
		snprintf(prefix, sizeof(prefix), "\n%s,%s,", counts_2026[i].table,
			 counts_2026[i].id);
		for (line = csv; (line = strstr(line, prefix)) != NULL; line++) {
			/* value is after the label: the last field on the line */
			char *eol = strstr(line + 1, "\r\n"), *comma;
			if (!eol)
				break;
			for (comma = eol; comma > line && *comma != ','; comma--)
				;
			found = 1;
			if (strtol(comma + 1, NULL, 10) != counts_2026[i].count)
				nb_test_fail(__FILE__, __LINE__, "%s %s: got %.*s, want %ld",
					     counts_2026[i].table, counts_2026[i].id,
					     (int)(eol - comma - 1), comma + 1,
					     counts_2026[i].count);
			break;
		}
		if (!found)
			nb_test_fail(__FILE__, __LINE__, "no CSV row %s,%s",
				     counts_2026[i].table, counts_2026[i].id);
	}
	CHECK_HAS(csv, "\r\nfeedback,on_time_share,Share published on time,0.555556\r\n");
	free(csv);
}

static long
json_count(json_t *list, const char *id)
{
	size_t i;
	json_t *it;

	json_array_foreach(list, i, it) {
		json_t *jid = json_object_get(it, "id");
		const char *s = json_is_string(jid) ? json_string_value(jid) : "";
		if (strcmp(s, id) == 0)
			return (long)json_integer_value(json_object_get(it, "count"));
	}
	return -1;
}

static void
report__json_figures_equal_hand_counts(void)
{
	char *text = page("reports/2026/report.json");
	json_error_t e;
	json_t *root, *fb;
	size_t i;

	if (!text)
		return;
	root = json_loads(text, 0, &e);
	CHECK(root != NULL);
	if (!root) {
		free(text);
		return;
	}
	CHECK_INT(json_integer_value(json_object_get(root, "year")), 2026);
	fb = json_object_get(root, "feedback");
	for (i = 0; i < sizeof(counts_2026) / sizeof(counts_2026[0]); i++) {
		const char *t = counts_2026[i].table;
		long got;
		if (strcmp(t, "summary") == 0)
			got = (long)json_integer_value(json_object_get(root,
							counts_2026[i].id));
		else if (strcmp(t, "feedback") == 0)
			got = (long)json_number_value(json_object_get(fb,
							counts_2026[i].id));
		else {
			char key[32];
			snprintf(key, sizeof(key), "by_%s", t);
			got = json_count(json_object_get(root, key), counts_2026[i].id);
		}
		if (got != counts_2026[i].count)
			nb_test_fail(__FILE__, __LINE__, "JSON %s %s: got %ld, want %ld",
				     t, counts_2026[i].id, got, counts_2026[i].count);
	}
	CHECK(json_number_value(json_object_get(fb, "on_time_share")) > 0.5555 &&
	      json_number_value(json_object_get(fb, "on_time_share")) < 0.5556);
	json_decref(root);
	free(text);
}

static void
report__page_has_charts_tables_and_sentences(void)
{
	char *p = page("reports/2026/index.html");
	const char *s;
	int svgs = 0, tables = 0;

	if (!p)
		return;
	for (s = p; (s = strstr(s, "<svg ")) != NULL; s++)
		svgs++;
	for (s = p; (s = strstr(s, "<table ")) != NULL; s++)
		tables++;
	CHECK_INT(svgs, 5);
	CHECK_INT(tables, 5);   /* every chart has its figures as a table */
	CHECK_HAS(p, "role=\"img\" aria-labelledby=\"chart-by-level-title chart-by-level-summary\"");
	CHECK_HAS(p, "Most activities were at the Consult level (12 of 21).");
	CHECK_HAS(p, "Thornshire County Council took part in the most activities (10 of 21).");
	CHECK_HAS(p, "The most common topic was Community safety (6 of 21 activities).");
	CHECK_HAS(p, "Of 9 feedback promises that fell due, 5 were kept on time (56%).");
	CHECK_HAS(p, "<dt>Median time from closing to feedback</dt><dd>56 days</dd>");
	CHECK_HAS(p, "<th scope=\"row\">Consult</th><td class=\"num\">12</td><td class=\"num\">57%</td>");
	CHECK_HAS(p, "href=\"/reports/2026/report.csv\"");
	CHECK_LACKS(p, "<script");
	free(p);
	p = page("reports/index.html");
	CHECK_HAS(p, "href=\"/reports/2026/\"");
	free(p);
}

static void
report__accountability_pages(void)
{
	char *p = page("feedback/partners/thornshire-police/index.html");

	if (!p)
		return;
	/* police: CCTV (overdue), city centre PSPO (on time) */
	CHECK_HAS(p, "<h1>Feedback promises: Thornshire Constabulary</h1>");
	CHECK_HAS(p, "/consultations/harrowby-town-centre-cctv/");
	CHECK_HAS(p, "<dt>Feedback overdue</dt><dd>1</dd>");
	CHECK_HAS(p, "<dt>Published on time</dt><dd>1</dd>");
	CHECK_HAS(p, "<dt>Published late</dt><dd>0</dd>");
	free(p);
	p = page("feedback/areas/ashvale/index.html");
	/* Ashvale with everything for everywhere: on time: grants, flood
	 * plan, recycling, youth offer; late: GP; overdue: garden waste;
	 * awaiting: carers; and the policing priorities are still open */
	CHECK_HAS(p, "<dt>Published on time</dt><dd>4</dd>");
	CHECK_HAS(p, "<dt>Published late</dt><dd>1</dd>");
	CHECK_HAS(p, "<dt>Feedback overdue</dt><dd>1</dd>");
	CHECK_HAS(p, "<dt>Feedback on its way</dt><dd>1</dd>");
	CHECK_LACKS(p, "/consultations/ashvale-town-policing-priorities/");
	free(p);
	p = page("partners/thornshire-police/index.html");
	CHECK_HAS(p, "href=\"/feedback/partners/thornshire-police/\"");
	free(p);
	p = page("areas/ashvale/index.html");
	CHECK_HAS(p, "href=\"/feedback/areas/ashvale/\"");
	free(p);
	p = page("consultations/gp-evening-weekend-appointments/index.html");
	CHECK_HAS(p, "<dt>Feedback promise</dt><dd>Published late</dd>");
	free(p);
	p = page("feedback/index.html");
	CHECK_HAS(p, "href=\"/feedback/partners/thornshire-police/\"");
	CHECK_HAS(p, "href=\"/feedback/areas/kingsbridge/\"");
	free(p);
}

static void
report__outcome_updates_show_what_changed_and_when(void)
{
	char *p = page("outcomes/recycling-centres-you-said-we-did/index.html");
	char *a, *b;

	if (!p)
		return;
	CHECK_HAS(p, "<dt>Last updated</dt><dd><time datetime=\"2026-11-02\">2 November 2026</time></dd>");
	a = strstr(p, "2 November 2026</time>: Staff");
	b = strstr(p, "14 September 2026</time>: The new booking");
	CHECK(a && b && a < b);   /* newest first */
	free(p);
}

static void
report__promise_states_in_a_minimal_site(void)
{
	char *root = tu_tmpdir(), src[4200], dst[4200], *p;
	nb_report r;

	(void)r;
	snprintf(src, sizeof(src), "%s/site", root);
	snprintf(dst, sizeof(dst), "%s/public", root);
	tu_copy_tree("tests/fixtures/minimal", src);
	/* old-survey: closed 2026-02-01, promised 2026-04-01, published
	 * 2026-03-15: on time, 42 days */
	CHECK_INT(tu_build(src, dst, "2026-11-23", NULL), 0);
	p = tu_read(dst, "reports/2026/report.csv");
	CHECK_HAS(p, "\r\nfeedback,on_time,Published on time,1\r\n");
	CHECK_HAS(p, "\r\nfeedback,median_days_to_feedback,Median days from closing to feedback,42\r\n");
	CHECK_HAS(p, "\r\nsummary,activities,Activities,2\r\n");
	free(p);
	nb_rmtree(root);
	free(root);
}

void
suite_report(void)
{
	RUN(report__csv_figures_equal_hand_counts);
	RUN(report__json_figures_equal_hand_counts);
	RUN(report__page_has_charts_tables_and_sentences);
	RUN(report__accountability_pages);
	RUN(report__outcome_updates_show_what_changed_and_when);
	RUN(report__promise_states_in_a_minimal_site);
}
