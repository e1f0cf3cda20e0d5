/*
 * sig.c - dependency signatures: what each output depends on.
 */
#include "sig.h"
#include "git.h"

#include <string.h>

#ifndef NB_VERSION
#define NB_VERSION "0"
#endif

static uint64_t
str_sig(uint64_t h, const char *s)
{
	return s ? nb_sig(h, s, strlen(s) + 1) : nb_sig_u64(h, 0);
}

static uint64_t
hist_sig(uint64_t h, const nb_file_history *hist)
{
	if (!hist || !hist->n)
		return nb_sig_u64(h, 0);
	h = nb_sig_u64(h, hist->n);
	return str_sig(h, hist->changes[0].commit);
}

/* What a record's outputs depend on: its file, its id, the records it
 * shows and its history.  Worked out once a build by nb_sig_prepare(); the
 * accessors work it out afresh for a record it has not seen. */
static uint64_t
consultation_dep(const nb_consultation *c)
{
	uint64_t h = nb_sig_u64(NB_SIG_INIT, c->sig);

	h = str_sig(h, c->id);
	h = nb_sig_u64(h, c->outcome ? c->outcome->sig : 0);
	h = hist_sig(h, c->outcome ? c->outcome->hist : NULL);
	return hist_sig(h, c->hist);
}

/* What an item of it in a list that shows no summaries depends on (a
 * month's, the calendar's): its file but its summary, its id and its
 * outcome; not its history (items show no dates from git).  When the
 * summary is not known apart, what its own page depends on. */
static uint64_t
consultation_dep_brief(const nb_consultation *c)
{
	uint64_t h;

	if (!c->sig_brief)
		return consultation_dep(c);
	h = nb_sig_u64(nb_sig_u64(NB_SIG_INIT, 0x6272696566), c->sig_brief);
	h = str_sig(h, c->id);
	return nb_sig_u64(h, c->outcome ? c->outcome->sig : 0);
}

static uint64_t
event_dep(const nb_event *e)
{
	if (e->consultation)
		return nb_sig_consultation(e->consultation);
	return hist_sig(str_sig(nb_sig_u64(NB_SIG_INIT, e->sig), e->id), e->hist);
}

static uint64_t
outcome_dep(const nb_outcome *o)
{
	uint64_t h = nb_sig_u64(NB_SIG_INIT, o->sig);

	h = str_sig(h, o->id);
	h = nb_sig_u64(h, nb_sig_consultation(o->consultation));
	return hist_sig(h, o->hist);
}

static uint64_t
page_dep(const nb_page *p)
{
	return hist_sig(str_sig(nb_sig_u64(NB_SIG_INIT, p->sig), p->id),
			p->hist);
}

void
nb_sig_prepare(nb_model *m)
{
	size_t i, k;

	for (i = 0; i < m->consultations.len; i++) {
		nb_consultation *c = m->consultations.items[i];
		c->dep = consultation_dep(c);
		c->dep_brief = consultation_dep_brief(c);
		for (k = 0; k < c->events_len; k++)
			c->events[k]->dep = c->dep;
	}
	for (i = 0; i < m->events.len; i++) {
		nb_event *e = m->events.items[i];
		e->dep = event_dep(e);
	}
	for (i = 0; i < m->outcomes.len; i++) {
		nb_outcome *o = m->outcomes.items[i];
		o->dep = outcome_dep(o);
	}
	for (i = 0; i < m->pages.len; i++) {
		nb_page *p = m->pages.items[i];
		p->dep = page_dep(p);
	}
}

uint64_t
nb_sig_consultation(const nb_consultation *c)
{
	return c->dep ? c->dep : consultation_dep(c);
}

uint64_t
nb_sig_consultation_brief(const nb_consultation *c)
{
	return c->dep_brief ? c->dep_brief : consultation_dep_brief(c);
}

uint64_t
nb_sig_event_brief(const nb_event *e)
{
	return e->consultation ? nb_sig_consultation_brief(e->consultation)
			       : nb_sig_event(e);
}

uint64_t
nb_sig_event(const nb_event *e)
{
	return e->dep ? e->dep : event_dep(e);
}

uint64_t
nb_sig_outcome(const nb_outcome *o)
{
	return o->dep ? o->dep : outcome_dep(o);
}

uint64_t
nb_sig_page(const nb_page *p)
{
	return p->dep ? p->dep : page_dep(p);
}

uint64_t
nb_sig_consultations(uint64_t h, const nb_vec *cs)
{
	size_t i;

	h = nb_sig_u64(h, cs ? cs->len : 0);
	for (i = 0; cs && i < cs->len; i++)
		h = nb_sig_u64(h, nb_sig_consultation(cs->items[i]));
	return h;
}

uint64_t
nb_sig_events(uint64_t h, const nb_vec *evs)
{
	size_t i;

	h = nb_sig_u64(h, evs ? evs->len : 0);
	for (i = 0; evs && i < evs->len; i++)
		h = nb_sig_u64(h, nb_sig_event(evs->items[i]));
	return h;
}

uint64_t
nb_sig_global(const nb_model *m, const nb_derived *dv, uint64_t templates)
{
	uint64_t h = str_sig(NB_SIG_INIT, NB_VERSION);
	size_t i;

	h = nb_sig_u64(h, templates);
	h = nb_sig_u64(h, m->site_sig);
	h = nb_sig_u64(h, m->terms_sig);
	h = nb_sig_u64(h, (uint64_t)nb_date_days(dv->today));
	for (i = 0; i < m->areas.len; i++) {
		const nb_area *a = m->areas.items[i];
		h = str_sig(nb_sig_u64(h, a->sig), a->id);
	}
	for (i = 0; i < m->partners.len; i++) {
		const nb_partner *p = m->partners.items[i];
		h = str_sig(nb_sig_u64(h, p->sig), p->id);
	}
	/* content pages: their titles are in every footer (their bodies
	 * only on their own pages) */
	for (i = 0; i < m->pages.len; i++) {
		const nb_page *p = m->pages.items[i];
		h = str_sig(str_sig(h, p->id), p->title);
		h = nb_sig_u64(h, (uint64_t)p->footer * 100000 + (uint64_t)p->order);
	}
	return h;
}

uint64_t
nb_sig_all(const nb_model *m)
{
	uint64_t h = nb_sig_consultations(NB_SIG_INIT, &m->consultations);
	size_t i;

	h = nb_sig_events(h, &m->events);
	for (i = 0; i < m->outcomes.len; i++)
		h = nb_sig_u64(h, nb_sig_outcome(m->outcomes.items[i]));
	for (i = 0; i < m->redirects.len; i++) {
		const nb_redirect *r = m->redirects.items[i];
		h = str_sig(str_sig(str_sig(h, r->from), r->to), r->title);
	}
	return h;
}
