/*
 * test_cache.c - the parsed-file cache: what goes in comes out the same,
 * a rebuild appends, a file mostly of dead entries is written afresh, and
 * a damaged file is an empty cache, never a wrong answer or a crash.
 */
#include "harness.h"
#include "util.h"

#include "cache.h"
#include "diag.h"
#include "write.h"
#include "yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char doc[] =
	"title: \"Bus \\\"review\\\"\"\n"
	"areas: [north, south]\n"
	"events:\n"
	"  - title: Drop-in\n"
	"    start: 2026-11-10 18:00\n"
	"    notes: ''\n"
	"  - {title: Online, online: 'https://meet.example/x'}\n"
	"empty: []\n"
	"nothing: {}\n"
	"count: 12\n";

static void
oid_of(unsigned char oid[NB_OID_LEN], int i)
{
	memset(oid, 0, NB_OID_LEN);
	oid[0] = (unsigned char)(i * 37);
	oid[19] = (unsigned char)i;
}

/* Two trees are the same, position and quoting included. */
static int
same(const nb_node *a, const nb_node *b)
{
	size_t i;

	if (a->kind != b->kind || a->line != b->line || a->col != b->col ||
	    a->plain != b->plain)
		return 0;
	if (a->kind == NB_NODE_SCALAR)
		return a->len == b->len && memcmp(a->str, b->str, a->len) == 0 &&
		       b->str[b->len] == '\0';
	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (a->kind == NB_NODE_MAP && !same(a->keys[i], b->keys[i]))
			return 0;
		if (!same(a->items[i], b->items[i]))
			return 0;
	}
	return 1;
}

static nb_node *
parse(nb_arena *a, const char *text, int line)
{
	nb_diags d = NB_DIAGS_INIT;
	nb_node *root = NULL;

	if (nb_yaml_parse(&root, a, "t.md", text, strlen(text), line, &d) != 0)
		nb_test_fail(__FILE__, __LINE__, "the test's YAML does not parse");
	nb_diags_free(&d);
	return root;
}

static off_t
size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void
cache__entries_come_back_as_they_went_in(void)
{
	char *dir = tu_tmpdir(), path[4200];
	nb_arena *a = nb_arena_new();
	nb_node *root = parse(a, doc, 2);
	unsigned char oid[NB_OID_LEN], other[NB_OID_LEN];
	nb_parsed p, got;
	nb_cache *c;

	snprintf(path, sizeof(path), "%s/site.nb-cache", dir);
	oid_of(oid, 1);
	oid_of(other, 2);
	memset(&p, 0, sizeof(p));
	p.root = root;
	p.body = "Body *text*.\n";
	p.body_len = strlen(p.body);
	p.body_line = 14;
	p.sig = 0x1234567890abcdefULL;

	c = nb_cache_open(path, 0);
	CHECK_INT(nb_cache_get(c, oid, a, &got), 0);   /* no file yet */
	nb_cache_put(c, oid, &p);
	p.body = NULL;                                 /* a .yaml file */
	nb_cache_put(c, other, &p);
	CHECK_INT(nb_cache_added(c), 2);
	CHECK_INT(nb_cache_save(c), 0);
	nb_cache_free(c);

	c = nb_cache_open(path, 0);
	CHECK_INT(nb_cache_get(c, oid, a, &got), 1);
	CHECK(same(root, got.root));
	CHECK_STR(got.body, "Body *text*.\n");
	CHECK_INT(got.body_len, strlen("Body *text*.\n"));
	CHECK_INT(got.body_line, 14);
	CHECK(got.sig == 0x1234567890abcdefULL);
	CHECK_INT(nb_cache_get(c, other, a, &got), 1);
	CHECK(same(root, got.root));
	CHECK(got.body == NULL);
	oid_of(other, 3);
	CHECK_INT(nb_cache_get(c, other, a, &got), 0);
	CHECK_INT(nb_cache_hits(c), 2);
	nb_cache_free(c);

	/* a body's HTML and warnings: kept, and the body then is not */
	{
		nb_parsed_diag w = { 1, 15, 3, "link text says nothing", NULL };
		nb_parsed q = p;
		unsigned char third[NB_OID_LEN];
		c = nb_cache_open(path, 0);
		oid_of(third, 7);
		q.body = "[click here](https://example.org)\n";
		q.body_len = strlen(q.body);
		q.html = "<p><a href=\"https://example.org\">click here</a></p>\n";
		q.diags = &w;
		q.n_diags = 1;
		nb_cache_put(c, third, &q);
		CHECK_INT(nb_cache_save(c), 0);
		nb_cache_free(c);
		c = nb_cache_open(path, 0);
		CHECK_INT(nb_cache_get(c, third, a, &got), 1);
		CHECK_STR(got.html, q.html);
		CHECK_STR(got.body, "");
		CHECK_INT(got.n_diags, 1);
		CHECK_STR(got.diags[0].msg, "link text says nothing");
		CHECK(got.diags[0].hint == NULL);
		CHECK_INT(got.diags[0].line, 15);
		CHECK_INT(got.diags[0].col, 3);
		nb_cache_free(c);
	}

	/* --full: what the file holds is not used */
	c = nb_cache_open(path, 1);
	CHECK_INT(nb_cache_get(c, oid, a, &got), 0);
	nb_cache_free(c);

	nb_arena_free(a);
	nb_rmtree(dir);
	free(dir);
}

/* Every one of many entries is found, and no other: ids spread evenly
 * (as hashes are: the lookup guesses where an id is from its value),
 * and ids bunched at the ends and alike in their first bytes (where
 * guesses are bad, and the lookup must still find them). */
static void
cache__every_entry_is_found_among_many(void)
{
	enum { N = 3000 };
	char *dir = tu_tmpdir(), path[4200];
	nb_arena *a = nb_arena_new();
	nb_node *root = parse(a, "k: v\n", 1);
	unsigned char (*ids)[NB_OID_LEN] = calloc(N, NB_OID_LEN);
	unsigned long long x = 20261124;
	nb_parsed p, got;
	nb_cache *c;
	int i, k, way, found, wrong;

	memset(&p, 0, sizeof(p));
	p.root = root;
	for (way = 0; way < 2; way++) {
		snprintf(path, sizeof(path), "%s/site-%d.nb-cache", dir, way);
		for (i = 0; i < N; i++) {
			for (k = 0; k < NB_OID_LEN; k++) {
				x = x * 6364136223846793005ULL + 1442695040888963407ULL;
				ids[i][k] = (unsigned char)(x >> 56);
			}
			if (way == 1) {
				/* a tenth at each end, the rest alike in their
				 * first seven bytes */
				memset(ids[i], i < N / 10 ? 0x00 : i > N - N / 10 ? 0xff : 0x80,
				       i < N / 10 || i > N - N / 10 ? 2 : 7);
			}
		}
		c = nb_cache_open(path, 0);
		for (i = 0; i < N; i++) {
			p.sig = (uint64_t)i;
			nb_cache_put(c, ids[i], &p);
		}
		CHECK_INT(nb_cache_save(c), 0);
		nb_cache_free(c);
		c = nb_cache_open(path, 0);
		found = wrong = 0;
		for (i = 0; i < N; i++) {
			if (nb_cache_get(c, ids[i], a, &got) == 1) {
				found++;
				wrong += got.sig != (uint64_t)i;
			}
			/* one bit off: not there */
			ids[i][19] ^= 1;
			wrong += nb_cache_get(c, ids[i], a, &got) != 0;
			ids[i][19] ^= 1;
		}
		CHECK_INT(found, N);
		CHECK_INT(wrong, 0);
		nb_cache_free(c);
	}
	free(ids);
	nb_arena_free(a);
	nb_rmtree(dir);
	free(dir);
}

static void
cache__a_rebuild_appends_and_dead_entries_are_dropped(void)
{
	char *dir = tu_tmpdir(), path[4200];
	nb_arena *a = nb_arena_new();
	unsigned char oid[NB_OID_LEN];
	nb_parsed p, got;
	nb_cache *c;
	off_t first, second;
	int i;

	snprintf(path, sizeof(path), "%s/site.nb-cache", dir);
	memset(&p, 0, sizeof(p));
	p.root = parse(a, doc, 1);
	c = nb_cache_open(path, 0);
	for (i = 0; i < 100; i++) {
		oid_of(oid, i);
		p.sig = (uint64_t)i;
		nb_cache_put(c, oid, &p);
	}
	CHECK_INT(nb_cache_save(c), 0);
	nb_cache_free(c);
	first = size_of(path);

	/* all used, nothing new: the file is left alone */
	c = nb_cache_open(path, 0);
	for (i = 0; i < 100; i++) {
		oid_of(oid, i);
		CHECK_INT(nb_cache_get(c, oid, a, &got), 1);
	}
	CHECK_INT(nb_cache_save(c), 0);
	nb_cache_free(c);
	CHECK_INT(size_of(path), first);

	/* one new file: appended, so the file grows */
	c = nb_cache_open(path, 0);
	for (i = 0; i < 100; i++) {
		oid_of(oid, i);
		CHECK_INT(nb_cache_get(c, oid, a, &got), 1);
	}
	oid_of(oid, 100);
	p.sig = 100;
	nb_cache_put(c, oid, &p);
	CHECK_INT(nb_cache_save(c), 0);
	nb_cache_free(c);
	second = size_of(path);
	CHECK(second > first);
	c = nb_cache_open(path, 0);
	for (i = 0; i <= 100; i++) {
		oid_of(oid, i);
		CHECK_INT(nb_cache_get(c, oid, a, &got), 1);
		CHECK(got.sig == (uint64_t)i);
	}
	nb_cache_free(c);

	/* a build that fails (no save) takes back what it appended: what
	 * was kept back, and what filled whole stretches and was written
	 * as it was made (a body of 1 MB each, five of them) */
	c = nb_cache_open(path, 0);
	{
		char *big = malloc(1 << 20);
		nb_parsed q = p;
		memset(big, 'x', 1 << 20);
		q.body = big;
		q.body_len = (1 << 20) - 1;
		for (i = 0; i < 5; i++) {
			oid_of(oid, 200 + i);
			nb_cache_put(c, oid, &q);
		}
		free(big);
	}
	CHECK(size_of(path) > second + (2 << 20));   /* on the disk */
	oid_of(oid, 101);
	nb_cache_put(c, oid, &p);
	nb_cache_free(c);
	CHECK_INT(size_of(path), second);
	c = nb_cache_open(path, 0);
	oid_of(oid, 100);
	CHECK_INT(nb_cache_get(c, oid, a, &got), 1);
	oid_of(oid, 101);
	CHECK_INT(nb_cache_get(c, oid, a, &got), 0);
	nb_cache_free(c);

	/* only a few used: written afresh, holding only those */
	c = nb_cache_open(path, 0);
	for (i = 0; i < 5; i++) {
		oid_of(oid, i);
		CHECK_INT(nb_cache_get(c, oid, a, &got), 1);
	}
	CHECK_INT(nb_cache_save(c), 0);
	nb_cache_free(c);
	CHECK(size_of(path) < first / 5);
	c = nb_cache_open(path, 0);
	oid_of(oid, 4);
	CHECK_INT(nb_cache_get(c, oid, a, &got), 1);
	CHECK(same(p.root, got.root));
	oid_of(oid, 50);
	CHECK_INT(nb_cache_get(c, oid, a, &got), 0);
	nb_cache_free(c);

	nb_arena_free(a);
	nb_rmtree(dir);
	free(dir);
}

/* Damage the file at `path` by `how`; then every lookup must miss. */
static void
damaged(const char *path, const char *how)
{
	char cmd[20000], *out = NULL;
	nb_arena *a = nb_arena_new();
	unsigned char oid[NB_OID_LEN];
	nb_parsed got;
	nb_cache *c;
	int i, hits = 0;

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s.bak' && %s", path, path, how);
	if (tu_run(cmd, &out) != 0)
		nb_test_fail(__FILE__, __LINE__, "%s: %s", how, out);
	free(out);
	c = nb_cache_open(path, 0);
	for (i = 0; i < 10; i++) {
		oid_of(oid, i);
		hits += nb_cache_get(c, oid, a, &got);
	}
	nb_cache_free(c);
	if (hits)
		nb_test_fail(__FILE__, __LINE__, "%s: %d hits", how, hits);
	snprintf(cmd, sizeof(cmd), "mv '%s.bak' '%s'", path, path);
	tu_run(cmd, &out);
	free(out);
	nb_arena_free(a);
}

static void
cache__a_damaged_file_is_an_empty_cache(void)
{
	char *dir = tu_tmpdir(), path[4200], how[9000];
	nb_arena *a = nb_arena_new();
	unsigned char oid[NB_OID_LEN];
	nb_parsed p, got;
	nb_cache *c;
	off_t size;
	int i;

	snprintf(path, sizeof(path), "%s/site.nb-cache", dir);
	memset(&p, 0, sizeof(p));
	p.root = parse(a, doc, 1);
	p.body = "";
	c = nb_cache_open(path, 0);
	for (i = 0; i < 10; i++) {
		oid_of(oid, i);
		nb_cache_put(c, oid, &p);
	}
	CHECK_INT(nb_cache_save(c), 0);
	nb_cache_free(c);
	size = size_of(path);

	/* cut short (a build killed while appending), emptied, foreign */
	snprintf(how, sizeof(how), "truncate -s %ld '%s'", (long)size - 5, path);
	damaged(path, how);
	snprintf(how, sizeof(how), "truncate -s 0 '%s'", path);
	damaged(path, how);
	snprintf(how, sizeof(how), "head -c %ld /dev/zero > '%s'", (long)size, path);
	damaged(path, how);
	/* a byte of the index changed: its signature no longer matches */
	snprintf(how, sizeof(how),
		 "printf 'X' | dd of='%s' bs=1 seek=%ld conv=notrunc 2>/dev/null",
		 path, (long)size - 32 - 10 * 32 + 25);
	damaged(path, how);

	/* an entry's bytes damaged where the index cannot see: the tree is
	 * still read within its bounds (a count past the entry is refused) */
	snprintf(how, sizeof(how),
		 "printf '\\377\\377\\377\\177' | dd of='%s' bs=1 seek=%d conv=notrunc 2>/dev/null",
		 path, 16 + 8 + 4 + 4 + 1 + 12);
	{
		char *out = NULL, cmd[20000];
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s.bak' && %s", path, path, how);
		CHECK_INT(tu_run(cmd, &out), 0);
		free(out);
		c = nb_cache_open(path, 0);
		oid_of(oid, 0);
		nb_cache_get(c, oid, a, &got);   /* must not crash */
		nb_cache_free(c);
		snprintf(cmd, sizeof(cmd), "mv '%s.bak' '%s'", path, path);
		tu_run(cmd, &out);
		free(out);
	}

	/* and the undamaged file still answers */
	c = nb_cache_open(path, 0);
	oid_of(oid, 3);
	CHECK_INT(nb_cache_get(c, oid, a, &got), 1);
	CHECK(same(p.root, got.root));
	nb_cache_free(c);

	nb_arena_free(a);
	nb_rmtree(dir);
	free(dir);
}

void
suite_cache(void)
{
	RUN(cache__entries_come_back_as_they_went_in);
	RUN(cache__every_entry_is_found_among_many);
	RUN(cache__a_rebuild_appends_and_dead_entries_are_dropped);
	RUN(cache__a_damaged_file_is_an_empty_cache);
}
