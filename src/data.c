/*
 * data.c - JSON and CSV output of figures.
 */
#include "data.h"
#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static json_t *
tallies(const nb_tally *t, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", t[i].id ? json_string(t[i].id)
						     : json_null());
		json_object_set_new(o, "label", json_string(t[i].label));
		json_object_set_new(o, "count", json_integer(t[i].count));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
real_or_null(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

int
nb_data_report_json(nb_buf *out, const nb_report *r)
{
	json_t *root = json_object(), *fb = json_object();
	char *text;
	int rc = -1;

	if (!root || !fb)
		goto done;
	json_object_set_new(root, "year", json_integer(r->year));
	json_object_set_new(root, "activities", json_integer(r->activities));
	json_object_set_new(root, "cancelled", json_integer(r->cancelled));
	json_object_set_new(root, "responses", json_integer(r->responses));
	json_object_set_new(root, "outcomes", json_integer(r->outcomes));
	json_object_set_new(root, "by_level", tallies(r->by_level, r->by_level_len));
	json_object_set_new(root, "by_partner", tallies(r->by_partner, r->by_partner_len));
	json_object_set_new(root, "by_area", tallies(r->by_area, r->by_area_len));
	json_object_set_new(root, "by_topic", tallies(r->by_topic, r->by_topic_len));
	json_object_set_new(fb, "closed", json_integer(r->closed));
	json_object_set_new(fb, "on_time", json_integer(r->on_time));
	json_object_set_new(fb, "late", json_integer(r->late));
	json_object_set_new(fb, "overdue", json_integer(r->overdue));
	json_object_set_new(fb, "awaiting", json_integer(r->awaiting));
	json_object_set_new(fb, "undated", json_integer(r->undated));
	json_object_set_new(fb, "on_time_share", real_or_null(r->on_time_share));
	json_object_set_new(fb, "median_days_to_feedback",
			    real_or_null(r->median_days));
	json_object_set(root, "feedback", fb);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			  JSON_REAL_PRECISION(6));
	if (text) {
		nb_buf_puts(out, text);
		nb_buf_putc(out, '\n');
		free(text);
		rc = 0;
	}
done:
	json_decref(fb);
	json_decref(root);
	return rc;
}

void
nb_csv_field(nb_buf *out, const char *s)
{
	const char *p;

	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		nb_buf_puts(out, s);
		return;
	}
	nb_buf_putc(out, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			nb_buf_putc(out, '"');
		nb_buf_putc(out, *p);
	}
	nb_buf_putc(out, '"');
}

static void
row(nb_buf *out, const char *table, const char *id, const char *label,
    const char *value)
{
	nb_csv_field(out, table);
	nb_buf_putc(out, ',');
	nb_csv_field(out, id);
	nb_buf_putc(out, ',');
	nb_csv_field(out, label);
	nb_buf_putc(out, ',');
	nb_csv_field(out, value);
	nb_buf_puts(out, "\r\n");
}

static void
row_long(nb_buf *out, const char *table, const char *id, const char *label,
	 long v)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", v);
	row(out, table, id, label, num);
}

static void
row_real(nb_buf *out, const char *id, const char *label, double v)
{
	char num[32];

	if (v < 0)
		num[0] = '\0';
	else
		snprintf(num, sizeof(num), "%.6g", v);
	row(out, "feedback", id, label, num);
}

static void
rows(nb_buf *out, const char *table, const nb_tally *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		row_long(out, table, t[i].id ? t[i].id : "", t[i].label,
			 t[i].count);
}

void
nb_data_report_csv(nb_buf *out, const nb_report *r)
{
	row(out, "table", "id", "label", "value");
	row_long(out, "summary", "year", "Year", r->year);
	row_long(out, "summary", "activities", "Activities", r->activities);
	row_long(out, "summary", "cancelled", "Cancelled", r->cancelled);
	row_long(out, "summary", "responses", "Responses", r->responses);
	row_long(out, "summary", "outcomes", "Outcomes published", r->outcomes);
	rows(out, "level", r->by_level, r->by_level_len);
	rows(out, "partner", r->by_partner, r->by_partner_len);
	rows(out, "area", r->by_area, r->by_area_len);
	rows(out, "topic", r->by_topic, r->by_topic_len);
	row_long(out, "feedback", "closed", "Closed in the year", r->closed);
	row_long(out, "feedback", "on_time", "Published on time", r->on_time);
	row_long(out, "feedback", "late", "Published late", r->late);
	row_long(out, "feedback", "overdue", "Overdue", r->overdue);
	row_long(out, "feedback", "awaiting", "Not yet due", r->awaiting);
	row_long(out, "feedback", "undated", "No date promised", r->undated);
	row_real(out, "on_time_share", "Share published on time", r->on_time_share);
	row_real(out, "median_days_to_feedback", "Median days from closing to feedback",
		 r->median_days);
}

/* ---- open data ------------------------------------------------------------- */

static const char *data_names[NB_DATA_COUNT] = {
	"consultations", "events", "outcomes", "areas", "partners"
};

const char *
nb_data_name(nb_data_kind k)
{
	return k < NB_DATA_COUNT ? data_names[k] : "unknown";
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static char *
abs_url(const nb_model *m, const char *prefix, const char *fmt, const char *id)
{
	size_t n = strlen(m->site.base_url) + strlen(prefix) + strlen(fmt) +
		   (id ? strlen(id) : 0) + 16;
	char *path = malloc(n), *out = malloc(n);

	snprintf(path, n, fmt, id ? id : "");
	snprintf(out, n, "%s%s%s", m->site.base_url, prefix, path);
	free(path);
	return out;
}

static void
set_url(json_t *o, const char *key, const nb_model *m, const char *prefix,
	const char *fmt, const char *id)
{
	char *u = abs_url(m, prefix, fmt, id);
	json_object_set_new(o, key, json_string(u));
	free(u);
}

static json_t *
date_json(nb_date d)
{
	char s[16];

	snprintf(s, sizeof(s), "%04d-%02d-%02d", d.year, d.month, d.day);
	return json_string(s);
}

static json_t *
local_json(nb_local l)
{
	nb_buf b = NB_BUF_INIT;
	json_t *j;

	nb_fmt_iso_local(&b, l);
	j = json_string(nb_buf_cstr(&b));
	nb_buf_free(&b);
	return j;
}

static json_t *
strs_json(const char **v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *
ids_json(const nb_vec *v, size_t off)   /* off: offset of `id` in items */
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < v->len; i++)
		json_array_append_new(a, json_string(
			*(const char **)((const char *)v->items[i] + off)));
	return a;
}

static void
set_tags_json(json_t *o, const nb_tags *t)
{
	json_object_set_new(o, "lead", str_or_null(t->lead ? t->lead->id : NULL));
	json_object_set_new(o, "partners", ids_json(&t->partners,
		offsetof(nb_partner, id)));
	json_object_set_new(o, "everywhere", json_boolean(t->everywhere));
	json_object_set_new(o, "areas", ids_json(&t->areas, offsetof(nb_area, id)));
	json_object_set_new(o, "topics", ids_json(&t->topics, offsetof(nb_term, id)));
	json_object_set_new(o, "audiences", ids_json(&t->audiences,
		offsetof(nb_term, id)));
}

static json_t *
documents_json(const nb_document *d, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "title", json_string(d[i].title));
		json_object_set_new(o, "url", str_or_null(d[i].url));
		json_object_set_new(o, "format", str_or_null(d[i].format));
		json_object_set_new(o, "size", str_or_null(d[i].size));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
venue_json(const nb_venue *v)
{
	static const nb_venue none = { NULL, NULL, NULL, NULL, NULL, -1, -1, -1 };
	json_t *o = json_object();

	/* always an object, every key present (null for an online-only
	 * event), so that CSV columns are the same for every row */
	if (!v)
		v = &none;
	json_object_set_new(o, "name", str_or_null(v->name));
	json_object_set_new(o, "address", str_or_null(v->address));
	json_object_set_new(o, "postcode", str_or_null(v->postcode));
	json_object_set_new(o, "step_free", v->step_free < 0 ? json_null()
		: json_boolean(v->step_free));
	json_object_set_new(o, "hearing_loop", v->hearing_loop < 0 ? json_null()
		: json_boolean(v->hearing_loop));
	json_object_set_new(o, "accessible_toilet", v->accessible_toilet < 0
		? json_null() : json_boolean(v->accessible_toilet));
	json_object_set_new(o, "parking", str_or_null(v->parking));
	json_object_set_new(o, "access_notes", str_or_null(v->access_notes));
	return o;
}

static json_t *
consultation_json(const nb_model *m, const nb_consultation *c,
		  const char *prefix)
{
	json_t *o = json_object(), *tp = json_array(), *evs = json_array();
	size_t i;

	json_object_set_new(o, "id", json_string(c->id));
	set_url(o, "url", m, prefix, "consultations/%s/", c->id);
	json_object_set_new(o, "title", json_string(c->title));
	json_object_set_new(o, "summary", json_string(c->summary));
	json_object_set_new(o, "status", json_string(nb_status_slug(c->status)));
	json_object_set_new(o, "level", str_or_null(c->level >= 0 ?
		m->site.ladder[c->level].id : NULL));
	set_tags_json(o, &c->tags);
	json_object_set_new(o, "opens", date_json(c->opens));
	json_object_set_new(o, "closes", date_json(c->closes));
	json_object_set_new(o, "feedback_by", c->has_feedback_by ?
		date_json(c->feedback_by) : json_null());
	json_object_set_new(o, "feedback_promise", json_string(
		nb_promise_slug(c->promise)));
	json_object_set_new(o, "status_note", str_or_null(c->status_note));
	for (i = 0; i < c->take_part_len; i++) {
		json_t *t = json_object();
		json_object_set_new(t, "text", json_string(c->take_part[i].text));
		json_object_set_new(t, "link", str_or_null(c->take_part[i].url));
		json_array_append_new(tp, t);
	}
	json_object_set_new(o, "take_part", tp);
	json_object_set_new(o, "can_influence", strs_json(c->can_influence, c->can_len));
	json_object_set_new(o, "cannot_influence", strs_json(c->cannot_influence,
		c->cannot_len));
	json_object_set_new(o, "accessibility", strs_json(c->accessibility,
		c->accessibility_len));
	json_object_set_new(o, "documents", documents_json(c->documents,
		c->documents_len));
	for (i = 0; i < c->events_len; i++)
		json_array_append_new(evs, json_string(c->events[i]->id));
	json_object_set_new(o, "events", evs);
	json_object_set_new(o, "outcome", str_or_null(c->outcome ? c->outcome->id
							       : NULL));
	return o;
}

static json_t *
event_json(const nb_model *m, const nb_event *ev, const char *prefix)
{
	json_t *o = json_object();
	char *u;

	json_object_set_new(o, "id", json_string(ev->id));
	if (ev->consultation) {
		size_t n = strlen(ev->consultation->id) + strlen(ev->anchor) + 32;
		char *path = malloc(n);
		snprintf(path, n, "consultations/%s/#%s", ev->consultation->id,
			 ev->anchor);
		u = abs_url(m, prefix, "%s", path);
		free(path);
	} else {
		u = abs_url(m, prefix, "events/%s/", ev->id);
	}
	json_object_set_new(o, "url", json_string(u));
	free(u);
	json_object_set_new(o, "title", json_string(ev->title));
	json_object_set_new(o, "start", local_json(ev->start));
	json_object_set_new(o, "end", local_json(ev->end));
	json_object_set_new(o, "consultation", str_or_null(ev->consultation ?
		ev->consultation->id : NULL));
	json_object_set_new(o, "venue", venue_json(ev->venue));
	json_object_set_new(o, "online", str_or_null(ev->online));
	json_object_set_new(o, "booking", str_or_null(ev->booking));
	json_object_set_new(o, "bsl", json_boolean(ev->bsl));
	json_object_set_new(o, "creche", json_boolean(ev->creche));
	json_object_set_new(o, "translation", str_or_null(ev->translation));
	json_object_set_new(o, "cancelled", json_boolean(ev->cancelled));
	json_object_set_new(o, "repeat", str_or_null(ev->rrule));
	set_tags_json(o, &ev->tags);
	return o;
}

static json_t *
counts_json(const nb_count *c, size_t n, int by_area)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();
		if (by_area)
			json_object_set_new(o, "area", str_or_null(c[i].area ?
				c[i].area->id : NULL));
		else
			json_object_set_new(o, "method", json_string(c[i].label));
		json_object_set_new(o, "count", json_integer(c[i].count));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
outcome_json(const nb_model *m, const nb_outcome *oc, const char *prefix)
{
	json_t *o = json_object(), *r = json_object(), *sd = json_array();
	json_t *up = json_array();
	size_t i;

	json_object_set_new(o, "id", json_string(oc->id));
	set_url(o, "url", m, prefix, "outcomes/%s/", oc->id);
	json_object_set_new(o, "consultation", json_string(oc->consultation->id));
	json_object_set_new(o, "title", str_or_null(oc->title));
	json_object_set_new(o, "summary", json_string(oc->summary));
	json_object_set_new(o, "published", date_json(oc->published));
	json_object_set_new(o, "on_time", json_boolean(oc->on_time));
	json_object_set_new(r, "total", json_integer(oc->responses));
	json_object_set_new(r, "by_method", counts_json(oc->by_method,
		oc->by_method_len, 0));
	json_object_set_new(r, "by_area", counts_json(oc->by_area,
		oc->by_area_len, 1));
	json_object_set_new(o, "responses", r);
	for (i = 0; i < oc->said_did_len; i++) {
		json_t *it = json_object();
		json_object_set_new(it, "you_said", json_string(oc->said_did[i].you_said));
		json_object_set_new(it, "we_did", json_string(oc->said_did[i].we_did));
		json_object_set_new(it, "state", json_string(
			oc->said_did[i].state == NB_DID_DONE ? "done" :
			oc->said_did[i].state == NB_DID_IN_PROGRESS ? "in progress"
								    : "not possible"));
		json_object_set_new(it, "why", str_or_null(oc->said_did[i].why));
		json_array_append_new(sd, it);
	}
	json_object_set_new(o, "you_said_we_did", sd);
	json_object_set_new(o, "decision", str_or_null(oc->decision));
	json_object_set_new(o, "decided_by", str_or_null(oc->decided_by));
	json_object_set_new(o, "decided_on", oc->has_decided_on ?
		date_json(oc->decided_on) : json_null());
	json_object_set_new(o, "next_steps", str_or_null(oc->next_steps));
	json_object_set_new(o, "documents", documents_json(oc->documents,
		oc->documents_len));
	for (i = 0; i < oc->updates_len; i++) {
		json_t *it = json_object();
		json_object_set_new(it, "date", date_json(oc->updates[i].date));
		json_object_set_new(it, "text", json_string(oc->updates[i].text));
		json_array_append_new(up, it);
	}
	json_object_set_new(o, "updates", up);
	return o;
}

static json_t *
area_json(const nb_model *m, const nb_area *a, const char *prefix)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(a->id));
	set_url(o, "url", m, prefix, "areas/%s/", a->id);
	json_object_set_new(o, "name", json_string(a->name));
	json_object_set_new(o, "type", json_string(a->type));
	json_object_set_new(o, "parent", str_or_null(a->parent ? a->parent->id : NULL));
	json_object_set_new(o, "code", str_or_null(a->code));
	json_object_set_new(o, "description", str_or_null(a->description));
	return o;
}

static json_t *
partner_json(const nb_model *m, const nb_partner *p, const char *prefix)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(p->id));
	set_url(o, "url", m, prefix, "partners/%s/", p->id);
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "short_name", str_or_null(p->short_name));
	json_object_set_new(o, "type", str_or_null(p->type));
	json_object_set_new(o, "website", str_or_null(p->website));
	json_object_set_new(o, "email", str_or_null(p->email));
	json_object_set_new(o, "phone", str_or_null(p->phone));
	return o;
}

/* ---- one record at a time ------------------------------------------------- */

/* A collection is written record by record: each record's json_t is built,
 * written out and freed before the next, so memory follows the largest
 * record rather than the whole collection (100,000 consultations would be
 * hundreds of megabytes of jansson objects). */

/* Walks the records of a collection in order (events: the consultations'
 * own, then the standalone ones; a repeating event once, with its rule). */
typedef struct walk {
	nb_data_kind k;
	const nb_model *m;
	size_t i, j;
} walk;

static const void *
walk_next(walk *w)
{
	const nb_model *m = w->m;

	switch (w->k) {
	case NB_DATA_CONSULTATIONS:
		return w->i < m->consultations.len ?
		       m->consultations.items[w->i++] : NULL;
	case NB_DATA_EVENTS:
		while (w->i < m->consultations.len) {
			const nb_consultation *c = m->consultations.items[w->i];
			if (w->j < c->events_len)
				return c->events[w->j++];
			w->i++;
			w->j = 0;
		}
		return w->j < m->events.len ? m->events.items[w->j++] : NULL;
	case NB_DATA_OUTCOMES:
		return w->i < m->outcomes.len ? m->outcomes.items[w->i++] : NULL;
	case NB_DATA_AREAS:
		return w->i < m->areas.len ? m->areas.items[w->i++] : NULL;
	case NB_DATA_PARTNERS:
		return w->i < m->partners.len ? m->partners.items[w->i++] : NULL;
	default:
		return NULL;
	}
}

static json_t *
record_json(nb_data_kind k, const nb_model *m, const void *rec,
	    const char *prefix)
{
	switch (k) {
	case NB_DATA_CONSULTATIONS:
		return consultation_json(m, rec, prefix);
	case NB_DATA_EVENTS:
		return event_json(m, rec, prefix);
	case NB_DATA_OUTCOMES:
		return outcome_json(m, rec, prefix);
	case NB_DATA_AREAS:
		return area_json(m, rec, prefix);
	default:
		return partner_json(m, rec, prefix);
	}
}

static uint64_t
key_str(uint64_t h, const char *s)
{
	return s ? nb_sig(h, s, strlen(s) + 1) : nb_sig_u64(h, 0);
}

static uint64_t
key_local(uint64_t h, nb_local l)
{
	h = nb_sig_u64(h, (uint64_t)nb_date_days(l.date));
	return nb_sig_u64(h, (uint64_t)(l.hour * 60 + l.minute));
}

static uint64_t
key_ids(uint64_t h, const nb_vec *v, size_t id_offset)
{
	size_t i;

	h = nb_sig_u64(h, v->len);
	for (i = 0; i < v->len; i++)
		h = key_str(h, *(const char *const *)
			    ((const char *)v->items[i] + id_offset));
	return h;
}

/* What event_json writes of an event of a consultation, every field of
 * it but its ids (which come from the consultation's file name, not its
 * bytes): the rest of the consultation's file (its summary, its body) is
 * not in the event's record.  Keep it beside event_json. */
static uint64_t
event_key_own(const nb_event *ev)
{
	const nb_venue *v = ev->venue;
	const nb_tags *t = &ev->tags;
	uint64_t h = key_str(NB_SIG_INIT, ev->anchor);

	h = key_str(h, ev->title);
	h = key_local(key_local(h, ev->start), ev->end);
	h = nb_sig_u64(h, v != NULL);
	if (v) {
		h = key_str(key_str(key_str(h, v->name), v->address), v->postcode);
		h = key_str(key_str(h, v->parking), v->access_notes);
		h = nb_sig_u64(h, (uint64_t)(v->step_free + 1) * 9 +
			       (uint64_t)(v->hearing_loop + 1) * 3 +
			       (uint64_t)(v->accessible_toilet + 1));
	}
	h = key_str(key_str(key_str(h, ev->online), ev->booking),
		    ev->translation);
	h = nb_sig_u64(h, (uint64_t)(!!ev->bsl * 4 + !!ev->creche * 2 +
				     !!ev->cancelled));
	h = key_str(h, ev->rrule);
	h = key_str(h, t->lead ? t->lead->id : NULL);
	h = key_ids(h, &t->partners, offsetof(nb_partner, id));
	h = nb_sig_u64(h, (uint64_t)t->everywhere);
	h = key_ids(h, &t->areas, offsetof(nb_area, id));
	h = key_ids(h, &t->topics, offsetof(nb_term, id));
	return key_ids(h, &t->audiences, offsetof(nb_term, id));
}

uint64_t
nb_data_event_key(const nb_event *ev)
{
	return event_key_own(ev);
}

/* The same with its ids: the record's key.  What its file says is
 * worked out when the file is read and kept with its image (a file
 * renamed keeps it; its ids are the new name's). */
static uint64_t
event_key(const nb_event *ev)
{
	uint64_t own = ev->data_key ? ev->data_key : event_key_own(ev);

	return key_str(key_str(nb_sig_u64(NB_SIG_INIT, own), ev->id),
		       ev->consultation->id);
}

/* A record's key for nb_data_out's pieces: what its record says depends
 * on, with `global` (the site, areas, partners and the day); 0 for areas
 * and partners (a few hundred, made afresh every time: every output
 * depends on them). */
static uint64_t
record_key(nb_data_kind k, const void *rec, uint64_t global)
{
	uint64_t h;
	const char *id;

	switch (k) {
	case NB_DATA_CONSULTATIONS:
		h = nb_sig_consultation(rec);
		id = ((const nb_consultation *)rec)->id;
		break;
	case NB_DATA_EVENTS: {
		const nb_event *ev = rec;
		h = ev->consultation ? event_key(ev) : nb_sig_event(ev);
		id = ev->id;
		break;
	}
	case NB_DATA_OUTCOMES: {
		/* its file; of its consultation, the id and whether the
		 * outcome came on time */
		const nb_outcome *o = rec;
		h = key_str(nb_sig_u64(nb_sig_u64(NB_SIG_INIT, o->sig),
				       (uint64_t)o->on_time),
			    o->consultation ? o->consultation->id : NULL);
		id = o->id;
		break;
	}
	default:
		return 0;
	}
	h = nb_sig(nb_sig_u64(nb_sig_u64(NB_SIG_INIT, global), h), id,
		   strlen(id) + 1);
	return h ? h : 1;
}

static int
dump(nb_buf *out, json_t *j, size_t flags)
{
	char *text = json_dumps(j, flags);

	json_decref(j);
	if (!text)
		return -1;
	nb_buf_puts(out, text);
	nb_buf_putc(out, '\n');
	free(text);
	return 0;
}

/* jansson's text for one record, straight into the buffer, with one more
 * space after every newline: the record sits one level down, inside the
 * array.  jansson writes a newline inside a string as \n, so every newline
 * it hands us lies between tokens. */
static int
put_nested(const char *s, size_t len, void *ud)
{
	nb_buf *out = ud;
	const char *nl;

	while ((nl = memchr(s, '\n', len)) != NULL) {
		size_t n = (size_t)(nl - s) + 1;
		nb_buf_put(out, s, n);
		nb_buf_putc(out, ' ');
		s += n;
		len -= n;
	}
	nb_buf_put(out, s, len);
	return 0;
}

/* CSV: the JSON objects flattened: nested objects as column.sub, lists of
 * strings joined with "; ", lists of objects left out (they are in the
 * JSON).  `scratch` is a buffer for joining lists, reused from one value
 * to the next. */
static void
csv_value(nb_buf *out, nb_buf *scratch, json_t *v)
{
	char num[32];
	size_t i;
	json_t *it;

	switch (json_typeof(v)) {
	case JSON_STRING:
		nb_csv_field(out, json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		nb_buf_puts(out, num);
		break;
	case JSON_TRUE:
		nb_buf_puts(out, "true");
		break;
	case JSON_FALSE:
		nb_buf_puts(out, "false");
		break;
	case JSON_ARRAY:
		nb_buf_clear(scratch);
		json_array_foreach(v, i, it) {
			if (!json_is_string(it))
				continue;
			if (scratch->len)
				nb_buf_puts(scratch, "; ");
			nb_buf_puts(scratch, json_string_value(it));
		}
		nb_csv_field(out, nb_buf_cstr(scratch));
		break;
	default:
		break;
	}
}

/* Lists of objects stay in the JSON: named here, since the first record,
 * which names the columns, may have these lists empty. */
static const char *const object_lists[] = {
	"take_part", "documents", "events", "by_method", "by_area",
	"you_said_we_did", "updates", NULL
};

/* Whether key, with the first record's value v, is a CSV column: not a
 * list of objects. */
static int
csv_column(const char *key, json_t *v)
{
	size_t i;
	json_t *it;

	if (!json_is_array(v))
		return 1;
	for (i = 0; object_lists[i]; i++)
		if (strcmp(key, object_lists[i]) == 0)
			return 0;
	json_array_foreach(v, i, it)
		if (!json_is_string(it))
			return 0;
	return 1;
}

/* The header row.  The columns come from the first record alone: every
 * record has every key, so its keys are everyone's (and csv_column()
 * knows which lists hold objects, even when the first one's are empty). */
static void
csv_header(nb_buf *out, json_t *first)
{
	json_t *v, *sub;
	const char *key, *skey;
	int col = 0;

	json_object_foreach(first, key, v) {
		if (json_is_object(v)) {
			json_object_foreach(v, skey, sub) {
				if (!csv_column(skey, sub))
					continue;
				if (col++)
					nb_buf_putc(out, ',');
				nb_buf_printf(out, "%s.%s", key, skey);
			}
			continue;
		}
		if (!csv_column(key, v))
			continue;
		if (col++)
			nb_buf_putc(out, ',');
		nb_buf_puts(out, key);
	}
	nb_buf_puts(out, "\r\n");
}

/* One record's row, in the first record's columns. */
static void
csv_row(nb_buf *out, nb_buf *scratch, json_t *first, json_t *row)
{
	json_t *v, *sub, *rv, *sv;
	const char *key, *skey;
	int col = 0;

	json_object_foreach(first, key, v) {
		rv = json_object_get(row, key);
		if (json_is_object(v)) {
			json_object_foreach(v, skey, sub) {
				if (!csv_column(skey, sub))
					continue;
				if (col++)
					nb_buf_putc(out, ',');
				if ((sv = json_object_get(rv, skey)) != NULL)
					csv_value(out, scratch, sv);
			}
			continue;
		}
		if (!csv_column(key, v))
			continue;
		if (col++)
			nb_buf_putc(out, ',');
		if (rv)
			csv_value(out, scratch, rv);
	}
	nb_buf_puts(out, "\r\n");
}

/* The two forms are made in one pass: each record's json_t is built once
 * and written as a JSON array element and as a CSV row.  A buffer that
 * holds NB_DATA_CHUNK bytes or more is handed to the sink's flush, so a
 * collection of any size goes out in pieces of about that size. */
#define NB_DATA_CHUNK (1u << 20)

/* The pieces index: "nb-piece", u32 0x01020304, u32 version, u64 count,
 * u64 the JSON file's length, u64 the CSV file's, u64 the CSV header's;
 * then count x { u64 key, u64 json offset, u64 csv offset, u32 json
 * length, u32 csv length } in the records' order. */
#define PIECES_MAGIC "nb-piece"
#define PIECES_HEAD 48
#define PIECE 32

typedef struct piece {
	uint64_t key, json_off, csv_off;
	uint32_t json_len, csv_len;
} piece;

typedef struct old_pieces {
	const nb_data_pieces *p;
	piece *v;                /* sorted by key */
	size_t n;
	size_t csv_head;         /* the old CSV header's length */
	int json_ok, csv_ok;     /* the files are those the index describes */
} old_pieces;

static uint64_t
get64(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static int
cmp_piece(const void *a, const void *b)
{
	uint64_t x = ((const piece *)a)->key, y = ((const piece *)b)->key;
	return x < y ? -1 : x > y;
}

/* Load the last build's index; a damaged one is ignored. */
static void
old_load(old_pieces *op, const nb_data_pieces *p)
{
	uint32_t u[2];
	uint64_t n, i;

	memset(op, 0, sizeof(*op));
	if (!p || !p->index || p->index_len < PIECES_HEAD ||
	    memcmp(p->index, PIECES_MAGIC, 8) != 0)
		return;
	memcpy(u, p->index + 8, 8);
	n = get64(p->index + 16);
	if (u[0] != 0x01020304u || u[1] != 1 ||
	    n != (p->index_len - PIECES_HEAD) / PIECE ||
	    (p->index_len - PIECES_HEAD) % PIECE)
		return;
	op->json_ok = p->json && get64(p->index + 24) == p->json_len;
	op->csv_ok = p->csv && get64(p->index + 32) == p->csv_len;
	op->csv_head = (size_t)get64(p->index + 40);
	if (op->csv_head > p->csv_len)
		op->csv_ok = 0;
	op->v = malloc((size_t)n * sizeof(*op->v) + 1);
	if (!op->v)
		return;
	for (i = 0; i < n; i++) {
		const char *e = p->index + PIECES_HEAD + i * PIECE;
		piece *pc = &op->v[op->n];
		memcpy(&pc->key, e, 8);
		memcpy(&pc->json_off, e + 8, 8);
		memcpy(&pc->csv_off, e + 16, 8);
		memcpy(&pc->json_len, e + 24, 4);
		memcpy(&pc->csv_len, e + 28, 4);
		if ((op->json_ok && (pc->json_off > p->json_len ||
				     pc->json_len > p->json_len - pc->json_off)) ||
		    (op->csv_ok && (pc->csv_off > p->csv_len ||
				    pc->csv_len > p->csv_len - pc->csv_off))) {
			op->n = 0;   /* not these files' index */
			return;
		}
		op->n++;
	}
	qsort(op->v, op->n, sizeof(*op->v), cmp_piece);
	op->p = p;
}

int
nb_data_pieces_sound(const nb_data_pieces *p)
{
	uint32_t u[2];
	uint64_t n;

	if (!p || !p->json || !p->csv || !p->index ||
	    p->index_len < PIECES_HEAD ||
	    memcmp(p->index, PIECES_MAGIC, 8) != 0)
		return 0;
	memcpy(u, p->index + 8, 8);
	n = get64(p->index + 16);
	return u[0] == 0x01020304u && u[1] == 1 &&
	       n == (p->index_len - PIECES_HEAD) / PIECE &&
	       (p->index_len - PIECES_HEAD) % PIECE == 0 &&
	       get64(p->index + 24) == p->json_len &&
	       get64(p->index + 32) == p->csv_len &&
	       get64(p->index + 40) <= p->csv_len;
}

static const piece *
old_find(const old_pieces *op, uint64_t key)
{
	size_t lo = 0, hi = op->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (op->v[mid].key == key)
			return &op->v[mid];
		if (op->v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct write_ctx {
	nb_data_out *out;
	size_t written;          /* records so far */
	json_t *first;           /* the first record: it names the columns */
	nb_buf scratch;          /* for joining lists in CSV cells */
	size_t flushed[2];       /* bytes handed to flush: JSON, CSV */
	size_t csv_head;         /* the header's length */
	old_pieces old;
	int csv_reuse;           /* the old CSV rows are in these columns */
	/* with out->copy: a stretch of the old file to copy, after what the
	 * buffer holds (JSON, CSV) */
	uint64_t run_off[2];
	size_t run_len[2];
};

static int
flush_full(struct write_ctx *c, nb_buf *b, int csv)
{
	nb_data_out *out = c->out;

	if (!out->flush || !b || b->len < NB_DATA_CHUNK)
		return 0;
	c->flushed[csv] += b->len;
	return out->flush(out->ud, b, csv);
}

/* Where the next byte of stream s goes in its file. */
static uint64_t
pos(const struct write_ctx *c, int s)
{
	const nb_buf *b = s ? c->out->csv : c->out->json;

	return c->flushed[s] + b->len + c->run_len[s];
}

/* Write out the stretch of the old file waiting to be copied (the buffer
 * first: it comes before). */
static int
run_flush(struct write_ctx *c, int s)
{
	nb_data_out *out = c->out;
	nb_buf *b = s ? out->csv : out->json;
	int rc = 0;

	if (!c->run_len[s])
		return 0;
	if (b->len) {
		c->flushed[s] += b->len;
		rc = out->flush(out->ud, b, s);
	}
	if (rc == 0)
		rc = out->copy(out->ud, s, c->run_off[s], c->run_len[s]);
	c->flushed[s] += c->run_len[s];
	c->run_len[s] = 0;
	return rc;
}

/* The separator before the record at `off` of the old file of stream s,
 * laid out as put_record lays out the new one: "[\n " before the first
 * JSON record (at 3), ",\n " before the others; nothing in CSV. */
static const char *
old_sep(int s, uint64_t off)
{
	if (s)
		return "";
	return off == 3 ? "[\n " : ",\n ";
}

/* An unchanged record's text, [off, off + len) of the old file of stream
 * s, after `sep` (its separator in the new file; "" for none).  With a
 * copy function, stretches of the old file that follow on are copied in
 * one go, in the kernel; else the bytes go through the buffer. */
static int
put_old(struct write_ctx *c, int s, const char *sep, uint64_t off,
	size_t len)
{
	nb_data_out *out = c->out;
	nb_buf *b = s ? out->csv : out->json;
	const char *file = s ? c->old.p->csv : c->old.p->json;
	size_t sl = strlen(sep);
	int rc;

	if (!out->copy) {
		nb_buf_puts(b, sep);
		nb_buf_put(b, file + off, len);
		return 0;
	}
	/* right after the stretch, with the same separator between: the old
	 * file's is known from where the record starts (a look at the mapped
	 * file would fault in a page for each record, 40 ms at 10,000) */
	if (c->run_len[s] && c->run_off[s] + c->run_len[s] + sl == off &&
	    strcmp(old_sep(s, off), sep) == 0) {
		c->run_len[s] += sl + len;
		return 0;
	}
	if ((rc = run_flush(c, s)) != 0)
		return rc;
	nb_buf_puts(b, sep);
	c->run_off[s] = off;
	c->run_len[s] = len;
	return 0;
}

static void
put_u64(nb_buf *b, uint64_t v)
{
	nb_buf_put(b, (const char *)&v, 8);
}

static int
put_record(struct write_ctx *c, nb_data_kind k, const nb_model *m,
	   const void *r, const char *prefix)
{
	nb_data_out *out = c->out;
	uint64_t key = record_key(k, r, out->global);
	const piece *was = key ? old_find(&c->old, key) : NULL;
	json_t *rec = NULL;
	piece now;
	int rc = 0;

	memset(&now, 0, sizeof(now));
	now.key = key;
	/* the first record names the CSV columns: it is always made */
	if (!c->first || !was || (out->json && !c->old.json_ok) ||
	    (out->csv && !c->csv_reuse)) {
		rec = record_json(k, m, r, prefix);
		if (!rec)
			return -1;   /* out of memory in jansson */
	}
	if (out->json) {
		/* laid out as json_dumps() lays out the whole array with
		 * JSON_INDENT(1): "[\n " before the first, ",\n " between */
		const char *sep = c->written ? ",\n " : "[\n ";
		if (rec) {
			rc = run_flush(c, 0);
			nb_buf_puts(out->json, sep);
			now.json_off = pos(c, 0);
			if (rc == 0)
				rc = json_dump_callback(rec, put_nested, out->json,
					JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		} else {
			now.json_off = pos(c, 0) + strlen(sep);
			rc = put_old(c, 0, sep, was->json_off, was->json_len);
		}
		now.json_len = (uint32_t)(pos(c, 0) - now.json_off);
	}
	if (rc == 0 && out->csv) {
		if (!c->first) {
			c->first = json_incref(rec);
			csv_header(out->csv, rec);
			c->csv_head = out->csv->len;
			/* the old rows fit when the columns are the same */
			c->csv_reuse = c->old.csv_ok &&
				c->old.csv_head == c->csv_head &&
				memcmp(c->old.p->csv, out->csv->ptr,
				       c->csv_head) == 0;
		}
		now.csv_off = pos(c, 1);
		if (rec) {
			rc = run_flush(c, 1);
			csv_row(out->csv, &c->scratch, c->first, rec);
		} else {
			rc = put_old(c, 1, "", was->csv_off, was->csv_len);
		}
		now.csv_len = (uint32_t)(pos(c, 1) - now.csv_off);
	}
	if (!c->first && rec)
		c->first = json_incref(rec);
	if (!rec)
		out->reused++;
	json_decref(rec);
	c->written++;
	if (rc == 0 && out->index && out->json && out->csv) {
		put_u64(out->index, now.key);
		put_u64(out->index, now.json_off);
		put_u64(out->index, now.csv_off);
		nb_buf_put(out->index, (const char *)&now.json_len, 4);
		nb_buf_put(out->index, (const char *)&now.csv_len, 4);
	}
	if (rc == 0)
		rc = flush_full(c, out->json, 0);
	if (rc == 0)
		rc = flush_full(c, out->csv, 1);
	return rc;
}

uint64_t
nb_data_sig(nb_data_kind k, const nb_model *m, uint64_t global)
{
	walk w = { k, m, 0, 0 };
	const void *r;
	uint64_t h = nb_sig_u64(nb_sig_u64(NB_SIG_INIT, global), (uint64_t)k);

	/* areas and partners: their files are in the global */
	if (k == NB_DATA_AREAS || k == NB_DATA_PARTNERS)
		return h;
	while ((r = walk_next(&w)) != NULL)
		h = nb_sig_u64(h, record_key(k, r, global));
	return h;
}

int
nb_data_write(nb_data_out *out, nb_data_kind k, const nb_model *m,
	      const char *prefix)
{
	struct write_ctx c;
	walk w = { k, m, 0, 0 };
	const void *r;
	size_t index_from = out->index ? out->index->len : 0;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.out = out;
	old_load(&c.old, out->old);
	if (out->index && out->json && out->csv) {
		uint32_t u[2] = { 0x01020304u, 1 };
		nb_buf_put(out->index, PIECES_MAGIC, 8);
		nb_buf_put(out->index, (const char *)u, 8);
		/* the count and lengths, filled in at the end */
		put_u64(out->index, 0);
		put_u64(out->index, 0);
		put_u64(out->index, 0);
		put_u64(out->index, 0);
	}
	while (rc == 0 && (r = walk_next(&w)) != NULL)
		rc = put_record(&c, k, m, r, prefix);
	if (rc == 0 && out->json)
		rc = run_flush(&c, 0);
	if (rc == 0 && out->csv)
		rc = run_flush(&c, 1);
	if (rc == 0 && out->json)
		/* an empty array is "[]", as jansson writes it */
		nb_buf_puts(out->json, c.written ? "\n]\n" : "[]\n");
	if (rc == 0 && out->csv && !c.first) {
		nb_buf_puts(out->csv, "id\r\n");
		c.csv_head = out->csv->len;
	}
	if (rc == 0 && out->index && out->json && out->csv) {
		uint64_t v[4] = { c.written, c.flushed[0] + out->json->len,
				  c.flushed[1] + out->csv->len, c.csv_head };
		memcpy(out->index->ptr + index_from + 16, v, sizeof(v));
	}
	json_decref(c.first);
	nb_buf_free(&c.scratch);
	free(c.old.v);
	return rc ? -1 : 0;
}

int
nb_data_json(nb_buf *out, nb_data_kind k, const nb_model *m,
	     const char *prefix)
{
	nb_data_out o = { out, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL };
	size_t start = out->len;

	if (nb_data_write(&o, k, m, prefix) != 0) {
		/* leave out as it was: no half-written array */
		out->len = start;
		if (out->ptr)
			out->ptr[start] = '\0';
		return -1;
	}
	return 0;
}

void
nb_data_csv(nb_buf *out, nb_data_kind k, const nb_model *m,
	    const char *prefix)
{
	nb_data_out o = { NULL, out, NULL, NULL, 0, NULL, NULL, 0, NULL };

	(void)nb_data_write(&o, k, m, prefix);
}

/* ---- schema.org ------------------------------------------------------------ */

static json_t *
organizer_json(const nb_model *m, const nb_partner *p, const char *prefix)
{
	json_t *o = json_object();

	json_object_set_new(o, "@type", json_string("Organization"));
	json_object_set_new(o, "name", json_string(p->name));
	if (p->website)
		json_object_set_new(o, "url", json_string(p->website));
	else
		set_url(o, "url", m, prefix, "partners/%s/", p->id);
	return o;
}

static json_t *
place_json(const nb_event *ev)
{
	json_t *place, *addr, *virt;

	if (!ev->venue && ev->online) {
		virt = json_object();
		json_object_set_new(virt, "@type", json_string("VirtualLocation"));
		json_object_set_new(virt, "url", json_string(ev->online));
		return virt;
	}
	place = json_object();
	json_object_set_new(place, "@type", json_string("Place"));
	json_object_set_new(place, "name", json_string(ev->venue->name));
	addr = json_object();
	json_object_set_new(addr, "@type", json_string("PostalAddress"));
	if (ev->venue->address)
		json_object_set_new(addr, "streetAddress",
				    json_string(ev->venue->address));
	if (ev->venue->postcode)
		json_object_set_new(addr, "postalCode",
				    json_string(ev->venue->postcode));
	json_object_set_new(addr, "addressCountry", json_string("GB"));
	json_object_set_new(place, "address", addr);
	if (!ev->online)
		return place;
	virt = json_array();
	json_array_append_new(virt, place);
	place = json_object();
	json_object_set_new(place, "@type", json_string("VirtualLocation"));
	json_object_set_new(place, "url", json_string(ev->online));
	json_array_append_new(virt, place);
	return virt;
}

static int
dump_ld(nb_buf *out, json_t *j)
{
	nb_buf raw = NB_BUF_INIT;
	size_t i;
	int rc;

	/* JSON inside <script>: "</" is written "<\/" (JSON_ESCAPE_SLASH),
	 * and <, > and & as \u escapes, so that no text can close the
	 * element or open a comment in it */
	rc = dump(&raw, j, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
			   JSON_ESCAPE_SLASH);
	for (i = 0; rc == 0 && i < raw.len; i++) {
		switch (raw.ptr[i]) {
		case '<': nb_buf_puts(out, "\\u003c"); break;
		case '>': nb_buf_puts(out, "\\u003e"); break;
		case '&': nb_buf_puts(out, "\\u0026"); break;
		default: nb_buf_putc(out, raw.ptr[i]); break;
		}
	}
	nb_buf_free(&raw);
	return rc;
}

int
nb_data_jsonld_event(nb_buf *out, const nb_model *m, const nb_event *ev,
		     const char *prefix)
{
	json_t *o = json_object();
	const char *mode;

	json_object_set_new(o, "@context", json_string("https://schema.org"));
	json_object_set_new(o, "@type", json_string("Event"));
	json_object_set_new(o, "name", json_string(ev->title));
	if (ev->summary || ev->description)
		json_object_set_new(o, "description", json_string(
			ev->summary ? ev->summary : ev->description));
	json_object_set_new(o, "startDate", local_json(ev->start));
	json_object_set_new(o, "endDate", local_json(ev->end));
	json_object_set_new(o, "eventStatus", json_string(ev->cancelled ?
		"https://schema.org/EventCancelled" :
		"https://schema.org/EventScheduled"));
	mode = ev->venue && ev->online ? "Mixed" : ev->venue ? "Offline" : "Online";
	json_object_set_new(o, "eventAttendanceMode", json_string(
		strcmp(mode, "Mixed") == 0 ? "https://schema.org/MixedEventAttendanceMode" :
		strcmp(mode, "Offline") == 0 ? "https://schema.org/OfflineEventAttendanceMode" :
		"https://schema.org/OnlineEventAttendanceMode"));
	if (ev->venue || ev->online)
		json_object_set_new(o, "location", place_json(ev));
	if (ev->tags.lead)
		json_object_set_new(o, "organizer", organizer_json(m,
			ev->tags.lead, prefix));
	json_object_set_new(o, "isAccessibleForFree", json_true());
	if (ev->consultation) {
		char *u = abs_url(m, prefix, "consultations/%s/",
				  ev->consultation->id);
		json_object_set_new(o, "url", json_string(u));
		free(u);
	} else {
		set_url(o, "url", m, prefix, "events/%s/", ev->id);
	}
	return dump_ld(out, o);
}

int
nb_data_jsonld_consultation(nb_buf *out, const nb_model *m,
			    const nb_consultation *c, const char *prefix)
{
	json_t *o = json_object(), *sub = json_array();
	size_t i;

	json_object_set_new(o, "@context", json_string("https://schema.org"));
	json_object_set_new(o, "@type", json_string("Event"));
	json_object_set_new(o, "name", json_string(c->title));
	json_object_set_new(o, "description", json_string(c->summary));
	json_object_set_new(o, "startDate", date_json(c->opens));
	json_object_set_new(o, "endDate", date_json(c->closes));
	json_object_set_new(o, "eventStatus", json_string(
		c->cancelled ? "https://schema.org/EventCancelled" :
		c->postponed ? "https://schema.org/EventPostponed" :
		"https://schema.org/EventScheduled"));
	json_object_set_new(o, "eventAttendanceMode", json_string(
		"https://schema.org/MixedEventAttendanceMode"));
	if (c->tags.lead)
		json_object_set_new(o, "organizer", organizer_json(m,
			c->tags.lead, prefix));
	json_object_set_new(o, "isAccessibleForFree", json_true());
	set_url(o, "url", m, prefix, "consultations/%s/", c->id);
	for (i = 0; i < c->events_len; i++) {
		const nb_event *ev = c->events[i];
		json_t *e = json_object();
		json_object_set_new(e, "@type", json_string("Event"));
		json_object_set_new(e, "name", json_string(ev->title));
		json_object_set_new(e, "startDate", local_json(ev->start));
		json_object_set_new(e, "endDate", local_json(ev->end));
		json_object_set_new(e, "eventStatus", json_string(ev->cancelled ?
			"https://schema.org/EventCancelled" :
			"https://schema.org/EventScheduled"));
		if (ev->venue || ev->online)
			json_object_set_new(e, "location", place_json(ev));
		json_array_append_new(sub, e);
	}
	if (c->events_len)
		json_object_set_new(o, "subEvent", sub);
	else
		json_decref(sub);
	return dump_ld(out, o);
}

/* ---- calendar sequences ------------------------------------------------------ */

/* The file as nb_data_seqs_json writes it, read without building a tree:
 * 0, or -1 at the first thing it does not expect (the caller then reads
 * it with jansson).  A UID with an escape in it is unexpected.  The UIDs
 * are left where they are, each ended by a NUL over its closing quote
 * (the text is the caller's, in the arena). */
static int
read_seqs_fast(nb_ical_seqs *out, nb_arena *a, char *p, const char *end)
{
	static const char open_[] = "{\n";
	size_t lines = 0;
	const char *s;

	if ((size_t)(end - p) == 3 && memcmp(p, "{}\n", 3) == 0)
		return 0;
	if ((size_t)(end - p) < 2 || memcmp(p, open_, 2) != 0)
		return -1;
	/* four lines an entry: room for them all at once */
	for (s = p; (s = memchr(s, '\n', (size_t)(end - s))) != NULL; s++)
		lines++;
	nb_map_reserve(&out->by_uid, lines / 4 + 1);
	p += 2;
	for (;;) {
		char *uid, *q;
		nb_ical_seq *sq;
		char *e;
		unsigned long long h;
		long n;

		if (end - p < 3 || memcmp(p, " \"", 2) != 0)
			return -1;
		uid = p += 2;
		q = memchr(p, '"', (size_t)(end - p));
		if (!q || memchr(p, '\\', (size_t)(q - p)))
			return -1;
		p = q;
		if ((size_t)(end - p) < 16 ||
		    memcmp(p, "\": {\n  \"hash\": \"", 16) != 0)
			return -1;
		*q = '\0';
		p += 16;
		if (end - p < 17 || p[16] != '"')
			return -1;
		h = strtoull(p, &e, 16);
		if (e != p + 16)
			return -1;
		p += 17;
		if ((size_t)(end - p) < 16 ||
		    memcmp(p, ",\n  \"sequence\": ", 16) != 0)
			return -1;
		p += 16;
		if (p >= end || !(*p >= '0' && *p <= '9'))
			return -1;
		n = strtol(p, &e, 10);
		if (e >= end || n < 0)
			return -1;
		p = e;
		sq = nb_arena_alloc(a, sizeof(*sq));
		sq->uid = uid;
		sq->hash = h;
		sq->sequence = n;
		nb_map_put(&out->by_uid, sq->uid, sq, NULL);
		nb_vec_push(a, &out->all, sq);
		if ((size_t)(end - p) >= 4 && memcmp(p, "\n },", 4) == 0 &&
		    p[4] == '\n') {
			p += 5;
			continue;
		}
		if ((size_t)(end - p) == 6 && memcmp(p, "\n }\n}\n", 6) == 0)
			return 0;
		return -1;
	}
}

void
nb_data_read_seqs(nb_ical_seqs *out, nb_arena *a, const char *path)
{
	json_error_t e;
	json_t *root, *it;
	const char *uid;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *data;
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	/* read whole into the arena: the UIDs stay in it */
	data = nb_arena_alloc_raw(a, (size_t)st.st_size + 1);
	nb_prefault(data, (size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, data + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	data[len] = '\0';
	if (len == (size_t)st.st_size &&
	    read_seqs_fast(out, a, data, data + len) == 0)
		return;
	/* not as this version writes it: every entry, with jansson, from
	 * the file again (the fast reading has put NULs in the text) */
	nb_map_free(&out->by_uid);
	memset(out, 0, sizeof(*out));
	root = json_load_file(path, 0, &e);
	if (!root)
		return;
	json_object_foreach(root, uid, it) {
		nb_ical_seq *s;
		json_t *h = json_object_get(it, "hash");
		json_t *q = json_object_get(it, "sequence");
		if (!json_is_string(h) || !json_is_integer(q))
			continue;
		s = nb_arena_alloc(a, sizeof(*s));
		s->uid = nb_arena_strdup(a, uid);
		s->hash = strtoull(json_string_value(h), NULL, 16);
		s->sequence = (long)json_integer_value(q);
		nb_map_put(&out->by_uid, s->uid, s, NULL);
		nb_vec_push(a, &out->all, s);
	}
	json_decref(root);
}

static int
cmp_seq(const void *a, const void *b)
{
	const nb_ical_seq *x = *(nb_ical_seq *const *)a;
	const nb_ical_seq *y = *(nb_ical_seq *const *)b;
	return strcmp(x->uid, y->uid);
}

/* A UID as a JSON string: as jansson writes it, which is the bytes
 * between quotes unless one needs an escape. */
static int
put_json_key(nb_buf *out, const char *s)
{
	const unsigned char *p;
	json_t *j;
	char *text;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p == '"' || *p == '\\' || *p < 0x20 || *p == 0x7f)
			break;
	if (!*p) {
		nb_buf_putc(out, '"');
		nb_buf_puts(out, s);
		nb_buf_putc(out, '"');
		return 0;
	}
	j = json_string(s);
	text = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	if (!text)
		return -1;
	nb_buf_puts(out, text);
	free(text);
	return 0;
}

/* Laid out as json_dumps(JSON_INDENT(1)) lays out the object of objects
 * (the reader above takes that layout without jansson). */
int
nb_data_seqs_json(nb_buf *out, const nb_ical_seqs *s)
{
	nb_ical_seq **v = nb_xmalloc((s->all.len + 1) * sizeof(*v));
	size_t i;
	int rc = 0;

	if (s->all.len)   /* a site with nothing on its calendar has none */
		memcpy(v, s->all.items, s->all.len * sizeof(*v));
	qsort(v, s->all.len, sizeof(*v), cmp_seq);
	if (!s->all.len) {
		nb_buf_puts(out, "{}\n");
		free(v);
		return 0;
	}
	nb_buf_puts(out, "{\n");
	for (i = 0; rc == 0 && i < s->all.len; i++) {
		nb_buf_puts(out, i ? ",\n " : " ");
		rc = put_json_key(out, v[i]->uid);
		nb_buf_printf(out, ": {\n  \"hash\": \"%016llx\",\n  \"sequence\": %ld\n }",
			      v[i]->hash, v[i]->sequence);
	}
	nb_buf_puts(out, "\n}\n");
	free(v);
	return rc;
}
