/*
 * derive.c - status by date, roll-ups, calendar months, feedback lists.
 */
#include "derive.h"
#include "ical.h"
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

nb_promise
nb_consultation_promise(const nb_consultation *c, nb_date today)
{
	if (c->cancelled || c->postponed || nb_date_cmp(today, c->closes) <= 0)
		return NB_PROMISE_NONE;
	if (!c->has_feedback_by)
		return NB_PROMISE_UNDATED;
	if (c->outcome)
		return nb_date_cmp(c->outcome->published, c->feedback_by) <= 0
			? NB_PROMISE_ON_TIME : NB_PROMISE_LATE;
	return nb_date_cmp(today, c->feedback_by) > 0 ? NB_PROMISE_OVERDUE
						      : NB_PROMISE_AWAITING;
}

nb_status
nb_consultation_status(const nb_consultation *c, nb_date today,
		       int closing_soon_days)
{
	if (c->cancelled)
		return NB_STATUS_CANCELLED;
	if (c->postponed)
		return NB_STATUS_POSTPONED;
	if (nb_date_cmp(today, c->opens) < 0)
		return NB_STATUS_UPCOMING;
	if (nb_date_cmp(today, c->closes) <= 0) {
		int64_t left = nb_date_days(c->closes) - nb_date_days(today);
		return left <= closing_soon_days ? NB_STATUS_CLOSING_SOON
						 : NB_STATUS_OPEN;
	}
	if (c->outcome)
		return NB_STATUS_OUTCOME;
	if (c->has_feedback_by && nb_date_cmp(today, c->feedback_by) > 0)
		return NB_STATUS_OVERDUE;
	return NB_STATUS_CLOSED;
}

/* ---- orderings ---------------------------------------------------------- */

static int
cmp_closes(const void *a, const void *b)
{
	const nb_consultation *x = *(nb_consultation *const *)a;
	const nb_consultation *y = *(nb_consultation *const *)b;
	int c = nb_date_cmp(x->closes, y->closes);
	return c ? c : strcmp(x->id, y->id);
}

static int
cmp_closes_desc(const void *a, const void *b)
{
	const nb_consultation *x = *(nb_consultation *const *)a;
	const nb_consultation *y = *(nb_consultation *const *)b;
	int c = nb_date_cmp(y->closes, x->closes);
	return c ? c : strcmp(x->id, y->id);
}

static int
cmp_opens(const void *a, const void *b)
{
	const nb_consultation *x = *(nb_consultation *const *)a;
	const nb_consultation *y = *(nb_consultation *const *)b;
	int c = nb_date_cmp(x->opens, y->opens);
	return c ? c : strcmp(x->id, y->id);
}

static int
cmp_event(const void *a, const void *b)
{
	const nb_event *x = *(nb_event *const *)a;
	const nb_event *y = *(nb_event *const *)b;
	int c = nb_local_cmp(x->start, y->start);
	return c ? c : strcmp(x->id, y->id);
}

static int
cmp_outcome(const void *a, const void *b)
{
	const nb_outcome *x = *(nb_outcome *const *)a;
	const nb_outcome *y = *(nb_outcome *const *)b;
	int c = nb_date_cmp(y->published, x->published);
	return c ? c : strcmp(x->id, y->id);
}

static int
cmp_cal(const void *a, const void *b)
{
	const nb_cal_item *x = *(nb_cal_item *const *)a;
	const nb_cal_item *y = *(nb_cal_item *const *)b;
	int c = nb_date_cmp(x->date, y->date);

	if (c)
		return c;
	/* openings and closings first (all day), then events by time */
	if ((x->kind == NB_CAL_EVENT) != (y->kind == NB_CAL_EVENT))
		return x->kind == NB_CAL_EVENT ? 1 : -1;
	if (x->kind == NB_CAL_EVENT) {
		c = nb_local_cmp(x->event->start, y->event->start);
		return c ? c : strcmp(x->event->id, y->event->id);
	}
	if (x->kind != y->kind)
		return x->kind == NB_CAL_OPENS ? -1 : 1;
	return strcmp(x->consultation->id, y->consultation->id);
}

static int
cmp_area_name(const void *a, const void *b)
{
	const nb_area *x = *(nb_area *const *)a, *y = *(nb_area *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->id, y->id);
}

static int
cmp_page(const void *a, const void *b)
{
	const nb_page *x = *(nb_page *const *)a, *y = *(nb_page *const *)b;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->title, y->title);
}

static void
sort_vec(nb_vec *v, int (*cmp)(const void *, const void *))
{
	if (v->len > 1)
		qsort(v->items, v->len, sizeof(void *), cmp);
}

/*
 * The long lists (every consultation, event and calendar item, thousands
 * each) are sorted by a number made from each record's date, with its id
 * for ties: the same order as the cmp_ functions above, but a comparison
 * reads two numbers side by side rather than two records from wherever
 * they lie, a cache miss each (sorting them was half of derive's time at
 * 10,000 consultations).
 */
typedef struct keyed {
	uint64_t k;
	const char *id;
	void *p;
} keyed;

static int
keyed_before(const keyed *x, const keyed *y)
{
	return x->k != y->k ? x->k < y->k : strcmp(x->id, y->id) < 0;
}

/* A stable merge sort of t[0..n) by (k, id), through tmp (n items): the
 * comparison inline, where qsort calls a function for each and moves
 * items with memcpy. */
static void
sort_keyed(keyed *t, keyed *tmp, size_t n)
{
	size_t i, j, k, mid;

	if (n <= 16) {
		for (i = 1; i < n; i++) {
			keyed x = t[i];
			for (j = i; j > 0 && keyed_before(&x, &t[j - 1]); j--)
				t[j] = t[j - 1];
			t[j] = x;
		}
		return;
	}
	mid = n / 2;
	sort_keyed(t, tmp, mid);
	sort_keyed(t + mid, tmp, n - mid);
	if (!keyed_before(&t[mid], &t[mid - 1]))
		return;   /* in order already */
	memcpy(tmp, t, mid * sizeof(*t));
	i = 0;
	j = mid;
	k = 0;
	while (i < mid && j < n)
		t[k++] = keyed_before(&t[j], &tmp[i]) ? t[j++] : tmp[i++];
	while (i < mid)
		t[k++] = tmp[i++];
}

/* A date as a number in the order of nb_date_cmp; 0 when it is out of
 * the range that keeps that order (the caller then sorts as before). */
static int
date_key(nb_date d, uint64_t *k)
{
	if (d.year < 0 || d.year >= 1 << 20 || d.month < 0 || d.month > 15 ||
	    d.day < 0 || d.day > 31)
		return 0;
	*k = (uint64_t)d.year << 9 | (uint64_t)d.month << 5 | (uint64_t)d.day;
	return 1;
}

/* The same for a date and time, in the order of nb_local_cmp. */
static int
local_key(nb_local l, uint64_t *k)
{
	if (!date_key(l.date, k) || l.hour < 0 || l.hour > 255 ||
	    l.minute < 0 || l.minute > 255)
		return 0;
	*k = *k << 16 | (uint64_t)l.hour << 8 | (uint64_t)l.minute;
	return 1;
}

#define DATE_KEY_MAX (((uint64_t)1 << 29) - 1)

typedef enum sort_by {
	BY_CLOSES, BY_CLOSES_DESC, BY_OPENS, BY_EVENT, BY_OUTCOME, BY_CAL
} sort_by;

/* Item p's number and id; 0 when its date is out of range. */
static int
key_of(sort_by by, const void *p, uint64_t *k, const char **id)
{
	const nb_consultation *c = p;
	const nb_event *ev = p;
	const nb_outcome *o = p;
	const nb_cal_item *it = p;

	switch (by) {
	case BY_CLOSES:
		*id = c->id;
		return date_key(c->closes, k);
	case BY_CLOSES_DESC:
		*id = c->id;
		if (!date_key(c->closes, k))
			return 0;
		*k = DATE_KEY_MAX - *k;
		return 1;
	case BY_OPENS:
		*id = c->id;
		return date_key(c->opens, k);
	case BY_EVENT:
		*id = ev->id;
		return local_key(ev->start, k);
	case BY_OUTCOME:
		*id = o->id;
		if (!date_key(o->published, k))
			return 0;
		*k = DATE_KEY_MAX - *k;
		return 1;
	case BY_CAL:
		/* the day; then openings, closings, events; events by time */
		if (!date_key(it->date, k))
			return 0;
		if (it->kind == NB_CAL_EVENT) {
			uint64_t t;
			if (!local_key(it->event->start, &t))
				return 0;
			*k = *k << 20 | (uint64_t)2 << 16 | (t & 0xffff);
			*id = it->event->id;
		} else {
			*k = *k << 20 |
			     (uint64_t)(it->kind == NB_CAL_OPENS ? 0 : 1) << 16;
			*id = it->consultation->id;
		}
		return 1;
	}
	return 0;
}

/* Sort v as sort_vec(v, cmp) would, cmp being the ordering `by` names. */
static void
sort_by_key(nb_vec *v, sort_by by, int (*cmp)(const void *, const void *))
{
	keyed *t;
	size_t i;

	if (v->len < 2)
		return;
	t = nb_xmalloc(2 * v->len * sizeof(*t));
	for (i = 0; i < v->len; i++) {
		t[i].p = v->items[i];
		if (!key_of(by, t[i].p, &t[i].k, &t[i].id)) {
			free(t);
			sort_vec(v, cmp);
			return;
		}
	}
	sort_keyed(t, t + v->len, v->len);
	for (i = 0; i < v->len; i++)
		v->items[i] = t[i].p;
	free(t);
}

/* ---- roll-ups ----------------------------------------------------------- */

enum { ROLL_CONSULTATIONS, ROLL_EVENTS, ROLL_OUTCOMES };

/*
 * The lists of areas, partners, topics and audiences are filled twice
 * over: once counting (each list's len counts what it will hold, with no
 * items yet), then, each made exactly as big (room), for real.  Pushed
 * one at a time, a few thousand lists growing side by side left every
 * list's earlier copies behind in the arena: they took 4.9 MB at 10,000
 * consultations, where the lists themselves take 1.75 MB.
 */
static void
put(nb_arena *a, nb_vec *v, void *item, int counting)
{
	if (counting)
		v->len++;
	else
		nb_vec_push(a, v, item);
}

static void
room(nb_arena *a, nb_vec *v)
{
	size_t n = v->len;

	v->len = 0;
	if (n)
		nb_vec_reserve(a, v, n);
}

/* Add `item` to the list `which` of every tagged area and every area
 * above it, once each (the stamp marks areas already done). */
static void
roll_up(nb_arena *a, const nb_tags *t, void *item, unsigned stamp,
	int which, int counting)
{
	size_t i;

	for (i = 0; i < t->areas.len; i++) {
		nb_area *ar;
		for (ar = t->areas.items[i]; ar; ar = ar->parent) {
			if (ar->stamp == stamp)
				break;   /* this area and those above it: done */
			ar->stamp = stamp;
			put(a, which == ROLL_EVENTS ? &ar->events :
			       which == ROLL_OUTCOMES ? &ar->outcomes :
			       &ar->consultations, item, counting);
		}
	}
}

static void
tag_lists(nb_arena *a, const nb_tags *t, void *item, int events,
	  int counting)
{
	size_t i;

	if (t->lead)
		put(a, events ? &t->lead->events : &t->lead->consultations,
		    item, counting);
	for (i = 0; i < t->partners.len; i++) {
		nb_partner *p = t->partners.items[i];
		if (p == t->lead)
			continue;
		put(a, events ? &p->events : &p->consultations, item, counting);
	}
	for (i = 0; i < t->topics.len; i++) {
		nb_term *tm = t->topics.items[i];
		put(a, events ? &tm->events : &tm->consultations, item,
		    counting);
	}
	for (i = 0; i < t->audiences.len; i++) {
		nb_term *tm = t->audiences.items[i];
		put(a, events ? &tm->events : &tm->consultations, item,
		    counting);
	}
}

/* Every area's, partner's, topic's and audience's lists counted, then
 * made as big as they will be. */
static void
size_lists(nb_model *m, unsigned *stamp)
{
	nb_arena *a = m->arena;
	const nb_vec *terms[2] = { &m->topics, &m->audiences };
	size_t i, k;

	for (i = 0; i < m->consultations.len; i++) {
		nb_consultation *c = m->consultations.items[i];
		roll_up(a, &c->tags, c, ++*stamp, ROLL_CONSULTATIONS, 1);
		tag_lists(a, &c->tags, c, 0, 1);
	}
	for (i = 0; i < m->all_events.len; i++) {
		nb_event *ev = m->all_events.items[i];
		roll_up(a, &ev->tags, ev, ++*stamp, ROLL_EVENTS, 1);
		tag_lists(a, &ev->tags, ev, 1, 1);
	}
	for (i = 0; i < m->outcomes.len; i++) {
		nb_outcome *oc = m->outcomes.items[i];
		roll_up(a, &oc->consultation->tags, oc, ++*stamp,
			ROLL_OUTCOMES, 1);
	}
	for (i = 0; i < m->areas.len; i++) {
		nb_area *ar = m->areas.items[i];
		room(a, &ar->consultations);
		room(a, &ar->events);
		room(a, &ar->outcomes);
	}
	for (i = 0; i < m->partners.len; i++) {
		nb_partner *p = m->partners.items[i];
		room(a, &p->consultations);
		room(a, &p->events);
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < terms[k]->len; i++) {
			nb_term *tm = terms[k]->items[i];
			room(a, &tm->consultations);
			room(a, &tm->events);
		}
}

static nb_month *
month_for(nb_derived *dv, nb_arena *a, nb_map *months, nb_date d)
{
	char key[16];
	nb_month *mo;

	snprintf(key, sizeof(key), "%04d-%02d", d.year, d.month);
	mo = nb_map_get(months, key);
	if (mo)
		return mo;
	mo = nb_arena_alloc(a, sizeof(*mo));
	mo->year = d.year;
	mo->month = d.month;
	nb_map_put(months, nb_arena_strdup(a, key), mo, NULL);
	nb_vec_push(a, &dv->months, mo);
	return mo;
}

static int
cmp_month(const void *a, const void *b)
{
	const nb_month *x = *(nb_month *const *)a, *y = *(nb_month *const *)b;
	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	return x->month - y->month;
}

static void
cal_add(nb_derived *dv, nb_arena *a, nb_map *months, nb_cal_kind kind,
	nb_date date, nb_event *ev, nb_consultation *c)
{
	nb_cal_item *it = nb_arena_alloc(a, sizeof(*it));
	nb_month *mo = month_for(dv, a, months, date);

	it->kind = kind;
	it->date = date;
	it->event = ev;
	it->consultation = c;
	nb_vec_push(a, &mo->items, it);
}

#define HORIZON_DAYS 366      /* repeating events: expanded this far ahead */
#define MAX_OCCURRENCES 1000

/* Minutes from a to b. */
static int64_t
minutes_between(nb_local a, nb_local b)
{
	return (nb_date_days(b.date) - nb_date_days(a.date)) * 1440 +
	       (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute);
}

static nb_local
add_minutes(nb_local l, int64_t mins)
{
	int64_t t = l.hour * 60 + l.minute + mins;
	int64_t days = t >= 0 ? t / 1440 : -((-t + 1439) / 1440);

	t -= days * 1440;
	l.date = nb_date_add_days(l.date, days);
	l.hour = (int)(t / 60);
	l.minute = (int)(t % 60);
	return l;
}

/* The occurrences of a repeating event up to a year ahead, each a copy of
 * the master with its own start and end, left out on `except` dates. */
static void
expand(nb_arena *a, nb_event *master, nb_date today, nb_vec *all)
{
	nb_local *starts = nb_xmalloc(MAX_OCCURRENCES * sizeof(nb_local));
	int64_t len = minutes_between(master->start, master->end);
	size_t n, i, k;

	n = nb_ical_expand(master->rrule, master->start,
			   nb_date_add_days(today, HORIZON_DAYS), starts,
			   MAX_OCCURRENCES);
	for (i = 0; i < n; i++) {
		nb_event *oc;
		int skip = 0;
		for (k = 0; k < master->except_len && !skip; k++)
			skip = nb_date_cmp(master->except[k], starts[i].date) == 0;
		if (skip)
			continue;
		oc = nb_arena_alloc(a, sizeof(*oc));
		*oc = *master;
		memset(&oc->occurrences, 0, sizeof(oc->occurrences));
		oc->start = starts[i];
		oc->end = add_minutes(starts[i], len);
		oc->occurrence_of = master;
		nb_vec_push(a, &master->occurrences, oc);
		nb_vec_push(a, all, oc);
	}
	free(starts);
}

nb_derived *
nb_derive(nb_model *m, nb_date today)
{
	nb_arena *a = m->arena;
	nb_derived *dv = nb_arena_alloc(a, sizeof(*dv));
	nb_map months = NB_MAP_INIT;
	unsigned stamp = 0;
	size_t i, j;

	dv->today = today;

	/* every event, standalone and embedded, in one list by start; a
	 * repeating event is there once for each occurrence */
	m->all_events.len = 0;
	for (i = 0; i < m->events.len; i++) {
		nb_event *ev = m->events.items[i];
		if (ev->rrule)
			expand(a, ev, today, &m->all_events);
		else
			nb_vec_push(a, &m->all_events, ev);
	}
	for (i = 0; i < m->consultations.len; i++) {
		nb_consultation *c = m->consultations.items[i];
		for (j = 0; j < c->events_len; j++)
			nb_vec_push(a, &m->all_events, c->events[j]);
	}
	sort_by_key(&m->all_events, BY_EVENT, cmp_event);
	size_lists(m, &stamp);

	/* consultations: status, then roll-ups in closing-date order so
	 * every derived list comes out sorted */
	sort_by_key(&m->consultations, BY_CLOSES, cmp_closes);
	for (i = 0; i < m->consultations.len; i++) {
		nb_consultation *c = m->consultations.items[i];
		c->status = nb_consultation_status(c, today,
						   m->site.closing_soon_days);
		c->promise = nb_consultation_promise(c, today);
		nb_vec_push(a, &dv->by_status[c->status], c);
		if (c->status == NB_STATUS_OPEN ||
		    c->status == NB_STATUS_CLOSING_SOON)
			nb_vec_push(a, &dv->open_now, c);
		if (c->tags.everywhere)
			nb_vec_push(a, &dv->everywhere, c);
		roll_up(a, &c->tags, c, ++stamp, ROLL_CONSULTATIONS, 0);
		tag_lists(a, &c->tags, c, 0, 0);

		cal_add(dv, a, &months, NB_CAL_OPENS, c->opens, NULL, c);
		if (nb_date_cmp(c->closes, c->opens) != 0)
			cal_add(dv, a, &months, NB_CAL_CLOSES, c->closes, NULL, c);
	}
	sort_by_key(&dv->by_status[NB_STATUS_UPCOMING], BY_OPENS, cmp_opens);
	sort_by_key(&dv->by_status[NB_STATUS_POSTPONED], BY_OPENS, cmp_opens);
	for (i = NB_STATUS_CLOSED; i < NB_STATUS_COUNT; i++)
		if (i != NB_STATUS_POSTPONED)
			sort_by_key(&dv->by_status[i], BY_CLOSES_DESC,
				    cmp_closes_desc);

	for (i = 0; i < m->all_events.len; i++) {
		nb_event *ev = m->all_events.items[i];
		if (ev->tags.everywhere)
			nb_vec_push(a, &dv->everywhere_events, ev);
		roll_up(a, &ev->tags, ev, ++stamp, ROLL_EVENTS, 0);
		tag_lists(a, &ev->tags, ev, 1, 0);
		cal_add(dv, a, &months, NB_CAL_EVENT, ev->start.date, ev,
			ev->consultation);
		if (nb_date_cmp(ev->end.date, today) >= 0)
			nb_vec_push(a, &dv->upcoming_events, ev);
	}

	sort_vec(&dv->months, cmp_month);
	for (i = 0; i < dv->months.len; i++) {
		nb_month *mo = dv->months.items[i];
		sort_by_key(&mo->items, BY_CAL, cmp_cal);
	}
	nb_map_free(&months);

	for (i = 0; i < m->outcomes.len; i++)
		nb_vec_push(a, &dv->outcomes, m->outcomes.items[i]);
	sort_by_key(&dv->outcomes, BY_OUTCOME, cmp_outcome);
	/* in that order, so each area's list is newest first too */
	for (i = 0; i < dv->outcomes.len; i++) {
		nb_outcome *oc = dv->outcomes.items[i];
		roll_up(a, &oc->consultation->tags, oc, ++stamp, ROLL_OUTCOMES, 0);
	}

	for (i = 0; i < m->areas.len; i++) {
		nb_area *ar = m->areas.items[i];
		if (!ar->parent)
			nb_vec_push(a, &dv->top_areas, ar);
	}
	sort_vec(&dv->top_areas, cmp_area_name);

	for (i = 0; i < m->pages.len; i++) {
		nb_page *p = m->pages.items[i];
		if (p->footer)
			nb_vec_push(a, &dv->footer_pages, p);
	}
	sort_vec(&dv->footer_pages, cmp_page);

	/* the day each page last changed, once: the site's Atom feeds, the
	 * areas' and the sitemaps ask it of every record again */
	for (i = 0; i < m->consultations.len; i++) {
		nb_consultation *c = m->consultations.items[i];
		c->changed = nb_consultation_changed(c, today);
	}
	for (i = 0; i < m->outcomes.len; i++) {
		nb_outcome *oc = m->outcomes.items[i];
		oc->changed = nb_outcome_changed(oc, today);
	}
	return dv;
}

/* The latest of `d` and `cand`, counting only dates on or before today. */
static nb_date
latest(nb_date d, nb_date cand, nb_date today)
{
	if (nb_date_cmp(cand, today) <= 0 && nb_date_cmp(cand, d) > 0)
		return cand;
	return d;
}

nb_date
nb_consultation_changed(const nb_consultation *c, nb_date today)
{
	/* the page changes when the activity opens, the day after it
	 * closes, the day after its promise falls due, and when its
	 * outcome is published or updated */
	nb_date d = { 1970, 1, 1 }, edited;

	d = latest(d, c->opens, today);
	d = latest(d, nb_date_add_days(c->closes, 1), today);
	if (c->has_feedback_by)
		d = latest(d, nb_date_add_days(c->feedback_by, 1), today);
	if (c->outcome)
		d = latest(d, nb_outcome_changed(c->outcome, today), today);
	if (nb_history_dates(c->hist, NULL, &edited) == 0)
		d = latest(d, edited, today);
	return d;
}

nb_date
nb_outcome_changed(const nb_outcome *o, nb_date today)
{
	nb_date d = o->published, edited;

	if (o->updates_len)
		d = latest(d, o->updates[0].date, today);
	if (nb_history_dates(o->hist, NULL, &edited) == 0)
		d = latest(d, edited, today);
	return d;
}
