/*
 * test_yaml.c - YAML into nb_node trees, positions, errors and limits;
 * splitting front matter from a Markdown body.
 */
#include "harness.h"

#include <stdlib.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "yaml.h"

/* Parse s[0..len) (len (size_t)-1: strlen) starting at file line
 * first_line; the root, or NULL with the errors left in d. */
static nb_node *
parse(nb_arena *a, nb_diags *d, const char *s, size_t len, int first_line)
{
	nb_node *root = NULL;
	int rc;

	if (len == (size_t)-1)
		len = strlen(s);
	rc = nb_yaml_parse(&root, a, "t.yaml", s, len, first_line, d);
	if (rc == 0 && !root)
		nb_test_fail(__FILE__, __LINE__, "success without a root");
	if (rc == 0 && d->errors)
		nb_test_fail(__FILE__, __LINE__, "success with errors");
	if (rc < 0 && d->errors == 0)
		nb_test_fail(__FILE__, __LINE__, "failure without an error");
	return rc == 0 ? root : NULL;
}

/* Check that s fails with one error at line:col whose message contains
 * `msg` and whose hint contains `hint` (either may be NULL). */
static void
expect_error(const char *file, int line, const char *s, size_t len,
	     int first_line, int want_line, int want_col, const char *msg,
	     const char *hint)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	nb_node *root = parse(a, &d, s, len, first_line);

	if (root || d.len != 1) {
		nb_test_fail(file, line, "want one error, got %zu (root %s)",
			     d.len, root ? "set" : "NULL");
		goto done;
	}
	if (d.items[0].line != want_line || d.items[0].col != want_col)
		nb_test_fail(file, line, "error at %d:%d, want %d:%d (%s)",
			     d.items[0].line, d.items[0].col, want_line,
			     want_col, d.items[0].msg);
	if (strcmp(d.items[0].path, "t.yaml") != 0)
		nb_test_fail(file, line, "path \"%s\"", d.items[0].path);
	if (msg && !strstr(d.items[0].msg, msg))
		nb_test_fail(file, line, "message \"%s\" lacks \"%s\"",
			     d.items[0].msg, msg);
	if (hint && (!d.items[0].hint || !strstr(d.items[0].hint, hint)))
		nb_test_fail(file, line, "hint \"%s\" lacks \"%s\"",
			     d.items[0].hint ? d.items[0].hint : "(none)",
			     hint);
done:
	nb_diags_free(&d);
	nb_arena_free(a);
}

#define EXPECT_ERROR(s, fl, l, c, msg, hint) \
	expect_error(__FILE__, __LINE__, s, (size_t)-1, fl, l, c, msg, hint)
#define EXPECT_ERROR_N(s, n, fl, l, c, msg, hint) \
	expect_error(__FILE__, __LINE__, s, n, fl, l, c, msg, hint)

#define CHECK_POS(node, l, c) do { \
	CHECK_INT((node)->line, l); \
	CHECK_INT((node)->col, c); \
} while (0)

static const char RECORD[] =
	"title: Joint engagement\n"         /* 1 */
	"tags:\n"                           /* 2 */
	"  - planning\n"                    /* 3 */
	"  - budget\n"                      /* 4 */
	"when:\n"                           /* 5 */
	"  start: 2026-01-02\n"             /* 6 */
	"  place: \"Room 4\"\n"             /* 7 */
	"owner:\n";                         /* 8 */

static void
check_record(nb_node *root, int off)
{
	const nb_node *n, *w;

	CHECK(root != NULL);
	if (!root)
		return;
	CHECK_INT(root->kind, NB_NODE_MAP);
	CHECK_INT(root->n, 4);
	CHECK_POS(root, 1 + off, 1);
	CHECK_STR(root->keys[0]->str, "title");
	CHECK_POS(root->keys[0], 1 + off, 1);

	n = nb_node_get(root, "title");
	CHECK(n && n->kind == NB_NODE_SCALAR);
	CHECK_STR(n->str, "Joint engagement");
	CHECK_INT(n->len, 16);
	CHECK_INT(n->plain, 1);
	CHECK_POS(n, 1 + off, 8);

	n = nb_node_get(root, "tags");
	CHECK(n && n->kind == NB_NODE_SEQ);
	CHECK_INT(n->n, 2);
	CHECK_POS(n, 3 + off, 3);
	CHECK_STR(n->items[0]->str, "planning");
	CHECK_POS(n->items[0], 3 + off, 5);
	CHECK_STR(n->items[1]->str, "budget");
	CHECK_POS(n->items[1], 4 + off, 5);

	w = nb_node_get(root, "when");
	CHECK(w && w->kind == NB_NODE_MAP);
	CHECK_POS(w, 6 + off, 3);
	n = nb_node_get(w, "start");
	CHECK_STR(n->str, "2026-01-02");
	CHECK_POS(n, 6 + off, 10);
	n = nb_node_get(w, "place");
	CHECK_STR(n->str, "Room 4");
	CHECK_INT(n->plain, 0);
	CHECK_POS(n, 7 + off, 10);

	n = nb_node_get(root, "owner");
	CHECK(n != NULL);
	CHECK(nb_node_is_null(n));
	CHECK(nb_node_get(root, "missing") == NULL);
	CHECK(nb_node_get(n, "title") == NULL);
}

static void
yaml__maps_seqs_scalars_with_positions(void)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;

	check_record(parse(a, &d, RECORD, (size_t)-1, 1), 0);
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
yaml__positions_honour_first_line(void)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;

	check_record(parse(a, &d, RECORD, (size_t)-1, 2), 1);
	check_record(parse(a, &d, RECORD, (size_t)-1, 40), 39);
	/* errors too */
	EXPECT_ERROR("a: 1\nb: 2\na: 3\n", 10, 12, 1, "line 10", NULL);
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
yaml__flow_style(void)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	nb_node *root = parse(a, &d, "tags: [a, \"b c\", {k: v}]\nn: []\n",
			      (size_t)-1, 1);
	const nb_node *t;

	CHECK(root != NULL);
	if (!root)
		goto done;
	t = nb_node_get(root, "tags");
	CHECK(t && t->kind == NB_NODE_SEQ && t->n == 3);
	if (!t || t->n != 3)
		goto done;
	CHECK_POS(t, 1, 7);
	CHECK_STR(t->items[0]->str, "a");
	CHECK_INT(t->items[0]->plain, 1);
	CHECK_POS(t->items[0], 1, 8);
	CHECK_STR(t->items[1]->str, "b c");
	CHECK_INT(t->items[1]->plain, 0);
	CHECK_POS(t->items[1], 1, 11);
	CHECK_INT(t->items[2]->kind, NB_NODE_MAP);
	CHECK_POS(t->items[2], 1, 18);
	CHECK_STR(nb_node_get(t->items[2], "k")->str, "v");
	t = nb_node_get(root, "n");
	CHECK(t && t->kind == NB_NODE_SEQ && t->n == 0);
done:
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
yaml__quoted_vs_plain(void)
{
	static const struct {
		const char *src, *str;
		int plain;
	} cases[] = {
		{ "v: yes\n", "yes", 1 },
		{ "v: 12\n", "12", 1 },
		{ "v: \"yes\"\n", "yes", 0 },
		{ "v: '12'\n", "12", 0 },
		{ "v: 'it''s'\n", "it's", 0 },
		{ "v: \"a\\tb\"\n", "a\tb", 0 },
		{ "v: |\n  one\n  two\n", "one\ntwo\n", 0 },
		{ "v: >\n  one\n  two\n", "one two\n", 0 },
		{ "v: !!str 12\n", "12", 0 },
		{ "v: a\n  b\n", "a b", 1 },
		{ "v: caf\xC3\xA9\n", "caf\xC3\xA9", 1 },
		{ "v: \xF0\x9F\x93\x85 day\n", "\xF0\x9F\x93\x85 day", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nb_arena *a = nb_arena_new();
		nb_diags d = NB_DIAGS_INIT;
		nb_node *root = parse(a, &d, cases[i].src, (size_t)-1, 1);
		const nb_node *v = nb_node_get(root, "v");

		if (!v || v->kind != NB_NODE_SCALAR) {
			nb_test_fail(__FILE__, __LINE__, "case %zu: no v", i);
		} else {
			CHECK_STR(v->str, cases[i].str);
			CHECK_INT(v->len, strlen(cases[i].str));
			if (v->plain != cases[i].plain)
				nb_test_fail(__FILE__, __LINE__,
					     "case %zu: plain %d", i, v->plain);
		}
		nb_diags_free(&d);
		nb_arena_free(a);
	}
}

static void
yaml__null_scalars(void)
{
	static const struct {
		const char *src;
		int null;
	} cases[] = {
		{ "v:\n", 1 },
		{ "v: ~\n", 1 },
		{ "v: null\n", 1 },
		{ "v: Null\n", 1 },
		{ "v: NULL\n", 1 },
		{ "v: nULL\n", 0 },
		{ "v: \"null\"\n", 0 },
		{ "v: ''\n", 0 },
		{ "v: 0\n", 0 },
		{ "v: []\n", 0 },
		{ "v: {}\n", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nb_arena *a = nb_arena_new();
		nb_diags d = NB_DIAGS_INIT;
		nb_node *root = parse(a, &d, cases[i].src, (size_t)-1, 1);
		const nb_node *v = nb_node_get(root, "v");

		if (!v)
			nb_test_fail(__FILE__, __LINE__, "case %zu: no v", i);
		else if (nb_node_is_null(v) != cases[i].null)
			nb_test_fail(__FILE__, __LINE__, "case %zu: null %d",
				     i, nb_node_is_null(v));
		nb_diags_free(&d);
		nb_arena_free(a);
	}
	CHECK(nb_node_is_null(NULL));
}

static void
yaml__empty_value_positioned_after_its_key(void)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	nb_node *root = parse(a, &d, "a:\nb: 1\n", (size_t)-1, 1);

	CHECK(root && nb_node_get(root, "a"));
	if (root && nb_node_get(root, "a"))
		CHECK_POS(nb_node_get(root, "a"), 1, 3);
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
yaml__empty_document_is_empty_map(void)
{
	static const char *cases[] = {
		"", "\n\n", "# only a comment\n", "---\n", "---\n...\n",
		"\xEF\xBB\xBF", "  \r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nb_arena *a = nb_arena_new();
		nb_diags d = NB_DIAGS_INIT;
		nb_node *root = parse(a, &d, cases[i], (size_t)-1, 3);

		if (!root || root->kind != NB_NODE_MAP || root->n != 0)
			nb_test_fail(__FILE__, __LINE__,
				     "case %zu: not an empty map", i);
		else
			CHECK_POS(root, 3, 1);
		nb_diags_free(&d);
		nb_arena_free(a);
	}
}

static void
yaml__root_scalar_and_sequence(void)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	nb_node *root = parse(a, &d, "just text\n", (size_t)-1, 1);

	CHECK(root && root->kind == NB_NODE_SCALAR);
	CHECK(nb_node_get(root, "x") == NULL);
	root = parse(a, &d, "- 1\n- 2\n", (size_t)-1, 1);
	CHECK(root && root->kind == NB_NODE_SEQ && root->n == 2);
	root = parse(a, &d, "''\n", (size_t)-1, 1);
	CHECK(root && root->kind == NB_NODE_SCALAR && root->len == 0);
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
yaml__duplicate_key_reported_at_second(void)
{
	EXPECT_ERROR("title: A\ndate: 2026-01-01\ntitle: B\n", 1, 3, 1,
		     "duplicate key 'title': it is already used at line 1",
		     NULL);
	EXPECT_ERROR("when:\n  start: 1\n  end: 2\n  start: 3\n", 1, 4, 3,
		     "line 2", NULL);
	EXPECT_ERROR("{a: 1, b: 2, a: 3}\n", 1, 1, 14, "duplicate key 'a'",
		     NULL);
	/* the same key in different maps is fine */
	{
		nb_arena *a = nb_arena_new();
		nb_diags d = NB_DIAGS_INIT;

		CHECK(parse(a, &d, "a: {x: 1}\nb: {x: 2}\n", (size_t)-1, 1));
		nb_diags_free(&d);
		nb_arena_free(a);
	}
}

static void
yaml__many_keys_checked_for_duplicates(void)
{
	nb_buf b = NB_BUF_INIT;
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	nb_node *root;
	int i;

	for (i = 0; i < 5000; i++)
		nb_buf_printf(&b, "k%d: %d\n", i, i);
	root = parse(a, &d, b.ptr, b.len, 1);
	CHECK(root && root->n == 5000);
	CHECK_STR(nb_node_get(root, "k4321")->str, "4321");
	nb_buf_puts(&b, "k1234: again\n");
	expect_error(__FILE__, __LINE__, b.ptr, b.len, 1, 5001, 1,
		     "it is already used at line 1235", NULL);
	nb_buf_free(&b);
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
yaml__tab_indentation(void)
{
	EXPECT_ERROR("a:\n\tb: 1\n", 1, 2, 1, "tab",
		     "YAML does not allow tabs for indentation; use spaces");
	EXPECT_ERROR("a:\n  b: 1\n\tc: 2\n", 1, 3, 1, "tab",
		     "use spaces");
	EXPECT_ERROR("a: |\n  x\n\ty\n", 5, 7, 1, "tab", "use spaces");
}

static void
yaml__syntax_errors_in_plain_english(void)
{
	static const struct {
		const char *src;
		int line, col;
		const char *msg, *hint;
	} cases[] = {
		{ "title: Meeting: agenda\n", 1, 15, "':'",
		  "put it in quotes" },
		{ "a: 1\nfoo bar\nb: 2\n", 2, 1, "no ':' found", "name: value" },
		{ "a:\n  b: 1\n c: 2\n", 3, 2, "map that starts at line 1",
		  "line up" },
		{ "a: \"abc\nb: 2\n", 1, 4, "never closed", "closing quote" },
		{ "a: \"x\\qy\"\n", 1, 6, "escape", "single quotes" },
		{ "a: [x, y\nb: 2\n", 2, 2, "starts at line 1, column 4",
		  "']'" },
		{ "a: {b: c\n", 2, 1, "'}'", NULL },
		{ "a: @x\n", 1, 4, "cannot start with '@'", "quotes" },
		{ "x: - a\n", 1, 4, "list item", NULL },
		{ "[a, b]\nc: 1\n", 2, 1, "after the end", NULL },
		{ "a: *\n", 1, 5, "invalid YAML", "quotes" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(__FILE__, __LINE__, cases[i].src, (size_t)-1, 1,
			     cases[i].line, cases[i].col, cases[i].msg,
			     cases[i].hint);
}

static void
yaml__aliases_share_the_anchored_node(void)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	nb_node *root = parse(a, &d,
			      "base: &b {room: 4, floor: 2}\n"
			      "copy: *b\n"
			      "name: &n Ann\n"
			      "list: [*n, *n]\n"
			      "*n : key from alias\n", (size_t)-1, 1);

	CHECK(root != NULL);
	if (!root)
		goto done;
	CHECK(nb_node_get(root, "base") == nb_node_get(root, "copy"));
	CHECK(nb_node_get(root, "list")->items[0] ==
	      nb_node_get(root, "name"));
	CHECK_STR(nb_node_get(root, "Ann")->str, "key from alias");
	/* an alias key can still be a duplicate */
	EXPECT_ERROR("a: &k x\nx: 1\n*k : 2\n", 1, 3, 1, "duplicate", NULL);
	EXPECT_ERROR("a: &m {b: 1}\n*m : 2\n", 1, 2, 1, "alias *m is a map",
		     NULL);
done:
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
yaml__unknown_alias(void)
{
	EXPECT_ERROR("a: 1\nb: *nope\n", 1, 2, 4, "unknown alias *nope",
		     "anchor");
	/* an alias inside the node it names is not defined yet */
	EXPECT_ERROR("a: &x [1, *x]\n", 1, 1, 11, "unknown alias *x", NULL);
}

static void
yaml__billion_laughs_refused(void)
{
	nb_buf b = NB_BUF_INIT;
	clock_t t0 = clock();
	int i, j;

	nb_buf_puts(&b, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (i = 1; i < 9; i++) {
		nb_buf_printf(&b, "%c: &%c [", 'a' + i, 'a' + i);
		for (j = 0; j < 9; j++)
			nb_buf_printf(&b, "%s*%c", j ? ", " : "", 'a' + i - 1);
		nb_buf_puts(&b, "]\n");
	}
	/* g would hold 5,380,840 nodes: refused at its second *f */
	expect_error(__FILE__, __LINE__, b.ptr, b.len, 1, 7, 12,
		     "more than 1000000 values", "billion laughs");
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
	nb_buf_free(&b);
}

static void
yaml__moderate_aliasing_accepted(void)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	/* a: 10, b: 91, c: 820, d: 7381, e: 66430, f: 597871 nodes */
	nb_buf b = NB_BUF_INIT;
	int i, j;

	nb_buf_puts(&b, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (i = 1; i < 6; i++) {
		nb_buf_printf(&b, "%c: &%c [", 'a' + i, 'a' + i);
		for (j = 0; j < 9; j++)
			nb_buf_printf(&b, "%s*%c", j ? ", " : "", 'a' + i - 1);
		nb_buf_puts(&b, "]\n");
	}
	CHECK(parse(a, &d, b.ptr, b.len, 1) != NULL);
	nb_buf_free(&b);
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
yaml__deep_nesting_refused(void)
{
	nb_buf b = NB_BUF_INIT;
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	int i;

	/* NB_YAML_MAX_DEPTH levels are fine */
	for (i = 0; i < NB_YAML_MAX_DEPTH; i++)
		nb_buf_putc(&b, '[');
	for (i = 0; i < NB_YAML_MAX_DEPTH; i++)
		nb_buf_putc(&b, ']');
	CHECK(parse(a, &d, b.ptr, b.len, 1) != NULL);

	/* one more is not */
	nb_buf_clear(&b);
	for (i = 0; i <= NB_YAML_MAX_DEPTH; i++)
		nb_buf_putc(&b, '[');
	for (i = 0; i <= NB_YAML_MAX_DEPTH; i++)
		nb_buf_putc(&b, ']');
	expect_error(__FILE__, __LINE__, b.ptr, b.len, 1, 1,
		     NB_YAML_MAX_DEPTH + 1, "nested more than 64 levels", NULL);

	/* a hostile depth fails fast and without deep recursion */
	nb_buf_clear(&b);
	for (i = 0; i < 200000; i++)
		nb_buf_putc(&b, '[');
	expect_error(__FILE__, __LINE__, b.ptr, b.len, 1, 1,
		     NB_YAML_MAX_DEPTH + 1, "nested", NULL);

	/* block style */
	nb_buf_clear(&b);
	for (i = 0; i < 100; i++)
		nb_buf_printf(&b, "%*sk:\n", i, "");
	expect_error(__FILE__, __LINE__, b.ptr, b.len, 1, 65, 65, "nested",
		     NULL);
	nb_buf_free(&b);
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
yaml__second_document_refused(void)
{
	EXPECT_ERROR("a: 1\n---\nb: 2\n", 1, 2, 1, "second YAML document",
		     "'---'");
	EXPECT_ERROR("a: 1\n---\n", 4, 5, 1, "second", NULL);
	EXPECT_ERROR("---\na: 1\n...\n---\nb: 2\n", 1, 4, 1, "second", NULL);
	/* an explicit start and end of the one document are fine */
	{
		nb_arena *a = nb_arena_new();
		nb_diags d = NB_DIAGS_INIT;
		nb_node *root = parse(a, &d, "---\na: 1\n...\n", (size_t)-1, 1);

		CHECK(root && root->n == 1);
		if (root)
			CHECK_POS(root->items[0], 2, 4);
		nb_diags_free(&d);
		nb_arena_free(a);
	}
}

static void
yaml__bom_and_crlf_accepted(void)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	nb_node *root = parse(a, &d,
			      "\xEF\xBB\xBFtitle: A\r\ntags:\r\n  - x\r\n"
			      "text: |\r\n  one\r\n  two\r\n",
			      (size_t)-1, 1);
	const nb_node *n;

	CHECK(root && root->kind == NB_NODE_MAP && root->n == 3);
	if (!root)
		goto done;
	CHECK_STR(root->keys[0]->str, "title");
	CHECK_POS(root->keys[0], 1, 1);
	n = nb_node_get(root, "title");
	CHECK_STR(n->str, "A");
	CHECK_POS(n, 1, 8);
	n = nb_node_get(root, "tags");
	CHECK_POS(n->items[0], 3, 5);
	CHECK_STR(nb_node_get(root, "text")->str, "one\ntwo\n");
	/* positions after CRLF lines stay right in errors too */
	EXPECT_ERROR("\xEF\xBB\xBF" "a: 1\r\nb: 2\r\na: 3\r\n", 1, 3, 1,
		     "duplicate", NULL);
done:
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
yaml__utf16_refused(void)
{
	EXPECT_ERROR_N("\xFF\xFE" "a\0:\0 \0" "1\0", 10, 1, 1, 1,
		       "saved as UTF-16", "UTF-8");
	EXPECT_ERROR_N("\xFE\xFF" "\0a\0:\0 \0" "1", 10, 1, 1, 1,
		       "UTF-16", NULL);
	/* without a byte-order mark, the NUL bytes give it away */
	EXPECT_ERROR_N("a\0:\0 \0" "1\0", 8, 1, 1, 2, "NUL", "UTF-16");
}

static void
yaml__nul_byte_refused(void)
{
	EXPECT_ERROR_N("a: 1\nb: x\0y\n", 12, 1, 2, 5, "NUL byte", "UTF-8");
	EXPECT_ERROR_N("a: 1\nb: \xC3\xA9\0\n", 11, 3, 4, 5, "NUL", NULL);
	/* an escaped NUL inside double quotes too */
	EXPECT_ERROR("a: \"x\\0y\"\n", 1, 1, 4, "NUL", NULL);
}

static void
yaml__invalid_utf8_refused(void)
{
	EXPECT_ERROR("a: 1\nb: \xFF\n", 1, 2, 4, "not valid UTF-8 (byte 0xFF)",
		     "UTF-8");
	EXPECT_ERROR("a: 1\nb: caf\xC3\xA9 \xC3(\n", 2, 3, 9,
		     "not valid UTF-8 (byte 0xC3)", NULL);
	EXPECT_ERROR("a: \xC0\xAF\n", 1, 1, 4, "byte 0xC0", NULL);
	EXPECT_ERROR("a: \xE0\x80\xAF\n", 1, 1, 4, "byte 0xE0", NULL);
	EXPECT_ERROR("a: \xF4\x90\x80\x80\n", 1, 1, 4, "byte 0xF4", NULL);
	EXPECT_ERROR("a: \xC3", 1, 1, 4, "UTF-8", NULL);
	EXPECT_ERROR("a: \xED\xA0\x80\n", 1, 1, 4, "UTF-8", NULL);
	EXPECT_ERROR("a: b\x01\n", 1, 1, 5, "control character (U+0001)",
		     NULL);
}

static void
yaml__keys_must_be_text(void)
{
	EXPECT_ERROR("[a]: b\n", 1, 1, 1, "key must be text, not a list", NULL);
	EXPECT_ERROR("? {x: 1}\n: b\n", 1, 1, 3, "not a map", NULL);
}

/* ---- front matter ------------------------------------------------------ */

struct split {
	const char *fm, *body;
	size_t fm_len, body_len;
	int fm_line, body_line, rc;
	nb_diags d;
};

static void
split(struct split *s, const char *text)
{
	memset(s, 0, sizeof(*s));
	s->rc = nb_frontmatter_split("p.md", text, strlen(text), &s->fm,
				     &s->fm_len, &s->fm_line, &s->body,
				     &s->body_len, &s->body_line, &s->d);
}

#define CHECK_MEM(p, n, want) do { \
	if ((n) != strlen(want) || memcmp((p), (want), (n)) != 0) \
		nb_test_fail(__FILE__, __LINE__, "%s: got \"%.*s\", want " \
			     "\"%s\"", #p, (int)(n), (p), (want)); \
} while (0)

static void
yaml__frontmatter_split_cases(void)
{
	static const struct {
		const char *text, *fm, *body;
		int body_line;
	} cases[] = {
		{ "---\ntitle: A\n---\nBody\n", "title: A\n", "Body\n", 4 },
		{ "---\r\ntitle: A\r\nx: 1\r\n---\r\nBody\r\n",
		  "title: A\r\nx: 1\r\n", "Body\r\n", 5 },
		{ "\xEF\xBB\xBF---\ntitle: A\n---\n\nBody", "title: A\n",
		  "\nBody", 4 },
		{ "---\ntitle: A\n...\nBody\n", "title: A\n", "Body\n", 4 },
		{ "---  \ntitle: A\n--- \t\nBody\n", "title: A\n", "Body\n",
		  4 },
		{ "---\n---\nBody\n", "", "Body\n", 3 },
		{ "---\ntitle: A\n---", "title: A\n", "", 4 },
		{ "---\na: 1\n----\nb: 2\n---\n", "a: 1\n----\nb: 2\n", "",
		  6 },
		{ "---\ntext: |\n  --- not a fence\n---\nB\n",
		  "text: |\n  --- not a fence\n", "B\n", 5 },
	};
	struct split s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		split(&s, cases[i].text);
		if (s.rc != 0) {
			nb_test_fail(__FILE__, __LINE__, "case %zu failed", i);
		} else {
			CHECK_MEM(s.fm, s.fm_len, cases[i].fm);
			CHECK_MEM(s.body, s.body_len, cases[i].body);
			CHECK_INT(s.fm_line, 2);
			if (s.body_line != cases[i].body_line)
				nb_test_fail(__FILE__, __LINE__,
					     "case %zu: body_line %d", i,
					     s.body_line);
		}
		nb_diags_free(&s.d);
	}
}

static void
yaml__frontmatter_missing_opening_line(void)
{
	static const char *cases[] = {
		"title: A\n---\nBody\n", "", "Body only\n", "----\na: 1\n----\n",
		"--- a: 1\n---\n", "\n---\na: 1\n---\n",
	};
	struct split s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		split(&s, cases[i]);
		CHECK_INT(s.rc, -1);
		CHECK_INT(s.d.len, 1);
		if (s.d.len == 1) {
			CHECK_STR(s.d.items[0].path, "p.md");
			CHECK_INT(s.d.items[0].line, 1);
			CHECK_INT(s.d.items[0].col, 1);
			CHECK_HAS(s.d.items[0].msg, "the file must start with "
				  "a line of three hyphens (---) followed by "
				  "the record's fields");
		}
		nb_diags_free(&s.d);
	}
}

static void
yaml__frontmatter_missing_closing_line(void)
{
	struct split s;

	split(&s, "---\ntitle: A\nwhen: 2026-01-01\n\nBody text\n");
	CHECK_INT(s.rc, -1);
	CHECK_INT(s.d.len, 1);
	if (s.d.len == 1) {
		CHECK_INT(s.d.items[0].line, 1);
		CHECK_HAS(s.d.items[0].msg, "the front matter is not closed: "
			  "add a line of three hyphens (---) after the last "
			  "field");
		CHECK_HAS(s.d.items[0].hint, "blank line 4");
	}
	nb_diags_free(&s.d);

	split(&s, "---\r\ntitle: A\r\n");
	CHECK_INT(s.rc, -1);
	CHECK(s.d.len == 1 && strstr(s.d.items[0].msg, "not closed"));
	nb_diags_free(&s.d);

	split(&s, "---");
	CHECK_INT(s.rc, -1);
	CHECK(s.d.len == 1 && strstr(s.d.items[0].msg, "not closed"));
	nb_diags_free(&s.d);
}

static void
yaml__frontmatter_positions_carry_into_yaml(void)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	struct split s;
	nb_node *root = NULL;

	split(&s, "\xEF\xBB\xBF---\r\ntitle: A\r\nowner: Bo\r\n---\r\n# Hi\r\n");
	CHECK_INT(s.rc, 0);
	CHECK_INT(nb_yaml_parse(&root, a, "p.md", s.fm, s.fm_len, s.fm_line,
				&d), 0);
	if (root) {
		CHECK_POS(nb_node_get(root, "title"), 2, 8);
		CHECK_POS(nb_node_get(root, "owner"), 3, 8);
	}
	CHECK_INT(s.body_line, 5);
	CHECK_MEM(s.body, s.body_len, "# Hi\r\n");
	nb_diags_free(&s.d);

	split(&s, "---\ntitle: A\ntitle: B\n---\n");
	CHECK_INT(nb_yaml_parse(&root, a, "p.md", s.fm, s.fm_len, s.fm_line,
				&d), -1);
	CHECK(d.len == 1 && d.items[0].line == 3 && d.items[0].col == 1);
	nb_diags_free(&s.d);
	nb_diags_free(&d);
	nb_arena_free(a);
}

void
suite_yaml(void)
{
	RUN(yaml__maps_seqs_scalars_with_positions);
	RUN(yaml__positions_honour_first_line);
	RUN(yaml__flow_style);
	RUN(yaml__quoted_vs_plain);
	RUN(yaml__null_scalars);
	RUN(yaml__empty_value_positioned_after_its_key);
	RUN(yaml__empty_document_is_empty_map);
	RUN(yaml__root_scalar_and_sequence);
	RUN(yaml__duplicate_key_reported_at_second);
	RUN(yaml__many_keys_checked_for_duplicates);
	RUN(yaml__tab_indentation);
	RUN(yaml__syntax_errors_in_plain_english);
	RUN(yaml__aliases_share_the_anchored_node);
	RUN(yaml__unknown_alias);
	RUN(yaml__billion_laughs_refused);
	RUN(yaml__moderate_aliasing_accepted);
	RUN(yaml__deep_nesting_refused);
	RUN(yaml__second_document_refused);
	RUN(yaml__bom_and_crlf_accepted);
	RUN(yaml__utf16_refused);
	RUN(yaml__nul_byte_refused);
	RUN(yaml__invalid_utf8_refused);
	RUN(yaml__keys_must_be_text);
	RUN(yaml__frontmatter_split_cases);
	RUN(yaml__frontmatter_missing_opening_line);
	RUN(yaml__frontmatter_missing_closing_line);
	RUN(yaml__frontmatter_positions_carry_into_yaml);
}
