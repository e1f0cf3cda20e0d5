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

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The position of an area in m->areas (the map holds index + 1). */
static size_t
area_index(nb_map *idx, const nb_area *ar)
{
	return (size_t)(uintptr_t)nb_map_get(idx, ar->id) - 1;
}

/* Count one year. */
static void
report_year(nb_report *r, nb_model *m, const nb_derived *dv, nb_map *area_idx,
	    unsigned *stamps)
{
	nb_arena *a = m->arena;
	size_t na = m->areas.len, i, j, k, nd = 0;
	long *area_counts = nb_arena_alloc(a, (na + 1) * sizeof(long));
	double *days = nb_arena_alloc(a, (m->consultations.len + 1) *
				      sizeof(double));
	nb_date today = dv->today;
	int y = r->year;

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

	for (i = 0; i < m->consultations.len; i++) {
		const nb_consultation *c = m->consultations.items[i];
		unsigned stamp = (unsigned)i + 1;

		if (c->closes.year == y && !c->cancelled && !c->postponed &&
		    nb_date_cmp(today, c->closes) > 0) {
			r->closed++;
			switch (c->promise) {
			case NB_PROMISE_ON_TIME: r->on_time++; break;
			case NB_PROMISE_LATE: r->late++; break;
			case NB_PROMISE_OVERDUE: r->overdue++; break;
			case NB_PROMISE_AWAITING: r->awaiting++; break;
			case NB_PROMISE_UNDATED: r->undated++; break;
			default: break;
			}
			if (c->outcome)
				days[nd++] = (double)(nb_date_days(c->outcome->published) -
						      nb_date_days(c->closes));
		}
		if (c->opens.year != y)
			continue;
		if (c->cancelled) {
			r->cancelled++;
			continue;
		}
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
				size_t ix = area_index(area_idx, ar);
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
	/* stamps are per consultation index: reset for the next year */
	memset(stamps, 0, na * sizeof(unsigned));

	/* by area: counties and districts, then Everywhere */
	r->by_area = nb_arena_alloc(a, (na + 1) * sizeof(nb_tally));
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
	if (nd) {
		qsort(days, nd, sizeof(double), cmp_double);
		r->median_days = nd % 2 ? days[nd / 2]
					: (days[nd / 2 - 1] + days[nd / 2]) / 2.0;
	} else {
		r->median_days = -1.0;
	}
}

void
nb_reports(nb_report **out, size_t *n, nb_model *m, const nb_derived *dv)
{
	nb_map area_idx = NB_MAP_INIT;
	unsigned *stamps;
	int first = dv->today.year, last = dv->today.year, y;
	size_t i;

	for (i = 0; i < m->consultations.len; i++) {
		const nb_consultation *c = m->consultations.items[i];
		if (c->opens.year < first)
			first = c->opens.year;
	}
	for (i = 0; i < m->areas.len; i++)
		nb_map_put(&area_idx, ((nb_area *)m->areas.items[i])->id,
			   (void *)(uintptr_t)(i + 1), NULL);
	stamps = nb_xcalloc(m->areas.len + 1, sizeof(unsigned));
	*n = (size_t)(last - first + 1);
	*out = nb_arena_alloc(m->arena, *n * sizeof(nb_report));
	for (y = first; y <= last; y++) {
		nb_report *r = &(*out)[y - first];
		r->year = y;
		report_year(r, m, dv, &area_idx, stamps);
	}
	free(stamps);
	nb_map_free(&area_idx);
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
