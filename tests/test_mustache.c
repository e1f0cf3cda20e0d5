/*
 * test_mustache.c - the Mustache engine: the official spec, then our own
 * behaviour (escaping, errors with positions, recursion and nesting
 * limits, parse once and render many times).
 *
 * The spec runner reads shared/conformance/mustache-spec/NAME.json with
 * jansson, turns each test's data into nb_values, serves its partials
 * through the loader and compares the output.  Lambdas are not supported
 * (views are data), so ~lambdas is skipped.
 */
#include "harness.h"

#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "mustache.h"
#include "value.h"

/* ---- the spec -------------------------------------------------------- */

static const char *spec_files[] = {
	"comments", "delimiters", "interpolation", "inverted", "partials",
	"sections", "~inheritance", "~dynamic-names"
};
#define NSPEC (sizeof(spec_files) / sizeof(spec_files[0]))

static int spec_pass[NSPEC], spec_total[NSPEC], spec_ran[NSPEC];

static nb_value *
from_json(nb_arena *a, json_t *j, int depth)
{
	nb_value *v;
	const char *key;
	json_t *item;
	size_t i;

	if (depth > 64)
		return nb_val_null(a);
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		v = nb_val_map(a);
		json_object_foreach(j, key, item)
			nb_val_set(a, v, nb_arena_strdup(a, key),
				   from_json(a, item, depth + 1));
		return v;
	case JSON_ARRAY:
		v = nb_val_list(a);
		json_array_foreach(j, i, item)
			nb_val_push(a, v, from_json(a, item, depth + 1));
		return v;
	case JSON_STRING:
		return nb_val_strn(a, nb_arena_strndup(a, json_string_value(j),
				   json_string_length(j)), json_string_length(j));
	case JSON_INTEGER:
		return nb_val_num(a, (double)json_integer_value(j));
	case JSON_REAL:
		return nb_val_num(a, json_real_value(j));
	case JSON_TRUE:
		return nb_val_bool(a, 1);
	case JSON_FALSE:
		return nb_val_bool(a, 0);
	default:
		return nb_val_null(a);
	}
}

/* Loader over a test's "partials" object. */
static int
json_loader(void *ud, const char *name, const char **text, size_t *len,
	    const char **path, nb_diags *d)
{
	json_t *p = json_object_get((json_t *)ud, name);

	(void)d;
	if (!p || !json_is_string(p))
		return 1;
	*text = json_string_value(p);
	*len = json_string_length(p);
	*path = name;
	return 0;
}

static void
run_spec(size_t which)
{
	const char *file = spec_files[which];
	char path[1024];
	json_error_t err;
	json_t *root, *tests, *tc;
	size_t i;

	snprintf(path, sizeof(path), "%s/conformance/mustache-spec/%s.json",
		 nb_test_shared_dir(), file);
	root = json_load_file(path, 0, &err);
	if (!root) {
		nb_test_fail(__FILE__, __LINE__, "cannot read %s: %s", path,
			     err.text);
		return;
	}
	spec_ran[which] = 1;
	tests = json_object_get(root, "tests");
	json_array_foreach(tests, i, tc) {
		const char *name = json_string_value(json_object_get(tc, "name"));
		json_t *tmpl = json_object_get(tc, "template");
		const char *want = json_string_value(json_object_get(tc,
							"expected"));
		json_t *partials = json_object_get(tc, "partials");
		json_t *empty = json_object();
		nb_arena *a = nb_arena_new();
		nb_tmpl_set *s = nb_tmpl_set_new(a, json_loader,
						 partials ? partials : empty);
		nb_diags d = NB_DIAGS_INIT;
		nb_buf out = NB_BUF_INIT;
		nb_template *t;
		char label[512];
		int rc;

		snprintf(label, sizeof(label), "%s.json: %s", file, name);
		rc = nb_tmpl_parse(&t, s, NULL, label, json_string_value(tmpl),
				   json_string_length(tmpl), &d);
		if (rc == 0)
			rc = nb_tmpl_render(&out, s, t, from_json(a,
				json_object_get(tc, "data"), 0), &d);
		spec_total[which]++;
		if (rc == 0 && strcmp(nb_buf_cstr(&out), want) == 0) {
			spec_pass[which]++;
		} else {
			nb_test_fail(__FILE__, __LINE__,
				"%s.json: \"%s\"\n    expected: \"%s\"\n"
				"    got:      \"%s\"%s%s", file, name, want,
				nb_buf_cstr(&out), d.len ? "\n    error: " : "",
				d.len ? d.items[0].msg : "");
		}
		nb_buf_free(&out);
		nb_diags_free(&d);
		nb_tmpl_set_free(s);
		nb_arena_free(a);
		json_decref(empty);
	}
	json_decref(root);
}

static void mustache__spec_comments(void) { run_spec(0); }
static void mustache__spec_delimiters(void) { run_spec(1); }
static void mustache__spec_interpolation(void) { run_spec(2); }
static void mustache__spec_inverted(void) { run_spec(3); }
static void mustache__spec_partials(void) { run_spec(4); }
static void mustache__spec_sections(void) { run_spec(5); }
static void mustache__spec_inheritance(void) { run_spec(6); }
static void mustache__spec_dynamic_names(void) { run_spec(7); }

static void
spec_summary(void)
{
	char parts[512] = "";
	int pass = 0, total = 0;
	size_t i, n = 0;

	for (i = 0; i < NSPEC; i++) {
		if (!spec_ran[i])
			continue;
		pass += spec_pass[i];
		total += spec_total[i];
		n += (size_t)snprintf(parts + n, sizeof(parts) - n, "%s%s %d/%d",
				      n ? ", " : "", spec_files[i],
				      spec_pass[i], spec_total[i]);
		if (n >= sizeof(parts))
			n = sizeof(parts) - 1;
	}
	if (total)
		printf("mustache spec: %d of %d passed (%s; lambdas skipped)\n",
		       pass, total, parts);
}

/* ---- helpers for our own tests --------------------------------------- */

/* Templates for the loader: "name", "text", ..., NULL; counts loads. */
typedef struct {
	const char **pairs;
	int loads;
} fixture;

static int
fixture_loader(void *ud, const char *name, const char **text, size_t *len,
	       const char **path, nb_diags *d)
{
	fixture *f = ud;
	size_t i;

	(void)d;
	f->loads++;
	for (i = 0; f->pairs && f->pairs[i]; i += 2) {
		if (strcmp(f->pairs[i], name) == 0) {
			*text = f->pairs[i + 1];
			*len = strlen(f->pairs[i + 1]);
			*path = f->pairs[i];
			return 0;
		}
	}
	return 1;
}

/* Render text against ctx; returns the output (free it) or NULL on error,
 * leaving the diagnostics in d. */
static char *
render(const char *text, const nb_value *ctx, const char **partials,
       nb_diags *d)
{
	nb_arena *a = nb_arena_new();
	fixture f = { partials, 0 };
	nb_tmpl_set *s = nb_tmpl_set_new(a, fixture_loader, &f);
	nb_buf out = NB_BUF_INIT;
	nb_template *t;
	char *res = NULL;

	if (nb_tmpl_parse(&t, s, "test", "test.mustache", text, strlen(text),
			  d) == 0 &&
	    nb_tmpl_render(&out, s, t, ctx, d) == 0)
		res = nb_buf_detach(&out);
	nb_buf_free(&out);
	nb_tmpl_set_free(s);
	nb_arena_free(a);
	return res;
}

static void
check_render(const char *file, int line, const char *text,
	     const nb_value *ctx, const char *want)
{
	nb_diags d = NB_DIAGS_INIT;
	char *got = render(text, ctx, NULL, &d);

	if (!got || strcmp(got, want) != 0)
		nb_test_fail(file, line, "template \"%s\"\n  got:  \"%s\"\n"
			     "  want: \"%s\"%s%s", text, got ? got : "(error)",
			     want, d.len ? "\n  error: " : "",
			     d.len ? d.items[0].msg : "");
	free(got);
	nb_diags_free(&d);
}

#define CHECK_RENDER(text, ctx, want) \
	check_render(__FILE__, __LINE__, text, ctx, want)

/* The template fails with one error at line:col whose message has `msg`. */
static void
check_error(const char *file, int line, const char *text,
	    const char **partials, int eline, int ecol, const char *msg)
{
	nb_diags d = NB_DIAGS_INIT;
	nb_arena *a = nb_arena_new();
	char *got = render(text, nb_val_map(a), partials, &d);

	if (got)
		nb_test_fail(file, line, "template \"%.60s\" rendered \"%.60s\""
			     " instead of failing", text, got);
	else if (d.errors == 0)
		nb_test_fail(file, line, "failed without a diagnostic");
	else if (d.items[0].line != eline || d.items[0].col != ecol ||
		 !strstr(d.items[0].msg, msg) || !d.items[0].hint)
		nb_test_fail(file, line, "error %s:%d:%d: %s (hint: %s); want "
			     "%d:%d and \"%s\" with a hint", d.items[0].path,
			     d.items[0].line, d.items[0].col, d.items[0].msg,
			     d.items[0].hint ? d.items[0].hint : "none", eline,
			     ecol, msg);
	free(got);
	nb_diags_free(&d);
	nb_arena_free(a);
}

#define CHECK_ERROR(text, partials, line, col, msg) \
	check_error(__FILE__, __LINE__, text, partials, line, col, msg)

/* ---- behaviour ------------------------------------------------------- */

static void
mustache__escapes_by_default(void)
{
	nb_arena *a = nb_arena_new();
	nb_value *v = nb_val_map(a);

	nb_val_set_str(a, v, "x", "<a href=\"q\">Tom & 'Jo'</a>");
	CHECK_RENDER("{{x}}", v,
		     "&lt;a href=&quot;q&quot;&gt;Tom &amp; &#39;Jo&#39;&lt;/a&gt;");
	CHECK_RENDER("{{{x}}}|{{& x}}", v,
		     "<a href=\"q\">Tom & 'Jo'</a>|<a href=\"q\">Tom & 'Jo'</a>");
	nb_arena_free(a);
}

static void
mustache__numbers_and_values(void)
{
	nb_arena *a = nb_arena_new();
	nb_value *v = nb_val_map(a), *l = nb_val_list(a);

	nb_val_set_num(a, v, "i", 85);
	nb_val_set_num(a, v, "f", 1.21);
	nb_val_set_num(a, v, "third", 1.0 / 3);
	nb_val_set_num(a, v, "neg", -2.5);
	nb_val_set_num(a, v, "big", 1e20);
	nb_val_set_num(a, v, "zero", 0);
	nb_val_set_bool(a, v, "yes", 1);
	nb_val_push(a, l, nb_val_str(a, "a"));
	nb_val_push(a, l, nb_val_str(a, "b"));
	nb_val_set(a, v, "list", l);
	CHECK_RENDER("{{i}} {{f}} {{third}} {{neg}} {{big}} {{zero}} {{yes}}",
		     v, "85 1.21 0.3333333333333333 -2.5 "
		     "100000000000000000000 0 true");
	CHECK_RENDER("{{#list}}<{{.}}>{{/list}}{{^nope}}!{{/nope}}", v,
		     "<a><b>!");
	CHECK_RENDER("{{#zero}}zero is true{{/zero}}", v, "zero is true");
	/* delimiters may be set to anything without '=' or spaces */
	CHECK_RENDER("{{={{ }}=}}{{i}}{{=[[ ]]=}}[[i]]{{i}}", v, "8585{{i}}");
	CHECK_RENDER("{{list.x}}|{{i.j}}|{{#i}}{{.}}{{/i}}|{{nope.x}}", v,
		     "||85|");
	nb_arena_free(a);
}

static void
mustache__parse_errors_have_positions(void)
{
	CHECK_ERROR("line one\n  {{#items}}\n  <li>{{name}}</li>\n", NULL,
		    2, 3, "never closed");
	CHECK_ERROR("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}\n", NULL, 3, 1,
		    "does not match");
	CHECK_ERROR("x\n{{/a}}", NULL, 2, 1, "no opening tag");
	CHECK_ERROR("one {{two", NULL, 1, 5, "unclosed tag");
	CHECK_ERROR("a {{{b}}", NULL, 1, 3, "unclosed tag");
	CHECK_ERROR("\n\n {{=<% %>}}", NULL, 3, 2, "set-delimiter");
	CHECK_ERROR("{{=a b c=}}", NULL, 1, 1, "set-delimiter");
	CHECK_ERROR("{{=<%=}}", NULL, 1, 1, "set-delimiter");
	CHECK_ERROR("{{=<% %>=}}\n<%#a%>\n<%/b%>", NULL, 3, 1,
		    "does not match");
	CHECK_ERROR("ok {{ }}", NULL, 1, 4, "empty tag");
	/* positions count lines inside multi-line comments */
	CHECK_ERROR("{{!\n\n}}\n  {{/x}}", NULL, 4, 3, "no opening tag");
}

static void
mustache__self_including_partial_is_an_error(void)
{
	const char *parts[] = { "loop", "x{{>loop}}", NULL };
	const char *mutual[] = { "a", "{{>b}}", "b", "\n\n  {{>a}}\n", NULL };
	nb_diags d = NB_DIAGS_INIT;
	char *got;

	CHECK_ERROR("{{>loop}}", parts, 1, 2, "includes itself too deeply");
	got = render("{{>a}}", NULL, mutual, &d);
	CHECK(got == NULL);
	CHECK_INT(d.errors, 1);
	if (d.len) {
		CHECK_HAS(d.items[0].msg, "includes itself too deeply");
		CHECK(strcmp(d.items[0].path, "a") == 0 ||
		      strcmp(d.items[0].path, "b") == 0);
		if (strcmp(d.items[0].path, "b") == 0) {
			CHECK_INT(d.items[0].line, 3);
			CHECK_INT(d.items[0].col, 3);
		}
	}
	free(got);
	nb_diags_free(&d);
	/* a parent that is its own parent, too */
	{
		const char *p2[] = { "p", "{{<p}}{{$b}}x{{/b}}{{/p}}", NULL };
		CHECK_ERROR("{{<p}}{{/p}}", p2, 1, 1,
			    "includes itself too deeply");
	}
}

/* Whether a template, or what it includes, names a key: in a variable,
 * a section or an inverted section, alone or as a part of a dotted name;
 * through partials and parents at any depth and the blocks given to
 * them; yes for a partial the values name; not for a partial that is not
 * there; and a template that includes itself is walked once. */
static void
mustache__mentions_follow_what_a_template_includes(void)
{
	static const struct {
		const char *text;
		int want;
	} cases[] = {
		{ "{{summary}}", 1 },
		{ "{{{summary}}}", 1 },
		{ "{{&item.summary}}", 1 },
		{ "{{#summary}}x{{/summary}}", 1 },
		{ "{{^summary}}none{{/summary}}", 1 },
		{ "{{summary.text}}", 1 },
		{ "{{summary_html}} {{title}} {{#items}}{{.}}{{/items}}", 0 },
		{ "{{! summary }}summary", 0 },
		{ "{{> shows}}", 1 },
		{ "{{#items}}{{> deep}}{{/items}}", 1 },
		{ "{{> quiet}}", 0 },
		{ "{{> missing}}", 0 },
		{ "{{> loop}}", 0 },
		{ "{{>*which}}", 1 },
		{ "{{<base}}{{$main}}{{title}}{{/main}}{{/base}}", 0 },
		{ "{{<base}}{{$main}}{{summary}}{{/main}}{{/base}}", 1 },
		{ "{{<talky}}{{/talky}}", 1 },
		{ "{{=<% %>=}}<% summary %>", 1 },
	};
	const char *parts[] = {
		"shows", "<p>{{summary}}</p>",
		"deep", "{{> shows}}",
		"quiet", "{{title}}{{> quiet}}",
		"loop", "{{> loop}}{{> quiet}}",
		"base", "<main>{{$main}}{{/main}}</main>",
		"talky", "{{$main}}{{summary}}{{/main}}",
		NULL };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nb_arena *a = nb_arena_new();
		fixture f = { parts, 0 };
		nb_tmpl_set *s = nb_tmpl_set_new(a, fixture_loader, &f);
		nb_diags d = NB_DIAGS_INIT;
		nb_template *t;
		int got = -2;

		if (nb_tmpl_parse(&t, s, "page", "page.mustache", cases[i].text,
				  strlen(cases[i].text), &d) == 0)
			got = nb_tmpl_mentions(s, "page", "summary", &d);
		if (got != cases[i].want)
			nb_test_fail(__FILE__, __LINE__, "\"%s\": got %d, want %d",
				     cases[i].text, got, cases[i].want);
		nb_diags_free(&d);
		nb_tmpl_set_free(s);
		nb_arena_free(a);
	}
	{
		/* a template that is not there shows nothing */
		nb_arena *a = nb_arena_new();
		fixture f = { parts, 0 };
		nb_tmpl_set *s = nb_tmpl_set_new(a, fixture_loader, &f);
		nb_diags d = NB_DIAGS_INIT;
		CHECK_INT(nb_tmpl_mentions(s, "nowhere", "summary", &d), 0);
		CHECK_INT(nb_tmpl_mentions(s, "deep", "summary", &d), 1);
		CHECK_INT(d.len, 0);
		nb_diags_free(&d);
		nb_tmpl_set_free(s);
		nb_arena_free(a);
	}
}

static void
mustache__parse_once_render_many(void)
{
	const char *parts[] = { "item", "<li>{{name}}</li>", NULL };
	fixture f = { parts, 0 };
	nb_arena *a = nb_arena_new();
	nb_tmpl_set *s = nb_tmpl_set_new(a, fixture_loader, &f);
	nb_diags d = NB_DIAGS_INIT;
	nb_template *t, *again;
	const char *names[] = { "Ada", "Grace", "Edsger" };
	int i, rc;
	size_t used;

	rc = nb_tmpl_parse(&t, s, "page", NULL,
			   "<ul>{{#people}}{{>item}}{{/people}}</ul>", 40, &d);
	CHECK_INT(rc, 0);
	if (rc != 0)
		goto done;
	used = nb_arena_used(a);
	for (i = 0; i < 3; i++) {
		nb_arena *va = nb_arena_new();
		nb_value *ctx = nb_val_map(va), *people = nb_val_list(va);
		nb_buf out = NB_BUF_INIT;
		char want[128];
		int k;

		for (k = 0; k <= i; k++) {
			nb_value *p = nb_val_map(va);
			nb_val_set_str(va, p, "name", names[k]);
			nb_val_push(va, people, p);
		}
		nb_val_set(va, ctx, "people", people);
		CHECK_INT(nb_tmpl_render(&out, s, t, ctx, &d), 0);
		snprintf(want, sizeof(want), "<ul>%s%s%s</ul>",
			 "<li>Ada</li>", i > 0 ? "<li>Grace</li>" : "",
			 i > 1 ? "<li>Edsger</li>" : "");
		CHECK_STR(nb_buf_cstr(&out), want);
		nb_buf_free(&out);
		nb_arena_free(va);
		if (i == 0)
			used = nb_arena_used(a);
	}
	/* the partial was loaded and parsed once; rendering allocates
	 * nothing in the set's arena */
	CHECK_INT(f.loads, 1);
	CHECK_INT(nb_arena_used(a), used);
	/* the page is cached under its name */
	CHECK_INT(nb_tmpl_get(&again, s, "page", &d), 0);
	CHECK(again == t);
	/* a missing partial renders as empty, and is asked for once */
	CHECK_INT(nb_tmpl_get(&again, s, "nope", &d), 1);
	CHECK_INT(nb_tmpl_get(&again, s, "nope", &d), 1);
	CHECK_INT(f.loads, 2);
	CHECK_INT(d.len, 0);
done:
	nb_diags_free(&d);
	nb_tmpl_set_free(s);
	nb_arena_free(a);
}

static void
mustache__deep_nesting_is_refused(void)
{
	const int n = 10000;
	nb_buf src = NB_BUF_INIT;
	nb_diags d = NB_DIAGS_INIT;
	nb_arena *a = nb_arena_new();
	nb_tmpl_set *s = nb_tmpl_set_new(a, NULL, NULL);
	nb_template *t;
	nb_buf out = NB_BUF_INIT;
	int i;

	for (i = 0; i < n; i++)
		nb_buf_puts(&src, "{{#a}}");
	for (i = 0; i < n; i++)
		nb_buf_puts(&src, "{{/a}}");
	CHECK_INT(nb_tmpl_parse(&t, s, NULL, "deep.mustache", src.ptr,
				src.len, &d), -1);
	CHECK_INT(d.errors, 1);
	if (d.len) {
		CHECK_HAS(d.items[0].msg, "nest more than 256");
		CHECK_INT(d.items[0].line, 1);
		CHECK_INT(d.items[0].col, 256 * 6 + 1);
	}
	nb_diags_free(&d);

	/* just under the limit parses and renders */
	nb_buf_clear(&src);
	for (i = 0; i < NB_MUSTACHE_MAX_NESTING; i++)
		nb_buf_puts(&src, "{{#a}}");
	nb_buf_puts(&src, "deep");
	for (i = 0; i < NB_MUSTACHE_MAX_NESTING; i++)
		nb_buf_puts(&src, "{{/a}}");
	CHECK_INT(nb_tmpl_parse(&t, s, NULL, "ok.mustache", src.ptr, src.len,
				&d), 0);
	if (d.len == 0) {
		nb_value *ctx = nb_val_map(a);
		nb_val_set_bool(a, ctx, "a", 1);
		CHECK_INT(nb_tmpl_render(&out, s, t, ctx, &d), 0);
		CHECK_STR(nb_buf_cstr(&out), "deep");
	}
	nb_buf_free(&out);
	nb_buf_free(&src);
	nb_diags_free(&d);
	nb_tmpl_set_free(s);
	nb_arena_free(a);
}

static void
mustache__pathological_inputs_are_linear(void)
{
	/* many tags on one long line, many lines, and text with no tags */
	const int n = 100000;
	nb_buf src = NB_BUF_INIT;
	nb_diags d = NB_DIAGS_INIT;
	nb_arena *a = nb_arena_new();
	nb_value *ctx = nb_val_map(a);
	char *got;
	int i;

	nb_val_set_str(a, ctx, "x", "y");
	for (i = 0; i < n; i++)
		nb_buf_puts(&src, "  {{! c }}{{x}}");
	for (i = 0; i < n; i++)
		nb_buf_puts(&src, "  {{#x}}\n");
	for (i = 0; i < n; i++)
		nb_buf_puts(&src, "{{/x}}\n");
	got = render(src.ptr, ctx, NULL, &d);
	CHECK(got == NULL);   /* 200000 nested sections are refused */
	free(got);
	nb_diags_free(&d);

	nb_buf_clear(&src);
	for (i = 0; i < n; i++)
		nb_buf_puts(&src, "  {{! c }}{{x}}{{{");
	got = render(src.ptr, ctx, NULL, &d);
	CHECK(got == NULL);   /* the first {{{ is never closed */
	CHECK_INT(d.errors, 1);
	free(got);
	nb_diags_free(&d);
	nb_buf_free(&src);
	nb_arena_free(a);
}

static void
mustache__partials_indent_and_inherit(void)
{
	const char *parts[] = {
		"list", "<ul>\n{{#items}}\n  <li>{{.}}</li>\n{{/items}}\n</ul>\n",
		"base", "<main>\n  {{$body}}\n  default\n  {{/body}}\n</main>\n",
		NULL
	};
	nb_arena *a = nb_arena_new();
	nb_value *ctx = nb_val_map(a), *items = nb_val_list(a);
	nb_diags d = NB_DIAGS_INIT;
	char *got;

	nb_val_push(a, items, nb_val_str(a, "one"));
	nb_val_push(a, items, nb_val_str(a, "two"));
	nb_val_set(a, ctx, "items", items);
	got = render("<body>\n  {{>list}}\n</body>\n", ctx, parts, &d);
	CHECK_STR(got, "<body>\n  <ul>\n    <li>one</li>\n    <li>two</li>\n"
		  "  </ul>\n</body>\n");
	free(got);
	got = render("{{<base}}\n{{$body}}\n<p>{{#items}}{{.}} {{/items}}</p>\n"
		     "{{/body}}\n{{/base}}\n", ctx, parts, &d);
	CHECK_STR(got, "<main>\n  <p>one two </p>\n</main>\n");
	free(got);
	got = render("{{<base}}{{/base}}", ctx, parts, &d);
	CHECK_STR(got, "<main>\n  default\n</main>\n");
	free(got);
	/* the examples of mustache/spec#131 and #135: a block argument
	 * loses its own indentation and takes the one where it lands */
	{
		const char *p131[] = { "parent",
			"I say,\n  {{$block}}\n  Hi there!\n  {{/block}}", NULL };
		const char *p135[] = { "parent", "{{$block}}x{{/block}}", NULL };

		got = render("{{<parent}}\n        {{$block}}\n        Hello\n"
			     "        {{/block}}\n{{/parent}}", ctx, p131, &d);
		CHECK_STR(got, "I say,\n  Hello\n");
		free(got);
		got = render("* a\n* b\n* {{<parent}}{{$block}}\n"
			     "                {{! notice this big indent }}\n"
			     "                c{{/block}}{{/parent}}\n* d\n* e",
			     ctx, p135, &d);
		CHECK_STR(got, "* a\n* b\n* c\n* d\n* e");
		free(got);
	}
	CHECK_INT(d.len, 0);
	nb_diags_free(&d);
	nb_arena_free(a);
}

static void
mustache__block_recursion_is_an_error(void)
{
	/* an argument that contains its own block expands forever without
	 * including any partial: the rendering nesting limit stops it */
	const char *parts[] = { "p", "{{$a}}{{/a}}", NULL };

	CHECK_ERROR("{{<p}}{{$a}}[{{$a}}x{{/a}}]{{/a}}{{/p}}", parts, 1, 14,
		    "nest more than");
}

void
suite_mustache(void)
{
	char dir[1024];
	struct stat st;

	RUN(mustache__escapes_by_default);
	RUN(mustache__numbers_and_values);
	RUN(mustache__parse_errors_have_positions);
	RUN(mustache__self_including_partial_is_an_error);
	RUN(mustache__mentions_follow_what_a_template_includes);
	RUN(mustache__parse_once_render_many);
	RUN(mustache__deep_nesting_is_refused);
	RUN(mustache__pathological_inputs_are_linear);
	RUN(mustache__partials_indent_and_inherit);
	RUN(mustache__block_recursion_is_an_error);

	snprintf(dir, sizeof(dir), "%s/conformance/mustache-spec",
		 nb_test_shared_dir());
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		printf("mustache spec not found at %s: conformance tests "
		       "skipped\n", dir);
		nb_test_skipped++;
		return;
	}
	RUN(mustache__spec_comments);
	RUN(mustache__spec_delimiters);
	RUN(mustache__spec_interpolation);
	RUN(mustache__spec_inverted);
	RUN(mustache__spec_partials);
	RUN(mustache__spec_sections);
	RUN(mustache__spec_inheritance);
	RUN(mustache__spec_dynamic_names);
	spec_summary();
}
