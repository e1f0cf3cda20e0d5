/*
 * check.c - `noticeboard check`: the build's errors, then the engagement
 * standards as warnings (see check.h for the list).
 *
 * The site is built by nb_build into a private temporary folder, exactly
 * as `build` would build it, so every error a build can find is found.
 * The records are then loaded once more (a model is cheap) to look at
 * them: the model keeps each record's path but not the positions of its
 * fields, so record files are parsed again here with the YAML reader to
 * point warnings at the line and column they are about.  Links are
 * checked against the pages that were really written.
 *
 * This is also the one file that prints diagnostics as JSON (jansson).
 */
#include "check.h"
#include "arena.h"
#include "buf.h"
#include "derive.h"
#include "map.h"
#include "model.h"
#include "source.h"
#include "view.h"
#include "write.h"
#include "yaml.h"

#include <jansson.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A record file, parsed again for positions. */
typedef struct ckfile {
	const nb_node *root;     /* NULL when it cannot be parsed */
	const char *text;        /* the whole file */
	size_t len;
	const char *body;        /* Markdown files: the body */
	size_t body_len;
	int body_line;           /* the file line the body starts on */
} ckfile;

typedef struct ck {
	nb_model *m;
	const nb_source *src;
	nb_arena *a;             /* parsed files and scratch strings */
	nb_map files;            /* path -> ckfile* */
	nb_diags *d;
	nb_date today;
	/* what the built site holds (its list of files: the build wrote
	 * nothing else) */
	nb_map site_files;       /* "areas/x/index.html" */
	nb_map site_dirs;        /* "areas/x", "areas", "" */
	char *site_list;         /* the list: the keys of both */
	const char *prefix;      /* "/" or "/engage/" */
	int min_days;
} ck;

/* ---- files and positions ------------------------------------------------ */

static ckfile *
file_get(ck *c, const char *path)
{
	nb_diags ignore = NB_DIAGS_INIT;
	ckfile *f = nb_map_get(&c->files, path);
	const char *fm;
	size_t len, fm_len;
	int fm_line;
	nb_node *root = NULL;
	char *data;

	if (f)
		return f;
	f = nb_arena_alloc(c->a, sizeof(*f));
	nb_map_put(&c->files, nb_arena_strdup(c->a, path), f, NULL);
	if (nb_source_read(c->src, path, &data, &len, &ignore) != 0)
		goto done;
	f->text = nb_arena_strndup(c->a, data, len);
	f->len = len;
	free(data);
	len = strlen(path);
	if (len > 3 && strcmp(path + len - 3, ".md") == 0) {
		if (nb_frontmatter_split(path, f->text, f->len, &fm, &fm_len,
					 &fm_line, &f->body, &f->body_len,
					 &f->body_line, &ignore) == 0 &&
		    nb_yaml_parse(&root, c->a, path, fm, fm_len, fm_line,
				  &ignore) == 0)
			f->root = root;
	} else if (nb_yaml_parse(&root, c->a, path, f->text, f->len, 1,
				 &ignore) == 0) {
		f->root = root;
	}
done:
	nb_diags_free(&ignore);
	return f;
}

/* The node of a top-level field of a record file, or NULL. */
static const nb_node *
field_at(ck *c, const char *path, const char *key)
{
	return nb_node_get(file_get(c, path)->root, key);
}

static void
warn(ck *c, const char *path, const nb_node *at, const char *hint,
     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
warn(ck *c, const char *path, const nb_node *at, const char *hint,
     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nb_diag_vadd(c->d, NB_SEV_WARNING, path, at ? at->line : 0,
		     at ? at->col : 0, hint, fmt, ap);
	va_end(ap);
}

/* ---- small helpers ----------------------------------------------------- */

static char *
date_text(ck *c, nb_date d)
{
	nb_buf b = NB_BUF_INIT;
	char *s;

	nb_fmt_date(&b, d);
	s = nb_arena_strdup(c->a, nb_buf_cstr(&b));
	nb_buf_free(&b);
	return s;
}

static char *
iso_text(ck *c, nb_date d)
{
	return nb_arena_printf(c->a, "%04d-%02d-%02d", d.year, d.month, d.day);
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[130];

	if (la > 128 || lb > 128)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* The index of the "consult" rung: activities at it or above ask people
 * for their views.  A ladder without a "consult" rung counts every rung
 * above the first. */
static int
consult_rung(const nb_site *s)
{
	size_t i;

	for (i = 0; i < s->ladder_len; i++)
		if (s->ladder[i].id && strcmp(s->ladder[i].id, "consult") == 0)
			return (int)i;
	return s->ladder_len > 1 ? 1 : 0;
}

static int
live(const nb_consultation *x)
{
	return !x->cancelled && !x->postponed;
}

/* ---- consultation fatigue ---------------------------------------------- */

/* Whether `inner` is `outer` or inside it. */
static int
within(const nb_area *inner, const nb_area *outer)
{
	int depth = 0;

	for (; inner && depth < 64; inner = inner->parent, depth++)
		if (inner == outer)
			return 1;
	return 0;
}

/* Whether two activities' areas meet: the same area, one inside the
 * other, or either is everywhere.  Writes where, in words, into b. */
static int
areas_meet(ck *c, const nb_tags *x, const nb_tags *y, nb_buf *b)
{
	size_t i, j;

	(void)c;
	if (x->everywhere || y->everywhere) {
		nb_buf_puts(b, "across the whole area (`areas: [all]`)");
		return 1;
	}
	for (i = 0; i < x->areas.len; i++) {
		const nb_area *p = x->areas.items[i];
		for (j = 0; j < y->areas.len; j++) {
			const nb_area *q = y->areas.items[j];
			if (p == q) {
				nb_buf_printf(b, "in %s", p->name);
				return 1;
			}
			if (within(p, q) || within(q, p)) {
				const nb_area *in = within(p, q) ? p : q;
				const nb_area *out = in == p ? q : p;
				nb_buf_printf(b, "in %s and %s, which contains it",
					      in->name, out->name);
				return 1;
			}
		}
	}
	return 0;
}

static const nb_term *
shared_topic(const nb_tags *x, const nb_tags *y)
{
	size_t i, j;

	for (i = 0; i < x->topics.len; i++)
		for (j = 0; j < y->topics.len; j++)
			if (x->topics.items[i] == y->topics.items[j])
				return x->topics.items[i];
	return NULL;
}

static void
check_fatigue(ck *c)
{
	const nb_vec *v = &c->m->consultations;
	size_t i, j;

	for (i = 0; i < v->len; i++) {
		for (j = i + 1; j < v->len; j++) {
			const nb_consultation *x = v->items[i], *y = v->items[j];
			const nb_consultation *first, *later;
			const nb_term *t;
			nb_date from, to;
			nb_buf where = NB_BUF_INIT, when = NB_BUF_INIT;

			if (!live(x) || !live(y))
				continue;
			if (nb_date_cmp(x->opens, y->closes) > 0 ||
			    nb_date_cmp(y->opens, x->closes) > 0)
				continue;   /* no overlap */
			from = nb_date_cmp(x->opens, y->opens) > 0 ? x->opens : y->opens;
			to = nb_date_cmp(x->closes, y->closes) < 0 ? x->closes : y->closes;
			if (nb_date_cmp(to, c->today) < 0)
				continue;   /* the overlap is history */
			t = shared_topic(&x->tags, &y->tags);
			if (!t || !areas_meet(c, &x->tags, &y->tags, &where)) {
				nb_buf_free(&where);
				continue;
			}
			/* the warning goes on the one that opens later */
			later = nb_date_cmp(y->opens, x->opens) >= 0 ? y : x;
			first = later == y ? x : y;
			nb_fmt_date_range(&when, from, to);
			warn(c, later->path, field_at(c, later->path, "topics"),
			     "people asked about the same thing twice stop answering: run the two together, or move one so they do not overlap",
			     "consultation fatigue: this activity and `%s` (%s) are both about %s %s, open at the same time (%s)",
			     first->id, first->path, t->label ? t->label : t->id,
			     nb_buf_cstr(&where), nb_buf_cstr(&when));
			nb_buf_free(&where);
			nb_buf_free(&when);
		}
	}
}

/* ---- feedback promises and open periods -------------------------------- */

static void
check_consultation(ck *c, const nb_consultation *x, int consult)
{
	const nb_rung *rung = x->level >= 0 &&
		(size_t)x->level < c->m->site.ladder_len ?
		&c->m->site.ladder[x->level] : NULL;
	const char *level = rung && rung->label ? rung->label :
			    rung ? rung->id : "?";
	int asks = x->level >= consult;
	int64_t days;
	char hint[300];

	if (!live(x))
		return;
	if (asks && !x->has_feedback_by && !x->outcome &&
	    nb_date_cmp(x->closes, c->today) >= 0) {
		snprintf(hint, sizeof(hint),
			 "add `feedback_by:` with the date by which you will publish what people said and what you did, for example 8 weeks after it closes: feedback_by: %s",
			 iso_text(c, nb_date_add_days(x->closes, 56)));
		warn(c, x->path, field_at(c, x->path, "closes"), hint,
		     "no feedback promise: an activity at the %s level should say when people will hear what happened",
		     level);
	}
	if (x->status == NB_STATUS_OVERDUE) {
		warn(c, x->path, field_at(c, x->path, "feedback_by"),
		     "publish what people said and what you did in content/outcomes/ (`noticeboard new outcome \"...\"`); if it will be late, say why and when in `status_note`",
		     "feedback is overdue: it was promised by %s and no outcome has been published",
		     date_text(c, x->feedback_by));
	}
	days = nb_date_days(x->closes) - nb_date_days(x->opens) + 1;
	if (asks && c->min_days > 0 && days < c->min_days &&
	    nb_date_cmp(x->closes, c->today) >= 0) {
		snprintf(hint, sizeof(hint),
			 "give people at least %d days to respond (more over holidays): move `closes` to %s or later, or explain in the body why it is short",
			 c->min_days,
			 iso_text(c, nb_date_add_days(x->opens, c->min_days - 1)));
		warn(c, x->path, field_at(c, x->path, "closes"), hint,
		     "open for only %lld %s, fewer than %d",
		     (long long)days, days == 1 ? "day" : "days", c->min_days);
	}
}

/* ---- venues ------------------------------------------------------------- */

static void
check_venues(ck *c)
{
	const nb_vec *v = &c->m->all_events;
	nb_vec seen = { NULL, 0, 0 };
	size_t i, j;

	for (i = 0; i < v->len; i++) {
		const nb_event *ev = v->items[i];
		const nb_venue *ve = ev->venue;
		const nb_node *at = NULL;
		int dup = 0;

		if (!ve || ev->cancelled ||
		    nb_date_cmp(ev->end.date, c->today) < 0 ||
		    (ev->consultation && !live(ev->consultation)))
			continue;
		if (ve->step_free >= 0 || ve->hearing_loop >= 0 ||
		    ve->accessible_toilet >= 0 || ve->access_notes)
			continue;
		/* a repeating event's dates share its venue: warn once */
		for (j = 0; j < seen.len && !dup; j++)
			dup = seen.items[j] == ve;
		if (dup)
			continue;
		nb_vec_push(c->a, &seen, (void *)ve);
		if (ev->consultation) {
			const nb_node *l = field_at(c, ev->path, "events");
			if (l && l->kind == NB_NODE_SEQ && ev->index >= 1 &&
			    (size_t)ev->index <= l->n)
				at = nb_node_get(l->items[ev->index - 1], "venue");
		} else {
			at = field_at(c, ev->path, "venue");
		}
		warn(c, ev->path, at,
		     "add `step_free`, `hearing_loop` and `accessible_toilet` (true or false) and `access_notes`, so that disabled people know before they travel",
		     "the venue of `%s` (%s) has no access information",
		     ev->title ? ev->title : ev->id,
		     ve->name ? ve->name : "no name");
	}
}

/* ---- links -------------------------------------------------------------- */

/*
 * Where a link points on this site.  Returns 0 when it is not a link to
 * this site (another site, mailto:, a relative link), 1 with the path from
 * the site's root in out (decoded, starting with '/', no query or
 * fragment), or -1 when it is a root-relative link that misses the site's
 * path prefix.
 */
static int
site_path(ck *c, const char *href, char *out, size_t size)
{
	const char *base = c->m->site.base_url, *p = NULL, *end;
	size_t bl = base ? strlen(base) : 0, pl = strlen(c->prefix), k = 0;

	if (bl && strncasecmp(href, base, bl) == 0 &&
	    strchr("/?#", href[bl]) && href[bl]) {
		p = href + bl;
	} else if (bl && strcasecmp(href, base) == 0) {
		p = "/";
	} else if (href[0] == '/' && href[1] != '/') {
		if (pl > 1) {
			if (strncmp(href, c->prefix, pl) == 0)
				p = href + pl - 1;
			else if (strncmp(href, c->prefix, pl - 1) == 0 &&
				 strchr("?#", href[pl - 1]))
				p = "/";
			else
				return -1;
		} else {
			p = href;
		}
	} else {
		return 0;
	}
	if (*p != '/')
		p = "/";
	end = p + strcspn(p, "?#");
	for (; p < end && k + 1 < size; p++) {
		if (*p == '%' && end - p >= 3) {
			char hex[3] = { p[1], p[2], 0 }, *e;
			long v = strtol(hex, &e, 16);
			if (!*e && v > 0) {
				out[k++] = (char)v;
				p += 2;
				continue;
			}
		}
		out[k++] = *p;
	}
	out[k] = '\0';
	return 1;
}

/* The built site's list of files (out/.noticeboard/files, one path a
 * line) as the sets of its files and folders.  Returns 0 or -1. */
static int
read_site(ck *c, const char *out)
{
	size_t n = strlen(out) + 32, len;
	char *path = nb_xmalloc(n), *p, *end;
	nb_buf b = NB_BUF_INIT;
	char chunk[65536];
	size_t r;
	FILE *fp;

	snprintf(path, n, "%s/.noticeboard/files", out);
	fp = fopen(path, "rb");
	free(path);
	if (!fp)
		return -1;
	while ((r = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		nb_buf_put(&b, chunk, r);
	fclose(fp);
	len = b.len;
	c->site_list = nb_xstrndup(b.ptr ? b.ptr : "", len);
	nb_buf_free(&b);
	nb_map_put(&c->site_dirs, "", (void *)1, NULL);
	end = c->site_list + len;
	for (p = c->site_list; p < end;) {
		char *eol = memchr(p, '\n', (size_t)(end - p)), *s;
		if (!eol)
			eol = end;
		*eol = '\0';
		if (!*p) {
			p = eol + 1;
			continue;
		}
		nb_map_put(&c->site_files, p, (void *)1, NULL);
		/* each folder above it, deepest first: "a/b/c.html" gives
		 * "a/b", then "a" (and once one is known, those above it are) */
		for (s = eol; s > p;) {
			const char *q = s - 1;
			while (q > p && *q != '/')
				q--;
			if (*q != '/' || nb_map_put(&c->site_dirs,
			    nb_arena_strndup(c->a, p, (size_t)(q - p)),
			    (void *)1, NULL) != 0)
				break;
			s = (char *)q;
		}
		p = eol + 1;
	}
	return 0;
}

/* Whether a path of the built site exists ("/areas/x/", "/static/a.css",
 * "/areas/x" for its index.html). */
static int
page_exists(ck *c, const char *path)
{
	size_t n = strlen(path);
	const char *rel = path + 1;
	char *key;
	int found;

	if (strstr(path, "/../") || strstr(path, "/./") ||
	    (n >= 3 && strcmp(path + n - 3, "/..") == 0))
		return 0;
	if (path[n - 1] != '/' && nb_map_get(&c->site_files, rel))
		return 1;
	key = nb_xmalloc(n + 16);
	snprintf(key, n + 16, "%.*s%sindex.html", (int)(n - 1), rel,
		 path[n - 1] == '/' || n == 1 ? "" : "/");
	found = nb_map_get(&c->site_files, key) != NULL;
	free(key);
	return found;
}

/* The closest name in a folder of the built site ("" for its top, "areas"
 * for /areas/), or NULL. */
static const char *
closest_entry(ck *c, const char *dir, const char *name)
{
	size_t best = (size_t)-1, limit = strlen(name) / 3 + 1, i;
	size_t dl = strlen(dir);
	const char *pick = NULL;
	const nb_map *sets[2] = { &c->site_files, &c->site_dirs };
	int k;

	if (limit < 2)
		limit = 2;
	for (k = 0; k < 2; k++) {
		const nb_map *m = sets[k];
		for (i = 0; i < m->cap; i++) {
			const char *key = m->keys[i], *child, *slash;
			size_t dist;
			if (!key || !*key)
				continue;
			if (dl) {
				if (strncmp(key, dir, dl) != 0 || key[dl] != '/')
					continue;
				child = key + dl + 1;
			} else {
				child = key;
			}
			slash = strchr(child, '/');
			if (slash || child[0] == '.')
				continue;   /* deeper, or the build's own */
			dist = edit_distance(name, child);
			if (dist < best || (dist == best && pick &&
					    strcmp(child, pick) < 0)) {
				best = dist;
				pick = child;
			}
		}
	}
	return best <= limit && pick ? nb_arena_strdup(c->a, pick) : NULL;
}

/* A page that exists and is close to a missing one, or NULL. */
static const char *
suggest(ck *c, const char *path)
{
	nb_buf dir = NB_BUF_INIT, fixed = NB_BUF_INIT;
	const char *p = path + 1, *res = NULL;

	nb_buf_puts(&dir, "");
	while (*p) {
		size_t n = strcspn(p, "/");
		char *seg = nb_arena_strndup(c->a, p, n);
		const char *full = dir.len ? nb_arena_printf(c->a, "%s/%s",
			nb_buf_cstr(&dir), seg) : seg;

		if (!nb_map_get(&c->site_files, full) &&
		    !nb_map_get(&c->site_dirs, full)) {
			const char *near = closest_entry(c, nb_buf_cstr(&dir), seg);
			if (!near)
				goto done;
			seg = (char *)near;
		}
		nb_buf_printf(&dir, "%s%s", dir.len ? "/" : "", seg);
		nb_buf_printf(&fixed, "/%s", seg);
		p += n;
		if (*p == '/') {
			p++;
			if (!*p)
				nb_buf_putc(&fixed, '/');
		}
	}
	if (fixed.len && strcmp(nb_buf_cstr(&fixed), path) != 0 &&
	    page_exists(c, nb_buf_cstr(&fixed)))
		res = nb_arena_printf(c->a, "%s%s", c->prefix,
				      nb_buf_cstr(&fixed) + 1);
done:
	nb_buf_free(&dir);
	nb_buf_free(&fixed);
	return res;
}

static void
check_link(ck *c, const char *path, int line, int col, const char *href,
	   const char *where)
{
	char sp[2048], hint[2300];
	const char *near;
	nb_node at;
	int rc = site_path(c, href, sp, sizeof(sp));

	if (rc == 0)
		return;
	memset(&at, 0, sizeof(at));
	at.line = line;
	at.col = col;
	if (rc < 0) {
		snprintf(hint, sizeof(hint),
			 "the site is published under %s (from `base_url`), so links to its pages start with %s",
			 c->prefix, c->prefix);
		warn(c, path, &at, hint,
		     "broken link %s to `%s`: it is outside the site", where,
		     href);
		return;
	}
	if (page_exists(c, sp))
		return;
	near = suggest(c, sp);
	if (near)
		snprintf(hint, sizeof(hint), "did you mean `%s`?", near);
	else
		snprintf(hint, sizeof(hint),
			 "check the address: pages are at /consultations/ID/, /events/ID/, /outcomes/ID/, /areas/ID/, /partners/ID/, /topics/ID/ and /ID/ for pages; files in static/ are at /static/NAME");
	warn(c, path, &at, hint,
	     "broken link %s to `%s`: there is no such page on this site",
	     where, href);
}

/* Where `needle` first appears in the body, as a file position. */
static void
body_position(const ckfile *f, const char *needle, int *line, int *col)
{
	const char *hit = NULL, *p, *ls;
	size_t n = strlen(needle);

	*line = *col = 0;
	if (!f->body || !n)
		return;
	/* the first occurrence that stands alone as a link, as in (/a/),
	 * <https://x/> or [ref]: /a/; else the first at all */
	for (p = f->body; p + n <= f->body + f->body_len; p++) {
		const char *e = p + n;
		if (memcmp(p, needle, n) != 0)
			continue;
		if (!hit)
			hit = p;
		if ((p == f->body || strchr("(< \t\n:\"'", p[-1])) &&
		    (e == f->body + f->body_len || strchr(") >\t\r\n\"'#?", *e))) {
			hit = p;
			break;
		}
	}
	if (!hit)
		return;
	*line = f->body_line;
	for (p = ls = f->body; p < hit; p++)
		if (*p == '\n') {
			(*line)++;
			ls = p + 1;
		}
	*col = (int)(hit - ls) + 1;
}

/* Undo the HTML escaping of an attribute value cmark wrote. */
static char *
attr_decode(ck *c, const char *s, size_t n)
{
	static const struct { const char *ent, ch; } ents[] = {
		{ "&amp;", '&' }, { "&quot;", '"' }, { "&#x27;", '\'' },
		{ "&#39;", '\'' }, { "&lt;", '<' }, { "&gt;", '>' },
	};
	char *out = nb_arena_alloc(c->a, n + 1);
	size_t i = 0, k = 0, e;

	while (i < n) {
		for (e = 0; e < sizeof(ents) / sizeof(ents[0]); e++) {
			size_t el = strlen(ents[e].ent);
			if (i + el <= n && memcmp(s + i, ents[e].ent, el) == 0) {
				out[k++] = ents[e].ch;
				i += el;
				break;
			}
		}
		if (e == sizeof(ents) / sizeof(ents[0]))
			out[k++] = s[i++];
	}
	out[k] = '\0';
	return out;
}

/* Links and images in a record's Markdown body, from the HTML cmark made
 * of it (so reference links and autolinks count), placed back in the
 * source by searching for them. */
static void
check_body(ck *c, const char *path, const char *html)
{
	static const char *const attrs[] = { "href=\"", "src=\"" };
	nb_map seen = NB_MAP_INIT;
	ckfile *f;
	size_t a;

	if (!html || !path)
		return;
	f = file_get(c, path);
	for (a = 0; a < 2; a++) {
		const char *p = html;
		while ((p = strstr(p, attrs[a])) != NULL) {
			const char *v = p + strlen(attrs[a]);
			const char *q = strchr(v, '"');
			char *href;
			int line, col;

			if (!q)
				break;
			href = attr_decode(c, v, (size_t)(q - v));
			p = q;
			if (nb_map_put(&seen, href, (void *)1, NULL) != 0)
				continue;   /* once per link per file */
			body_position(f, href, &line, &col);
			check_link(c, path, line, col, href, "in the text");
		}
	}
	nb_map_free(&seen);
}

/* Fields that hold links, anywhere in a record. */
static int
link_key(const char *k)
{
	static const char *const keys[] = { "link", "url", "file", "online",
		"booking", "website", NULL };
	size_t i;

	for (i = 0; keys[i]; i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

/* Walk a record's tree for link fields.  The YAML reader caps nesting at
 * NB_YAML_MAX_DEPTH, which bounds the recursion. */
static void
walk_links(ck *c, const char *path, const nb_node *n, const char *key)
{
	size_t i;

	if (!n)
		return;
	switch (n->kind) {
	case NB_NODE_SCALAR:
		if (key && link_key(key)) {
			char *where = nb_arena_printf(c->a, "in `%s`", key);
			check_link(c, path, n->line, n->col, n->str, where);
		}
		break;
	case NB_NODE_SEQ:
		for (i = 0; i < n->n; i++)
			walk_links(c, path, n->items[i], key);
		break;
	case NB_NODE_MAP:
		for (i = 0; i < n->n; i++)
			walk_links(c, path, n->items[i], n->keys[i]->str);
		break;
	}
}

/* ---- placeholders left by `noticeboard new` ---------------------------- */

static void
check_placeholders(ck *c, const char *path)
{
	const ckfile *f = file_get(c, path);
	const char *p, *end;
	int line = 1;

	if (!f->text)
		return;
	for (p = f->text, end = f->text + f->len; p < end; line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *hit = NULL, *q;
		size_t n;

		if (!eol)
			eol = end;
		while (s < eol && (*s == ' ' || *s == '\t'))
			s++;
		if (s < eol && *s != '#') {
			for (q = s; q + 4 <= eol; q++)
				if (memcmp(q, "TODO", 4) == 0) {
					hit = q;
					break;
				}
		}
		if (hit) {
			nb_node at;
			memset(&at, 0, sizeof(at));
			at.line = line;
			at.col = (int)(hit - p) + 1;
			n = (size_t)(eol - s);
			if (n && s[n - 1] == '\r')
				n--;
			warn(c, path, &at,
			     "replace it with the real text, or delete the line if the field is optional",
			     "placeholder left from `noticeboard new`: %.*s%s",
			     (int)(n > 100 ? 100 : n), s, n > 100 ? "..." : "");
		}
		p = eol + 1;
	}
}

/* ---- the check ---------------------------------------------------------- */

static void
check_records(ck *c)
{
	const nb_model *m = c->m;
	int consult = consult_rung(&m->site);
	nb_vec files = { NULL, 0, 0 };
	size_t i;

	check_fatigue(c);
	for (i = 0; i < m->consultations.len; i++)
		check_consultation(c, m->consultations.items[i], consult);
	check_venues(c);

	for (i = 0; i < m->consultations.len; i++) {
		const nb_consultation *x = m->consultations.items[i];
		check_body(c, x->path, x->body_html);
		nb_vec_push(c->a, &files, (void *)x->path);
	}
	for (i = 0; i < m->events.len; i++) {
		const nb_event *x = m->events.items[i];
		check_body(c, x->path, x->body_html);
		nb_vec_push(c->a, &files, (void *)x->path);
	}
	for (i = 0; i < m->outcomes.len; i++) {
		const nb_outcome *x = m->outcomes.items[i];
		check_body(c, x->path, x->body_html);
		nb_vec_push(c->a, &files, (void *)x->path);
	}
	for (i = 0; i < m->pages.len; i++) {
		const nb_page *x = m->pages.items[i];
		check_body(c, x->path, x->body_html);
		nb_vec_push(c->a, &files, (void *)x->path);
	}
	for (i = 0; i < m->partners.len; i++)
		nb_vec_push(c->a, &files, (void *)((nb_partner *)m->partners.items[i])->path);
	for (i = 0; i < m->areas.len; i++)
		nb_vec_push(c->a, &files, (void *)((nb_area *)m->areas.items[i])->path);
	nb_vec_push(c->a, &files, (void *)"site.yaml");
	nb_vec_push(c->a, &files, (void *)"content/topics.yaml");
	nb_vec_push(c->a, &files, (void *)"content/audiences.yaml");
	for (i = 0; i < files.len; i++) {
		const char *path = files.items[i];
		if (!nb_source_exists(c->src, path))
			continue;
		walk_links(c, path, file_get(c, path)->root, NULL);
		check_placeholders(c, path);
	}
}

int
nb_check(const nb_check_opts *opts, nb_build_stats *stats, nb_diags *d)
{
	nb_build_opts bo = opts->build;
	nb_diags ignore = NB_DIAGS_INIT;
	nb_source *src = NULL;
	const char *tmp = getenv("TMPDIR");
	char dir[4096], out[4200];
	ck c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	if (snprintf(dir, sizeof(dir), "%s/noticeboard-check-XXXXXX",
		     tmp && *tmp ? tmp : "/tmp") >= (int)sizeof(dir) ||
	    !mkdtemp(dir)) {
		nb_error(d, dir, 0, 0, "set TMPDIR to a folder you can write to",
			 "cannot make a temporary folder to check the site in");
		return -1;
	}
	snprintf(out, sizeof(out), "%s/site", dir);
	bo.output = out;
	bo.check_only = 0;
	bo.dry = 1;   /* every page rendered; only the list of files written */
	if (nb_build(&bo, stats, d) != 0)
		goto done;

	/* the build succeeded, so loading the model again does too; its
	 * warnings were reported by the build */
	if ((opts->build.repo ?
	     nb_source_open_git(&src, opts->build.repo, opts->build.ref, &ignore) :
	     nb_source_open_dir(&src, opts->build.source, &ignore)) != 0 ||
	    nb_model_load(&c.m, src, &ignore) != 0) {
		rc = 0;
		goto done;
	}
	c.src = src;
	c.a = nb_arena_new();
	c.d = d;
	if (read_site(&c, out) != 0) {
		nb_error(d, out, 0, 0, "set TMPDIR to a folder you can write to",
			 "cannot read back the list of the checked site's files");
		goto done;
	}
	c.min_days = opts->min_open_days;
	c.prefix = nb_view_prefix(c.a, c.m->site.base_url ?
				  c.m->site.base_url : "");
	c.today = opts->build.has_today ? opts->build.today :
		  nb_tz_from_utc(opts->build.now, NULL).date;
	nb_derive(c.m, c.today);
	check_records(&c);
	rc = 0;
done:
	nb_map_free(&c.files);
	nb_map_free(&c.site_files);
	nb_map_free(&c.site_dirs);
	free(c.site_list);
	nb_arena_free(c.a);
	nb_model_free(c.m);
	nb_source_free(src);
	nb_diags_free(&ignore);
	nb_rmtree(dir);
	return rc;
}

void
nb_check_strict(nb_diags *d)
{
	size_t i;

	for (i = 0; i < d->len; i++) {
		if (d->items[i].sev == NB_SEV_WARNING) {
			d->items[i].sev = NB_SEV_ERROR;
			d->warnings--;
			d->errors++;
		}
	}
}

/* A JSON string; bytes that are not UTF-8 (jansson refuses them) become
 * '?'. */
static json_t *
jstr(const char *s)
{
	json_t *j = json_string(s);
	char *copy;
	size_t i;

	if (j)
		return j;
	copy = nb_xstrdup(s);
	for (i = 0; copy[i]; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

int
nb_check_print_json(FILE *fp, const nb_diags *d)
{
	json_t *arr = json_array();
	size_t i;
	int rc = 0;

	if (!arr)
		return -1;
	for (i = 0; i < d->len && rc == 0; i++) {
		const nb_diag *it = &d->items[i];
		json_t *o = json_pack("{s:o, s:i, s:i, s:s, s:o, s:o}",
			"file", jstr(it->path),
			"line", it->line,
			"column", it->line > 0 && it->col <= 0 ? 1 : it->col,
			"severity", it->sev == NB_SEV_ERROR ? "error" : "warning",
			"message", jstr(it->msg),
			"hint", it->hint ? jstr(it->hint) : json_null());
		if (!o || json_array_append_new(arr, o) != 0)
			rc = -1;
	}
	if (rc == 0 && json_dumpf(arr, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		rc = -1;
	if (rc == 0 && (fputc('\n', fp) == EOF || ferror(fp)))
		rc = -1;
	json_decref(arr);
	return rc;
}
