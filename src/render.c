/*
 * render.c - which page goes at which URL, through which template.
 *
 * The list of pages is the site map of PRODUCT.md: every record keeps its
 * address for good (closed, past and cancelled records included).
 */
#include "render.h"
#include "data.h"
#include "ical.h"
#include "report.h"
#include "sig.h"
#include "mustache.h"
#include "view.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct theme {
	const nb_source *src, *share;
	const char *name;
	nb_arena *a;
	nb_tmpl_set *set;
} theme;

static int
name_ok(const char *name)
{
	size_t i;

	if (!*name || strlen(name) > 64)
		return 0;
	for (i = 0; name[i]; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* Find a template: the site's layouts/ win over the theme's. */
static int
load_template(void *ud, const char *name, const char **text, size_t *len,
	      const char **path, nb_diags *d)
{
	theme *th = ud;
	const nb_source *srcs[3] = { th->src, th->src, th->share };
	const char *dirs[3];
	size_t i;

	if (!name_ok(name))
		return 1;
	dirs[0] = "layouts";
	dirs[1] = nb_arena_printf(th->a, "themes/%s/layouts", th->name);
	dirs[2] = dirs[1];
	for (i = 0; i < 3; i++) {
		char *rel, *data;
		size_t n;
		int rc;

		if (!srcs[i])
			continue;
		rel = nb_arena_printf(th->a, "%s/%s.mustache", dirs[i], name);
		rc = nb_source_read(srcs[i], rel, &data, &n, d);
		if (rc < 0)
			return -1;
		if (rc == 1)
			continue;
		*text = nb_arena_strndup(th->a, data, n);
		*len = n;
		*path = i == 2 ? nb_arena_printf(th->a, "%s/%s",
				 nb_source_root(srcs[i]), rel) : rel;
		free(data);
		return 0;
	}
	return 1;
}

/* Copy the files of `dir` (one level) from a source into out/static/. */
static int
copy_static(const nb_source *s, const char *dir, nb_out *o, nb_diags *d,
	    nb_map *done)
{
	char **names;
	size_t n, i;
	int rc;

	rc = nb_source_list(s, dir, "", &names, &n, d);
	for (i = 0; i < n && rc == 0; i++) {
		char rel[512], out[512], *data;
		size_t len;

		if (nb_map_get(done, names[i]))
			continue;   /* the site's own file won */
		if (snprintf(rel, sizeof(rel), "%s/%s", dir, names[i]) >=
			    (int)sizeof(rel) ||
		    snprintf(out, sizeof(out), "static/%s", names[i]) >=
			    (int)sizeof(out)) {
			rc = nb_error(d, dir, 0, 0, NULL, "file name too long: %s",
				      names[i]);
			break;
		}
		if (nb_source_read(s, rel, &data, &len, d) != 0) {
			rc = -1;
			break;
		}
		rc = nb_out_write(o, out, data, len, d);
		free(data);
		nb_map_put(done, nb_xstrdup(names[i]), (void *)1, NULL);
	}
	nb_source_names_free(names, n);
	return rc;
}

static int
copy_all_static(theme *th, nb_out *o, nb_diags *d)
{
	nb_map done = NB_MAP_INIT;
	char dir[256];
	size_t i;
	int rc;

	snprintf(dir, sizeof(dir), "themes/%s/static", th->name);
	rc = copy_static(th->src, "static", o, d, &done);
	if (rc == 0)
		rc = copy_static(th->src, dir, o, d, &done);
	if (rc == 0 && th->share)
		rc = copy_static(th->share, dir, o, d, &done);
	for (i = 0; i < done.cap; i++)
		free((char *)done.keys[i]);
	nb_map_free(&done);
	return rc;
}

typedef struct job {
	theme *th;
	nb_out *o;
	nb_diags *d;
	nb_view_ctx vc;
	nb_buf buf;
	int failed;
	nb_date lastmod;             /* of the next page emitted */
	int redirect;                /* the output is a redirect page */
	nb_sitemap_entry *map;       /* every page, for sitemap.xml */
	size_t map_len, map_cap;
	nb_arena *site_arena;        /* lives for the whole render */
	const nb_ical_seqs *old_seqs;
	nb_ical_seqs seqs;
	nb_feed_link *feeds;
	size_t feeds_len, feeds_cap;
	/* incremental builds */
	const nb_manifest *old;      /* the last build's signatures */
	uint64_t global;             /* what every page shows */
	uint64_t everything;         /* global and every record */
	uint64_t sig;                /* of the output being made */
	nb_buf manifest;             /* this build's signatures */
} job;

static void next_page(job *j);
static void done_output(job *j, const char *rel);

/* Render one page: template `name` against ctx, written at `rel`. */
static void
emit(job *j, const char *name, nb_value *ctx, const char *rel)
{
	nb_template *t = NULL;
	int rc;

	if (j->failed)
		return;
	rc = nb_tmpl_get(&t, j->th->set, name, j->d);
	if (rc == 1) {
		nb_error(j->d, nb_arena_printf(j->vc.a,
			 "themes/%s/layouts/%s.mustache", j->th->name, name),
			 0, 0, "every theme needs this template; copy it from themes/default",
			 "missing template `%s`", name);
		j->failed = 1;
		return;
	}
	nb_buf_clear(&j->buf);
	if (rc != 0 || nb_tmpl_render(&j->buf, j->th->set, t, ctx, j->d) != 0 ||
	    nb_out_write(j->o, rel, j->buf.ptr ? j->buf.ptr : "", j->buf.len,
			 j->d) != 0) {
		j->failed = 1;
		return;
	}
	done_output(j, rel);
}

/* An output is in place: note its signature, and put pages (not feeds,
 * embeds, redirects or the 404 page) in the sitemap. */
static void
done_output(job *j, const char *rel)
{
	size_t n = strlen(rel);

	nb_buf_printf(&j->manifest, "%016llx %s\n", (unsigned long long)j->sig,
		      rel);
	if ((strcmp(rel, "index.html") == 0 ||
	     (n > 11 && strcmp(rel + n - 11, "/index.html") == 0)) &&
	    strncmp(rel, "embed/", 6) != 0 && !j->redirect) {
		if (j->map_len == j->map_cap) {
			j->map_cap = j->map_cap ? j->map_cap * 2 : 256;
			j->map = nb_xrealloc(j->map, j->map_cap * sizeof(*j->map));
		}
		j->map[j->map_len].path = nb_arena_strndup(j->site_arena, rel,
							   n - 10);
		j->map[j->map_len].lastmod = j->lastmod;
		j->map_len++;
	}
	j->lastmod = j->vc.dv->today;
}

/* Take an output from the last build when what it depends on (j->sig) is
 * unchanged.  Returns 1 when it was taken. */
static int
reuse(job *j, const char *rel)
{
	uint64_t was;

	if (j->failed || !j->old || !nb_manifest_get(j->old, rel, &was) ||
	    was != j->sig || nb_out_reuse(j->o, rel) != 0)
		return 0;
	done_output(j, rel);
	return 1;
}

#define EMIT(j, signature, tmpl, rel_expr, view_expr) do { \
	const char *rel_ = (rel_expr); \
	(j)->sig = (signature); \
	if (!(j)->failed && !reuse((j), rel_)) \
		emit((j), (tmpl), (view_expr), rel_); \
} while (0)

static void
write_buf(job *j, const char *rel)
{
	if (!j->failed &&
	    nb_out_write(j->o, rel, j->buf.ptr ? j->buf.ptr : "", j->buf.len,
			 j->d) != 0)
		j->failed = 1;
	else if (!j->failed)
		done_output(j, rel);
}

/* ---- feeds ------------------------------------------------------------------- */

/* The masters of a list of events (an occurrence stands for its repeating
 * event), each once, in order. */
static void
masters(nb_arena *a, const nb_vec *evs, const nb_vec *extra, nb_vec *out)
{
	nb_map seen = NB_MAP_INIT;
	const nb_vec *lists[2] = { evs, extra };
	size_t k, i;

	for (k = 0; k < 2; k++) {
		for (i = 0; lists[k] && i < lists[k]->len; i++) {
			nb_event *ev = lists[k]->items[i];
			const char *key;
			if (ev->occurrence_of)
				ev = ev->occurrence_of;
			key = ev->consultation ? ev->id :
			      nb_arena_printf(a, "/%s", ev->id);
			if (nb_map_put(&seen, key, ev, NULL) == 0)
				nb_vec_push(a, out, ev);
		}
	}
	nb_map_free(&seen);
}

static void
unique(nb_arena *a, const nb_vec *cs, const nb_vec *extra, nb_vec *out)
{
	nb_map seen = NB_MAP_INIT;
	const nb_vec *lists[2] = { cs, extra };
	size_t k, i;

	for (k = 0; k < 2; k++)
		for (i = 0; lists[k] && i < lists[k]->len; i++) {
			nb_consultation *c = lists[k]->items[i];
			if (nb_map_put(&seen, c->id, c, NULL) == 0)
				nb_vec_push(a, out, c);
		}
	nb_map_free(&seen);
}

static void
add_feed_link(job *j, const char *label, const char *group, const char *ics,
	      const char *atom)
{
	if (j->feeds_len == j->feeds_cap) {
		j->feeds_cap = j->feeds_cap ? j->feeds_cap * 2 : 64;
		j->feeds = nb_xrealloc(j->feeds, j->feeds_cap * sizeof(*j->feeds));
	}
	j->feeds[j->feeds_len].label = label;
	j->feeds[j->feeds_len].group = group;
	j->feeds[j->feeds_len].ics_path = ics;
	j->feeds[j->feeds_len].atom_path = atom;
	j->feeds_len++;
}

/* One calendar feed (and, with atom_rel, its news feed). */
static void
feed(job *j, const char *label, const char *group, const char *ics_rel,
     const char *atom_rel, const char *page_path, const nb_vec *cs,
     const nb_vec *extra_cs, const nb_vec *evs, const nb_vec *extra_evs,
     const char *description)
{
	nb_arena *a = j->vc.a;
	nb_vec c = { NULL, 0, 0 }, e = { NULL, 0, 0 };
	nb_ical_feed f;

	if (j->failed)
		return;
	unique(a, cs, extra_cs, &c);
	masters(a, evs, extra_evs, &e);
	j->sig = nb_sig_events(nb_sig_consultations(j->global, &c), &e);
	if (!reuse(j, ics_rel)) {
		f.name = nb_arena_printf(a, "%s: %s", label, j->vc.m->site.title);
		f.description = description;
		f.events = &e;
		f.consultations = &c;
		nb_buf_clear(&j->buf);
		if (nb_ical_write(&j->buf, j->site_arena, j->vc.m, j->vc.dv, &f,
				  j->vc.prefix, j->old_seqs, &j->seqs, j->d) != 0) {
			j->failed = 1;
			return;
		}
		write_buf(j, ics_rel);
	}
	if (atom_rel && !reuse(j, atom_rel)) {
		nb_vec outs = { NULL, 0, 0 };
		size_t i;
		for (i = 0; i < c.len; i++) {
			nb_consultation *k = c.items[i];
			if (k->outcome)
				nb_vec_push(a, &outs, k->outcome);
		}
		emit(j, "feed-atom", nb_view_atom(&j->vc, label, atom_rel,
			page_path, &c, &outs), atom_rel);
	}
	add_feed_link(j, nb_arena_strdup(j->site_arena, label), group,
		      nb_arena_strdup(j->site_arena, ics_rel),
		      atom_rel ? nb_arena_strdup(j->site_arena, atom_rel) : NULL);
}

static void
all_feeds(job *j)
{
	const nb_model *m = j->vc.m;
	const nb_derived *dv = j->vc.dv;
	nb_vec none = { NULL, 0, 0 };
	size_t i;

	next_page(j);
	feed(j, "Everything", "site", "calendar.ics", NULL, "calendar/",
	     &m->consultations, NULL, &m->all_events, NULL,
	     "Every consultation, meeting and event by every partner.");
	next_page(j);
	EMIT(j, j->everything, "feed-atom", "feeds/consultations.atom",
	     nb_view_atom(&j->vc, "New and changed activities",
	     "feeds/consultations.atom", "consultations/", &m->consultations,
	     NULL));
	next_page(j);
	EMIT(j, j->everything, "feed-atom", "feeds/outcomes.atom",
	     nb_view_atom(&j->vc, "Published outcomes",
	     "feeds/outcomes.atom", "feedback/", NULL, &dv->outcomes));
	for (i = 0; i < m->areas.len && !j->failed; i++) {
		const nb_area *ar = m->areas.items[i];
		next_page(j);
		feed(j, ar->name, "areas",
		     nb_arena_printf(j->vc.a, "feeds/areas/%s.ics", ar->id),
		     nb_arena_printf(j->vc.a, "feeds/areas/%s.atom", ar->id),
		     nb_arena_printf(j->vc.a, "areas/%s/", ar->id),
		     &ar->consultations, &dv->everywhere, &ar->events,
		     &dv->everywhere_events, NULL);
	}
	for (i = 0; i < m->partners.len && !j->failed; i++) {
		const nb_partner *p = m->partners.items[i];
		next_page(j);
		feed(j, p->name, "partners",
		     nb_arena_printf(j->vc.a, "feeds/partners/%s.ics", p->id),
		     nb_arena_printf(j->vc.a, "feeds/partners/%s.atom", p->id),
		     nb_arena_printf(j->vc.a, "partners/%s/", p->id),
		     &p->consultations, &none, &p->events, &none, NULL);
	}
	for (i = 0; i < m->topics.len && !j->failed; i++) {
		const nb_term *t = m->topics.items[i];
		next_page(j);
		feed(j, t->label, "topics",
		     nb_arena_printf(j->vc.a, "feeds/topics/%s.ics", t->id),
		     NULL, nb_arena_printf(j->vc.a, "topics/%s/", t->id),
		     &t->consultations, &none, &t->events, &none, NULL);
	}
	next_page(j);
	EMIT(j, j->everything, "subscribe", "subscribe/index.html",
	     nb_view_subscribe(&j->vc, j->feeds, j->feeds_len));
	/* carried to the next build: SEQUENCE rises only when an item
	 * changes; items of feeds taken unchanged keep their numbers */
	if (j->old_seqs) {
		for (i = 0; i < j->old_seqs->all.len; i++) {
			nb_ical_seq *s = j->old_seqs->all.items[i];
			if (!nb_map_get(&j->seqs.by_uid, s->uid)) {
				nb_map_put(&j->seqs.by_uid, s->uid, s, NULL);
				nb_vec_push(j->site_arena, &j->seqs.all, s);
			}
		}
	}
	nb_buf_clear(&j->buf);
	j->sig = 0;
	if (!j->failed && nb_data_seqs_json(&j->buf, &j->seqs) == 0)
		write_buf(j, "data/calendar-sequence.json");
}

/* A redirect page: not in the sitemap, never over a real page. */
static void
emit_redirect(job *j, const nb_redirect *rd)
{
	nb_template *t = NULL;
	char *rel = nb_arena_printf(j->vc.a, "%sindex.html", rd->from);

	if (j->failed)
		return;
	j->sig = j->everything;
	j->redirect = 1;
	if (!reuse(j, rel)) {
		if (nb_tmpl_get(&t, j->th->set, "redirect", j->d) != 0) {
			j->failed = 1;
		} else {
			nb_buf_clear(&j->buf);
			if (nb_tmpl_render(&j->buf, j->th->set, t,
					   nb_view_redirect(&j->vc, rd), j->d) != 0)
				j->failed = 1;
			else
				write_buf(j, rel);
		}
	}
	j->redirect = 0;
}

/* Every page of one long list. */
static void
list_pages(job *j, const nb_list_page *lp)
{
	size_t pages = nb_view_pages(lp->items->len), p, i;

	for (p = 1; p <= pages && !j->failed; p++) {
		size_t first = (p - 1) * NB_VIEW_PER_PAGE;
		uint64_t s = nb_sig_u64(j->global, lp->items->len);
		/* a page depends on its own items and on how many there are */
		for (i = first; i < lp->items->len && i < first + NB_VIEW_PER_PAGE; i++)
			s = nb_sig_u64(s, lp->outcomes ?
				nb_sig_outcome(lp->items->items[i]) :
				nb_sig_consultation(lp->items->items[i]));
		next_page(j);
		EMIT(j, s, "list",
		     p == 1 ? nb_arena_printf(j->vc.a, "%sindex.html", lp->path) :
		     nb_arena_printf(j->vc.a, "%spage/%zu/index.html", lp->path, p),
		     nb_view_list_page(&j->vc, lp, p, pages));
	}
}

typedef void (*page_fn)(job *j, size_t i);
static void in_parallel(job *j, page_fn fn, size_t n);

/* The past activities of area i. */
static void
area_past(job *j, size_t i)
{
	const nb_area *ar = j->vc.m->areas.items[i];
	nb_arena *a = j->site_arena;
	nb_vec past = { NULL, 0, 0 };
	nb_list_page lp;

	memset(&lp, 0, sizeof(lp));
	nb_view_past(a, &ar->consultations, &j->vc.dv->everywhere, &past);
	lp.title = nb_arena_printf(a, "Past activities in %s", ar->name);
	lp.section = "areas";
	lp.path = nb_arena_printf(a, "areas/%s/past/", ar->id);
	lp.parent_label = ar->name;
	lp.parent_path = nb_arena_printf(a, "areas/%s/", ar->id);
	lp.items = &past;
	list_pages(j, &lp);
}

/* Past activities of everything, and of each area, partner, topic and
 * audience; every outcome. */
static void
long_lists(job *j)
{
	const nb_model *m = j->vc.m;
	const nb_derived *dv = j->vc.dv;
	nb_arena *a = j->site_arena;
	static const char *kinds[] = { "topics", "audiences" };
	nb_list_page lp;
	size_t i, k;

	memset(&lp, 0, sizeof(lp));
	lp.section = "consultations";
	{
		nb_vec past = { NULL, 0, 0 };
		nb_view_past(a, &m->consultations, NULL, &past);
		lp.title = "Past consultations and activities";
		lp.path = "consultations/past/";
		lp.intro = "Every activity that has closed or was cancelled, newest first, with what happened next.";
		lp.parent_label = "Consultations";
		lp.parent_path = "consultations/";
		lp.items = &past;
		list_pages(j, &lp);
	}
	lp.title = "Every outcome";
	lp.section = "feedback";
	lp.path = "outcomes/";
	lp.intro = "What happened after each consultation, newest first.";
	lp.parent_label = "You said, we did";
	lp.parent_path = "feedback/";
	lp.items = &dv->outcomes;
	lp.outcomes = 1;
	list_pages(j, &lp);
	lp.outcomes = 0;
	lp.intro = NULL;

	in_parallel(j, area_past, m->areas.len);
	for (i = 0; i < m->partners.len && !j->failed; i++) {
		const nb_partner *p = m->partners.items[i];
		nb_vec past = { NULL, 0, 0 };
		nb_view_past(a, &p->consultations, NULL, &past);
		lp.title = nb_arena_printf(a, "Past activities: %s", p->name);
		lp.section = "partners";
		lp.path = nb_arena_printf(a, "partners/%s/past/", p->id);
		lp.parent_label = p->name;
		lp.parent_path = nb_arena_printf(a, "partners/%s/", p->id);
		lp.items = &past;
		list_pages(j, &lp);
	}
	for (k = 0; k < 2; k++) {
		const nb_vec *ts = k == 0 ? &m->topics : &m->audiences;
		for (i = 0; i < ts->len && !j->failed; i++) {
			const nb_term *t = ts->items[i];
			nb_vec past = { NULL, 0, 0 };
			nb_view_past(a, &t->consultations, NULL, &past);
			lp.title = nb_arena_printf(a, "Past activities: %s", t->label);
			lp.section = "consultations";
			lp.path = nb_arena_printf(a, "%s/%s/past/", kinds[k], t->id);
			lp.parent_label = t->label;
			lp.parent_path = nb_arena_printf(a, "%s/%s/", kinds[k], t->id);
			lp.items = &past;
			list_pages(j, &lp);
		}
	}
}

/* Open data: JSON and CSV of every collection, and their schemas. */
static void
open_data(job *j)
{
	const nb_source *srcs[3] = { j->th->src, j->th->share, NULL };
	size_t k;

	for (k = 0; k < NB_DATA_COUNT && !j->failed; k++) {
		const char *name = nb_data_name((nb_data_kind)k);
		char rel[128];
		j->sig = j->everything;
		snprintf(rel, sizeof(rel), "data/%s.json", name);
		if (!reuse(j, rel)) {
			nb_buf_clear(&j->buf);
			if (nb_data_json(&j->buf, (nb_data_kind)k, j->vc.m,
					 j->vc.prefix) != 0) {
				nb_error(j->d, "data", 0, 0, NULL,
					 "cannot write %s as JSON", name);
				j->failed = 1;
				return;
			}
			write_buf(j, rel);
		}
		snprintf(rel, sizeof(rel), "data/%s.csv", name);
		if (!reuse(j, rel)) {
			nb_buf_clear(&j->buf);
			nb_data_csv(&j->buf, (nb_data_kind)k, j->vc.m, j->vc.prefix);
			write_buf(j, rel);
		}
		/* the schema, from the site or the installed share folder */
		for (size_t s = 0; srcs[s] && !j->failed; s++) {
			char path[128], *text;
			size_t len;
			int rc;
			snprintf(path, sizeof(path), "schemas/data/%s.schema.json", name);
			rc = nb_source_read(srcs[s], path, &text, &len, j->d);
			if (rc < 0) {
				j->failed = 1;
				break;
			}
			if (rc == 1)
				continue;
			snprintf(rel, sizeof(rel), "data/schema/%s.schema.json", name);
			if (nb_out_write(j->o, rel, text, len, j->d) != 0)
				j->failed = 1;
			free(text);
			break;
		}
	}
}

/* A year's figures as JSON and CSV beside its report page. */
static void
emit_data(job *j, const nb_report *rp)
{
	char rel[64];

	if (j->failed)
		return;
	j->sig = j->everything;
	snprintf(rel, sizeof(rel), "reports/%d/report.json", rp->year);
	if (!reuse(j, rel)) {
		nb_buf_clear(&j->buf);
		if (nb_data_report_json(&j->buf, rp) != 0) {
			nb_error(j->d, "reports", 0, 0, NULL,
				 "cannot write the %d report as JSON", rp->year);
			j->failed = 1;
			return;
		}
		write_buf(j, rel);
	}
	snprintf(rel, sizeof(rel), "reports/%d/report.csv", rp->year);
	if (!reuse(j, rel)) {
		nb_buf_clear(&j->buf);
		nb_data_report_csv(&j->buf, rp);
		write_buf(j, rel);
	}
}

/* A fresh arena for the next page's values. */
static void
next_page(job *j)
{
	nb_arena_reset(j->vc.a);
}

/* A signature of every template the site can use: the site's layouts/
 * and the theme's, wherever they are found. */
static uint64_t
templates_sig(theme *th, nb_diags *d)
{
	const nb_source *srcs[3] = { th->src, th->src, th->share };
	const char *dirs[3];
	uint64_t h = NB_SIG_INIT;
	size_t s, i;

	dirs[0] = "layouts";
	dirs[1] = nb_arena_printf(th->a, "themes/%s/layouts", th->name);
	dirs[2] = dirs[1];
	for (s = 0; s < 3; s++) {
		char **names;
		size_t n;
		if (!srcs[s])
			continue;
		nb_source_list(srcs[s], dirs[s], ".mustache", &names, &n, d);
		h = nb_sig_u64(h, n);
		for (i = 0; i < n; i++) {
			char *rel = nb_arena_printf(th->a, "%s/%s", dirs[s], names[i]);
			char *text;
			size_t len;
			h = nb_sig(h, names[i], strlen(names[i]) + 1);
			if (nb_source_read(srcs[s], rel, &text, &len, d) == 0) {
				h = nb_sig(h, text, len);
				free(text);
			}
		}
		nb_source_names_free(names, n);
	}
	return h;
}

/* ---- pages of records, in two threads ---------------------------------------- */

/* A consultation's page (and its history). */
static void
page_consultation(job *j, size_t i)
{
	const nb_consultation *c = j->vc.m->consultations.items[i];
	uint64_t s = nb_sig_u64(j->global, nb_sig_consultation(c));

	next_page(j);
	j->lastmod = nb_consultation_changed(c, j->vc.dv->today);
	EMIT(j, s, "consultation",
	     nb_arena_printf(j->vc.a, "consultations/%s/index.html", c->id),
	     nb_view_consultation(&j->vc, c));
	if (c->hist) {
		next_page(j);
		EMIT(j, s, "history",
		     nb_arena_printf(j->vc.a, "consultations/%s/history/index.html", c->id),
		     nb_view_history(&j->vc, c->title, "consultations",
				     nb_arena_printf(j->vc.a, "consultations/%s/", c->id),
				     c->hist));
	}
}

static void
page_event(job *j, size_t i)
{
	const nb_event *ev = j->vc.m->events.items[i];

	next_page(j);
	EMIT(j, nb_sig_u64(j->global, nb_sig_event(ev)), "event",
	     nb_arena_printf(j->vc.a, "events/%s/index.html", ev->id),
	     nb_view_event(&j->vc, ev));
}

static void
page_outcome(job *j, size_t i)
{
	const nb_outcome *oc = j->vc.m->outcomes.items[i];
	uint64_t s = nb_sig_u64(j->global, nb_sig_outcome(oc));

	next_page(j);
	j->lastmod = nb_outcome_changed(oc, j->vc.dv->today);
	EMIT(j, s, "outcome",
	     nb_arena_printf(j->vc.a, "outcomes/%s/index.html", oc->id),
	     nb_view_outcome(&j->vc, oc));
	if (oc->hist) {
		next_page(j);
		EMIT(j, s, "history",
		     nb_arena_printf(j->vc.a, "outcomes/%s/history/index.html", oc->id),
		     nb_view_history(&j->vc, oc->title ? oc->title :
				     oc->consultation->title, "feedback",
				     nb_arena_printf(j->vc.a, "outcomes/%s/", oc->id),
				     oc->hist));
	}
}

/* An area's page and its embed. */
static void
page_area(job *j, size_t i)
{
	const nb_derived *dv = j->vc.dv;
	const nb_area *ar = j->vc.m->areas.items[i];
	uint64_t s = nb_sig_events(nb_sig_events(nb_sig_consultations(
		nb_sig_consultations(j->global, &ar->consultations),
		&dv->everywhere), &ar->events), &dv->everywhere_events);

	next_page(j);
	EMIT(j, s, "area",
	     nb_arena_printf(j->vc.a, "areas/%s/index.html", ar->id),
	     nb_view_area(&j->vc, ar));
	next_page(j);
	EMIT(j, s, "embed",
	     nb_arena_printf(j->vc.a, "embed/areas/%s/index.html", ar->id),
	     nb_view_embed(&j->vc, ar->name,
			   nb_arena_printf(j->vc.a, "areas/%s/", ar->id),
			   &ar->consultations, &dv->everywhere, &ar->events,
			   &dv->everywhere_events));
}

static void
page_area_feedback(job *j, size_t i)
{
	const nb_area *ar = j->vc.m->areas.items[i];

	next_page(j);
	EMIT(j, j->everything, "accountability",
	     nb_arena_printf(j->vc.a, "feedback/areas/%s/index.html", ar->id),
	     nb_view_area_feedback(&j->vc, ar));
}

typedef struct worker {
	job j;
	nb_diags d;
	page_fn fn;
	size_t from, to;
} worker;

static void *
work(void *arg)
{
	worker *w = arg;
	size_t i;

	for (i = w->from; i < w->to && !w->j.failed; i++)
		w->fn(&w->j, i);
	return NULL;
}

/* Pages 0..n-1 of one kind: the second half in a thread of its own, with
 * its own arenas, buffers and diagnostics, whose sitemap entries, manifest
 * lines and diagnostics are then added after the first half's, so that
 * everything comes out in the order of a build in one thread.  Templates
 * (cached under a lock) and the output (whose registry has a lock) are
 * shared; the model and the derived data are only read. */
static void
in_parallel(job *j, page_fn fn, size_t n)
{
	worker w;
	pthread_t t;
	size_t i, mid = n / 2;
	int threaded;

	if (j->failed)
		return;
	memset(&w, 0, sizeof(w));
	w.j = *j;
	w.j.d = &w.d;
	w.j.failed = 0;
	w.j.lastmod = j->vc.dv->today;
	w.j.vc.a = nb_arena_new();
	w.j.site_arena = nb_arena_new();
	memset(&w.j.buf, 0, sizeof(w.j.buf));
	memset(&w.j.manifest, 0, sizeof(w.j.manifest));
	w.j.map = NULL;
	w.j.map_len = w.j.map_cap = 0;
	w.j.feeds = NULL;
	w.j.feeds_len = w.j.feeds_cap = 0;
	memset(&w.j.seqs, 0, sizeof(w.j.seqs));
	w.fn = fn;
	w.from = mid;
	w.to = n;
	threaded = n >= 16 && pthread_create(&t, NULL, work, &w) == 0;
	if (!threaded)
		mid = n;   /* all in this thread */
	for (i = 0; i < mid && !j->failed; i++)
		fn(j, i);
	if (threaded) {
		pthread_join(t, NULL);
		if (w.j.failed)
			j->failed = 1;
		nb_buf_put(&j->manifest, w.j.manifest.ptr ? w.j.manifest.ptr : "",
			   w.j.manifest.len);
		for (i = 0; i < w.j.map_len; i++) {
			if (j->map_len == j->map_cap) {
				j->map_cap = j->map_cap ? j->map_cap * 2 : 256;
				j->map = nb_xrealloc(j->map, j->map_cap * sizeof(*j->map));
			}
			j->map[j->map_len].path = nb_arena_strdup(j->site_arena,
								  w.j.map[i].path);
			j->map[j->map_len].lastmod = w.j.map[i].lastmod;
			j->map_len++;
		}
		for (i = 0; i < w.d.len; i++) {
			const nb_diag *g = &w.d.items[i];
			nb_diag_add(j->d, g->sev, g->path, g->line, g->col, g->hint,
				    "%s", g->msg);
		}
	}
	nb_diags_free(&w.d);
	free(w.j.map);
	nb_buf_free(&w.j.buf);
	nb_buf_free(&w.j.manifest);
	nb_arena_free(w.j.vc.a);
	nb_arena_free(w.j.site_arena);
}

int
nb_render_site(const nb_model *m, const nb_derived *dv, const nb_source *src,
	       const nb_source *share, const nb_ical_seqs *old_seqs,
	       const nb_manifest *old, nb_out *o, nb_diags *d)
{
	static const char *kinds[] = { "topics", "audiences" };
	theme th;
	job j;
	nb_arena *site_arena = nb_arena_new();
	size_t i, k;
	int rc = -1;

	memset(&th, 0, sizeof(th));
	th.src = src;
	th.share = share;
	th.name = m->site.theme;
	/* templates and what loading them needs: used under the template
	 * set's lock once pages render in threads */
	th.a = nb_arena_new();
	th.set = nb_tmpl_set_new(th.a, load_template, &th);

	memset(&j, 0, sizeof(j));
	j.th = &th;
	j.o = o;
	j.d = d;
	j.vc.m = m;
	j.vc.dv = dv;
	j.vc.a = site_arena;
	j.vc.prefix = nb_view_prefix(site_arena, m->site.base_url);
	j.vc.site = nb_view_site(&j.vc);
	j.vc.a = nb_arena_new();
	j.site_arena = site_arena;
	j.lastmod = dv->today;
	j.old_seqs = old_seqs;
	j.old = old;
	j.global = nb_sig_global(m, dv, templates_sig(&th, d));
	j.everything = nb_sig_u64(j.global, nb_sig_all(m));
	nb_buf_puts(&j.manifest, "noticeboard-manifest 1\n");
	if (m->commit)
		nb_buf_printf(&j.manifest, "commit %s\n", m->commit);

	{
		nb_template *t;
		int lrc = nb_tmpl_get(&t, th.set, "base", d);
		if (lrc == 1)
			nb_error(d, "site.yaml", 0, 0,
				 "check `theme:` names a folder in themes/ that has layouts/base.mustache",
				 "the theme `%s` was not found", th.name);
		if (lrc != 0)
			goto done;
	}

	EMIT(&j, j.everything, "home", "index.html", nb_view_home(&j.vc));
	next_page(&j);
	EMIT(&j, j.everything, "404", "404.html", nb_view_not_found(&j.vc));
	next_page(&j);
	EMIT(&j, j.everything, "consultations", "consultations/index.html",
	     nb_view_consultations(&j.vc));
	in_parallel(&j, page_consultation, m->consultations.len);
	in_parallel(&j, page_event, m->events.len);
	next_page(&j);
	EMIT(&j, j.everything, "feedback", "feedback/index.html",
	     nb_view_feedback(&j.vc));
	in_parallel(&j, page_outcome, m->outcomes.len);
	next_page(&j);
	EMIT(&j, j.everything, "areas", "areas/index.html", nb_view_areas(&j.vc));
	in_parallel(&j, page_area, m->areas.len);
	next_page(&j);
	EMIT(&j, j.everything, "partners", "partners/index.html",
	     nb_view_partners(&j.vc));
	for (i = 0; i < m->partners.len && !j.failed; i++) {
		const nb_partner *p = m->partners.items[i];
		uint64_t s = nb_sig_events(nb_sig_consultations(j.global,
			&p->consultations), &p->events);
		next_page(&j);
		EMIT(&j, s, "partner",
		     nb_arena_printf(j.vc.a, "partners/%s/index.html", p->id),
		     nb_view_partner(&j.vc, p));
		next_page(&j);
		EMIT(&j, s, "embed",
		     nb_arena_printf(j.vc.a, "embed/partners/%s/index.html", p->id),
		     nb_view_embed(&j.vc, p->name,
				   nb_arena_printf(j.vc.a, "partners/%s/", p->id),
				   &p->consultations, NULL, &p->events, NULL));
	}
	for (k = 0; k < 2; k++) {
		const nb_vec *ts = k == 0 ? &m->topics : &m->audiences;
		next_page(&j);
		EMIT(&j, j.everything, "terms",
		     nb_arena_printf(j.vc.a, "%s/index.html", kinds[k]),
		     nb_view_terms(&j.vc, kinds[k]));
		for (i = 0; i < ts->len && !j.failed; i++) {
			const nb_term *t = ts->items[i];
			next_page(&j);
			EMIT(&j, nb_sig_events(nb_sig_consultations(j.global,
			     &t->consultations), &t->events), "term",
			     nb_arena_printf(j.vc.a, "%s/%s/index.html", kinds[k], t->id),
			     nb_view_term(&j.vc, kinds[k], t));
		}
	}
	next_page(&j);
	EMIT(&j, j.everything, "calendar", "calendar/index.html",
	     nb_view_calendar(&j.vc));
	{
		/* a month shows its items and links to the months around it */
		uint64_t months = nb_sig_u64(j.global, dv->months.len);
		for (i = 0; i < dv->months.len; i++) {
			const nb_month *mo = dv->months.items[i];
			months = nb_sig_u64(months, (uint64_t)(mo->year * 12 + mo->month));
		}
		for (i = 0; i < dv->months.len && !j.failed; i++) {
			const nb_month *mo = dv->months.items[i];
			uint64_t s = nb_sig_u64(months, i);
			size_t x;
			for (x = 0; x < mo->items.len; x++) {
				const nb_cal_item *it = mo->items.items[x];
				s = nb_sig_u64(s, it->kind);
				s = nb_sig_u64(s, it->event ? nb_sig_event(it->event) :
					       nb_sig_consultation(it->consultation));
				s = nb_sig_u64(s, it->event ?
					(uint64_t)nb_date_days(it->event->start.date) * 1440 +
					(uint64_t)(it->event->start.hour * 60 +
						   it->event->start.minute) : 0);
			}
			next_page(&j);
			EMIT(&j, s, "month",
			     nb_arena_printf(j.vc.a, "calendar/%04d/%02d/index.html",
					     mo->year, mo->month),
			     nb_view_month(&j.vc, i));
		}
	}
	for (i = 0; i < m->partners.len && !j.failed; i++) {
		const nb_partner *p = m->partners.items[i];
		next_page(&j);
		EMIT(&j, j.everything, "accountability",
		     nb_arena_printf(j.vc.a, "feedback/partners/%s/index.html", p->id),
		     nb_view_partner_feedback(&j.vc, p));
	}
	in_parallel(&j, page_area_feedback, m->areas.len);
	next_page(&j);
	EMIT(&j, j.everything, "reports", "reports/index.html",
	     nb_view_reports(&j.vc, dv->reports, dv->reports_len));
	for (i = 0; i < dv->reports_len && !j.failed; i++) {
		const nb_report *rp = &dv->reports[i];
		next_page(&j);
		EMIT(&j, j.everything, "report",
		     nb_arena_printf(j.vc.a, "reports/%d/index.html", rp->year),
		     nb_view_report(&j.vc, rp));
		emit_data(&j, rp);
	}
	for (i = 0; i < m->pages.len && !j.failed; i++) {
		const nb_page *p = m->pages.items[i];
		next_page(&j);
		EMIT(&j, nb_sig_u64(j.global, nb_sig_page(p)), "page",
		     nb_arena_printf(j.vc.a, "%s/index.html", p->id),
		     nb_view_content_page(&j.vc, p));
	}
	for (i = 0; i < m->redirects.len && !j.failed; i++) {
		const nb_redirect *rd = m->redirects.items[i];
		next_page(&j);
		emit_redirect(&j, rd);
	}
	long_lists(&j);
	all_feeds(&j);
	open_data(&j);
	next_page(&j);
	EMIT(&j, j.everything, "sitemap", "sitemap.xml",
	     nb_view_sitemap(&j.vc, j.map, j.map_len));
	next_page(&j);
	EMIT(&j, j.everything, "robots", "robots.txt",
	     nb_view_sitemap(&j.vc, NULL, 0));
	if (!j.failed && copy_all_static(&th, o, d) != 0)
		j.failed = 1;
	/* last: what the next build compares with */
	if (!j.failed && nb_out_write(o, NB_MANIFEST_PATH, j.manifest.ptr,
				      j.manifest.len, d) != 0)
		j.failed = 1;
	rc = j.failed ? -1 : 0;
done:
	free(j.map);
	free(j.feeds);
	nb_map_free(&j.seqs.by_uid);
	nb_buf_free(&j.buf);
	nb_buf_free(&j.manifest);
	nb_arena_free(j.vc.a);
	nb_tmpl_set_free(th.set);
	nb_arena_free(th.a);
	nb_arena_free(site_arena);
	return rc;
}
