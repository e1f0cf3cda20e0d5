/*
 * test_incremental.c - incremental builds equal full builds, byte for byte.
 *
 * A repository is changed by a seeded random sequence of commits (add,
 * edit, rename and delete records, edit a template, change site.yaml);
 * after each, the site is built incrementally into the same folder and
 * in full (--full) from the same starting point, and the two must match
 * exactly.  Incremental builds must also actually reuse unchanged pages.
 */
#include "harness.h"
#include "util.h"

#include "build.h"
#include "render.h"
#include "write.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long rng = 20261123;
static size_t parsed_before;   /* of the last build() */
static size_t data_reused;     /* of the last build() */
static size_t items_reused;    /* of the last build() */
static char warnings[8192];    /* of the last build(): path:line:col: msg */

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

/* Build from a repository's main, or (repo NULL) from the folder source. */
static int
build_from(const char *repo, const char *source, const char *output, int full,
	   size_t *reused)
{
	nb_build_opts o;
	nb_build_stats st;
	nb_diags d = NB_DIAGS_INIT;
	char why[64];
	int rc;

	memset(&o, 0, sizeof(o));
	o.repo = repo;
	o.source = source;
	o.output = output;
	o.share = ".";
	o.history = repo ? -1 : 0;
	o.full = full;
	o.has_today = 1;
	nb_date_parse(&o.today, "2026-11-23", 10, why, sizeof(why));
	rc = nb_build(&o, &st, &d);
	if (rc != 0) {
		size_t i;
		for (i = 0; i < d.len; i++)
			fprintf(stderr, "  %s:%d: %s\n", d.items[i].path,
				d.items[i].line, d.items[i].msg);
	}
	if (reused)
		*reused = st.reused;
	warnings[0] = '\0';
	{
		size_t i, at = 0;
		for (i = 0; i < d.len && at < sizeof(warnings) - 1; i++) {
			int n = snprintf(warnings + at, sizeof(warnings) - at,
					 "%s:%d:%d: %s\n", d.items[i].path,
					 d.items[i].line, d.items[i].col,
					 d.items[i].msg);
			if (n < 0)
				break;
			at += (size_t)n;
		}
	}
	parsed_before = st.parsed_before;
	data_reused = st.data_reused;
	items_reused = st.items_reused;
	nb_diags_free(&d);
	return rc;
}

static int
build(const char *repo, const char *output, int full, size_t *reused)
{
	return build_from(repo, NULL, output, full, reused);
}

static void
git(const char *repo, int step, const char *cmd)
{
	char date[64], *out = NULL;

	snprintf(date, sizeof(date), "2026-10-%02dT10:%02d:00+01:00",
		 1 + (step % 100) / 6, (step * 7) % 60);
	if (tu_git(repo, date, cmd, &out) != 0)
		nb_test_fail(__FILE__, __LINE__, "%s failed:\n%s", cmd, out);
	free(out);
}

/* One change, committed: `op` (0 to 8), or a random one when it is -1.
 * Keeps the site valid: consultations with an outcome are never deleted
 * or renamed, and ids stay unique. */
static const char *
change(const char *repo, int step, int *next_id, int op)
{
	char cmd[2048];
	int id, om;

	switch (op >= 0 ? (unsigned)op : rnd(9)) {
	case 0:   /* add a consultation, sometimes with an event */
		id = (*next_id)++;
		om = 9 + (int)rnd(4);   /* it opens, and closes no sooner */
		snprintf(cmd, sizeof(cmd),
			 "printf -- \"---\\ntitle: Activity %d\\nsummary: Number %d.\\n"
			 "lead: %s\\nlevel: consult\\nareas: [%s]\\ntopics: [transport]\\n"
			 "opens: 2026-%02d-01\\ncloses: 2026-%02d-20\\nfeedback_by: 2027-03-01\\n%s---\\nBody %d.\\n\" "
			 "> content/consultations/act-%d.md && git add -A && git commit -q -m \"Add %d\"",
			 id, id, rnd(2) ? "police" : "county-council",
			 rnd(2) ? "north-ward" : "town", om, om + (int)rnd((unsigned)(13 - om)),
			 rnd(2) ? "events:\\n  - title: Drop-in\\n    start: 2026-11-10 18:00\\n"
				  "    end: 2026-11-10 19:30\\n    online: https://meet.test.example/x\\n" : "",
			 id, id, id);
		git(repo, step, cmd);
		return "add";
	case 1:   /* edit the bus review's summary */
		snprintf(cmd, sizeof(cmd),
			 "f=$(ls content/consultations/bus*.md | head -1) && "
			 "sed -i \"s/^summary: .*/summary: Edited at step %d./\" $f && "
			 "git commit -q -am \"Edit the bus review\"", step);
		git(repo, step, cmd);
		return "edit";
	case 2:   /* edit an added activity's dates, or the old survey */
		snprintf(cmd, sizeof(cmd),
			 "f=$(ls content/consultations/act-*.md 2>/dev/null | head -1); "
			 "if [ -n \"$f\" ]; then sed -i \"s/^closes: .*/closes: 2026-12-%02d/\" $f; "
			 "else sed -i \"s/^summary: .*/summary: Old at %d./\" content/consultations/old-survey.md; fi && "
			 "git commit -q -am \"Change dates\"", 1 + (int)rnd(27), step);
		git(repo, step, cmd);
		return "edit dates";
	case 3:   /* rename an added activity */
		snprintf(cmd, sizeof(cmd),
			 "f=$(ls content/consultations/act-*.md 2>/dev/null | head -1); "
			 "if [ -n \"$f\" ]; then git mv $f content/consultations/moved-%d.md; "
			 "else touch content/pages/.keep && git add -A; fi && "
			 "git commit -q -m \"Rename\"", step);
		git(repo, step, cmd);
		return "rename";
	case 4:   /* delete an added or moved activity */
		snprintf(cmd, sizeof(cmd),
			 "f=$(ls content/consultations/act-*.md content/consultations/moved-*.md 2>/dev/null | tail -1); "
			 "if [ -n \"$f\" ]; then git rm -q $f; else echo >> content/pages/about.md && git add -A; fi && "
			 "git commit -q -m \"Delete\"");
		git(repo, step, cmd);
		return "delete";
	case 5:   /* edit a template: the site's own 404 page */
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p layouts && printf \"{{<base}}{{\\$main}}<h1>Not here (%d)</h1>{{/main}}{{/base}}\" "
			 "> layouts/404.mustache && git add -A && git commit -q -m \"Template\"", step);
		git(repo, step, cmd);
		return "template";
	case 6:   /* change site.yaml */
		snprintf(cmd, sizeof(cmd),
			 "sed -i \"s/^closing_soon_days: .*/closing_soon_days: %d/\" site.yaml && "
			 "git commit -q -am \"Settings\"", 7 + (int)rnd(30));
		git(repo, step, cmd);
		return "site.yaml";
	case 8:   /* edit a moved activity */
		snprintf(cmd, sizeof(cmd),
			 "f=$(ls content/consultations/moved-*.md 2>/dev/null | head -1); "
			 "if [ -n \"$f\" ]; then sed -i \"s/^summary: .*/summary: Moved at %d./\" $f; "
			 "else echo >> content/pages/about.md; fi && git commit -q -am \"Edit moved\"",
			 step);
		git(repo, step, cmd);
		return "edit moved";
	default:  /* edit an outcome */
		snprintf(cmd, sizeof(cmd),
			 "sed -i \"s/^summary: .*/summary: Outcome at %d./\" content/outcomes/old-survey-outcome.md && "
			 "git commit -q -am \"Outcome\"", step);
		git(repo, step, cmd);
		return "outcome";
	}
}

static void
incremental__random_commits_equal_full_builds(void)
{
	char *root = tu_tmpdir(), repo[4200], inc[4200], full[4200];
	char cmd[13000], *out = NULL;
	int step, next_id = 1, reused_any = 0;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(inc, sizeof(inc), "%s/inc", root);
	tu_copy_tree("tests/fixtures/minimal", repo);
	git(repo, 0, "git init -q -b main . && git add -A && git commit -q -m Start");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	for (step = 1; step <= 16; step++) {
		/* first pushes of one or more commits that rename, edit and
		 * delete across them (the walk since the saved one follows
		 * them), then random ones */
		static const int script[][3] = {
			{ 0, 0, -1 },   /* two added */
			{ 3, 8, -1 },   /* one renamed, and edited after */
			{ 3, -1, -1 },  /* the other renamed */
			{ 0, 3, 8 },    /* added and renamed at once; an edit */
			{ 4, 8, -1 },   /* the last moved deleted; an edit */
		};
		const int *ops = step <= 5 ? script[step - 1] : NULL;
		const char *what = change(repo, step, &next_id, ops ? ops[0] : -1);
		size_t reused = 0;

		if (ops ? ops[1] >= 0 : rnd(3) == 0)
			what = change(repo, 100 + step, &next_id, ops ? ops[1] : -1);
		if (ops ? ops[2] >= 0 : rnd(4) == 0)
			what = change(repo, 200 + step, &next_id, ops ? ops[2] : -1);

		/* the full build starts from the same published site (for its
		 * calendar SEQUENCE numbers) but renders everything */
		snprintf(full, sizeof(full), "%s/full-%d", root, step);
		snprintf(cmd, sizeof(cmd), "cp -rL '%s' '%s'", inc, full);
		tu_run(cmd, &out);
		free(out);
		CHECK_INT(build(repo, inc, 0, &reused), 0);
		CHECK_INT(build(repo, full, 1, NULL), 0);
		if (reused)
			reused_any = 1;
		snprintf(cmd, sizeof(cmd), "diff -r '%s' '%s'", inc, full);
		if (tu_run(cmd, &out) != 0)
			nb_test_fail(__FILE__, __LINE__,
				     "step %d (%s): incremental differs from full:\n%.2000s",
				     step, what, out);
		free(out);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", full);
		tu_run(cmd, &out);
		free(out);
	}
	CHECK(reused_any);
	nb_rmtree(root);
	free(root);
}

static void
incremental__one_edit_renders_little(void)
{
	char *root = tu_tmpdir(), repo[4200], inc[4200];
	size_t reused = 0;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(inc, sizeof(inc), "%s/inc", root);
	tu_copy_tree("tests/fixtures/minimal", repo);
	git(repo, 0, "git init -q -b main . && git add -A && git commit -q -m Start");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	/* a content page's body: only that page changes */
	git(repo, 1, "echo More. >> content/pages/about.md && git commit -q -am Page");
	CHECK_INT(build(repo, inc, 0, &reused), 0);
	CHECK(reused > 20);
	{
		char *p = tu_read(inc, "about/index.html");
		CHECK_HAS(p, "More.");
		free(p);
	}
	nb_rmtree(root);
	free(root);
}

/* An output that is a folder (not the link to two copies that a first
 * build makes) is replaced whole, from a staging folder beside it: its
 * unchanged files are taken as hard links, by the manifest it holds. */
static void
incremental__a_folder_output_takes_unchanged_files(void)
{
	char *root = tu_tmpdir(), repo[4200], inc[4200], full[4200];
	char cmd[13000], *o = NULL;
	size_t reused = 0;
	struct stat st;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(inc, sizeof(inc), "%s/inc", root);
	snprintf(full, sizeof(full), "%s/full", root);
	tu_copy_tree("tests/fixtures/minimal", repo);
	git(repo, 0, "git init -q -b main . && git add -A && git commit -q -m Start");
	CHECK_INT(tu_write(inc, "stale.html", "published by hand"), 0);
	CHECK_INT(build(repo, inc, 0, &reused), 0);
	CHECK_INT(reused, 0);
	CHECK(lstat(inc, &st) == 0 && S_ISDIR(st.st_mode));
	git(repo, 1, "echo More. >> content/pages/about.md && git commit -q -am Page");
	CHECK_INT(build(repo, inc, 0, &reused), 0);
	CHECK(reused > 20);
	CHECK(lstat(inc, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(!tu_exists(inc, "stale.html"));
	o = tu_read(inc, "about/index.html");
	CHECK_HAS(o, "More.");
	free(o);
	/* what was taken is what a full build makes */
	CHECK_INT(build(repo, full, 1, NULL), 0);
	snprintf(cmd, sizeof(cmd), "diff -r -x '*.ics' -x calendar-sequence.json "
		 "-x files '%s/' '%s/'", inc, full);
	if (tu_run(cmd, &o) != 0)
		nb_test_fail(__FILE__, __LINE__, "differs from a full build:\n%.1500s", o);
	free(o);
	nb_rmtree(root);
	free(root);
}

/* Files unchanged since the last build are taken from the parse cache
 * beside the output, and open data records from the last build's files;
 * a damaged cache or index is none; the site is the same. */
static void
incremental__unchanged_files_come_from_the_parse_cache(void)
{
	char *root = tu_tmpdir(), repo[4200], inc[4200], full[4200];
	char cache[4300], cmd[13000], *out = NULL, first[8192];
	size_t files;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(inc, sizeof(inc), "%s/inc", root);
	snprintf(full, sizeof(full), "%s/full", root);
	snprintf(cache, sizeof(cache), "%s.nb-cache", inc);
	tu_copy_tree("tests/fixtures/minimal", repo);
	/* more consultations than the first (always made: it names the CSV
	 * columns) and the one edited */
	{
		/* a body with a warning (link text that says nothing) */
		char *t = tu_read(repo, "content/consultations/bus-review.md"), *u;
		CHECK(t != NULL);
		u = malloc(strlen(t ? t : "") + 100);
		sprintf(u, "%sTo have your say, [click here](https://example.org/a).\n",
			t ? t : "");
		CHECK_INT(tu_write(repo, "content/consultations/bus-review.md", u), 0);
		free(u);
		free(t);
	}
	git(repo, 0, "for i in 1 2 3; do cp content/consultations/bus-review.md content/consultations/zz-$i.md; done && "
	    "git init -q -b main . && git add -A && git commit -q -m Start");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(parsed_before, 0);
	CHECK(tu_exists(root, "inc.nb-cache"));
	/* the body's warning, about each copy */
	CHECK_HAS(warnings, "content/consultations/zz-2.md:");
	snprintf(first, sizeof(first), "%s", warnings);
	CHECK_HAS(first, "click here");
	/* every file parsed: site.yaml, the terms and the records */
	snprintf(cmd, sizeof(cmd), "cd '%s' && git ls-files site.yaml 'content/*.yaml' "
		 "'content/*/*.yaml' 'content/*/*.md' | wc -l", repo);
	tu_run(cmd, &out);
	files = (size_t)strtoul(out, NULL, 10);
	free(out);
	CHECK(files > 10);

	git(repo, 1, "sed -i \"s/^summary: .*/summary: Cached./\" content/consultations/bus-review.md && "
	    "git commit -q -am Edit");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(parsed_before, files - 1);
	/* the unchanged files' warnings, as when they were read */
	{
		const char *w = strstr(first, "content/consultations/zz-1.md:");
		char line[512];
		size_t n = w ? strcspn(w, "\n") : 0;
		CHECK(w != NULL);
		snprintf(line, sizeof(line), "%.*s", (int)n, w ? w : "");
		CHECK_HAS(warnings, line);
	}
	/* the copies, from the first copy's files: open data records and
	 * calendar items (each opens and closes) */
	CHECK(data_reused >= 3);
	CHECK(items_reused >= 6);
	{
		char *p = tu_read(inc, "consultations/bus-review/index.html");
		CHECK_HAS(p, "Cached.");
		free(p);
	}

	/* damaged: nothing is taken from it, and the site is still right */
	git(repo, 2, "sed -i \"s/^summary: .*/summary: Damaged./\" content/outcomes/old-survey-outcome.md && "
	    "git commit -q -am Outcome");
	snprintf(cmd, sizeof(cmd), "truncate -s 100 '%s' && for f in '%s'.nb-?/.noticeboard/data/*.pieces '%s'.nb-?/.noticeboard/calendar.items; do "
		 "head -c 200 /dev/urandom > $f.new && mv $f.new $f; done", cache, inc, inc);
	CHECK_INT(tu_run(cmd, &out), 0);
	free(out);
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(parsed_before, 0);
	CHECK_INT(data_reused, 0);
	CHECK_INT(items_reused, 0);
	snprintf(cmd, sizeof(cmd), "cp -rL '%s' '%s'", inc, full);
	tu_run(cmd, &out);
	free(out);
	CHECK_INT(build(repo, full, 1, NULL), 0);
	/* --full takes nothing from the last build */
	CHECK_INT(parsed_before, 0);
	CHECK_INT(data_reused, 0);
	CHECK_INT(items_reused, 0);
	snprintf(cmd, sizeof(cmd), "diff -r '%s' '%s'", inc, full);
	if (tu_run(cmd, &out) != 0)
		nb_test_fail(__FILE__, __LINE__, "differs from a full build:\n%.2000s", out);
	free(out);
	/* and written afresh: the next builds take everything unchanged (the
	 * second is the first to update the copy the damaged build made) */
	git(repo, 3, "sed -i \"s/^summary: .*/summary: Again./\" content/consultations/bus-review.md && "
	    "git commit -q -am Edit");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(parsed_before, files - 1);
	git(repo, 4, "sed -i \"s/^summary: .*/summary: And again./\" content/consultations/bus-review.md && "
	    "git commit -q -am Edit");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(parsed_before, files - 1);
	CHECK(data_reused >= 3);
	CHECK(items_reused >= 6);

	nb_rmtree(root);
	free(root);
}

/* A build that fails with what the files say, compared with a build of
 * the same commit that reads every file (--full): the same diagnostics. */
static void
fails_as_from_files(const char *repo, const char *inc, const char *full,
		    const char *expect)
{
	char got[8192];

	CHECK(build(repo, inc, 0, NULL) != 0);
	snprintf(got, sizeof(got), "%s", warnings);
	CHECK_HAS(got, expect);
	CHECK(build(repo, full, 1, NULL) != 0);
	CHECK_STR(got, warnings);
}

/* A record file unchanged since the last build comes back from the
 * image of its record kept in the parse cache (image.h).  A site
 * rendered whole from images is the site rendered from the files; what
 * an image names in other files is looked up again, so a rung, partner,
 * consultation or page name that has gone is the error the file gives,
 * and an area's new name shows. */
static void
incremental__records_come_back_from_their_images(void)
{
	char *root = tu_tmpdir(), repo[4200], a[4200], b[4200], full[4200];
	char cmd[13000], *out = NULL;
	size_t files;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(a, sizeof(a), "%s/a", root);
	snprintf(b, sizeof(b), "%s/b", root);
	snprintf(full, sizeof(full), "%s/full", root);
	/* the example site (every kind of field), and a page */
	snprintf(cmd, sizeof(cmd), "mkdir '%s' && cp -r content site.yaml '%s/' && "
		 "cp tests/fixtures/minimal/content/pages/about.md '%s/content/pages/'",
		 repo, repo, repo);
	CHECK_INT(tu_run(cmd, &out), 0);
	free(out);
	git(repo, 0, "git init -q -b main . && git add -A && git commit -q -m Start");
	snprintf(cmd, sizeof(cmd), "cd '%s' && git ls-files site.yaml 'content/*.yaml' "
		 "'content/*/*.yaml' 'content/*/*.md' | wc -l", repo);
	tu_run(cmd, &out);
	files = (size_t)strtoul(out, NULL, 10);
	free(out);
	CHECK(files > 60);

	/* read from the files (and their images kept), then rendered whole
	 * into an empty place from the images */
	CHECK_INT(build(repo, a, 1, NULL), 0);
	CHECK_INT(parsed_before, 0);
	snprintf(cmd, sizeof(cmd), "cp '%s.nb-cache' '%s.nb-cache'", a, b);
	CHECK_INT(tu_run(cmd, &out), 0);
	free(out);
	CHECK_INT(build(repo, b, 0, NULL), 0);
	CHECK_INT(parsed_before, files);
	snprintf(cmd, sizeof(cmd), "diff -r '%s' '%s'", a, b);
	if (tu_run(cmd, &out) != 0)
		nb_test_fail(__FILE__, __LINE__, "images give another site:\n%.2000s", out);
	free(out);

	/* a rung of the ladder renamed: `level: inform` names nothing */
	git(repo, 1, "sed -i \"s/^  - id: inform/  - id: tell/\" site.yaml && git commit -qam Rung");
	fails_as_from_files(repo, b, full, "unknown level `inform`");
	git(repo, 2, "git revert --no-edit HEAD >/dev/null");
	/* a partner gone */
	git(repo, 3, "git rm -q content/partners/kingsbridge-city-council.yaml && git commit -qm Partner");
	fails_as_from_files(repo, b, full,
			    "unknown partner `kingsbridge-city-council`");
	git(repo, 4, "git revert --no-edit HEAD >/dev/null");
	/* the consultation an outcome answers gone */
	git(repo, 5, "git rm -q content/consultations/gp-evening-weekend-appointments.md && git commit -qm Gone");
	fails_as_from_files(repo, b, full,
			    "unknown consultation `gp-evening-weekend-appointments`");
	git(repo, 6, "git revert --no-edit HEAD >/dev/null");
	/* a page's file renamed to one of the site's own sections (and
	 * back: the old name then gets no redirect, which would stand where
	 * the section's page stands) */
	git(repo, 7, "git mv content/pages/about.md content/pages/areas.md && git commit -qm Page");
	fails_as_from_files(repo, b, full, "the page id `areas` is reserved");
	git(repo, 8, "git revert --no-edit HEAD >/dev/null");

	/* an area renamed: the outcomes that count responses there say so */
	CHECK_INT(build(repo, b, 0, NULL), 0);
	git(repo, 9, "sed -i \"s/^name: .*/name: Renamed Ward/\" content/areas/kingsbridge.yaml && "
	    "git commit -qam Area");
	CHECK_INT(build(repo, b, 0, NULL), 0);
	CHECK_INT(build(repo, full, 1, NULL), 0);
	snprintf(cmd, sizeof(cmd), "grep -rl 'Renamed Ward' '%s/outcomes' | head -1", b);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_HAS(out, "index.html");
	free(out);
	snprintf(cmd, sizeof(cmd), "diff -r '%s' '%s'", b, full);
	if (tu_run(cmd, &out) != 0)
		nb_test_fail(__FILE__, __LINE__, "differs from a full build:\n%.2000s", out);
	free(out);

	nb_rmtree(root);
	free(root);
}

/* From a folder too, once the output holds a site (a first build into an
 * empty place writes no cache): each file's parse is found by the id git
 * would give its bytes. */
static void
incremental__folder_rebuilds_take_parses_from_the_cache(void)
{
	char *root = tu_tmpdir(), site[4200], inc[4200], full[4200];
	char cmd[13000], *out = NULL;
	size_t files;

	snprintf(site, sizeof(site), "%s/site", root);
	snprintf(inc, sizeof(inc), "%s/inc", root);
	snprintf(full, sizeof(full), "%s/full", root);
	tu_copy_tree("tests/fixtures/minimal", site);
	snprintf(cmd, sizeof(cmd), "cd '%s' && for i in 1 2 3; do cp content/consultations/bus-review.md "
		 "content/consultations/zz-$i.md; done && ls site.yaml content/*.yaml "
		 "content/*/*.yaml content/*/*.md | wc -l", site);
	CHECK_INT(tu_run(cmd, &out), 0);
	files = (size_t)strtoul(out, NULL, 10);
	free(out);
	CHECK(files > 10);
	CHECK_INT(build_from(NULL, site, inc, 0, NULL), 0);
	CHECK(!tu_exists(root, "inc.nb-cache"));
	CHECK_INT(build_from(NULL, site, inc, 0, NULL), 0);
	CHECK_INT(parsed_before, 0);
	CHECK(tu_exists(root, "inc.nb-cache"));
	snprintf(cmd, sizeof(cmd), "sed -i \"s/^summary: .*/summary: Cached./\" "
		 "'%s/content/consultations/bus-review.md'", site);
	CHECK_INT(tu_run(cmd, &out), 0);
	free(out);
	CHECK_INT(build_from(NULL, site, inc, 0, NULL), 0);
	CHECK_INT(parsed_before, files - 1);
	{
		char *p = tu_read(inc, "consultations/bus-review/index.html");
		CHECK_HAS(p, "Cached.");
		free(p);
	}
	/* the same site as a build that takes nothing (from a copy of it:
	 * the calendar's sequence numbers carry on) */
	snprintf(cmd, sizeof(cmd), "cp -rL '%s' '%s'", inc, full);
	CHECK_INT(tu_run(cmd, &out), 0);
	free(out);
	CHECK_INT(build_from(NULL, site, full, 1, NULL), 0);
	CHECK_INT(parsed_before, 0);
	snprintf(cmd, sizeof(cmd), "diff -r '%s' '%s'", inc, full);
	if (tu_run(cmd, &out) != 0)
		nb_test_fail(__FILE__, __LINE__, "differs from a full build:\n%.2000s", out);
	free(out);
	nb_rmtree(root);
	free(root);
}

/* Start the binary building `site` into `out`, kill it after `ms`. */
static void
build_and_kill(const char *site, const char *out, int ms)
{
	pid_t pid = fork();
	struct timespec ts;

	if (pid == 0) {
		execl(tu_bin(), "noticeboard", "build", "--quiet", "--source", site,
		      "--output", out, "--now", "2026-11-23", (char *)NULL);
		_exit(127);
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void
incremental__killed_builds_leave_the_site_and_are_cleaned_up(void)
{
	char *root = tu_tmpdir(), site[4200], out[4200], real[4200], cmd[13000];
	char *before, *after, *o = NULL;
	int i, ms;

	snprintf(site, sizeof(site), "%s/site", root);
	snprintf(out, sizeof(out), "%s/public", root);
	snprintf(real, sizeof(real), "%s/real", root);
	tu_copy_tree("tests/fixtures/minimal", site);
	for (i = 0; i < 400; i++) {
		char name[128], text[512];
		snprintf(name, sizeof(name), "content/consultations/many-%03d.md", i);
		snprintf(text, sizeof(text),
			 "---\ntitle: Activity %d\nsummary: One of many.\nlead: police\n"
			 "level: consult\nareas: [north-ward]\nopens: 2026-%02d-01\n"
			 "closes: 2026-%02d-25\nfeedback_by: 2027-03-01\n---\nBody.\n",
			 i, 1 + i % 12, 1 + i % 12);
		tu_write(site, name, text);
	}
	/* published as two copies behind a link */
	CHECK_INT(tu_build(site, out, "2026-11-23", NULL), 0);
	before = tu_read(out, "consultations/many-001/index.html");
	tu_write(site, "content/consultations/many-001.md",
		 "---\ntitle: Changed\nsummary: Changed.\nlead: police\n"
		 "level: consult\nareas: [north-ward]\nopens: 2026-02-01\n"
		 "closes: 2026-02-25\n---\n");
	/* kill rebuilds at several moments: the live site never changes */
	for (ms = 5; ms <= 125; ms += 40) {
		build_and_kill(site, out, ms);
		after = tu_read(out, "consultations/many-001/index.html");
		if (!after || strcmp(before, after) != 0) {
			/* a build may have finished before the kill: then it is
			 * the whole new site, not a mixture */
			CHECK(after && strstr(after, "<h1>Changed</h1>"));
			CHECK(tu_exists(out, "consultations/many-399/index.html"));
		}
		free(after);
	}
	/* the next build finishes the job; leftovers are gone */
	CHECK_INT(tu_build(site, out, "2026-11-23", NULL), 0);
	after = tu_read(out, "consultations/many-001/index.html");
	CHECK_HAS(after, "<h1>Changed</h1>");
	free(after);
	/* and equals a full build (but for calendar SEQUENCE numbers, which
	 * rose with the change: a fresh build has no earlier ones) */
	snprintf(cmd, sizeof(cmd), "%s/full", root);
	CHECK_INT(tu_build(site, cmd, "2026-11-23", NULL), 0);
	snprintf(cmd, sizeof(cmd), "diff -r -x '*.ics' -x calendar-sequence.json '%s/' '%s/full/' && ls -a '%s'", out, root, root);
	if (tu_run(cmd, &o) != 0)
		nb_test_fail(__FILE__, __LINE__, "differs from a full build:\n%.1500s", o);
	CHECK_LACKS(o, "nb-tmp");
	CHECK_LACKS(o, "nb-link");
	free(o);

	/* the same with a real folder (staging beside it) */
	tu_write(real, "index.html", "the site as published before");
	build_and_kill(site, real, 40);
	after = tu_read(real, "index.html");
	CHECK(after && (strcmp(after, "the site as published before") == 0 ||
			strstr(after, "<html")));
	free(after);
	CHECK_INT(tu_build(site, real, "2026-11-23", NULL), 0);
	snprintf(cmd, sizeof(cmd), "ls -a '%s'", root);
	tu_run(cmd, &o);
	CHECK_LACKS(o, "nb-tmp");
	CHECK_LACKS(o, "nb-old");
	free(o);
	free(before);
	nb_rmtree(root);
	free(root);
}

/* Two builds of one output take turns: the second waits for the first's
 * lock (OUTPUT.nb-lock) rather than update the same copy at once. */
static void
incremental__builds_of_one_output_take_turns(void)
{
	char *root = tu_tmpdir(), site[4200], out[4200], lock[4300];
	int fd, status = -1;
	pid_t pid;
	struct timespec ts = { 0, 400 * 1000000L };

	snprintf(site, sizeof(site), "%s/site", root);
	snprintf(out, sizeof(out), "%s/public", root);
	snprintf(lock, sizeof(lock), "%s.nb-lock", out);
	tu_copy_tree("tests/fixtures/minimal", site);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	CHECK(fd >= 0 && flock(fd, LOCK_EX) == 0);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		execl(tu_bin(), "noticeboard", "build", "--quiet", "--source", site,
		      "--output", out, "--now", "2026-11-23", (char *)NULL);
		_exit(127);
	}
	nanosleep(&ts, NULL);
	/* still waiting, nothing written */
	CHECK_INT(waitpid(pid, &status, WNOHANG), 0);
	CHECK(!tu_exists(root, "public/index.html"));
	close(fd);   /* the lock goes with it */
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(tu_exists(root, "public/index.html"));
	nb_rmtree(root);
	free(root);
}

static void
incremental__failed_build_leaves_the_site(void)
{
	char *root = tu_tmpdir(), site[4200], out[4200], *before, *after;

	snprintf(site, sizeof(site), "%s/site", root);
	snprintf(out, sizeof(out), "%s/public", root);
	tu_copy_tree("tests/fixtures/minimal", site);
	CHECK_INT(tu_build(site, out, "2026-11-23", NULL), 0);
	CHECK_INT(tu_build(site, out, "2026-11-23", NULL), 0);   /* both copies */
	before = tu_read(out, "index.html");
	/* a template error part way through the render */
	tu_write(site, "layouts/area.mustache", "{{#area}}");
	CHECK(tu_build(site, out, "2026-11-23", NULL) != 0);
	after = tu_read(out, "index.html");
	CHECK_STR(after, before);
	free(after);
	/* fixed, the next build completes */
	tu_write(site, "layouts/area.mustache",
		 "{{<base}}{{$main}}<h1>{{area.label}}</h1>{{/main}}{{/base}}");
	CHECK_INT(tu_build(site, out, "2026-11-23", NULL), 0);
	after = tu_read(out, "areas/town/index.html");
	CHECK_HAS(after, "<h1>Testbridge</h1>");
	free(after);
	free(before);
	nb_rmtree(root);
	free(root);
}

/* A time before what the next build writes and after what the builds
 * before it wrote: taken 60 ms after them, and 20 ms back (file times
 * come from a coarser clock, a tick behind at most). */
static struct timespec
mark_time(void)
{
	struct timespec t, pause = { 0, 60 * 1000 * 1000 };

	nanosleep(&pause, NULL);
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec -= 20 * 1000 * 1000;
	if (t.tv_nsec < 0) {
		t.tv_sec--;
		t.tv_nsec += 1000000000L;
	}
	return t;
}

/* Whether the file rel of out was written after t (or taken from the
 * build before, as it was). */
static int
written_after(const char *out, const char *rel, struct timespec t)
{
	char path[4300];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", out, rel);
	if (stat(path, &st) != 0) {
		nb_test_fail(__FILE__, __LINE__, "%s is missing", rel);
		return 0;
	}
	return st.st_mtim.tv_sec > t.tv_sec ||
	       (st.st_mtim.tv_sec == t.tv_sec && st.st_mtim.tv_nsec >= t.tv_nsec);
}

/* The same file in two outputs. */
static void
check_same(const char *a_dir, const char *b_dir, const char *rel)
{
	char *a = tu_read(a_dir, rel), *b = tu_read(b_dir, rel);

	if (!a || !b)
		nb_test_fail(__FILE__, __LINE__, "%s is missing", rel);
	else if (strcmp(a, b) != 0)
		nb_test_fail(__FILE__, __LINE__, "%s differs from a full build's",
			     rel);
	free(a);
	free(b);
}

/* The sitemap's part k (1 on) that holds the address path, or 0. */
static int
sitemap_part(const char *out, const char *path, int parts)
{
	char rel[64];
	int k, at = 0;

	for (k = 1; k <= parts; k++) {
		char *p;
		snprintf(rel, sizeof(rel), "sitemap-%d.xml", k);
		p = tu_read(out, rel);
		if (p && strstr(p, path))
			at = k;
		free(p);
	}
	return at;
}

/* A big site's sitemap is in parts (here of two addresses); a rebuild
 * after an edit writes again the part holding the edited page (its date
 * changed) and the index, and takes every other part as it was. */
static void
incremental__an_edit_writes_one_part_of_the_sitemap(void)
{
	char *root = tu_tmpdir(), repo[4200], inc[4200], full[4200], rel[64];
	const char *page = "/consultations/old-survey/<";
	struct timespec t0;
	int parts = 0, at, k;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(inc, sizeof(inc), "%s/inc", root);
	snprintf(full, sizeof(full), "%s/full", root);
	tu_copy_tree("tests/fixtures/minimal", repo);
	git(repo, 0, "git init -q -b main . && git add -A && git commit -q -m Start");
	nb_render_sitemap_max(2);
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(build(repo, inc, 0, NULL), 0);   /* both copies filled */
	do {
		snprintf(rel, sizeof(rel), "sitemap-%d.xml", ++parts);
	} while (tu_exists(inc, rel));
	parts--;
	CHECK(parts >= 4);
	at = sitemap_part(inc, page, parts);
	CHECK(at >= 1);

	t0 = mark_time();
	/* a day later, the page's date in the sitemap changes */
	git(repo, 13, "sed -i s/old.one/older.one/ "
	    "content/consultations/old-survey.md && git commit -q -am Edit");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(build(repo, full, 1, NULL), 0);
	CHECK_INT(sitemap_part(inc, page, parts), at);
	for (k = 0; k <= parts; k++) {
		int written;
		if (k == 0)
			snprintf(rel, sizeof(rel), "sitemap.xml");
		else
			snprintf(rel, sizeof(rel), "sitemap-%d.xml", k);
		written = written_after(inc, rel, t0);
		if (written != (k == 0 || k == at))
			nb_test_fail(__FILE__, __LINE__, "%s was %s", rel,
				     written ? "written again" : "taken");
		check_same(inc, full, rel);
	}
	nb_render_sitemap_max(0);
	nb_rmtree(root);
	free(root);
}

/* The open data files are written again only when what they say
 * changed: an edit to a consultation's summary writes the consultations'
 * files, not its events' (they do not say it), nor the outcomes', areas'
 * or partners'; an edit to one of its events writes the events' too. */
static void
incremental__open_data_is_written_again_only_for_what_it_says(void)
{
	static const char *const kinds[] = { "consultations", "events",
		"outcomes", "areas", "partners" };
	char *root = tu_tmpdir(), repo[4200], inc[4200], full[4200], rel[64];
	struct timespec t0;
	size_t k, f;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(inc, sizeof(inc), "%s/inc", root);
	snprintf(full, sizeof(full), "%s/full", root);
	tu_copy_tree("tests/fixtures/minimal", repo);
	git(repo, 0, "git init -q -b main . && git add -A && git commit -q -m Start");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(build(repo, inc, 0, NULL), 0);   /* both copies filled */

	for (f = 0; f < 2; f++) {
		t0 = mark_time();
		if (f == 0)
			git(repo, 1 + (int)f, "sed -i \"s/^summary: .*/summary: Tell us about the buses./\" "
			    "content/consultations/bus-review.md && git commit -q -am Summary");
		else
			git(repo, 1 + (int)f, "sed -i \"s/name: Town hall/name: Town library/\" "
			    "content/consultations/bus-review.md && git commit -q -am Venue");
		CHECK_INT(build(repo, inc, 0, NULL), 0);
		CHECK_INT(build(repo, full, 1, NULL), 0);
		for (k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
			const char *ext[] = { "json", "csv" };
			size_t e;
			for (e = 0; e < 2; e++) {
				int want = k == 0 || (f == 1 && k == 1);
				int written;
				snprintf(rel, sizeof(rel), "data/%s.%s", kinds[k], ext[e]);
				written = written_after(inc, rel, t0);
				if (written != want)
					nb_test_fail(__FILE__, __LINE__, "after the %s edit, %s was %s",
						     f ? "venue" : "summary", rel,
						     written ? "written again" : "taken");
				check_same(inc, full, rel);
			}
		}
	}
	nb_rmtree(root);
	free(root);
}

/* The site's own pages (the home page, the indexes, the reports, the
 * subscribe page) are rendered again only when what they show changed:
 * an edit to an open consultation's summary changes the home page and
 * /consultations/, which list it, and none of the others. */
static void
incremental__site_pages_render_again_only_for_what_they_show(void)
{
	static const char *const shown[] = { "index.html",
		"consultations/index.html" };
	/* the calendar's months show titles and dates, not summaries
	 * (incremental__months_render_again_only_when_they_show_summaries) */
	static const char *const not_shown[] = { "calendar/index.html",
		"404.html", "robots.txt",
		"areas/index.html", "partners/index.html", "topics/index.html",
		"audiences/index.html", "reports/index.html",
		"reports/2026/index.html", "reports/2026/report.json",
		"subscribe/index.html", "feedback/index.html" };
	char *root = tu_tmpdir(), repo[4200], inc[4200], full[4200];
	struct timespec t0;
	size_t k;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(inc, sizeof(inc), "%s/inc", root);
	snprintf(full, sizeof(full), "%s/full", root);
	tu_copy_tree("tests/fixtures/minimal", repo);
	git(repo, 0, "git init -q -b main . && git add -A && git commit -q -m Start");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(build(repo, inc, 0, NULL), 0);   /* both copies filled */
	t0 = mark_time();
	git(repo, 1, "sed -i \"s/about buses/about our buses/\" "
	    "content/consultations/bus-review.md && git commit -q -am Edit");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(build(repo, full, 1, NULL), 0);
	for (k = 0; k < sizeof(shown) / sizeof(shown[0]); k++) {
		if (!written_after(inc, shown[k], t0))
			nb_test_fail(__FILE__, __LINE__, "%s was taken", shown[k]);
		check_same(inc, full, shown[k]);
	}
	for (k = 0; k < sizeof(not_shown) / sizeof(not_shown[0]); k++) {
		if (written_after(inc, not_shown[k], t0))
			nb_test_fail(__FILE__, __LINE__, "%s was written again",
				     not_shown[k]);
		check_same(inc, full, not_shown[k]);
	}
	{
		char *p = tu_read(inc, "consultations/index.html");
		CHECK_HAS(p, "Tell us about our buses.");
		free(p);
	}
	nb_rmtree(root);
	free(root);
}

/* A month's page shows no summaries (its template and the partials it
 * includes name none): a consultation's summary edited does not render
 * its months again.  A site whose own calendar-day partial shows them
 * gets them rendered again, with the new summary. */
static void
incremental__months_render_again_only_when_they_show_summaries(void)
{
	static const char *const months[] = { "calendar/2026/11/index.html",
		"calendar/2026/12/index.html" };
	char *root = tu_tmpdir(), repo[4200], inc[4200], full[4200];
	char *day = tu_read(".", "themes/default/layouts/calendar-day.mustache");
	struct timespec t0;
	size_t k;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(inc, sizeof(inc), "%s/inc", root);
	snprintf(full, sizeof(full), "%s/full", root);
	tu_copy_tree("tests/fixtures/minimal", repo);
	git(repo, 0, "git init -q -b main . && git add -A && git commit -q -m Start");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(build(repo, inc, 0, NULL), 0);   /* both copies filled */
	t0 = mark_time();
	git(repo, 1, "sed -i \"s/about buses/about our buses/\" "
	    "content/consultations/bus-review.md && git commit -q -am Edit");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(build(repo, full, 1, NULL), 0);
	for (k = 0; k < 2; k++) {
		char *p = tu_read(inc, months[k]);
		CHECK_HAS(p, "Bus review");   /* it opens, closes, meets there */
		free(p);
		if (written_after(inc, months[k], t0))
			nb_test_fail(__FILE__, __LINE__, "%s was written again",
				     months[k]);
		check_same(inc, full, months[k]);
	}

	/* the site's own calendar-day shows each consultation's summary */
	CHECK(day != NULL && strstr(day, "</a> opens") && strstr(day, "</a> closes"));
	if (day) {
		nb_buf b = NB_BUF_INIT;
		const char *p = day, *q;
		while ((q = strstr(p, "</a> ")) != NULL &&
		       (strncmp(q, "</a> opens", 10) == 0 ||
			strncmp(q, "</a> closes", 11) == 0 || (q = NULL, 0))) {
			nb_buf_put(&b, p, (size_t)(q - p));
			nb_buf_puts(&b, "</a> <span class=\"summary\">{{summary}}</span>");
			p = q + 4;
		}
		nb_buf_puts(&b, p);
		{
			char dir[4300];
			snprintf(dir, sizeof(dir), "%s/layouts", repo);
			mkdir(dir, 0755);
		}
		CHECK_INT(tu_write(repo, "layouts/calendar-day.mustache", b.ptr), 0);
		nb_buf_free(&b);
	}
	git(repo, 2, "git add -A && git commit -q -m \"Show summaries by day\"");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	t0 = mark_time();
	git(repo, 3, "sed -i \"s/about our buses/about all our buses/\" "
	    "content/consultations/bus-review.md && git commit -q -am Edit");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(build(repo, full, 1, NULL), 0);
	for (k = 0; k < 2; k++) {
		char *p = tu_read(inc, months[k]);
		CHECK_HAS(p, "<span class=\"summary\">Tell us about all our buses.</span>");
		free(p);
		if (!written_after(inc, months[k], t0))
			nb_test_fail(__FILE__, __LINE__, "%s was taken", months[k]);
		check_same(inc, full, months[k]);
	}
	free(day);
	nb_rmtree(root);
	free(root);
}

/* An area's page shows its latest ten past activities: an edit to an
 * older one renders its list of past activities again, not the area's
 * page, nor its embed (which shows open activities only). */
static void
incremental__an_area_page_renders_again_only_for_what_it_shows(void)
{
	char *root = tu_tmpdir(), repo[4200], inc[4200], full[4200];
	struct timespec t0;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(inc, sizeof(inc), "%s/inc", root);
	snprintf(full, sizeof(full), "%s/full", root);
	tu_copy_tree("tests/fixtures/minimal", repo);
	git(repo, 0, "for i in 01 02 03 04 05 06 07 08 09 10 11 12; do "
	    "printf -- \"---\\ntitle: Past survey $i\\nsummary: An older one.\\n"
	    "lead: county-council\\nlevel: consult\\nareas: [town]\\n"
	    "opens: 2025-01-$i\\ncloses: 2025-02-$i\\nfeedback_by: 2025-04-$i\\n"
	    "---\\n\" > content/consultations/past-$i.md; done && "
	    "git init -q -b main . && git add -A && git commit -q -m Start");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(build(repo, inc, 0, NULL), 0);   /* both copies filled */
	t0 = mark_time();
	git(repo, 1, "sed -i \"s/^summary: .*/summary: The oldest./\" "
	    "content/consultations/past-01.md && git commit -q -am Edit");
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	CHECK_INT(build(repo, full, 1, NULL), 0);
	if (written_after(inc, "areas/town/index.html", t0))
		nb_test_fail(__FILE__, __LINE__, "the area's page was written again");
	if (written_after(inc, "embed/areas/town/index.html", t0))
		nb_test_fail(__FILE__, __LINE__, "the area's embed was written again");
	if (!written_after(inc, "areas/town/past/index.html", t0))
		nb_test_fail(__FILE__, __LINE__, "the area's past activities were taken");
	check_same(inc, full, "areas/town/index.html");
	check_same(inc, full, "embed/areas/town/index.html");
	check_same(inc, full, "areas/town/past/index.html");
	{
		char *p = tu_read(inc, "areas/town/past/index.html");
		CHECK_HAS(p, "The oldest.");
		free(p);
	}
	nb_rmtree(root);
	free(root);
}

/* One random change to a site made by bench/gen.py, committed (perhaps
 * none: cancelling what is cancelled); k picks the record.  Keeps the
 * site valid. */
static const char *
change_generated(const char *repo, int step, unsigned k)
{
	char cmd[2048];
	char sel[128];

	snprintf(sel, sizeof(sel),
		 "f=$(ls content/consultations/*.md | sed -n \"%up\")", k);
	switch (rnd(5)) {
	case 0:
		snprintf(cmd, sizeof(cmd), "%s && sed -i \"s/^summary: .*/summary: "
			 "Edited at step %d./\" $f && git commit -q --allow-empty -am Edit", sel, step);
		git(repo, step, cmd);
		return "edit a summary";
	case 1:
		snprintf(cmd, sizeof(cmd), "%s && sed -i \"/^status:/d\" $f && "
			 "sed -i \"2i status: cancelled\" $f && git commit -q --allow-empty -am Cancel",
			 sel);
		git(repo, step, cmd);
		return "cancel";
	case 2:
		snprintf(cmd, sizeof(cmd), "%s && a=$(ls content/areas | sed -n \"%up\" | "
			 "sed \"s/[.]yaml$//\") && sed -i \"s/^areas: .*/areas: [$a]/\" $f && "
			 "git commit -q --allow-empty -am Move", sel, 1 + rnd(40));
		git(repo, step, cmd);
		return "move to another area";
	case 3:
		snprintf(cmd, sizeof(cmd), "f=$(ls content/outcomes/*.md | sed -n \"%up\") && "
			 "sed -i \"s/^summary: .*/summary: Outcome at step %d./\" $f && "
			 "git commit -q --allow-empty -am Outcome", 1 + k % 20, step);
		git(repo, step, cmd);
		return "edit an outcome";
	default:
		snprintf(cmd, sizeof(cmd),
			 "printf -- \"---\\ntitle: New %d\\nsummary: Number %d.\\n"
			 "lead: police-forces-partnership\\nlevel: consult\\n"
			 "areas: [$(ls content/areas | sed -n \"%up\" | sed \"s/[.]yaml$//\")]\\n"
			 "opens: 2026-11-%02d\\ncloses: 2026-12-%02d\\n---\\n\" "
			 "> content/consultations/new-%d.md && git add -A && "
			 "git commit -q --allow-empty -m Add", step, step, 1 + rnd(40), 1 + (int)rnd(28),
			 1 + (int)rnd(28), step);
		git(repo, step, cmd);
		return "add an open one";
	}
}

/* The same on a site big enough for the lists that show their first few
 * (an area's latest ten past activities, /feedback/'s twenty outcomes,
 * sitemap parts) to leave records out: every rebuild after a random
 * change equals a full build, byte for byte. */
static void
incremental__random_changes_to_a_generated_site_equal_full_builds(void)
{
	char *root = tu_tmpdir(), repo[4200], inc[4200], full[4200];
	char cmd[13000], *out = NULL;
	int step, reused_any = 0;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(inc, sizeof(inc), "%s/inc", root);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 bench/gen.py 80 '%s' --seed 7",
		 repo);
	if (tu_run(cmd, &out) != 0) {
		nb_test_fail(__FILE__, __LINE__, "bench/gen.py failed:\n%s", out);
		free(out);
		nb_rmtree(root);
		free(root);
		return;
	}
	free(out);
	git(repo, 0, "git init -q -b main . && git add -A && git commit -q -m Start");
	nb_render_sitemap_max(40);
	CHECK_INT(build(repo, inc, 0, NULL), 0);
	for (step = 1; step <= 8; step++) {
		const char *what = change_generated(repo, step, 1 + rnd(80));
		size_t reused = 0;

		snprintf(full, sizeof(full), "%s/full-%d", root, step);
		snprintf(cmd, sizeof(cmd), "cp -rL '%s' '%s'", inc, full);
		tu_run(cmd, &out);
		free(out);
		CHECK_INT(build(repo, inc, 0, &reused), 0);
		if (reused)
			reused_any = 1;
		CHECK_INT(build(repo, full, 1, NULL), 0);
		snprintf(cmd, sizeof(cmd), "diff -r '%s' '%s'", inc, full);
		if (tu_run(cmd, &out) != 0)
			nb_test_fail(__FILE__, __LINE__,
				     "step %d (%s): incremental differs from full:\n%.2000s",
				     step, what, out);
		free(out);
		nb_rmtree(full);
	}
	CHECK(reused_any);
	nb_render_sitemap_max(0);
	nb_rmtree(root);
	free(root);
}

void
suite_incremental(void)
{
	RUN(incremental__random_commits_equal_full_builds);
	RUN(incremental__random_changes_to_a_generated_site_equal_full_builds);
	RUN(incremental__one_edit_renders_little);
	RUN(incremental__a_folder_output_takes_unchanged_files);
	RUN(incremental__an_edit_writes_one_part_of_the_sitemap);
	RUN(incremental__site_pages_render_again_only_for_what_they_show);
	RUN(incremental__open_data_is_written_again_only_for_what_it_says);
	RUN(incremental__an_area_page_renders_again_only_for_what_it_shows);
	RUN(incremental__months_render_again_only_when_they_show_summaries);
	RUN(incremental__unchanged_files_come_from_the_parse_cache);
	RUN(incremental__records_come_back_from_their_images);
	RUN(incremental__folder_rebuilds_take_parses_from_the_cache);
	RUN(incremental__killed_builds_leave_the_site_and_are_cleaned_up);
	RUN(incremental__failed_build_leaves_the_site);
	RUN(incremental__builds_of_one_output_take_turns);
}
