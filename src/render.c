/*
 * render.c - which page goes at which URL, through which template.
 *
 * The list of pages is the site map of PRODUCT.md: every record keeps its
 * address for good (closed, past and cancelled records included).
 */
#include "render.h"
#include "data.h"
#include "report.h"
#include "mustache.h"
#include "view.h"

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
} job;

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
		nb_error(j->d, nb_arena_printf(j->th->a,
			 "themes/%s/layouts/%s.mustache", j->th->name, name),
			 0, 0, "every theme needs this template; copy it from themes/default",
			 "missing template `%s`", name);
		j->failed = 1;
		return;
	}
	nb_buf_clear(&j->buf);
	if (rc != 0 || nb_tmpl_render(&j->buf, j->th->set, t, ctx, j->d) != 0 ||
	    nb_out_write(j->o, rel, j->buf.ptr ? j->buf.ptr : "", j->buf.len,
			 j->d) != 0)
		j->failed = 1;
}

/* A year's figures as JSON and CSV beside its report page. */
static void
emit_data(job *j, const nb_report *rp)
{
	char rel[64];

	if (j->failed)
		return;
	nb_buf_clear(&j->buf);
	if (nb_data_report_json(&j->buf, rp) != 0) {
		nb_error(j->d, "reports", 0, 0, NULL,
			 "cannot write the %d report as JSON", rp->year);
		j->failed = 1;
		return;
	}
	snprintf(rel, sizeof(rel), "reports/%d/report.json", rp->year);
	if (nb_out_write(j->o, rel, j->buf.ptr, j->buf.len, j->d) != 0)
		j->failed = 1;
	nb_buf_clear(&j->buf);
	nb_data_report_csv(&j->buf, rp);
	snprintf(rel, sizeof(rel), "reports/%d/report.csv", rp->year);
	if (!j->failed &&
	    nb_out_write(j->o, rel, j->buf.ptr, j->buf.len, j->d) != 0)
		j->failed = 1;
}

/* A fresh arena for the next page's values. */
static void
next_page(job *j)
{
	nb_arena_free(j->vc.a);
	j->vc.a = nb_arena_new();
}

int
nb_render_site(const nb_model *m, const nb_derived *dv, const nb_source *src,
	       const nb_source *share, nb_out *o, nb_diags *d)
{
	theme th;
	job j;
	nb_arena *site_arena = nb_arena_new();
	size_t i;
	int rc = -1;

	memset(&th, 0, sizeof(th));
	th.src = src;
	th.share = share;
	th.name = m->site.theme;
	th.a = site_arena;
	th.set = nb_tmpl_set_new(site_arena, load_template, &th);

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

	emit(&j, "home", nb_view_home(&j.vc), "index.html");
	next_page(&j);
	emit(&j, "404", nb_view_not_found(&j.vc), "404.html");
	next_page(&j);
	emit(&j, "consultations", nb_view_consultations(&j.vc),
	     "consultations/index.html");
	for (i = 0; i < m->consultations.len && !j.failed; i++) {
		const nb_consultation *c = m->consultations.items[i];
		next_page(&j);
		emit(&j, "consultation", nb_view_consultation(&j.vc, c),
		     nb_arena_printf(j.vc.a, "consultations/%s/index.html", c->id));
	}
	for (i = 0; i < m->events.len && !j.failed; i++) {
		const nb_event *ev = m->events.items[i];
		next_page(&j);
		emit(&j, "event", nb_view_event(&j.vc, ev),
		     nb_arena_printf(j.vc.a, "events/%s/index.html", ev->id));
	}
	next_page(&j);
	emit(&j, "feedback", nb_view_feedback(&j.vc), "feedback/index.html");
	for (i = 0; i < m->outcomes.len && !j.failed; i++) {
		const nb_outcome *oc = m->outcomes.items[i];
		next_page(&j);
		emit(&j, "outcome", nb_view_outcome(&j.vc, oc),
		     nb_arena_printf(j.vc.a, "outcomes/%s/index.html", oc->id));
	}
	next_page(&j);
	emit(&j, "areas", nb_view_areas(&j.vc), "areas/index.html");
	for (i = 0; i < m->areas.len && !j.failed; i++) {
		const nb_area *ar = m->areas.items[i];
		next_page(&j);
		emit(&j, "area", nb_view_area(&j.vc, ar),
		     nb_arena_printf(j.vc.a, "areas/%s/index.html", ar->id));
	}
	next_page(&j);
	emit(&j, "partners", nb_view_partners(&j.vc), "partners/index.html");
	for (i = 0; i < m->partners.len && !j.failed; i++) {
		const nb_partner *p = m->partners.items[i];
		next_page(&j);
		emit(&j, "partner", nb_view_partner(&j.vc, p),
		     nb_arena_printf(j.vc.a, "partners/%s/index.html", p->id));
	}
	{
		static const char *kinds[] = { "topics", "audiences" };
		size_t k;
		for (k = 0; k < 2; k++) {
			const nb_vec *ts = k == 0 ? &m->topics : &m->audiences;
			next_page(&j);
			emit(&j, "terms", nb_view_terms(&j.vc, kinds[k]),
			     nb_arena_printf(j.vc.a, "%s/index.html", kinds[k]));
			for (i = 0; i < ts->len && !j.failed; i++) {
				const nb_term *t = ts->items[i];
				next_page(&j);
				emit(&j, "term", nb_view_term(&j.vc, kinds[k], t),
				     nb_arena_printf(j.vc.a, "%s/%s/index.html",
						     kinds[k], t->id));
			}
		}
	}
	next_page(&j);
	emit(&j, "calendar", nb_view_calendar(&j.vc), "calendar/index.html");
	for (i = 0; i < dv->months.len && !j.failed; i++) {
		const nb_month *mo = dv->months.items[i];
		next_page(&j);
		emit(&j, "month", nb_view_month(&j.vc, i),
		     nb_arena_printf(j.vc.a, "calendar/%04d/%02d/index.html",
				     mo->year, mo->month));
	}
	for (i = 0; i < m->partners.len && !j.failed; i++) {
		const nb_partner *p = m->partners.items[i];
		next_page(&j);
		emit(&j, "accountability", nb_view_partner_feedback(&j.vc, p),
		     nb_arena_printf(j.vc.a, "feedback/partners/%s/index.html",
				     p->id));
	}
	for (i = 0; i < m->areas.len && !j.failed; i++) {
		const nb_area *ar = m->areas.items[i];
		next_page(&j);
		emit(&j, "accountability", nb_view_area_feedback(&j.vc, ar),
		     nb_arena_printf(j.vc.a, "feedback/areas/%s/index.html",
				     ar->id));
	}
	next_page(&j);
	emit(&j, "reports", nb_view_reports(&j.vc, dv->reports, dv->reports_len),
	     "reports/index.html");
	for (i = 0; i < dv->reports_len && !j.failed; i++) {
		const nb_report *rp = &dv->reports[i];
		next_page(&j);
		emit(&j, "report", nb_view_report(&j.vc, rp),
		     nb_arena_printf(j.vc.a, "reports/%d/index.html", rp->year));
		emit_data(&j, rp);
	}
	for (i = 0; i < m->pages.len && !j.failed; i++) {
		const nb_page *p = m->pages.items[i];
		next_page(&j);
		emit(&j, "page", nb_view_content_page(&j.vc, p),
		     nb_arena_printf(j.vc.a, "%s/index.html", p->id));
	}
	if (!j.failed && copy_all_static(&th, o, d) != 0)
		j.failed = 1;
	rc = j.failed ? -1 : 0;
done:
	nb_buf_free(&j.buf);
	nb_arena_free(j.vc.a);
	nb_tmpl_set_free(th.set);
	nb_arena_free(site_arena);
	return rc;
}
