/*
 * sig.c - dependency signatures and the build manifest.
 */
#include "sig.h"
#include "git.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

void
nb_manifest_read(nb_manifest *out, nb_arena *a, const char *dir)
{
	static const char head[] = "noticeboard-manifest 1\n";
	char path[4096], *text, *p, *end, *nl;
	size_t len = 0, lines = 0;
	struct stat st;
	int fd;

	memset(out, 0, sizeof(*out));
	if (snprintf(path, sizeof(path), "%s/%s", dir, NB_MANIFEST_PATH) >=
	    (int)sizeof(path))
		return;
	/* read whole into the arena; the keys are its lines */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	/* the text, and a signature for each line of about 80 bytes */
	nb_arena_reserve(a, (size_t)st.st_size + (size_t)st.st_size / 8 + 4096);
	text = nb_arena_alloc_raw(a, (size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, text + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	text[len] = '\0';
	end = text + len;
	if (len < sizeof(head) - 1 || memcmp(text, head, sizeof(head) - 1) != 0)
		return;
	for (p = text; p < end; p++)
		lines += *p == '\n';
	nb_map_reserve(&out->sigs, lines);
	/* a line without its newline (a file cut short) ends it */
	for (p = text + sizeof(head) - 1;
	     p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL;
	     p = nl + 1) {
		char *sp, *e;
		uint64_t *v;

		*nl = '\0';
		if (strncmp(p, "commit ", 7) == 0) {
			out->commit = p + 7;
			continue;
		}
		sp = strchr(p, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		v = nb_arena_alloc(a, sizeof(*v));
		*v = strtoull(p, &e, 16);
		if (*e || e == p)
			continue;
		nb_map_put(&out->sigs, sp + 1, v, NULL);
	}
}

int
nb_manifest_get(const nb_manifest *mf, const char *path, uint64_t *sig)
{
	uint64_t *v = nb_map_get(&mf->sigs, path);

	if (!v)
		return 0;
	*sig = *v;
	return 1;
}

void
nb_manifest_free(nb_manifest *mf)
{
	if (mf)
		nb_map_free(&mf->sigs);
}
