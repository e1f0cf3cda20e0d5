/*
 * test_feeds.c - calendar feeds (parsed back with libical), recurrence,
 * Atom, open data (validated against its published JSON Schemas with
 * python3-jsonschema), JSON-LD, embeds, the subscribe page and sitemap.
 * The example site is built at 2026-11-23.
 */
#include "harness.h"
#include "util.h"

#include "ical.h"
#include "render.h"
#include "write.h"

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define site_out tu_example
#define tmp tu_example_scratch()

/* An iCalendar text with its folded lines joined again. */
static char *
unfold(char *t)
{
	char *r = t, *w = t;

	if (!t)
		return NULL;
	while (*r) {
		if (r[0] == '\r' && r[1] == '\n' && r[2] == ' ') {
			r += 3;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	return t;
}

#define file tu_example_file

/* Lines of an iCalendar text: CRLF only, at most 75 octets, each physical
 * line valid UTF-8 on its own (folding never splits a character). */
static void
check_lines(const char *name, const char *t)
{
	const char *p = t;
	int lineno = 1;

	while (*p) {
		const char *e = strstr(p, "\r\n");
		size_t n, i;
		if (!e) {
			nb_test_fail(__FILE__, __LINE__, "%s:%d: no CRLF at the end",
				     name, lineno);
			return;
		}
		n = (size_t)(e - p);
		if (n > 75)
			nb_test_fail(__FILE__, __LINE__, "%s:%d: %zu octets", name,
				     lineno, n);
		if (memchr(p, '\n', n) || memchr(p, '\r', n))
			nb_test_fail(__FILE__, __LINE__, "%s:%d: bare CR or LF",
				     name, lineno);
		for (i = 0; i < n;) {
			unsigned char c = (unsigned char)p[i];
			size_t w = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 :
				   (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
			size_t k;
			if (!w || i + w > n) {
				nb_test_fail(__FILE__, __LINE__,
					     "%s:%d: a UTF-8 character is split", name, lineno);
				break;
			}
			for (k = 1; k < w; k++)
				if (((unsigned char)p[i + k] & 0xC0) != 0x80)
					nb_test_fail(__FILE__, __LINE__,
						     "%s:%d: bad UTF-8", name, lineno);
			i += w;
		}
		p = e + 2;
		lineno++;
	}
}

/* Every .ics file under dir (relative to the output). */
static int
each_ics(const char *rel, int (*fn)(const char *rel))
{
	char path[4200];
	struct dirent *de;
	DIR *dp;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", site_out(), rel);
	dp = opendir(path);
	if (!dp)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		char child[4200];
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "",
			 de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".ics") == 0)
			n += fn(child);
		else if (!strchr(de->d_name, '.'))
			n += each_ics(child, fn);
	}
	closedir(dp);
	return n;
}

static int
validate_one(const char *rel)
{
	char *t = file(rel), why[256];

	if (!t)
		return 0;
	if (nb_ical_validate(t, why, sizeof(why)) != 0)
		nb_test_fail(__FILE__, __LINE__, "%s: %s", rel, why);
	check_lines(rel, t);
	if (!strstr(t, "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"))
		nb_test_fail(__FILE__, __LINE__, "%s has no VTIMEZONE", rel);
	free(t);
	return 1;
}

static void
feeds__every_calendar_parses_back_with_libical(void)
{
	int n = each_ics("", validate_one);

	/* everything + 20 areas + 9 partners + 11 topics */
	CHECK_INT(n, 41);
}

static void
feeds__items_have_uid_url_status_and_location(void)
{
	char *t = unfold(file("calendar.ics"));

	CHECK_HAS(t, "UID:consultation-kingsbridge-town-centre-parking-review-event-1@engage.thornshire.example\r\n");
	CHECK_HAS(t, "UID:consultation-county-council-budget-2027-28-opens@engage.thornsh");
	CHECK_HAS(t, "DTSTART;TZID=Europe/London:20261208T190000\r\n");
	CHECK_HAS(t, "DTSTART;VALUE=DATE:20270110\r\n");
	CHECK_HAS(t, "URL:https://engage.thornshire.example/consultations/kingsbrid");
	CHECK_HAS(t, "LOCATION:Kingsbridge Central Library\\, 1 High Street\\, Kingsbr");
	/* the cancelled drop-in and the cancelled consultation stay, marked */
	CHECK_HAS(t, "STATUS:CANCELLED\r\n");
	CHECK_HAS(t, "X-NOTICEBOARD-JOIN-URL:https://");
	CHECK_HAS(t, "REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n");
	CHECK_HAS(t, "DTSTAMP:20261123T000000Z\r\n");
	free(t);
	{
		/* the cancelled Abbey drop-in is event 2 of the parking review */
		char *s = unfold(file("calendar.ics"));
		char *u = strstr(s, "UID:consultation-kingsbridge-town-centre-parking-review-event-2@");
		char *end = u ? strstr(u, "END:VEVENT") : NULL;
		char *st = u ? strstr(u, "STATUS:CANCELLED") : NULL;
		CHECK(u && end && st && st < end);
		free(s);
	}
}

static void
feeds__area_feeds_roll_up_and_partner_feeds_filter(void)
{
	char *t = unfold(file("feeds/areas/thornshire.ics"));

	CHECK_HAS(t, "parking-review-event-1@");   /* a ward's, in the county */
	CHECK_HAS(t, "UID:event-abbey-ward-police-surgery@");
	free(t);
	t = unfold(file("feeds/areas/ashvale.ics"));
	CHECK_LACKS(t, "parking-review-event-1@"); /* another district's */
	CHECK_HAS(t, "county-council-budget-2027-28-opens@"); /* everywhere */
	free(t);
	t = unfold(file("feeds/partners/thornshire-fire-rescue.ics"));
	CHECK_HAS(t, "fire-community-risk-management-plan");
	CHECK_LACKS(t, "parking-review");
	free(t);
	t = unfold(file("feeds/topics/transport.ics"));
	CHECK_HAS(t, "harrowdale-rural-bus-services");
	free(t);
}

static void
feeds__recurring_event_carries_its_rule_and_expands_in_the_calendar(void)
{
	char *t = unfold(file("calendar.ics")), *p;

	CHECK_HAS(t, "RRULE:FREQ=MONTHLY;COUNT=12;BYDAY=2TU\r\n");
	CHECK_HAS(t, "EXDATE;TZID=Europe/London:20261208T190000\r\n");
	/* one VEVENT for the series, not one per occurrence */
	p = strstr(t, "UID:event-abbey-ward-police-surgery@");
	CHECK(p && !strstr(p + 1, "UID:event-abbey-ward-police-surgery@"));
	free(t);
	/* the HTML calendar shows each occurrence at 7pm local time, on
	 * both sides of the change back to GMT, and not on 8 December */
	p = file("calendar/2026/10/index.html");
	CHECK_HAS(p, "datetime=\"2026-10-13T19:00:00+01:00\"");
	free(p);
	p = file("calendar/2026/11/index.html");
	CHECK_HAS(p, "datetime=\"2026-11-10T19:00:00+00:00\"");
	free(p);
	p = file("calendar/2026/12/index.html");
	CHECK_LACKS(p, "abbey-ward-police-surgery");
	free(p);
	p = file("calendar/2027/03/index.html");
	CHECK_HAS(p, "datetime=\"2027-03-09T19:00:00+00:00\"");
	free(p);
	p = file("calendar/2027/04/index.html");
	CHECK_HAS(p, "datetime=\"2027-04-13T19:00:00+01:00\"");
	free(p);
	p = file("events/abbey-ward-police-surgery/index.html");
	CHECK_HAS(p, "The second Tuesday of every month");
	CHECK_HAS(p, "Next dates");
	CHECK_HAS(p, "Tuesday 12 January 2027, 7pm to 8:30pm");
	CHECK_LACKS(p, "Tuesday 8 December 2026");
	free(p);
	p = file("areas/abbey-ward/index.html");
	CHECK_HAS(p, "/events/abbey-ward-police-surgery/");
	free(p);
}

static void
feeds__sequence_rises_only_when_an_item_changes(void)
{
	char *root = tu_tmpdir(), src[4200], dst[4200], *t, *ev;

	snprintf(src, sizeof(src), "%s/site", root);
	snprintf(dst, sizeof(dst), "%s/public", root);
	tu_copy_tree("tests/fixtures/minimal", src);
	CHECK_INT(tu_build(src, dst, "2026-11-23", NULL), 0);
	t = unfold(tu_read(dst, "calendar.ics"));
	CHECK_HAS(t, "UID:consultation-bus-review-event-1@engage.test.example");
	CHECK_LACKS(t, "SEQUENCE:1");
	free(t);
	/* the drop-in moves to 8pm */
	ev = tu_read(src, "content/consultations/bus-review.md");
	{
		char *p = strstr(ev, "start: 2026-12-08 19:00");
		CHECK(p != NULL);
		if (p)
			memcpy(p + 18, "20", 2);
		p = strstr(ev, "end: 2026-12-08 21:00");
		if (p)
			memcpy(p + 16, "22", 2);
	}
	tu_write(src, "content/consultations/bus-review.md", ev);
	free(ev);
	CHECK_INT(tu_build(src, dst, "2026-11-23", NULL), 0);
	t = unfold(tu_read(dst, "calendar.ics"));
	{
		char *u = strstr(t, "UID:consultation-bus-review-event-1@");
		char *end = u ? strstr(u, "END:VEVENT") : NULL;
		char *s1 = u ? strstr(u, "SEQUENCE:1\r\n") : NULL;
		CHECK(u && s1 && s1 < end);
		CHECK_HAS(u, "DTSTART;TZID=Europe/London:20261208T200000");
		/* the opening and closing days did not change */
		u = strstr(t, "UID:consultation-bus-review-opens@");
		end = u ? strstr(u, "END:VEVENT") : NULL;
		s1 = u ? strstr(u, "SEQUENCE:0\r\n") : NULL;
		CHECK(u && s1 && s1 < end);
	}
	free(t);
	/* a third build with nothing changed keeps 1 */
	CHECK_INT(tu_build(src, dst, "2026-11-24", NULL), 0);
	t = unfold(tu_read(dst, "calendar.ics"));
	CHECK_HAS(t, "SEQUENCE:1\r\n");
	CHECK_LACKS(t, "SEQUENCE:2");
	free(t);
	nb_rmtree(root);
	free(root);
}

static void
feeds__subscribe_page_explains_and_links_every_feed(void)
{
	char *p = file("subscribe/index.html");

	CHECK_HAS(p, "<h1>Add the calendar to your phone or computer</h1>");
	CHECK_HAS(p, "href=\"webcal://engage.thornshire.example/calendar.ics\"");
	CHECK_HAS(p, "href=\"https://engage.thornshire.example/feeds/areas/abbey-ward.ics\"");
	CHECK_HAS(p, "href=\"webcal://engage.thornshire.example/feeds/partners/thornshire-police.ics\"");
	CHECK_HAS(p, "Google Calendar");
	CHECK_HAS(p, "Outlook");
	free(p);
	p = file("calendar/index.html");
	CHECK_HAS(p, "/subscribe/");
	free(p);
}

static void
feeds__xml_is_well_formed_and_data_matches_its_schemas(void)
{
	char cmd[8400], script[4200], *o = NULL;
	const char *site = site_out();

	/* python3-jsonschema (Debian) validates the open data; the XML
	 * parser checks every Atom feed and the sitemap */
	snprintf(script, sizeof(script), "%s/check.py", tmp);
	tu_write(tmp, "check.py",
		"import csv, glob, json, sys, xml.etree.ElementTree as ET\n"
		"import jsonschema\n"
		"root = sys.argv[1]\n"
		"n = 0\n"
		"for k in ['consultations', 'events', 'outcomes', 'areas', 'partners']:\n"
		"    s = json.load(open(f'{root}/data/schema/{k}.schema.json'))\n"
		"    d = json.load(open(f'{root}/data/{k}.json'))\n"
		"    jsonschema.Draft202012Validator(s, format_checker=jsonschema.FormatChecker()).validate(d)\n"
		"    rows = list(csv.reader(open(f'{root}/data/{k}.csv', newline='')))\n"
		"    assert len(rows) == len(d) + 1, k\n"
		"    assert all(len(r) == len(rows[0]) for r in rows), k\n"
		"    # a list of objects in any record is never a column\n"
		"    objs = set()\n"
		"    for r in d:\n"
		"        for key, v in r.items():\n"
		"            for sk, sv in (v.items() if isinstance(v, dict) else [(None, v)]):\n"
		"                if isinstance(sv, list) and any(isinstance(x, dict) for x in sv):\n"
		"                    objs.add(key if sk is None else key + '.' + sk)\n"
		"    assert not objs & set(rows[0]), (k, objs & set(rows[0]))\n"
		"    n += 1\n"
		"atoms = glob.glob(f'{root}/feeds/**/*.atom', recursive=True)\n"
		"for f in atoms + [f'{root}/sitemap.xml']:\n"
		"    ET.parse(f)\n"
		"print('ok', n, len(atoms))\n");
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s' '%s'", script, site);
	CHECK_INT(tu_run(cmd, &o), 0);
	CHECK_STR(o, "ok 5 31\n");
	free(o);
}

static void
feeds__atom_entries_and_sitemap_lastmod(void)
{
	char *p = file("feeds/consultations.atom");

	CHECK_HAS(p, "<feed xmlns=\"http://www.w3.org/2005/Atom\"");
	CHECK_HAS(p, "<id>https://engage.thornshire.example/consultations/kingsbridge-town-centre-parking-review/</id>");
	free(p);
	p = file("feeds/outcomes.atom");
	/* the recycling outcome was last updated on 2 November 2026 */
	CHECK_HAS(p, "<updated>2026-11-02T00:00:00Z</updated>");
	free(p);
	p = file("sitemap.xml");
	CHECK_HAS(p, "<url><loc>https://engage.thornshire.example/</loc><lastmod>2026-11-23</lastmod></url>");
	/* the parking review opened on 2 November and nothing has changed
	 * since */
	CHECK_HAS(p, "<loc>https://engage.thornshire.example/consultations/kingsbridge-town-centre-parking-review/</loc><lastmod>2026-11-02</lastmod>");
	/* closed 21 June, promise due 30 September: overdue since 1 October */
	CHECK_HAS(p, "<loc>https://engage.thornshire.example/consultations/harrowby-town-centre-cctv/</loc><lastmod>2026-10-01</lastmod>");
	CHECK_LACKS(p, "/embed/");
	CHECK_LACKS(p, "404");
	free(p);
	p = file("robots.txt");
	CHECK_HAS(p, "Sitemap: https://engage.thornshire.example/sitemap.xml");
	free(p);
}

static size_t
count(const char *p, const char *what)
{
	size_t n = 0;

	while (p && (p = strstr(p, what)) != NULL)
		n++, p++;
	return n;
}

/* Past the protocol's limit of addresses in a sitemap (lowered here to 7)
 * sitemap.xml is an index of sitemap-N.xml files, together holding every
 * address of the one sitemap once. */
static void
feeds__a_big_sitemap_is_split_with_an_index(void)
{
	char out[4200], rel[64], *one = file("sitemap.xml"), *index, *p;
	size_t urls = count(one, "<url>"), seen = 0, k;

	snprintf(out, sizeof(out), "%s/sitemaps", tmp);
	nb_render_sitemap_max(7);
	CHECK_INT(tu_build(".", out, "2026-11-23", NULL), 0);
	nb_render_sitemap_max(0);
	index = tu_read(out, "sitemap.xml");
	CHECK_HAS(index, "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">");
	CHECK_HAS(index, "<sitemap><loc>https://engage.thornshire.example/sitemap-1.xml</loc><lastmod>");
	CHECK_INT((int)count(index, "<sitemap>"), (int)((urls + 6) / 7));
	for (k = 1; k <= (urls + 6) / 7; k++) {
		size_t n;
		snprintf(rel, sizeof(rel), "sitemap-%zu.xml", k);
		p = tu_read(out, rel);
		CHECK_HAS(p, "<urlset");
		n = count(p, "<url>");
		CHECK(n >= 1 && n <= 7);
		seen += n;
		free(p);
	}
	CHECK_INT((int)seen, (int)urls);
	CHECK(urls > 7);
	snprintf(rel, sizeof(rel), "sitemap-%zu.xml", (urls + 6) / 7 + 1);
	CHECK(!tu_exists(out, rel));
	/* the robots file still names sitemap.xml */
	p = tu_read(out, "robots.txt");
	CHECK_HAS(p, "Sitemap: https://engage.thornshire.example/sitemap.xml");
	free(p);
	/* rebuilt under the limit, in place: one sitemap again, and the
	 * parts gone */
	CHECK_INT(tu_build(".", out, "2026-11-23", NULL), 0);
	p = tu_read(out, "sitemap.xml");
	CHECK_STR(p, one);
	free(p);
	CHECK(!tu_exists(out, "sitemap-1.xml"));
	free(index);
	free(one);
}

/* The text between `open` and `close` after p, copied into out; the end
 * of it, or NULL when there is none. */
static const char *
between(char *out, size_t size, const char *p, const char *open,
	const char *close)
{
	const char *s = p ? strstr(p, open) : NULL, *e;

	*out = '\0';
	if (!s)
		return NULL;
	s += strlen(open);
	e = strstr(s, close);
	if (!e)
		return NULL;
	snprintf(out, size, "%.*s", (int)(e - s), s);
	return e;
}

/* An Atom feed in short: "feed DATE" (its <updated>), then a line
 * "DATE PATH" per entry, in the feed's order, with the dates cut to the
 * day and the addresses to their path.  Written into out. */
static void
atom_outline(char *out, size_t size, const char *t, const char *base)
{
	char v[512], id[512];
	const char *p = t, *e = t ? strstr(t, "<entry>") : NULL;
	size_t used;

	*out = '\0';
	if (!t)
		return;
	between(v, sizeof(v), t, "<updated>", "</updated>");
	if (e && strstr(t, "<updated>") > e)
		v[0] = '\0';   /* the feed has none of its own */
	snprintf(out, size, "feed %.10s\n", v);
	while ((p = strstr(p, "<entry>")) != NULL) {
		const char *end = strstr(p, "</entry>");
		if (!end)
			break;
		between(id, sizeof(id), p, "<id>", "</id>");
		between(v, sizeof(v), p, "<updated>", "</updated>");
		used = strlen(out);
		snprintf(out + used, size - used, "%.10s %s\n", v,
			 strncmp(id, base, strlen(base)) == 0 ?
			 id + strlen(base) : id);
		p = end;
	}
}

static void
feeds__atom_keeps_the_newest_entries_newest_first(void)
{
	/* Candidates on 2026-11-23, by the day each last changed:
	 *   newest-a, newest-b  opened 20 November (a tie: by id)
	 *   aaa-closed          closed 19 November, so changed on the 20th,
	 *                       but published (opened) in October: after
	 *                       the two above, though its id sorts first
	 *   bus-review          opened 1 November (the fixture's)
	 *   mid                 opened 12 October
	 *   old-survey          promise fell due 1 April (the fixture's);
	 *                       its outcome was published 15 March
	 *   ancient             promise fell due 10 February, no outcome
	 *   upcoming            opens in January: nothing published yet */
	static const struct { const char *id, *areas, *opens, *closes,
			      *feedback_by; } cs[] = {
		{ "newest-b", "county", "2026-11-20", "2027-01-31", "2027-03-01" },
		{ "newest-a", "county", "2026-11-20", "2027-01-31", "2027-03-01" },
		{ "aaa-closed", "county", "2026-10-01", "2026-11-19", "2027-03-01" },
		{ "mid", "county", "2026-10-12", "2027-01-31", "2027-03-01" },
		{ "ancient", "town", "2026-01-05", "2026-01-20", "2026-02-10" },
		{ "upcoming", "county", "2027-01-10", "2027-02-10", "2027-04-01" },
	};
	const char *base = "https://engage.test.example/";
	char *root = tu_tmpdir(), src[4200], dst[4200], rel[200], text[800];
	char got[4096], *t, *printed = NULL;
	size_t i;

	snprintf(src, sizeof(src), "%s/site", root);
	snprintf(dst, sizeof(dst), "%s/public", root);
	tu_copy_tree("tests/fixtures/minimal", src);
	tu_write(src, "site.yaml",
		 "title: Test partnership calendar\n"
		 "base_url: https://engage.test.example\n"
		 "feed_entries: 3\n");
	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		snprintf(rel, sizeof(rel), "content/consultations/%s.md", cs[i].id);
		snprintf(text, sizeof(text),
			 "---\ntitle: Activity %s\nsummary: About %s.\n"
			 "lead: county-council\nlevel: consult\nareas: [%s]\n"
			 "opens: %s\ncloses: %s\nfeedback_by: %s\n---\nBody.\n",
			 cs[i].id, cs[i].id, cs[i].areas, cs[i].opens,
			 cs[i].closes, cs[i].feedback_by);
		tu_write(src, rel, text);
	}
	CHECK_INT(tu_build(src, dst, "2026-11-23", &printed), 0);
	CHECK_LACKS(printed, "error");

	/* every activity: three of eight, the feed dated by the first */
	t = tu_read(dst, "feeds/consultations.atom");
	atom_outline(got, sizeof(got), t, base);
	CHECK_STR(got,
		  "feed 2026-11-20\n"
		  "2026-11-20 consultations/newest-a/\n"
		  "2026-11-20 consultations/newest-b/\n"
		  "2026-11-20 consultations/aaa-closed/\n");
	CHECK_LACKS(t, "consultations/bus-review/");
	free(t);

	/* an area's feed merges activities and outcomes in one order: the
	 * outcome comes before an older activity given ahead of it */
	t = tu_read(dst, "feeds/areas/town.atom");
	atom_outline(got, sizeof(got), t, base);
	CHECK_STR(got,
		  "feed 2026-11-01\n"
		  "2026-11-01 consultations/bus-review/\n"
		  "2026-04-02 consultations/old-survey/\n"
		  "2026-03-15 outcomes/old-survey-outcome/\n");
	CHECK_LACKS(t, "consultations/ancient/");
	free(t);

	/* the same records give the same feed, byte for byte, in a fresh
	 * build (nothing reused from the first) */
	t = tu_read(dst, "feeds/consultations.atom");
	snprintf(dst, sizeof(dst), "%s/again", root);
	CHECK_INT(tu_build(src, dst, "2026-11-23", NULL), 0);
	{
		char *again = tu_read(dst, "feeds/consultations.atom");
		CHECK_STR(again, t);
		free(again);
	}
	free(t);
	free(printed);
	nb_rmtree(root);
	free(root);
}

/* Calendar feeds hold what is to come and what ended in the last
 * calendar_past_days; the site keeps everything. */
static void
feeds__calendar_feeds_keep_the_last_days_and_all_to_come(void)
{
	static const struct { const char *id, *opens, *closes; } cs[] = {
		{ "long-ago", "2025-05-01", "2025-06-01" },   /* 540 days */
		{ "last-month", "2026-09-01", "2026-10-20" }, /* 34 days */
		{ "recent", "2026-10-01", "2026-11-01" },     /* 22 days */
		{ "coming", "2027-01-10", "2027-02-10" },
	};
	char *root = tu_tmpdir(), src[4200], dst[4200], rel[200], text[800];
	char *t, *printed = NULL;
	size_t i;

	snprintf(src, sizeof(src), "%s/site", root);
	snprintf(dst, sizeof(dst), "%s/public", root);
	tu_copy_tree("tests/fixtures/minimal", src);
	tu_write(src, "site.yaml",
		 "title: Test partnership calendar\n"
		 "base_url: https://engage.test.example\n"
		 "calendar_past_days: 30\n");
	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		snprintf(rel, sizeof(rel), "content/consultations/%s.md", cs[i].id);
		snprintf(text, sizeof(text),
			 "---\ntitle: Activity %s\nsummary: About %s.\n"
			 "lead: county-council\nlevel: consult\nareas: [town]\n"
			 "opens: %s\ncloses: %s\n---\nBody.\n",
			 cs[i].id, cs[i].id, cs[i].opens, cs[i].closes);
		tu_write(src, rel, text);
	}
	tu_write(src, "content/events/old-meeting.md",
		 "---\ntitle: Old meeting\nsummary: Long ago.\n"
		 "lead: police\nareas: [town]\n"
		 "start: 2026-01-10 19:00\nend: 2026-01-10 20:00\n"
		 "venue:\n  name: Town Hall\n---\n");
	tu_write(src, "content/events/monthly-surgery.md",
		 "---\ntitle: Monthly surgery\nsummary: Every month.\n"
		 "lead: police\nareas: [town]\n"
		 "start: 2025-01-14 19:00\nend: 2025-01-14 20:00\n"
		 "repeat: FREQ=MONTHLY;BYDAY=2TU\n"
		 "repeat_text: The second Tuesday of every month\n"
		 "venue:\n  name: Town Hall\n---\n");
	CHECK_INT(tu_build(src, dst, "2026-11-23", &printed), 0);
	CHECK_LACKS(printed, "error");
	for (i = 0; i < 2; i++) {
		t = tu_read(dst, i == 0 ? "calendar.ics" : "feeds/areas/town.ics");
		CHECK_LACKS(t, "consultation-long-ago-closes@");
		CHECK_LACKS(t, "consultation-last-month-opens@");
		CHECK_HAS(t, "UID:consultation-recent-opens@");
		CHECK_HAS(t, "UID:consultation-recent-closes@");
		CHECK_HAS(t, "UID:consultation-coming-closes@");
		CHECK_LACKS(t, "event-old-meeting@");
		CHECK_HAS(t, "UID:event-monthly-surgery@");   /* still repeating */
		CHECK_HAS(t, "RRULE:FREQ=MONTHLY;BYDAY=2TU");
		free(t);
	}
	/* the site keeps them all: pages, months and open data */
	CHECK(tu_exists(dst, "consultations/long-ago/index.html"));
	CHECK(tu_exists(dst, "events/old-meeting/index.html"));
	t = tu_read(dst, "calendar/2025/06/index.html");
	CHECK_HAS(t, "/consultations/long-ago/");
	free(t);
	t = tu_read(dst, "data/consultations.json");
	CHECK_HAS(t, "\"long-ago\"");
	free(t);

	/* by default a year: last month's activity is back, the one of
	 * June 2025 is not */
	tu_write(src, "site.yaml",
		 "title: Test partnership calendar\n"
		 "base_url: https://engage.test.example\n");
	snprintf(dst, sizeof(dst), "%s/year", root);
	CHECK_INT(tu_build(src, dst, "2026-11-23", NULL), 0);
	t = tu_read(dst, "calendar.ics");
	CHECK_HAS(t, "UID:consultation-last-month-opens@");
	CHECK_HAS(t, "UID:event-old-meeting@");
	CHECK_LACKS(t, "consultation-long-ago-closes@");
	free(t);
	free(printed);
	nb_rmtree(root);
	free(root);
}

static void
feeds__json_ld_and_open_graph_on_pages(void)
{
	char *p = file("consultations/kingsbridge-town-centre-parking-review/index.html");
	char *s, *e;
	json_error_t err;
	json_t *j;

	CHECK_HAS(p, "<meta property=\"og:title\" content=\"Kingsbridge town centre parking review\">");
	CHECK_HAS(p, "<meta property=\"og:url\" content=\"https://engage.thornshire.example/consultations/kingsbridge-town-centre-parking-review/\">");
	s = strstr(p, "<script type=\"application/ld+json\">");
	e = s ? strstr(s, "</script>") : NULL;
	CHECK(s && e);
	if (s && e) {
		s += strlen("<script type=\"application/ld+json\">");
		*e = '\0';
		j = json_loads(s, 0, &err);
		CHECK(j != NULL);
		CHECK_STR(json_string_value(json_object_get(j, "@type")), "Event");
		CHECK_STR(json_string_value(json_object_get(j, "startDate")), "2026-11-02");
		CHECK_INT(json_array_size(json_object_get(j, "subEvent")), 5);
		json_decref(j);
	}
	free(p);
	p = file("events/abbey-ward-police-surgery/index.html");
	CHECK_HAS(p, "\"startDate\": \"2026-10-13T19:00:00+01:00\"");
	CHECK_HAS(p, "\"@type\": \"Place\"");
	free(p);
}

static void
feeds__json_ld_cannot_close_its_script_element(void)
{
	char *root = tu_tmpdir(), src[4200], dst[4200], *p;

	snprintf(src, sizeof(src), "%s/site", root);
	snprintf(dst, sizeof(dst), "%s/public", root);
	tu_copy_tree("tests/fixtures/minimal", src);
	tu_write(src, "content/consultations/sneaky.md",
		 "---\ntitle: \"</script><script>alert(1)</script>\"\n"
		 "summary: x\nlead: police\nlevel: inform\nareas: [all]\n"
		 "opens: 2026-11-01\ncloses: 2026-11-30\n---\n");
	CHECK_INT(tu_build(src, dst, "2026-11-23", NULL), 0);
	p = tu_read(dst, "consultations/sneaky/index.html");
	CHECK_LACKS(p, "<script>alert(1)");
	CHECK_HAS(p, "\\u003c\\/script\\u003e\\u003cscript\\u003ealert(1)");
	free(p);
	nb_rmtree(root);
	free(root);
}

static void
feeds__embeds_and_their_snippets(void)
{
	char *p = file("embed/partners/thornshire-police/index.html");

	CHECK_HAS(p, "<base target=\"_top\">");
	CHECK_HAS(p, "<html lang=\"en-GB\">");
	CHECK_HAS(p, "href=\"https://engage.thornshire.example/consultations/");
	CHECK_LACKS(p, "<link rel=\"stylesheet\"");   /* self-contained */
	/* with the site's brand inline */
	CHECK_HAS(p, "--nb-brand: #1d4f6e;");
	CHECK_HAS(p, "color: var(--nb-link, #1a5a96);");
	free(p);
	p = file("embed/areas/abbey-ward/index.html");
	CHECK_HAS(p, "kingsbridge-town-centre-parking-review");
	free(p);
	p = file("partners/thornshire-police/index.html");
	CHECK_HAS(p, "&lt;iframe src=\"https://engage.thornshire.example/embed/partners/thornshire-police/\"");
	CHECK_HAS(p, "href=\"/feeds/partners/thornshire-police.ics\"");
	free(p);
}

/* libical is loaded when a build first needs it (dlopen), not linked:
 * without it a build says what to install and writes nothing. */
static void
feeds__without_libical_a_build_says_what_to_install(void)
{
	char *root = tu_tmpdir(), out[4200], cmd[8192], *printed = NULL;
	const char *bin = tu_bin();

	snprintf(out, sizeof(out), "%s/out", root);
	nb_ical_library("libnoticeboard-no-such-library.so.0");
	CHECK(tu_build("tests/fixtures/minimal", out, "2026-11-23", &printed) != 0);
	CHECK_HAS(printed, "the calendar feeds need libical: cannot load "
		  "libnoticeboard-no-such-library.so.0");
	CHECK_HAS(printed, "libical3");
	CHECK(!tu_exists(root, "out"));
	free(printed);
	CHECK(nb_ical_load_error() != NULL);
	nb_ical_library(NULL);
	CHECK(nb_ical_load_error() == NULL);
	CHECK_INT(tu_build("tests/fixtures/minimal", out, "2026-11-23", NULL), 0);
	CHECK(tu_exists(out, "calendar.ics"));
	if (!strchr(bin, ' ')) {
		snprintf(cmd, sizeof(cmd), "readelf -d \"$(dirname '%s')/noticeboard-engine\"",
			 bin);
		CHECK_INT(tu_run(cmd, &printed), 0);
		CHECK_HAS(printed, "libgit2");
		CHECK_LACKS(printed, "libical");
		free(printed);
	}
	nb_rmtree(root);
	free(root);
}

void
suite_feeds(void)
{
	RUN(feeds__every_calendar_parses_back_with_libical);
	RUN(feeds__items_have_uid_url_status_and_location);
	RUN(feeds__area_feeds_roll_up_and_partner_feeds_filter);
	RUN(feeds__recurring_event_carries_its_rule_and_expands_in_the_calendar);
	RUN(feeds__sequence_rises_only_when_an_item_changes);
	RUN(feeds__subscribe_page_explains_and_links_every_feed);
	RUN(feeds__xml_is_well_formed_and_data_matches_its_schemas);
	RUN(feeds__atom_entries_and_sitemap_lastmod);
	RUN(feeds__a_big_sitemap_is_split_with_an_index);
	RUN(feeds__atom_keeps_the_newest_entries_newest_first);
	RUN(feeds__calendar_feeds_keep_the_last_days_and_all_to_come);
	RUN(feeds__json_ld_and_open_graph_on_pages);
	RUN(feeds__json_ld_cannot_close_its_script_element);
	RUN(feeds__embeds_and_their_snippets);
	RUN(feeds__without_libical_a_build_says_what_to_install);
}
