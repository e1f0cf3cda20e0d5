/*
 * test_git.c - building from git: a ref (bare repositories too) against a
 * checkout, dates and change lists from history across renames and
 * merges, redirects for renamed records, shallow clones, links refused.
 * Repositories are made with the git program (the build itself reads them
 * with libgit2 only), with fixed dates.
 */
#include "harness.h"
#include "util.h"

#include "build.h"
#include "git.h"
#include "write.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
cmp_paths(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Run a git command in dir; fail the test when it fails. */
static void
sh(const char *dir, const char *date, const char *cmd)
{
	char *out = NULL;

	if (tu_git(dir, date, cmd, &out) != 0)
		nb_test_fail(__FILE__, __LINE__, "%s failed:\n%s", cmd, out);
	free(out);
}

static int
build(const char *source, const char *repo, const char *ref,
      const char *output, int history, char **printed)
{
	nb_build_opts o;
	nb_build_stats st;
	nb_diags d = NB_DIAGS_INIT;
	char why[64];
	size_t len;
	FILE *mem;
	int rc;

	memset(&o, 0, sizeof(o));
	o.source = source;
	o.repo = repo;
	o.ref = ref;
	o.output = output;
	o.share = ".";
	o.history = history;
	o.has_today = 1;
	nb_date_parse(&o.today, "2026-11-23", 10, why, sizeof(why));
	rc = nb_build(&o, &st, &d);
	if (printed) {
		mem = open_memstream(printed, &len);
		nb_diags_print(mem, &d);
		fclose(mem);
	}
	nb_diags_free(&d);
	return rc;
}

/* A repository holding the minimal site, with a history:
 *   1 Oct 2026  add the site
 *   5 Oct 2026  edit the bus review
 *   9 Oct 2026  rename bus-review to bus-network-review
 *  12 Oct 2026  on a branch, edit the old survey; merged 14 Oct */
static char *
make_repo(void)
{
	char *root = tu_tmpdir(), repo[4200];

	snprintf(repo, sizeof(repo), "%s/repo", root);
	tu_copy_tree("tests/fixtures/minimal", repo);
	sh(repo, "2026-10-01T09:00:00+01:00",
	   "git init -q -b main . && git add -A && git commit -q -m \"Add the site\"");
	sh(repo, "2026-10-05T10:00:00+01:00",
	   "sed -i \"s/Tell us about buses./Tell us about buses and trams./\" content/consultations/bus-review.md && "
	   "git commit -q -am \"Bus review: mention trams\"");
	sh(repo, "2026-10-09T11:00:00+01:00",
	   "git mv content/consultations/bus-review.md content/consultations/bus-network-review.md && "
	   "git commit -q -m \"Rename the bus review\"");
	sh(repo, "2026-10-12T12:00:00+01:00",
	   "git checkout -q -b edits && sed -i \"s/An old one./An old survey of bus users./\" content/consultations/old-survey.md && "
	   "git commit -q -am \"Old survey: clearer summary\" && git checkout -q main");
	sh(repo, "2026-10-14T13:00:00+01:00",
	   "git merge -q --no-ff -m \"Merge the survey edits\" edits");
	return root;
}

static void
git__ref_build_equals_checkout_build(void)
{
	char *root = make_repo(), repo[4200], bare[4200], a[4200], b[4200], c[4200];
	char *out = NULL, cmd[17000];

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(bare, sizeof(bare), "%s/bare.git", root);
	snprintf(a, sizeof(a), "%s/from-checkout", root);
	snprintf(b, sizeof(b), "%s/from-ref", root);
	snprintf(c, sizeof(c), "%s/from-bare", root);
	sh(root, "2026-10-15T00:00:00Z", "git clone -q --bare repo bare.git");
	CHECK_INT(build(repo, NULL, NULL, a, -1, NULL), 0);
	CHECK_INT(build(NULL, repo, "main", b, -1, NULL), 0);
	CHECK_INT(build(NULL, bare, "main", c, -1, NULL), 0);
	snprintf(cmd, sizeof(cmd), "diff -r '%s' '%s' && diff -r '%s' '%s'", a, b, a, c);
	CHECK_INT(tu_run(cmd, &out), 0);
	CHECK_STR(out, "");
	free(out);
	/* an older commit is a different site: the bus review's old id */
	snprintf(b, sizeof(b), "%s/older", root);
	CHECK_INT(build(NULL, bare, "main~3", b, -1, NULL), 0);
	CHECK(tu_exists(b, "consultations/bus-review/index.html"));
	CHECK(!tu_exists(b, "consultations/bus-network-review/index.html"));
	nb_rmtree(root);
	free(root);
}

static void
git__dates_follow_renames_and_merges(void)
{
	char *root = make_repo(), repo[4200], o[4200], *p;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(o, sizeof(o), "%s/out", root);
	CHECK_INT(build(NULL, repo, "main", o, -1, NULL), 0);
	p = tu_read(o, "consultations/bus-network-review/index.html");
	/* first published with the site on 1 October, before the rename */
	CHECK_HAS(p, "First published <time datetime=\"2026-10-01\">1 October 2026</time>");
	CHECK_HAS(p, "Last updated <time datetime=\"2026-10-09\">9 October 2026</time>");
	CHECK_HAS(p, "href=\"/consultations/bus-network-review/history/\"");
	CHECK_HAS(p, "See every change to this page (3)");
	free(p);
	/* the edit made on a branch is dated when it was merged */
	p = tu_read(o, "consultations/old-survey/index.html");
	CHECK_HAS(p, "Last updated <time datetime=\"2026-10-14\">14 October 2026</time>");
	free(p);
	p = tu_read(o, "consultations/bus-network-review/history/index.html");
	CHECK_HAS(p, "Rename the bus review");
	CHECK_HAS(p, "Bus review: mention trams");
	CHECK_HAS(p, "Add the site");
	CHECK_HAS(p, "(first published)");
	CHECK_LACKS(p, "Ann Officer");   /* authors are off by default */
	CHECK_LACKS(p, "Merge the survey edits");
	free(p);
	/* sitemap lastmod takes the last edit into account */
	p = tu_read(o, "sitemap.xml");
	CHECK_HAS(p, "/consultations/old-survey/</loc><lastmod>2026-10-14</lastmod>");
	free(p);
	nb_rmtree(root);
	free(root);
}

/* Each change names the commit that made it (not its parent). */
static void
git__changes_name_their_own_commits(void)
{
	char *root = make_repo(), repo[4200], cmd[4400], *want = NULL;
	nb_arena *a = nb_arena_new();
	nb_diags d;
	nb_git *g = NULL;
	nb_map hist;
	const nb_file_history *h;

	memset(&d, 0, sizeof(d));
	snprintf(repo, sizeof(repo), "%s/repo", root);
	/* newest first: the rename (main~1), the edit (main~2), the first */
	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse main~1 main~2 main~3", repo);
	CHECK_INT(tu_run(cmd, &want), 0);
	CHECK_INT(nb_git_open(&g, repo, "main", &d), 0);
	CHECK_INT(nb_git_history(&hist, g, "content/", a, NULL, &d), 0);
	h = nb_map_get(&hist, "content/consultations/bus-network-review.md");
	CHECK(h != NULL && h->n == 3);
	if (h && h->n == 3 && want && strlen(want) == 3 * 41) {
		CHECK(strncmp(h->changes[0].commit, want, 40) == 0);
		CHECK(strncmp(h->changes[1].commit, want + 41, 40) == 0);
		CHECK(strncmp(h->changes[2].commit, want + 82, 40) == 0);
		CHECK_STR(h->changes[0].subject, "Rename the bus review");
	}
	nb_map_free(&hist);
	nb_git_free(g);
	nb_diags_free(&d);
	nb_arena_free(a);
	free(want);
	nb_rmtree(root);
	free(root);
}

/* One path's history as text, to compare two walks. */
static void
history_text(FILE *f, const nb_map *hist, const char *path)
{
	const nb_file_history *h = nb_map_get(hist, path);
	size_t k;

	fprintf(f, "%s:", path);
	for (k = 0; h && k < h->n; k++)
		fprintf(f, " %.7s%s%s", h->changes[k].commit,
			h->changes[k].renamed_from ? "<" : "",
			h->changes[k].renamed_from ? h->changes[k].renamed_from : "");
	for (k = 0; h && k < h->n_old; k++)
		fprintf(f, " was %s", h->old_paths[k]);
	fputc('\n', f);
}

/* The walk's own diff of two trees (only the subtrees whose ids differ)
 * gives what libgit2's diff gives: edits, a mode changed, files added or
 * deleted, folders in folders, nothing under the prefix; and where a file
 * went and another came, or something is not a plain file (a link, a
 * file that became a folder), libgit2's diff is what it uses. */
static void
git__walked_changes_equal_libgit2s_diff(void)
{
	static const char *const steps[] = {
		"mkdir -p content/consultations content/partners content/deep/x other && "
		"echo a > content/consultations/a.md && echo b > content/consultations/b.md && "
		"echo p > content/partners/p.yaml && echo y > content/deep/x/y.md && "
		"echo t > other/top.txt && git init -q -b main . && git add -A && git commit -q -m one",
		"echo more >> content/consultations/a.md && git commit -q -am edit",
		"chmod +x content/consultations/b.md && git commit -q -am mode",
		"echo c > content/consultations/c.md && echo z > content/deep/x/z.md && "
		"git add -A && git commit -q -m adds",
		"git rm -q content/partners/p.yaml && git commit -q -m delete",
		"git mv content/consultations/a.md content/consultations/a2.md && "
		"echo again >> content/consultations/a2.md && git commit -q -am rename",
		"git rm -q content/deep/x/y.md && mkdir content/deep/x/y.md && "
		"echo in > content/deep/x/y.md/in.md && git add -A && git commit -q -m folder",
		"ln -s a2.md content/consultations/link.md && git add -A && git commit -q -m link",
		"echo u > other/top.txt && git commit -q -am outside",
		"echo nothing like it at all > content/consultations/d.md && "
		"git rm -q content/consultations/c.md && git add -A && git commit -q -m swap",
		"echo zz >> content/deep/x/z.md && git commit -q -am nested",
	};
	char *root = tu_tmpdir(), repo[4200], *walks[2] = { NULL, NULL };
	size_t i, len;
	int way;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	CHECK_INT(mkdir(repo, 0755), 0);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		char date[64];
		snprintf(date, sizeof(date), "2026-10-%02zuT09:00:00+01:00", i + 1);
		sh(repo, date, steps[i]);
	}
	for (way = 0; way < 2; way++) {
		nb_arena *a = nb_arena_new();
		nb_diags d = NB_DIAGS_INIT;
		nb_git *g = NULL;
		nb_map hist;
		const char **paths;
		size_t np = 0;
		FILE *f = open_memstream(&walks[way], &len);

		nb_git_libgit2_diff = way;
		CHECK_INT(nb_git_open(&g, repo, "main", &d), 0);
		CHECK_INT(nb_git_history(&hist, g, "content/", a, NULL, &d), 0);
		paths = calloc(hist.cap + 1, sizeof(*paths));
		for (i = 0; i < hist.cap; i++)
			if (hist.keys[i] && hist.vals[i])
				paths[np++] = hist.keys[i];
		qsort(paths, np, sizeof(*paths), cmp_paths);
		for (i = 0; i < np; i++)
			history_text(f, &hist, paths[i]);
		fclose(f);
		free(paths);
		nb_map_free(&hist);
		nb_git_free(g);
		nb_diags_free(&d);
		nb_arena_free(a);
	}
	nb_git_libgit2_diff = 0;
	CHECK_STR(walks[0], walks[1]);
	/* what each file's history is, in the walk's own words */
	CHECK_HAS(walks[0], "content/consultations/b.md: ");
	CHECK_HAS(walks[0], "content/deep/x/z.md: ");
	CHECK_HAS(walks[0], "<content/consultations/a.md ");
	CHECK_HAS(walks[0], " was content/consultations/a.md\n");
	CHECK_HAS(walks[0], "content/consultations/d.md: ");
	CHECK_LACKS(walks[0], "content/consultations/c.md:");
	CHECK_LACKS(walks[0], "other/top.txt");
	{
		/* b.md: made, then its mode changed */
		const char *b = strstr(walks[0], "content/consultations/b.md:");
		CHECK(b && strchr(b, '\n') - b == (long)strlen("content/consultations/b.md:") + 2 * 8);
	}
	free(walks[0]);
	free(walks[1]);
	nb_rmtree(root);
	free(root);
}

static void
git__authors_shown_when_the_site_asks(void)
{
	char *root = make_repo(), repo[4200], o[4200], *p;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(o, sizeof(o), "%s/out", root);
	sh(repo, "2026-10-16T09:00:00+01:00",
	   "printf \"history_authors: true\\n\" >> site.yaml && git commit -q -am \"Show authors\"");
	CHECK_INT(build(NULL, repo, "main", o, -1, NULL), 0);
	p = tu_read(o, "consultations/bus-network-review/history/index.html");
	CHECK_HAS(p, "(Ann Officer)");
	free(p);
	nb_rmtree(root);
	free(root);
}

static void
git__renamed_record_leaves_a_redirect(void)
{
	char *root = make_repo(), repo[4200], o[4200], *p;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(o, sizeof(o), "%s/out", root);
	CHECK_INT(build(NULL, repo, "main", o, -1, NULL), 0);
	p = tu_read(o, "consultations/bus-review/index.html");
	CHECK_HAS(p, "<meta http-equiv=\"refresh\" content=\"0; url=/consultations/bus-network-review/\">");
	CHECK_HAS(p, "<link rel=\"canonical\" href=\"https://engage.test.example/consultations/bus-network-review/\">");
	CHECK_HAS(p, "<a href=\"/consultations/bus-network-review/\">Bus review</a>");
	free(p);
	p = tu_read(o, "sitemap.xml");
	CHECK_LACKS(p, "/consultations/bus-review/<");
	free(p);
	nb_rmtree(root);
	free(root);
}

static void
git__shallow_clone_is_warned_about(void)
{
	char *root = make_repo(), o[4200], *printed = NULL, *p;

	snprintf(o, sizeof(o), "%s/out", root);
	sh(root, "2026-10-15T00:00:00Z",
	   "git clone -q --depth 1 file://$PWD/repo shallow");
	{
		char sh_repo[4200];
		snprintf(sh_repo, sizeof(sh_repo), "%s/shallow", root);
		CHECK_INT(build(NULL, sh_repo, NULL, o, -1, &printed), 0);
	}
	CHECK_HAS(printed, "warning: this is a shallow clone");
	CHECK_HAS(printed, "git fetch --unshallow");
	/* what history there is, is used */
	p = tu_read(o, "consultations/bus-network-review/index.html");
	CHECK_HAS(p, "First published <time datetime=\"2026-10-14\">");
	free(p);
	free(printed);
	nb_rmtree(root);
	free(root);
}

static void
git__links_in_the_tree_are_refused(void)
{
	char *root = make_repo(), repo[4200], o[4200], *printed = NULL;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(o, sizeof(o), "%s/out", root);
	sh(repo, "2026-10-16T09:00:00+01:00",
	   "ln -s /etc/passwd content/consultations/stolen.md && git add -A && "
	   "git commit -q -m \"A link\"");
	CHECK(build(NULL, repo, "main", o, -1, &printed) != 0);
	CHECK_HAS(printed, "content/consultations/stolen.md: error: symbolic links are not allowed in a site");
	CHECK(!tu_exists(o, "index.html"));
	free(printed);
	nb_rmtree(root);
	free(root);
}

static void
git__bad_repository_and_ref_are_clear_errors(void)
{
	char *root = make_repo(), repo[4200], o[4200], *printed = NULL;

	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(o, sizeof(o), "%s/out", root);
	CHECK(build(NULL, repo, "no-such-branch", o, -1, &printed) != 0);
	CHECK_HAS(printed, "error: git:");
	CHECK_HAS(printed, "hint: give a branch, tag or commit that exists");
	free(printed);
	printed = NULL;
	CHECK(build(NULL, "/nonexistent/repo", NULL, o, -1, &printed) != 0);
	CHECK_HAS(printed, "/nonexistent/repo: error: git:");
	free(printed);
	nb_rmtree(root);
	free(root);
}


/* libgit2 is given git.c's mbedtls_x509_crt_parse_file instead of mbed
 * TLS's own, so that it starts without reading the system's certificates:
 * the program's symbols come first when the loader looks one up, as they
 * do for dlsym on the program's handle. */
static void
git__starts_without_reading_the_systems_certificates(void)
{
	void *self = dlopen(NULL, RTLD_NOW);
	void *x509 = dlopen("libmbedx509.so.1", RTLD_NOW | RTLD_NOLOAD);
	void *found;
	char *root, repo[4200], o[4200];

	CHECK(self != NULL);
	if (!x509) {
		printf("libgit2 is not built with mbed TLS here: its "
		       "certificates not checked\n");
		nb_test_skipped++;
		if (self)
			dlclose(self);
		return;
	}
	found = self ? dlsym(self, "mbedtls_x509_crt_parse_file") : NULL;
	CHECK(found != NULL);
	CHECK(found != dlsym(x509, "mbedtls_x509_crt_parse_file"));
	/* and a build from git works with it */
	root = make_repo();
	snprintf(repo, sizeof(repo), "%s/repo", root);
	snprintf(o, sizeof(o), "%s/out", root);
	CHECK_INT(build(NULL, repo, "main", o, -1, NULL), 0);
	nb_rmtree(root);
	free(root);
	dlclose(x509);
	dlclose(self);
}

static void
git__post_receive_hook_publishes_on_push(void)
{
	char *root = make_repo(), cmd[8400], cwd[4096], *out = NULL, *p;

	if (!getcwd(cwd, sizeof(cwd)))
		return;
	snprintf(cmd, sizeof(cmd),
		 "git init -q --bare -b main hub.git && cp '%s/recipes/post-receive' hub.git/hooks/ && "
		 "cd repo && git push -q ../hub.git main", cwd);
	{
		char env[20000];
		/* the hook finds noticeboard on PATH and the theme here */
		snprintf(env, sizeof(env),
			 "export PATH='%s':$PATH NOTICEBOARD_SHARE='%s' "
			 "NOTICEBOARD_OUTPUT='%s/www' SOURCE_DATE_EPOCH=1795392000 && %s",
			 cwd, cwd, root, cmd);
		CHECK_INT(tu_git(root, "2026-10-20T09:00:00+01:00", env, &out), 0);
	}
	CHECK_HAS(out, "noticeboard: published");
	free(out);
	p = tu_read(root, "www/consultations/bus-network-review/index.html");
	CHECK_HAS(p, "<h1>Bus review</h1>");
	free(p);
	nb_rmtree(root);
	free(root);
}

void
suite_git(void)
{
	RUN(git__ref_build_equals_checkout_build);
	RUN(git__dates_follow_renames_and_merges);
	RUN(git__changes_name_their_own_commits);
	RUN(git__walked_changes_equal_libgit2s_diff);
	RUN(git__authors_shown_when_the_site_asks);
	RUN(git__renamed_record_leaves_a_redirect);
	RUN(git__shallow_clone_is_warned_about);
	RUN(git__links_in_the_tree_are_refused);
	RUN(git__bad_repository_and_ref_are_clear_errors);
	RUN(git__starts_without_reading_the_systems_certificates);
	RUN(git__post_receive_hook_publishes_on_push);
}
