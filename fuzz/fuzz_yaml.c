/*
 * fuzz_yaml.c - the front-matter splitter and the YAML reader.
 *
 * The input is read both as a Markdown record (front matter split off,
 * then parsed) and as a whole .yaml file.  Every node of a tree that
 * parses must have a position and a string as long as it says; every
 * failure must leave exactly one error with a path.
 */
#include "fuzz.h"

#include "arena.h"
#include "diag.h"
#include "yaml.h"

/* Visit the tree without recursion, stopping after `budget` visits
 * (aliases share nodes, so a tree may expand to NB_YAML_MAX_NODES). */
static void
walk(const nb_node *root, size_t budget)
{
	const nb_node *stack[NB_YAML_MAX_DEPTH + 2];
	size_t idx[NB_YAML_MAX_DEPTH + 2];
	int sp = 0;

	stack[0] = root;
	idx[0] = 0;
	while (sp >= 0 && budget-- > 0) {
		const nb_node *n = stack[sp];

		if (idx[sp] == 0) {
			if (n->line < 1 || n->col < 1)
				FUZZ_FAIL("node at %d:%d", n->line, n->col);
			if (n->kind == NB_NODE_SCALAR &&
			    (!n->str || strlen(n->str) != n->len))
				FUZZ_FAIL("scalar length %zu", n->len);
			if (n->kind == NB_NODE_MAP)
				(void)nb_node_get(n, "title");
		}
		if (n->kind == NB_NODE_SCALAR || idx[sp] >= n->n) {
			sp--;
			continue;
		}
		if (n->kind == NB_NODE_MAP &&
		    n->keys[idx[sp]]->kind != NB_NODE_SCALAR)
			FUZZ_FAIL("a key that is not text");
		if (sp + 1 > NB_YAML_MAX_DEPTH + 1)
			FUZZ_FAIL("deeper than NB_YAML_MAX_DEPTH");
		stack[sp + 1] = n->items[idx[sp]++];
		idx[++sp] = 0;
	}
}

static void
check(int rc, const nb_diags *d, size_t errors_before)
{
	if (rc == 0 && d->errors != errors_before)
		FUZZ_FAIL("success with errors");
	if (rc != 0 && d->errors != errors_before + 1)
		FUZZ_FAIL("failure with %zu errors", d->errors - errors_before);
	if (rc != 0 && (d->items[d->len - 1].line < 1 ||
			d->items[d->len - 1].col < 1))
		FUZZ_FAIL("an error without a position");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *fm, *body;
	size_t fm_len, body_len, before;
	int fm_line, body_line, rc;
	nb_diags d = NB_DIAGS_INIT;
	nb_arena *a = nb_arena_new();
	nb_node *root = NULL;

	before = d.errors;
	rc = nb_frontmatter_split("fuzz.md", text, size, &fm, &fm_len,
				  &fm_line, &body, &body_len, &body_line, &d);
	check(rc, &d, before);
	if (rc == 0) {
		if (fm < text || fm + fm_len > text + size ||
		    body < text || body + body_len != text + size ||
		    fm_line < 1 || body_line <= fm_line)
			FUZZ_FAIL("front matter out of the file");
		before = d.errors;
		rc = nb_yaml_parse(&root, a, "fuzz.md", fm, fm_len, fm_line,
				   &d);
		check(rc, &d, before);
		if (rc == 0)
			walk(root, 100000);
	}
	before = d.errors;
	rc = nb_yaml_parse(&root, a, "fuzz.yaml", text, size, 1, &d);
	check(rc, &d, before);
	if (rc == 0)
		walk(root, 100000);
	nb_diags_free(&d);
	nb_arena_free(a);
	return 0;
}
