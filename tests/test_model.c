/*
 * test_model.c - ids, status by date, the hash table, atomic output.
 * (Whole-record validation is table-driven in tests/cases/bad-input.txt.)
 */
#include "harness.h"
#include "util.h"

#include "derive.h"
#include "map.h"
#include "model.h"
#include "source.h"
#include "write.h"

#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
model__ids(void)
{
	static const struct { const char *id; int ok; } cases[] = {
		{ "abbey-ward", 1 }, { "a", 1 }, { "2027-budget", 1 },
		{ "", 0 }, { "-lead", 0 }, { "trail-", 0 }, { "Caps", 0 },
		{ "with space", 0 }, { "../etc", 0 }, { "a/b", 0 },
		{ "under_score", 0 }, { "caf\xc3\xa9", 0 },
	};
	char long_id[90];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (nb_id_valid(cases[i].id) != cases[i].ok)
			nb_test_fail(__FILE__, __LINE__, "nb_id_valid(\"%s\")",
				     cases[i].id);
	memset(long_id, 'a', 81);
	long_id[81] = '\0';
	CHECK(!nb_id_valid(long_id));
	long_id[80] = '\0';
	CHECK(nb_id_valid(long_id));
}

static nb_date
d(int y, int m, int day)
{
	nb_date x = { y, m, day };
	return x;
}

static void
derive__status_table(void)
{
	nb_consultation c;
	nb_outcome o;
	static const struct {
		nb_date today;
		int cancelled, postponed, outcome, has_fb;
		nb_status want;
	} cases[] = {
		{ { 2026, 10, 31 }, 0, 0, 0, 1, NB_STATUS_UPCOMING },
		{ { 2026, 11, 1 }, 0, 0, 0, 1, NB_STATUS_OPEN },
		{ { 2026, 11, 16 }, 0, 0, 0, 1, NB_STATUS_OPEN },
		{ { 2026, 11, 17 }, 0, 0, 0, 1, NB_STATUS_CLOSING_SOON },
		{ { 2026, 12, 1 }, 0, 0, 0, 1, NB_STATUS_CLOSING_SOON },
		{ { 2026, 12, 2 }, 0, 0, 0, 1, NB_STATUS_CLOSED },
		{ { 2027, 1, 31 }, 0, 0, 0, 1, NB_STATUS_CLOSED },
		{ { 2027, 2, 1 }, 0, 0, 0, 1, NB_STATUS_OVERDUE },
		{ { 2027, 2, 1 }, 0, 0, 0, 0, NB_STATUS_CLOSED },
		{ { 2027, 2, 1 }, 0, 0, 1, 1, NB_STATUS_OUTCOME },
		{ { 2026, 11, 5 }, 1, 0, 0, 1, NB_STATUS_CANCELLED },
		{ { 2026, 11, 5 }, 0, 1, 0, 1, NB_STATUS_POSTPONED },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nb_status got;
		memset(&c, 0, sizeof(c));
		c.opens = d(2026, 11, 1);
		c.closes = d(2026, 12, 1);
		c.feedback_by = d(2027, 1, 31);
		c.has_feedback_by = cases[i].has_fb;
		c.cancelled = cases[i].cancelled;
		c.postponed = cases[i].postponed;
		c.outcome = cases[i].outcome ? &o : NULL;
		got = nb_consultation_status(&c, cases[i].today, 14);
		if (got != cases[i].want)
			nb_test_fail(__FILE__, __LINE__, "case %zu: got %s, want %s",
				     i, nb_status_label(got),
				     nb_status_label(cases[i].want));
	}
}

static void
map__put_get_and_grow(void)
{
	nb_map m = NB_MAP_INIT;
	char keys[5000][16];
	void *old = NULL;
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k-%d", i);
		CHECK_INT(nb_map_put(&m, keys[i], &keys[i], NULL), 0);
	}
	CHECK_INT(m.len, 5000);
	for (i = 0; i < 5000; i++)
		CHECK(nb_map_get(&m, keys[i]) == &keys[i]);
	CHECK(nb_map_get(&m, "k-5000") == NULL);
	CHECK_INT(nb_map_put(&m, keys[7], NULL, &old), 1);
	CHECK(old == &keys[7]);
	nb_map_free(&m);
	CHECK(nb_map_get(&m, "k-1") == NULL);
}

static void
write__swaps_whole_site_and_refuses_escapes(void)
{
	char *root = tu_tmpdir(), dest[4200];
	nb_diags dg = NB_DIAGS_INIT;
	nb_out *o;

	snprintf(dest, sizeof(dest), "%s/public", root);
	tu_write(dest, "old.html", "old");
	CHECK_INT(nb_out_begin(&o, dest, &dg), 0);
	CHECK_INT(nb_out_write(o, "a/b/index.html", "new", 3, &dg), 0);
	CHECK(nb_out_write(o, "../escape.html", "x", 1, &dg) != 0);
	CHECK(nb_out_write(o, "/abs.html", "x", 1, &dg) != 0);
	CHECK(nb_out_write(o, "a/./b.html", "x", 1, &dg) != 0);
	/* the old site is still in place while the new one is written */
	CHECK(tu_exists(dest, "old.html"));
	CHECK(!tu_exists(dest, "a/b/index.html"));
	CHECK_INT(nb_out_commit(o, &dg), 0);
	CHECK(!tu_exists(dest, "old.html"));
	CHECK(tu_exists(dest, "a/b/index.html"));
	CHECK(!tu_exists(root, "escape.html"));
	CHECK_INT(dg.errors, 3);
	nb_diags_free(&dg);
	nb_rmtree(root);
	free(root);
}

/* A file in more pieces than one writev takes, some of them empty, is
 * written whole and in order (the manifest is written so: render.c). */
static void
write__pieces_written_in_order(void)
{
	char *root = tu_tmpdir(), dest[4200], *got, *want;
	nb_diags dg = NB_DIAGS_INIT;
	struct iovec v[1000];
	char text[1000][8];
	size_t i, len = 0;
	nb_out *o;

	snprintf(dest, sizeof(dest), "%s/public", root);
	want = malloc(sizeof(text));
	for (i = 0; i < 1000; i++) {
		int n = i % 7 == 3 ? 0 : snprintf(text[i], sizeof(text[i]),
						  "%zu,", i);
		v[i].iov_base = text[i];
		v[i].iov_len = (size_t)n;
		memcpy(want + len, text[i], (size_t)n);
		len += (size_t)n;
	}
	want[len] = '\0';
	CHECK_INT(nb_out_begin(&o, dest, &dg), 0);
	CHECK_INT(nb_out_writev(o, "pieces.txt", v, 1000, &dg), 0);
	CHECK_INT(nb_out_writev(o, "none.txt", v, 0, &dg), 0);
	CHECK_INT(nb_out_commit(o, &dg), 0);
	got = tu_read(dest, "pieces.txt");
	CHECK(got && strcmp(got, want) == 0);
	free(got);
	got = tu_read(dest, "none.txt");
	CHECK(got && !*got);
	free(got);
	CHECK_INT(dg.errors, 0);
	free(want);
	nb_diags_free(&dg);
	nb_rmtree(root);
	free(root);
}

static void
write__abort_leaves_old_site_and_leftovers_are_cleaned(void)
{
	char *root = tu_tmpdir(), dest[4200], stale[4300];
	nb_diags dg = NB_DIAGS_INIT;
	nb_out *o;

	snprintf(dest, sizeof(dest), "%s/public", root);
	tu_write(dest, "old.html", "old");
	/* a staging folder left by a build that was killed (pid 999999999
	 * cannot be running) */
	snprintf(stale, sizeof(stale), "%s.nb-tmp-999999999", dest);
	tu_write(stale, "half.html", "half");
	CHECK_INT(nb_out_begin(&o, dest, &dg), 0);
	CHECK(!tu_exists(stale, "half.html"));
	CHECK_INT(nb_out_write(o, "index.html", "new", 3, &dg), 0);
	nb_out_abort(o);
	CHECK(tu_exists(dest, "old.html"));
	CHECK(!tu_exists(dest, "index.html"));
	{
		char *out = NULL, cmd[4300];
		snprintf(cmd, sizeof(cmd), "ls -a '%s'", root);
		tu_run(cmd, &out);
		CHECK_LACKS(out, "nb-tmp");
		free(out);
	}
	nb_diags_free(&dg);
	nb_rmtree(root);
	free(root);
}

/* In a site kept as two copies, each file of the copy being updated is
 * claimed once, whether taken as it is or written again, by any thread;
 * what the build did not claim is removed. */
static void
write__copies_claim_each_file_once(void)
{
	char *root = tu_tmpdir(), dest[4200], *list;
	nb_diags dg = NB_DIAGS_INIT;
	nb_out *o;

	snprintf(dest, sizeof(dest), "%s/public", root);
	CHECK_INT(nb_out_begin(&o, dest, &dg), 0);
	CHECK_INT(nb_out_write(o, "a/index.html", "a", 1, &dg), 0);
	CHECK_INT(nb_out_write(o, "b/index.html", "b", 1, &dg), 0);
	CHECK_INT(nb_out_write(o, ".noticeboard/manifest", "m", 1, &dg), 0);
	CHECK_INT(nb_out_commit(o, &dg), 0);
	CHECK_INT(dg.errors, 0);

	/* the second copy starts as the first: a taken, b written again,
	 * c new; each once */
	CHECK_INT(nb_out_begin(&o, dest, &dg), 0);
	nb_out_unseal(o);
	CHECK_INT(nb_out_reuse(o, "a/index.html"), 0);
	CHECK(nb_out_reuse(o, "a/index.html") != 0);
	CHECK(nb_out_write(o, "a/index.html", "x", 1, &dg) != 0);
	CHECK(nb_out_reuse(o, "c/index.html") != 0);   /* it held none */
	CHECK_INT(nb_out_write(o, "b/index.html", "B", 1, &dg), 0);
	CHECK(nb_out_write(o, "b/index.html", "x", 1, &dg) != 0);
	CHECK_INT(nb_out_write(o, "c/index.html", "c", 1, &dg), 0);
	CHECK(nb_out_write(o, "c/index.html", "x", 1, &dg) != 0);
	CHECK_INT((int)nb_out_files(o), 3);
	CHECK_INT((int)nb_out_reused(o), 1);
	CHECK_INT(nb_out_write(o, ".noticeboard/manifest", "m", 1, &dg), 0);
	CHECK_INT(nb_out_commit(o, &dg), 0);
	CHECK_INT(dg.errors, 3);
	list = tu_read(dest, ".noticeboard/files");
	CHECK_STR(list, ".noticeboard/files\n.noticeboard/manifest\n"
		  "a/index.html\nb/index.html\nc/index.html\n");
	free(list);
	list = tu_read(dest, "b/index.html");
	CHECK_STR(list, "B");
	free(list);

	/* the first copy again: only a is kept; b goes */
	CHECK_INT(nb_out_begin(&o, dest, &dg), 0);
	nb_out_unseal(o);
	CHECK_INT(nb_out_reuse(o, "a/index.html"), 0);
	CHECK_INT(nb_out_write(o, ".noticeboard/manifest", "m", 1, &dg), 0);
	CHECK_INT(nb_out_commit(o, &dg), 0);
	CHECK(tu_exists(dest, "a/index.html"));
	CHECK(!tu_exists(dest, "b/index.html"));
	CHECK(!tu_exists(dest, "c/index.html"));
	list = tu_read(dest, ".noticeboard/files");
	CHECK_STR(list, ".noticeboard/files\n.noticeboard/manifest\n"
		  "a/index.html\n");
	free(list);

	/* the second copy's list out of order (not of Noticeboard's
	 * making): the new list is sorted all the same */
	{
		char copy[4300];
		snprintf(copy, sizeof(copy), "%s.nb-b", dest);
		CHECK_INT(tu_write(copy, ".noticeboard/files", "c/index.html\n"
			  "b/index.html\na/index.html\n.noticeboard/manifest\n"
			  ".noticeboard/files\n"), 0);
	}
	CHECK_INT(nb_out_begin(&o, dest, &dg), 0);
	nb_out_unseal(o);
	CHECK_INT(nb_out_reuse(o, "c/index.html"), 0);
	CHECK_INT(nb_out_reuse(o, "a/index.html"), 0);
	CHECK_INT(nb_out_write(o, "d/index.html", "d", 1, &dg), 0);
	CHECK_INT(nb_out_write(o, ".noticeboard/manifest", "m", 1, &dg), 0);
	CHECK_INT(nb_out_commit(o, &dg), 0);
	list = tu_read(dest, ".noticeboard/files");
	CHECK_STR(list, ".noticeboard/files\n.noticeboard/manifest\n"
		  "a/index.html\nc/index.html\nd/index.html\n");
	free(list);
	CHECK(!tu_exists(dest, "b/index.html"));
	nb_diags_free(&dg);
	nb_rmtree(root);
	free(root);
}

/* A folder and all it holds goes; a link in it goes, never what it
 * points to; the copy made of a site holds the same files, as links. */
static void
write__rmtree_removes_links_not_what_they_point_to(void)
{
	char *root = tu_tmpdir(), dir[4200], keep[4200], cmd[17000], *out = NULL;

	snprintf(dir, sizeof(dir), "%s/tree", root);
	snprintf(keep, sizeof(keep), "%s/keep", root);
	tu_write(dir, "a/b/c/index.html", "c");
	tu_write(dir, "a/top.txt", "t");
	tu_write(keep, "inside/file.txt", "kept");
	snprintf(cmd, sizeof(cmd), "ln -s '%s' '%s/a/b/to-keep' && ln -s '%s/inside/file.txt' '%s/file-link'",
		 keep, dir, keep, dir);
	CHECK_INT(tu_run(cmd, &out), 0);
	free(out);
	CHECK_INT(nb_rmtree(dir), 0);
	CHECK(!tu_exists(root, "tree"));
	CHECK(tu_exists(keep, "inside/file.txt"));
	CHECK_INT(nb_rmtree(dir), 0);   /* gone already: nothing to do */
	nb_rmtree(root);
	free(root);
}

static void
write__refuses_dangerous_destinations(void)
{
	nb_diags dg = NB_DIAGS_INIT;
	nb_out *o = NULL;

	CHECK(nb_out_begin(&o, "/", &dg) != 0);
	CHECK(nb_out_begin(&o, ".", &dg) != 0);
	CHECK(nb_out_begin(&o, "", &dg) != 0);
	CHECK(o == NULL);
	nb_diags_free(&dg);
}

/* Reads that find a file on the disk rather than in memory are counted,
 * and once there has been one, reading ahead brings the files ahead of
 * the readers in before they are read (source.h). */
static void
source__reading_ahead_brings_cold_files_in(void)
{
	enum { N = 200 };
	char *root = tu_tmpdir(), *names[N], path[4096], text[4096], *data;
	nb_diags d = NB_DIAGS_INIT;
	nb_source *src = NULL;
	nb_prefetch *pf;
	atomic_size_t cursor;
	size_t len, i, waits;
	int tries;

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (i = 0; i < N; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "content/c/r%03zu.md", i);
		CHECK_INT(tu_write(root, rel, text), 0);
		names[i] = strdup(rel + strlen("content/c/"));
	}
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "%s/content/c/%s", root, names[i]);
		tu_uncache(path);
	}
	CHECK_INT(tu_write(root, "content/c/probe.md", text), 0);
	snprintf(path, sizeof(path), "%s/content/c/probe.md", root);
	CHECK_INT(nb_source_open_dir(&src, root, &d), 0);
	CHECK_INT(nb_source_waits(src), 0);
	/* a page the kernel is still putting away stays: a few tries */
	for (tries = 0; tries < 5 && nb_source_waits(src) == 0; tries++) {
		tu_uncache(path);
		CHECK_INT(nb_source_read(src, "content/c/probe.md", &data, &len,
					 &d), 0);
		CHECK_INT(len, sizeof(text) - 1);
		free(data);
	}
	waits = nb_source_waits(src);
	snprintf(path, sizeof(path), "%s/content/c/r%03d.md", root, N - 1);
	if (waits == 0 || tu_in_memory(path, 0)) {
		/* tmpfs, where a file's pages are all there is; valgrind,
		 * whose mincore says every page is there */
		printf("%s: cannot tell files in memory from files on the "
		       "disk here: reading ahead not tested\n", root);
		nb_test_skipped++;
		goto done;
	}
	CHECK_INT(waits, 1);
	atomic_init(&cursor, 0);
	pf = nb_source_prefetch(src, "content/c", names, N, &cursor);
	CHECK(pf != NULL);
	/* the last file is within reach (N < NB_SOURCE_READ_AHEAD): it is
	 * asked for, and soon in memory, though nobody has read it */
	for (tries = 0; tries < 500 && !tu_in_memory(path, 0); tries++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	CHECK(tu_in_memory(path, 0));
	nb_prefetch_stop(pf);
	/* the readers' own count did not move: the reading ahead is not a
	 * read */
	CHECK_INT(nb_source_waits(src), 1);
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "content/c/%s", names[i]);
		CHECK_INT(nb_source_read(src, path, &data, &len, &d), 0);
		free(data);
	}
	/* some may have been taken back since, but not most */
	CHECK(nb_source_waits(src) < 1 + N / 2);
	/* a reader past the end: it stops at once */
	atomic_store(&cursor, N + 5);
	pf = nb_source_prefetch(src, "content/c", names, N, &cursor);
	nb_prefetch_stop(pf);
	/* none for a short list */
	CHECK(nb_source_prefetch(src, "content/c", names, 10, &cursor) == NULL);
done:
	CHECK_INT(d.errors, 0);
	nb_source_free(src);
	nb_diags_free(&d);
	for (i = 0; i < N; i++)
		free(names[i]);
	nb_rmtree(root);
	free(root);
}

void
suite_model(void)
{
	RUN(model__ids);
	RUN(derive__status_table);
	RUN(map__put_get_and_grow);
	RUN(write__swaps_whole_site_and_refuses_escapes);
	RUN(write__pieces_written_in_order);
	RUN(write__abort_leaves_old_site_and_leftovers_are_cleaned);
	RUN(write__refuses_dangerous_destinations);
	RUN(write__copies_claim_each_file_once);
	RUN(write__rmtree_removes_links_not_what_they_point_to);
	RUN(source__reading_ahead_brings_cold_files_in);
}
