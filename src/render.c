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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

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

/* The site's brand.css (the site's static/ first, then the theme's), for
 * the pages made to stand alone in other sites' iframes (embeds) to carry
 * inline; NULL when there is none.  "</" is written "<\\/", the same in
 * CSS, so that nothing in it can end the <style> element.  A file that
 * cannot be read is left to copy_all_static() to report. */
static const char *
brand_css(theme *th)
{
	const nb_source *srcs[3] = { th->src, th->src, th->share };
	const char *rels[3];
	size_t i;

	rels[0] = "static/brand.css";
	rels[1] = nb_arena_printf(th->a, "themes/%s/static/brand.css", th->name);
	rels[2] = rels[1];
	for (i = 0; i < 3; i++) {
		nb_diags quiet;
		nb_buf b = NB_BUF_INIT;
		char *data, *out;
		size_t n, k;
		int rc;

		if (!srcs[i])
			continue;
		memset(&quiet, 0, sizeof(quiet));
		rc = nb_source_read(srcs[i], rels[i], &data, &n, &quiet);
		nb_diags_free(&quiet);
		if (rc < 0)
			return NULL;
		if (rc == 1)
			continue;
		for (k = 0; k < n; k++) {
			nb_buf_putc(&b, data[k]);
			if (data[k] == '<' && k + 1 < n && data[k + 1] == '/')
				nb_buf_putc(&b, '\\');
		}
		out = nb_arena_strndup(th->a, b.ptr ? b.ptr : "", b.len);
		nb_buf_free(&b);
		free(data);
		return out;
	}
	return NULL;
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
	nb_ical_items *items;        /* the feeds' items, made once */
	/* the feed of everything's items (nb_render_site works them out
	 * for the items; its task takes them as they are) and its signature */
	const nb_vec *all_cs, *all_evs;
	uint64_t all_sig;
	/* incremental builds */
	uint64_t global;             /* what every page shows */
	uint64_t everything;         /* global and every record */
	uint64_t months;             /* every month there is */
	int brief_month;             /* its template names no summary */
	int brief_calendar;          /* nor the calendar's */
	uint64_t sig;                /* of the output being made */
	/* each area's, partner's, topic's and audience's activities as
	 * their pages show them: worked out once, when planned */
	nb_listing *area_lists, *partner_lists, *term_lists[2];
	nb_buf manifest;             /* this build's signatures */
	size_t data_reused;          /* open data records copied (data.h) */
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
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(rel);
	char line[17];
	int k;

	/* "%016llx %s\n", without printf: a line for each of the site's
	 * outputs, every build */
	for (k = 0; k < 16; k++)
		line[k] = hex[(j->sig >> (60 - 4 * k)) & 15];
	line[16] = ' ';
	nb_buf_grow(&j->manifest, 17 + n + 1);
	nb_buf_put(&j->manifest, line, 17);
	nb_buf_put(&j->manifest, rel, n);
	nb_buf_putc(&j->manifest, '\n');
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
taken(job *j, const char *rel)
{
	return !j->failed && nb_out_take(j->o, rel, j->sig) == 0;
}

static int
reuse(job *j, const char *rel)
{
	if (!taken(j, rel))
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

/* A large output (open data, calendar feeds of thousands of items) goes
 * out in pieces as it is made, not whole in memory: stream_open, then
 * stream_flush whenever its buffer has grown, then stream_close with what
 * is left. */
typedef struct stream {
	job *j;
	const char *rel;
	int fd;                      /* -1: not open */
	size_t len;                  /* bytes written so far */
} stream;

static int
stream_open(job *j, stream *s, const char *rel)
{
	s->j = j;
	s->rel = rel;
	s->len = 0;
	s->fd = nb_out_open(j->o, rel, j->d);
	if (s->fd < 0)
		j->failed = 1;
	return s->fd < 0 ? -1 : 0;
}

static int
stream_flush(void *ud, nb_buf *b)
{
	stream *s = ud;

	if (nb_out_put(s->fd, s->rel, b->ptr, b->len, s->j->d) != 0)
		return -1;
	s->len += b->len;
	nb_buf_clear(b);
	return 0;
}

/* Write what is left in b and close; or, when the job has failed, just
 * close (the staging folder is thrown away). */
static void
stream_close(stream *s, nb_buf *b)
{
	job *j = s->j;

	if (s->fd < 0)
		return;
	if (!j->failed && b->len && stream_flush(s, b) != 0)
		j->failed = 1;
	if (j->failed)
		close(s->fd);
	else if (nb_out_close(j->o, s->rel, s->fd, s->len, j->d) != 0)
		j->failed = 1;
	else
		done_output(j, s->rel);
	s->fd = -1;
}

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

/* ---- sitemaps ---------------------------------------------------------------- */

static size_t sitemap_max = NB_SITEMAP_MAX;

void
nb_render_sitemap_max(size_t n)
{
	sitemap_max = n ? n : NB_SITEMAP_MAX;
}

/* What a sitemap of these entries says: their addresses and dates. */
static uint64_t
sitemap_sig(uint64_t h, const nb_sitemap_entry *e, size_t n)
{
	size_t i;

	h = nb_sig_u64(h, n);
	for (i = 0; i < n; i++) {
		h = nb_sig(h, e[i].path, strlen(e[i].path) + 1);
		h = nb_sig_u64(h, (uint64_t)nb_date_days(e[i].lastmod));
	}
	return h;
}

/* sitemap.xml, from the theme's sitemap template; past sitemap_max
 * addresses, sitemap-N.xml files of that many and sitemap.xml an index of
 * them (written here: it says nothing a theme would change). */
static void
sitemaps(job *j)
{
	size_t n = j->map_len, parts = (n + sitemap_max - 1) / sitemap_max, k;
	const nb_sitemap_entry *map = j->map;
	uint64_t index_sig;

	next_page(j);
	if (parts <= 1) {
		EMIT(j, sitemap_sig(j->global, map, n), "sitemap",
		     "sitemap.xml", nb_view_sitemap(&j->vc, map, n));
		return;
	}
	/* done_output() adds to j->map: only pages, never these */
	index_sig = nb_sig_u64(j->global, parts);
	for (k = 0; k < parts; k++) {
		size_t from = k * sitemap_max;
		size_t len = n - from < sitemap_max ? n - from : sitemap_max;
		uint64_t s = sitemap_sig(j->global, map + from, len);
		index_sig = nb_sig_u64(index_sig, s);
		next_page(j);
		EMIT(j, s, "sitemap", nb_arena_printf(j->vc.a, "sitemap-%zu.xml",
						       k + 1),
		     nb_view_sitemap(&j->vc, map + from, len));
	}
	j->sig = index_sig;
	if (j->failed || reuse(j, "sitemap.xml"))
		return;
	nb_buf_clear(&j->buf);
	nb_buf_puts(&j->buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (k = 0; k < parts; k++) {
		size_t from = k * sitemap_max, i;
		size_t len = n - from < sitemap_max ? n - from : sitemap_max;
		const char *loc = nb_view_abs_url(&j->vc, nb_arena_printf(j->vc.a,
					"sitemap-%zu.xml", k + 1));
		nb_date last = map[from].lastmod;
		for (i = from + 1; i < from + len; i++)
			if (nb_date_cmp(map[i].lastmod, last) > 0)
				last = map[i].lastmod;
		nb_buf_puts(&j->buf, "<sitemap><loc>");
		nb_buf_put_html(&j->buf, loc, strlen(loc));
		nb_buf_printf(&j->buf, "</loc><lastmod>%04d-%02d-%02d</lastmod></sitemap>\n",
			      last.year, last.month, last.day);
	}
	nb_buf_puts(&j->buf, "</sitemapindex>\n");
	write_buf(j, "sitemap.xml");
}

/* ---- feeds ------------------------------------------------------------------- */

/* Whether a calendar feed holds a consultation, an event (a master): all
 * that is to come, and what ended in the last calendar_past_days. */
static nb_date
feed_cutoff(const job *j)
{
	return nb_date_add_days(j->vc.dv->today,
				-j->vc.m->site.calendar_past_days);
}

static void
window(nb_arena *a, const nb_vec *cs, const nb_vec *evs, nb_date cutoff,
       nb_vec *cs_out, nb_vec *evs_out)
{
	size_t i;

	for (i = 0; i < cs->len; i++) {
		const nb_consultation *c = cs->items[i];
		if (nb_date_cmp(c->closes, cutoff) >= 0)
			nb_vec_push(a, cs_out, cs->items[i]);
	}
	for (i = 0; i < evs->len; i++) {
		const nb_event *ev = evs->items[i];
		if (ev->rrule || nb_date_cmp(ev->end.date, cutoff) >= 0)
			nb_vec_push(a, evs_out, evs->items[i]);
	}
}

/* The records a list has taken: a set of pointers (open addressing, in
 * the page's arena), since every feed's lists are made afresh and the
 * site's holds thousands. */
typedef struct ptrset {
	const void **slots;
	size_t mask;
} ptrset;

static void
ptrset_init(ptrset *s, nb_arena *a, size_t most)
{
	size_t cap = 16;

	while (cap < 2 * most)
		cap *= 2;
	s->slots = nb_arena_alloc(a, cap * sizeof(*s->slots));
	s->mask = cap - 1;
}

/* 1 when p was not in the set (and is now). */
static int
ptrset_add(ptrset *s, const void *p)
{
	size_t i = (size_t)(((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ULL >> 20) &
		   s->mask;

	while (s->slots[i]) {
		if (s->slots[i] == p)
			return 0;
		i = (i + 1) & s->mask;
	}
	s->slots[i] = p;
	return 1;
}

/* The masters of a list of events (an occurrence stands for its repeating
 * event), each once, in order. */
static void
masters(nb_arena *a, const nb_vec *evs, const nb_vec *extra, nb_vec *out)
{
	const nb_vec *lists[2] = { evs, extra };
	ptrset seen;
	size_t k, i;

	ptrset_init(&seen, a, (evs ? evs->len : 0) + (extra ? extra->len : 0));
	for (k = 0; k < 2; k++) {
		for (i = 0; lists[k] && i < lists[k]->len; i++) {
			nb_event *ev = lists[k]->items[i];
			if (ev->occurrence_of)
				ev = ev->occurrence_of;
			if (ptrset_add(&seen, ev))
				nb_vec_push(a, out, ev);
		}
	}
}

/* The consultations of cs and extra, once each. */
static void
unique(nb_arena *a, const nb_vec *cs, const nb_vec *extra, nb_vec *out)
{
	const nb_vec *lists[2] = { cs, extra };
	ptrset seen;
	size_t k, i;

	ptrset_init(&seen, a, (cs ? cs->len : 0) + (extra ? extra->len : 0));
	for (k = 0; k < 2; k++)
		for (i = 0; lists[k] && i < lists[k]->len; i++)
			if (ptrset_add(&seen, lists[k]->items[i]))
				nb_vec_push(a, out, lists[k]->items[i]);
}

/* A fresh arena for the next page's values. */
static void
next_page(job *j)
{
	nb_arena_reset(j->vc.a);
}

/* ---- the plan: every output, as tasks ----------------------------------------
 *
 * The site is rendered as a list of tasks, each writing one or a few
 * outputs, worked through by as many threads as there are cores.  Each
 * thread has its own arenas, buffer, manifest, sitemap list and
 * diagnostics; the model, the derived data, the site view and the plan are
 * only read.  Templates are cached under a lock (mustache.c), the output
 * registry has a lock (write.c), and libical is only called under a lock
 * (ical.c).  Afterwards each task's sitemap entries and diagnostics are
 * put together, and its manifest lines written, in the order of the
 * list, so the output is the same, byte for byte, whatever the number of
 * threads.
 */
typedef void (*task_fn)(job *j, const void *arg, size_t i);

typedef struct task {
	task_fn fn;
	const void *arg;
	size_t i;
} task;

/* What one task added to its thread's job. */
typedef struct span {
	unsigned worker;
	int ran;
	size_t man_from, man_to, map_from, map_to, diag_from, diag_to;
} span;

/* The manifest as the threads left it: the lines made before and after
 * the tasks ran (j->manifest, split where the tasks' go), and each task's
 * lines where its thread wrote them, in the order of the plan.  Written
 * from there (nb_out_writev), not copied into one buffer first: at
 * 10,000 consultations that copy was 3.4 MB of new memory every build. */
typedef struct man_piece {
	unsigned worker;
	size_t from, to;
} man_piece;

typedef struct man_parts {
	size_t split;                /* j->manifest's bytes before the tasks' */
	nb_buf *bufs;                /* each thread's lines */
	unsigned nbufs;
	man_piece *v;
	size_t n;
} man_parts;

/* A calendar feed (and perhaps its news feed), as planned. */
typedef struct feed_plan {
	const char *label, *ics, *atom, *page, *description;
	const nb_vec *cs, *extra_cs, *evs, *extra_evs;
	int everything;              /* the site's: its items are j->all_* */
} feed_plan;

typedef struct plan {
	task *t;
	size_t len, cap;
	nb_feed_link *feeds;         /* for /subscribe/ */
	size_t feeds_len, feeds_cap;
} plan;

static void
add(plan *p, task_fn fn, const void *arg, size_t i)
{
	if (p->len == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 1024;
		p->t = nb_xrealloc(p->t, p->cap * sizeof(*p->t));
	}
	p->t[p->len].fn = fn;
	p->t[p->len].arg = arg;
	p->t[p->len].i = i;
	p->len++;
}

/* ---- feeds ------------------------------------------------------------------- */

static void
task_feed(job *j, const void *arg, size_t i)
{
	const feed_plan *fp = arg;
	nb_arena *a = j->vc.a;
	nb_vec c = { NULL, 0, 0 }, e = { NULL, 0, 0 };
	nb_vec wc = { NULL, 0, 0 }, we = { NULL, 0, 0 };
	nb_ical_feed f;

	(void)i;
	next_page(j);
	if (fp->everything && !fp->atom) {
		/* every record, windowed: worked out once already */
		wc = *j->all_cs;
		we = *j->all_evs;
		j->sig = j->all_sig;
	} else {
		unique(a, fp->cs, fp->extra_cs, &c);
		masters(a, fp->evs, fp->extra_evs, &e);
		window(a, &c, &e, feed_cutoff(j), &wc, &we);
		j->sig = nb_sig_events(nb_sig_consultations(j->global, &wc),
				       &we);
	}
	if (!reuse(j, fp->ics) && !j->failed) {
		stream s;
		f.name = nb_arena_printf(a, "%s: %s", fp->label, j->vc.m->site.title);
		f.description = fp->description;
		f.events = &we;
		f.consultations = &wc;
		f.flush = stream_flush;
		f.ud = &s;
		nb_buf_clear(&j->buf);
		if (stream_open(j, &s, fp->ics) != 0)
			return;
		if (nb_ical_write(&j->buf, j->items, &f, j->d) != 0)
			j->failed = 1;
		stream_close(&s, &j->buf);
		if (j->failed)
			return;
	}
	j->sig = nb_sig_events(nb_sig_consultations(j->global, &c), &e);
	if (fp->atom && !reuse(j, fp->atom)) {
		nb_vec outs = { NULL, 0, 0 };
		for (i = 0; i < c.len; i++) {
			nb_consultation *k = c.items[i];
			if (k->outcome)
				nb_vec_push(a, &outs, k->outcome);
		}
		emit(j, "feed-atom", nb_view_atom(&j->vc, fp->label, fp->atom,
			fp->page, &c, &outs), fp->atom);
	}
}

static void
task_items(job *j, const void *arg, size_t chunk)
{
	(void)arg;
	nb_ical_items_make(j->items, chunk);
}

static void
plan_feed(job *j, plan *p, const char *label, const char *group,
	  const char *ics, const char *atom, const char *page,
	  const nb_vec *cs, const nb_vec *extra_cs, const nb_vec *evs,
	  const nb_vec *extra_evs, const char *description)
{
	feed_plan *fp = nb_arena_alloc(j->site_arena, sizeof(*fp));

	fp->label = label;
	fp->ics = ics;
	fp->atom = atom;
	fp->page = page;
	fp->description = description;
	fp->cs = cs;
	fp->extra_cs = extra_cs;
	fp->evs = evs;
	fp->extra_evs = extra_evs;
	fp->everything = 0;
	add(p, task_feed, fp, 0);
	if (p->feeds_len == p->feeds_cap) {
		p->feeds_cap = p->feeds_cap ? p->feeds_cap * 2 : 64;
		p->feeds = nb_xrealloc(p->feeds, p->feeds_cap * sizeof(*p->feeds));
	}
	p->feeds[p->feeds_len].label = label;
	p->feeds[p->feeds_len].group = group;
	p->feeds[p->feeds_len].ics_path = ics;
	p->feeds[p->feeds_len].atom_path = atom;
	p->feeds_len++;
}

static void
task_atom(job *j, const void *arg, size_t outcomes)
{
	(void)arg;
	next_page(j);
	if (!outcomes)
		EMIT(j, j->everything, "feed-atom", "feeds/consultations.atom",
		     nb_view_atom(&j->vc, "New and changed activities",
		     "feeds/consultations.atom", "consultations/",
		     &j->vc.m->consultations, NULL));
	else
		EMIT(j, j->everything, "feed-atom", "feeds/outcomes.atom",
		     nb_view_atom(&j->vc, "Published outcomes",
		     "feeds/outcomes.atom", "feedback/", NULL,
		     &j->vc.dv->outcomes));
}

static void
plan_feeds(job *j, plan *p)
{
	const nb_model *m = j->vc.m;
	const nb_derived *dv = j->vc.dv;
	nb_arena *a = j->site_arena;
	static const nb_vec none = { NULL, 0, 0 };
	size_t i;

	plan_feed(j, p, "Everything", "site", "calendar.ics", NULL, "calendar/",
		  &m->consultations, NULL, &m->all_events, NULL,
		  "Every consultation, meeting and event by every partner.");
	/* its items: every consultation (each once) and every event's
	 * master, windowed, as nb_render_site found them */
	((feed_plan *)p->t[p->len - 1].arg)->everything = 1;
	add(p, task_atom, NULL, 0);
	add(p, task_atom, NULL, 1);
	for (i = 0; i < m->areas.len; i++) {
		const nb_area *ar = m->areas.items[i];
		plan_feed(j, p, ar->name, "areas",
			  nb_arena_printf(a, "feeds/areas/%s.ics", ar->id),
			  nb_arena_printf(a, "feeds/areas/%s.atom", ar->id),
			  nb_arena_printf(a, "areas/%s/", ar->id),
			  &ar->consultations, &dv->everywhere, &ar->events,
			  &dv->everywhere_events, NULL);
	}
	for (i = 0; i < m->partners.len; i++) {
		const nb_partner *pa = m->partners.items[i];
		plan_feed(j, p, pa->name, "partners",
			  nb_arena_printf(a, "feeds/partners/%s.ics", pa->id),
			  nb_arena_printf(a, "feeds/partners/%s.atom", pa->id),
			  nb_arena_printf(a, "partners/%s/", pa->id),
			  &pa->consultations, &none, &pa->events, &none, NULL);
	}
	for (i = 0; i < m->topics.len; i++) {
		const nb_term *t = m->topics.items[i];
		plan_feed(j, p, t->label, "topics",
			  nb_arena_printf(a, "feeds/topics/%s.ics", t->id), NULL,
			  nb_arena_printf(a, "topics/%s/", t->id),
			  &t->consultations, &none, &t->events, &none, NULL);
	}
}

/* ---- long lists ------------------------------------------------------------- */

/* One page of a long list. */
static void
task_list_page(job *j, const void *arg, size_t p)
{
	const nb_list_page *lp = arg;
	size_t pages = nb_view_pages(lp->items->len), i;
	size_t first = (p - 1) * NB_VIEW_PER_PAGE;
	/* a page depends on its own items and on how many there are */
	uint64_t s = nb_sig_u64(j->global, lp->items->len);

	for (i = first; i < lp->items->len && i < first + NB_VIEW_PER_PAGE; i++)
		s = nb_sig_u64(s, lp->kind == NB_LIST_OUTCOMES ?
			nb_sig_outcome(lp->items->items[i]) :
			lp->kind == NB_LIST_EVENTS ?
			nb_sig_event(lp->items->items[i]) :
			nb_sig_consultation(lp->items->items[i]));
	next_page(j);
	EMIT(j, s, "list",
	     p == 1 ? nb_arena_printf(j->vc.a, "%sindex.html", lp->path) :
	     nb_arena_printf(j->vc.a, "%spage/%zu/index.html", lp->path, p),
	     nb_view_list_page(&j->vc, lp, p, pages));
}

static void
plan_list(job *j, plan *p, const nb_list_page *lp)
{
	nb_list_page *copy = nb_arena_alloc(j->site_arena, sizeof(*copy));
	size_t pages = nb_view_pages(lp->items->len), i;

	*copy = *lp;
	for (i = 1; i <= pages; i++)
		add(p, task_list_page, copy, i);
}

/* A listing's open and coming up activities, and its upcoming events,
 * on pages of their own when its page shows only the first of them:
 * BASE open/, coming-up/ and events/. */
static void
plan_current(job *j, plan *p, const nb_listing *l, const char *name,
	     const char *section, const char *base)
{
	nb_arena *a = j->site_arena;
	nb_list_page lp;
	int coming;

	memset(&lp, 0, sizeof(lp));
	for (coming = 0; coming < 2; coming++) {
		const nb_vec *v = coming ? &l->coming : &l->open;
		if (v->len <= NB_VIEW_CURRENT_SHOWN)
			continue;
		lp.title = nb_arena_printf(a, coming ? "Coming up: %s" :
					   "Open now: %s", name);
		lp.section = section;
		lp.path = nb_arena_printf(a, "%s%s", base,
					  coming ? "coming-up/" : "open/");
		lp.intro = coming ? "Activities that have not opened yet, soonest first." :
			"Activities you can take part in now, closing soonest first.";
		lp.parent_label = name;
		lp.parent_path = base;
		lp.items = v;
		plan_list(j, p, &lp);
	}
	if (l->events.len <= NB_VIEW_CURRENT_SHOWN)
		return;
	lp.title = nb_arena_printf(a, "Events: %s", name);
	lp.section = section;
	lp.path = nb_arena_printf(a, "%sevents/", base);
	lp.intro = "Events that have not finished yet, soonest first.";
	lp.parent_label = name;
	lp.parent_path = base;
	lp.items = &l->events;
	lp.kind = NB_LIST_EVENTS;
	plan_list(j, p, &lp);
}

/* The past activities of everything, and of each area, partner, topic
 * and audience; every outcome. */
static void
plan_long_lists(job *j, plan *p)
{
	const nb_model *m = j->vc.m;
	const nb_derived *dv = j->vc.dv;
	nb_arena *a = j->site_arena;
	static const char *kinds[] = { "topics", "audiences" };
	nb_list_page lp;
	nb_vec *past;
	size_t i, k;

	memset(&lp, 0, sizeof(lp));
	past = nb_arena_alloc(a, sizeof(*past));
	nb_view_past(a, &m->consultations, NULL, past);
	lp.title = "Past consultations and activities";
	lp.section = "consultations";
	lp.path = "consultations/past/";
	lp.intro = "Every activity that has closed or was cancelled, newest first, with what happened next.";
	lp.parent_label = "Consultations";
	lp.parent_path = "consultations/";
	lp.items = past;
	plan_list(j, p, &lp);

	lp.title = "Every outcome";
	lp.section = "feedback";
	lp.path = "outcomes/";
	lp.intro = "What happened after each consultation, newest first.";
	lp.parent_label = "You said, we did";
	lp.parent_path = "feedback/";
	lp.items = &dv->outcomes;
	lp.kind = NB_LIST_OUTCOMES;
	plan_list(j, p, &lp);
	lp.kind = NB_LIST_CONSULTATIONS;

	lp.title = "Feedback overdue";
	lp.path = "feedback/overdue/";
	lp.intro = "Activities that have closed where the date we promised to publish the outcome has passed.";
	lp.items = &dv->by_status[NB_STATUS_OVERDUE];
	plan_list(j, p, &lp);
	lp.title = "Closed: feedback on its way";
	lp.path = "feedback/awaiting/";
	lp.intro = "Activities that have closed whose outcome is not published yet and not overdue.";
	lp.items = &dv->by_status[NB_STATUS_CLOSED];
	plan_list(j, p, &lp);
	lp.intro = NULL;

	j->area_lists = nb_arena_alloc(a, (m->areas.len + 1) *
				       sizeof(nb_listing));
	for (i = 0; i < m->areas.len; i++) {
		const nb_area *ar = m->areas.items[i];
		nb_listing *l = &j->area_lists[i];
		nb_view_listing(a, &ar->consultations, &dv->everywhere,
				&ar->events, &dv->everywhere_events, dv->today, l);
		lp.title = nb_arena_printf(a, "Past activities in %s", ar->name);
		lp.section = "areas";
		lp.path = nb_arena_printf(a, "areas/%s/past/", ar->id);
		lp.parent_label = ar->name;
		lp.parent_path = nb_arena_printf(a, "areas/%s/", ar->id);
		lp.items = &l->past;
		plan_list(j, p, &lp);
		plan_current(j, p, l, ar->name, "areas", lp.parent_path);
	}
	/* an area's outcomes, where its page shows only the latest */
	lp.kind = NB_LIST_OUTCOMES;
	for (i = 0; i < m->areas.len; i++) {
		const nb_area *ar = m->areas.items[i];
		if (ar->outcomes.len <= NB_VIEW_PAST_SHOWN)
			continue;
		lp.title = nb_arena_printf(a, "You said, we did in %s", ar->name);
		lp.section = "areas";
		lp.path = nb_arena_printf(a, "areas/%s/outcomes/", ar->id);
		lp.intro = "What happened after each consultation here, newest first.";
		lp.parent_label = ar->name;
		lp.parent_path = nb_arena_printf(a, "areas/%s/", ar->id);
		lp.items = &ar->outcomes;
		plan_list(j, p, &lp);
	}
	lp.kind = NB_LIST_CONSULTATIONS;
	lp.intro = NULL;
	j->partner_lists = nb_arena_alloc(a, (m->partners.len + 1) *
					  sizeof(nb_listing));
	for (i = 0; i < m->partners.len; i++) {
		const nb_partner *pa = m->partners.items[i];
		nb_listing *l = &j->partner_lists[i];
		nb_view_listing(a, &pa->consultations, NULL, &pa->events, NULL,
				dv->today, l);
		lp.title = nb_arena_printf(a, "Past activities: %s", pa->name);
		lp.section = "partners";
		lp.path = nb_arena_printf(a, "partners/%s/past/", pa->id);
		lp.parent_label = pa->name;
		lp.parent_path = nb_arena_printf(a, "partners/%s/", pa->id);
		lp.items = &l->past;
		plan_list(j, p, &lp);
		plan_current(j, p, l, pa->name, "partners", lp.parent_path);
	}
	for (k = 0; k < 2; k++) {
		const nb_vec *ts = k == 0 ? &m->topics : &m->audiences;
		j->term_lists[k] = nb_arena_alloc(a, (ts->len + 1) *
						  sizeof(nb_listing));
		for (i = 0; i < ts->len; i++) {
			const nb_term *t = ts->items[i];
			nb_listing *l = &j->term_lists[k][i];
			nb_view_listing(a, &t->consultations, NULL, &t->events,
					NULL, dv->today, l);
			lp.title = nb_arena_printf(a, "Past activities: %s", t->label);
			lp.section = "consultations";
			lp.path = nb_arena_printf(a, "%s/%s/past/", kinds[k], t->id);
			lp.parent_label = t->label;
			lp.parent_path = nb_arena_printf(a, "%s/%s/", kinds[k], t->id);
			lp.items = &l->past;
			plan_list(j, p, &lp);
			plan_current(j, p, l, t->label, "consultations",
				     lp.parent_path);
		}
	}
}

/* ---- open data and reports --------------------------------------------------- */

/* Where a collection's JSON and CSV go, and the last build's files that
 * unchanged records are copied from. */
typedef struct data_sink {
	stream f[2];                 /* JSON, CSV */
	int old_fd[2];               /* the last build's, or -1 */
	const char *old_map[2];      /* the same, mapped */
} data_sink;

static int
data_flush(void *ud, nb_buf *b, int csv)
{
	return stream_flush(&((data_sink *)ud)->f[csv], b);
}

/* len bytes at off of the last build's file, to the end of the new one:
 * in the kernel when it can (copy_file_range), else from the mapping. */
static int
data_copy(void *ud, int csv, uint64_t off, size_t len)
{
	data_sink *k = ud;
	stream *s = &k->f[csv];
	size_t left = len;

#ifdef SYS_copy_file_range
	if (k->old_fd[csv] >= 0) {
		loff_t o = (loff_t)off;
		while (left) {
			long w = syscall(SYS_copy_file_range, k->old_fd[csv], &o,
					 s->fd, NULL, left, 0u);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;   /* not here: the rest from the mapping */
			left -= (size_t)w;
		}
		off = (uint64_t)o;
	}
#endif
	if (left && nb_out_put(s->fd, s->rel, k->old_map[csv] + off, left,
			       s->j->d) != 0)
		return -1;
	s->len += len;
	return 0;
}

/* Whether there is a last build to take from: not a first build, nor one
 * with --full (which reads no manifest). */
static int
last_build(const job *j)
{
	return nb_out_last_outputs(j->o) > 0;
}

/* A file of the last build (in the copy being updated, or the site being
 * replaced), mapped; *len 0 and NULL when there is none. */
static const char *
map_old(job *j, const char *rel, size_t *len, int *fd_out)
{
	const char *base = nb_out_base(j->o);
	size_t n = strlen(base) + strlen(rel) + 2;
	char *path = nb_xmalloc(n);
	struct stat st;
	void *p = NULL;
	int fd;

	*len = 0;
	if (fd_out)
		*fd_out = -1;
	snprintf(path, n, "%s/%s", base, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			p = NULL;
		else
			*len = (size_t)st.st_size;
	}
	if (p && fd_out)
		*fd_out = fd;   /* kept open for copy_file_range */
	else
		close(fd);
	return p;
}

/* A collection's JSON and CSV, made in one pass (data.c); records that
 * have not changed since the last build are copied from its files, where
 * its .noticeboard/data/NAME.pieces says they are. */
static void
task_data(job *j, const void *arg, size_t k)
{
	data_sink sink = { { { j, NULL, -1, 0 }, { j, NULL, -1, 0 } },
			   { -1, -1 }, { NULL, NULL } };
	stream *f = sink.f;
	nb_buf bufs[2] = { NB_BUF_INIT, NB_BUF_INIT }, index = NB_BUF_INIT;
	nb_data_out out;
	nb_data_pieces old;
	const char *name = nb_data_name((nb_data_kind)k);
	char rel[3][80];
	int i, kept[2] = { 0, 0 };

	(void)arg;
	memset(&out, 0, sizeof(out));
	memset(&old, 0, sizeof(old));
	out.flush = data_flush;
	out.copy = data_copy;
	out.ud = &sink;
	out.global = j->global;
	j->sig = nb_data_sig((nb_data_kind)k, j->vc.m, j->global);
	snprintf(rel[0], sizeof(rel[0]), "data/%s.json", name);
	snprintf(rel[1], sizeof(rel[1]), "data/%s.csv", name);
	snprintf(rel[2], sizeof(rel[2]), ".noticeboard/data/%s.pieces", name);
	if (!j->failed && last_build(j)) {
		/* mapped before the new files replace them */
		old.json = map_old(j, rel[0], &old.json_len, &sink.old_fd[0]);
		old.csv = map_old(j, rel[1], &old.csv_len, &sink.old_fd[1]);
		old.index = map_old(j, rel[2], &old.index_len, NULL);
		sink.old_map[0] = old.json;
		sink.old_map[1] = old.csv;
	}
	/* taken as they are when nothing they say changed, and their index
	 * is theirs (it goes with them) */
	for (i = 0; i < 2 && !j->failed; i++)
		kept[i] = nb_data_pieces_sound(&old) && taken(j, rel[i]);
	if (!j->failed && !(kept[0] && kept[1]) && last_build(j))
		out.old = &old;
	for (i = 0; i < 2 && !j->failed; i++)
		if (!kept[i] && stream_open(j, &f[i], rel[i]) == 0)
			*(i ? &out.csv : &out.json) = &bufs[i];
	if (out.json && out.csv)
		out.index = &index;
	if (!j->failed && (out.json || out.csv) &&
	    nb_data_write(&out, (nb_data_kind)k, j->vc.m, j->vc.prefix) != 0) {
		nb_error(j->d, rel[out.json ? 0 : 1], 0, 0, NULL,
			 "cannot write the %s open data", name);
		j->failed = 1;
	}
	/* in order: the manifest lists the .json before the .csv */
	for (i = 0; i < 2; i++) {
		if (kept[i] && !j->failed)
			done_output(j, rel[i]);
		stream_close(&f[i], &bufs[i]);
		nb_buf_free(&bufs[i]);
	}
	/* the index goes with the files it describes: kept with them, made
	 * with them, or (one kept, one made) left out */
	if (!j->failed && kept[0] && kept[1])
		(void)nb_out_reuse(j->o, rel[2]);
	else if (!j->failed && out.index &&
		 nb_out_write(j->o, rel[2], index.ptr, index.len, j->d) != 0)
		j->failed = 1;
	nb_buf_free(&index);
	if (old.json)
		munmap((void *)old.json, old.json_len);
	if (old.csv)
		munmap((void *)old.csv, old.csv_len);
	if (old.index)
		munmap((void *)old.index, old.index_len);
	for (i = 0; i < 2; i++)
		if (sink.old_fd[i] >= 0)
			close(sink.old_fd[i]);
	j->data_reused += out.reused;
}

/* Each collection's schema, from the site or the installed share folder
 * (in one thread: sources are read one at a time). */
static void
data_schemas(job *j)
{
	const nb_source *srcs[3] = { j->th->src, j->th->share, NULL };
	size_t k;

	for (k = 0; k < NB_DATA_COUNT && !j->failed; k++) {
		const char *name = nb_data_name((nb_data_kind)k);
		for (size_t s = 0; srcs[s] && !j->failed; s++) {
			char path[128], rel[128], *text;
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

/* A year's report page, and its figures as JSON and CSV beside it. */
static void
task_report(job *j, const void *arg, size_t i)
{
	const nb_report *rp = &j->vc.dv->reports[i];
	uint64_t s = nb_report_sig(j->global, rp);
	char rel[64];

	(void)arg;
	next_page(j);
	EMIT(j, s, "report",
	     nb_arena_printf(j->vc.a, "reports/%d/index.html", rp->year),
	     nb_view_report(&j->vc, rp));
	if (j->failed)
		return;
	j->sig = s;
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

/* ---- pages ------------------------------------------------------------------- */

/* The pages with one address each: which one is i. */
enum { ONE_HOME, ONE_404, ONE_CONSULTATIONS, ONE_FEEDBACK, ONE_AREAS,
       ONE_PARTNERS, ONE_TOPICS, ONE_AUDIENCES, ONE_CALENDAR, ONE_REPORTS };

static void
task_one(job *j, const void *arg, size_t i)
{
	const nb_derived *dv = j->vc.dv;

	(void)arg;
	next_page(j);
	switch (i) {
	case ONE_HOME:
		EMIT(j, nb_view_home_sig(&j->vc, j->global), "home",
		     "index.html", nb_view_home(&j->vc));
		break;
	case ONE_404:
		EMIT(j, j->global, "404", "404.html",
		     nb_view_not_found(&j->vc));
		break;
	case ONE_CONSULTATIONS:
		EMIT(j, nb_view_consultations_sig(&j->vc, j->global),
		     "consultations", "consultations/index.html",
		     nb_view_consultations(&j->vc));
		break;
	case ONE_FEEDBACK:
		EMIT(j, nb_view_feedback_sig(&j->vc, j->global), "feedback",
		     "feedback/index.html",
		     nb_view_feedback(&j->vc));
		break;
	case ONE_AREAS:
		EMIT(j, nb_view_areas_sig(&j->vc, j->global), "areas",
		     "areas/index.html",
		     nb_view_areas(&j->vc));
		break;
	case ONE_PARTNERS:
		EMIT(j, nb_view_partners_sig(&j->vc, j->global), "partners",
		     "partners/index.html",
		     nb_view_partners(&j->vc));
		break;
	case ONE_TOPICS:
		EMIT(j, nb_view_terms_sig(&j->vc, "topics", j->global),
		     "terms", "topics/index.html",
		     nb_view_terms(&j->vc, "topics"));
		break;
	case ONE_AUDIENCES:
		EMIT(j, nb_view_terms_sig(&j->vc, "audiences", j->global),
		     "terms", "audiences/index.html",
		     nb_view_terms(&j->vc, "audiences"));
		break;
	case ONE_CALENDAR:
		EMIT(j, nb_view_calendar_sig(&j->vc, j->global,
					     j->brief_calendar), "calendar",
		     "calendar/index.html",
		     nb_view_calendar(&j->vc));
		break;
	case ONE_REPORTS:
		EMIT(j, nb_view_reports_sig(j->global, dv->reports,
		     dv->reports_len), "reports", "reports/index.html",
		     nb_view_reports(&j->vc, dv->reports, dv->reports_len));
		break;
	}
}

/* A consultation's page (and its history). */
static void
task_consultation(job *j, const void *arg, size_t i)
{
	const nb_consultation *c = j->vc.m->consultations.items[i];
	uint64_t s = nb_sig_u64(j->global, nb_sig_consultation(c));

	(void)arg;
	next_page(j);
	j->lastmod = c->changed;
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
task_event(job *j, const void *arg, size_t i)
{
	const nb_event *ev = j->vc.m->events.items[i];

	(void)arg;
	next_page(j);
	EMIT(j, nb_sig_u64(j->global, nb_sig_event(ev)), "event",
	     nb_arena_printf(j->vc.a, "events/%s/index.html", ev->id),
	     nb_view_event(&j->vc, ev));
}

static void
task_outcome(job *j, const void *arg, size_t i)
{
	const nb_outcome *oc = j->vc.m->outcomes.items[i];
	uint64_t s = nb_sig_u64(j->global, nb_sig_outcome(oc));

	(void)arg;
	next_page(j);
	j->lastmod = oc->changed;
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
task_area(job *j, const void *arg, size_t i)
{
	const nb_derived *dv = j->vc.dv;
	const nb_area *ar = j->vc.m->areas.items[i];
	const char *path;

	(void)arg;
	next_page(j);
	EMIT(j, nb_view_area_sig(ar, &j->area_lists[i], j->global), "area",
	     nb_arena_printf(j->vc.a, "areas/%s/index.html", ar->id),
	     nb_view_area(&j->vc, ar));
	next_page(j);
	path = nb_arena_printf(j->vc.a, "areas/%s/", ar->id);
	EMIT(j, nb_view_embed_sig(ar->name, path, &j->area_lists[i],
				  j->global),
	     "embed",
	     nb_arena_printf(j->vc.a, "embed/areas/%s/index.html", ar->id),
	     nb_view_embed(&j->vc, ar->name, path, &ar->consultations,
			   &dv->everywhere, &ar->events,
			   &dv->everywhere_events));
}

/* A partner's page and its embed. */
static void
task_partner(job *j, const void *arg, size_t i)
{
	const nb_partner *p = j->vc.m->partners.items[i];
	const char *path;

	(void)arg;
	next_page(j);
	EMIT(j, nb_view_partner_sig(p, &j->partner_lists[i], j->global),
	     "partner",
	     nb_arena_printf(j->vc.a, "partners/%s/index.html", p->id),
	     nb_view_partner(&j->vc, p));
	next_page(j);
	path = nb_arena_printf(j->vc.a, "partners/%s/", p->id);
	EMIT(j, nb_view_embed_sig(p->name, path, &j->partner_lists[i],
				  j->global),
	     "embed",
	     nb_arena_printf(j->vc.a, "embed/partners/%s/index.html", p->id),
	     nb_view_embed(&j->vc, p->name, path, &p->consultations, NULL,
			   &p->events, NULL));
}

/* A topic's (arg NULL) or an audience's page. */
static void
task_term(job *j, const void *arg, size_t i)
{
	const char *kind = arg ? "audiences" : "topics";
	const nb_vec *ts = arg ? &j->vc.m->audiences : &j->vc.m->topics;
	const nb_term *t = ts->items[i];

	next_page(j);
	EMIT(j, nb_view_term_sig(kind, t, &j->term_lists[arg != NULL][i],
				 j->global), "term",
	     nb_arena_printf(j->vc.a, "%s/%s/index.html", kind, t->id),
	     nb_view_term(&j->vc, kind, t));
}

/* A month of the calendar: it shows its items and links to the months
 * around it. */
static void
task_month(job *j, const void *arg, size_t i)
{
	const nb_month *mo = j->vc.dv->months.items[i];
	uint64_t s = nb_view_month_items_sig(nb_sig_u64(j->months, i), mo,
					     j->brief_month);

	(void)arg;
	next_page(j);
	EMIT(j, s, "month",
	     nb_arena_printf(j->vc.a, "calendar/%04d/%02d/index.html",
			     mo->year, mo->month),
	     nb_view_month(&j->vc, i));
}

/* One page of a partner's or an area's feedback promises. */
static void
task_promises(job *j, const void *arg, size_t page)
{
	const nb_promise_list *pl = arg;
	const char *id = pl->partner ? pl->partner->id : pl->area->id;
	const char *kind = pl->partner ? "partners" : "areas";
	size_t first = (page - 1) * NB_VIEW_PER_PAGE, i;
	/* a page shows its own items and the counts of all */
	uint64_t s = nb_sig_u64(j->global, pl->items.len);

	for (i = 0; i < NB_PROMISE_COUNT; i++)
		s = nb_sig_u64(s, (uint64_t)pl->counts[i]);
	for (i = first; i < pl->items.len && i < first + NB_VIEW_PER_PAGE; i++)
		s = nb_sig_u64(s, nb_sig_consultation(pl->items.items[i]));
	next_page(j);
	EMIT(j, s, "accountability",
	     page == 1 ? nb_arena_printf(j->vc.a, "feedback/%s/%s/index.html",
					 kind, id) :
	     nb_arena_printf(j->vc.a, "feedback/%s/%s/page/%zu/index.html",
			     kind, id, page),
	     nb_view_promises_page(&j->vc, pl, page));
}

/* Each partner's and each area's promises, a page at a time. */
static void
plan_promises(job *j, plan *p)
{
	const nb_model *m = j->vc.m;
	nb_arena *a = j->site_arena;
	size_t i, k, n = m->partners.len + m->areas.len;

	for (i = 0; i < n; i++) {
		nb_promise_list *pl = nb_arena_alloc(a, sizeof(*pl));
		if (i < m->partners.len) {
			pl->partner = m->partners.items[i];
			nb_view_promises_collect(a, pl,
				&pl->partner->consultations, NULL);
		} else {
			pl->area = m->areas.items[i - m->partners.len];
			nb_view_promises_collect(a, pl,
				&pl->area->consultations, &j->vc.dv->everywhere);
		}
		for (k = 1; k <= nb_view_pages(pl->items.len); k++)
			add(p, task_promises, pl, k);
	}
}

static void
task_content_page(job *j, const void *arg, size_t i)
{
	const nb_page *p = j->vc.m->pages.items[i];

	(void)arg;
	next_page(j);
	EMIT(j, nb_sig_u64(j->global, nb_sig_page(p)), "page",
	     nb_arena_printf(j->vc.a, "%s/index.html", p->id),
	     nb_view_content_page(&j->vc, p));
}

/* A redirect page: not in the sitemap, never over a real page. */
static void
task_redirect(job *j, const void *arg, size_t i)
{
	const nb_redirect *rd = j->vc.m->redirects.items[i];
	nb_template *t = NULL;
	char *rel;

	(void)arg;
	next_page(j);
	rel = nb_arena_printf(j->vc.a, "%sindex.html", rd->from);
	/* it shows where the page went, and its title */
	j->sig = nb_sig(j->global, rd->to, strlen(rd->to) + 1);
	j->sig = rd->title ? nb_sig(j->sig, rd->title, strlen(rd->title) + 1) :
			     nb_sig_u64(j->sig, 0);
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

static void
add_range(plan *p, task_fn fn, const void *arg, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		add(p, fn, arg, i);
}

/* Every output but the few that need all the others (the subscribe page,
 * the sitemap, the sequence numbers, the manifest), in the order of the
 * site map. */
static void
plan_site(job *j, plan *p, uint64_t cal_sig, size_t item_chunks)
{
	const nb_model *m = j->vc.m;
	const nb_derived *dv = j->vc.dv;
	size_t i, chunks = 0, c = 0;
	uint64_t was;

	/* the feeds' items are made ahead, spread among the consultation
	 * pages, unless the feed of everything is unchanged (then so is
	 * every other feed; one that is not makes the items it needs) */
	if (!nb_out_last_sig(j->o, "calendar.ics", &was) ||
	    was != cal_sig)
		chunks = item_chunks;
	/* the longest tasks first, so that no thread is left with one at
	 * the end while the others wait */
	add_range(p, task_data, NULL, NB_DATA_COUNT);
	add(p, task_one, NULL, ONE_HOME);
	add(p, task_one, NULL, ONE_404);
	add(p, task_one, NULL, ONE_CONSULTATIONS);
	for (i = 0; i < m->consultations.len; i++) {
		add(p, task_consultation, NULL, i);
		while (c < chunks && c * m->consultations.len <= i * chunks)
			add(p, task_items, NULL, c++);
	}
	while (c < chunks)
		add(p, task_items, NULL, c++);
	add_range(p, task_event, NULL, m->events.len);
	add(p, task_one, NULL, ONE_FEEDBACK);
	add_range(p, task_outcome, NULL, m->outcomes.len);
	add(p, task_one, NULL, ONE_AREAS);
	add_range(p, task_area, NULL, m->areas.len);
	add(p, task_one, NULL, ONE_PARTNERS);
	add_range(p, task_partner, NULL, m->partners.len);
	add(p, task_one, NULL, ONE_TOPICS);
	add_range(p, task_term, NULL, m->topics.len);
	add(p, task_one, NULL, ONE_AUDIENCES);
	add_range(p, task_term, (void *)1, m->audiences.len);
	add(p, task_one, NULL, ONE_CALENDAR);
	add_range(p, task_month, NULL, dv->months.len);
	plan_promises(j, p);
	add(p, task_one, NULL, ONE_REPORTS);
	add_range(p, task_report, NULL, dv->reports_len);
	add_range(p, task_content_page, NULL, m->pages.len);
	add_range(p, task_redirect, NULL, m->redirects.len);
	plan_long_lists(j, p);
	plan_feeds(j, p);
}

/* ---- running the plan in threads --------------------------------------------- */

#define BIG_BUFFER (4u << 20)

typedef struct pool {
	const plan *p;
	span *spans;
	atomic_size_t next;
	atomic_int failed;
} pool;

typedef struct worker {
	job j;
	nb_diags d;
	pool *pl;
	unsigned id;
} worker;

static void *
work(void *arg)
{
	worker *w = arg;
	pool *pl = w->pl;

	for (;;) {
		size_t i = atomic_fetch_add(&pl->next, 1);
		span *sp;
		if (i >= pl->p->len || atomic_load(&pl->failed))
			break;
		sp = &pl->spans[i];
		sp->worker = w->id;
		sp->man_from = w->j.manifest.len;
		sp->map_from = w->j.map_len;
		sp->diag_from = w->d.len;
		pl->p->t[i].fn(&w->j, pl->p->t[i].arg, pl->p->t[i].i);
		/* a large file's buffer is not kept for pages of a few KB */
		if (w->j.buf.size > BIG_BUFFER)
			nb_buf_free(&w->j.buf);
		sp->man_to = w->j.manifest.len;
		sp->map_to = w->j.map_len;
		sp->diag_to = w->d.len;
		sp->ran = 1;
		if (w->j.failed)
			atomic_store(&pl->failed, 1);
	}
	return NULL;
}

/* How many threads render: `jobs`, or one for each core. */
static unsigned
threads_for(int jobs)
{
	long n = jobs > 0 ? jobs : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	return (unsigned)n;
}

/*
 * Run every task of p.  The workers' site arenas are handed to `keep`
 * (sitemap paths point into them) and their manifest lines to mp (in the
 * order of the plan: write_manifest); their sitemap entries and
 * diagnostics are put together into j in that order.
 */
static void
run(job *j, const plan *p, unsigned nthreads, nb_arena **keep, man_parts *mp)
{
	worker *ws = nb_xcalloc(nthreads, sizeof(*ws));
	pthread_t *ts = nb_xcalloc(nthreads, sizeof(*ts));
	int *started = nb_xcalloc(nthreads, sizeof(*started));
	pool pl;
	unsigned w;
	size_t i, k, outs = p->len;

	/* outputs: about one a task, or as many as the last build had; room
	 * for their manifest lines and sitemap entries made at once (a page
	 * fault is dear: arena.h) */
	if (nb_out_last_outputs(j->o) > outs)
		outs = nb_out_last_outputs(j->o);
	outs = outs / nthreads + 256;
	pl.p = p;
	pl.spans = nb_xcalloc(p->len + 1, sizeof(span));
	atomic_init(&pl.next, 0);
	atomic_init(&pl.failed, 0);
	for (w = 0; w < nthreads; w++) {
		worker *x = &ws[w];
		x->j = *j;
		x->j.d = &x->d;
		x->j.failed = 0;
		x->j.redirect = 0;
		x->j.lastmod = j->vc.dv->today;
		x->j.vc.a = nb_arena_new();
		x->j.vc.memo = nb_view_memo_new();
		x->j.site_arena = keep[w] = nb_arena_new();
		nb_arena_reserve(keep[w], outs * 48);   /* sitemap paths */
		memset(&x->j.buf, 0, sizeof(x->j.buf));
		memset(&x->j.manifest, 0, sizeof(x->j.manifest));
		/* a line of about 80 bytes for each output */
		nb_buf_grow(&x->j.manifest, outs * 96);
		x->j.map_cap = outs;
		x->j.map = nb_xmalloc(outs * sizeof(*x->j.map));
		x->j.map_len = 0;
		x->j.data_reused = 0;
		x->pl = &pl;
		x->id = w;
	}
	for (w = 1; w < nthreads; w++)
		started[w] = pthread_create(&ts[w], NULL, work, &ws[w]) == 0;
	work(&ws[0]);
	for (w = 1; w < nthreads; w++)
		if (started[w])
			pthread_join(ts[w], NULL);

	mp->split = j->manifest.len;
	mp->v = nb_xmalloc((p->len + 1) * sizeof(*mp->v));
	mp->n = 0;
	{
		/* put together below: room for all of it at once */
		size_t maps = 0;
		for (w = 0; w < nthreads; w++)
			maps += ws[w].j.map_len;
		if (j->map_len + maps > j->map_cap) {
			j->map_cap = j->map_len + maps;
			j->map = nb_xrealloc(j->map, j->map_cap * sizeof(*j->map));
		}
	}
	for (i = 0; i < p->len; i++) {
		const span *sp = &pl.spans[i];
		worker *x = &ws[sp->worker];
		if (!sp->ran)
			continue;
		if (sp->man_to > sp->man_from) {
			man_piece *last = mp->n ? &mp->v[mp->n - 1] : NULL;
			if (last && last->worker == sp->worker &&
			    last->to == sp->man_from)
				last->to = sp->man_to;
			else
				mp->v[mp->n++] = (man_piece){ sp->worker,
					sp->man_from, sp->man_to };
		}
		for (k = sp->map_from; k < sp->map_to; k++) {
			if (j->map_len == j->map_cap) {
				j->map_cap = j->map_cap ? j->map_cap * 2 : 256;
				j->map = nb_xrealloc(j->map,
						     j->map_cap * sizeof(*j->map));
			}
			j->map[j->map_len++] = x->j.map[k];
		}
		for (k = sp->diag_from; k < sp->diag_to; k++) {
			const nb_diag *g = &x->d.items[k];
			nb_diag_add(j->d, g->sev, g->path, g->line, g->col, g->hint,
				    "%s", g->msg);
		}
	}
	if (atomic_load(&pl.failed))
		j->failed = 1;
	for (w = 0; w < nthreads; w++)
		j->data_reused += ws[w].j.data_reused;
	mp->bufs = nb_xcalloc(nthreads, sizeof(*mp->bufs));
	mp->nbufs = nthreads;
	for (w = 0; w < nthreads; w++) {
		mp->bufs[w] = ws[w].j.manifest;   /* the manifest's now */
		nb_diags_free(&ws[w].d);
		free(ws[w].j.map);
		nb_buf_free(&ws[w].j.buf);
		nb_arena_free(ws[w].j.vc.a);
		nb_view_memo_free(ws[w].j.vc.memo);
	}
	free(pl.spans);
	free(started);
	free(ts);
	free(ws);
}

/* The manifest: what came before the tasks, theirs in order, what came
 * after. */
static int
write_manifest(nb_out *o, const nb_buf *man, const man_parts *mp,
	       nb_diags *d)
{
	struct iovec *v = nb_xmalloc((mp->n + 2) * sizeof(*v));
	size_t n = 0, i;
	int rc;

	v[n].iov_base = man->ptr;
	v[n++].iov_len = mp->split;
	for (i = 0; i < mp->n; i++) {
		v[n].iov_base = mp->bufs[mp->v[i].worker].ptr + mp->v[i].from;
		v[n++].iov_len = mp->v[i].to - mp->v[i].from;
	}
	v[n].iov_base = man->ptr + mp->split;
	v[n++].iov_len = man->len - mp->split;
	rc = nb_out_writev(o, NB_MANIFEST_PATH, v, n, d);
	free(v);
	return rc;
}

static void
man_parts_free(man_parts *mp)
{
	unsigned w;

	for (w = 0; w < mp->nbufs; w++)
		nb_buf_free(&mp->bufs[w]);
	free(mp->bufs);
	free(mp->v);
}

/* Where the calendar's items are kept for the next build (ical.h). */
#define ITEMS_PATH ".noticeboard/calendar.items"

static uint64_t item_key(void *ud, const nb_consultation *c, int closing,
			 const nb_event *ev);

/* The calendar's items made, and the last build's taken back, in a thread
 * of their own while the site is planned: work for one core each. */
typedef struct items_start {
	job *j;                      /* read only: the model, the output */
	const nb_ical_seqs *old_seqs;
	const nb_vec *cs, *evs;
	nb_ical_items *items;
	const char *prior;           /* the last build's, mapped */
	size_t prior_len;
	nb_diags d;
} items_start;

static void *
items_run(void *arg)
{
	items_start *is = arg;
	job *j = is->j;

	is->items = nb_ical_items_new(j->vc.m, j->vc.dv, j->vc.prefix,
				      is->old_seqs, is->cs, is->evs, &is->d);
	if (!is->items)
		return NULL;
	/* the last build's items, for those that have not changed */
	if (last_build(j))
		is->prior = map_old(j, ITEMS_PATH, &is->prior_len, NULL);
	nb_ical_items_prior(is->items, is->prior, is->prior_len, item_key, j);
	return NULL;
}

/* What a calendar item's text depends on: every output's inputs and its
 * record. */
static uint64_t
item_key(void *ud, const nb_consultation *c, int closing, const nb_event *ev)
{
	const job *j = ud;
	uint64_t h = nb_sig_u64(j->global, c ? nb_sig_consultation(c) :
				nb_sig_event(ev));

	return nb_sig_u64(h, (uint64_t)closing);
}

int
nb_render_site(const nb_model *m, const nb_derived *dv, const nb_source *src,
	       const nb_source *share, const nb_ical_seqs *old_seqs, int jobs,
	       nb_out *o, nb_render_stats *rs, nb_diags *d)
{
	theme th;
	job j;
	plan p;
	nb_arena *site_arena = nb_arena_new(), **keep;
	man_parts mp = { 0, NULL, 0, NULL, 0 };
	nb_ical_seqs seqs;
	nb_vec all_masters = { NULL, 0, 0 }, feed_cs = { NULL, 0, 0 };
	nb_vec feed_evs = { NULL, 0, 0 };
	unsigned nthreads = threads_for(jobs), w;
	const char *css, *prior = NULL;
	size_t i, prior_len = 0;
	int rc = -1;

	memset(&th, 0, sizeof(th));
	memset(&p, 0, sizeof(p));
	memset(&seqs, 0, sizeof(seqs));
	keep = nb_xcalloc(nthreads, sizeof(*keep));
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
	css = brand_css(&th);
	nb_val_set_str(site_arena, (nb_value *)j.vc.site, "brand_css", css);
	j.vc.a = nb_arena_new();
	j.site_arena = site_arena;
	j.lastmod = dv->today;
	j.global = nb_sig_global(m, dv, templates_sig(&th, d));
	if (css)
		j.global = nb_sig(j.global, css, strlen(css));
	j.everything = nb_sig_u64(j.global, nb_sig_all(m));
	j.months = nb_sig_u64(j.global, dv->months.len);
	for (i = 0; i < dv->months.len; i++) {
		const nb_month *mo = dv->months.items[i];
		j.months = nb_sig_u64(j.months, (uint64_t)(mo->year * 12 + mo->month));
	}
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
	{
		/* pages whose templates name no `summary` do not depend on
		 * consultations' summaries (nb_tmpl_mentions): a summary
		 * edited does not render the months it is in again.  Errors
		 * in the templates are the render's to report. */
		nb_diags ignore = NB_DIAGS_INIT;
		j.brief_month = nb_tmpl_mentions(th.set, "month", "summary",
						 &ignore) == 0;
		j.brief_calendar = nb_tmpl_mentions(th.set, "calendar", "summary",
						    &ignore) == 0;
		nb_diags_free(&ignore);
	}
	/* the items of the feed of everything, which every other feed's
	 * items are among */
	masters(site_arena, &m->all_events, NULL, &all_masters);
	window(site_arena, &m->consultations, &all_masters, feed_cutoff(&j),
	       &feed_cs, &feed_evs);
	j.all_cs = &feed_cs;
	j.all_evs = &feed_evs;
	j.all_sig = nb_sig_events(nb_sig_consultations(j.global, &feed_cs),
				  &feed_evs);
	{
		items_start is;
		pthread_t it;
		int started;

		memset(&is, 0, sizeof(is));
		is.j = &j;
		is.old_seqs = old_seqs;
		is.cs = &feed_cs;
		is.evs = &feed_evs;
		started = pthread_create(&it, NULL, items_run, &is) == 0;
		if (!started)
			items_run(&is);
		plan_site(&j, &p, j.all_sig,
			  nb_ical_items_chunks(feed_cs.len, feed_evs.len));
		if (started)
			pthread_join(it, NULL);
		for (i = 0; i < is.d.len; i++) {
			const nb_diag *g = &is.d.items[i];
			nb_diag_add(d, g->sev, g->path, g->line, g->col, g->hint,
				    "%s", g->msg);
		}
		nb_diags_free(&is.d);
		j.items = is.items;
		prior = is.prior;
		prior_len = is.prior_len;
		if (!j.items)
			goto done;
	}
	run(&j, &p, nthreads, keep, &mp);
#ifdef __GLIBC__
	/* the threads' buffers and page arenas are free now, but glibc keeps
	 * the pages; give them back before the sitemap and manifest grow.
	 * Not after a rebuild that took most outputs from the last build:
	 * its threads held little, and trimming took 2 to 10 ms at 10,000
	 * consultations, with the pages then to be faulted in again */
	if (nb_out_reused(o) < p.len / 2)
		malloc_trim(0);
#endif

	/* what needs every other output */
	next_page(&j);
	EMIT(&j, nb_view_subscribe_sig(j.global, p.feeds, p.feeds_len),
	     "subscribe", "subscribe/index.html",
	     nb_view_subscribe(&j.vc, p.feeds, p.feeds_len));
	/* carried to the next build: SEQUENCE rises only when an item
	 * changes; items of feeds taken unchanged keep their numbers */
	nb_ical_items_seqs(j.items, site_arena, &seqs);
	if (old_seqs) {
		for (i = 0; i < old_seqs->all.len; i++) {
			nb_ical_seq *s = old_seqs->all.items[i];
			if (!nb_map_get(&seqs.by_uid, s->uid)) {
				nb_map_put(&seqs.by_uid, s->uid, s, NULL);
				nb_vec_push(site_arena, &seqs.all, s);
			}
		}
	}
	nb_buf_clear(&j.buf);
	j.sig = 0;
	if (!j.failed && nb_data_seqs_json(&j.buf, &seqs) == 0)
		write_buf(&j, "data/calendar-sequence.json");
	{
		/* the items for the next build (the same file as the last
		 * build's when nothing changed) */
		nb_buf ib = NB_BUF_INIT;
		stream st = { &j, NULL, -1, 0 };
		j.sig = 0;   /* listed in the manifest, taken or written */
		if (!j.failed && !(nb_ical_items_same(j.items) &&
				   reuse(&j, ITEMS_PATH)) &&
		    stream_open(&j, &st, ITEMS_PATH) == 0) {
			if (nb_ical_items_save(j.items, &ib, stream_flush,
					       &st) != 0)
				j.failed = 1;
			stream_close(&st, &ib);
		}
		nb_buf_free(&ib);
	}
	data_schemas(&j);
	sitemaps(&j);
	next_page(&j);
	EMIT(&j, j.global, "robots", "robots.txt",
	     nb_view_sitemap(&j.vc, NULL, 0));
	if (!j.failed && copy_all_static(&th, o, d) != 0)
		j.failed = 1;
	/* last: what the next build compares with */
	if (!j.failed && write_manifest(o, &j.manifest, &mp, d) != 0)
		j.failed = 1;
	rc = j.failed ? -1 : 0;
	if (rs) {
		rs->data_reused = j.data_reused;
		rs->items_reused = nb_ical_items_reused(j.items);
	}
done:
	free(j.map);
	free(p.t);
	free(p.feeds);
	nb_ical_items_free(j.items);
	if (prior)
		munmap((void *)prior, prior_len);
	nb_map_free(&seqs.by_uid);
	nb_buf_free(&j.buf);
	nb_buf_free(&j.manifest);
	man_parts_free(&mp);
	nb_arena_free(j.vc.a);
	nb_tmpl_set_free(th.set);
	nb_arena_free(th.a);
	for (w = 0; w < nthreads; w++)
		nb_arena_free(keep[w]);
	free(keep);
	nb_arena_free(site_arena);
	return rc;
}
