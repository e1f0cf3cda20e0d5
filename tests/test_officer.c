/*
 * test_officer.c - officer tooling: `check` and its warnings, `new`,
 * `serve` (a real server on a loopback port, fetched over a socket), the
 * JSON Schemas for editors, the publishing recipes and the command line's
 * conventions (help, version, exit codes, quiet).
 */
#include "harness.h"
#include "util.h"

#include "check.h"
#include "scaffold.h"
#include "serve.h"
#include "write.h"
#include "yaml.h"

#include <jansson.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FIXTURE "tests/fixtures/minimal"
#define TODAY "2026-11-23"

/* ---- helpers ---------------------------------------------------------------- */

/* A fresh copy of the minimal site in a temporary folder. */
typedef struct site {
	char *root, *src;
} site;

static void
site_new(site *s)
{
	char p[4096];

	s->root = tu_tmpdir();
	snprintf(p, sizeof(p), "%s/site", s->root);
	s->src = strdup(p);
	if (tu_copy_tree(FIXTURE, s->src) != 0)
		nb_test_fail(__FILE__, __LINE__, "cannot copy %s", FIXTURE);
}

static void
site_free(site *s)
{
	nb_rmtree(s->root);
	free(s->root);
	free(s->src);
}

/* Check a site in this process, as `noticeboard check --now today`.
 * Returns nb_check's result; *printed (malloc'd) gets what main prints. */
static int
check_site(const char *src, const char *today, int min_days, char **printed,
	   size_t *warnings)
{
	nb_check_opts o;
	nb_build_stats st;
	nb_diags d = NB_DIAGS_INIT;
	char why[128];
	size_t len;
	FILE *mem;
	int rc;

	memset(&o, 0, sizeof(o));
	o.build.source = src;
	o.build.share = ".";
	o.build.has_today = 1;
	nb_date_parse(&o.build.today, today, strlen(today), why, sizeof(why));
	o.min_open_days = min_days;
	rc = nb_check(&o, &st, &d);
	nb_diags_sort(&d);
	if (warnings)
		*warnings = d.warnings;
	mem = open_memstream(printed, &len);
	nb_diags_print(mem, &d);
	fclose(mem);
	nb_diags_free(&d);
	return rc;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while (hay && (hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* Replace the first `from` in a file by `to`. */
static void
edit(const char *dir, const char *rel, const char *from, const char *to)
{
	char *text = tu_read(dir, rel), *hit, *out;

	if (!text || !(hit = strstr(text, from))) {
		nb_test_fail(__FILE__, __LINE__, "%s has no \"%s\"", rel, from);
		free(text);
		return;
	}
	out = malloc(strlen(text) + strlen(to) + 1);
	memcpy(out, text, (size_t)(hit - text));
	strcpy(out + (hit - text), to);
	strcat(out, hit + strlen(from));
	tu_write(dir, rel, out);
	free(out);
	free(text);
}

/* A consultation on transport in `area`, open from `opens` to `closes`. */
static void
add_consultation(const char *src, const char *id, const char *area,
		 const char *opens, const char *closes, const char *extra)
{
	char rel[256], text[2048];

	snprintf(rel, sizeof(rel), "content/consultations/%s.md", id);
	snprintf(text, sizeof(text),
		 "---\ntitle: %s\nsummary: A test.\nlead: police\nlevel: consult\n"
		 "areas: [%s]\ntopics: [transport]\nopens: %s\ncloses: %s\n"
		 "feedback_by: 2027-06-30\n%s---\nBody.\n",
		 id, area, opens, closes, extra ? extra : "");
	tu_write(src, rel, text);
}

/* ---- check: the standards' warnings ------------------------------------------ */

static void
check__minimal_site_has_no_problems(void)
{
	site s;
	char *printed = NULL;
	size_t w = 99;

	site_new(&s);
	CHECK_INT(check_site(s.src, TODAY, 28, &printed, &w), 0);
	CHECK_STR(printed, "");
	CHECK_INT(w, 0);
	/* nothing is written into the site, and no temporary folder is left */
	CHECK(!tu_exists(s.src, "public"));
	free(printed);
	site_free(&s);
}

static void
check__consultation_fatigue_names_both_files(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	/* same topic, in the district that contains bus-review's ward,
	 * overlapping in December: a warning on the later one */
	add_consultation(s.src, "tram-survey", "town", "2026-12-01",
			 "2027-01-31", NULL);
	/* same topic and area, but after bus-review closes: none */
	add_consultation(s.src, "later-survey", "north-ward", "2027-02-01",
			 "2027-03-31", NULL);
	/* a separate area with the same topic at the same time: none */
	tu_write(s.src, "content/areas/elsewhere.yaml", "name: Elsewhere\ntype: district\n");
	add_consultation(s.src, "elsewhere-survey", "elsewhere", "2026-11-01",
			 "2027-01-31", NULL);
	CHECK_INT(check_site(s.src, TODAY, 28, &printed, NULL), 0);
	CHECK_HAS(printed,
		  "content/consultations/tram-survey.md:7:9: warning: consultation fatigue: "
		  "this activity and `bus-review` (content/consultations/bus-review.md) are both "
		  "about Transport in North ward and Testbridge, which contains it, "
		  "open at the same time (1 to 31 December 2026)");
	CHECK_HAS(printed, "hint: people asked about the same thing twice stop answering");
	CHECK_INT(count(printed, "consultation fatigue"), 1);
	free(printed);
	/* once the overlap is over, it is history */
	CHECK_INT(check_site(s.src, "2027-01-05", 28, &printed, NULL), 0);
	CHECK_LACKS(printed, "consultation fatigue");
	free(printed);
	site_free(&s);
}

static void
check__feedback_promise_missing_from_consult_level(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	edit(s.src, "content/consultations/bus-review.md", "feedback_by: 2027-02-28\n", "");
	tu_write(s.src, "content/consultations/notice.md",
		 "---\ntitle: Notice\nsummary: For information.\nlead: police\n"
		 "level: inform\nareas: [all]\nopens: 2026-11-01\ncloses: 2026-12-31\n---\n");
	CHECK_INT(check_site(s.src, TODAY, 28, &printed, NULL), 0);
	CHECK_HAS(printed,
		  "content/consultations/bus-review.md:11:9: warning: no feedback promise: "
		  "an activity at the Consult level should say when people will hear what happened");
	CHECK_HAS(printed, "for example 8 weeks after it closes: feedback_by: 2027-02-25");
	CHECK_LACKS(printed, "notice.md");   /* inform asks for no views */
	free(printed);
	site_free(&s);
}

static void
check__feedback_overdue(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	CHECK_INT(check_site(s.src, "2027-03-01", 28, &printed, NULL), 0);
	CHECK_HAS(printed,
		  "content/consultations/bus-review.md:12:14: warning: feedback is overdue: "
		  "it was promised by 28 February 2027 and no outcome has been published");
	free(printed);
	/* the day before, it is not */
	CHECK_INT(check_site(s.src, "2027-02-28", 28, &printed, NULL), 0);
	CHECK_LACKS(printed, "overdue");
	free(printed);
	site_free(&s);
}

static void
check__open_for_too_few_days(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	tu_write(s.src, "content/consultations/quick.md",
		 "---\ntitle: Quick\nsummary: Short.\nlead: police\nlevel: involve\n"
		 "areas: [town]\nopens: 2026-12-01\ncloses: 2026-12-14\n"
		 "feedback_by: 2027-02-01\n---\n");
	CHECK_INT(check_site(s.src, TODAY, 28, &printed, NULL), 0);
	CHECK_HAS(printed,
		  "content/consultations/quick.md:8:9: warning: open for only 14 days, fewer than 28");
	CHECK_HAS(printed, "move `closes` to 2026-12-28 or later");
	free(printed);
	/* --min-days changes the bar; 0 turns it off */
	CHECK_INT(check_site(s.src, TODAY, 14, &printed, NULL), 0);
	CHECK_LACKS(printed, "open for only");
	free(printed);
	CHECK_INT(check_site(s.src, TODAY, 0, &printed, NULL), 0);
	CHECK_LACKS(printed, "open for only");
	free(printed);
	/* closed already: history */
	CHECK_INT(check_site(s.src, "2027-01-10", 28, &printed, NULL), 0);
	CHECK_LACKS(printed, "open for only");
	free(printed);
	site_free(&s);
}

static void
check__venue_without_access_information(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	tu_write(s.src, "content/events/forum.md",
		 "---\ntitle: Town forum\nlead: police\nareas: [town]\n"
		 "start: 2026-12-10 19:00\nend: 2026-12-10 21:00\n"
		 "venue:\n  name: Church hall\n  address: 1 Church Lane\n---\n");
	tu_write(s.src, "content/events/past-forum.md",
		 "---\ntitle: Old forum\nlead: police\nareas: [town]\n"
		 "start: 2026-10-10 19:00\nend: 2026-10-10 21:00\n"
		 "venue:\n  name: Church hall\n---\n");
	tu_write(s.src, "content/events/noted.md",
		 "---\ntitle: Noted forum\nlead: police\nareas: [town]\n"
		 "start: 2026-12-11 19:00\nend: 2026-12-11 21:00\n"
		 "venue:\n  name: Church hall\n  access_notes: Ramp at the side door.\n---\n");
	/* an event inside a consultation: pointed at its venue */
	edit(s.src, "content/consultations/bus-review.md",
	     "      step_free: true\n", "      postcode: TB1 1AA\n");
	CHECK_INT(check_site(s.src, TODAY, 28, &printed, NULL), 0);
	CHECK_HAS(printed,
		  "content/events/forum.md:8:3: warning: the venue of `Town forum` (Church hall) "
		  "has no access information");
	CHECK_HAS(printed, "hint: add `step_free`, `hearing_loop` and `accessible_toilet`");
	CHECK_HAS(printed,
		  "content/consultations/bus-review.md:18:7: warning: the venue of `Bus drop-in` "
		  "(Town hall) has no access information");
	CHECK_LACKS(printed, "past-forum.md");
	CHECK_LACKS(printed, "noted.md");
	free(printed);
	site_free(&s);
}

static void
check__broken_internal_links(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	tu_write(s.src, "content/pages/help.md",
		 "---\ntitle: Help\n---\n"
		 "See the [bus review](/consultations/bus-review/) and\n"
		 "the [old one](/consultations/bus-reveiw/).\n\n"
		 "Our [areas](/areas/), [about](/about/), [a ward](/areas/north-ward),\n"
		 "[style](/static/style.css#top) and [elsewhere](https://example.org/x/).\n\n"
		 "Gone: [here](/areas/nowhere/) and [full](https://engage.test.example/outcomes/nope/).\n"
		 "Again: [old](/consultations/bus-reveiw/)\n");
	edit(s.src, "content/consultations/bus-review.md", "events:\n",
	     "take_part:\n  - text: Come along\n    link: /events/missing/\n"
	     "  - text: Survey\n    link: https://survey.example/\nevents:\n");
	CHECK_INT(check_site(s.src, TODAY, 28, &printed, NULL), 0);
	CHECK_HAS(printed,
		  "content/pages/help.md:5:15: warning: broken link in the text to "
		  "`/consultations/bus-reveiw/`: there is no such page on this site");
	CHECK_HAS(printed, "hint: did you mean `/consultations/bus-review/`?");
	CHECK_HAS(printed, "content/pages/help.md:10:14: warning: broken link in the text to `/areas/nowhere/`");
	CHECK_HAS(printed, "content/pages/help.md:10:42: warning: broken link in the text to "
		  "`https://engage.test.example/outcomes/nope/`");
	CHECK_HAS(printed,
		  "content/consultations/bus-review.md:15:11: warning: broken link in `link` to "
		  "`/events/missing/`: there is no such page on this site");
	/* once per link per file; good links pass */
	CHECK_INT(count(printed, "bus-reveiw"), 1);
	CHECK_INT(count(printed, "broken link"), 4);
	free(printed);
	site_free(&s);
}

static void
check__links_must_carry_the_site_prefix(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	tu_write(s.src, "site.yaml", "title: T\nbase_url: https://council.example/engage/\n");
	tu_write(s.src, "content/pages/help.md",
		 "---\ntitle: Help\n---\n[good](/engage/consultations/bus-review/)\n"
		 "[bad](/consultations/bus-review/)\n");
	CHECK_INT(check_site(s.src, TODAY, 28, &printed, NULL), 0);
	CHECK_HAS(printed,
		  "content/pages/help.md:5:7: warning: broken link in the text to "
		  "`/consultations/bus-review/`: it is outside the site");
	CHECK_HAS(printed, "so links to its pages start with /engage/");
	CHECK_INT(count(printed, "broken link"), 1);
	free(printed);
	site_free(&s);
}

static void
check__placeholders_left_by_new(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	edit(s.src, "content/consultations/bus-review.md",
	     "summary: Tell us about buses.", "summary: \"TODO: say what it is\"\n# TODO in a note is fine");
	CHECK_INT(check_site(s.src, TODAY, 28, &printed, NULL), 0);
	CHECK_HAS(printed,
		  "content/consultations/bus-review.md:3:11: warning: placeholder left from "
		  "`noticeboard new`: summary: \"TODO: say what it is\"");
	CHECK_INT(count(printed, "placeholder"), 1);
	free(printed);
	site_free(&s);
}

static void
check__finds_every_build_error_including_templates(void)
{
	site s;
	char *printed = NULL;

	site_new(&s);
	tu_write(s.src, "layouts/page.mustache", "{{#content}}\n<h1>{{title}}</h1>\n");
	CHECK(check_site(s.src, TODAY, 28, &printed, NULL) != 0);
	CHECK_HAS(printed, "layouts/page.mustache:1:1: error:");
	free(printed);
	tu_write(s.src, "layouts/page.mustache",
		 "{{<base}}{{$main}}<h1>{{content.title}}</h1>{{/main}}{{/base}}");
	edit(s.src, "content/consultations/bus-review.md", "lead: county-council",
	     "lead: county-councl");
	CHECK(check_site(s.src, TODAY, 28, &printed, NULL) != 0);
	CHECK_HAS(printed,
		  "content/consultations/bus-review.md:4:7: error: unknown partner `county-councl`");
	free(printed);
	site_free(&s);
}

static void
check__cli_strict_json_and_exit_codes(void)
{
	site s;
	char cmd[8192], *out = NULL;
	json_t *j, *first;
	json_error_t jerr;
	char *tmp = tu_tmpdir();
	DIR *dp;
	struct dirent *de;
	int left = 0;

	site_new(&s);
	tu_write(s.src, "content/events/forum.md",
		 "---\ntitle: Town forum\nlead: police\nareas: [town]\n"
		 "start: 2026-12-10 19:00\nend: 2026-12-10 21:00\n"
		 "venue:\n  name: Church hall\n---\n");
	snprintf(cmd, sizeof(cmd), "TMPDIR='%s' %s check --source '%s' --now " TODAY,
		 tmp, tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_HAS(out, "content/events/forum.md:8:3: warning: the venue of `Town forum`");
	CHECK_HAS(out, "Checked 2 consultations, 2 events, 1 outcomes and 3 areas: 1 warning.");
	free(out);
	/* the temporary build is gone */
	dp = opendir(tmp);
	while (dp && (de = readdir(dp)) != NULL)
		left += de->d_name[0] != '.';
	if (dp)
		closedir(dp);
	CHECK_INT(left, 0);

	snprintf(cmd, sizeof(cmd), "%s check --strict --source '%s' --now " TODAY,
		 tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 1);
	CHECK_HAS(out, "content/events/forum.md:8:3: error: the venue of `Town forum`");
	CHECK_HAS(out, "noticeboard: 1 error (1 warning treated as an error: --strict)");
	free(out);

	snprintf(cmd, sizeof(cmd), "%s check --format json --source '%s' --now " TODAY
		 " 2>/dev/null", tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 0);
	j = json_loads(out, 0, &jerr);
	CHECK(json_is_array(j));
	CHECK_INT(json_array_size(j), 1);
	first = json_array_get(j, 0);
	CHECK_STR(json_string_value(json_object_get(first, "file")), "content/events/forum.md");
	CHECK_INT(json_integer_value(json_object_get(first, "line")), 8);
	CHECK_INT(json_integer_value(json_object_get(first, "column")), 3);
	CHECK_STR(json_string_value(json_object_get(first, "severity")), "warning");
	CHECK_HAS(json_string_value(json_object_get(first, "message")), "has no access information");
	CHECK_HAS(json_string_value(json_object_get(first, "hint")), "step_free");
	json_decref(j);
	free(out);

	/* errors: exit 1, in JSON too; a position-less error has line 0 */
	tu_write(s.src, "content/consultations/bad.md", "---\ntitle: [\n---\n");
	tu_write(s.src, "content/consultations/Bad Name.md",
		 "---\ntitle: Bad\n---\n");
	snprintf(cmd, sizeof(cmd), "%s check --format=json --source '%s' --now " TODAY
		 " 2>/dev/null", tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 1);
	j = json_loads(out, 0, &jerr);
	CHECK(json_array_size(j) >= 2);
	first = json_array_get(j, 0);
	CHECK_STR(json_string_value(json_object_get(first, "file")),
		  "content/consultations/Bad Name.md");
	CHECK_INT(json_integer_value(json_object_get(first, "line")), 0);
	CHECK_STR(json_string_value(json_object_get(first, "severity")), "error");
	json_decref(j);
	free(out);

	snprintf(cmd, sizeof(cmd), "%s check --format xml", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 2);
	CHECK_HAS(out, "--format is text or json");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s check --min-days lots", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 2);
	free(out);
	snprintf(cmd, sizeof(cmd), "%s build --strict", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 2);
	CHECK_HAS(out, "unknown option '--strict'");
	free(out);
	nb_rmtree(tmp);
	free(tmp);
	site_free(&s);
}

static void
check__reads_a_git_ref_when_asked(void)
{
	site s;
	char cmd[8192], *out = NULL;

	site_new(&s);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent sh -c "
		 "'git init -q && git add -A && git -c user.name=Officer "
		 "-c user.email=officer@example.org commit -q -m site'", s.src);
	if (tu_run(cmd, &out) != 0) {
		nb_test_fail(__FILE__, __LINE__, "git failed:\n%s", out);
		free(out);
		site_free(&s);
		return;
	}
	free(out);
	/* an uncommitted event with no access information */
	tu_write(s.src, "content/events/forum.md",
		 "---\ntitle: Town forum\nlead: police\nareas: [town]\n"
		 "start: 2026-12-10 19:00\nend: 2026-12-10 21:00\n"
		 "venue:\n  name: Church hall\n---\n");
	snprintf(cmd, sizeof(cmd), "%s check --source '%s' --now " TODAY, tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_HAS(out, "content/events/forum.md:8:3: warning:");
	free(out);
	/* the committed records do not have it */
	snprintf(cmd, sizeof(cmd), "%s check --ref HEAD --source '%s' --now " TODAY,
		 tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_LACKS(out, "forum.md");
	CHECK_HAS(out, "no problems found");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s check --ref no-such-branch --source '%s' --now " TODAY,
		 tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 1);
	free(out);
	snprintf(cmd, sizeof(cmd), "%s serve --ref HEAD", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 2);
	CHECK_HAS(out, "unknown option '--ref'");
	free(out);
	site_free(&s);
}

static void
check__example_site_warnings_point_at_fields(void)
{
	char *printed = NULL;
	const char *p;

	/* the example site builds; every warning names a file, and all but
	 * whole-file ones a line */
	CHECK_INT(check_site(".", TODAY, 28, &printed, NULL), 0);
	for (p = printed; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, "  hint: ", 8) == 0)
			continue;
		if (strncmp(p, "content/", 8) != 0 || !strstr(p, ": warning: ")) {
			nb_test_fail(__FILE__, __LINE__, "unexpected line: %.*s",
				     (int)strcspn(p, "\n"), p);
			break;
		}
	}
	CHECK_LACKS(printed, "broken link");
	free(printed);
}

/* ---- new ------------------------------------------------------------------- */

static void
new__ids_from_titles(void)
{
	static const struct { const char *title, *id; } cases[] = {
		{ "Town centre parking review", "town-centre-parking-review" },
		{ "Café & Bar opening hours", "cafe-and-bar-opening-hours" },
		{ "Young people\xe2\x80\x99s mental health", "young-peoples-mental-health" },
		{ "Children's services", "childrens-services" },
		{ "Straße, Łódź and Øresund", "strasse-lodz-and-oresund" },
		{ "Ysgol Gymraeg \xe2\x80\x93 new school", "ysgol-gymraeg-new-school" },
		{ "  --Hello,   World!!  ", "hello-world" },
		{ "Budget 2027/28", "budget-2027-28" },
		{ "Côte d'Azour ÆTHER", "cote-dazour-aether" },
		{ "\xe6\x97\xa5\xe6\x9c\xac", NULL },
		{ "!!!", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *id = nb_scaffold_id(cases[i].title);
		if (cases[i].id)
			CHECK_STR(id, cases[i].id);
		else if (id)
			nb_test_fail(__FILE__, __LINE__, "\"%s\" gave \"%s\"",
				     cases[i].title, id);
		free(id);
	}
	/* long titles: at most 80 characters, cut between words */
	{
		char *id = nb_scaffold_id(
			"A very long title about the future of the community centres "
			"libraries and leisure centres across the whole county of Thornshire");
		CHECK(id && strlen(id) <= 80 && id[strlen(id) - 1] != '-');
		CHECK_STR(id, "a-very-long-title-about-the-future-of-the-community-centres-libraries-and");
		free(id);
	}
}

static void
new__consultation_builds_once_ids_are_filled_in(void)
{
	site s;
	char cmd[8192], *out = NULL, *text, *printed = NULL, *page, pub[4200];

	site_new(&s);
	snprintf(cmd, sizeof(cmd), "%s new consultation 'Library opening hours' --source '%s' --now " TODAY,
		 tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_HAS(out, "/content/consultations/library-opening-hours.md\n");
	free(out);
	text = tu_read(s.src, "content/consultations/library-opening-hours.md");
	CHECK_HAS(text, "title: \"Library opening hours\"\n");
	CHECK_HAS(text, "opens: 2026-11-23\n");
	CHECK_HAS(text, "closes: 2027-02-15\n");        /* 12 weeks */
	CHECK_HAS(text, "feedback_by: 2027-04-12\n");   /* 8 weeks after */
	CHECK_HAS(text, "#   Partners: county-council, police\n");
	CHECK_HAS(text, "#   Areas: county, north-ward, town\n");
	CHECK_HAS(text, "#   Topics: transport, housing\n");
	free(text);
	/* as generated, the placeholder ids are errors... */
	CHECK(check_site(s.src, TODAY, 28, &printed, NULL) != 0);
	CHECK_HAS(printed, "unknown partner `TODO-partner-id`");
	CHECK_HAS(printed, "unknown area `TODO-area-id`");
	free(printed);
	/* ...and once they are replaced it checks and builds */
	edit(s.src, "content/consultations/library-opening-hours.md",
	     "lead: TODO-partner-id", "lead: county-council");
	edit(s.src, "content/consultations/library-opening-hours.md",
	     "areas: [TODO-area-id]", "areas: [north-ward]");
	CHECK_INT(check_site(s.src, TODAY, 28, &printed, NULL), 0);
	CHECK_HAS(printed, "warning: placeholder left from `noticeboard new`");
	CHECK_LACKS(printed, "error");
	free(printed);
	snprintf(pub, sizeof(pub), "%s/public", s.root);
	CHECK_INT(tu_build(s.src, pub, TODAY, NULL), 0);
	page = tu_read(pub, "consultations/library-opening-hours/index.html");
	CHECK_HAS(page, "<h1>Library opening hours</h1>");
	free(page);
	site_free(&s);
}

/* Every property a schema declares, as "name:" lines, live or commented. */
static void
check_fields_offered(const char *text, const char *schema_file,
		     const char *const *skip)
{
	json_error_t jerr;
	json_t *sch = json_load_file(schema_file, 0, &jerr), *props, *v;
	const char *key;

	props = json_object_get(sch, "properties");
	CHECK(json_is_object(props));
	json_object_foreach(props, key, v) {
		char want[64];
		size_t i;
		int skipped = 0;

		for (i = 0; skip && skip[i]; i++)
			skipped |= strcmp(skip[i], key) == 0;
		snprintf(want, sizeof(want), "%s:", key);
		if (!skipped && !strstr(text, want))
			nb_test_fail(__FILE__, __LINE__, "%s: the new record has no `%s`",
				     schema_file, key);
	}
	json_decref(sch);
}

static void
new__every_kind_offers_every_field_and_checks_clean(void)
{
	static const struct {
		const char *kind, *file, *schema;
		const char *from[3], *to[3];
	} kinds[] = {
		{ "consultation", "content/consultations/parks-plan.md", "schemas/consultation.schema.json",
		  { "lead: TODO-partner-id", "areas: [TODO-area-id]", NULL },
		  { "lead: police", "areas: [town]", NULL } },
		{ "event", "content/events/parks-plan.md", "schemas/event.schema.json",
		  { "lead: TODO-partner-id", "areas: [TODO-area-id]", NULL },
		  { "lead: police", "areas: [town]", NULL } },
		{ "outcome", "content/outcomes/parks-plan.md", "schemas/outcome.schema.json",
		  { "consultation: TODO-consultation-id", NULL, NULL },
		  { "consultation: bus-review", NULL, NULL } },
		{ "area", "content/areas/parks-plan.yaml", "schemas/area.schema.json",
		  { "parent: TODO-area-id", NULL, NULL }, { "parent: county", NULL, NULL } },
		{ "partner", "content/partners/parks-plan.yaml", "schemas/partner.schema.json",
		  { NULL, NULL, NULL }, { NULL, NULL, NULL } },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		nb_scaffold_opts o;
		nb_diags d = NB_DIAGS_INIT;
		nb_arena *a = nb_arena_new();
		nb_node *root = NULL;
		char *path = NULL, *text, *printed = NULL;
		const char *fm, *body;
		size_t fm_len, body_len;
		int fm_line, body_line, k;
		site s;

		site_new(&s);
		memset(&o, 0, sizeof(o));
		o.source = s.src;
		CHECK_INT(nb_new_kind_parse(&o.kind, kinds[i].kind), 0);
		o.title = "Parks plan";
		o.has_today = 1;
		o.today = (nb_date){ 2026, 11, 23 };
		CHECK_INT(nb_scaffold_new(&path, &o, &d), 0);
		CHECK_INT(d.len, 0);
		text = tu_read(s.src, kinds[i].file);
		CHECK(text != NULL);
		if (!text) {
			free(path);
			nb_arena_free(a);
			site_free(&s);
			continue;
		}
		/* the file is valid YAML (or front matter) */
		if (strstr(kinds[i].file, ".md")) {
			CHECK_INT(nb_frontmatter_split(kinds[i].file, text, strlen(text),
				&fm, &fm_len, &fm_line, &body, &body_len, &body_line, &d), 0);
			CHECK_INT(nb_yaml_parse(&root, a, kinds[i].file, fm, fm_len,
						fm_line, &d), 0);
		} else {
			CHECK_INT(nb_yaml_parse(&root, a, kinds[i].file, text,
						strlen(text), 1, &d), 0);
		}
		CHECK(root && root->kind == NB_NODE_MAP);
		/* a standalone event's id is its file name */
		check_fields_offered(text, kinds[i].schema,
				     (const char *const[]){ "id", NULL });
		/* with its ids filled in, the site checks without errors */
		for (k = 0; k < 3 && kinds[i].from[k]; k++)
			edit(s.src, kinds[i].file, kinds[i].from[k], kinds[i].to[k]);
		if (check_site(s.src, TODAY, 28, &printed, NULL) != 0)
			nb_test_fail(__FILE__, __LINE__, "new %s does not check:\n%s",
				     kinds[i].kind, printed);
		CHECK_HAS(printed, kinds[i].file);   /* its TODOs are pointed out */
		free(printed);
		nb_diags_free(&d);
		nb_arena_free(a);
		free(text);
		free(path);
		site_free(&s);
	}
}

static void
new__id_lists_wrap_at_76_columns(void)
{
	nb_scaffold_opts o;
	nb_diags d = NB_DIAGS_INIT;
	char *root = tu_tmpdir(), src[4200], *path = NULL, *text, *conf;
	const char *p;

	/* the example site has enough ids to wrap */
	snprintf(src, sizeof(src), "%s/site", root);
	conf = tu_read(".", "site.yaml");
	tu_write(src, "site.yaml", conf ? conf : "");
	free(conf);
	snprintf(src, sizeof(src), "%s/site/content", root);
	CHECK_INT(tu_copy_tree("content", src), 0);
	snprintf(src, sizeof(src), "%s/site", root);
	memset(&o, 0, sizeof(o));
	o.source = src;
	o.kind = NB_NEW_EVENT;
	o.title = "Northgate forum";
	o.has_today = 1;
	o.today = (nb_date){ 2026, 11, 23 };
	CHECK_INT(nb_scaffold_new(&path, &o, &d), 0);
	text = tu_read(src, "content/events/northgate-forum.md");
	CHECK_HAS(text, "#   Partners: ashvale-district-council, harrowdale-district-council,\n"
		  "#     kingsbridge-city-council, thorn-valley-homes,\n");
	for (p = text; p && *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
		size_t n = strcspn(p, "\n"), k;
		if (n > 76)
			nb_test_fail(__FILE__, __LINE__, "line longer than 76: %.*s", (int)n, p);
		for (k = 0; strncmp(p, "#   ", 4) == 0 && k + 1 < n; k++)
			if (p[k] == ',' && p[k + 1] != ' ')
				nb_test_fail(__FILE__, __LINE__, "no space after a comma: %.*s",
					     (int)n, p);
	}
	free(text);
	free(path);
	nb_diags_free(&d);
	nb_rmtree(root);
	free(root);
}

static void
new__never_overwrites_and_usage_errors(void)
{
	site s;
	char cmd[8192], *out = NULL, *text;

	site_new(&s);
	snprintf(cmd, sizeof(cmd), "%s new area 'North ward' --source '%s'",
		 tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 1);
	CHECK_HAS(out, "content/areas/north-ward.yaml: error: the file already exists");
	CHECK_HAS(out, "hint: `noticeboard new` never replaces a record");
	free(out);
	text = tu_read(s.src, "content/areas/north-ward.yaml");
	CHECK_STR(text, "name: North ward\ntype: ward\nparent: town\n");
	free(text);
	/* --id names the file */
	snprintf(cmd, sizeof(cmd), "%s new area 'North ward' --id north-ward-2 --quiet --source '%s'",
		 tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK(strstr(out, "/content/areas/north-ward-2.yaml\n") != NULL);
	CHECK_LACKS(out, "TODO");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s new area 'X' --id Bad_Id --source '%s'", tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 1);
	CHECK_HAS(out, "--id `Bad_Id` is not a safe record id");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s new meeting 'X' --source '%s'", tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 2);
	CHECK_HAS(out, "cannot start a 'meeting'");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s new consultation --source '%s'", tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 2);
	CHECK_HAS(out, "give the record's title in quotes");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s new consultation '!!!' --source '%s'", tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 1);
	CHECK_HAS(out, "cannot make a file name from the title");
	free(out);
	/* not a site folder */
	snprintf(cmd, sizeof(cmd), "%s new event 'Forum' --source '%s/content'", tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 1);
	CHECK_HAS(out, "this is not a site folder: there is no site.yaml");
	free(out);
	site_free(&s);
}

/* ---- serve ------------------------------------------------------------------ */

typedef struct server {
	pid_t pid;
	int fd;              /* its output */
	int port;
	char log[16384];
	size_t loglen;
} server;

static void
server_drain(server *sv)
{
	ssize_t n;

	while (sv->loglen + 1 < sizeof(sv->log) &&
	       (n = read(sv->fd, sv->log + sv->loglen,
			 sizeof(sv->log) - 1 - sv->loglen)) > 0)
		sv->loglen += (size_t)n;
	sv->log[sv->loglen] = '\0';
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Start `noticeboard serve` on a free loopback port (--port 0, read back
 * from what it prints).  Returns 0, or -1 after a failed check. */
static int
server_start(server *sv, const char *src)
{
	int pfd[2], i;
	const char *p;

	char cmd[8192];

	memset(sv, 0, sizeof(*sv));
	/* through the shell, as NB_BIN may be a command ("valgrind ...") */
	snprintf(cmd, sizeof(cmd), "exec %s serve --source '%s' --port 0 --now " TODAY,
		 tu_bin(), src);
	if (pipe(pfd) != 0)
		return -1;
	sv->pid = fork();
	if (sv->pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	sv->fd = pfd[0];
	fcntl(sv->fd, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 400; i++) {      /* up to 20 seconds */
		server_drain(sv);
		p = strstr(sv->log, "http://127.0.0.1:");
		if (p && strchr(p, '\n')) {
			sv->port = atoi(p + strlen("http://127.0.0.1:"));
			return sv->port > 0 ? 0 : -1;
		}
		if (waitpid(sv->pid, NULL, WNOHANG) == sv->pid) {
			sv->pid = 0;
			break;
		}
		sleep_ms(50);
	}
	nb_test_fail(__FILE__, __LINE__, "the server did not start:\n%s", sv->log);
	return -1;
}

/* Stop it with Ctrl-C (SIGINT); returns its exit status, or -1. */
static int
server_stop(server *sv)
{
	int i, st = 0;

	if (sv->pid <= 0)
		return -1;
	kill(sv->pid, SIGINT);
	for (i = 0; i < 200; i++) {      /* up to 10 seconds */
		if (waitpid(sv->pid, &st, WNOHANG) == sv->pid) {
			server_drain(sv);
			close(sv->fd);
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		sleep_ms(50);
	}
	kill(sv->pid, SIGKILL);
	waitpid(sv->pid, &st, 0);
	close(sv->fd);
	nb_test_fail(__FILE__, __LINE__, "the server did not stop on Ctrl-C");
	return -1;
}

typedef struct response {
	int status;
	char *head, *body;   /* malloc'd */
} response;

static void
response_free(response *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* A plain HTTP/1.0 request for `target`, as written (not encoded). */
static int
http_get(int port, const char *target, response *r)
{
	struct sockaddr_in addr;
	struct timeval tv = { 3, 0 };
	char req[2048], *all = NULL, *sep;
	size_t len = 0;
	ssize_t n;
	int fd;

	memset(r, 0, sizeof(*r));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(fd);
		return -1;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", target);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -1;
	}
	for (;;) {
		char buf[8192];
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		all = realloc(all, len + (size_t)n + 1);
		memcpy(all + len, buf, (size_t)n);
		len += (size_t)n;
	}
	close(fd);
	if (!all)
		return -1;
	all[len] = '\0';
	sep = strstr(all, "\r\n\r\n");
	if (strncmp(all, "HTTP/1.", 7) != 0 || !sep) {
		free(all);
		return -1;
	}
	r->status = atoi(all + 9);
	r->head = strndup(all, (size_t)(sep - all) + 2);
	r->body = strdup(sep + 4);
	free(all);
	return 0;
}

/* Fetch until the status is `status` and the body holds `needle`, for up
 * to 10 seconds.  Returns 0, or -1 (r holds the last response). */
static int
poll_for(int port, const char *target, int status, const char *needle,
	 response *r)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (http_get(port, target, r) == 0 && r->status == status &&
		    strstr(r->body, needle))
			return 0;
		if (i < 199)
			response_free(r);
		sleep_ms(50);
	}
	return -1;
}

static void
serve__pages_rebuilds_and_build_errors(void)
{
	site s;
	server sv;
	response r;

	site_new(&s);
	if (server_start(&sv, s.src) != 0) {
		site_free(&s);
		return;
	}
	CHECK_HAS(sv.log, "Previewing ");
	CHECK_HAS(sv.log, "Press Ctrl-C to stop.");

	/* pages; folders serve their index.html */
	CHECK_INT(http_get(sv.port, "/", &r), 0);
	CHECK_INT(r.status, 200);
	CHECK_HAS(r.head, "Content-Type: text/html; charset=utf-8");
	CHECK_HAS(r.body, "Test partnership calendar");
	response_free(&r);
	CHECK_INT(http_get(sv.port, "/consultations/bus-review/", &r), 0);
	CHECK_INT(r.status, 200);
	CHECK_HAS(r.body, "<h1>Bus review</h1>");
	response_free(&r);
	CHECK_INT(http_get(sv.port, "/consultations/bus-review", &r), 0);
	CHECK_INT(r.status, 301);
	CHECK_HAS(r.head, "Location: /consultations/bus-review/");
	response_free(&r);
	/* not found: the site's 404 page, with status 404 */
	CHECK_INT(http_get(sv.port, "/consultations/no-such-thing/", &r), 0);
	CHECK_INT(r.status, 404);
	CHECK_HAS(r.body, "<h1>");
	CHECK_HAS(r.head, "text/html");
	response_free(&r);

	/* an edit shows up */
	edit(s.src, "content/consultations/bus-review.md", "title: Bus review",
	     "title: Bus and tram review");
	CHECK_INT(poll_for(sv.port, "/consultations/bus-review/", 200,
			   "<h1>Bus and tram review</h1>", &r), 0);
	response_free(&r);

	/* a broken record: every page is the error page, escaped */
	edit(s.src, "content/consultations/bus-review.md", "lead: county-council",
	     "lead: <b>county</b>");
	CHECK_INT(poll_for(sv.port, "/", 500, "could not be built", &r), 0);
	CHECK_HAS(r.body, "content/consultations/bus-review.md:4:7: error: unknown partner `&lt;b&gt;county&lt;/b&gt;`");
	CHECK_LACKS(r.body, "<b>county");
	CHECK_HAS(r.head, "text/html");
	response_free(&r);
	CHECK_INT(http_get(sv.port, "/static/style.css", &r), 0);
	CHECK_INT(r.status, 500);
	response_free(&r);
	/* fixed: back to the site */
	edit(s.src, "content/consultations/bus-review.md", "lead: <b>county</b>",
	     "lead: county-council");
	CHECK_INT(poll_for(sv.port, "/consultations/bus-review/", 200,
			   "<h1>Bus and tram review</h1>", &r), 0);
	response_free(&r);

	/* a new folder is watched: layouts/ appears, then a file in it */
	{
		char dir[4200];
		snprintf(dir, sizeof(dir), "%s/layouts", s.src);
		mkdir(dir, 0755);
		sleep_ms(600);
		tu_write(s.src, "layouts/404.mustache",
			 "{{<base}}{{$main}}<h1>Lost in the preview</h1>{{/main}}{{/base}}");
		CHECK_INT(poll_for(sv.port, "/nowhere/", 404, "Lost in the preview", &r), 0);
		response_free(&r);
	}

	CHECK_INT(server_stop(&sv), 0);
	CHECK_HAS(sv.log, "The site could not be built:");
	CHECK_HAS(sv.log, "error: unknown partner `<b>county</b>`");
	CHECK_HAS(sv.log, "Rebuilt: ");
	CHECK_HAS(sv.log, "Stopped the preview.");
	site_free(&s);
}

static void
serve__content_types_and_unsafe_paths(void)
{
	static const struct { const char *file, *type; } types[] = {
		{ "cal.ics", "text/calendar" },
		{ "feed.atom", "application/atom+xml" },
		{ "data.json", "application/json" },
		{ "data.csv", "text/csv" },
		{ "pic.svg", "image/svg+xml" },
		{ "pic.png", "image/png" },
		{ "pic.jpg", "image/jpeg" },
		{ "sitemap.xml", "application/xml" },
		{ "app.js", "text/javascript" },
		{ "style.css", "text/css" },
	};
	site s;
	server sv;
	response r;
	size_t i;
	char line[256], *tcp;

	site_new(&s);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char rel[128];
		snprintf(rel, sizeof(rel), "static/%s", types[i].file);
		if (strcmp(types[i].file, "style.css") != 0)
			tu_write(s.src, rel, "x\n");
	}
	if (server_start(&sv, s.src) != 0) {
		site_free(&s);
		return;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char target[128];
		snprintf(target, sizeof(target), "/static/%s", types[i].file);
		snprintf(line, sizeof(line), "Content-Type: %s", types[i].type);
		CHECK_INT(http_get(sv.port, target, &r), 0);
		CHECK_INT(r.status, 200);
		if (!r.head || !strstr(r.head, line))
			nb_test_fail(__FILE__, __LINE__, "%s: want %s in\n%s",
				     target, line, r.head ? r.head : "");
		response_free(&r);
	}
	/* ".." is refused, encoded or not; nothing outside the site is sent */
	CHECK_INT(http_get(sv.port, "/../site.yaml", &r), 0);
	CHECK_INT(r.status, 400);
	CHECK_LACKS(r.body, "base_url");
	response_free(&r);
	CHECK_INT(http_get(sv.port, "/static/%2e%2e/%2e%2e/site.yaml", &r), 0);
	CHECK_INT(r.status, 400);
	response_free(&r);
	CHECK_INT(http_get(sv.port, "/static/..%2f..%2fsite.yaml", &r), 0);
	CHECK(r.status == 400 || r.status == 404);
	CHECK_LACKS(r.body, "base_url");
	response_free(&r);

	/* it listens on the loopback address only (127.0.0.1 in
	 * /proc/net/tcp is 0100007F, the port in hex) */
	tcp = tu_read("/proc/net", "tcp");
	snprintf(line, sizeof(line), ":%04X ", sv.port);
	if (tcp && strstr(tcp, line)) {
		char want[64];
		snprintf(want, sizeof(want), "0100007F:%04X 00000000:0000 0A", sv.port);
		CHECK_HAS(tcp, want);
		snprintf(want, sizeof(want), "00000000:%04X 00000000:0000 0A", sv.port);
		CHECK_LACKS(tcp, want);
	}
	free(tcp);
	CHECK_INT(server_stop(&sv), 0);
	site_free(&s);
}

static void
serve__port_in_use_is_an_error(void)
{
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr);
	char cmd[8192], *out = NULL;
	site s;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_INT(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	CHECK_INT(listen(fd, 1), 0);
	getsockname(fd, (struct sockaddr *)&addr, &alen);
	site_new(&s);
	snprintf(cmd, sizeof(cmd), "%s serve --quiet --source '%s' --port %d --now " TODAY,
		 tu_bin(), s.src, ntohs(addr.sin_port));
	CHECK_INT(tu_run(cmd, &out), 1);
	CHECK_HAS(out, "error: cannot serve on 127.0.0.1:");
	CHECK_HAS(out, "hint: another program may be using the port");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s serve --port 70000", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 2);
	free(out);
	close(fd);
	site_free(&s);
}

/* serve loads libmicrohttpd when it starts: without it, a clear error;
 * and the engine does not name it, so other commands never load it. */
static void
serve__without_its_library_is_a_clear_error(void)
{
	static volatile sig_atomic_t stop = 1;
	const char *was = nb_serve_library, *bin = tu_bin();
	nb_serve_opts so;
	nb_diags d = NB_DIAGS_INIT;
	char cmd[8192], *out = NULL;

	memset(&so, 0, sizeof(so));
	so.build.source = FIXTURE;
	so.stop = &stop;
	nb_serve_library = "libnoticeboard-no-such-library.so.0";
	CHECK_INT(nb_serve(&so, &d), -1);
	nb_serve_library = was;
	CHECK_INT(d.errors, 1);
	if (d.len) {
		CHECK_HAS(d.items[0].msg, "cannot load the web server library "
			  "libnoticeboard-no-such-library.so.0");
		CHECK_HAS(d.items[0].hint, "libmicrohttpd12");
	}
	nb_diags_free(&d);
	if (!strchr(bin, ' ')) {
		snprintf(cmd, sizeof(cmd), "readelf -d \"$(dirname '%s')/noticeboard-engine\"",
			 bin);
		CHECK_INT(tu_run(cmd, &out), 0);
		CHECK_HAS(out, "libgit2");
		CHECK_LACKS(out, "microhttpd");
		free(out);
	}
}

/* ---- the launcher ------------------------------------------------------------- */

/* The environment a process was started with (NUL-separated), read from
 * /proc; NULL without it. */
static char *
environ_of(pid_t pid, size_t *len)
{
	char path[64], *buf = NULL;
	size_t cap = 0, n = 0;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/environ", (long)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	do {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r > 0)
			n += (size_t)r;
	} while (r > 0);
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* `noticeboard` becomes noticeboard-engine in its own process (Ctrl-C and
 * the exit status are the engine's), having asked glibc's malloc for huge
 * pages: added to GLIBC_TUNABLES, unless that names the tunable already.
 * Without an engine beside it (or installed) it says what to do. */
static void
launch__the_engine_runs_in_place_with_huge_pages(void)
{
	/* what it was given, and what its environment says (ld.so ends
	 * each tunable it reads in a NUL, where it lies: one a line here) */
	static const struct {
		const char *given, *has, *lacks;
	} cases[] = {
		{ NULL, "\nGLIBC_TUNABLES=glibc.malloc.hugetlb=1\n", NULL },
		{ "glibc.malloc.arena_max=4",
		  "\nGLIBC_TUNABLES=glibc.malloc.arena_max=4\nglibc.malloc.hugetlb=1\n", NULL },
		{ "glibc.malloc.hugetlb=0", "\nGLIBC_TUNABLES=glibc.malloc.hugetlb=0\n",
		  "hugetlb=1" },
	};
	char path[64], exe[4096], cmd[8192], *out = NULL;
	const char *bin = tu_bin();
	size_t i, k;
	site s;

	if (access("/proc/self/environ", R_OK) != 0 || strchr(bin, ' ')) {
		printf("launch: needs /proc and NB_BIN a program (it is \"%s\"): "
		       "not tested\n", bin);
		nb_test_skipped++;
		return;
	}
	site_new(&s);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		server sv;
		ssize_t n;
		size_t len = 0;
		char *env;
		if (cases[i].given)
			setenv("GLIBC_TUNABLES", cases[i].given, 1);
		else
			unsetenv("GLIBC_TUNABLES");
		if (server_start(&sv, s.src) != 0)
			break;
		snprintf(path, sizeof(path), "/proc/%ld/exe", (long)sv.pid);
		n = readlink(path, exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = '\0';
		CHECK(n > 19 && strcmp(exe + n - 19, "/noticeboard-engine") == 0);
		env = environ_of(sv.pid, &len);
		CHECK(env != NULL);
		if (env) {
			/* a line each, with one before the first */
			char *e = malloc(len + 2);
			e[0] = '\n';
			memcpy(e + 1, env, len + 1);
			for (k = 1; k <= len; k++)
				if (!e[k])
					e[k] = '\n';
			CHECK_HAS(e, cases[i].has);
			if (cases[i].lacks)
				CHECK(strstr(e, cases[i].lacks) == NULL);
			free(e);
		}
		free(env);
		CHECK_INT(server_stop(&sv), 0);
	}
	unsetenv("GLIBC_TUNABLES");

	/* the launcher alone: no engine beside it (none installed either) */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/noticeboard'", bin, s.root);
	CHECK_INT(tu_run(cmd, &out), 0);
	free(out);
	if (access(NB_LIBEXECDIR "/noticeboard-engine", X_OK) != 0) {
		snprintf(cmd, sizeof(cmd), "'%s/noticeboard' --version", s.root);
		CHECK_INT(tu_run(cmd, &out), 1);
		CHECK_HAS(out, "noticeboard: cannot find noticeboard-engine beside this program");
		CHECK_HAS(out, "hint: build it with make");
		free(out);
	}
	/* and with one beside it (a copy of both: the engine found by where
	 * the launcher is, not where it was built) */
	snprintf(cmd, sizeof(cmd), "cp \"$(dirname '%s')/noticeboard-engine\" '%s/' && "
		 "'%s/noticeboard' --version", bin, s.root, s.root);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_HAS(out, "noticeboard 0.");
	free(out);
	site_free(&s);
}

/* ---- the command line ----------------------------------------------------------- */

static void
cli__help_for_every_command_version_and_quiet(void)
{
	static const char *const cmds[] = { "build", "check", "new", "serve" };
	char cmd[8192], *out = NULL, want[64];
	site s;
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(want, sizeof(want), "Usage: noticeboard %s", cmds[i]);
		snprintf(cmd, sizeof(cmd), "%s %s --help", tu_bin(), cmds[i]);
		CHECK_INT(tu_run(cmd, &out), 0);
		CHECK_HAS(out, want);
		CHECK_HAS(out, "Exit status:");
		free(out);
		snprintf(cmd, sizeof(cmd), "%s help %s", tu_bin(), cmds[i]);
		CHECK_INT(tu_run(cmd, &out), 0);
		CHECK_HAS(out, want);
		free(out);
	}
	snprintf(cmd, sizeof(cmd), "%s --help", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 0);
	for (i = 0; i < 4; i++) {
		snprintf(want, sizeof(want), "  %s ", cmds[i]);
		CHECK_HAS(out, want);
	}
	free(out);
	snprintf(cmd, sizeof(cmd), "%s --version", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_HAS(out, "noticeboard 0.");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s check --version", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_HAS(out, "noticeboard 0.");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s help frobnicate", tu_bin());
	CHECK_INT(tu_run(cmd, &out), 2);
	free(out);

	/* --quiet: nothing at all on success; no progress line when the
	 * output is not a terminal */
	site_new(&s);
	snprintf(cmd, sizeof(cmd), "%s build --quiet --source '%s' --output '%s/public' --now " TODAY,
		 tu_bin(), s.src, s.root);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_STR(out, "");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s build --source='%s' --output='%s/public' --now=" TODAY,
		 tu_bin(), s.src, s.root);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_HAS(out, "Built ");
	CHECK_LACKS(out, "Building");
	free(out);
	/* --timings: each stage's time, even with --quiet */
	snprintf(cmd, sizeof(cmd), "%s build --quiet --timings --source '%s' --output '%s/public' --now " TODAY,
		 tu_bin(), s.src, s.root);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_HAS(out, "timings: read ");
	CHECK_HAS(out, " s, history ");
	CHECK_HAS(out, " s, publish ");
	CHECK_HAS(out, " total ");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s check --quiet --source '%s' --now " TODAY,
		 tu_bin(), s.src);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_STR(out, "");
	free(out);
	site_free(&s);
}

/* ---- the manual page ------------------------------------------------------------- */

static void
cli__man_page_covers_the_commands(void)
{
	static const char *const words[] = { ".TH NOTICEBOARD 1", "build", "check",
		"new", "serve", "\\-\\-strict", "\\-\\-format", "\\-\\-min\\-days",
		"\\-\\-port", "\\-\\-quiet", "\\-\\-now", "SOURCE_DATE_EPOCH",
		"EXIT STATUS", NULL };
	char *man = tu_read(".", "noticeboard.1"), *out = NULL;
	size_t i;

	CHECK(man != NULL);
	for (i = 0; man && words[i]; i++)
		CHECK_HAS(man, words[i]);
	free(man);
	/* it renders without complaint where man is installed */
	if (tu_run("command -v man >/dev/null && command -v groff >/dev/null", &out) == 0) {
		free(out);
		CHECK_INT(tu_run("MANWIDTH=80 man --warnings -E UTF-8 -l noticeboard.1 "
				 "2>&1 >/dev/null | grep -v 'cannot adjust' ", &out), 1);
		CHECK_STR(out, "");
	}
	free(out);
}

/* ---- editor schemas ------------------------------------------------------------- */

static const struct { const char *name; } schema_names[] = {
	{ "site" }, { "consultation" }, { "event" }, { "outcome" }, { "area" },
	{ "partner" }, { "topics" }, { "audiences" }, { "page" },
};

static json_t *
schema_load(const char *name)
{
	char path[256];
	json_error_t jerr;
	json_t *j;

	snprintf(path, sizeof(path), "schemas/%s.schema.json", name);
	j = json_load_file(path, 0, &jerr);
	if (!j)
		nb_test_fail(__FILE__, __LINE__, "%s:%d:%d: %s", path, jerr.line,
			     jerr.column, jerr.text);
	return j;
}

/* Follow "$ref": "#/definitions/X" and one-item "allOf" wrappers. */
static json_t *
schema_resolve(json_t *root, json_t *s)
{
	int hops;

	for (hops = 0; s && hops < 8; hops++) {
		json_t *ref = json_object_get(s, "$ref");
		json_t *all = json_object_get(s, "allOf");
		if (json_is_string(ref) &&
		    strncmp(json_string_value(ref), "#/definitions/", 14) == 0)
			s = json_object_get(json_object_get(root, "definitions"),
					    json_string_value(ref) + 14);
		else if (json_is_array(all) && json_array_size(all) == 1)
			s = json_array_get(all, 0);
		else
			break;
	}
	return s;
}

/* The branch of an anyOf that can hold a node of this kind. */
static json_t *
schema_branch(json_t *root, json_t *s, const nb_node *n)
{
	json_t *any = json_object_get(s, "anyOf"), *b;
	size_t i;

	if (!json_is_array(any) || json_object_get(s, "properties"))
		return s;
	json_array_foreach(any, i, b) {
		json_t *r = schema_resolve(root, b);
		const char *t = json_string_value(json_object_get(r, "type"));
		if (t && ((n->kind == NB_NODE_MAP && strcmp(t, "object") == 0) ||
			  (n->kind == NB_NODE_SEQ && strcmp(t, "array") == 0)))
			return r;
	}
	return s;
}

/* Every key of a YAML tree must be declared by the schema. */
static void
schema_walk(json_t *root, json_t *s, const nb_node *n, const char *where,
	    const char *file, int depth)
{
	size_t i;

	s = schema_resolve(root, s);
	if (!s || !n || depth > 16)
		return;
	s = schema_branch(root, s, n);
	if (n->kind == NB_NODE_MAP) {
		json_t *props = json_object_get(s, "properties");
		for (i = 0; i < n->n; i++) {
			const char *k = n->keys[i]->str;
			json_t *ps = json_object_get(props, k);
			char sub[512];
			snprintf(sub, sizeof(sub), "%s%s%s", where, *where ? "." : "", k);
			if (!ps) {
				nb_test_fail(__FILE__, __LINE__,
					     "%s:%d: `%s` is not declared in the schema",
					     file, n->keys[i]->line, sub);
				continue;
			}
			schema_walk(root, ps, n->items[i], sub, file, depth + 1);
		}
	} else if (n->kind == NB_NODE_SEQ) {
		json_t *items = json_object_get(s, "items");
		for (i = 0; i < n->n && items; i++)
			schema_walk(root, items, n->items[i], where, file, depth + 1);
	}
}

static void
schema_check_file(const char *dir, const char *rel, const char *schema)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	nb_node *root = NULL;
	json_t *s = schema_load(schema);
	char *text = tu_read(dir, rel), path[4096];
	const char *fm, *body;
	size_t fm_len, body_len;
	int fm_line, body_line, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (!text || !s)
		goto done;
	if (strstr(rel, ".md"))
		rc = nb_frontmatter_split(path, text, strlen(text), &fm, &fm_len,
					  &fm_line, &body, &body_len, &body_line, &d) ||
		     nb_yaml_parse(&root, a, path, fm, fm_len, fm_line, &d);
	else
		rc = nb_yaml_parse(&root, a, path, text, strlen(text), 1, &d);
	if (rc != 0)
		nb_test_fail(__FILE__, __LINE__, "%s does not parse", path);
	else
		schema_walk(s, s, root, "", path, 0);
done:
	json_decref(s);
	free(text);
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
schema_check_site(const char *dir)
{
	static const struct { const char *sub, *ext, *schema; } dirs[] = {
		{ "content/consultations", ".md", "consultation" },
		{ "content/events", ".md", "event" },
		{ "content/outcomes", ".md", "outcome" },
		{ "content/pages", ".md", "page" },
		{ "content/areas", ".yaml", "area" },
		{ "content/partners", ".yaml", "partner" },
	};
	size_t i;
	int files = 0;

	schema_check_file(dir, "site.yaml", "site");
	if (tu_exists(dir, "content/topics.yaml"))
		schema_check_file(dir, "content/topics.yaml", "topics");
	if (tu_exists(dir, "content/audiences.yaml"))
		schema_check_file(dir, "content/audiences.yaml", "audiences");
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char full[4096];
		struct dirent *de;
		DIR *dp;

		snprintf(full, sizeof(full), "%s/%s", dir, dirs[i].sub);
		dp = opendir(full);
		while (dp && (de = readdir(dp)) != NULL) {
			size_t n = strlen(de->d_name), e = strlen(dirs[i].ext);
			char rel[4096];
			if (n <= e || strcmp(de->d_name + n - e, dirs[i].ext) != 0)
				continue;
			snprintf(rel, sizeof(rel), "%s/%s", dirs[i].sub, de->d_name);
			schema_check_file(dir, rel, dirs[i].schema);
			files++;
		}
		if (dp)
			closedir(dp);
	}
	CHECK(files > 5);
}

static void
schemas__parse_as_json_schemas(void)
{
	size_t i;

	for (i = 0; i < sizeof(schema_names) / sizeof(schema_names[0]); i++) {
		json_t *s = schema_load(schema_names[i].name);
		const char *type;

		if (!s)
			continue;
		CHECK_STR(json_string_value(json_object_get(s, "$schema")),
			  "http://json-schema.org/draft-07/schema#");
		CHECK(json_is_string(json_object_get(s, "title")));
		type = json_string_value(json_object_get(s, "type"));
		CHECK(type && (strcmp(type, "object") == 0 || strcmp(type, "array") == 0));
		json_decref(s);
	}
}

static void
schemas__declare_every_field_of_the_example_content(void)
{
	schema_check_site(".");
	schema_check_site(FIXTURE);
}

/* The YAML examples of docs/records.md, by section, against the schemas;
 * and every field a schema declares is named in the document. */
static void
schemas__match_the_records_document(void)
{
	static const struct { const char *heading, *schema; } sections[] = {
		{ "## site.yaml", "site" },
		{ "## Consultations", "consultation" },
		{ "## Standalone events", "event" },
		{ "## Outcomes", "outcome" },
		{ "## Areas", "area" },
		{ "## Partners", "partner" },
		{ "## Topics and audiences", "topics" },
		{ "## Pages", "page" },
	};
	char *doc = tu_read(".", "docs/records.md"), *p;
	const char *schema = NULL;
	size_t i, blocks = 0;

	if (!doc) {
		nb_test_fail(__FILE__, __LINE__, "no docs/records.md");
		return;
	}
	for (p = doc; (p = strstr(p, "\n")) != NULL; p++) {
		const char *line = p + 1;
		if (strncmp(line, "## ", 3) == 0) {
			schema = NULL;
			for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
				if (strncmp(line, sections[i].heading,
					    strlen(sections[i].heading)) == 0)
					schema = sections[i].schema;
		}
		if (strncmp(line, "```yaml\n", 8) == 0 && schema) {
			const char *start = line + 8, *end = strstr(start, "\n```");
			char *yaml, *fm_end;
			nb_arena *a = nb_arena_new();
			nb_diags d = NB_DIAGS_INIT;
			nb_node *root = NULL;
			json_t *s = schema_load(schema);

			if (!end)
				break;
			yaml = strndup(start, (size_t)(end - start) + 1);
			if (strncmp(yaml, "---\n", 4) == 0) {
				memset(yaml, ' ', 3);
				fm_end = strstr(yaml, "\n---\n");
				if (fm_end)
					fm_end[1] = '\0';
			}
			if (nb_yaml_parse(&root, a, "docs/records.md", yaml, strlen(yaml),
					  1, &d) != 0)
				nb_test_fail(__FILE__, __LINE__,
					     "the %s example in docs/records.md does not parse",
					     schema);
			else
				schema_walk(s, s, root, "", "docs/records.md", 0);
			blocks++;
			json_decref(s);
			free(yaml);
			nb_diags_free(&d);
			nb_arena_free(a);
		}
	}
	CHECK_INT(blocks, 8);

	/* the other way: each declared field is named in the document */
	for (i = 0; i < sizeof(schema_names) / sizeof(schema_names[0]); i++) {
		json_t *s = schema_load(schema_names[i].name), *defs, *d, *stack[64];
		const char *name;
		size_t sp = 0;

		if (!s)
			continue;
		stack[sp++] = s;
		defs = json_object_get(s, "definitions");
		json_object_foreach(defs, name, d)
			if (sp < 64)
				stack[sp++] = d;
		while (sp) {
			json_t *cur = schema_resolve(s, stack[--sp]), *props, *v, *items;
			const char *key;
			size_t k;
			if (!cur)
				continue;
			items = json_object_get(cur, "items");
			if (items && sp < 64)
				stack[sp++] = items;
			if (json_is_array(json_object_get(cur, "anyOf")))
				json_array_foreach(json_object_get(cur, "anyOf"), k, v)
					if (sp < 64 && json_object_get(v, "properties"))
						stack[sp++] = v;
			props = json_object_get(cur, "properties");
			json_object_foreach(props, key, v) {
				char a1[80], a2[80];
				snprintf(a1, sizeof(a1), "%s:", key);
				snprintf(a2, sizeof(a2), "`%s`", key);
				if (!strstr(doc, a1) && !strstr(doc, a2))
					nb_test_fail(__FILE__, __LINE__,
						     "schemas/%s.schema.json: `%s` is not in docs/records.md",
						     schema_names[i].name, key);
				if (sp < 64)
					stack[sp++] = v;
			}
		}
		json_decref(s);
	}
	free(doc);
}

/* ---- publishing recipes ----------------------------------------------------------- */

static void
recipes__workflows_parse_and_run_check_build_publish(void)
{
	static const struct { const char *file; const char *needles[8]; } recipes[] = {
		{ ".github/workflows/noticeboard.yml",
		  { "pull_request", "schedule", "check --strict", "noticeboard build",
		    "actions/upload-pages-artifact", "actions/deploy-pages",
		    "libmicrohttpd-dev", NULL } },
		{ ".gitlab-ci.yml",
		  { "merge_request_event", "schedule", "check --strict",
		    "noticeboard build", "pages:", "public", "libmicrohttpd-dev", NULL } },
	};
	size_t i, k;

	for (i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++) {
		char *text = tu_read(".", recipes[i].file);
		nb_arena *a = nb_arena_new();
		nb_diags d = NB_DIAGS_INIT;
		nb_node *root = NULL;

		if (!text) {
			nb_test_fail(__FILE__, __LINE__, "no %s", recipes[i].file);
			nb_arena_free(a);
			continue;
		}
		CHECK_INT(nb_yaml_parse(&root, a, recipes[i].file, text,
					strlen(text), 1, &d), 0);
		CHECK(root && root->kind == NB_NODE_MAP);
		for (k = 0; recipes[i].needles[k]; k++)
			CHECK_HAS(text, recipes[i].needles[k]);
		nb_diags_free(&d);
		nb_arena_free(a);
		free(text);
	}
}



void
suite_officer(void)
{
	RUN(check__minimal_site_has_no_problems);
	RUN(check__consultation_fatigue_names_both_files);
	RUN(check__feedback_promise_missing_from_consult_level);
	RUN(check__feedback_overdue);
	RUN(check__open_for_too_few_days);
	RUN(check__venue_without_access_information);
	RUN(check__broken_internal_links);
	RUN(check__links_must_carry_the_site_prefix);
	RUN(check__placeholders_left_by_new);
	RUN(check__finds_every_build_error_including_templates);
	RUN(check__cli_strict_json_and_exit_codes);
	RUN(check__reads_a_git_ref_when_asked);
	RUN(check__example_site_warnings_point_at_fields);
	RUN(new__ids_from_titles);
	RUN(new__consultation_builds_once_ids_are_filled_in);
	RUN(new__every_kind_offers_every_field_and_checks_clean);
	RUN(new__id_lists_wrap_at_76_columns);
	RUN(new__never_overwrites_and_usage_errors);
	RUN(serve__pages_rebuilds_and_build_errors);
	RUN(serve__content_types_and_unsafe_paths);
	RUN(serve__port_in_use_is_an_error);
	RUN(serve__without_its_library_is_a_clear_error);
	RUN(launch__the_engine_runs_in_place_with_huge_pages);
	RUN(cli__help_for_every_command_version_and_quiet);
	RUN(cli__man_page_covers_the_commands);
	RUN(schemas__parse_as_json_schemas);
	RUN(schemas__declare_every_field_of_the_example_content);
	RUN(schemas__match_the_records_document);
	RUN(recipes__workflows_parse_and_run_check_build_publish);
}
