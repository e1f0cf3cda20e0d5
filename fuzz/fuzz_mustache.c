/*
 * fuzz_mustache.c - the Mustache engine: parsing and rendering.
 *
 * The input is a template, then (after NUL bytes) up to seven partials.
 * A partial or parent named N is the part chosen by a hash of N, so every
 * {{>name}} the fuzzer writes finds some template, itself included:
 * recursion, inheritance and dynamic names are all reached.  The context
 * is fixed and shaped like a page's view (site, page, lists of items with
 * nested lists, HTML in strings, numbers, booleans, empty values).
 * Rendering must end (the engine's nesting, depth and work limits) and
 * every failure must say where.
 */
#include "fuzz.h"

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "mustache.h"
#include "value.h"

typedef struct loader {
	fuzz_part parts[FUZZ_MAX_PARTS];
	size_t n;
	char *texts[FUZZ_MAX_PARTS];
} loader;

static int
load(void *ud, const char *name, const char **text, size_t *len,
     const char **path, nb_diags *d)
{
	loader *l = ud;
	size_t h = 5381, k;
	const char *p;

	(void)d;
	if (l->n < 2)
		return 1;   /* no partials: a missing one renders as empty */
	for (p = name; *p; p++)
		h = h * 33 + (unsigned char)*p;
	if (h % 5 == 0)
		return 1;   /* some names are missing */
	k = 1 + h % (l->n - 1);
	*text = l->texts[k];
	*len = l->parts[k].len;
	*path = name;
	return 0;
}

static nb_value *
item(nb_arena *a, int i, int depth)
{
	nb_value *m = nb_val_map(a), *kids = nb_val_list(a);
	int j;

	nb_val_set_str(a, m, "title", i == 1 ? "<script>alert(1)</script>" :
		       "A \"quoted\" & 'apostrophe' title");
	nb_val_set_str(a, m, "url", "/consultations/x/?a=1&b=2");
	nb_val_set_num(a, m, "count", i * 1.5);
	nb_val_set_bool(a, m, "open", i % 2);
	nb_val_set_str(a, m, "name", i == 2 ? "item" : "");
	if (depth < 2)
		for (j = 0; j < 2; j++)
			nb_val_push(a, kids, item(a, j, depth + 1));
	nb_val_set(a, m, "children", kids);
	nb_val_set(a, m, "items", kids);
	return m;
}

static nb_value *
context(nb_arena *a)
{
	nb_value *c = nb_val_map(a), *site = nb_val_map(a),
		 *page = nb_val_map(a), *items = nb_val_list(a),
		 *strs = nb_val_list(a);
	int i;

	nb_val_set_str(a, site, "title", "Riverside & <partners>");
	nb_val_set_str(a, site, "home_url", "/");
	nb_val_set_str(a, site, "static_url", "/static/");
	nb_val_set_str(a, page, "title", "Page");
	nb_val_set_str(a, page, "description", NULL);
	for (i = 0; i < 3; i++)
		nb_val_push(a, items, item(a, i, 0));
	nb_val_push(a, strs, nb_val_str(a, "one"));
	nb_val_push(a, strs, nb_val_str(a, "<b>two</b>"));
	nb_val_set(a, c, "site", site);
	nb_val_set(a, c, "page", page);
	nb_val_set(a, c, "items", items);
	nb_val_set(a, c, "list", strs);
	nb_val_set(a, c, "empty", nb_val_list(a));
	nb_val_set(a, c, "none", nb_val_null(a));
	nb_val_set_bool(a, c, "yes", 1);
	nb_val_set_bool(a, c, "no", 0);
	nb_val_set_num(a, c, "zero", 0);
	nb_val_set_str(a, c, "body_html", "<p>Safe <em>HTML</em></p>");
	nb_val_set_str(a, c, "partial", "base");
	nb_val_set_str(a, c, "title", "Title");
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nb_arena *a = nb_arena_new();
	nb_diags d = NB_DIAGS_INIT;
	nb_buf out = NB_BUF_INIT;
	nb_template *t = NULL;
	nb_tmpl_set *set;
	loader l;
	size_t i;
	int rc;

	l.n = fuzz_split(data, size, l.parts, FUZZ_MAX_PARTS);
	for (i = 0; i < l.n; i++)
		l.texts[i] = fuzz_strndup(l.parts[i].s, l.parts[i].len);
	set = nb_tmpl_set_new(a, load, &l);
	/* lower budgets than a real page's, so nested sections over the
	 * context's lists end quickly (the limits are what is tested) */
	nb_tmpl_set_limits(set, 200000, 1 << 20);
	rc = nb_tmpl_parse(&t, set, "page", "page.mustache", l.texts[0],
			   l.parts[0].len, &d);
	if (rc != 0 && d.errors == 0)
		FUZZ_FAIL("a parse failure without an error");
	if (rc == 0) {
		rc = nb_tmpl_render(&out, set, t, context(a), &d);
		if (rc != 0 && d.errors == 0)
			FUZZ_FAIL("a render failure without an error");
		if (out.len > (1 << 20) + 65536)
			FUZZ_FAIL("%zu bytes of output", out.len);
	}
	for (i = 0; i < d.len; i++)
		if (!d.items[i].path || !*d.items[i].path ||
		    d.items[i].line < 1 || d.items[i].col < 1)
			FUZZ_FAIL("an error without a position: %s",
				  d.items[i].msg);
	nb_buf_free(&out);
	nb_diags_free(&d);
	nb_tmpl_set_free(set);
	for (i = 0; i < l.n; i++)
		free(l.texts[i]);
	nb_arena_free(a);
	return 0;
}
