/*
 * image.c - records kept between builds as they were read (image.h).
 *
 * An image, in the machine's own byte order (the cache that holds it
 * checks that):
 *
 *   u8 kind, then the record's fields in the order its reader reads them,
 *   then u32 count of diagnostics, each i32 severity, i32 line, i32
 *   column, text message, text hint
 *
 *   text     u32 length + 1 (0: none), the bytes and a NUL
 *   texts    u32 count, each a text
 *   ids      u32 count, each a text: the records a list names, in order
 *   date     i32 year, month, day; a time adds i32 hour, minute
 *   numbers  i32 (flags, states, counts that fit) or i64
 *   optional parts (a contact, a venue) start with u8 0 or 1
 *
 * Every read is checked against the image's end, and every count against
 * what is left, so a damaged image gives NULL, never a crash.
 */
#include "image.h"

#include <stdint.h>
#include <string.h>

#include "map.h"

/* ---- writing --------------------------------------------------------------- */

static void
put8(nb_buf *b, unsigned v)
{
	nb_buf_putc(b, (int)(v & 0xff));
}

static void
put32(nb_buf *b, int32_t v)
{
	nb_buf_put(b, (const char *)&v, 4);
}

static void
put64(nb_buf *b, int64_t v)
{
	nb_buf_put(b, (const char *)&v, 8);
}

static void
put_len(nb_buf *b, size_t n)
{
	uint32_t v = (uint32_t)n;
	nb_buf_put(b, (const char *)&v, 4);
}

static void
put_text(nb_buf *b, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 0;

	put_len(b, n);
	if (s)
		nb_buf_put(b, s, n);   /* with its NUL */
}

static void
put_texts(nb_buf *b, const char *const *v, size_t n)
{
	size_t i;

	put_len(b, n);
	for (i = 0; i < n; i++)
		put_text(b, v[i]);
}

static void
put_date(nb_buf *b, nb_date d)
{
	put32(b, d.year);
	put32(b, d.month);
	put32(b, d.day);
}

static void
put_local(nb_buf *b, nb_local l)
{
	put_date(b, l.date);
	put32(b, l.hour);
	put32(b, l.minute);
}

/* The ids of a list of records; `id` gives a record's. */
static void
put_ids(nb_buf *b, const nb_vec *v, const char *(*id)(const void *))
{
	size_t i;

	put_len(b, v->len);
	for (i = 0; i < v->len; i++)
		put_text(b, id(v->items[i]));
}

static const char *
partner_id(const void *p)
{
	return ((const nb_partner *)p)->id;
}

static const char *
area_id(const void *p)
{
	return ((const nb_area *)p)->id;
}

static const char *
term_id(const void *p)
{
	return ((const nb_term *)p)->id;
}

static void
put_tags(nb_buf *b, const nb_tags *t)
{
	put_text(b, t->lead ? t->lead->id : NULL);
	put_ids(b, &t->partners, partner_id);
	put32(b, t->everywhere);
	put_ids(b, &t->areas, area_id);
	put_ids(b, &t->topics, term_id);
	put_ids(b, &t->audiences, term_id);
}

static void
put_contact(nb_buf *b, const nb_contact *c)
{
	put8(b, c != NULL);
	if (!c)
		return;
	put_text(b, c->name);
	put_text(b, c->role);
	put_text(b, c->email);
	put_text(b, c->phone);
}

static void
put_documents(nb_buf *b, const nb_document *v, size_t n)
{
	size_t i;

	put_len(b, n);
	for (i = 0; i < n; i++) {
		put_text(b, v[i].title);
		put_text(b, v[i].url);
		put_text(b, v[i].format);
		put_text(b, v[i].size);
	}
}

/* An event's own fields; an embedded event's anchor, a standalone one's
 * summary, repeats, tags, contact and body. */
static void
put_event(nb_buf *b, const nb_event *ev, int standalone)
{
	const nb_venue *v = ev->venue;
	size_t i;

	put_text(b, ev->title);
	put_text(b, ev->description);
	put_local(b, ev->start);
	put_local(b, ev->end);
	put8(b, v != NULL);
	if (v) {
		put_text(b, v->name);
		put_text(b, v->address);
		put_text(b, v->postcode);
		put_text(b, v->parking);
		put_text(b, v->access_notes);
		put32(b, v->step_free);
		put32(b, v->hearing_loop);
		put32(b, v->accessible_toilet);
	}
	put_text(b, ev->online);
	put_text(b, ev->booking);
	put_text(b, ev->translation);
	put32(b, ev->bsl);
	put32(b, ev->creche);
	put32(b, ev->cancelled);
	if (!standalone) {
		put_text(b, ev->anchor);
		put64(b, (int64_t)ev->data_key);
		return;
	}
	put_text(b, ev->summary);
	put_text(b, ev->rrule);
	put_text(b, ev->repeat_text);
	put_len(b, ev->except_len);
	for (i = 0; i < ev->except_len; i++)
		put_date(b, ev->except[i]);
	put_tags(b, &ev->tags);
	put_contact(b, ev->contact);
	put_text(b, ev->body_html);
}

static void
put_consultation(nb_buf *b, const nb_model *m, const nb_consultation *c)
{
	size_t i;

	put_text(b, c->title);
	put_text(b, c->summary);
	put_tags(b, &c->tags);
	put_text(b, c->level >= 0 && (size_t)c->level < m->site.ladder_len ?
		 m->site.ladder[c->level].id : NULL);
	put_date(b, c->opens);
	put_date(b, c->closes);
	put_date(b, c->feedback_by);
	put32(b, c->has_feedback_by);
	put32(b, c->cancelled);
	put32(b, c->postponed);
	put_text(b, c->status_note);
	put_len(b, c->take_part_len);
	for (i = 0; i < c->take_part_len; i++) {
		put_text(b, c->take_part[i].text);
		put_text(b, c->take_part[i].url);
	}
	put_texts(b, c->can_influence, c->can_len);
	put_texts(b, c->cannot_influence, c->cannot_len);
	put_texts(b, c->accessibility, c->accessibility_len);
	put_documents(b, c->documents, c->documents_len);
	put_contact(b, c->contact);
	put_len(b, c->events_len);
	for (i = 0; i < c->events_len; i++)
		put_event(b, c->events[i], 0);
	put_text(b, c->body_html);
}

static void
put_outcome(nb_buf *b, const nb_outcome *o)
{
	size_t i;

	put_text(b, o->consultation ? o->consultation->id : NULL);
	put_text(b, o->title);
	put_text(b, o->summary);
	put_date(b, o->published);
	put_date(b, o->decided_on);
	put32(b, o->has_decided_on);
	put64(b, o->responses);
	put_len(b, o->by_method_len);
	for (i = 0; i < o->by_method_len; i++) {
		put_text(b, o->by_method[i].label);
		put64(b, o->by_method[i].count);
	}
	put_len(b, o->by_area_len);
	for (i = 0; i < o->by_area_len; i++) {
		put_text(b, o->by_area[i].area ? o->by_area[i].area->id : NULL);
		put64(b, o->by_area[i].count);
	}
	put_len(b, o->said_did_len);
	for (i = 0; i < o->said_did_len; i++) {
		put_text(b, o->said_did[i].you_said);
		put_text(b, o->said_did[i].we_did);
		put_text(b, o->said_did[i].why);
		put32(b, (int32_t)o->said_did[i].state);
	}
	put_text(b, o->decision);
	put_text(b, o->decided_by);
	put_text(b, o->next_steps);
	put_documents(b, o->documents, o->documents_len);
	put_len(b, o->updates_len);
	for (i = 0; i < o->updates_len; i++) {
		put_date(b, o->updates[i].date);
		put_text(b, o->updates[i].text);
	}
	put_text(b, o->body_html);
}

static void
put_page(nb_buf *b, const nb_page *p)
{
	put_text(b, p->title);
	put_text(b, p->summary);
	put32(b, p->footer);
	put32(b, p->order);
	put_text(b, p->body_html);
}

void
nb_image_put(nb_buf *b, nb_image_kind k, const nb_model *m, const void *rec,
	     const nb_diag *diags, size_t n)
{
	size_t i;

	put8(b, (unsigned)k);
	switch (k) {
	case NB_IMAGE_CONSULTATION:
		put_consultation(b, m, rec);
		break;
	case NB_IMAGE_EVENT:
		put_event(b, rec, 1);
		break;
	case NB_IMAGE_OUTCOME:
		put_outcome(b, rec);
		break;
	case NB_IMAGE_PAGE:
		put_page(b, rec);
		break;
	}
	put_len(b, n);
	for (i = 0; i < n; i++) {
		put32(b, (int32_t)diags[i].sev);
		put32(b, diags[i].line);
		put32(b, diags[i].col);
		put_text(b, diags[i].msg);
		put_text(b, diags[i].hint);
	}
}

/* ---- reading --------------------------------------------------------------- */

typedef struct cur {
	const unsigned char *p, *end;
	const nb_model *m;
	nb_arena *a;
	int bad;                     /* damaged, or names what m lacks */
} cur;

static int
take(cur *k, void *to, size_t n)
{
	if (k->bad || (size_t)(k->end - k->p) < n) {
		k->bad = 1;
		memset(to, 0, n);
		return -1;
	}
	memcpy(to, k->p, n);
	k->p += n;
	return 0;
}

static unsigned
get8(cur *k)
{
	unsigned char v;
	take(k, &v, 1);
	return v;
}

static int32_t
get32(cur *k)
{
	int32_t v;
	take(k, &v, 4);
	return v;
}

static int64_t
get64(cur *k)
{
	int64_t v;
	take(k, &v, 8);
	return v;
}

/* A count of items of at least `least` bytes each: more than are left is
 * damage, not a request for memory. */
static size_t
get_len(cur *k, size_t least)
{
	uint32_t n;

	if (take(k, &n, 4) != 0)
		return 0;
	if (n > (size_t)(k->end - k->p) / least) {
		k->bad = 1;
		return 0;
	}
	return n;
}

/* A text, where it lies in the image; NULL for none (or damage). */
static const char *
get_text(cur *k)
{
	uint32_t n;
	const char *s;

	if (take(k, &n, 4) != 0 || !n)
		return NULL;
	if ((size_t)(k->end - k->p) < n || k->p[n - 1] != '\0' ||
	    memchr(k->p, '\0', n - 1)) {
		k->bad = 1;
		return NULL;
	}
	s = (const char *)k->p;
	k->p += n;
	return s;
}

static const char **
get_texts(cur *k, size_t *len)
{
	size_t n = get_len(k, 4), i;
	const char **v = NULL;

	*len = 0;
	if (!n)
		return NULL;
	v = nb_arena_alloc(k->a, n * sizeof(*v));
	for (i = 0; i < n; i++)
		if (!(v[i] = get_text(k)))
			k->bad = 1;   /* a list's items are texts */
	*len = k->bad ? 0 : n;
	return v;
}

static nb_date
get_date(cur *k)
{
	nb_date d;

	d.year = get32(k);
	d.month = get32(k);
	d.day = get32(k);
	return d;
}

static nb_local
get_local(cur *k)
{
	nb_local l;

	l.date = get_date(k);
	l.hour = get32(k);
	l.minute = get32(k);
	return l;
}

/* The record an id names, as reading the file would find it; NULL and
 * bad when it is not there. */
static void *
get_ref(cur *k, const nb_map *ids)
{
	const char *id = get_text(k);
	void *p = id ? nb_map_get(ids, id) : NULL;

	if (!p)
		k->bad = 1;
	return p;
}

static void
get_refs(cur *k, const nb_map *ids, nb_vec *out)
{
	size_t n = get_len(k, 4), i;

	if (n)
		nb_vec_reserve(k->a, out, n);
	for (i = 0; i < n && !k->bad; i++) {
		void *p = get_ref(k, ids);
		if (p)
			nb_vec_push(k->a, out, p);
	}
}

static void
get_tags(cur *k, nb_tags *t)
{
	const nb_model *m = k->m;
	const char *lead = get_text(k);

	if (lead && !(t->lead = nb_map_get(&m->partner_ids, lead)))
		k->bad = 1;
	get_refs(k, &m->partner_ids, &t->partners);
	t->everywhere = get32(k);
	get_refs(k, &m->area_ids, &t->areas);
	get_refs(k, &m->topic_ids, &t->topics);
	get_refs(k, &m->audience_ids, &t->audiences);
}

static nb_contact *
get_contact(cur *k)
{
	nb_contact *c;

	if (!get8(k))
		return NULL;
	c = nb_arena_alloc(k->a, sizeof(*c));
	c->name = get_text(k);
	c->role = get_text(k);
	c->email = get_text(k);
	c->phone = get_text(k);
	return c;
}

static nb_document *
get_documents(cur *k, size_t *len)
{
	size_t n = get_len(k, 16), i;
	nb_document *v;

	*len = 0;
	if (!n)
		return NULL;
	v = nb_arena_alloc(k->a, n * sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i].title = get_text(k);
		v[i].url = get_text(k);
		v[i].format = get_text(k);
		v[i].size = get_text(k);
	}
	*len = n;
	return v;
}

static void
get_event(cur *k, nb_event *ev, int standalone)
{
	size_t i, n;

	ev->title = get_text(k);
	ev->description = get_text(k);
	ev->start = get_local(k);
	ev->end = get_local(k);
	if (get8(k)) {
		nb_venue *v = nb_arena_alloc(k->a, sizeof(*v));
		v->name = get_text(k);
		v->address = get_text(k);
		v->postcode = get_text(k);
		v->parking = get_text(k);
		v->access_notes = get_text(k);
		v->step_free = get32(k);
		v->hearing_loop = get32(k);
		v->accessible_toilet = get32(k);
		ev->venue = v;
	}
	ev->online = get_text(k);
	ev->booking = get_text(k);
	ev->translation = get_text(k);
	ev->bsl = get32(k);
	ev->creche = get32(k);
	ev->cancelled = get32(k);
	if (!standalone) {
		ev->anchor = get_text(k);
		/* "event-3" or "event-ID": the id is the record's and what
		 * follows "event-" */
		if (!ev->anchor || strncmp(ev->anchor, "event-", 6) != 0)
			k->bad = 1;
		ev->data_key = (uint64_t)get64(k);
		return;
	}
	ev->summary = get_text(k);
	ev->rrule = get_text(k);
	ev->repeat_text = get_text(k);
	n = get_len(k, 12);
	if (n) {
		ev->except = nb_arena_alloc(k->a, n * sizeof(nb_date));
		for (i = 0; i < n; i++)
			ev->except[i] = get_date(k);
		ev->except_len = n;
	}
	get_tags(k, &ev->tags);
	ev->contact = get_contact(k);
	ev->body_html = get_text(k);
}

static nb_consultation *
get_consultation(cur *k, const char *id, const char *path)
{
	const nb_site *s = &k->m->site;
	nb_consultation *c = nb_arena_alloc(k->a, sizeof(*c));
	const char *level;
	size_t i, n;

	c->id = id;
	c->path = path;
	c->title = get_text(k);
	c->summary = get_text(k);
	get_tags(k, &c->tags);
	/* the rung, by its id: the ladder is site.yaml's */
	level = get_text(k);
	c->level = -1;
	for (i = 0; level && i < s->ladder_len; i++)
		if (s->ladder[i].id && strcmp(s->ladder[i].id, level) == 0)
			c->level = (int)i;
	if (c->level < 0)
		k->bad = 1;
	c->opens = get_date(k);
	c->closes = get_date(k);
	c->feedback_by = get_date(k);
	c->has_feedback_by = get32(k);
	c->cancelled = get32(k);
	c->postponed = get32(k);
	c->status_note = get_text(k);
	n = get_len(k, 8);
	if (n) {
		c->take_part = nb_arena_alloc(k->a, n * sizeof(nb_link));
		for (i = 0; i < n; i++) {
			c->take_part[i].text = get_text(k);
			c->take_part[i].url = get_text(k);
		}
		c->take_part_len = n;
	}
	c->can_influence = get_texts(k, &c->can_len);
	c->cannot_influence = get_texts(k, &c->cannot_len);
	c->accessibility = get_texts(k, &c->accessibility_len);
	c->documents = get_documents(k, &c->documents_len);
	c->contact = get_contact(k);
	n = get_len(k, 64);
	if (n) {
		c->events = nb_arena_alloc(k->a, n * sizeof(nb_event *));
		for (i = 0; i < n && !k->bad; i++) {
			nb_event *ev = nb_arena_alloc(k->a, sizeof(*ev));
			get_event(k, ev, 0);
			ev->path = path;
			ev->consultation = c;
			ev->index = (int)i + 1;
			ev->id = k->bad ? NULL : nb_arena_printf(k->a, "%s-%s",
						id, ev->anchor + 6);
			ev->tags = c->tags;
			c->events[i] = ev;
		}
		c->events_len = n;
	}
	c->body_html = get_text(k);
	return c;
}

static nb_outcome *
get_outcome(cur *k, const char *id, const char *path)
{
	nb_outcome *o = nb_arena_alloc(k->a, sizeof(*o));
	size_t i, n;

	o->id = id;
	o->path = path;
	o->consultation = get_ref(k, &k->m->consultation_ids);
	o->title = get_text(k);
	o->summary = get_text(k);
	o->published = get_date(k);
	o->decided_on = get_date(k);
	o->has_decided_on = get32(k);
	o->responses = (long)get64(k);
	n = get_len(k, 12);
	if (n) {
		o->by_method = nb_arena_alloc(k->a, n * sizeof(nb_count));
		for (i = 0; i < n; i++) {
			o->by_method[i].label = get_text(k);
			o->by_method[i].count = (long)get64(k);
		}
		o->by_method_len = n;
	}
	n = get_len(k, 12);
	if (n) {
		o->by_area = nb_arena_alloc(k->a, n * sizeof(nb_count));
		for (i = 0; i < n && !k->bad; i++) {
			nb_area *ar = get_ref(k, &k->m->area_ids);
			o->by_area[i].area = ar;
			o->by_area[i].label = ar ? ar->name : NULL;
			o->by_area[i].count = (long)get64(k);
		}
		o->by_area_len = n;
	}
	n = get_len(k, 16);
	if (n) {
		o->said_did = nb_arena_alloc(k->a, n * sizeof(nb_said_did));
		for (i = 0; i < n; i++) {
			int32_t st;
			o->said_did[i].you_said = get_text(k);
			o->said_did[i].we_did = get_text(k);
			o->said_did[i].why = get_text(k);
			st = get32(k);
			if (st < NB_DID_DONE || st > NB_DID_NOT_POSSIBLE)
				k->bad = 1;
			o->said_did[i].state = (nb_did_state)st;
		}
		o->said_did_len = n;
	}
	o->decision = get_text(k);
	o->decided_by = get_text(k);
	o->next_steps = get_text(k);
	o->documents = get_documents(k, &o->documents_len);
	n = get_len(k, 16);
	if (n) {
		o->updates = nb_arena_alloc(k->a, n * sizeof(nb_update));
		for (i = 0; i < n; i++) {
			o->updates[i].date = get_date(k);
			o->updates[i].text = get_text(k);
		}
		o->updates_len = n;
	}
	o->body_html = get_text(k);
	return o;
}

static nb_page *
get_page(cur *k, const char *id, const char *path)
{
	nb_page *p = nb_arena_alloc(k->a, sizeof(*p));

	p->id = id;
	p->path = path;
	p->title = get_text(k);
	p->summary = get_text(k);
	p->footer = get32(k);
	p->order = get32(k);
	p->body_html = get_text(k);
	return p;
}

void *
nb_image_get(const unsigned char *p, size_t len, nb_image_kind k,
	     const nb_model *m, nb_arena *a, const char *id, const char *path,
	     nb_diags *d)
{
	cur c = { p, p + len, m, a, 0 };
	void *rec = NULL;
	size_t n, i;
	struct {
		int32_t f[3];
		const char *msg, *hint;
	} *g = NULL;

	if (get8(&c) != (unsigned)k)
		return NULL;
	switch (k) {
	case NB_IMAGE_CONSULTATION:
		rec = get_consultation(&c, id, path);
		break;
	case NB_IMAGE_EVENT: {
		nb_event *ev = nb_arena_alloc(a, sizeof(*ev));
		get_event(&c, ev, 1);
		ev->id = id;
		ev->path = path;
		ev->anchor = "event";
		rec = ev;
		break;
	}
	case NB_IMAGE_OUTCOME:
		rec = get_outcome(&c, id, path);
		break;
	case NB_IMAGE_PAGE:
		rec = get_page(&c, id, path);
		break;
	}
	/* the warnings, added once the whole image is known to be sound */
	n = get_len(&c, 20);
	if (n)
		g = nb_arena_alloc(a, n * sizeof(*g));
	for (i = 0; i < n; i++) {
		take(&c, g[i].f, sizeof(g[i].f));
		g[i].msg = get_text(&c);
		g[i].hint = get_text(&c);
		if (!g[i].msg || g[i].f[0] != NB_SEV_WARNING)
			c.bad = 1;
	}
	if (c.bad || c.p != c.end)
		return NULL;
	for (i = 0; i < n; i++)
		nb_diag_add(d, NB_SEV_WARNING, path, g[i].f[1], g[i].f[2],
			    g[i].hint, "%s", g[i].msg);
	return rec;
}
