/*
 * model.c - from YAML nodes to typed, linked, validated records.
 *
 * Records are read in dependency order (site, topics, audiences, partners,
 * areas, consultations, events, outcomes, pages) so that every id a record
 * names can be resolved as soon as the record is read.  YAML trees live in
 * a scratch arena per file; the strings a record keeps are copied into the
 * model's arena, so memory grows with the content, not with its syntax.
 * Every problem is reported with the position of the offending node, and
 * loading goes on to find the rest.
 */
#include "model.h"
#include "data.h"
#include "image.h"
#include "cache.h"
#include "git.h"
#include "ical.h"
#include "markdown.h"
#include "yaml.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
nb_vec_push(nb_arena *a, nb_vec *v, void *item)
{
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		v->items = nb_arena_grow(a, v->items, v->cap * sizeof(void *),
					 cap * sizeof(void *));
		v->cap = cap;
	}
	v->items[v->len++] = item;
}

void
nb_vec_reserve(nb_arena *a, nb_vec *v, size_t n)
{
	if (v->cap - v->len < n) {
		v->items = nb_arena_grow(a, v->items, v->cap * sizeof(void *),
					 (v->len + n) * sizeof(void *));
		v->cap = v->len + n;
	}
}

static const char *status_labels[NB_STATUS_COUNT] = {
	"Upcoming", "Open", "Closing soon", "Closed", "Feedback overdue",
	"Outcome published", "Cancelled", "Postponed"
};
static const char *status_slugs[NB_STATUS_COUNT] = {
	"upcoming", "open", "closing-soon", "closed", "feedback-overdue",
	"outcome-published", "cancelled", "postponed"
};

const char *
nb_status_label(nb_status s)
{
	return s < NB_STATUS_COUNT ? status_labels[s] : "Unknown";
}

const char *
nb_status_slug(nb_status s)
{
	return s < NB_STATUS_COUNT ? status_slugs[s] : "unknown";
}

const char *
nb_did_label(nb_did_state s)
{
	switch (s) {
	case NB_DID_DONE: return "Done";
	case NB_DID_IN_PROGRESS: return "In progress";
	default: return "Not possible";
	}
}

static const char *promise_labels[NB_PROMISE_COUNT] = {
	"Not closed", "Feedback on its way", "Published on time",
	"Published late", "Feedback overdue", "No date promised"
};
static const char *promise_slugs[NB_PROMISE_COUNT] = {
	"none", "awaiting", "on-time", "late", "overdue", "undated"
};

const char *
nb_promise_label(nb_promise p)
{
	return p < NB_PROMISE_COUNT ? promise_labels[p] : "Unknown";
}

const char *
nb_promise_slug(nb_promise p)
{
	return p < NB_PROMISE_COUNT ? promise_slugs[p] : "unknown";
}

int
nb_id_valid(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > 80 || id[0] == '-' || id[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return 0;
	}
	return 1;
}

/* ---- reading fields ---------------------------------------------------- */

/* One record being read: where it came from and where errors go. */
#define NB_HARD_TO_READ 20.0   /* Flesch reading ease: "very difficult" */

/* A Markdown record file's entry in the parse cache (cache.h): what it
 * gave, or what its reading gives, to be kept for the next build. */
typedef struct md_entry {
	unsigned char oid[NB_OID_LEN];
	int have_oid;        /* the file is a blob: it may be kept */
	int hit;             /* p came from the cache */
	int html_calls;      /* body_html() calls for the file */
	nb_parsed p;         /* in the record's scratch arena */
	nb_arena *scratch;
} md_entry;

typedef struct rd {
	nb_model *m;
	nb_arena *a;         /* the model's arena: what records keep */
	nb_diags *d;
	const char *path;    /* arena copy */
	int errors;
	int body_line;       /* file line the Markdown body starts on */
	md_entry *md;        /* or NULL */
} rd;

static void
err(rd *r, const nb_node *at, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
err(rd *r, const nb_node *at, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nb_diag_vadd(r->d, NB_SEV_ERROR, r->path, at ? at->line : 0,
		     at ? at->col : 0, hint, fmt, ap);
	va_end(ap);
	r->errors++;
}

static void
warn(rd *r, const nb_node *at, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
warn(rd *r, const nb_node *at, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nb_diag_vadd(r->d, NB_SEV_WARNING, r->path, at ? at->line : 0,
		     at ? at->col : 0, hint, fmt, ap);
	va_end(ap);
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[82];

	if (la > 80 || lb > 80)
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

/* The closest of `n` candidate names to `name`, or NULL when none is
 * close enough to be what was meant. */
static const char *
closest(const char *name, const char *const *cands, size_t n)
{
	size_t i, best = (size_t)-1, limit = strlen(name) / 3 + 1;
	const char *pick = NULL;

	if (limit < 2)
		limit = 2;
	for (i = 0; i < n; i++) {
		size_t dist;
		if (!cands[i])
			continue;
		dist = edit_distance(name, cands[i]);
		if (dist < best) {
			best = dist;
			pick = cands[i];
		}
	}
	return best <= limit ? pick : NULL;
}

static const char *
closest_in_map(const char *name, const nb_map *ids)
{
	return closest(name, ids->keys, ids->cap);
}

/* Warn about keys a record type does not know, suggesting the right one. */
static void
check_keys(rd *r, const nb_node *m, const char *const *known)
{
	size_t i, n = 0;

	if (!m || m->kind != NB_NODE_MAP)
		return;
	while (known[n])
		n++;
	for (i = 0; i < m->n; i++) {
		const char *k = m->keys[i]->str;
		const char *near;
		char hint[160];
		size_t j;
		int found = 0;

		for (j = 0; j < n && !found; j++)
			found = strcmp(k, known[j]) == 0;
		if (found)
			continue;
		near = closest(k, known, n);
		if (near)
			snprintf(hint, sizeof(hint), "did you mean `%s`?", near);
		else
			snprintf(hint, sizeof(hint),
				 "check the spelling; docs/records.md lists the fields");
		warn(r, m->keys[i], hint, "unknown field `%s` is ignored", k);
	}
}

static const char *
kind_name(const nb_node *n)
{
	switch (n->kind) {
	case NB_NODE_SEQ: return "a list";
	case NB_NODE_MAP: return "a set of fields";
	default: return "text";
	}
}

/* A field's node; reports a missing required field at the map. */
static const nb_node *
field(rd *r, const nb_node *m, const char *key, int required,
      const char *example)
{
	const nb_node *n = nb_node_get(m, key);
	char hint[200];

	if (n && !(n->kind == NB_NODE_SCALAR && nb_node_is_null(n)))
		return n;
	if (required) {
		if (example)
			snprintf(hint, sizeof(hint), "add a line like: %s: %s",
				 key, example);
		else
			snprintf(hint, sizeof(hint), "add the `%s` field", key);
		if (n)
			err(r, n, hint, "`%s` is empty", key);
		else
			err(r, m, hint, "missing required field `%s`", key);
	}
	return NULL;
}

static const char *
str_field(rd *r, const nb_node *m, const char *key, int required,
	  const char *example)
{
	const nb_node *n = field(r, m, key, required, example);

	if (!n)
		return NULL;
	if (n->kind != NB_NODE_SCALAR) {
		err(r, n, "write it as a single line of text (use quotes if it contains a colon)",
		    "`%s` should be text, not %s", key, kind_name(n));
		return NULL;
	}
	return nb_arena_strndup(r->a, n->str, n->len);
}

static int
scalar_bool(const nb_node *n, int *out)
{
	static const char *yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", NULL };
	static const char *no[] = { "false", "False", "FALSE", "no", "No", "NO", NULL };
	int i;

	if (n->kind != NB_NODE_SCALAR)
		return -1;
	for (i = 0; yes[i]; i++)
		if (strcmp(n->str, yes[i]) == 0)
			return *out = 1, 0;
	for (i = 0; no[i]; i++)
		if (strcmp(n->str, no[i]) == 0)
			return *out = 0, 0;
	return -1;
}

/* -1 when absent, else 0 or 1. */
static int
bool_field(rd *r, const nb_node *m, const char *key)
{
	const nb_node *n = field(r, m, key, 0, NULL);
	int v;

	if (!n)
		return -1;
	if (scalar_bool(n, &v) != 0) {
		err(r, n, "write true or false", "`%s` should be true or false",
		    key);
		return -1;
	}
	return v;
}

static int
long_field(rd *r, const nb_node *m, const char *key, int required,
	   long *out)
{
	const nb_node *n = field(r, m, key, required, "120");
	char *end;
	long v;

	*out = 0;
	if (!n)
		return -1;
	errno = 0;
	v = n->kind == NB_NODE_SCALAR ? strtol(n->str, &end, 10) : 0;
	if (n->kind != NB_NODE_SCALAR || end == n->str || *end || errno ||
	    v < 0) {
		err(r, n, "write a whole number, like 120",
		    "`%s` should be a whole number of 0 or more", key);
		return -1;
	}
	*out = v;
	return 0;
}

/* An optional whole number from lo to hi: 0 and *out set when it is
 * given and in range, -1 when it is absent or wrong (wrong is reported,
 * with `hint`). */
static int
range_field(rd *r, const nb_node *m, const char *key, long lo, long hi,
	    const char *hint, long *out)
{
	const nb_node *n = field(r, m, key, 0, NULL);
	char *end = NULL;
	long v = 0;

	*out = 0;
	if (!n)
		return -1;
	errno = 0;
	if (n->kind == NB_NODE_SCALAR)   /* out of range: LONG_MIN or MAX */
		v = strtol(n->str, &end, 10);
	if (n->kind != NB_NODE_SCALAR || end == n->str || *end ||
	    (errno && errno != ERANGE)) {
		err(r, n, hint, "`%s` should be a whole number", key);
		return -1;
	}
	if (v < lo) {
		err(r, n, hint, "`%s` should be at least %ld", key, lo);
		return -1;
	}
	if (v > hi) {
		err(r, n, hint, "`%s` is too large: at most %ld", key, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int
date_field(rd *r, const nb_node *m, const char *key, int required,
	   nb_date *out)
{
	const nb_node *n = field(r, m, key, required, "2026-12-05");
	char why[120];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!n)
		return -1;
	if (n->kind != NB_NODE_SCALAR) {
		err(r, n, "write dates as YYYY-MM-DD, for example 2026-12-05",
		    "`%s` should be a date, not %s", key, kind_name(n));
		return -1;
	}
	rc = nb_date_parse(out, n->str, n->len, why, sizeof(why));
	if (rc == -1)
		err(r, n, "write dates as YYYY-MM-DD, for example 2026-12-05",
		    "`%s` is not a date: \"%s\"", key, n->str);
	else if (rc < 0)
		err(r, n, "check the day and month", "`%s` is not a real date: %s",
		    key, why);
	return rc < 0 ? -1 : 0;
}

/* A wall time that does not exist in the site's zone (01:30 on the night
 * the clocks go forward) is published moved on by the gap (02:30 summer
 * time), as it is placed in the calendar; say so, and show it that way
 * too, so the page never shows a time that did not happen. */
static void
skip_gap(rd *r, const nb_node *n, const char *key, nb_local *l)
{
	nb_local real = nb_tz_from_utc(nb_tz_to_utc(*l), NULL);
	nb_buf was = NB_BUF_INIT, is = NB_BUF_INIT, day = NB_BUF_INIT;

	if (nb_local_cmp(real, *l) == 0)
		return;
	nb_fmt_time(&was, l->hour, l->minute);
	nb_fmt_time(&is, real.hour, real.minute);
	nb_fmt_date_long(&day, l->date);
	warn(r, n, "the clocks go forward that night: write the time as it "
	     "will be on the clock, or move the meeting",
	     "`%s`: %s does not exist on %s in %s; it is published as %s",
	     key, nb_buf_cstr(&was), nb_buf_cstr(&day),
	     r->m->site.time_zone ? r->m->site.time_zone : "the site's zone",
	     nb_buf_cstr(&is));
	nb_buf_free(&was);
	nb_buf_free(&is);
	nb_buf_free(&day);
	*l = real;
}

static int
local_field(rd *r, const nb_node *m, const char *key, int required,
	    nb_local *out)
{
	const nb_node *n = field(r, m, key, required, "2026-12-08 19:00");
	char why[120];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!n)
		return -1;
	if (n->kind != NB_NODE_SCALAR) {
		err(r, n, "write date and time as YYYY-MM-DD HH:MM, for example 2026-12-08 19:00",
		    "`%s` should be a date and time, not %s", key, kind_name(n));
		return -1;
	}
	rc = nb_local_parse(out, n->str, n->len, why, sizeof(why));
	if (rc == -1)
		err(r, n, "write date and time as YYYY-MM-DD HH:MM (24-hour clock), for example 2026-12-08 19:00",
		    "`%s` is not a date and time: \"%s\"", key, n->str);
	else if (rc < 0)
		err(r, n, "check the day, month and time",
		    "`%s` is not a real date and time: %s", key, why);
	else
		skip_gap(r, n, key, out);
	return rc < 0 ? -1 : 0;
}

/* A list of strings; a single scalar counts as a list of one. */
static const char **
strs_field(rd *r, const nb_node *m, const char *key, int required,
	   size_t *len, const nb_node ***nodes)
{
	const nb_node *n = field(r, m, key, required, "[first, second]");
	const char **v;
	size_t i, k = 0;

	*len = 0;
	if (nodes)
		*nodes = NULL;
	if (!n)
		return NULL;
	if (n->kind == NB_NODE_MAP) {
		err(r, n, "write a list, one `- item` per line",
		    "`%s` should be a list", key);
		return NULL;
	}
	if (n->kind == NB_NODE_SCALAR) {
		v = nb_arena_alloc(r->a, sizeof(*v));
		v[0] = nb_arena_strndup(r->a, n->str, n->len);
		if (nodes) {
			*nodes = nb_arena_alloc(r->a, sizeof(**nodes));
			(*nodes)[0] = n;
		}
		*len = 1;
		return v;
	}
	v = nb_arena_alloc(r->a, (n->n ? n->n : 1) * sizeof(*v));
	if (nodes)
		*nodes = nb_arena_alloc(r->a, (n->n ? n->n : 1) * sizeof(**nodes));
	for (i = 0; i < n->n; i++) {
		const nb_node *it = n->items[i];
		if (it->kind != NB_NODE_SCALAR) {
			err(r, it, "each item should be a single line of text",
			    "items of `%s` should be text, not %s", key,
			    kind_name(it));
			continue;
		}
		if (nodes)
			(*nodes)[k] = it;
		v[k++] = nb_arena_strndup(r->a, it->str, it->len);
	}
	*len = k;
	return v;
}

/* A list of maps (take_part, documents, events...). */
static const nb_node *
maps_field(rd *r, const nb_node *m, const char *key, int required)
{
	const nb_node *n = field(r, m, key, required, NULL);
	size_t i;

	if (!n)
		return NULL;
	if (n->kind != NB_NODE_SEQ) {
		err(r, n, "write a list, each item starting with `- `",
		    "`%s` should be a list", key);
		return NULL;
	}
	for (i = 0; i < n->n; i++) {
		if (n->items[i]->kind != NB_NODE_MAP) {
			err(r, n->items[i], "each item needs its own fields, like `- title: ...`",
			    "items of `%s` should be sets of fields, not %s",
			    key, kind_name(n->items[i]));
			return NULL;
		}
	}
	return n;
}

static const nb_node *
map_field(rd *r, const nb_node *m, const char *key, int required)
{
	const nb_node *n = field(r, m, key, required, NULL);

	if (n && n->kind != NB_NODE_MAP) {
		err(r, n, "indent its fields under it, like `  name: ...`",
		    "`%s` should be a set of fields, not %s", key, kind_name(n));
		return NULL;
	}
	return n;
}

/* Links: web addresses, email, phone, or a path on this site.  Anything
 * else (javascript:, data:, file:) is refused. */
static int
url_ok(const char *u)
{
	static const char *ok[] = { "https://", "http://", "mailto:", "tel:",
				    "/", NULL };
	int i;

	/* "//host" and "/\\host" leave the site (browsers read a backslash
	 * as a slash) */
	if (u[0] == '/' && (u[1] == '/' || u[1] == '\\'))
		return 0;
	for (i = 0; ok[i]; i++)
		if (strncasecmp(u, ok[i], strlen(ok[i])) == 0)
			return 1;
	return 0;
}

static const char *
url_field(rd *r, const nb_node *m, const char *key, int required)
{
	const char *u = str_field(r, m, key, required,
				  "https://www.example.org.uk/page");
	const nb_node *n = nb_node_get(m, key);
	size_t i;

	if (!u)
		return NULL;
	for (i = 0; u[i]; i++) {
		if ((unsigned char)u[i] <= ' ') {
			err(r, n, "remove spaces from the address, or write them as %20",
			    "`%s` has a space or control character in it", key);
			return NULL;
		}
	}
	if (!url_ok(u)) {
		err(r, n, "links must start with https://, http://, mailto:, tel: or /",
		    "`%s` is not a link Noticeboard can publish: \"%s\"", key, u);
		return NULL;
	}
	return u;
}

static nb_term *
resolve(rd *r, const nb_node *at, const char *id, const nb_map *ids,
	const char *kind, const char *dir)
{
	void *p = nb_map_get(ids, id);
	char hint[200];
	const char *near;

	if (p)
		return p;
	/* "../x" or "/etc/x": no record has such an id, and no near one
	 * is worth suggesting */
	near = nb_id_valid(id) ? closest_in_map(id, ids) : NULL;
	if (!nb_id_valid(id))
		snprintf(hint, sizeof(hint),
			 "an id is the name of a record's file without its "
			 "extension: lower-case letters, digits and hyphens");
	else if (near)
		snprintf(hint, sizeof(hint), "did you mean `%s`?", near);
	else
		snprintf(hint, sizeof(hint), "add %s or fix the id", dir);
	err(r, at, hint, "unknown %s `%s`", kind, id);
	return NULL;
}

/* A list of ids resolved against one kind of record. */
static void
refs_field(rd *r, const nb_node *m, const char *key, int required,
	   const nb_map *ids, const char *kind, const char *dir, nb_vec *out,
	   int *everywhere)
{
	const nb_node **nodes;
	const char **v;
	size_t n, i;

	v = strs_field(r, m, key, required, &n, &nodes);
	for (i = 0; i < n; i++) {
		void *p;
		if (everywhere && strcmp(v[i], "all") == 0) {
			*everywhere = 1;
			continue;
		}
		p = resolve(r, nodes[i], v[i], ids, kind, dir);
		if (p)
			nb_vec_push(r->a, out, p);
	}
}

static nb_contact *
contact_read(rd *r, const nb_node *c)
{
	static const char *const keys[] = { "name", "role", "email", "phone",
					    NULL };
	nb_contact *ct = nb_arena_alloc(r->a, sizeof(*ct));

	check_keys(r, c, keys);
	ct->name = str_field(r, c, "name", 1, "Engagement team");
	ct->role = str_field(r, c, "role", 0, NULL);
	ct->email = str_field(r, c, "email", 0, NULL);
	ct->phone = str_field(r, c, "phone", 0, NULL);
	if (ct->email && !strchr(ct->email, '@'))
		err(r, nb_node_get(c, "email"), "write a full address, like team@example.org.uk",
		    "`email` is not an email address");
	return ct;
}

static nb_document *
documents_read(rd *r, const nb_node *m, size_t *len)
{
	static const char *const keys[] = { "title", "url", "file", "format",
					    "size", NULL };
	const nb_node *l = maps_field(r, m, "documents", 0);
	nb_document *v;
	size_t i;

	*len = 0;
	if (!l || !l->n)
		return NULL;
	v = nb_arena_alloc(r->a, l->n * sizeof(*v));
	for (i = 0; i < l->n; i++) {
		const nb_node *dn = l->items[i];
		check_keys(r, dn, keys);
		v[i].title = str_field(r, dn, "title", 1, "Proposals (PDF)");
		v[i].url = url_field(r, dn, "url", 0);
		if (!v[i].url)
			v[i].url = url_field(r, dn, "file", 0);
		if (!v[i].url && !nb_node_get(dn, "url") &&
		    !nb_node_get(dn, "file"))
			err(r, dn, "add `url: https://...` or `file: /documents/name.pdf`",
			    "a document needs a `url` or a `file`");
		v[i].format = str_field(r, dn, "format", 0, NULL);
		v[i].size = str_field(r, dn, "size", 0, NULL);
	}
	*len = l->n;
	return v;
}

/* The body as HTML, with its warnings; from the parse cache when the file
 * is unchanged, and noted for it when not. */
static const char *
body_html(rd *r, const char *body, size_t len)
{
	md_entry *md = r->md;
	size_t from = r->d->len, i;
	const char *html;
	nb_parsed_diag *v;

	if (md)
		md->html_calls++;
	/* from the cache: the same text each time (its body is not kept) */
	if (md && md->hit && md->p.html) {
		for (i = 0; i < md->p.n_diags; i++) {
			const nb_parsed_diag *g = &md->p.diags[i];
			nb_diag_add(r->d, (nb_severity)g->sev, r->path, g->line,
				    g->col, g->hint, "%s", g->msg);
		}
		return nb_arena_strdup(r->a, md->p.html);
	}
	html = nb_markdown_body(r->a, body, len, 1, r->path, r->body_line,
				r->d);
	if (!md || md->hit)
		return html;
	if (md->html_calls > 1) {
		md->p.html = NULL;   /* not one body: keep none */
		md->p.n_diags = 0;
		return html;
	}
	md->p.html = html;
	md->p.n_diags = r->d->len - from;
	md->p.diags = v = nb_arena_alloc(md->scratch,
					 (md->p.n_diags + 1) * sizeof(*v));
	for (i = 0; i < md->p.n_diags; i++) {
		const nb_diag *g = &r->d->items[from + i];
		v[i].sev = (int)g->sev;
		v[i].line = g->line;
		v[i].col = g->col;
		v[i].msg = g->msg;
		v[i].hint = g->hint;
	}
	return html;
}

/* Syllables in a word, roughly: groups of vowels, less a silent final e. */
static int
syllables(const char *w, size_t n)
{
	int count = 0, prev = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int v = strchr("aeiouyAEIOUY", w[i]) != NULL && w[i];
		if (v && !prev)
			count++;
		prev = v;
	}
	if (n > 2 && (w[n - 1] == 'e' || w[n - 1] == 'E') &&
	    !strchr("aeiouy", w[n - 2]) && count > 1)
		count--;
	return count ? count : 1;
}

/* The Flesch reading ease of a text: 60 and up is plain English; under
 * 30 is hard (university level).  Returns 100 for text too short to
 * judge. */
static double
reading_ease(const char *s)
{
	long words = 0, sentences = 0, syl = 0;
	const char *p = s;

	while (*p) {
		const char *start;
		while (*p && !isalnum((unsigned char)*p)) {
			if (*p == '.' || *p == '!' || *p == '?')
				sentences++;
			p++;
		}
		start = p;
		while (*p && (isalnum((unsigned char)*p) || *p == '\'' ||
			      (unsigned char)*p >= 0x80))
			p++;
		if (p > start) {
			words++;
			syl += syllables(start, (size_t)(p - start));
		}
	}
	if (words < 8)
		return 100.0;
	if (!sentences)
		sentences = 1;
	return 206.835 - 1.015 * ((double)words / (double)sentences) -
	       84.6 * ((double)syl / (double)words);
}

/* A summary is what most people read: warn when it is hard to read. */
static void
check_summary(rd *r, const nb_node *m, const char *summary)
{
	double ease;

	if (!summary)
		return;
	ease = reading_ease(summary);
	if (ease < NB_HARD_TO_READ)
		warn(r, nb_node_get(m, "summary"),
		     "use shorter sentences and everyday words: aim for a reading ease of 60 or more",
		     "the summary is hard to read (reading ease %.0f of 100)",
		     ease > -0.5 && ease < 0.5 ? 0.0 : ease);   /* never "-0" */
}

/* ---- parsing files ------------------------------------------------------ */

/* A 64-bit signature, eight bytes at a time.  Each step is a bijection of
 * h for a given word and of the word for a given h, so a change within
 * one word always changes the signature; others collide by chance. */
static inline uint64_t
sig_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

uint64_t
nb_sig(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = sig_step(h, w);
	}
	w = (uint64_t)len << 56;   /* the last 0 to 7 bytes, and how many */
	while (len--)
		w |= (uint64_t)p[len] << (8 * len);
	return sig_step(h, w);
}

uint64_t
nb_sig_u64(uint64_t h, uint64_t v)
{
	return sig_step(h, v);
}

/* A file's parse from the cache of the last build, when it is there: the
 * blob id says the bytes are the same.  1 when found (and *p set). */
static int
cached(nb_cache *cache, const nb_source *src, const char *path,
       const unsigned char *known, nb_arena *scratch,
       unsigned char oid[NB_OID_LEN], int *have_oid, nb_parsed *p)
{
	if (cache && known) {
		/* from the folder's listing (nb_source_list_ids) */
		memcpy(oid, known, NB_OID_LEN);
		*have_oid = 1;
	} else {
		*have_oid = cache && nb_source_blob(src, path, oid) == 0;
	}
	return *have_oid && nb_cache_get(cache, oid, scratch, p);
}

/* The same for a folder's file, whose id is known only from its bytes
 * (read already): it is worked out as git would, and looked up.  1 when
 * found. */
static int
cached_bytes(nb_cache *cache, const char *data, size_t len,
	     nb_arena *scratch, unsigned char oid[NB_OID_LEN], int *have_oid,
	     nb_parsed *p)
{
	if (!cache || *have_oid)
		return 0;
	*have_oid = nb_git_hash_blob(data, len, oid) == 0;
	return *have_oid && nb_cache_get(cache, oid, scratch, p);
}

/* Parse a .yaml file into a node tree in `scratch`. */
static int
parse_yaml_file(const nb_node **out, nb_arena *scratch, const nb_source *src,
		nb_cache *cache, const char *path, const unsigned char *known,
		nb_diags *d, uint64_t *sig)
{
	unsigned char oid[NB_OID_LEN];
	nb_parsed p;
	nb_node *root = NULL;
	char *data;
	size_t len;
	int rc, have_oid;

	*out = NULL;
	if (cached(cache, src, path, known, scratch, oid, &have_oid, &p) &&
	    !p.body && p.root) {
		*out = p.root;
		if (sig)
			*sig = p.sig;
		return 0;
	}
	rc = nb_source_read(src, path, &data, &len, d);
	if (rc != 0)
		return rc;
	if (cached_bytes(cache, data, len, scratch, oid, &have_oid, &p) &&
	    !p.body && p.root) {
		free(data);
		*out = p.root;
		if (sig)
			*sig = p.sig;
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.sig = nb_sig(NB_SIG_INIT, data, len);
	if (sig)
		*sig = p.sig;
	rc = nb_yaml_parse(&root, scratch, path, data, len, 1, d);
	free(data);
	if (rc == 0 && have_oid) {
		p.root = root;
		nb_cache_put(cache, oid, &p);
	}
	*out = root;
	return rc;
}

/* A .md file's cache entry found: 1 when it can be used, with what it
 * gave set (a record's image, or the front matter and the body). */
static int
md_hit(md_entry *md, const nb_node **out, const char **body,
       size_t *body_len, int *body_line, uint64_t *sig)
{
	const nb_parsed *p = &md->p;

	if (!p->rec && !(p->root && p->body && p->root->kind == NB_NODE_MAP))
		return 0;
	md->hit = 1;
	if (sig)
		*sig = p->sig;
	if (p->rec)
		return 1;   /* load_one takes the record from it */
	*out = p->root;
	*body = p->body;
	*body_len = p->body_len;
	*body_line = p->body_line;
	return 1;
}

/* A hash of a front matter's tree, in order, kinds and quoting and all. */
static uint64_t
tree_sig(uint64_t h, const nb_node *n, int top)
{
	size_t i;

	h = nb_sig_u64(h, (uint64_t)n->kind << 1 | (n->plain != 0));
	if (n->kind == NB_NODE_SCALAR)
		return nb_sig(h, n->len ? n->str : "", n->len);
	h = nb_sig_u64(h, n->n);
	for (i = 0; i < n->n; i++) {
		if (n->kind == NB_NODE_MAP) {
			const nb_node *k = n->keys[i];
			if (top && k->len == 7 && memcmp(k->str, "summary", 7) == 0)
				continue;   /* its key is in the count */
			h = tree_sig(h, k, 0);
		}
		h = tree_sig(h, n->items[i], 0);
	}
	return h;
}

/* What a record file says but its summary: its front matter's tree
 * without the top-level `summary`, and its body.  Pages that show no
 * summaries (a month's, the calendar's: render.c asks their templates)
 * depend on this, not on the file's bytes, so an edited summary does not
 * render them again.  Never 0 (0 is "not known"). */
static uint64_t
brief_sig(const nb_node *root, const char *body, size_t body_len)
{
	uint64_t h = tree_sig(nb_sig_u64(NB_SIG_INIT, 0x6272696566), root, 1);

	h = nb_sig(h, body ? body : "", body_len);
	return h ? h : 1;
}

/* Parse a .md file: front matter (must be a map) and body (copied into
 * scratch).  With the cache, md says what it gave (md->hit: a record's
 * image, or the parse) or what to put in it once the record is read
 * (load_one). */
static int
parse_md_file(const nb_node **out, const char **body, size_t *body_len,
	      int *body_line, nb_arena *scratch, const nb_source *src,
	      nb_cache *cache, md_entry *md, const char *path,
	      const unsigned char *known, nb_diags *d, uint64_t *sig)
{
	const char *fm, *b;
	size_t fm_len, b_len;
	int fm_line, b_line, rc;
	nb_node *root = NULL;
	nb_parsed *p = &md->p;
	char *data;
	size_t len;

	*out = NULL;
	memset(md, 0, sizeof(*md));
	md->scratch = scratch;
	if (cached(cache, src, path, known, scratch, md->oid, &md->have_oid,
		   p) &&
	    md_hit(md, out, body, body_len, body_line, sig))
		return 0;
	rc = nb_source_read(src, path, &data, &len, d);
	if (rc != 0)
		return rc;
	if (cached_bytes(cache, data, len, scratch, md->oid, &md->have_oid, p) &&
	    md_hit(md, out, body, body_len, body_line, sig)) {
		free(data);
		return 0;
	}
	memset(p, 0, sizeof(*p));
	p->sig = nb_sig(NB_SIG_INIT, data, len);
	if (sig)
		*sig = p->sig;
	rc = nb_frontmatter_split(path, data, len, &fm, &fm_len, &fm_line, &b,
				  &b_len, &b_line, d);
	if (rc == 0)
		rc = nb_yaml_parse(&root, scratch, path, fm, fm_len, fm_line, d);
	if (rc == 0 && root->kind != NB_NODE_MAP)
		rc = nb_error(d, path, root->line, root->col,
			"write each field on its own line as `name: value`",
			"the front matter should be a set of fields, not %s",
			kind_name(root));
	if (rc == 0) {
		*body = nb_arena_strndup(scratch, b, b_len);
		*body_len = b_len;
		*body_line = b_line;
		*out = root;
		p->brief = brief_sig(root, b, b_len);
		p->root = root;
		p->body = *body;
		p->body_len = b_len;
		p->body_line = b_line;
	} else {
		md->have_oid = 0;   /* nothing to keep */
	}
	free(data);
	return rc;
}

/* ---- site.yaml -------------------------------------------------------- */

static const nb_rung default_ladder[] = {
	{ "inform", "Inform", "We tell you about a decision, a plan or a service." },
	{ "consult", "Consult", "We ask for your views before we decide." },
	{ "involve", "Involve", "We work with you so that your concerns shape the options." },
	{ "collaborate", "Collaborate", "We decide together with you." },
	{ "empower", "Empower", "You decide, and we carry out what you decide." },
};

static void
site_read(rd *r, const nb_node *root)
{
	static const char *const keys[] = { "title", "short_title",
		"description", "base_url", "language", "time_zone", "theme",
		"closing_soon_days", "organisation", "contact_email", "ladder",
		"history_authors", "feed_entries", "calendar_past_days", NULL };
	nb_site *s = &r->m->site;
	const nb_node *l;
	long days, entries, past;

	check_keys(r, root, keys);
	s->title = str_field(r, root, "title", 1, "Our engagement calendar");
	s->short_title = str_field(r, root, "short_title", 0, NULL);
	s->description = str_field(r, root, "description", 0, NULL);
	s->base_url = url_field(r, root, "base_url", 1);
	if (s->base_url && strncmp(s->base_url, "http", 4) != 0) {
		err(r, nb_node_get(root, "base_url"),
		    "write the full address the site is published at, like https://engage.example.org.uk",
		    "`base_url` must start with https:// or http://");
	}
	if (s->base_url) {   /* no trailing slash: URLs are base + "/path/" */
		char *b = (char *)s->base_url;
		size_t n = strlen(b);
		while (n > 0 && b[n - 1] == '/')
			b[--n] = '\0';
	}
	s->language = str_field(r, root, "language", 0, NULL);
	if (!s->language)
		s->language = "en-GB";
	s->time_zone = str_field(r, root, "time_zone", 0, NULL);
	if (!s->time_zone)
		s->time_zone = "Europe/London";
	if (nb_tz_set(s->time_zone) != 0)
		err(r, nb_node_get(root, "time_zone"),
		    "use a tz database name such as Europe/London",
		    "unknown time zone `%s`", s->time_zone);
	s->theme = str_field(r, root, "theme", 0, NULL);
	if (!s->theme)
		s->theme = "default";
	else if (!nb_id_valid(s->theme))
		err(r, nb_node_get(root, "theme"),
		    "name a folder in themes/ (lower-case letters, digits and hyphens)",
		    "`theme` is not a safe theme name");
	s->history_authors = bool_field(r, root, "history_authors") == 1;
	s->organisation = str_field(r, root, "organisation", 0, NULL);
	s->contact_email = str_field(r, root, "contact_email", 0, NULL);
	s->closing_soon_days = 14;
	if (long_field(r, root, "closing_soon_days", 0, &days) == 0) {
		if (days > 365)
			err(r, nb_node_get(root, "closing_soon_days"),
			    "use a number of days from 0 to 365",
			    "`closing_soon_days` is too large");
		else
			s->closing_soon_days = (int)days;
	}
	s->feed_entries = 50;
	if (range_field(r, root, "feed_entries", 1, 100000,
			"write how many of the newest entries each Atom feed shows, from 1 to 100000 (default 50)",
			&entries) == 0)
		s->feed_entries = (int)entries;
	s->calendar_past_days = 365;
	if (range_field(r, root, "calendar_past_days", 0, 100000,
			"write for how many days the calendar feeds keep what has ended, from 0 to 100000 (default 365)",
			&past) == 0)
		s->calendar_past_days = (int)past;

	l = maps_field(r, root, "ladder", 0);
	if (l && l->n) {
		size_t i, j;
		s->ladder = nb_arena_alloc(r->a, l->n * sizeof(nb_rung));
		for (i = 0; i < l->n; i++) {
			static const char *const rk[] = { "id", "label",
							  "description", NULL };
			const nb_node *it = l->items[i];
			check_keys(r, it, rk);
			s->ladder[i].id = str_field(r, it, "id", 1, "consult");
			s->ladder[i].label = str_field(r, it, "label", 1, "Consult");
			s->ladder[i].description =
				str_field(r, it, "description", 0, NULL);
			if (s->ladder[i].id && !nb_id_valid(s->ladder[i].id))
				err(r, nb_node_get(it, "id"),
				    "use lower-case letters, digits and hyphens",
				    "ladder id `%s` is not a safe id",
				    s->ladder[i].id);
			for (j = 0; j < i && s->ladder[i].id; j++)
				if (s->ladder[j].id &&
				    strcmp(s->ladder[j].id, s->ladder[i].id) == 0)
					err(r, nb_node_get(it, "id"),
					    "give each rung its own id",
					    "ladder id `%s` is used twice",
					    s->ladder[i].id);
		}
		s->ladder_len = l->n;
	} else {
		s->ladder = (nb_rung *)default_ladder;
		s->ladder_len = sizeof(default_ladder) / sizeof(default_ladder[0]);
	}
}

/* ---- lookup tables ---------------------------------------------------- */

static void
terms_read(rd *r, const nb_node *root, nb_vec *out, nb_map *ids,
	   const char *kind)
{
	static const char *const keys[] = { "id", "label", "description", NULL };
	size_t i;

	if (root->kind == NB_NODE_MAP && root->n == 0)
		return;   /* empty file */
	if (root->kind != NB_NODE_SEQ) {
		err(r, root, "write a list: `- id: ...` then `  label: ...` for each",
		    "the %s file should be a list", kind);
		return;
	}
	for (i = 0; i < root->n; i++) {
		const nb_node *it = root->items[i];
		nb_term *t;
		void *old;

		if (it->kind != NB_NODE_MAP) {
			err(r, it, "each item needs `id:` and `label:`",
			    "each %s should be a set of fields", kind);
			continue;
		}
		check_keys(r, it, keys);
		t = nb_arena_alloc(r->a, sizeof(*t));
		t->id = str_field(r, it, "id", 1, "transport");
		t->label = str_field(r, it, "label", 1, "Transport and parking");
		t->description = str_field(r, it, "description", 0, NULL);
		if (!t->id)
			continue;
		if (!nb_id_valid(t->id)) {
			err(r, nb_node_get(it, "id"),
			    "use lower-case letters, digits and hyphens, like `road-safety`",
			    "%s id `%s` is not a safe id", kind, t->id);
			continue;
		}
		if (nb_map_put(ids, t->id, t, &old)) {
			err(r, nb_node_get(it, "id"), "give each one its own id",
			    "%s id `%s` is used twice", kind, t->id);
			continue;
		}
		nb_vec_push(r->a, out, t);
	}
}

/* ---- partners and areas ----------------------------------------------- */

static nb_partner *
partner_read(rd *r, const nb_node *root, const char *id)
{
	static const char *const keys[] = { "name", "short_name", "type",
		"website", "description", "email", "phone", "logo", NULL };
	nb_partner *p = nb_arena_alloc(r->a, sizeof(*p));
	const nb_node *logo;

	check_keys(r, root, keys);
	p->id = id;
	p->path = r->path;
	p->name = str_field(r, root, "name", 1, "Thornshire County Council");
	p->short_name = str_field(r, root, "short_name", 0, NULL);
	p->type = str_field(r, root, "type", 0, NULL);
	p->website = url_field(r, root, "website", 0);
	p->description = str_field(r, root, "description", 0, NULL);
	p->email = str_field(r, root, "email", 0, NULL);
	p->phone = str_field(r, root, "phone", 0, NULL);
	logo = map_field(r, root, "logo", 0);
	if (logo) {
		static const char *const lk[] = { "file", "alt", NULL };
		check_keys(r, logo, lk);
		p->logo_file = url_field(r, logo, "file", 1);
		p->logo_alt = str_field(r, logo, "alt", 1,
					"the partner's name as the logo shows it");
	}
	return p;
}

typedef struct pending_parent {
	nb_area *area;
	const char *parent_id;
	int line, col;
	const char *path;
} pending_parent;

static nb_area *
area_read(rd *r, const nb_node *root, const char *id, pending_parent *pp)
{
	static const char *const keys[] = { "name", "type", "parent", "code",
		"description", "contacts", "boundary", NULL };
	nb_area *ar = nb_arena_alloc(r->a, sizeof(*ar));
	const nb_node *cl, *pn;
	size_t i;

	check_keys(r, root, keys);
	ar->id = id;
	ar->path = r->path;
	ar->name = str_field(r, root, "name", 1, "Abbey ward");
	ar->type = str_field(r, root, "type", 1, "ward");
	ar->code = str_field(r, root, "code", 0, NULL);
	ar->description = str_field(r, root, "description", 0, NULL);
	cl = maps_field(r, root, "contacts", 0);
	if (cl && cl->n) {
		ar->contacts = nb_arena_alloc(r->a, cl->n * sizeof(nb_contact));
		for (i = 0; i < cl->n; i++)
			ar->contacts[i] = *contact_read(r, cl->items[i]);
		ar->contacts_len = cl->n;
	}
	pp->area = ar;
	pp->path = r->path;
	pp->parent_id = str_field(r, root, "parent", 0, NULL);
	pn = nb_node_get(root, "parent");
	pp->line = pn ? pn->line : 0;
	pp->col = pn ? pn->col : 0;
	return ar;
}

/* ---- consultations and events ----------------------------------------- */

static void
tags_read(rd *r, const nb_node *root, nb_tags *t, int need_areas)
{
	nb_model *m = r->m;
	const nb_node *ln;
	const char *lead;

	lead = str_field(r, root, "lead", 1, "thornshire-county-council");
	ln = nb_node_get(root, "lead");
	if (lead)
		t->lead = (nb_partner *)resolve(r, ln, lead, &m->partner_ids,
			"partner", "a file in content/partners/");
	refs_field(r, root, "partners", 0, &m->partner_ids, "partner",
		   "a file in content/partners/", &t->partners, NULL);
	refs_field(r, root, "areas", need_areas, &m->area_ids, "area",
		   "a file in content/areas/ (or write `all`)", &t->areas,
		   &t->everywhere);
	refs_field(r, root, "topics", 0, &m->topic_ids, "topic",
		   "it to content/topics.yaml", &t->topics, NULL);
	refs_field(r, root, "audiences", 0, &m->audience_ids, "audience",
		   "it to content/audiences.yaml", &t->audiences, NULL);
}

static nb_venue *
venue_read(rd *r, const nb_node *v)
{
	static const char *const keys[] = { "name", "address", "postcode",
		"step_free", "hearing_loop", "accessible_toilet", "parking",
		"access_notes", NULL };
	nb_venue *ve = nb_arena_alloc(r->a, sizeof(*ve));

	check_keys(r, v, keys);
	ve->name = str_field(r, v, "name", 1, "Kingsbridge Library");
	ve->address = str_field(r, v, "address", 0, NULL);
	ve->postcode = str_field(r, v, "postcode", 0, NULL);
	ve->step_free = bool_field(r, v, "step_free");
	ve->hearing_loop = bool_field(r, v, "hearing_loop");
	ve->accessible_toilet = bool_field(r, v, "accessible_toilet");
	ve->parking = str_field(r, v, "parking", 0, NULL);
	ve->access_notes = str_field(r, v, "access_notes", 0, NULL);
	return ve;
}

static const char *const event_keys[] = { "id", "title", "start", "end",
	"description", "venue", "online", "booking", "bsl", "creche",
	"translation", "status", NULL };

/* The fields every event has, embedded or standalone. */
static void
event_fields(rd *r, const nb_node *en, nb_event *ev)
{
	const nb_node *vn, *sn;
	const char *st;
	int s_ok, e_ok;

	ev->path = r->path;
	ev->title = str_field(r, en, "title", 1, "Drop-in at Kingsbridge Library");
	ev->description = str_field(r, en, "description", 0, NULL);
	s_ok = local_field(r, en, "start", 1, &ev->start) == 0;
	e_ok = local_field(r, en, "end", 1, &ev->end) == 0;
	if (s_ok && e_ok && nb_local_cmp(ev->end, ev->start) < 0)
		err(r, nb_node_get(en, "end"),
		    "check the date and the 24-hour time, e.g. 21:00 for 9pm",
		    "the event ends before it starts");
	vn = map_field(r, en, "venue", 0);
	if (vn)
		ev->venue = venue_read(r, vn);
	ev->online = url_field(r, en, "online", 0);
	ev->booking = url_field(r, en, "booking", 0);
	if (!nb_node_get(en, "venue") && !nb_node_get(en, "online"))
		err(r, en, "add a `venue:` with its name and address, or an `online:` joining link",
		    "the event has no venue and no online link");
	ev->bsl = bool_field(r, en, "bsl") == 1;
	ev->creche = bool_field(r, en, "creche") == 1;
	ev->translation = str_field(r, en, "translation", 0, NULL);
	st = str_field(r, en, "status", 0, NULL);
	sn = nb_node_get(en, "status");
	if (st) {
		if (strcmp(st, "cancelled") == 0)
			ev->cancelled = 1;
		else if (strcmp(st, "scheduled") != 0)
			err(r, sn, "write `status: cancelled`, or leave it out",
			    "unknown event status `%s`", st);
	}
}

static void
links_read(rd *r, const nb_node *root, nb_consultation *c)
{
	static const char *const keys[] = { "text", "link", NULL };
	const nb_node *l = maps_field(r, root, "take_part", 0);
	size_t i;

	if (!l || !l->n)
		return;
	c->take_part = nb_arena_alloc(r->a, l->n * sizeof(nb_link));
	for (i = 0; i < l->n; i++) {
		check_keys(r, l->items[i], keys);
		c->take_part[i].text = str_field(r, l->items[i], "text", 1,
						 "Fill in the online survey");
		c->take_part[i].url = url_field(r, l->items[i], "link", 0);
	}
	c->take_part_len = l->n;
}

static nb_consultation *
consultation_read(rd *r, const nb_node *root, const char *id,
		  const char *body, size_t body_len)
{
	static const char *const keys[] = { "title", "summary", "lead",
		"partners", "level", "areas", "topics", "audiences", "opens",
		"closes", "status", "status_note", "feedback_by", "take_part",
		"can_influence", "cannot_influence", "accessibility",
		"documents", "contact", "events", NULL };
	nb_consultation *c = nb_arena_alloc(r->a, sizeof(*c));
	const nb_node *n, *evs;
	const char *level, *st;
	int o_ok, c_ok;
	size_t i;

	check_keys(r, root, keys);
	c->id = id;
	c->path = r->path;
	c->title = str_field(r, root, "title", 1, "Town centre parking review");
	c->summary = str_field(r, root, "summary", 1,
		"One or two plain sentences about what we are asking.");
	check_summary(r, root, c->summary);
	tags_read(r, root, &c->tags, 1);

	level = str_field(r, root, "level", 1, "consult");
	c->level = -1;
	if (level) {
		const nb_site *s = &r->m->site;
		const char *cands[32] = { NULL };
		size_t k = 0;
		for (i = 0; i < s->ladder_len; i++) {
			if (k < 32)
				cands[k++] = s->ladder[i].id;
			if (s->ladder[i].id && strcmp(s->ladder[i].id, level) == 0)
				c->level = (int)i;
		}
		if (c->level < 0) {
			char hint[300];
			const char *near = closest(level, cands, k);
			int off = 0;
			if (near)
				snprintf(hint, sizeof(hint), "did you mean `%s`?", near);
			else {
				off = snprintf(hint, sizeof(hint), "use one of:");
				for (i = 0; i < k && off < (int)sizeof(hint) - 40; i++)
					off += snprintf(hint + off, sizeof(hint) - (size_t)off,
							" %s", cands[i]);
			}
			err(r, nb_node_get(root, "level"), hint,
			    "unknown level `%s` on the ladder of participation",
			    level);
		}
	}

	o_ok = date_field(r, root, "opens", 1, &c->opens) == 0;
	c_ok = date_field(r, root, "closes", 1, &c->closes) == 0;
	if (o_ok && c_ok && nb_date_cmp(c->closes, c->opens) < 0)
		err(r, nb_node_get(root, "closes"),
		    "check both dates: `closes` must be on or after `opens`",
		    "the activity closes before it opens");
	if (nb_node_get(root, "feedback_by") &&
	    date_field(r, root, "feedback_by", 0, &c->feedback_by) == 0) {
		c->has_feedback_by = 1;
		if (c_ok && nb_date_cmp(c->feedback_by, c->closes) < 0)
			err(r, nb_node_get(root, "feedback_by"),
			    "the feedback promise is the date by which you will publish the outcome, after the activity closes",
			    "`feedback_by` is before the activity closes");
	}
	st = str_field(r, root, "status", 0, NULL);
	if (st) {
		if (strcmp(st, "cancelled") == 0)
			c->cancelled = 1;
		else if (strcmp(st, "postponed") == 0)
			c->postponed = 1;
		else
			err(r, nb_node_get(root, "status"),
			    "write `status: cancelled` or `status: postponed`, or leave it out: the rest comes from the dates",
			    "unknown status `%s`", st);
	}
	c->status_note = str_field(r, root, "status_note", 0, NULL);
	links_read(r, root, c);
	c->can_influence = strs_field(r, root, "can_influence", 0, &c->can_len, NULL);
	c->cannot_influence = strs_field(r, root, "cannot_influence", 0,
					 &c->cannot_len, NULL);
	c->accessibility = strs_field(r, root, "accessibility", 0,
				      &c->accessibility_len, NULL);
	c->documents = documents_read(r, root, &c->documents_len);
	n = map_field(r, root, "contact", 0);
	if (n)
		c->contact = contact_read(r, n);

	evs = maps_field(r, root, "events", 0);
	if (evs && evs->n) {
		c->events = nb_arena_alloc(r->a, evs->n * sizeof(nb_event *));
		for (i = 0; i < evs->n; i++) {
			nb_event *ev = nb_arena_alloc(r->a, sizeof(*ev));
			const char *eid;
			size_t j;
			check_keys(r, evs->items[i], event_keys);
			event_fields(r, evs->items[i], ev);
			ev->consultation = c;
			ev->index = (int)i + 1;
			/* an explicit id keeps the calendar UID and the page
			 * anchor when events are added or reordered */
			eid = str_field(r, evs->items[i], "id", 0, NULL);
			if (eid && !nb_id_valid(eid)) {
				err(r, nb_node_get(evs->items[i], "id"),
				    "use lower-case letters, digits and hyphens",
				    "event id `%s` is not a safe id", eid);
				eid = NULL;
			}
			for (j = 0; eid && j < i; j++)
				if (c->events[j]->anchor &&
				    strcmp(c->events[j]->anchor + 6, eid) == 0) {
					err(r, nb_node_get(evs->items[i], "id"),
					    "give each event of the consultation its own id",
					    "event id `%s` is used twice", eid);
					break;
				}
			ev->anchor = eid ? nb_arena_printf(r->a, "event-%s", eid)
					 : nb_arena_printf(r->a, "event-%d", (int)i + 1);
			ev->id = nb_arena_printf(r->a, "%s-%s", id, ev->anchor + 6);
			ev->tags = c->tags;
			ev->data_key = nb_data_event_key(ev);
			c->events[i] = ev;
		}
		c->events_len = evs->n;
	}
	c->body_html = body_html(r, body, body_len);
	return c;
}

static nb_event *
event_read(rd *r, const nb_node *root, const char *id, const char *body,
	   size_t body_len)
{
	static const char *const extra[] = { "summary", "lead", "partners",
		"areas", "topics", "audiences", "contact", "repeat",
		"repeat_text", "except", NULL };
	const char *keys[32];
	nb_event *ev = nb_arena_alloc(r->a, sizeof(*ev));
	const nb_node *cn;
	size_t k = 0, i;

	for (i = 0; event_keys[i]; i++)
		keys[k++] = event_keys[i];
	for (i = 0; extra[i]; i++)
		keys[k++] = extra[i];
	keys[k] = NULL;
	check_keys(r, root, keys);
	event_fields(r, root, ev);
	ev->id = id;
	ev->anchor = "event";
	ev->summary = str_field(r, root, "summary", 0, NULL);
	ev->rrule = str_field(r, root, "repeat", 0, NULL);
	if (ev->rrule) {
		char why[160];
		if (nb_ical_rrule_check(ev->rrule, why, sizeof(why)) != 0) {
			err(r, nb_node_get(root, "repeat"),
			    "write an iCalendar rule, for example FREQ=MONTHLY;BYDAY=2TU for the second Tuesday of every month",
			    "`repeat`: %s", why);
			ev->rrule = NULL;
		}
	}
	ev->repeat_text = str_field(r, root, "repeat_text", 0, NULL);
	{
		const nb_node **nodes;
		const char **v;
		size_t n, x;
		v = strs_field(r, root, "except", 0, &n, &nodes);
		if (n && !ev->rrule && !nb_node_get(root, "repeat"))
			err(r, nb_node_get(root, "except"),
			    "`except` lists dates left out of a repeating event: add `repeat:` or remove it",
			    "`except` without `repeat`");
		if (n)
			ev->except = nb_arena_alloc(r->a, n * sizeof(nb_date));
		for (x = 0; x < n; x++) {
			char why[120];
			if (nb_date_parse(&ev->except[ev->except_len], v[x],
					  strlen(v[x]), why, sizeof(why)) != 0)
				err(r, nodes[x], "write dates as YYYY-MM-DD, for example 2026-12-05",
				    "`except`: \"%s\" is not a real date", v[x]);
			else
				ev->except_len++;
		}
	}
	tags_read(r, root, &ev->tags, 1);
	cn = map_field(r, root, "contact", 0);
	if (cn)
		ev->contact = contact_read(r, cn);
	ev->body_html = body_html(r, body, body_len);
	return ev;
}

/* ---- outcomes and pages ----------------------------------------------- */

static nb_count *
counts_read(rd *r, const nb_node *resp, const char *key, int by_area,
	    size_t *len)
{
	static const char *const mk[] = { "method", "count", NULL };
	static const char *const ak[] = { "area", "count", NULL };
	const nb_node *l = maps_field(r, resp, key, 0);
	nb_count *v;
	size_t i;

	*len = 0;
	if (!l || !l->n)
		return NULL;
	v = nb_arena_alloc(r->a, l->n * sizeof(*v));
	for (i = 0; i < l->n; i++) {
		const nb_node *it = l->items[i];
		check_keys(r, it, by_area ? ak : mk);
		if (by_area) {
			const char *id = str_field(r, it, "area", 1, "abbey-ward");
			if (id) {
				v[i].area = (nb_area *)resolve(r,
					nb_node_get(it, "area"), id,
					&r->m->area_ids, "area",
					"a file in content/areas/");
				v[i].label = v[i].area ? v[i].area->name : id;
			}
		} else {
			v[i].label = str_field(r, it, "method", 1, "Online survey");
		}
		long_field(r, it, "count", 1, &v[i].count);
	}
	*len = l->n;
	return v;
}

static int
cmp_update(const void *a, const void *b)
{
	const nb_update *x = a, *y = b;
	return nb_date_cmp(y->date, x->date);   /* newest first */
}

/* Dated notes of what changed since the outcome was published, as
 * promised actions progress. */
static void
updates_read(rd *r, const nb_node *root, nb_outcome *o)
{
	static const char *const keys[] = { "date", "text", NULL };
	const nb_node *l = maps_field(r, root, "updates", 0);
	size_t i;

	if (!l || !l->n)
		return;
	o->updates = nb_arena_alloc(r->a, l->n * sizeof(nb_update));
	for (i = 0; i < l->n; i++) {
		const nb_node *it = l->items[i];
		check_keys(r, it, keys);
		if (date_field(r, it, "date", 1, &o->updates[i].date) == 0 &&
		    nb_date_cmp(o->updates[i].date, o->published) < 0)
			err(r, nb_node_get(it, "date"),
			    "an update comes after the outcome is published; change `published` or the update's date",
			    "the update is dated before the outcome was published");
		o->updates[i].text = str_field(r, it, "text", 1,
			"The 24 new short-stay bays opened on Mill Lane.");
	}
	o->updates_len = l->n;
	qsort(o->updates, o->updates_len, sizeof(nb_update), cmp_update);
}

static nb_outcome *
outcome_read(rd *r, const nb_node *root, const char *id, const char *body,
	     size_t body_len)
{
	static const char *const keys[] = { "consultation", "title",
		"summary", "published", "responses", "you_said_we_did",
		"decision", "decided_by", "decided_on", "next_steps",
		"documents", "updates", NULL };
	static const char *const sk[] = { "you_said", "we_did", "state",
					  "why", NULL };
	nb_outcome *o = nb_arena_alloc(r->a, sizeof(*o));
	const nb_node *resp, *l;
	const char *cid;
	size_t i;

	check_keys(r, root, keys);
	o->id = id;
	o->path = r->path;
	cid = str_field(r, root, "consultation", 1, "town-centre-parking-review");
	if (cid) {
		o->consultation = (nb_consultation *)resolve(r,
			nb_node_get(root, "consultation"), cid,
			&r->m->consultation_ids, "consultation",
			"the consultation in content/consultations/");
	}
	o->title = str_field(r, root, "title", 0, NULL);
	o->summary = str_field(r, root, "summary", 1,
		"One or two plain sentences about what happened.");
	check_summary(r, root, o->summary);
	date_field(r, root, "published", 1, &o->published);
	resp = map_field(r, root, "responses", 1);
	if (resp) {
		static const char *const rk[] = { "total", "by_method",
						  "by_area", NULL };
		check_keys(r, resp, rk);
		long_field(r, resp, "total", 1, &o->responses);
		o->by_method = counts_read(r, resp, "by_method", 0,
					   &o->by_method_len);
		o->by_area = counts_read(r, resp, "by_area", 1, &o->by_area_len);
	}
	l = maps_field(r, root, "you_said_we_did", 1);
	if (l && l->n == 0)
		err(r, l, "add at least one `- you_said: ...` with `we_did:` and `state:`",
		    "`you_said_we_did` is empty");
	if (l && l->n) {
		o->said_did = nb_arena_alloc(r->a, l->n * sizeof(nb_said_did));
		for (i = 0; i < l->n; i++) {
			const nb_node *it = l->items[i];
			nb_said_did *sd = &o->said_did[i];
			const char *st;
			check_keys(r, it, sk);
			sd->you_said = str_field(r, it, "you_said", 1,
				"What people told us, in a sentence.");
			sd->we_did = str_field(r, it, "we_did", 1,
				"What we did about it, in a sentence.");
			sd->why = str_field(r, it, "why", 0, NULL);
			st = str_field(r, it, "state", 1, "done");
			if (!st)
				continue;
			if (strcmp(st, "done") == 0)
				sd->state = NB_DID_DONE;
			else if (strcmp(st, "in progress") == 0 ||
				 strcmp(st, "in-progress") == 0)
				sd->state = NB_DID_IN_PROGRESS;
			else if (strcmp(st, "not possible") == 0 ||
				 strcmp(st, "not-possible") == 0)
				sd->state = NB_DID_NOT_POSSIBLE;
			else
				err(r, nb_node_get(it, "state"),
				    "write done, in progress or not possible",
				    "unknown state `%s`", st);
			if (sd->state == NB_DID_NOT_POSSIBLE && !sd->why)
				err(r, it, "add `why:` to explain to people why it could not be done",
				    "an action that was not possible needs a reason");
		}
		o->said_did_len = l->n;
	}
	o->decision = str_field(r, root, "decision", 0, NULL);
	o->decided_by = str_field(r, root, "decided_by", 0, NULL);
	if (nb_node_get(root, "decided_on"))
		o->has_decided_on = date_field(r, root, "decided_on", 0,
					       &o->decided_on) == 0;
	o->next_steps = str_field(r, root, "next_steps", 0, NULL);
	o->documents = documents_read(r, root, &o->documents_len);
	updates_read(r, root, o);
	o->body_html = body_html(r, body, body_len);
	return o;
}

/* Page ids that would collide with the site's own sections. */
static const char *const reserved_ids[] = { "areas", "audiences",
	"calendar", "consultations", "data", "embed", "events", "feedback",
	"outcomes", "partners", "reports", "static", "subscribe", "topics",
	"index", "404", NULL };

int
nb_page_id_reserved(const char *id)
{
	size_t i;

	for (i = 0; reserved_ids[i]; i++)
		if (strcmp(id, reserved_ids[i]) == 0)
			return 1;
	return 0;
}

static nb_page *
page_read(rd *r, const nb_node *root, const char *id, const char *body,
	  size_t body_len)
{
	static const char *const keys[] = { "title", "summary", "footer",
					    "order", NULL };
	nb_page *p = nb_arena_alloc(r->a, sizeof(*p));
	long order;

	check_keys(r, root, keys);
	p->id = id;
	p->path = r->path;
	if (nb_page_id_reserved(id))
		err(r, NULL, "rename the file: this name is one of the site's own sections",
		    "the page id `%s` is reserved", id);
	p->title = str_field(r, root, "title", 1, "About this site");
	p->summary = str_field(r, root, "summary", 0, NULL);
	p->footer = bool_field(r, root, "footer") == 1;
	p->order = 100;
	if (long_field(r, root, "order", 0, &order) == 0)
		p->order = order > 10000 ? 10000 : (int)order;
	p->body_html = body_html(r, body, body_len);
	return p;
}

/* ---- loading a folder of records ---------------------------------------- */

typedef enum { K_PARTNER, K_AREA, K_CONSULTATION, K_EVENT, K_OUTCOME,
	       K_PAGE } kind;

/* The id from a file name, or NULL after an error. */
static const char *
file_id(rd *r, const char *name, const char *suffix)
{
	size_t n = strlen(name) - strlen(suffix);
	char *id = nb_arena_strndup(r->a, name, n);
	char hint[300];
	size_t i, k = 0;

	if (nb_id_valid(id))
		return id;
	/* suggest a safe name */
	for (i = 0; i < n && k < sizeof(hint) - 80; i++) {
		unsigned char c = (unsigned char)name[i];
		if (isalnum(c))
			id[k++] = (char)tolower(c);
		else if (k && id[k - 1] != '-')
			id[k++] = '-';
	}
	while (k && id[k - 1] == '-')
		k--;
	id[k] = '\0';
	if (k)
		snprintf(hint, sizeof(hint),
			 "rename the file to %s%s (lower-case letters, digits and hyphens: the name is the record's web address)",
			 id, suffix);
	else
		snprintf(hint, sizeof(hint),
			 "rename the file using lower-case letters, digits and hyphens");
	err(r, NULL, hint, "the file name is not a safe record id");
	return NULL;
}

/* One record file, read into `a` with diagnostics in d: the record, or
 * NULL after an error.  Only reads the model (ids of what loaded before). */
typedef struct loaded {
	void *rec;
	const char *id;
	uint64_t sig;                /* the hash of its file */
	uint64_t brief;              /* of what it says but its summary, or 0 */
	unsigned worker;             /* which thread read it */
	size_t diag_from, diag_to;   /* its diagnostics in the thread's list */
} loaded;

static nb_image_kind
image_kind(kind k)
{
	switch (k) {
	case K_CONSULTATION:
		return NB_IMAGE_CONSULTATION;
	case K_EVENT:
		return NB_IMAGE_EVENT;
	case K_OUTCOME:
		return NB_IMAGE_OUTCOME;
	case K_PAGE:
		return NB_IMAGE_PAGE;
	default:
		return (nb_image_kind)0;   /* areas and partners: a few, and
					    * areas note their parents */
	}
}

/* Whether a record's diagnostics, from `from` on in d, let it be kept as
 * an image: warnings only, all about its own file. */
static int
keepable(const nb_diags *d, size_t from, const char *path)
{
	size_t i;

	for (i = from; i < d->len; i++)
		if (d->items[i].sev != NB_SEV_WARNING ||
		    strcmp(d->items[i].path, path) != 0)
			return 0;
	return 1;
}

static void
load_one(nb_model *m, const nb_source *src, const char *dir,
	 const char *suffix, kind k, const char *name, const unsigned char *oid,
	 nb_arena *a, nb_diags *d, pending_parent *pp, loaded *out)
{
	nb_arena *scratch = nb_arena_new();
	const nb_node *root = NULL;
	const char *body = NULL;
	size_t body_len = 0, diag_from = d->len;
	nb_image_kind ik = image_kind(k);
	md_entry md;
	rd r;
	int rc;

	out->rec = NULL;
	memset(&r, 0, sizeof(r));
	memset(&md, 0, sizeof(md));
	r.m = m;
	r.a = a;
	r.d = d;
	{
		/* "dir/name", for each of thousands of records (not printf) */
		size_t dl = strlen(dir), nl = strlen(name);
		char *p = nb_arena_alloc_raw(a, dl + nl + 2);
		memcpy(p, dir, dl);
		p[dl] = '/';
		memcpy(p + dl + 1, name, nl + 1);
		r.path = p;
	}
	if (strcmp(suffix, ".md") == 0) {
		r.md = &md;
		rc = parse_md_file(&root, &body, &body_len, &r.body_line,
				   scratch, src, m->cache, &md, r.path, oid, d,
				   &out->sig);
	} else {
		rc = parse_yaml_file(&root, scratch, src, m->cache, r.path, oid,
				     d, &out->sig);
	}
	out->id = file_id(&r, name, suffix);
	if (rc != 0 || !out->id)
		goto done;
	if (md.hit && md.p.rec) {
		/* the record as the last build read it (image.h) */
		if (ik && !(k == K_PAGE && nb_page_id_reserved(out->id)))
			out->rec = nb_image_get(md.p.rec, md.p.rec_len, ik, m,
						a, out->id, r.path, d);
		if (out->rec)
			goto done;
		/* what it names has gone (or it is damaged): the file itself
		 * says what is wrong */
		rc = parse_md_file(&root, &body, &body_len, &r.body_line,
				   scratch, src, NULL, &md, r.path, NULL, d,
				   &out->sig);
		if (rc != 0)
			goto done;
	}
	if (root->kind != NB_NODE_MAP) {
		err(&r, root, "write each field on its own line as `name: value`",
		    "the record should be a set of fields, not %s",
		    kind_name(root));
		goto done;
	}
	switch (k) {
	case K_PARTNER:
		out->rec = partner_read(&r, root, out->id);
		break;
	case K_AREA:
		out->rec = area_read(&r, root, out->id, pp);
		break;
	case K_CONSULTATION:
		out->rec = consultation_read(&r, root, out->id, body, body_len);
		break;
	case K_EVENT:
		out->rec = event_read(&r, root, out->id, body, body_len);
		break;
	case K_OUTCOME:
		out->rec = outcome_read(&r, root, out->id, body, body_len);
		break;
	case K_PAGE:
		out->rec = page_read(&r, root, out->id, body, body_len);
		break;
	}
	/* for the next build: the record, when it read without errors; else
	 * the file's parse and its body's HTML */
	if (md.have_oid && !md.hit) {
		nb_buf img = NB_BUF_INIT;
		if (ik && out->rec && keepable(d, diag_from, r.path)) {
			nb_image_put(&img, ik, m, out->rec, d->items + diag_from,
				     d->len - diag_from);
			md.p.rec = (const unsigned char *)img.ptr;
			md.p.rec_len = img.len;
		}
		nb_cache_put(m->cache, md.oid, &md.p);
		nb_buf_free(&img);
	}
done:
	/* what it says but its summary: from the parse, or the cache */
	out->brief = r.md ? md.p.brief : 0;
	nb_arena_free(scratch);
}

/* A loaded record into the model: every record keeps the hash of its
 * file, what an incremental build compares. */
static void
keep(nb_model *m, kind k, const loaded *l)
{
	switch (k) {
	case K_PARTNER: {
		nb_partner *p = l->rec;
		p->sig = l->sig;
		nb_map_put(&m->partner_ids, l->id, p, NULL);
		nb_vec_push(m->arena, &m->partners, p);
		break;
	}
	case K_AREA: {
		nb_area *a = l->rec;
		a->sig = l->sig;
		nb_map_put(&m->area_ids, l->id, a, NULL);
		nb_vec_push(m->arena, &m->areas, a);
		break;
	}
	case K_CONSULTATION: {
		nb_consultation *c = l->rec;
		c->sig = l->sig;
		c->sig_brief = l->brief;
		nb_map_put(&m->consultation_ids, l->id, c, NULL);
		nb_vec_push(m->arena, &m->consultations, c);
		break;
	}
	case K_EVENT: {
		nb_event *e = l->rec;
		e->sig = l->sig;
		nb_map_put(&m->event_ids, l->id, e, NULL);
		nb_vec_push(m->arena, &m->events, e);
		break;
	}
	case K_OUTCOME: {
		nb_outcome *o = l->rec;
		o->sig = l->sig;
		nb_map_put(&m->outcome_ids, l->id, o, NULL);
		nb_vec_push(m->arena, &m->outcomes, o);
		break;
	}
	case K_PAGE: {
		nb_page *p = l->rec;
		p->sig = l->sig;
		nb_map_put(&m->page_ids, l->id, p, NULL);
		nb_vec_push(m->arena, &m->pages, p);
		break;
	}
	}
}

/*
 * Reading a folder of records in threads.  Each thread reads files (the
 * next one not taken) into an arena of its own, which the model then
 * keeps, with diagnostics of its own; the records go into the model, and
 * the diagnostics into d, in the order of the files, whatever thread read
 * them.  Records only read what loaded before their folder (the partners
 * and areas a consultation names, the consultation an outcome answers).
 */
typedef struct loader {
	nb_model *m;
	const nb_source *src;
	const char *dir, *suffix;
	kind k;
	char **names;
	unsigned char (*ids)[20];    /* blob ids beside names, or NULL */
	size_t n;
	loaded *out;
	atomic_size_t next;
} loader;

typedef struct load_worker {
	loader *l;
	unsigned id;
	nb_arena *a;
	nb_diags d;
} load_worker;

static void *
load_work(void *arg)
{
	load_worker *w = arg;
	loader *l = w->l;
	size_t i;

	while ((i = atomic_fetch_add(&l->next, 1)) < l->n) {
		loaded *o = &l->out[i];
		o->worker = w->id;
		o->diag_from = w->d.len;
		load_one(l->m, l->src, l->dir, l->suffix, l->k, l->names[i],
			 l->ids ? l->ids[i] : NULL, w->a, &w->d, NULL, o);
		o->diag_to = w->d.len;
	}
	return NULL;
}

#define LOAD_THREADS_MAX 16

static void
load_parallel(nb_model *m, const nb_source *src, const char *dir,
	      const char *suffix, kind k, char **names,
	      unsigned char (*ids)[20], size_t n, unsigned nthreads,
	      nb_diags *d)
{
	load_worker ws[LOAD_THREADS_MAX];
	pthread_t ts[LOAD_THREADS_MAX];
	int started[LOAD_THREADS_MAX];
	nb_prefetch *pf;
	loader l;
	unsigned w;
	size_t i, j;

	memset(&l, 0, sizeof(l));
	l.m = m;
	l.src = src;
	l.dir = dir;
	l.suffix = suffix;
	l.k = k;
	l.names = names;
	l.ids = ids;
	l.n = n;
	l.out = nb_xcalloc(n, sizeof(*l.out));
	atomic_init(&l.next, 0);
	for (w = 0; w < nthreads; w++) {
		memset(&ws[w], 0, sizeof(ws[w]));
		ws[w].l = &l;
		ws[w].id = w;
		ws[w].a = nb_arena_new();
		/* about a kilobyte a record, in one block (arena.h) */
		nb_arena_reserve(ws[w].a, n / nthreads * 1024);
		if (m->arenas_len == m->arenas_cap) {
			m->arenas_cap = m->arenas_cap ? m->arenas_cap * 2 : 8;
			m->arenas = nb_xrealloc(m->arenas,
						m->arenas_cap * sizeof(*m->arenas));
		}
		m->arenas[m->arenas_len++] = ws[w].a;
	}
	pf = nb_source_prefetch(src, dir, names, n, &l.next);
	for (w = 1; w < nthreads; w++)
		started[w] = pthread_create(&ts[w], NULL, load_work, &ws[w]) == 0;
	load_work(&ws[0]);
	for (w = 1; w < nthreads; w++)
		if (started[w])
			pthread_join(ts[w], NULL);
	nb_prefetch_stop(pf);
	nb_map_reserve(k == K_CONSULTATION ? &m->consultation_ids :
		       k == K_EVENT ? &m->event_ids :
		       k == K_OUTCOME ? &m->outcome_ids : &m->page_ids, n);
	for (i = 0; i < n; i++) {
		const loaded *o = &l.out[i];
		const nb_diags *wd = &ws[o->worker].d;
		for (j = o->diag_from; j < o->diag_to; j++) {
			const nb_diag *g = &wd->items[j];
			nb_diag_add(d, g->sev, g->path, g->line, g->col, g->hint,
				    "%s", g->msg);
		}
		if (o->rec)
			keep(m, k, o);
	}
	for (w = 0; w < nthreads; w++)
		nb_diags_free(&ws[w].d);
	free(l.out);
}

static void
load_dir(nb_model *m, const nb_source *src, const char *dir,
	 const char *suffix, kind k, unsigned nthreads, nb_diags *d,
	 pending_parent **pps, size_t *pps_len)
{
	char **names;
	unsigned char (*ids)[20];
	size_t n, i;
	atomic_size_t at;
	nb_prefetch *pf;

	if (nb_source_list_ids(src, dir, suffix, &names, &ids, &n, d) != 0 &&
	    !n) {
		nb_source_names_free(names, n);
		free(ids);
		return;
	}
	if (k == K_AREA) {
		*pps = nb_xcalloc(n ? n : 1, sizeof(**pps));
		*pps_len = 0;
	}
	/* the records that many sites have thousands of, in threads; areas
	 * and partners (a few hundred, and areas note their parents in
	 * order) in this one */
	if (nthreads > 1 && n >= 64 && k != K_AREA && k != K_PARTNER) {
		load_parallel(m, src, dir, suffix, k, names, ids, n, nthreads,
			      d);
		nb_source_names_free(names, n);
		free(ids);
		return;
	}
	atomic_init(&at, 0);
	pf = nb_source_prefetch(src, dir, names, n, &at);
	for (i = 0; i < n; i++) {
		loaded l;
		atomic_store_explicit(&at, i, memory_order_relaxed);
		load_one(m, src, dir, suffix, k, names[i],
			 ids ? ids[i] : NULL, m->arena, d,
			 k == K_AREA ? &(*pps)[*pps_len] : NULL, &l);
		if (!l.rec)
			continue;
		if (k == K_AREA)
			(*pps_len)++;
		keep(m, k, &l);
	}
	nb_prefetch_stop(pf);
	nb_source_names_free(names, n);
	free(ids);
}

static void
load_terms(nb_model *m, const nb_source *src, const char *path,
	   nb_vec *out, nb_map *ids, const char *kind_label, nb_diags *d)
{
	nb_arena *scratch = nb_arena_new();
	const nb_node *root;
	uint64_t sig = 0;
	rd r;

	memset(&r, 0, sizeof(r));
	r.m = m;
	r.a = m->arena;
	r.d = d;
	r.path = path;
	if (parse_yaml_file(&root, scratch, src, m->cache, path, NULL, d,
			    &sig) == 0)
		terms_read(&r, root, out, ids, kind_label);
	m->terms_sig = nb_sig_u64(m->terms_sig, sig);
	nb_arena_free(scratch);
}

static int
cmp_area_name(const void *a, const void *b)
{
	const nb_area *x = *(nb_area *const *)a, *y = *(nb_area *const *)b;
	int c = strcmp(x->name ? x->name : "", y->name ? y->name : "");
	return c ? c : strcmp(x->id, y->id);
}

/* Link areas to their parents; refuse loops. */
static void
link_areas(nb_model *m, pending_parent *pps, size_t n, nb_diags *d)
{
	size_t i;

	for (i = 0; i < n; i++) {
		pending_parent *pp = &pps[i];
		rd r = { m, m->arena, d, pp->path, 0, 0, NULL };
		nb_node at;

		if (!pp->parent_id)
			continue;
		memset(&at, 0, sizeof(at));
		at.line = pp->line;
		at.col = pp->col;
		pp->area->parent = (nb_area *)resolve(&r, &at, pp->parent_id,
			&m->area_ids, "area", "a file in content/areas/");
		if (pp->area->parent == pp->area) {
			err(&r, &at, "name the area this one is inside",
			    "an area cannot be its own parent");
			pp->area->parent = NULL;
		}
	}
	/* depth, and loops (a -> b -> a) */
	for (i = 0; i < m->areas.len; i++) {
		nb_area *a = m->areas.items[i], *p;
		int depth = 0;

		for (p = a->parent; p; p = p->parent) {
			if (p == a || ++depth > 64) {
				nb_error(d, a->path, 0, 0,
					 "check the `parent` fields: each area must be inside a bigger one, ending at the top area",
					 "the area `%s` is inside itself (its parents form a loop)",
					 a->id);
				a->parent = NULL;
				depth = 0;
				break;
			}
		}
		a->depth = depth;
		a->index = i;
	}
	for (i = 0; i < m->areas.len; i++) {
		nb_area *a = m->areas.items[i];
		if (a->parent)
			nb_vec_push(m->arena, &a->parent->children, a);
	}
	for (i = 0; i < m->areas.len; i++) {
		nb_area *a = m->areas.items[i];
		if (a->children.len > 1)
			qsort(a->children.items, a->children.len,
			      sizeof(void *), cmp_area_name);
	}
}

static void
link_outcomes(nb_model *m, nb_diags *d)
{
	size_t i;

	for (i = 0; i < m->outcomes.len; i++) {
		nb_outcome *o = m->outcomes.items[i];
		nb_consultation *c = o->consultation;

		if (!c)
			continue;
		if (c->outcome) {
			nb_error(d, o->path, 0, 0,
				 "put everything about one consultation in one outcome file",
				 "the consultation `%s` already has an outcome: %s",
				 c->id, c->outcome->path);
			continue;
		}
		c->outcome = o;
		if (nb_date_cmp(o->published, c->closes) < 0)
			nb_warning(d, o->path, 0, 0,
				   "check `published`: feedback normally comes after the activity closes",
				   "the outcome is published before the consultation closes");
		o->on_time = !c->has_feedback_by ||
			nb_date_cmp(o->published, c->feedback_by) <= 0;
	}
}

int
nb_model_load(nb_model **out, const nb_source *src, nb_diags *d)
{
	return nb_model_load_jobs(out, src, 0, d);
}

int
nb_model_load_jobs(nb_model **out, const nb_source *src, int jobs,
		   nb_diags *d)
{
	nb_load_opts o;

	memset(&o, 0, sizeof(o));
	o.jobs = jobs;
	return nb_model_load_with(out, src, &o, d);
}

int
nb_model_load_with(nb_model **out, const nb_source *src,
		   const nb_load_opts *opts, nb_diags *d)
{
	int jobs = opts->jobs;
	nb_cache *cache = opts->cache;
	long cores = jobs > 0 ? jobs : sysconf(_SC_NPROCESSORS_ONLN);
	unsigned nthreads = cores < 1 ? 1 : cores > LOAD_THREADS_MAX ?
			    LOAD_THREADS_MAX : (unsigned)cores;
	size_t errors_before = d->errors, pps_len = 0;
	pending_parent *pps = NULL;
	nb_arena *scratch;
	const nb_node *root;
	nb_model *m;
	rd r;
	int rc;

	*out = NULL;
	m = nb_xcalloc(1, sizeof(*m));
	m->arena = nb_arena_new();
	m->cache = cache;

	memset(&r, 0, sizeof(r));
	r.m = m;
	r.a = m->arena;
	r.d = d;
	r.path = "site.yaml";
	scratch = nb_arena_new();
	rc = parse_yaml_file(&root, scratch, src, m->cache, "site.yaml", NULL, d,
			     &m->site_sig);
	if (rc == 1)
		nb_error(d, "site.yaml", 0, 0,
			 "create site.yaml with at least `title:` and `base_url:` (see docs/records.md)",
			 "the site has no site.yaml");
	else if (rc == 0 && root->kind != NB_NODE_MAP)
		err(&r, root, "write each setting as `name: value`",
		    "site.yaml should be a set of fields");
	else if (rc == 0)
		site_read(&r, root);
	nb_arena_free(scratch);
	if (!m->site.ladder) {
		/* site.yaml is missing or broken (reported above): check the
		 * records against the default ladder rather than report every
		 * level as unknown */
		m->site.ladder = (nb_rung *)default_ladder;
		m->site.ladder_len = sizeof(default_ladder) /
				     sizeof(default_ladder[0]);
	}

	if (opts->site_read)
		opts->site_read(opts->ud);
	load_terms(m, src, "content/topics.yaml", &m->topics, &m->topic_ids,
		   "topic", d);
	load_terms(m, src, "content/audiences.yaml", &m->audiences,
		   &m->audience_ids, "audience", d);
	load_dir(m, src, "content/partners", ".yaml", K_PARTNER, 1, d, NULL, NULL);
	load_dir(m, src, "content/areas", ".yaml", K_AREA, 1, d, &pps, &pps_len);
	link_areas(m, pps, pps_len, d);
	free(pps);
	load_dir(m, src, "content/consultations", ".md", K_CONSULTATION,
		 nthreads, d, NULL, NULL);
	load_dir(m, src, "content/events", ".md", K_EVENT, nthreads, d, NULL,
		 NULL);
	load_dir(m, src, "content/outcomes", ".md", K_OUTCOME, nthreads, d,
		 NULL, NULL);
	load_dir(m, src, "content/pages", ".md", K_PAGE, nthreads, d, NULL,
		 NULL);
	link_outcomes(m, d);
	m->cache = NULL;

	if (d->errors > errors_before) {
		nb_model_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

void
nb_model_free(nb_model *m)
{
	if (!m)
		return;
	nb_map_free(&m->area_ids);
	nb_map_free(&m->partner_ids);
	nb_map_free(&m->topic_ids);
	nb_map_free(&m->audience_ids);
	nb_map_free(&m->consultation_ids);
	nb_map_free(&m->outcome_ids);
	nb_map_free(&m->event_ids);
	nb_map_free(&m->page_ids);
	for (size_t i = 0; i < m->arenas_len; i++)
		nb_arena_free(m->arenas[i]);
	free(m->arenas);
	nb_arena_free(m->arena);
	free(m);
}
