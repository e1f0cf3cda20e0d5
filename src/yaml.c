/*
 * yaml.c - YAML documents as nb_node trees; the only user of libyaml.
 *
 * libyaml's event parser (yaml_parser_parse) is driven in a loop and its
 * events are turned into nb_nodes in the caller's arena.  Open sequences
 * and maps live on an explicit stack of at most NB_YAML_MAX_DEPTH frames,
 * so hostile nesting cannot exhaust the C stack.  Every libyaml object is
 * freed before returning; nothing outside this file sees a yaml_* type.
 *
 * Aliases share the anchored node (no copy).  Every open collection and
 * every anchor records how many nodes its full expansion would have (an
 * alias counts as the whole of its target), so a "billion laughs"
 * document is refused as soon as that count passes NB_YAML_MAX_NODES,
 * long before anyone walks it.
 *
 * libyaml's marks are 0-based lines and columns in characters; ours are
 * 1-based and shifted by the file line the text starts on.
 */
#include "yaml.h"

#include <yaml.h>
#ifndef YAML_H
#error "<yaml.h> resolved to src/yaml.h: compile src/ without -Isrc"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string -> (node, size) hash table with open addressing.  Used for the
 * keys of one map (duplicate detection) and for the anchors of a document.
 * Keys are borrowed, except anchor names, which the table owns. */
struct slot {
	const char *k;
	size_t klen;
	nb_node *node;
	size_t size;
};

struct table {
	struct slot *slots;
	size_t cap, n;
	int owns_keys;
};

/* A sequence or map being built. */
struct frame {
	nb_node *node;
	nb_node **items, **keys;   /* malloc'd while open */
	size_t n, cap;
	nb_node *key;              /* map: key waiting for its value */
	size_t size;               /* expanded node count so far, self included */
	char *anchor;              /* malloc'd anchor name, or NULL */
	struct table seen;         /* map: keys so far */
};

struct ctx {
	nb_arena *a;
	const char *path;
	const char *text;          /* after any BOM */
	size_t len;
	int line0;                 /* added to 1-based libyaml lines */
	nb_diags *d;
	struct frame stack[NB_YAML_MAX_DEPTH];
	size_t depth;
	struct table anchors;
	nb_node *root;
};

#define MAX_NODES ((size_t)NB_YAML_MAX_NODES)

/* ---- hash table ------------------------------------------------------ */

static size_t
hash(const char *s, size_t len)
{
	size_t h = 2166136261u, i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static struct slot *
table_find(struct table *t, const char *k, size_t klen)
{
	size_t i;

	if (!t->cap)
		return NULL;
	for (i = hash(k, klen) & (t->cap - 1); t->slots[i].k;
	     i = (i + 1) & (t->cap - 1)) {
		if (t->slots[i].klen == klen && !memcmp(t->slots[i].k, k, klen))
			return &t->slots[i];
	}
	return NULL;
}

/* The slot for k, added empty (node NULL) when absent. */
static struct slot *
table_put(struct table *t, const char *k, size_t klen)
{
	struct slot *s;
	size_t i;

	if ((s = table_find(t, k, klen)) != NULL)
		return s;
	if ((t->n + 1) * 2 > t->cap) {
		struct table bigger = { NULL, t->cap ? t->cap * 2 : 16, 0,
					t->owns_keys };
		size_t j;

		bigger.slots = nb_xcalloc(bigger.cap, sizeof(struct slot));
		for (j = 0; j < t->cap; j++) {
			if (!t->slots[j].k)
				continue;
			for (i = hash(t->slots[j].k, t->slots[j].klen) &
				 (bigger.cap - 1);
			     bigger.slots[i].k; i = (i + 1) & (bigger.cap - 1))
				;
			bigger.slots[i] = t->slots[j];
		}
		bigger.n = t->n;
		free(t->slots);
		*t = bigger;
	}
	for (i = hash(k, klen) & (t->cap - 1); t->slots[i].k;
	     i = (i + 1) & (t->cap - 1))
		;
	s = &t->slots[i];
	s->k = t->owns_keys ? nb_xstrndup(k, klen) : k;
	s->klen = klen;
	s->node = NULL;
	s->size = 0;
	t->n++;
	return s;
}

static void
table_free(struct table *t)
{
	size_t i;

	if (t->owns_keys)
		for (i = 0; i < t->cap; i++)
			free((char *)t->slots[i].k);
	free(t->slots);
	t->slots = NULL;
	t->cap = t->n = 0;
}

/* ---- positions --------------------------------------------------------- */

/* Length of the line break at p (0 if none), as libyaml counts them:
 * LF, CRLF, CR, NEL, LS, PS. */
static size_t
line_break(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t left = (size_t)(end - p);

	if (left == 0)
		return 0;
	if (u[0] == '\n')
		return 1;
	if (u[0] == '\r')
		return left > 1 && u[1] == '\n' ? 2 : 1;
	if (left > 1 && u[0] == 0xC2 && u[1] == 0x85)
		return 2;
	if (left > 2 && u[0] == 0xE2 && u[1] == 0x80 &&
	    (u[2] == 0xA8 || u[2] == 0xA9))
		return 3;
	return 0;
}

/* The 0-based line and character column of byte offset `off`. */
static void
offset_pos(const char *text, size_t len, size_t off, size_t *line,
	   size_t *col)
{
	const char *p = text, *end = text + (off < len ? off : len);
	size_t n;

	*line = *col = 0;
	while (p < end) {
		if ((n = line_break(p, text + len)) != 0) {
			(*line)++;
			*col = 0;
			p += n;
			continue;
		}
		if (((unsigned char)*p & 0xC0) != 0x80)
			(*col)++;
		p++;
	}
}

/* The byte at 0-based (line, column), or NULL past the end. */
static const char *
locate(const char *text, size_t len, size_t line, size_t col)
{
	const char *p = text, *end = text + len;
	size_t n;

	while (line > 0 && p < end) {
		if ((n = line_break(p, end)) != 0) {
			line--;
			p += n;
		} else {
			p++;
		}
	}
	if (line > 0)
		return NULL;
	while (p < end && !line_break(p, end)) {
		if (((unsigned char)*p & 0xC0) != 0x80) {
			if (col == 0)
				return p;
			col--;
		}
		p++;
	}
	return p < end && col == 0 ? p : NULL;
}

static int
mark_line(const struct ctx *c, yaml_mark_t m)
{
	return (int)m.line + 1 + c->line0;
}

static int
mark_col(yaml_mark_t m)
{
	return (int)m.column + 1;
}

/* The first NUL byte or invalid UTF-8 sequence (overlong, surrogate,
 * beyond U+10FFFF, truncated), or NULL when the text is clean.  Checked
 * before libyaml sees the text, so the position is that of the first bad
 * byte of a sequence. */
static const char *
check_bytes(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *end = p + len;
	unsigned char lo, hi;
	size_t n, i;

	while (p < end) {
		if (*p == 0)
			return (const char *)p;
		if (*p < 0x80) {
			p++;
			continue;
		}
		lo = 0x80;
		hi = 0xBF;
		if (*p >= 0xC2 && *p <= 0xDF) {
			n = 2;
		} else if (*p >= 0xE0 && *p <= 0xEF) {
			n = 3;
			if (*p == 0xE0)
				lo = 0xA0;      /* overlong */
			else if (*p == 0xED)
				hi = 0x9F;      /* surrogates */
		} else if (*p >= 0xF0 && *p <= 0xF4) {
			n = 4;
			if (*p == 0xF0)
				lo = 0x90;      /* overlong */
			else if (*p == 0xF4)
				hi = 0x8F;      /* beyond U+10FFFF */
		} else {
			return (const char *)p;
		}
		if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
			return (const char *)p;
		for (i = 2; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return (const char *)p;
		p += n;
	}
	return NULL;
}

/* ---- errors ------------------------------------------------------------ */

/* The error for the bad byte found by check_bytes in text[0..len), which
 * starts on file line line0 + 1. */
static int
bytes_error(const char *path, const char *text, size_t len, const char *bad,
	    int line0, nb_diags *d)
{
	size_t line, col;

	offset_pos(text, len, (size_t)(bad - text), &line, &col);
	if (*bad == '\0')
		return nb_error(d, path, (int)line + 1 + line0, (int)col + 1,
				"the file may be binary or saved as UTF-16; "
				"save it as UTF-8 text",
				"the file contains a NUL byte");
	return nb_error(d, path, (int)line + 1 + line0, (int)col + 1,
			"save the file as UTF-8 text",
			"the file is not valid UTF-8 (byte 0x%02X)",
			(unsigned char)*bad);
}

static const char HINT_QUOTE[] =
	"if the value contains ': ' or ' #', put it in quotes "
	"(title: \"Meeting: agenda\"); if this line is a new field, line it "
	"up with the fields above";

static int
reader_error(struct ctx *c, yaml_parser_t *p)
{
	size_t line, col, off = p->problem_offset;

	offset_pos(c->text, c->len, off, &line, &col);
	if (strstr(p->problem, "control"))
		return nb_error(c->d, c->path, (int)line + 1 + c->line0,
				(int)col + 1,
				"remove it; it may have come from pasting text "
				"from another program",
				"the file contains a control character "
				"(U+%04X), which YAML does not allow",
				(unsigned)p->problem_value);
	return nb_error(c->d, c->path, (int)line + 1 + c->line0, (int)col + 1,
			"save the file as UTF-8 text",
			"the file is not valid UTF-8 (byte 0x%02X)",
			off < c->len ? (unsigned char)c->text[off] : 0u);
}

/* Convert libyaml's scanner or parser error into a diagnostic with a
 * plain-English message and a hint. */
static int
parser_error(struct ctx *c, yaml_parser_t *p)
{
	const char *prob = p->problem ? p->problem : "unknown error";
	const char *cx = p->context ? p->context : "";
	yaml_mark_t m = p->problem_mark, cm = p->context_mark;
	int line = mark_line(c, m), col = mark_col(m);
	int cline = mark_line(c, cm), ccol = mark_col(cm);
	const char *at;

	if (p->error == YAML_MEMORY_ERROR)
		nb_oom();
	if (p->error == YAML_READER_ERROR)
		return reader_error(c, p);

	if (strstr(prob, "tab character")) {
		return nb_error(c->d, c->path, line, col,
				"YAML does not allow tabs for indentation; "
				"use spaces",
				"a tab is used for indentation");
	}
	if (!strcmp(prob, "found character that cannot start any token")) {
		at = locate(c->text, c->len, m.line, m.column);
		if (at && *at == '\t')
			return nb_error(c->d, c->path, line, col,
					"YAML does not allow tabs for "
					"indentation; use spaces",
					"a tab is used for indentation");
		if (at && (*at == '@' || *at == '`' || *at == '%'))
			return nb_error(c->d, c->path, line, col,
					"put the value in quotes",
					"a value cannot start with '%c'", *at);
		return nb_error(c->d, c->path, line, col,
				"put the value in quotes",
				"unexpected character here");
	}
	if (!strcmp(prob, "mapping values are not allowed in this context"))
		return nb_error(c->d, c->path, line, col, HINT_QUOTE,
				"unexpected ':' inside a value");
	if (!strcmp(prob, "could not find expected ':'"))
		return nb_error(c->d, c->path, cline, ccol,
				"write fields as 'name: value'; if this line "
				"continues the value above, indent it or put "
				"the whole value in quotes",
				"this line is not a 'name: value' field "
				"(no ':' found)");
	if (!strcmp(prob, "did not find expected key"))
		return nb_error(c->d, c->path, line, col,
				"line up every field of a map in the same "
				"column, using spaces; put values with "
				"special characters in quotes",
				"unexpected text here: expected another field "
				"of the map that starts at line %d, column %d",
				cline, ccol);
	if (!strcmp(prob, "did not find expected '-' indicator"))
		return nb_error(c->d, c->path, line, col,
				"line up every '- ' item of a list in the "
				"same column, using spaces",
				"unexpected text here: expected another '- ' "
				"item of the list that starts at line %d, "
				"column %d", cline, ccol);
	if (!strcmp(prob, "block sequence entries are not allowed in this "
			  "context"))
		return nb_error(c->d, c->path, line, col,
				"start a list on the line after 'name:', with "
				"each '- ' item indented; or put the value in "
				"quotes",
				"a '- ' list item is not allowed here");
	if (!strcmp(prob, "found unexpected end of stream") &&
	    strstr(cx, "quoted scalar"))
		return nb_error(c->d, c->path, cline, ccol,
				"add the closing quote at the end of the value",
				"this quoted value is never closed");
	if (!strcmp(prob, "found unknown escape character"))
		return nb_error(c->d, c->path, line, col,
				"in double quotes write a backslash as \\\\, "
				"or use single quotes, where backslashes are "
				"plain characters",
				"unknown escape sequence in a double-quoted "
				"value");
	if (!strcmp(prob, "did not find expected ',' or ']'"))
		return nb_error(c->d, c->path, line, col,
				"close the list with ']' and separate its items "
				"with commas; quote items that contain ',' "
				"or ']'",
				"expected ',' or ']' in the [ ... ] list that "
				"starts at line %d, column %d", cline, ccol);
	if (!strcmp(prob, "did not find expected ',' or '}'"))
		return nb_error(c->d, c->path, line, col,
				"close the map with '}' and separate its "
				"fields with commas; quote values that contain "
				"',' or '}'",
				"expected ',' or '}' in the { ... } map that "
				"starts at line %d, column %d", cline, ccol);
	if (!strcmp(prob, "did not find expected node content"))
		return nb_error(c->d, c->path, line, col,
				"put the value in quotes",
				"a value is missing here, or starts with a "
				"character YAML reserves");
	if (!strcmp(prob, "did not find expected <document start>"))
		return nb_error(c->d, c->path, line, col,
				"the document ended before this line; check "
				"its indentation, or remove a stray '...'",
				"unexpected text after the end of the YAML "
				"document");
	if (*cx)
		return nb_error(c->d, c->path, line, col,
				"check the syntax here; values containing "
				"special characters (: # [ ] { } , & * ! | > "
				"' \" % @ `) should be in quotes",
				"invalid YAML: %s (%s, which started at line "
				"%d, column %d)", prob, cx, cline, ccol);
	return nb_error(c->d, c->path, line, col,
			"check the syntax here; values containing special "
			"characters (: # [ ] { } , & * ! | > ' \" % @ `) "
			"should be in quotes",
			"invalid YAML: %s", prob);
}

static int
too_big(struct ctx *c, int line, int col)
{
	return nb_error(c->d, c->path, line, col,
			"aliases (*name) nested inside anchored values "
			"multiply the size of the document (a \"billion "
			"laughs\" attack); write the values out or use fewer "
			"aliases",
			"the document is too large: with its aliases expanded "
			"it would have more than %d values",
			NB_YAML_MAX_NODES);
}

/* ---- building ---------------------------------------------------------- */

static void
frame_free(struct frame *f)
{
	free(f->items);
	free(f->keys);
	free(f->anchor);
	table_free(&f->seen);
	memset(f, 0, sizeof(*f));
}

/* Attach a finished node (expanding to `size` nodes) to the open
 * collection, or make it the root.  `alias` names the alias it came from,
 * for messages. */
static int
add_node(struct ctx *c, nb_node *node, size_t size, int line, int col,
	 const char *alias)
{
	struct frame *f;
	struct slot *s;

	if (c->depth == 0) {
		c->root = node;
		return 0;
	}
	f = &c->stack[c->depth - 1];
	if (size > MAX_NODES - f->size)
		return too_big(c, line, col);
	f->size += size;

	if (f->node->kind == NB_NODE_MAP && !f->key) {
		if (node->kind != NB_NODE_SCALAR)
			return nb_error(c->d, c->path, line, col,
					"write the key as plain text, as in "
					"'name: value'",
					"a key must be text, but the alias "
					"*%s is a %s", alias ? alias : "",
					node->kind == NB_NODE_MAP ? "map" :
					"list");
		s = table_put(&f->seen, node->str, node->len);
		if (s->node)
			return nb_error(c->d, c->path, line, col,
					"remove one of them, or merge their "
					"values",
					"duplicate key '%s': it is already "
					"used at line %d", node->str,
					s->node->line);
		s->node = node;
		f->key = node;
		return 0;
	}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->items = nb_xrealloc(f->items, f->cap * sizeof(nb_node *));
		if (f->node->kind == NB_NODE_MAP)
			f->keys = nb_xrealloc(f->keys,
					      f->cap * sizeof(nb_node *));
	}
	if (f->node->kind == NB_NODE_MAP) {
		f->keys[f->n] = f->key;
		f->key = NULL;
	}
	f->items[f->n++] = node;
	return 0;
}

static void
set_anchor(struct ctx *c, const yaml_char_t *name, nb_node *node,
	   size_t size)
{
	struct slot *s;

	if (!name)
		return;
	s = table_put(&c->anchors, (const char *)name,
		      strlen((const char *)name));
	s->node = node;   /* a later anchor of the same name replaces it */
	s->size = size;
}

static nb_node *
new_node(struct ctx *c, nb_node_kind kind, yaml_mark_t m)
{
	nb_node *n = nb_arena_alloc(c->a, sizeof(*n));

	n->kind = kind;
	n->line = mark_line(c, m);
	n->col = mark_col(m);
	return n;
}

static int
on_scalar(struct ctx *c, yaml_event_t *ev)
{
	nb_node *n = new_node(c, NB_NODE_SCALAR, ev->start_mark);
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;

	if (memchr(v, '\0', len))
		return nb_error(c->d, c->path, n->line, n->col,
				"remove the \\0 escape from the value",
				"a value may not contain a NUL character");
	n->str = nb_arena_strndup(c->a, v, len);
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		   ev->data.scalar.plain_implicit;
	set_anchor(c, ev->data.scalar.anchor, n, 1);
	return add_node(c, n, 1, n->line, n->col, NULL);
}

static int
on_alias(struct ctx *c, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct slot *s = table_find(&c->anchors, name, strlen(name));
	int line = mark_line(c, ev->start_mark), col = mark_col(ev->start_mark);

	if (!s)
		return nb_error(c->d, c->path, line, col,
				"define the anchor (&name) before the alias; "
				"an alias cannot refer to the value it is "
				"inside",
				"unknown alias *%s: no anchor &%s before it",
				name, name);
	return add_node(c, s->node, s->size, line, col, name);
}

static int
on_start(struct ctx *c, yaml_event_t *ev, nb_node_kind kind)
{
	struct frame *f;
	const yaml_char_t *anchor = kind == NB_NODE_MAP ?
		ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
	nb_node *n = new_node(c, kind, ev->start_mark);

	if (c->depth > 0) {
		f = &c->stack[c->depth - 1];
		if (f->node->kind == NB_NODE_MAP && !f->key)
			return nb_error(c->d, c->path, n->line, n->col,
					"write the key as plain text, as in "
					"'name: value'",
					"a key must be text, not a %s",
					kind == NB_NODE_MAP ? "map" : "list");
	}
	if (c->depth == NB_YAML_MAX_DEPTH)
		return nb_error(c->d, c->path, n->line, n->col,
				"flatten the structure",
				"the document is nested more than %d levels "
				"deep", NB_YAML_MAX_DEPTH);
	f = &c->stack[c->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->size = 1;
	if (anchor)
		f->anchor = nb_xstrdup((const char *)anchor);
	return 0;
}

static int
on_end(struct ctx *c, yaml_event_t *ev)
{
	struct frame *f;
	nb_node *n;
	size_t size;

	if (c->depth == 0)   /* libyaml balances its events; be sure */
		return nb_error(c->d, c->path, mark_line(c, ev->start_mark),
				mark_col(ev->start_mark), NULL,
				"internal error: a list or map ends that "
				"never started");
	f = &c->stack[c->depth - 1];
	n = f->node;
	size = f->size;

	n->n = f->n;
	if (f->n) {
		n->items = nb_arena_alloc(c->a, f->n * sizeof(nb_node *));
		memcpy(n->items, f->items, f->n * sizeof(nb_node *));
		if (n->kind == NB_NODE_MAP) {
			n->keys = nb_arena_alloc(c->a,
						 f->n * sizeof(nb_node *));
			memcpy(n->keys, f->keys, f->n * sizeof(nb_node *));
		}
	}
	if (f->anchor)
		set_anchor(c, (const yaml_char_t *)f->anchor, n, size);
	frame_free(f);
	c->depth--;
	return add_node(c, n, size, n->line, n->col, NULL);
}

static nb_node *
empty_map(struct ctx *c)
{
	nb_node *n = nb_arena_alloc(c->a, sizeof(*n));

	n->kind = NB_NODE_MAP;
	n->line = c->line0 + 1;
	n->col = 1;
	return n;
}

int
nb_yaml_parse(nb_node **out, nb_arena *a, const char *path,
	      const char *text, size_t len, int first_line, nb_diags *d)
{
	struct ctx c;
	yaml_parser_t parser;
	yaml_event_t ev;
	int have_parser = 0, have_ev = 0, docs = 0, done = 0, err = -1;
	const char *bad;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.path = path;
	c.d = d;
	c.line0 = (first_line > 0 ? first_line : 1) - 1;
	c.anchors.owns_keys = 1;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		text += 3;
		len -= 3;
	}
	c.text = text;
	c.len = len;

	if (len >= 2 && ((unsigned char)text[0] == 0xFF ||
			 (unsigned char)text[0] == 0xFE) &&
	    ((unsigned char)text[1] ^ (unsigned char)text[0]) == 0x01)
		return nb_error(d, path, c.line0 + 1, 1,
				"save it as UTF-8 text in your editor",
				"the file is saved as UTF-16, not UTF-8");
	if ((bad = check_bytes(text, len)) != NULL)
		return bytes_error(path, text, len, bad, c.line0, d);

	if (!yaml_parser_initialize(&parser))
		nb_oom();
	have_parser = 1;
	/* UTF-8 only: this also stops libyaml from guessing UTF-16. */
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(&c, &parser);
			goto done;
		}
		have_ev = 1;
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				nb_error(d, path, mark_line(&c, ev.start_mark),
					 mark_col(ev.start_mark),
					 "a file holds one YAML document; "
					 "remove this '---' line (use '#' "
					 "for comments)",
					 "a second YAML document starts here");
				goto done;
			}
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_SCALAR_EVENT:
			if (on_scalar(&c, &ev) < 0)
				goto done;
			break;
		case YAML_ALIAS_EVENT:
			if (on_alias(&c, &ev) < 0)
				goto done;
			break;
		case YAML_SEQUENCE_START_EVENT:
			if (on_start(&c, &ev, NB_NODE_SEQ) < 0)
				goto done;
			break;
		case YAML_MAPPING_START_EVENT:
			if (on_start(&c, &ev, NB_NODE_MAP) < 0)
				goto done;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (on_end(&c, &ev) < 0)
				goto done;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		have_ev = 0;
	}

	if (!c.root || (c.root->kind == NB_NODE_SCALAR && c.root->plain &&
			c.root->len == 0))
		c.root = empty_map(&c);
	*out = c.root;
	err = 0;

done:
	if (have_ev)
		yaml_event_delete(&ev);
	if (have_parser)
		yaml_parser_delete(&parser);
	while (c.depth > 0)
		frame_free(&c.stack[--c.depth]);
	table_free(&c.anchors);
	return err;
}

/* ---- lookups ----------------------------------------------------------- */

const nb_node *
nb_node_get(const nb_node *m, const char *key)
{
	size_t i, klen;

	if (!m || m->kind != NB_NODE_MAP || !key)
		return NULL;
	klen = strlen(key);
	for (i = 0; i < m->n; i++)
		if (m->keys[i]->len == klen && !memcmp(m->keys[i]->str, key,
							 klen))
			return m->items[i];
	return NULL;
}

/* A missing node (NULL) counts as null too, so callers can write
 * `if (nb_node_is_null(nb_node_get(m, "k")))`. */
int
nb_node_is_null(const nb_node *n)
{
	if (!n)
		return 1;
	if (n->kind != NB_NODE_SCALAR || !n->plain)
		return 0;
	return n->len == 0 || !strcmp(n->str, "~") ||
	       !strcmp(n->str, "null") || !strcmp(n->str, "Null") ||
	       !strcmp(n->str, "NULL");
}

/* ---- front matter ------------------------------------------------------ */

/* Is the line [p, eol) a fence: `marker` then only spaces or tabs? */
static int
is_fence(const char *p, const char *eol, const char *marker)
{
	if (eol - p < 3 || memcmp(p, marker, 3) != 0)
		return 0;
	for (p += 3; p < eol; p++)
		if (*p != ' ' && *p != '\t')
			return 0;
	return 1;
}

/* End of the line at p (before its \n or \r\n), and the start of the
 * next line in *next. */
static const char *
line_end(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *eol;

	if (!nl) {
		*next = end;
		eol = end;
	} else {
		*next = nl + 1;
		eol = nl;
	}
	if (eol > p && eol[-1] == '\r')
		eol--;
	return eol;
}

static int
is_blank_line(const char *p, const char *eol)
{
	for (; p < eol; p++)
		if (*p != ' ' && *p != '\t')
			return 0;
	return 1;
}

int
nb_frontmatter_split(const char *path, const char *text, size_t len,
		     const char **fm, size_t *fm_len, int *fm_line,
		     const char **body, size_t *body_len, int *body_line,
		     nb_diags *d)
{
	const char *p = text, *end = text + len, *eol, *next, *start, *bad;
	int line = 1, blank_line = 0;

	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	/* the body too must be text: cmark would quietly turn bad bytes
	 * into U+FFFD, hiding a file saved in the wrong encoding */
	if ((bad = check_bytes(p, (size_t)(end - p))) != NULL)
		return bytes_error(path, p, (size_t)(end - p), bad, 0, d);
	eol = line_end(p, end, &next);
	if (!is_fence(p, eol, "---"))
		return nb_error(d, path, 1, 1,
				"begin the file with '---' on a line of its "
				"own, then the fields (title: ...), then "
				"another '---' line, then the text",
				"the file must start with a line of three "
				"hyphens (---) followed by the record's fields");
	start = p = next;
	line++;
	while (p < end) {
		eol = line_end(p, end, &next);
		if (is_fence(p, eol, "---") || is_fence(p, eol, "...")) {
			*fm = start;
			*fm_len = (size_t)(p - start);
			*fm_line = 2;
			*body = next;
			*body_len = (size_t)(end - next);
			*body_line = line + 1;
			return 0;
		}
		if (!blank_line && is_blank_line(p, eol))
			blank_line = line;
		p = next;
		line++;
	}
	if (blank_line) {
		char hint[160];
		int n = snprintf(hint, sizeof(hint),
				 "add a line of three hyphens (---) after the "
				 "last field (perhaps on the blank line %d)",
				 blank_line);

		if (n > 0 && (size_t)n < sizeof(hint))
			return nb_error(d, path, 1, 1, hint,
					"the front matter is not closed: add a "
					"line of three hyphens (---) after the "
					"last field");
	}
	return nb_error(d, path, 1, 1,
			"the front matter opened by this '---' runs to the end "
			"of the file",
			"the front matter is not closed: add a line of three "
			"hyphens (---) after the last field");
}
