/*
 * mustache.c - parsing and rendering Mustache templates (spec v1.4).
 *
 * A template is parsed once, in four passes over its source, none of them
 * recursive:
 *
 *   1. tokenize: text (cut after every newline) and tags, following
 *      set-delimiter tags; every tag keeps its line and column;
 *   2. match: pair each section, parent and block with its end tag, under
 *      NB_MUSTACHE_MAX_NESTING, so an error can name both ends;
 *   3. lines: decide which lines are standalone (one non-interpolation
 *      tag alone, or one of the parent/block pairs of the inheritance
 *      spec) and mark the whitespace and line ending they lose;
 *   4. build: make the tree with an explicit stack, merging text, removing
 *      a block's intrinsic indentation, and flagging the nodes that begin
 *      a line, which is where an indented partial puts its indentation.
 *
 * The tree keeps no pointer into the source.  Rendering walks it with the
 * context stack and the chain of parent arguments kept on the C stack; the
 * walk is bounded by NB_MUSTACHE_MAX_DEPTH partials or parents, and by
 * RENDER_NEST_MAX nested sections, blocks and partials in all (a block
 * whose argument contains the same block expands forever without any
 * partial).
 *
 * Indentation follows the spec's text-level reading: a standalone partial
 * indented by W renders as if W were put at the start of each non-empty
 * line of its source.  Node flags say where those line starts are, so the
 * tree is shared by every indentation.
 */
#include "mustache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RENDER_NEST_MAX 1024   /* nested sections, blocks and partials */
#define SHOW_MAX 40            /* bytes of a tag quoted in a message */

/* ---- the tree -------------------------------------------------------- */

enum ntype {
	N_TEXT,
	N_VAR,       /* {{name}}: escaped */
	N_RAW,       /* {{{name}}} and {{& name}} */
	N_SECTION,
	N_INVERTED,
	N_PARTIAL,
	N_PARENT,    /* kids are its argument blocks */
	N_BLOCK      /* kids are its default content */
};

struct node {
	enum ntype type;
	struct node *next;
	const char *s;           /* text, or the name (NUL-terminated) */
	size_t len;
	struct node *kids;
	const char *indent;      /* standalone partial, parent or block */
	size_t indent_len;
	int line, col;
	unsigned char bol;       /* begins a line of the source */
	unsigned char standalone;
	unsigned char dynamic;   /* {{>*name}}: the name is looked up */
};

struct nb_template {
	const char *name;
	const char *path;
	struct node *root;
};

struct entry {
	const char *name;        /* NULL: free slot */
	nb_template *t;          /* NULL: the loader has no such template */
};

struct nb_tmpl_set {
	nb_arena *a;
	nb_tmpl_loader load;
	void *ud;
	size_t max_steps, max_output;   /* per render */
	struct entry *tab;       /* open addressing, power-of-two size */
	size_t cap, used;
	pthread_mutex_t lock;    /* nb_tmpl_get: pages render in threads */
};

/* ---- tokens ---------------------------------------------------------- */

#define TK_TEXT 0   /* other kinds are the tag's sigil; 'v' a variable */

struct tok {
	int kind;
	const char *s;           /* text, or the tag's name */
	size_t len;
	const char *src;         /* the whole tag, for messages */
	size_t srclen;
	int line, col;
	int partner;             /* opener <-> end tag; -1 */
	int encl;                /* innermost opener around the token; -1 */
	unsigned char dynamic;
	unsigned char drop;      /* whitespace of a standalone line */
	unsigned char standalone;
	unsigned char pair;      /* {{$b}}{{/b}} alone on a line */
	unsigned char eol;       /* only whitespace follows on its line */
	const char *lead;        /* whitespace before a standalone tag */
	size_t leadlen;
	const char *next_lead;   /* leading whitespace of the next line */
	size_t next_leadlen;
};

struct parser {
	const char *path;
	const char *src;
	size_t len;
	nb_diags *d;
	struct tok *t;
	size_t n, cap;
};

static int
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\f' || c == '\v';
}

static int
ends_nl(const struct tok *k)
{
	return k->kind == TK_TEXT && k->s[k->len - 1] == '\n';
}

static struct tok *
tok_add(struct parser *ps)
{
	struct tok *k;

	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 64;
		ps->t = nb_xrealloc(ps->t, ps->cap * sizeof(*ps->t));
	}
	k = &ps->t[ps->n++];
	memset(k, 0, sizeof(*k));
	k->partner = k->encl = -1;
	return k;
}

/* First occurrence of pat in [p, end), or NULL. */
static const char *
find(const char *p, const char *end, const char *pat, size_t plen)
{
	while ((size_t)(end - p) >= plen) {
		const char *q = memchr(p, pat[0], (size_t)(end - p) - plen + 1);
		if (!q)
			return NULL;
		if (memcmp(q, pat, plen) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

/* Text [from, to) as tokens that each end after a newline (but the last). */
static void
push_text(struct parser *ps, size_t from, size_t to, int *line,
	  size_t *linestart)
{
	while (from < to) {
		const char *nl = memchr(ps->src + from, '\n', to - from);
		size_t end = nl ? (size_t)(nl - ps->src) + 1 : to;
		struct tok *k = tok_add(ps);

		k->kind = TK_TEXT;
		k->s = ps->src + from;
		k->len = end - from;
		k->line = *line;
		k->col = (int)(from - *linestart) + 1;
		if (nl) {
			(*line)++;
			*linestart = end;
		}
		from = end;
	}
}

static void
trim(const char **s, size_t *len)
{
	while (*len && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
}

/* {{=<% %>=}}: the content between the two '='s gives the delimiters. */
static int
set_delims(struct parser *ps, const char *s, size_t len, int line, int col,
	   const char **open, size_t *olen, const char **close, size_t *clen)
{
	const char *hint = "write it as {{=<% %>=}}: two delimiters, "
			   "separated by a space, without '=' or spaces in them";
	size_t i, j;

	trim(&s, &len);
	for (i = 0; i < len && !is_space(s[i]); i++)
		;
	for (j = i; j < len && is_space(s[j]); j++)
		;
	if (i == 0 || j == len || j == i)
		return nb_error(ps->d, ps->path, line, col, hint,
				"bad set-delimiter tag: it needs two delimiters");
	if (memchr(s, '=', len))
		return nb_error(ps->d, ps->path, line, col, hint,
				"bad set-delimiter tag: a delimiter cannot contain '='");
	{
		size_t k;
		for (k = j; k < len; k++)
			if (is_space(s[k]))
				return nb_error(ps->d, ps->path, line, col,
						hint, "bad set-delimiter tag: "
						"it has more than two delimiters");
	}
	*open = s;
	*olen = i;
	*close = s + j;
	*clen = len - j;
	return 0;
}

/* How much of a tag to quote in a message. */
static int
show(const struct tok *k)
{
	return (int)(k->srclen > SHOW_MAX ? SHOW_MAX : k->srclen);
}

static int
tokenize(struct parser *ps)
{
	const char *src = ps->src, *end = ps->src + ps->len;
	const char *open = "{{", *close = "}}";
	size_t olen = 2, clen = 2, pos = 0, linestart = 0;
	int line = 1;

	while (pos < ps->len) {
		const char *q = find(src + pos, end, open, olen);
		const char *p, *e, *from;
		struct tok *k;
		int kind, tline, tcol;
		char want = 0;

		if (!q) {
			push_text(ps, pos, ps->len, &line, &linestart);
			break;
		}
		push_text(ps, pos, (size_t)(q - src), &line, &linestart);
		tline = line;
		tcol = (int)((size_t)(q - src) - linestart) + 1;
		p = q + olen;
		kind = 'v';
		if (p < end && *p && strchr("{#^/!=><$&", *p)) {
			kind = *p == '{' ? '&' : *p;
			if (*p == '{')
				want = '}';
			else if (*p == '=')
				want = '=';
			p++;
		}
		/* the end: the close delimiter, after '}' or '=' if needed */
		for (from = p;; from = e + 1) {
			e = find(from, end, close, clen);
			if (!e || !want || (e > p && e[-1] == want))
				break;
		}
		if (!e && want == '=')
			return nb_error(ps->d, ps->path, tline, tcol,
				"write it as {{=<% %>=}}",
				"bad set-delimiter tag: no '=%.*s' closes it",
				(int)clen, close);
		if (!e)
			return nb_error(ps->d, ps->path, tline, tcol,
				"close the tag, or change the delimiters with "
				"{{=<% %>=}} to write a literal one",
				"unclosed tag: '%.*s' has no matching '%s%.*s'",
				(int)olen, open, want == '}' ? "}" : "",
				(int)clen, close);
		k = tok_add(ps);
		k->kind = kind;
		k->src = q;
		k->srclen = (size_t)(e + clen - q);
		k->line = tline;
		k->col = tcol;
		k->s = p;
		k->len = (size_t)(e - p) - (want ? 1 : 0);
		/* count the newlines inside the tag */
		{
			const char *c = q, *tend = e + clen;
			while ((c = memchr(c, '\n', (size_t)(tend - c)))) {
				line++;
				c++;
				linestart = (size_t)(c - src);
			}
		}
		pos = (size_t)(e + clen - src);
		if (kind == '=') {
			if (set_delims(ps, k->s, k->len, tline, tcol, &open,
				       &olen, &close, &clen) < 0)
				return -1;
			continue;
		}
		if (kind == '!')
			continue;
		trim(&k->s, &k->len);
		if ((kind == '>' || kind == '<' || kind == '/') && k->len &&
		    k->s[0] == '*') {
			k->dynamic = kind != '/';
			k->s++;
			k->len--;
			trim(&k->s, &k->len);
		}
		if (k->len == 0)
			return nb_error(ps->d, ps->path, tline, tcol,
				"put a name in the tag, as in {{title}}",
				"empty tag '%.*s'", show(k), k->src);
	}
	return 0;
}

/* ---- matching -------------------------------------------------------- */

static int
match(struct parser *ps)
{
	int stack[NB_MUSTACHE_MAX_NESTING];
	int sp = 0, rc = 0;
	size_t i;

	for (i = 0; i < ps->n; i++) {
		struct tok *k = &ps->t[i], *o;

		k->encl = sp ? stack[sp - 1] : -1;
		switch (k->kind) {
		case '#': case '^': case '<': case '$':
			if (sp == NB_MUSTACHE_MAX_NESTING)
				return nb_error(ps->d, ps->path, k->line,
					k->col, "split the template into "
					"partials, or close sections sooner",
					"sections nest more than %d deep",
					NB_MUSTACHE_MAX_NESTING);
			stack[sp++] = (int)i;
			break;
		case '/':
			if (sp == 0)
				return nb_error(ps->d, ps->path, k->line,
					k->col, "remove it, or open the section "
					"before it", "closing tag '%.*s' has no "
					"opening tag", show(k), k->src);
			o = &ps->t[stack[sp - 1]];
			if (o->len != k->len || memcmp(o->s, k->s, k->len))
				return nb_error(ps->d, ps->path, k->line,
					k->col, "close the inner section first; "
					"sections must nest",
					"closing tag '%.*s' does not match "
					"'%.*s' opened at line %d, column %d",
					show(k), k->src, show(o), o->src,
					o->line, o->col);
			o->partner = (int)i;
			k->partner = stack[--sp];
			k->encl = sp ? stack[sp - 1] : -1;
			break;
		default:
			break;
		}
	}
	while (sp > 0) {
		const struct tok *o = &ps->t[stack[--sp]];
		rc = nb_error(ps->d, ps->path, o->line, o->col,
			"add the closing tag {{/name}} where the section ends",
			"'%.*s' is never closed", show(o), o->src);
	}
	return rc;
}

/* ---- standalone lines ------------------------------------------------ */

/* A text token of spaces and tabs, and perhaps a final line ending. */
static int
blank(const struct tok *k)
{
	size_t n = k->len, i;

	if (n && k->s[n - 1] == '\n') {
		n--;
		if (n && k->s[n - 1] == '\r')
			n--;
	}
	for (i = 0; i < n; i++)
		if (!is_ws(k->s[i]))
			return 0;
	return 1;
}

static size_t
lead_ws(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && is_ws(s[i]))
		i++;
	return i;
}

/* Tokens a..e (inclusive) make one line; n tokens in all. */
static void
mark_line(struct tok *t, size_t a, size_t e, size_t n)
{
	const char *nl = "";
	size_t k, nll = 0, tags[2] = { 0, 0 };
	size_t first, second;
	int ntags = 0, ok = 1, rest = 1, drop_all = 1;

	if (e + 1 < n && t[e + 1].kind == TK_TEXT) {
		nl = t[e + 1].s;
		nll = lead_ws(nl, t[e + 1].len);
	}
	for (k = e + 1; k-- > a;) {
		if (t[k].kind == TK_TEXT) {
			if (!blank(&t[k]))
				ok = rest = 0;
			continue;
		}
		t[k].eol = (unsigned char)rest;
		t[k].next_lead = nl;
		t[k].next_leadlen = nll;
		rest = 0;
		if (t[k].kind == 'v' || t[k].kind == '&')
			ok = 0;
		if (ntags < 2)
			tags[ntags] = k;
		ntags++;
	}
	if (!ok || ntags == 0 || ntags > 2)
		return;
	if (ntags == 1) {
		first = second = tags[0];
	} else {
		const struct tok *A, *B;

		first = tags[1];
		second = tags[0];
		A = &t[first];
		B = &t[second];
		if (A->kind == '<' && A->partner == (int)second) {
			/* {{<parent}}{{/parent}} */
		} else if (A->kind == '$' && A->partner == (int)second &&
			   second == first + 1) {
			/* {{$block}}{{/block}}: keeps its line ending */
			drop_all = 0;
		} else if (A->kind == '<' && B->kind == '$' &&
			   B->encl == (int)first) {
			/* {{<parent}}{{$block}} */
		} else if (A->kind == '/' && B->kind == '/' &&
			   t[A->partner].kind == '$' &&
			   t[B->partner].kind == '<' &&
			   t[A->partner].encl == B->partner) {
			/* {{/block}}{{/parent}} */
		} else {
			return;
		}
	}
	for (k = a; k <= e; k++) {
		if (t[k].kind != TK_TEXT) {
			t[k].standalone = 1;
			t[k].pair = (unsigned char)!drop_all;
			t[k].lead = "";
			if (t[a].kind == TK_TEXT) {
				t[k].lead = t[a].s;
				t[k].leadlen = lead_ws(t[a].s, t[a].len);
			}
		} else if (drop_all || k < first) {
			t[k].drop = 1;
		}
	}
}

static void
mark_lines(struct parser *ps)
{
	size_t a, e, n = ps->n;

	for (a = 0; a < n; a = e + 1) {
		for (e = a; e + 1 < n && !ends_nl(&ps->t[e]); e++)
			;
		mark_line(ps->t, a, e, n);
	}
}

/* ---- building the tree ----------------------------------------------- */

struct pframe {
	struct node *node;       /* NULL at the root and in ignored parts */
	struct node **tail;
	int kind;
	int ignore;              /* text and tags here are dropped */
	const char *dedent;      /* indentation removed from each line */
	size_t dedent_len;
};

struct builder {
	nb_arena *a;
	struct pframe *st;
	int sp;
	nb_buf pend;             /* text not yet made a node */
	int pend_bol, pend_line, pend_col;
	int line_start;          /* the next token begins a line */
	int skip_line;           /* drop the rest of this line */
};

static struct node *
node_new(struct builder *b, enum ntype type, const struct tok *k)
{
	struct node *n = nb_arena_alloc(b->a, sizeof(*n));

	n->type = type;
	n->line = k->line;
	n->col = k->col;
	if (type != N_TEXT) {
		n->s = nb_arena_strndup(b->a, k->s, k->len);
		n->len = k->len;
		n->dynamic = k->dynamic;
	}
	return n;
}

static void
add(struct builder *b, struct node *n)
{
	struct pframe *f = &b->st[b->sp];

	*f->tail = n;
	f->tail = &n->next;
}

static void
flush(struct builder *b)
{
	struct node *n;

	if (!b->pend.len)
		return;
	n = nb_arena_alloc(b->a, sizeof(*n));
	n->type = N_TEXT;
	n->s = nb_arena_strndup(b->a, b->pend.ptr, b->pend.len);
	n->len = b->pend.len;
	n->bol = (unsigned char)b->pend_bol;
	n->line = b->pend_line;
	n->col = b->pend_col;
	add(b, n);
	nb_buf_clear(&b->pend);
}

/* s without as much of the prefix `ded` as it starts with. */
static size_t
dedent(const char *s, size_t len, const char *ded, size_t dlen)
{
	size_t i = 0;

	while (i < len && i < dlen && s[i] == ded[i])
		i++;
	return i;
}

static void
set_indent(struct builder *b, struct node *n, const char *s, size_t len)
{
	n->indent = len ? nb_arena_strndup(b->a, s, len) : "";
	n->indent_len = len;
}

static struct pframe *
push(struct builder *b, struct node *n, int kind, int ignore)
{
	struct pframe *up = &b->st[b->sp], *f = &b->st[++b->sp];

	f->node = n;
	f->tail = n ? &n->kids : NULL;
	f->kind = kind;
	f->ignore = ignore;
	f->dedent = up->dedent;
	f->dedent_len = up->dedent_len;
	return f;
}

/* A block whose tag ends its line: its content loses the indentation of
 * its first line (its "intrinsic indentation"), and *rel is that
 * indentation relative to the enclosing block's. */
static void
intrinsic(struct pframe *f, const struct pframe *up, const struct tok *k,
	  const char **rel, size_t *rel_len)
{
	*rel = "";
	*rel_len = 0;
	if (k->next_leadlen >= up->dedent_len &&
	    memcmp(k->next_lead, up->dedent, up->dedent_len) == 0) {
		f->dedent = k->next_lead;
		f->dedent_len = k->next_leadlen;
		*rel = k->next_lead + up->dedent_len;
		*rel_len = k->next_leadlen - up->dedent_len;
	}
}

static void
build_tag(struct builder *b, const struct tok *k)
{
	struct pframe *top = &b->st[b->sp], *f;
	struct node *n;
	int bol = b->line_start && !k->standalone;
	const char *rel;
	size_t rel_len, skip;

	if (k->kind == '!' || k->kind == '=')
		return;   /* a comment keeps the line start for what follows */
	b->line_start = 0;
	if (k->kind == '/') {
		if (!top->ignore)
			flush(b);
		b->sp--;
		return;
	}
	if (top->ignore) {
		/* inside a parent but outside its blocks */
		if (k->kind == '$' && top->kind == '<' && top->node) {
			n = node_new(b, N_BLOCK, k);
			add(b, n);
			f = push(b, n, '$', 0);
			if (k->eol) {
				intrinsic(f, top, k, &rel, &rel_len);
				b->skip_line = 1;
			}
		} else if (strchr("#^<$", k->kind)) {
			push(b, NULL, k->kind, 1);
		}
		return;
	}
	flush(b);
	switch (k->kind) {
	case 'v':
	case '&':
		n = node_new(b, k->kind == 'v' ? N_VAR : N_RAW, k);
		n->bol = (unsigned char)bol;
		add(b, n);
		break;
	case '>':
	case '<':
		n = node_new(b, k->kind == '>' ? N_PARTIAL : N_PARENT, k);
		n->bol = (unsigned char)bol;
		n->standalone = k->standalone;
		if (k->standalone) {
			skip = dedent(k->lead, k->leadlen, top->dedent,
				      top->dedent_len);
			set_indent(b, n, k->lead + skip, k->leadlen - skip);
		}
		add(b, n);
		if (k->kind == '<')
			push(b, n, '<', 1);
		break;
	case '#':
	case '^':
		n = node_new(b, k->kind == '#' ? N_SECTION : N_INVERTED, k);
		n->bol = (unsigned char)bol;
		add(b, n);
		push(b, n, k->kind, 0);
		break;
	case '$':
		n = node_new(b, N_BLOCK, k);
		n->bol = (unsigned char)bol;
		n->standalone = k->standalone;
		add(b, n);
		f = push(b, n, '$', 0);
		if (k->pair) {
			skip = dedent(k->lead, k->leadlen, top->dedent,
				      top->dedent_len);
			set_indent(b, n, k->lead + skip, k->leadlen - skip);
		} else if (k->standalone) {
			intrinsic(f, top, k, &rel, &rel_len);
			set_indent(b, n, rel, rel_len);
		}
		break;
	default:
		break;
	}
}

static void
build(struct parser *ps, nb_arena *a, struct node **root)
{
	struct builder b;
	size_t i;

	memset(&b, 0, sizeof(b));
	b.a = a;
	b.st = nb_xcalloc(NB_MUSTACHE_MAX_NESTING + 1, sizeof(*b.st));
	b.st[0].tail = root;
	b.st[0].dedent = "";
	b.line_start = 1;
	for (i = 0; i < ps->n; i++) {
		const struct tok *k = &ps->t[i];
		const struct pframe *top = &b.st[b.sp];
		const char *s;
		size_t len, skip;

		if (k->kind != TK_TEXT) {
			build_tag(&b, k);
			continue;
		}
		if (k->drop || top->ignore || b.skip_line) {
			if (ends_nl(k)) {
				b.line_start = 1;
				b.skip_line = 0;
			}
			continue;
		}
		s = k->s;
		len = k->len;
		if (b.line_start && top->dedent_len) {
			skip = dedent(s, len, top->dedent, top->dedent_len);
			s += skip;
			len -= skip;
		}
		if (!len)
			continue;
		if (!b.pend.len) {
			b.pend_bol = b.line_start;
			b.pend_line = k->line;
			b.pend_col = k->col;
		}
		nb_buf_put(&b.pend, s, len);
		b.line_start = s[len - 1] == '\n';
	}
	flush(&b);
	nb_buf_free(&b.pend);
	free(b.st);
}

static int
parse(nb_template **out, nb_tmpl_set *s, const char *name, const char *path,
      const char *text, size_t len, nb_diags *d)
{
	struct parser ps;
	nb_template *t;
	int rc = -1;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.path = path ? path : name ? name : "";
	ps.src = text ? text : "";
	ps.len = text ? len : 0;
	ps.d = d;
	/* a BOM from an editor is not part of the template: left in, it
	 * would land in the middle of a page */
	if (ps.len >= 3 && !memcmp(ps.src, "\xEF\xBB\xBF", 3)) {
		ps.src += 3;
		ps.len -= 3;
	}
	if (tokenize(&ps) < 0 || match(&ps) < 0)
		goto done;
	mark_lines(&ps);
	t = nb_arena_alloc(s->a, sizeof(*t));
	t->name = name ? nb_arena_strdup(s->a, name) : "";
	t->path = nb_arena_strdup(s->a, ps.path);
	build(&ps, s->a, &t->root);
	*out = t;
	rc = 0;
done:
	free(ps.t);
	return rc;
}

/* ---- the set and its cache ------------------------------------------- */

static size_t
hash(const char *s)
{
	size_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct entry *
slot(struct entry *tab, size_t cap, const char *name)
{
	size_t i = hash(name) & (cap - 1);

	while (tab[i].name && strcmp(tab[i].name, name) != 0)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static void
cache_put(nb_tmpl_set *s, const char *name, nb_template *t)
{
	struct entry *e;

	if ((s->used + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32, i;
		struct entry *tab = nb_xcalloc(cap, sizeof(*tab));

		for (i = 0; i < s->cap; i++)
			if (s->tab[i].name)
				*slot(tab, cap, s->tab[i].name) = s->tab[i];
		free(s->tab);
		s->tab = tab;
		s->cap = cap;
	}
	e = slot(s->tab, s->cap, name);
	if (!e->name) {
		e->name = nb_arena_strdup(s->a, name);
		s->used++;
	}
	e->t = t;
}

nb_tmpl_set *
nb_tmpl_set_new(nb_arena *a, nb_tmpl_loader load, void *ud)
{
	nb_tmpl_set *s = nb_xcalloc(1, sizeof(*s));

	s->a = a;
	s->load = load;
	s->ud = ud;
	s->max_steps = NB_MUSTACHE_MAX_STEPS;
	s->max_output = NB_MUSTACHE_MAX_OUTPUT;
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void
nb_tmpl_set_limits(nb_tmpl_set *s, size_t max_steps, size_t max_output)
{
	s->max_steps = max_steps ? max_steps : NB_MUSTACHE_MAX_STEPS;
	s->max_output = max_output ? max_output : NB_MUSTACHE_MAX_OUTPUT;
}

void
nb_tmpl_set_free(nb_tmpl_set *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s->tab);
	free(s);
}

int
nb_tmpl_parse(nb_template **out, nb_tmpl_set *s, const char *name,
	      const char *path, const char *text, size_t len, nb_diags *d)
{
	if (parse(out, s, name, path, text, len, d) < 0)
		return -1;
	if (name)
		cache_put(s, name, *out);
	return 0;
}

static int
tmpl_get(nb_template **out, nb_tmpl_set *s, const char *name,
	 nb_diags *d)
{
	const char *text = NULL, *path = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (s->cap) {
		struct entry *e = slot(s->tab, s->cap, name);
		if (e->name) {
			*out = e->t;
			return e->t ? 0 : 1;
		}
	}
	rc = s->load ? s->load(s->ud, name, &text, &len, &path, d) : 1;
	if (rc < 0)
		return -1;
	if (rc > 0) {
		cache_put(s, name, NULL);
		return 1;
	}
	/* a template that fails to parse is not cached: asking again
	 * reports its errors again */
	return nb_tmpl_parse(out, s, name, path ? path : name, text, len, d);
}

/* The cache is filled as templates are first asked for, from whichever
 * thread asks first: one at a time. */
int
nb_tmpl_get(nb_template **out, nb_tmpl_set *s, const char *name,
	    nb_diags *d)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = tmpl_get(out, s, name, d);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- what a template may show ---------------------------------------- */

/* Whether a tag's name (dotted or not) has `key` as one of its parts. */
static int
name_has(const char *s, size_t len, const char *key, size_t klen)
{
	size_t i = 0;

	while (i <= len) {
		size_t j = i;
		while (j < len && s[j] != '.')
			j++;
		if (j - i == klen && memcmp(s + i, key, klen) == 0)
			return 1;
		i = j + 1;
	}
	return 0;
}

struct seen {                /* templates walked, so each is walked once */
	const nb_template **t;
	size_t n, cap;
};

static int mentions(nb_tmpl_set *s, const nb_template *t, const char *key,
		    struct seen *sn, nb_diags *d);

/* 1 when a node of the list (or what it includes) names key; 0; -1. */
static int
nodes_mention(nb_tmpl_set *s, const struct node *n, const char *key,
	      struct seen *sn, nb_diags *d)
{
	size_t klen = strlen(key);
	int rc;

	for (; n; n = n->next) {
		switch (n->type) {
		case N_TEXT:
			break;
		case N_VAR:
		case N_RAW:
		case N_SECTION:
		case N_INVERTED:
			if (name_has(n->s, n->len, key, klen))
				return 1;
			break;
		case N_PARTIAL:
		case N_PARENT: {
			nb_template *t = NULL;
			if (n->dynamic)
				return 1;   /* which, the values say */
			rc = tmpl_get(&t, s, n->s, d);
			if (rc < 0)
				return -1;
			if (rc == 0 && (rc = mentions(s, t, key, sn, d)) != 0)
				return rc;
			break;
		}
		case N_BLOCK:
			break;
		}
		if (n->kids && (rc = nodes_mention(s, n->kids, key, sn, d)) != 0)
			return rc;
	}
	return 0;
}

static int
mentions(nb_tmpl_set *s, const nb_template *t, const char *key,
	 struct seen *sn, nb_diags *d)
{
	size_t i;

	for (i = 0; i < sn->n; i++)
		if (sn->t[i] == t)
			return 0;
	if (sn->n == sn->cap) {
		sn->cap = sn->cap ? sn->cap * 2 : 16;
		sn->t = nb_xrealloc(sn->t, sn->cap * sizeof(*sn->t));
	}
	sn->t[sn->n++] = t;
	return nodes_mention(s, t->root, key, sn, d);
}

int
nb_tmpl_mentions(nb_tmpl_set *s, const char *name, const char *key,
		 nb_diags *d)
{
	struct seen sn = { NULL, 0, 0 };
	nb_template *t = NULL;
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = tmpl_get(&t, s, name, d);
	if (rc == 0)
		rc = mentions(s, t, key, &sn, d);
	else if (rc == 1)
		rc = 0;   /* no such template: it shows nothing */
	pthread_mutex_unlock(&s->lock);
	free(sn.t);
	return rc;
}

/* ---- rendering ------------------------------------------------------- */

struct ctx {                 /* the context stack, innermost first */
	const nb_value *v;
	const struct ctx *up;
};

struct chain {               /* parents being expanded, innermost first */
	const struct node *parent;
	const nb_template *t;    /* where its argument blocks come from */
	const struct chain *next;
};

struct render {
	nb_buf *out;
	nb_tmpl_set *s;
	nb_diags *d;
	int depth;               /* partials and parents being expanded */
	int nest;                /* render_list calls under way */
	const char *names[NB_MUSTACHE_MAX_DEPTH];   /* ...their names */
	size_t steps;            /* nodes rendered so far */
	size_t out_start;        /* out->len when rendering began */
	int stopped;             /* a limit was reported */
};

/* Resolve a (dotted) name against the context stack: the first part in
 * the innermost frame that has it, the rest strictly inside that. */
static const nb_value *
lookup(const struct ctx *c, const char *name, size_t len)
{
	const nb_value *v = NULL;
	const char *dot, *end = name + len;

	if (len == 1 && name[0] == '.')
		return c ? c->v : NULL;
	dot = memchr(name, '.', len);
	if (!dot)
		dot = end;
	for (; c; c = c->up) {
		v = nb_val_getn(c->v, name, (size_t)(dot - name));
		if (v)
			break;
	}
	while (v && dot < end) {
		name = dot + 1;
		dot = memchr(name, '.', (size_t)(end - name));
		if (!dot)
			dot = end;
		v = nb_val_getn(v, name, (size_t)(dot - name));
	}
	return v;
}

/* The shortest decimal that reads back as v; integers without a point. */
static void
put_num(nb_buf *out, double v)
{
	char tmp[64];
	int p;

	if (v != v) {
		nb_buf_puts(out, "NaN");
		return;
	}
	if (v - v != 0) {
		nb_buf_puts(out, v < 0 ? "-Infinity" : "Infinity");
		return;
	}
	/* integers print in full, as JSON writers do, below 1e21 */
	if (v > -1e21 && v < 1e21 &&
	    (v >= 9007199254740992.0 || v <= -9007199254740992.0 ||
	     v == (double)(long long)v)) {
		snprintf(tmp, sizeof(tmp), "%.0f", v == 0 ? 0.0 : v);
		nb_buf_puts(out, tmp);
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*g", p, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	nb_buf_puts(out, tmp);
}

static void
put_value(struct render *r, const struct node *n, const struct ctx *c)
{
	const nb_value *v = lookup(c, n->s, n->len);

	if (!v)
		return;
	switch (v->type) {
	case NB_VAL_BOOL:
		nb_buf_puts(r->out, v->u.boolean ? "true" : "false");
		break;
	case NB_VAL_NUM:
		put_num(r->out, v->u.num);
		break;
	case NB_VAL_STR:
		if (n->type == N_RAW)
			nb_buf_put(r->out, v->u.str.s, v->u.str.len);
		else
			nb_buf_put_html(r->out, v->u.str.s, v->u.str.len);
		break;
	default:
		break;   /* null, lists and maps print nothing */
	}
}

/* Text, with the indentation before each line that has something on it
 * (the first only when the node begins a line). */
static void
put_text(nb_buf *out, const struct node *n, const char *ind, size_t ind_len)
{
	const char *s = n->s;
	size_t len = n->len, i = 0;
	int bol = n->bol;

	if (!ind_len) {
		nb_buf_put(out, s, len);
		return;
	}
	while (i < len) {
		const char *nl;
		size_t j;

		if (bol && s[i] != '\n' &&
		    !(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n'))
			nb_buf_put(out, ind, ind_len);
		nl = memchr(s + i, '\n', len - i);
		j = nl ? (size_t)(nl - s) + 1 : len;
		nb_buf_put(out, s + i, j - i);
		i = j;
		bol = 1;
	}
}

static int render_list(struct render *r, const nb_template *t,
		       const struct node *n, const struct ctx *c,
		       const struct chain *args, const char *ind,
		       size_t ind_len);

/* render_list with the indentation a followed by b. */
static int
render_in(struct render *r, const nb_template *t, const struct node *n,
	  const struct ctx *c, const struct chain *args, const char *a,
	  size_t alen, const char *b, size_t blen)
{
	char *cat;
	int rc;

	if (!blen || !alen)
		return render_list(r, t, n, c, args, alen ? a : b,
				   alen ? alen : blen);
	cat = nb_xmalloc(alen + blen);
	memcpy(cat, a, alen);
	memcpy(cat + alen, b, blen);
	rc = render_list(r, t, n, c, args, cat, alen + blen);
	free(cat);
	return rc;
}

/* Every nested render_list goes through a section, partial, parent or
 * block tag, which checks the nesting here. */
static int
too_deep(struct render *r, const nb_template *t, const struct node *n)
{
	if (r->nest < RENDER_NEST_MAX)
		return 0;
	return nb_error(r->d, t->path, n->line, n->col,
		"a block or partial probably includes itself; simplify "
		"the templates", "templates nest more than %d deep while "
		"rendering '%s'", RENDER_NEST_MAX, n->s);
}

static int
render_section(struct render *r, const nb_template *t, const struct node *n,
	       const struct ctx *c, const struct chain *args, const char *ind,
	       size_t ind_len)
{
	const nb_value *v = lookup(c, n->s, n->len);
	struct ctx f;
	size_t i;
	int rc = 0;

	if (too_deep(r, t, n))
		return -1;
	if (n->type == N_INVERTED)
		return nb_val_truthy(v) ? 0 :
		       render_list(r, t, n->kids, c, args, ind, ind_len);
	if (!nb_val_truthy(v))
		return 0;
	f.up = c;
	if (v->type != NB_VAL_LIST) {
		f.v = v;
		return render_list(r, t, n->kids, &f, args, ind, ind_len);
	}
	for (i = 0; i < v->u.list.len && rc == 0; i++) {
		f.v = v->u.list.items[i];
		rc = render_list(r, t, n->kids, &f, args, ind, ind_len);
	}
	return rc;
}

/* Includes nested NB_MUSTACHE_MAX_DEPTH deep: a template includes itself,
 * directly or through others.  The message names the cycle, from the
 * last time `name` was included ("a > b > a"). */
static int
too_many_includes(struct render *r, const nb_template *t,
		  const struct node *n, const char *what, const char *name)
{
	nb_buf cycle = NB_BUF_INIT;
	int i, from = r->depth;
	int rc;

	while (from > 0 && strcmp(r->names[from - 1], name) != 0)
		from--;
	if (from == 0)
		from = r->depth;   /* no cycle found: name the last one only */
	else
		from--;
	for (i = from; i < r->depth; i++) {
		nb_buf_puts(&cycle, r->names[i]);
		nb_buf_puts(&cycle, " > ");
	}
	nb_buf_puts(&cycle, name);
	rc = nb_error(r->d, t->path, n->line, n->col,
		"a template that includes itself needs a section around the "
		"tag that ends the recursion",
		"%s '%s' includes itself too deeply (more than %d levels): "
		"%s", what, name, NB_MUSTACHE_MAX_DEPTH, nb_buf_cstr(&cycle));
	nb_buf_free(&cycle);
	return rc;
}

/* {{>partial}} and {{<parent}}...{{/parent}} */
static int
render_include(struct render *r, const nb_template *t, const struct node *n,
	       const struct ctx *c, const struct chain *args, const char *ind,
	       size_t ind_len)
{
	const char *what = n->type == N_PARENT ? "parent" : "partial";
	char small[128], *name = (char *)n->s, *heap = NULL;
	nb_template *pt;
	struct chain link;
	int rc;

	if (n->dynamic) {
		const nb_value *v = lookup(c, n->s, n->len);
		size_t len;

		if (!v || v->type != NB_VAL_STR || !v->u.str.len)
			return 0;   /* no name: renders as empty */
		len = v->u.str.len;
		name = len < sizeof(small) ? small : (heap = nb_xmalloc(len + 1));
		memcpy(name, v->u.str.s, len);
		name[len] = '\0';
		if (strlen(name) != len) {
			rc = 0;
			goto done;
		}
	}
	if (too_deep(r, t, n)) {
		rc = -1;
		goto done;
	}
	if (r->depth >= NB_MUSTACHE_MAX_DEPTH) {
		rc = too_many_includes(r, t, n, what, name);
		goto done;
	}
	rc = nb_tmpl_get(&pt, r->s, name, r->d);
	if (rc != 0) {
		rc = rc > 0 ? 0 : -1;   /* a missing one renders as empty */
		goto done;
	}
	link.parent = n;
	link.t = t;
	link.next = args;
	r->names[r->depth] = pt->name;
	r->depth++;
	rc = render_in(r, pt, pt->root, c,
		       n->type == N_PARENT ? &link : args,
		       n->standalone ? ind : "", n->standalone ? ind_len : 0,
		       n->indent, n->indent_len);
	r->depth--;
done:
	free(heap);
	return rc;
}

/* {{$block}}: the outermost argument for it, or its default content. */
static int
render_block(struct render *r, const nb_template *t, const struct node *n,
	     const struct ctx *c, const struct chain *args, const char *ind,
	     size_t ind_len)
{
	const struct node *arg = NULL, *b;
	const nb_template *at = NULL;
	const struct chain *ch;

	if (too_deep(r, t, n))
		return -1;
	for (ch = args; ch; ch = ch->next)
		for (b = ch->parent->kids; b; b = b->next)
			if (strcmp(b->s, n->s) == 0) {
				arg = b;
				at = ch->t;
			}
	if (!arg)
		return render_in(r, t, n->kids, c, args, ind, ind_len,
				 n->indent, n->standalone ? n->indent_len : 0);
	if (!n->standalone)
		return render_list(r, at, arg->kids, c, args, "", 0);
	return render_in(r, at, arg->kids, c, args, ind, ind_len, n->indent,
			 n->indent_len);
}

/* Sections nested over lists multiply: three nested sections over lists
 * of a thousand items render a billion times.  Stop at a budget. */
static int
too_much(struct render *r, const nb_template *t, const struct node *n)
{
	if (r->stopped)
		return -1;
	r->stopped = 1;
	if (r->steps > r->s->max_steps)
		return nb_error(r->d, t->path, n->line, n->col,
			"sections nested inside sections over long lists "
			"multiply; simplify the template",
			"rendering takes more than %zu steps",
			r->s->max_steps);
	return nb_error(r->d, t->path, n->line, n->col,
		"sections nested inside sections over long lists multiply; "
		"simplify the template",
		"the rendered page is larger than %zu bytes",
		r->s->max_output);
}

static int
render_list(struct render *r, const nb_template *t, const struct node *n,
	    const struct ctx *c, const struct chain *args, const char *ind,
	    size_t ind_len)
{
	int rc = 0;

	r->nest++;
	for (; n && rc == 0; n = n->next) {
		if (++r->steps > r->s->max_steps ||
		    r->out->len - r->out_start > r->s->max_output) {
			rc = too_much(r, t, n);
			break;
		}
		if (ind_len && n->bol && n->type != N_TEXT)
			nb_buf_put(r->out, ind, ind_len);
		switch (n->type) {
		case N_TEXT:
			put_text(r->out, n, ind, ind_len);
			break;
		case N_VAR:
		case N_RAW:
			put_value(r, n, c);
			break;
		case N_SECTION:
		case N_INVERTED:
			rc = render_section(r, t, n, c, args, ind, ind_len);
			break;
		case N_PARTIAL:
		case N_PARENT:
			rc = render_include(r, t, n, c, args, ind, ind_len);
			break;
		case N_BLOCK:
			rc = render_block(r, t, n, c, args, ind, ind_len);
			break;
		}
	}
	r->nest--;
	return rc;
}

int
nb_tmpl_render(nb_buf *out, nb_tmpl_set *s, nb_template *t,
	       const nb_value *ctx, nb_diags *d)
{
	struct render r;
	struct ctx root;

	r.out = out;
	r.s = s;
	r.d = d;
	r.depth = 0;
	r.nest = 0;
	r.steps = 0;
	r.out_start = out->len;
	r.stopped = 0;
	root.v = ctx;
	root.up = NULL;
	return render_list(&r, t, t->root, &root, NULL, "", 0);
}
