/*
 * test_site.c - the example site, built at a fixed date (2026-11-23), page
 * by page: statuses, roll-ups, calendar, outcomes, and checks over every
 * page (one h1, unique titles, no broken internal links, nothing left of
 * the templates).  The expected figures are counted by hand from content/
 * (docs/example-content.md lists them).
 */
#include "harness.h"
#include "util.h"

#include "write.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define page tu_example_file
#define site_out tu_example

static void
site__builds_without_warnings(void)
{
	CHECK(tu_example() != NULL);
	CHECK_STR(tu_example_printed(), "");
}

static const struct { const char *id, *status; } expected_status[] = {
	{ "ashvale-local-plan-review", "upcoming" },
	{ "coldwater-community-hall-transfer", "upcoming" },
	{ "county-council-budget-2027-28", "upcoming" },
	{ "harrowdale-bin-collection-changes", "upcoming" },
	{ "bridge-street-roadworks", "open" },
	{ "kingsbridge-town-centre-parking-review", "open" },
	{ "millbrook-estate-improvements", "open" },
	{ "young-peoples-mental-health-support", "open" },
	{ "ashvale-town-policing-priorities", "closing-soon" },
	{ "fire-community-risk-management-plan", "closing-soon" },
	{ "harrowdale-rural-bus-services", "closing-soon" },
	{ "kingsbridge-library-opening-hours", "closed" },
	{ "northgate-fields-play-area", "closed" },
	{ "thornshire-carers-strategy", "closed" },
	{ "ashvale-garden-waste-charges", "feedback-overdue" },
	{ "harrowby-town-centre-cctv", "feedback-overdue" },
	{ "ashvale-community-grants-vote-2026", "outcome-published" },
	{ "gp-evening-weekend-appointments", "outcome-published" },
	{ "hollins-and-wyke-flood-plan", "outcome-published" },
	{ "household-waste-recycling-centres", "outcome-published" },
	{ "kingsbridge-city-centre-pspo", "outcome-published" },
	{ "kingsbridge-homelessness-strategy", "outcome-published" },
	{ "thornshire-youth-offer-review", "outcome-published" },
	{ "abbey-community-centre-future", "cancelled" },
	{ "home-to-school-transport-policy", "cancelled" },
	{ "harrowby-leisure-centre-options", "postponed" },
	{ "police-101-contact-review", "postponed" },
};

static void
site__every_consultation_has_its_status(void)
{
	size_t i;

	for (i = 0; i < sizeof(expected_status) / sizeof(expected_status[0]); i++) {
		char rel[256], want[128], *p;
		snprintf(rel, sizeof(rel), "consultations/%s/index.html",
			 expected_status[i].id);
		snprintf(want, sizeof(want), "status-box--%s\"",
			 expected_status[i].status);
		p = page(rel);
		if (p && !strstr(p, want))
			nb_test_fail(__FILE__, __LINE__, "%s: want status %s",
				     expected_status[i].id, expected_status[i].status);
		free(p);
	}
}

static void
site__consultations_index_groups_by_status(void)
{
	char *p = page("consultations/index.html");

	CHECK_HAS(p, "Closing soon (3)");
	CHECK_HAS(p, ">Open (4)");
	CHECK_HAS(p, "Coming up (4)");
	CHECK_HAS(p, "Postponed (2)");
	CHECK_HAS(p, "Closed: feedback on its way (3)");
	CHECK_HAS(p, "Closed: feedback overdue (2)");
	CHECK_HAS(p, "Closed: outcome published (7)");
	CHECK_HAS(p, "Cancelled (2)");
	CHECK_HAS(p, "<a href=\"/consultations/harrowdale-rural-bus-services/\">");
	CHECK_HAS(p, "<a href=\"/consultations/home-to-school-transport-policy/\">");
	free(p);
}

static void
site__consultation_page_has_everything(void)
{
	char *p = page("consultations/kingsbridge-town-centre-parking-review/index.html");

	CHECK_HAS(p, "<h1>Kingsbridge town centre parking review</h1>");
	CHECK_HAS(p, "Closes <time datetime=\"2027-01-10\">10 January 2027</time>");
	CHECK_HAS(p, "48 days left to take part (as of 23 November 2026)");
	CHECK_HAS(p, "How to take part");
	CHECK_HAS(p, "What you can influence");
	CHECK_HAS(p, "What you cannot influence");
	CHECK_HAS(p, "Feedback promised by</dt><dd><time datetime=\"2027-03-12\">12 March 2027</time>");
	CHECK_HAS(p, "Tuesday 8 December 2026, 7pm to 9pm");
	CHECK_HAS(p, "Thursday 3 December 2026, 8am to 9:30am");
	CHECK_HAS(p, "<dt>Step-free access</dt><dd>Yes</dd>");
	CHECK_HAS(p, "<dt>Hearing loop</dt>");
	CHECK_HAS(p, "British Sign Language (BSL) interpreter");
	CHECK_HAS(p, "<strong class=\"tag tag--cancelled\">Cancelled</strong> This event will not take place.");
	CHECK_HAS(p, "href=\"/partners/thornshire-police/\"");
	CHECK_HAS(p, "href=\"/areas/abbey-ward/\"");
	free(p);
}

static void
site__summer_time_events_carry_their_offset(void)
{
	char *p = page("consultations/ashvale-community-grants-vote-2026/index.html");

	CHECK_HAS(p, "2026-06-13T");
	CHECK_HAS(p, "+01:00\"");
	free(p);
	p = page("consultations/kingsbridge-town-centre-parking-review/index.html");
	CHECK_HAS(p, "datetime=\"2026-12-08T19:00:00+00:00\"");
	free(p);
}

static void
site__ward_activity_rolls_up_to_district_and_county(void)
{
	static const char *pages[] = { "areas/abbey-ward/index.html",
		"areas/kingsbridge/index.html", "areas/thornshire/index.html" };
	size_t i;
	char *p;

	for (i = 0; i < 3; i++) {
		p = page(pages[i]);
		CHECK_HAS(p, "/consultations/kingsbridge-town-centre-parking-review/");
		/* `all` activities show everywhere */
		CHECK_HAS(p, "/consultations/county-council-budget-2027-28/");
		free(p);
	}
	/* a district activity does not show on a ward in another district */
	p = page("areas/abbey-ward/index.html");
	CHECK_LACKS(p, "/consultations/ashvale-local-plan-review/");
	CHECK_HAS(p, "Part of</dt><dd><a href=\"/areas/kingsbridge/\">");
	free(p);
	/* a parish activity shows on its ward, district and county */
	p = page("areas/hollins-and-wyke-ward/index.html");
	CHECK_HAS(p, "/consultations/hollins-and-wyke-flood-plan/");
	free(p);
	p = page("areas/ashvale/index.html");
	CHECK_HAS(p, "/consultations/hollins-and-wyke-flood-plan/");
	CHECK_HAS(p, "/outcomes/hollins-and-wyke-flood-plan-agreed/");
	free(p);
}

static void
site__areas_index_is_the_tree(void)
{
	char *p = page("areas/index.html");

	CHECK_HAS(p, "href=\"/areas/thornshire/\"");
	CHECK_HAS(p, "href=\"/areas/wyke-parish/\"");
	CHECK_HAS(p, "href=\"/areas/millbrook-estate/\"");
	free(p);
}

static void
site__calendar_lists_by_month(void)
{
	char *p = page("calendar/index.html");

	CHECK_HAS(p, ">November 2026</a></h2>");
	CHECK_HAS(p, ">December 2026</a></h2>");
	CHECK_HAS(p, "Earlier months");
	/* from today on: the walkabout on 25 November, not the one on the 12th */
	CHECK_HAS(p, "/events/millbrook-engagement-week-walkabout-2026-11-25/");
	CHECK_LACKS(p, "/events/northgate-community-safety-walkabout-2026-11-12/");
	free(p);
	p = page("calendar/2026/11/index.html");
	CHECK_HAS(p, "<h1>November 2026</h1>");
	CHECK_HAS(p, "/events/northgate-community-safety-walkabout-2026-11-12/");
	CHECK_HAS(p, "<time datetime=\"2026-11-12\">Thursday 12 November 2026</time>");
	CHECK_HAS(p, "rel=\"next\"");
	free(p);
	p = page("calendar/2026/06/index.html");
	CHECK_HAS(p, "<h1>June 2026</h1>");
	free(p);
}

static void
site__feedback_lists_outcomes_and_overdue_promises(void)
{
	char *p = page("feedback/index.html");

	CHECK_HAS(p, "7 outcomes published, 2 of them late. 2 overdue.");
	CHECK_HAS(p, "/consultations/harrowby-town-centre-cctv/");
	CHECK_HAS(p, "/consultations/ashvale-garden-waste-charges/");
	CHECK_HAS(p, "/outcomes/gp-evening-weekend-appointments-outcome/");
	free(p);
	p = page("outcomes/gp-evening-weekend-appointments-outcome/index.html");
	CHECK_HAS(p, ", late (promised by <time datetime=\"2026-09-30\">30 September 2026</time>)");
	CHECK_HAS(p, "6105 responses");
	CHECK_HAS(p, "<caption>Responses by method</caption>");
	free(p);
	p = page("outcomes/recycling-centres-you-said-we-did/index.html");
	CHECK_HAS(p, ", on time (promised by");
	CHECK_HAS(p, "Point 5:");
	CHECK_HAS(p, "<dt>You said</dt>");
	free(p);
}

static void
site__home_page_sections(void)
{
	char *p = page("index.html");

	CHECK_HAS(p, "<title>Thornshire Partnership engagement calendar</title>");
	CHECK_HAS(p, "Closing soon</h2>");
	CHECK_HAS(p, "/consultations/harrowdale-rural-bus-services/");
	CHECK_HAS(p, "Next events</h2>");
	CHECK_HAS(p, "latest outcomes</h2>");
	CHECK_HAS(p, "All consultations (7 open now)");
	free(p);
}

static void
site__content_pages_and_404(void)
{
	static const char *pages[] = { "about/index.html",
		"engagement-standards/index.html", "accessibility/index.html",
		"privacy/index.html", "404.html" };
	size_t i;
	char *p;

	for (i = 0; i < 5; i++) {
		p = page(pages[i]);
		free(p);
	}
	p = page("accessibility/index.html");
	CHECK_HAS(p, "Advisory and Support Service");
	CHECK_HAS(p, "Equality and Human Rights Commission");
	free(p);
	p = page("404.html");
	CHECK_HAS(p, "<h1>Page not found</h1>");
	free(p);
}

static void
site__partner_topic_audience_pages(void)
{
	char *p = page("partners/thornshire-police/index.html");

	CHECK_HAS(p, "<h1>Thornshire Constabulary</h1>");
	CHECK_HAS(p, "/consultations/ashvale-town-policing-priorities/");
	CHECK_HAS(p, "/events/kingsbridge-central-have-your-say-2026-12-10/");
	free(p);
	p = page("topics/transport/index.html");
	CHECK_HAS(p, "/consultations/harrowdale-rural-bus-services/");
	free(p);
	p = page("audiences/young-people/index.html");
	CHECK_HAS(p, "/consultations/young-peoples-mental-health-support/");
	free(p);
	p = page("events/thornshire-youth-forum-2027-02-17/index.html");
	CHECK_HAS(p, "Wednesday 17 February 2027, 1pm to 4pm");
	free(p);
}

/* ---- checks over every page ------------------------------------------------ */

typedef struct walk {
	char **titles;
	size_t n, cap;
	int pages;
} walk;

static int
link_target_exists(const char *root, const char *href)
{
	char rel[4096];
	size_t n = strcspn(href, "#?\"");

	if (n == 0)
		return 1;
	snprintf(rel, sizeof(rel), "%.*s", (int)n - 1, href + 1);   /* drop the leading / */
	if (n == 1 || rel[strlen(rel) - 1] == '/')
		strncat(rel, "index.html", sizeof(rel) - strlen(rel) - 1);
	return tu_exists(root, rel);
}

static void
check_page(walk *w, const char *root, const char *rel)
{
	char *p = tu_read(root, rel), *t, *e;
	const char *s;
	int h1 = 0;

	w->pages++;
	for (s = p; (s = strstr(s, "<h1")) != NULL; s++)
		h1++;
	if (h1 != 1)
		nb_test_fail(__FILE__, __LINE__, "%s has %d h1 elements", rel, h1);
	if (strstr(p, "{{") || strstr(p, "}}"))
		nb_test_fail(__FILE__, __LINE__, "%s has template tags left", rel);
	if (!strstr(p, "<html lang=\"en-GB\">") || !strstr(p, "<main"))
		nb_test_fail(__FILE__, __LINE__, "%s lacks lang or main", rel);
	/* embeds are small listings inside partners' own pages: no site
	 * header, footer or skip link of their own */
	if (strncmp(rel, "embed/", 6) != 0 &&
	    (!strstr(p, "<a class=\"skip-link\" href=\"#main-content\">") ||
	     !strstr(p, "<main id=\"main-content\"")))
		nb_test_fail(__FILE__, __LINE__, "%s lacks a skip link to main", rel);
	if (strncmp(rel, "embed/", 6) != 0 && !strstr(p, "href=\"/accessibility/\""))
		nb_test_fail(__FILE__, __LINE__, "%s has no link to the accessibility statement", rel);
	t = strstr(p, "<title>");
	e = t ? strstr(t, "</title>") : NULL;
	if (t && e) {
		size_t i;
		char *title = strndup(t + 7, (size_t)(e - t - 7));
		for (i = 0; i < w->n; i++)
			if (strcmp(w->titles[i], title) == 0)
				nb_test_fail(__FILE__, __LINE__,
					     "%s repeats the title \"%s\"", rel, title);
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 64;
			w->titles = realloc(w->titles, w->cap * sizeof(char *));
		}
		w->titles[w->n++] = title;
	}
	for (s = p; (s = strstr(s, "href=\"/")) != NULL; s += 7) {
		if (!link_target_exists(root, s + 6))
			nb_test_fail(__FILE__, __LINE__, "%s: broken link %.60s",
				     rel, s + 6);
	}
	free(p);
}

static void
walk_dir(walk *w, const char *root, const char *rel)
{
	char path[4096];
	struct dirent *de;
	DIR *dp;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	dp = opendir(path);
	if (!dp)
		return;
	while ((de = readdir(dp)) != NULL) {
		char child[4096];
		struct stat st;
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "",
			 de->d_name);
		if (snprintf(path, sizeof(path), "%s/%s", root, child) >=
		    (int)sizeof(path) || stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk_dir(w, root, child);
		else if (n > 5 && strcmp(de->d_name + n - 5, ".html") == 0)
			check_page(w, root, child);
	}
	closedir(dp);
}

static void
site__every_page_is_well_formed_and_links_resolve(void)
{
	walk w;
	size_t i;

	memset(&w, 0, sizeof(w));
	walk_dir(&w, site_out(), "");
	CHECK(w.pages > 100);
	for (i = 0; i < w.n; i++)
		free(w.titles[i]);
	free(w.titles);
}

static void
site__two_builds_are_identical(void)
{
	const char *first = site_out();
	char p[4096], *cmd, *o = NULL;
	size_t n;

	snprintf(p, sizeof(p), "%s/again", tu_example_scratch());
	CHECK_INT(tu_build(".", p, "2026-11-23", NULL), 0);
	n = strlen(first) + strlen(p) + 32;
	cmd = malloc(n);
	snprintf(cmd, n, "diff -r '%s' '%s'", first, p);
	CHECK_INT(tu_run(cmd, &o), 0);
	CHECK_STR(o, "");
	free(o);
	free(cmd);
}

void
suite_site(void)
{
	RUN(site__builds_without_warnings);
	RUN(site__every_consultation_has_its_status);
	RUN(site__consultations_index_groups_by_status);
	RUN(site__consultation_page_has_everything);
	RUN(site__summer_time_events_carry_their_offset);
	RUN(site__ward_activity_rolls_up_to_district_and_county);
	RUN(site__areas_index_is_the_tree);
	RUN(site__calendar_lists_by_month);
	RUN(site__feedback_lists_outcomes_and_overdue_promises);
	RUN(site__home_page_sections);
	RUN(site__content_pages_and_404);
	RUN(site__partner_topic_audience_pages);
	RUN(site__every_page_is_well_formed_and_links_resolve);
	RUN(site__two_builds_are_identical);
}
