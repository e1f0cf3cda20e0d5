/*
 * view.h - the values each page's template sees, built from the model.
 *
 * Views are plain nb_value trees (value.h).  Builders take a view context
 * holding the model, the derived lists and the arena the page's values go
 * in (a scratch arena freed after the page is written).  Every string a
 * view holds is plain text; templates escape it.  The only HTML in a view
 * is Markdown rendered by cmark in safe mode, under keys ending in _html.
 * docs/templates.md lists the keys.
 */
#ifndef NB_VIEW_H
#define NB_VIEW_H

#include "derive.h"
#include "value.h"

typedef struct nb_view_ctx {
	const nb_model *m;
	const nb_derived *dv;
	nb_arena *a;               /* where this page's values go */
	const char *prefix;        /* URL path prefix: "/" or "/engage/" */
	const nb_value *site;      /* the shared site view */
	struct nb_view_memo *memo; /* NULL, or links already made in `a` */
} nb_view_ctx;

/* A page's lists show the same partners, areas and topics again and
 * again; with a memo each one's link is made once per page (once per
 * reset of the context's arena).  One memo per thread. */
struct nb_view_memo *nb_view_memo_new(void);
void nb_view_memo_free(struct nb_view_memo *memo);

/* The URL path prefix from a base URL ("https://x.org/engage" -> "/engage/"),
 * arena-owned. */
const char *nb_view_prefix(nb_arena *a, const char *base_url);

/* The site-wide part every page shares: title, navigation, footer. */
nb_value *nb_view_site(nb_view_ctx *vc);

/* A page's context: { site, page: { title, section, url, breadcrumbs,
 * description } } to which the builders below add their keys.  `title`
 * is the page's own title; <title> gets "title - site title". */
nb_value *nb_view_page(nb_view_ctx *vc, const char *title,
		       const char *section, const char *path);
/* Add a breadcrumb (label, path relative to the prefix, "" for home). */
void nb_view_crumb(nb_view_ctx *vc, nb_value *page, const char *label,
		   const char *path);

/*
 * The site's own pages (home, /consultations/, /feedback/, the indexes of
 * areas, partners, topics and audiences, /calendar/, /reports/,
 * /subscribe/) each show a little of many records.  nb_view_*_sig folds
 * into h what its view shows beyond what every page does (h: the global
 * signature, sig.h): the records of its lists, as far as they are shown,
 * and its counts.  So an edit to a record none of them shows renders none
 * of them again.
 */
uint64_t nb_view_home_sig(const nb_view_ctx *vc, uint64_t h);
uint64_t nb_view_consultations_sig(const nb_view_ctx *vc, uint64_t h);
uint64_t nb_view_feedback_sig(const nb_view_ctx *vc, uint64_t h);
uint64_t nb_view_areas_sig(const nb_view_ctx *vc, uint64_t h);
uint64_t nb_view_partners_sig(const nb_view_ctx *vc, uint64_t h);
uint64_t nb_view_terms_sig(const nb_view_ctx *vc, const char *kind,
			   uint64_t h);
uint64_t nb_view_calendar_sig(const nb_view_ctx *vc, uint64_t h, int brief);
struct nb_report;
uint64_t nb_view_reports_sig(uint64_t h, const struct nb_report *r,
			     size_t n);
struct nb_feed_link;
uint64_t nb_view_subscribe_sig(uint64_t h, const struct nb_feed_link *f,
			       size_t n);
/* An area's, a partner's, a topic's or an audience's activities and
 * events as its page, its embed and its long lists show them: worked out
 * once a build (nb_view_listing: from its activities and events and those
 * of everywhere, `extra` and `extra_evs`, which may be NULL). */
typedef struct nb_listing {
	nb_vec open;                 /* open now, soonest closing first */
	nb_vec coming;               /* coming up (or postponed) */
	nb_vec past;                 /* closed or cancelled, newest first */
	nb_vec events;               /* not ended before today, by start */
} nb_listing;
void nb_view_listing(nb_arena *a, const nb_vec *cs, const nb_vec *extra,
		     const nb_vec *evs, const nb_vec *extra_evs, nb_date today,
		     nb_listing *out);
/* Their pages: the first of each list of l and how many there are, and
 * (an area) its latest outcomes; an embed's: its first open activities
 * and upcoming events. */
uint64_t nb_view_area_sig(const nb_area *ar, const nb_listing *l,
			  uint64_t h);
uint64_t nb_view_partner_sig(const nb_partner *p, const nb_listing *l,
			     uint64_t h);
uint64_t nb_view_term_sig(const char *kind, const nb_term *t,
			  const nb_listing *l, uint64_t h);
uint64_t nb_view_embed_sig(const char *title, const char *full_path,
			   const nb_listing *l, uint64_t h);
/* A month of the calendar: its items, their records and times.  With
 * `brief` (the page's templates name no `summary`), a consultation's
 * summary is left out: an edit to it does not change the page. */
uint64_t nb_view_month_items_sig(uint64_t h, const nb_month *mo, int brief);

nb_value *nb_view_home(nb_view_ctx *vc);
nb_value *nb_view_consultation(nb_view_ctx *vc, const nb_consultation *c);
nb_value *nb_view_consultations(nb_view_ctx *vc);
nb_value *nb_view_event(nb_view_ctx *vc, const nb_event *ev);
nb_value *nb_view_outcome(nb_view_ctx *vc, const nb_outcome *o);
nb_value *nb_view_feedback(nb_view_ctx *vc);
nb_value *nb_view_areas(nb_view_ctx *vc);
nb_value *nb_view_area(nb_view_ctx *vc, const nb_area *ar);
nb_value *nb_view_partners(nb_view_ctx *vc);
nb_value *nb_view_partner(nb_view_ctx *vc, const nb_partner *p);
/* kind is "topics" or "audiences" */
nb_value *nb_view_terms(nb_view_ctx *vc, const char *kind);
nb_value *nb_view_term(nb_view_ctx *vc, const char *kind, const nb_term *t);
nb_value *nb_view_calendar(nb_view_ctx *vc);
nb_value *nb_view_month(nb_view_ctx *vc, size_t month_index);
struct nb_report;
/* /reports/ and /reports/YYYY/ (reports oldest first). */
nb_value *nb_view_reports(nb_view_ctx *vc, const struct nb_report *r,
			  size_t n);
nb_value *nb_view_report(nb_view_ctx *vc, const struct nb_report *r);
/* /feedback/partners/ID/ and /feedback/areas/ID/ (and page/N/ after
 * them): promises kept and not.  The closed activities with a promise are
 * collected once (from a list and an extra one, such as the activities
 * for everywhere) and shown a page at a time, with the counts of each
 * kind of promise on every page. */
typedef struct nb_promise_list {
	const nb_partner *partner;   /* whose promises: one of the two */
	const nb_area *area;
	nb_vec items;                /* nb_consultation*, in list order */
	long counts[NB_PROMISE_COUNT];
} nb_promise_list;

void nb_view_promises_collect(nb_arena *a, nb_promise_list *pl,
			      const nb_vec *cs, const nb_vec *extra);
nb_value *nb_view_promises_page(nb_view_ctx *vc, const nb_promise_list *pl,
				size_t page);
/* One calendar or news feed, for the subscribe page. */
typedef struct nb_feed_link {
	const char *label;        /* "Abbey ward" */
	const char *group;        /* "areas", "partners", "topics", "site" */
	const char *ics_path;     /* "feeds/areas/abbey-ward.ics" */
	const char *atom_path;    /* NULL when there is no news feed */
} nb_feed_link;

/* /subscribe/: every feed, with webcal:// and https links. */
nb_value *nb_view_subscribe(nb_view_ctx *vc, const nb_feed_link *f, size_t n);

/* An Atom feed of activities (and their outcomes) or of outcomes only:
 * feed.title, feed.self, feed.alternate, feed.updated, feed.entries (the
 * newest site.feed_entries, newest first by the day each last changed). */
nb_value *nb_view_atom(nb_view_ctx *vc, const char *title, const char *self,
		       const char *alternate, const nb_vec *consultations,
		       const nb_vec *outcomes);

/* /embed/partners/ID/ and /embed/areas/ID/: a small listing for an
 * iframe on a partner's own site. */
nb_value *nb_view_embed(nb_view_ctx *vc, const char *title,
			const char *full_path, const nb_vec *consultations,
			const nb_vec *extra, const nb_vec *events,
			const nb_vec *extra_events);

/* sitemap.xml: urls.items[] { loc, lastmod }. */
typedef struct nb_sitemap_entry {
	const char *path;         /* under the prefix; "" for home */
	nb_date lastmod;
} nb_sitemap_entry;
nb_value *nb_view_sitemap(nb_view_ctx *vc, const nb_sitemap_entry *e,
			  size_t n);
/* The full address (base_url and prefix) of a path under the prefix. */
const char *nb_view_abs_url(nb_view_ctx *vc, const char *path);
/* Addresses in one sitemap file: 2,000, as WordPress's own sitemaps (the
 * protocol allows 50,000), so that a rebuild after an edit renders again
 * the part that holds the edited page, not every address of the site. */
#define NB_SITEMAP_MAX 2000

#define NB_VIEW_PER_PAGE 20      /* items on each page of a long list */
#define NB_VIEW_PAST_SHOWN 10    /* past activities shown on a listing page */
#define NB_VIEW_CURRENT_SHOWN 20 /* open, coming up or events shown on one */

/* A long list shown over numbered pages: PATH, PATHpage/2/, ... */
typedef struct nb_list_page {
	const char *title;        /* "Past activities in Abbey ward" */
	const char *section;      /* navigation section */
	const char *path;         /* "areas/abbey-ward/past/" */
	const char *intro;        /* one sentence, or NULL */
	const char *parent_label, *parent_path;   /* breadcrumb, or NULL */
	const nb_vec *items;      /* what kind says */
	enum {
		NB_LIST_CONSULTATIONS,   /* nb_consultation* */
		NB_LIST_OUTCOMES,        /* nb_outcome* */
		NB_LIST_EVENTS           /* nb_event* */
	} kind;
} nb_list_page;

/* Page `page` (1-based) of `pages`; "(page 2 of 5)" in the title. */
nb_value *nb_view_list_page(nb_view_ctx *vc, const nb_list_page *lp,
			    size_t page, size_t pages);
size_t nb_view_pages(size_t n);

/* The past activities (closed or cancelled) of two lists sorted by
 * closing date, newest first. */
void nb_view_past(nb_arena *a, const nb_vec *cs, const nb_vec *extra,
		  nb_vec *out);
/* The open (coming: the coming up) activities of the same, soonest
 * closing first. */
void nb_view_current(nb_arena *a, const nb_vec *cs, const nb_vec *extra,
		     int coming, nb_vec *out);
/* The events of two lists sorted by start (extra may be NULL) that have
 * not ended before `today`, soonest first. */
void nb_view_upcoming(nb_arena *a, const nb_vec *evs, const nb_vec *extra,
		      nb_date today, nb_vec *out);

/* A record's change history: /consultations/ID/history/... */
struct nb_file_history;
nb_value *nb_view_history(nb_view_ctx *vc, const char *title,
			  const char *section, const char *record_path,
			  const struct nb_file_history *h);
/* A page at a renamed record's old address, pointing to the new one. */
nb_value *nb_view_redirect(nb_view_ctx *vc, const nb_redirect *r);

nb_value *nb_view_content_page(nb_view_ctx *vc, const nb_page *p);
nb_value *nb_view_not_found(nb_view_ctx *vc);

#endif
