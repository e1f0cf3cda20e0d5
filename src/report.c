/*
 * report.c - counting activities, responses and kept promises by year.
 */
#include "report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Tallies sorted by count, largest first, then by label. */
static int
cmp_tally(const void *a, const void *b)
{
	const nb_tally *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->label, y->label);
}

/* Days from closing to the outcome, for the year it closed in. */
typedef struct wait {
	size_t year;                 /* the report's index */
	double days;
} wait;

static int
cmp_wait(const void *a, const void *b)
{
	const wait *x = a, *y = b;

	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	return x->days < y->days ? -1 : x->days > y->days;
}

/* A year's lists, every partner, topic and rung at nought. */
static void
report_begin(nb_report *r, nb_model *m)
{
	nb_arena *a = m->arena;
	size_t i;

	r->by_level_len = m->site.ladder_len;
	r->by_level = nb_arena_alloc(a, (r->by_level_len + 1) * sizeof(nb_tally));
	for (i = 0; i < r->by_level_len; i++) {
		r->by_level[i].id = m->site.ladder[i].id;
		r->by_level[i].label = m->site.ladder[i].label;
	}
	r->by_partner_len = m->partners.len;
	r->by_partner = nb_arena_alloc(a, (r->by_partner_len + 1) * sizeof(nb_tally));
	for (i = 0; i < m->partners.len; i++) {
		const nb_partner *p = m->partners.items[i];
		r->by_partner[i].id = p->id;
		r->by_partner[i].label = p->name;
	}
	r->by_topic_len = m->topics.len;
	r->by_topic = nb_arena_alloc(a, (r->by_topic_len + 1) * sizeof(nb_tally));
	for (i = 0; i < m->topics.len; i++) {
		const nb_term *t = m->topics.items[i];
		r->by_topic[i].id = t->id;
		r->by_topic[i].label = t->label;
	}
}

/* c, counted in the year it opened (r): it is not cancelled. */
static void
count_opened(nb_report *r, const nb_model *m, const nb_consultation *c,
	     long *area_counts, unsigned *stamps, unsigned stamp)
{
	size_t na = m->areas.len, j, k;

	r->activities++;
	if (c->level >= 0 && (size_t)c->level < r->by_level_len)
		r->by_level[c->level].count++;
	for (j = 0; j < m->partners.len; j++) {
		const nb_partner *p = m->partners.items[j];
		int in = c->tags.lead == p;
		for (k = 0; k < c->tags.partners.len && !in; k++)
			in = c->tags.partners.items[k] == p;
		r->by_partner[j].count += in;
	}
	for (j = 0; j < m->topics.len; j++)
		for (k = 0; k < c->tags.topics.len; k++)
			if (c->tags.topics.items[k] == m->topics.items[j])
				r->by_topic[j].count++;
	if (c->tags.everywhere)
		area_counts[na]++;
	for (j = 0; j < c->tags.areas.len; j++) {
		const nb_area *ar;
		for (ar = c->tags.areas.items[j]; ar; ar = ar->parent) {
			size_t ix = ar->index;
			if (stamps[ix] == stamp)
				break;
			stamps[ix] = stamp;
			if (ar->depth <= 1)
				area_counts[ix]++;
		}
	}
	if (c->outcome) {
		r->outcomes++;
		r->responses += c->outcome->responses;
	}
}

/* A year's areas (counties and districts, then Everywhere), its lists
 * sorted, its shares worked out; waits[0..nw) are its own, sorted. */
static void
report_end(nb_report *r, nb_model *m, const long *area_counts,
	   const wait *waits, size_t nw)
{
	size_t na = m->areas.len, i;

	r->by_area = nb_arena_alloc(m->arena, (na + 1) * sizeof(nb_tally));
	for (i = 0; i < na; i++) {
		const nb_area *ar = m->areas.items[i];
		if (ar->depth > 1)
			continue;
		r->by_area[r->by_area_len].id = ar->id;
		r->by_area[r->by_area_len].label = ar->name;
		r->by_area[r->by_area_len].count = area_counts[i];
		r->by_area_len++;
	}
	r->by_area[r->by_area_len].id = NULL;
	r->by_area[r->by_area_len].label = "Everywhere";
	r->by_area[r->by_area_len].count = area_counts[na];
	r->by_area_len++;

	qsort(r->by_partner, r->by_partner_len, sizeof(nb_tally), cmp_tally);
	qsort(r->by_topic, r->by_topic_len, sizeof(nb_tally), cmp_tally);
	qsort(r->by_area, r->by_area_len, sizeof(nb_tally), cmp_tally);

	{
		long due = r->on_time + r->late + r->overdue;
		r->on_time_share = due ? (double)r->on_time / (double)due : -1.0;
	}
	if (nw)
		r->median_days = nw % 2 ? waits[nw / 2].days
					: (waits[nw / 2 - 1].days +
					   waits[nw / 2].days) / 2.0;
	else
		r->median_days = -1.0;
}

/*
 * Every year's report in one pass over the consultations, each counted
 * in the year it closed and the year it opened.  (A pass for each year,
 * as this was, went through the 10,000 consultations of the benchmark
 * eight times over, each a cache miss, and found each area's place in
 * a hash table: 7 to 9 ms, now 5 to 6.)
 */
void
nb_reports(nb_report **out, size_t *n, nb_model *m, const nb_derived *dv)
{
	nb_date today = dv->today;
	size_t na = m->areas.len, nc = m->consultations.len, nw = 0, i, k;
	int first = today.year, last = today.year;
	unsigned *stamps;
	long *area_counts;
	wait *waits;
	nb_report *rs;

	for (i = 0; i < nc; i++) {
		const nb_consultation *c = m->consultations.items[i];
		if (c->opens.year < first)
			first = c->opens.year;
	}
	*n = (size_t)(last - first + 1);
	rs = *out = nb_arena_alloc(m->arena, *n * sizeof(nb_report));
	stamps = nb_xcalloc(na + 1, sizeof(unsigned));
	area_counts = nb_xcalloc(*n * (na + 1), sizeof(long));
	waits = nb_xmalloc((nc + 1) * sizeof(wait));
	for (k = 0; k < *n; k++) {
		rs[k].year = first + (int)k;
		report_begin(&rs[k], m);
	}
	for (i = 0; i < nc; i++) {
		const nb_consultation *c = m->consultations.items[i];

		if (c->closes.year >= first && c->closes.year <= last &&
		    !c->cancelled && !c->postponed &&
		    nb_date_cmp(today, c->closes) > 0) {
			nb_report *r = &rs[c->closes.year - first];
			r->closed++;
			switch (c->promise) {
			case NB_PROMISE_ON_TIME: r->on_time++; break;
			case NB_PROMISE_LATE: r->late++; break;
			case NB_PROMISE_OVERDUE: r->overdue++; break;
			case NB_PROMISE_AWAITING: r->awaiting++; break;
			case NB_PROMISE_UNDATED: r->undated++; break;
			default: break;
			}
			if (c->outcome) {
				waits[nw].year = (size_t)(c->closes.year - first);
				waits[nw++].days = (double)
					(nb_date_days(c->outcome->published) -
					 nb_date_days(c->closes));
			}
		}
		if (c->opens.year > last)
			continue;
		if (c->cancelled) {
			rs[c->opens.year - first].cancelled++;
			continue;
		}
		k = (size_t)(c->opens.year - first);
		count_opened(&rs[k], m, c, area_counts + k * (na + 1),
			     stamps, (unsigned)i + 1);
	}
	qsort(waits, nw, sizeof(*waits), cmp_wait);
	for (k = 0, i = 0; k < *n; k++) {
		size_t from = i;
		while (i < nw && waits[i].year == k)
			i++;
		report_end(&rs[k], m, area_counts + k * (na + 1),
			   waits + from, i - from);
	}
	free(waits);
	free(area_counts);
	free(stamps);
}

static uint64_t
tallies_sig(uint64_t h, const nb_tally *t, size_t n)
{
	size_t i;

	h = nb_sig_u64(h, n);
	for (i = 0; i < n; i++) {
		h = t[i].id ? nb_sig(h, t[i].id, strlen(t[i].id) + 1) :
			      nb_sig_u64(h, 0);
		h = t[i].label ? nb_sig(h, t[i].label, strlen(t[i].label) + 1) :
				 nb_sig_u64(h, 0);
		h = nb_sig_u64(h, (uint64_t)t[i].count);
	}
	return h;
}

uint64_t
nb_report_sig(uint64_t h, const nb_report *r)
{
	const long figures[] = { r->year, r->activities, r->cancelled,
		r->responses, r->outcomes, r->closed, r->on_time, r->late,
		r->overdue, r->awaiting, r->undated };
	size_t i;

	for (i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		h = nb_sig_u64(h, (uint64_t)figures[i]);
	h = nb_sig(h, &r->on_time_share, sizeof(r->on_time_share));
	h = nb_sig(h, &r->median_days, sizeof(r->median_days));
	h = tallies_sig(h, r->by_level, r->by_level_len);
	h = tallies_sig(h, r->by_partner, r->by_partner_len);
	h = tallies_sig(h, r->by_area, r->by_area_len);
	return tallies_sig(h, r->by_topic, r->by_topic_len);
}
