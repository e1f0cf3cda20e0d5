/*
 * history.c - dates, change lists and redirects from git history.
 */
#include "history.h"

#include <string.h>

int
nb_history_dates(const nb_file_history *h, nb_date *first, nb_date *last)
{
	if (!h || !h->n)
		return -1;
	if (first)
		*first = nb_tz_from_utc(h->changes[h->n - 1].time, NULL).date;
	if (last)
		*last = nb_tz_from_utc(h->changes[0].time, NULL).date;
	return 0;
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
 * record now lives at the old address. */
static void
redirects(nb_model *m, const nb_file_history *h, const char *dir,
	  const char *ext, const char *url_dir, const char *id,
	  const char *title, const nb_map *taken)
{
	size_t i;

	for (i = 0; h && i < h->n_old; i++) {
		const char *old = id_of(m->arena, h->old_paths[i], dir, ext);
		nb_redirect *r;

		if (!old || strcmp(old, id) == 0 || nb_map_get(taken, old))
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

int
nb_history_attach(nb_model *m, nb_git *g, const char *cache, nb_diags *d)
{
	nb_map files = NB_MAP_INIT;
	size_t i;

	if (nb_git_is_shallow(g))
		nb_warning(d, nb_git_name(g), 0, 0,
			   "fetch the whole history (git fetch --unshallow) to get them right",
			   "this is a shallow clone: \"first published\" dates and change histories only go back as far as the clone does");
	if (nb_git_history(&files, g, "content/", m->arena, cache, d) != 0) {
		nb_map_free(&files);
		return -1;
	}
	m->commit = nb_arena_strdup(m->arena, nb_git_commit(g));
	for (i = 0; i < m->consultations.len; i++) {
		nb_consultation *c = m->consultations.items[i];
		c->hist = nb_map_get(&files, c->path);
		redirects(m, c->hist, "content/consultations/", ".md",
			  "consultations", c->id, c->title, &m->consultation_ids);
	}
	for (i = 0; i < m->outcomes.len; i++) {
		nb_outcome *o = m->outcomes.items[i];
		o->hist = nb_map_get(&files, o->path);
		redirects(m, o->hist, "content/outcomes/", ".md", "outcomes",
			  o->id, o->title ? o->title : o->consultation->title,
			  &m->outcome_ids);
	}
	for (i = 0; i < m->events.len; i++) {
		nb_event *e = m->events.items[i];
		e->hist = nb_map_get(&files, e->path);
		redirects(m, e->hist, "content/events/", ".md", "events", e->id,
			  e->title, &m->event_ids);
	}
	for (i = 0; i < m->pages.len; i++) {
		nb_page *p = m->pages.items[i];
		p->hist = nb_map_get(&files, p->path);
		redirects(m, p->hist, "content/pages/", ".md", "", p->id,
			  p->title, &m->page_ids);
	}
	for (i = 0; i < m->areas.len; i++) {
		nb_area *a = m->areas.items[i];
		redirects(m, nb_map_get(&files, a->path), "content/areas/",
			  ".yaml", "areas", a->id, a->name, &m->area_ids);
	}
	for (i = 0; i < m->partners.len; i++) {
		nb_partner *p = m->partners.items[i];
		redirects(m, nb_map_get(&files, p->path), "content/partners/",
			  ".yaml", "partners", p->id, p->name, &m->partner_ids);
	}
	nb_map_free(&files);
	return 0;
}
