/*
 * history.c - dates, change lists and redirects from git history.
 */
#include "history.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
nb_history_dates(const nb_file_history *h, nb_date *first, nb_date *last)
{
	if (!h || !h->n)
		return -1;
	if (h->dated) {
		if (first)
			*first = nb_date_from_days(h->first_day);
		if (last)
			*last = nb_date_from_days(h->last_day);
		return 0;
	}
	if (first)
		*first = nb_tz_from_utc(h->changes[h->n - 1].time, NULL).date;
	if (last)
		*last = nb_tz_from_utc(h->changes[0].time, NULL).date;
	return 0;
}

/* The local day of a time, remembering the last few: most files share
 * their commits (localtime_r is slow, and takes a lock every thread
 * would wait on if pages worked it out). */
typedef struct day_memo {
	int64_t t[64];
	int64_t day[64];
	unsigned char set[64];
} day_memo;

static int64_t
day_of(day_memo *mm, int64_t t)
{
	unsigned k = (unsigned)((uint64_t)t * 0x9e3779b97f4a7c15ULL >> 58);

	if (!mm->set[k] || mm->t[k] != t) {
		mm->t[k] = t;
		mm->day[k] = nb_date_days(nb_tz_from_utc(t, NULL).date);
		mm->set[k] = 1;
	}
	return mm->day[k];
}

/* Every history's first and last day, now that the site's zone is set. */
static void
date_all(nb_map *files)
{
	day_memo *mm = nb_xcalloc(1, sizeof(*mm));
	size_t i;

	for (i = 0; i < files->cap; i++) {
		nb_file_history *h = files->vals[i];
		if (!files->keys[i] || !h || !h->n)
			continue;
		h->first_day = day_of(mm, h->changes[h->n - 1].time);
		h->last_day = day_of(mm, h->changes[0].time);
		h->dated = 1;
	}
	free(mm);
}

/* The id of a record from a path "content/KIND/ID.ext", or NULL. */
static const char *
id_of(nb_arena *a, const char *path, const char *dir, const char *ext)
{
	size_t dl = strlen(dir), el = strlen(ext), n = strlen(path);
	char *id;

	if (strncmp(path, dir, dl) != 0 || n <= dl + el ||
	    strcmp(path + n - el, ext) != 0 || strchr(path + dl, '/'))
		return NULL;
	id = nb_arena_strndup(a, path + dl, n - dl - el);
	return nb_id_valid(id) ? id : NULL;
}

/* Redirects from every old id of a record to its page now, unless a
 * record now lives at the old address, or (a page's) the site does. */
static void
redirects(nb_model *m, const nb_file_history *h, const char *dir,
	  const char *ext, const char *url_dir, const char *id,
	  const char *title, const nb_map *taken)
{
	size_t i;

	for (i = 0; h && i < h->n_old; i++) {
		const char *old = id_of(m->arena, h->old_paths[i], dir, ext);
		nb_redirect *r;

		if (!old || strcmp(old, id) == 0 || nb_map_get(taken, old) ||
		    (!*url_dir && nb_page_id_reserved(old)))
			continue;
		r = nb_arena_alloc(m->arena, sizeof(*r));
		r->from = *url_dir ? nb_arena_printf(m->arena, "%s/%s/", url_dir, old)
				   : nb_arena_printf(m->arena, "%s/", old);
		r->to = *url_dir ? nb_arena_printf(m->arena, "%s/%s/", url_dir, id)
				 : nb_arena_printf(m->arena, "%s/", id);
		r->title = title;
		nb_vec_push(m->arena, &m->redirects, r);
	}
}

/* The walk, in a thread of its own with its own handle on the repository
 * and its own arena, while the records are read. */
struct nb_history_job {
	nb_git *g;                /* the caller's handle */
	nb_git *own;              /* the thread's, or NULL: walk at finish */
	const char *cache;
	nb_arena *a;
	nb_map files;
	nb_diags d;
	int rc;
	int started;
	pthread_t t;
};

static void *
walk(void *arg)
{
	nb_history_job *j = arg;

	j->rc = nb_git_history(&j->files, j->own, "content/", j->a, j->cache,
			       &j->d);
	return NULL;
}

nb_history_job *
nb_history_start(nb_git *g, const char *cache)
{
	nb_history_job *j = nb_xcalloc(1, sizeof(*j));
	nb_diags ignore = NB_DIAGS_INIT;

	j->g = g;
	j->cache = cache;
	j->a = nb_arena_new();
	if (nb_git_reopen(&j->own, g, &ignore) == 0)
		j->started = pthread_create(&j->t, NULL, walk, j) == 0;
	nb_diags_free(&ignore);
	return j;
}

static void
join(nb_history_job *j)
{
	if (j->started)
		pthread_join(j->t, NULL);
	else   /* no thread: the walk is done here, on the caller's handle */
		j->rc = nb_git_history(&j->files, j->g, "content/", j->a,
				       j->cache, &j->d);
	j->started = 0;
}

static void
job_free(nb_history_job *j)
{
	nb_map_free(&j->files);
	nb_diags_free(&j->d);
	nb_git_free(j->own);
	free(j);
}

void
nb_history_abort(nb_history_job *j)
{
	if (!j)
		return;
	if (j->started)
		pthread_join(j->t, NULL);
	nb_arena_free(j->a);
	job_free(j);
}

int
nb_history_finish(nb_history_job *j, nb_model *m, nb_diags *d)
{
	nb_map *files = &j->files;
	size_t i;
	int rc;

	join(j);
	/* the histories live as long as the model */
	if (m->arenas_len == m->arenas_cap) {
		m->arenas_cap = m->arenas_cap ? m->arenas_cap * 2 : 8;
		m->arenas = nb_xrealloc(m->arenas,
					m->arenas_cap * sizeof(*m->arenas));
	}
	m->arenas[m->arenas_len++] = j->a;
	if (nb_git_is_shallow(j->g))
		nb_warning(d, nb_git_name(j->g), 0, 0,
			   "fetch the whole history (git fetch --unshallow) to get them right",
			   "this is a shallow clone: \"first published\" dates and change histories only go back as far as the clone does");
	for (i = 0; i < j->d.len; i++) {
		const nb_diag *g = &j->d.items[i];
		nb_diag_add(d, g->sev, g->path, g->line, g->col, g->hint, "%s",
			    g->msg);
	}
	rc = j->rc;
	if (rc != 0) {
		job_free(j);
		return -1;
	}
	m->commit = nb_arena_strdup(m->arena, nb_git_commit(j->g));
	date_all(files);
	for (i = 0; i < m->consultations.len; i++) {
		nb_consultation *c = m->consultations.items[i];
		c->hist = nb_map_get(files, c->path);
		redirects(m, c->hist, "content/consultations/", ".md",
			  "consultations", c->id, c->title, &m->consultation_ids);
	}
	for (i = 0; i < m->outcomes.len; i++) {
		nb_outcome *o = m->outcomes.items[i];
		o->hist = nb_map_get(files, o->path);
		redirects(m, o->hist, "content/outcomes/", ".md", "outcomes",
			  o->id, o->title ? o->title : o->consultation->title,
			  &m->outcome_ids);
	}
	for (i = 0; i < m->events.len; i++) {
		nb_event *e = m->events.items[i];
		e->hist = nb_map_get(files, e->path);
		redirects(m, e->hist, "content/events/", ".md", "events", e->id,
			  e->title, &m->event_ids);
	}
	for (i = 0; i < m->pages.len; i++) {
		nb_page *p = m->pages.items[i];
		p->hist = nb_map_get(files, p->path);
		redirects(m, p->hist, "content/pages/", ".md", "", p->id,
			  p->title, &m->page_ids);
	}
	for (i = 0; i < m->areas.len; i++) {
		nb_area *a = m->areas.items[i];
		redirects(m, nb_map_get(files, a->path), "content/areas/",
			  ".yaml", "areas", a->id, a->name, &m->area_ids);
	}
	for (i = 0; i < m->partners.len; i++) {
		nb_partner *p = m->partners.items[i];
		redirects(m, nb_map_get(files, p->path), "content/partners/",
			  ".yaml", "partners", p->id, p->name, &m->partner_ids);
	}
	job_free(j);
	return 0;
}

int
nb_history_attach(nb_model *m, nb_git *g, const char *cache, nb_diags *d)
{
	nb_history_job *j = nb_xcalloc(1, sizeof(*j));

	j->g = g;
	j->cache = cache;
	j->a = nb_arena_new();
	return nb_history_finish(j, m, d);
}
