/*
 * view.c - building each page's template values from the model.
 *
 * Dates are written here, the GOV.UK way, with a machine-readable twin for
 * <time datetime>; lists come already sorted from derive.c.  Nothing here
 * escapes: templates do, at the point of output.
 */
#include "view.h"
#include "report.h"
#include "data.h"
#include "history.h"
#include "sig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* For the signatures of the site's own pages below (nb_view_*_sig): a
 * string, and the first n (0: all) of a list of consultations after how
 * many there are, as the lists of those pages show them. */
static uint64_t
str_sig(uint64_t h, const char *s)
{
	return s ? nb_sig(h, s, strlen(s) + 1) : nb_sig_u64(h, 0);
}

static uint64_t
sig_consultations(uint64_t h, const nb_vec *cs, size_t n)
{
	size_t i;

	h = nb_sig_u64(h, cs->len);
	for (i = 0; i < cs->len && (!n || i < n); i++)
		h = nb_sig_u64(h, nb_sig_consultation(cs->items[i]));
	return h;
}

#define HOME_LIMIT 6          /* items per list on the home page */
#define CALENDAR_MONTHS 3     /* months of items on /calendar/ */

/* ---- small helpers ------------------------------------------------------ */

static const char *
url(nb_view_ctx *vc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A URL path under the site's prefix. */
static const char *
url(nb_view_ctx *vc, const char *fmt, ...)
{
	va_list ap;
	char *rest;

	va_start(ap, fmt);
	rest = nb_arena_vprintf(vc->a, fmt, ap);
	va_end(ap);
	return nb_arena_printf(vc->a, "%s%s", vc->prefix, rest);
}

static const char *
date_text(nb_view_ctx *vc, nb_date d, int long_form)
{
	nb_buf b = NB_BUF_INIT;
	char *s;

	if (long_form)
		nb_fmt_date_long(&b, d);
	else
		nb_fmt_date(&b, d);
	s = nb_arena_strdup(vc->a, nb_buf_cstr(&b));
	nb_buf_free(&b);
	return s;
}

static const char *
date_iso(nb_view_ctx *vc, nb_date d)
{
	return nb_arena_printf(vc->a, "%04d-%02d-%02d", d.year, d.month, d.day);
}

/* Set key (text) and key_iso (machine form) for a date. */
static void
set_date(nb_view_ctx *vc, nb_value *v, const char *key, nb_date d)
{
	nb_val_set_str(vc->a, v, key, date_text(vc, d, 0));
	nb_val_set_str(vc->a, v, nb_arena_printf(vc->a, "%s_iso", key),
		       date_iso(vc, d));
}

static const char *
buf_to_arena(nb_view_ctx *vc, nb_buf *b)
{
	char *s = nb_arena_strdup(vc->a, nb_buf_cstr(b));
	nb_buf_free(b);
	return s;
}

static nb_value *
link_val(nb_view_ctx *vc, const char *label, const char *href)
{
	nb_value *v = nb_val_map(vc->a);

	nb_val_set_str(vc->a, v, "label", label);
	nb_val_set_str(vc->a, v, "url", href);
	return v;
}

static nb_value *
str_list(nb_view_ctx *vc, const char *const *items, size_t n)
{
	nb_value *l = nb_val_list(vc->a);
	size_t i;

	for (i = 0; i < n; i++)
		nb_val_push(vc->a, l, nb_val_str(vc->a, items[i]));
	return l;
}

/*
 * Every list a template sees is { items: [...], count: N }, set only when
 * it has items, so that a template can wrap a list once and say something
 * else when it is empty:
 *   {{#events}}<ul>{{#items}}<li>...</li>{{/items}}</ul>{{/events}}
 *   {{^events}}<p>No events.</p>{{/events}}
 */
static void
set_list(nb_view_ctx *vc, nb_value *v, const char *key, nb_value *l)
{
	nb_value *w;

	if (!l || !l->u.list.len)
		return;
	w = nb_val_map(vc->a);
	nb_val_set(vc->a, w, "items", l);
	nb_val_set_num(vc->a, w, "count", (double)l->u.list.len);
	nb_val_set_bool(vc->a, w, "many", l->u.list.len > 1);
	nb_val_set(vc->a, v, key, w);
	/* lists of labelled things also read as one phrase: "A, B and C" */
	if (nb_val_get(l->u.list.items[0], "label")) {
		nb_buf b = NB_BUF_INIT;
		size_t i, n = l->u.list.len;
		for (i = 0; i < n; i++) {
			nb_value *lab = nb_val_get(l->u.list.items[i], "label");
			if (i)
				nb_buf_puts(&b, i + 1 == n ? " and " : ", ");
			if (lab && lab->type == NB_VAL_STR)
				nb_buf_put(&b, lab->u.str.s, lab->u.str.len);
		}
		nb_val_set_str(vc->a, w, "text", nb_arena_strdup(vc->a,
			       nb_buf_cstr(&b)));
		nb_buf_free(&b);
	}
}

static const char *
plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* ---- site and page ------------------------------------------------------ */

const char *
nb_view_prefix(nb_arena *a, const char *base_url)
{
	const char *p = strstr(base_url, "://");
	size_t n;

	p = p ? strchr(p + 3, '/') : NULL;
	if (!p || !p[1])
		return "/";
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		n--;
	return nb_arena_printf(a, "%.*s/", (int)n, p);
}

static const struct { const char *section, *label, *path; } nav_items[] = {
	{ "home", "Home", "" },
	{ "consultations", "Consultations", "consultations/" },
	{ "calendar", "Calendar", "calendar/" },
	{ "areas", "Areas", "areas/" },
	{ "partners", "Partners", "partners/" },
	{ "feedback", "You said, we did", "feedback/" },
	{ "reports", "Reports", "reports/" },
};

nb_value *
nb_view_site(nb_view_ctx *vc)
{
	const nb_site *s = &vc->m->site;
	nb_value *v = nb_val_map(vc->a), *fp = nb_val_list(vc->a);
	size_t i;

	nb_val_set_str(vc->a, v, "title", s->title);
	nb_val_set_str(vc->a, v, "short_title",
		       s->short_title ? s->short_title : s->title);
	nb_val_set_str(vc->a, v, "description", s->description);
	nb_val_set_str(vc->a, v, "base_url", s->base_url);
	nb_val_set_str(vc->a, v, "root_url", nb_arena_printf(vc->a, "%s/",
		       s->base_url));
	nb_val_set_str(vc->a, v, "language", s->language);
	nb_val_set_str(vc->a, v, "organisation", s->organisation);
	nb_val_set_str(vc->a, v, "contact_email", s->contact_email);
	nb_val_set_str(vc->a, v, "home_url", vc->prefix);
	nb_val_set_str(vc->a, v, "static_url", url(vc, "static/"));
	nb_val_set_str(vc->a, v, "today", date_text(vc, vc->dv->today, 0));
	nb_val_set_str(vc->a, v, "today_iso", date_iso(vc, vc->dv->today));
	for (i = 0; i < vc->dv->footer_pages.len; i++) {
		const nb_page *p = vc->dv->footer_pages.items[i];
		nb_val_push(vc->a, fp, link_val(vc, p->title,
						url(vc, "%s/", p->id)));
	}
	set_list(vc, v, "footer_pages", fp);
	return v;
}

nb_value *
nb_view_page(nb_view_ctx *vc, const char *title, const char *section,
	     const char *path)
{
	nb_value *ctx = nb_val_map(vc->a), *page = nb_val_map(vc->a);
	nb_value *nav = nb_val_list(vc->a);
	size_t i;

	nb_val_set(vc->a, ctx, "site", (nb_value *)vc->site);
	nb_val_set(vc->a, ctx, "page", page);
	nb_val_set_str(vc->a, page, "title", title);
	nb_val_set_str(vc->a, page, "section", section);
	nb_val_set_str(vc->a, page, "url", url(vc, "%s", path));
	nb_val_set_str(vc->a, page, "canonical",
		       nb_arena_printf(vc->a, "%s%s%s", vc->m->site.base_url,
				       vc->prefix + strlen(vc->prefix) - 1, path));
	if (strcmp(section, "home") == 0)
		nb_val_set_str(vc->a, page, "head_title", vc->m->site.title);
	else
		nb_val_set_str(vc->a, page, "head_title",
			       nb_arena_printf(vc->a, "%s - %s", title,
					       vc->m->site.title));
	for (i = 0; i < sizeof(nav_items) / sizeof(nav_items[0]); i++) {
		nb_value *it = link_val(vc, nav_items[i].label,
					url(vc, "%s", nav_items[i].path));
		if (strcmp(section, nav_items[i].section) == 0)
			nb_val_set_bool(vc->a, it, "current", 1);
		nb_val_push(vc->a, nav, it);
	}
	nb_val_set(vc->a, page, "nav", nav);
	nb_val_set(vc->a, page, "breadcrumbs", nb_val_list(vc->a));
	nb_val_set_str(vc->a, page, "jsonld", NULL);
	nb_val_set_str(vc->a, page, "og_type",
		       strcmp(section, "home") == 0 ? "website" : "article");
	return ctx;
}

void
nb_view_crumb(nb_view_ctx *vc, nb_value *ctx, const char *label,
	      const char *path)
{
	nb_value *page = nb_val_get(ctx, "page");
	nb_value *bc = nb_val_get(page, "breadcrumbs");

	nb_val_push(vc->a, bc, link_val(vc, label, url(vc, "%s", path)));
	nb_val_set_bool(vc->a, page, "has_breadcrumbs", 1);
}

static void
crumbs_home(nb_view_ctx *vc, nb_value *ctx)
{
	nb_view_crumb(vc, ctx, "Home", "");
}

/* ---- reusable pieces ---------------------------------------------------- */

/* First published, last updated and the history page, from git. */
static void
set_history(nb_view_ctx *vc, nb_value *v, const struct nb_file_history *h,
	    const char *history_path)
{
	nb_date first, last;

	if (nb_history_dates(h, &first, &last) != 0) {
		nb_val_set_str(vc->a, v, "history_url", NULL);
		return;
	}
	set_date(vc, v, "first_published", first);
	set_date(vc, v, "last_updated", last);
	nb_val_set_num(vc->a, v, "change_count", (double)h->n);
	nb_val_set_str(vc->a, v, "history_url", history_path ?
		       url(vc, "%s", history_path) : NULL);
}


static nb_value *
partner_link(nb_view_ctx *vc, const nb_partner *p)
{
	nb_value *v = link_val(vc, p->name, url(vc, "partners/%s/", p->id));
	nb_val_set_str(vc->a, v, "id", p->id);
	nb_val_set_str(vc->a, v, "short_name",
		       p->short_name ? p->short_name : p->name);
	return v;
}

static nb_value *
area_link(nb_view_ctx *vc, const nb_area *a)
{
	nb_value *v = link_val(vc, a->name, url(vc, "areas/%s/", a->id));
	nb_val_set_str(vc->a, v, "id", a->id);
	nb_val_set_str(vc->a, v, "type", a->type);
	return v;
}

static nb_value *
term_link(nb_view_ctx *vc, const char *kind, const nb_term *t)
{
	return link_val(vc, t->label, url(vc, "%s/%s/", kind, t->id));
}

static nb_value *
status_val(nb_view_ctx *vc, nb_status s)
{
	nb_value *v = nb_val_map(vc->a);

	nb_val_set_str(vc->a, v, "label", nb_status_label(s));
	nb_val_set_str(vc->a, v, "slug", nb_status_slug(s));
	nb_val_set_bool(vc->a, v, nb_status_slug(s), 1);
	return v;
}

/* ---- links made once a page ------------------------------------------- */

#define MEMO_SLOTS 1024              /* a power of two */

struct nb_view_memo {
	unsigned resets;             /* of the arena the links are in */
	const nb_arena *a;
	size_t used;
	struct { const void *key; nb_value *link; } slot[MEMO_SLOTS];
};

struct nb_view_memo *
nb_view_memo_new(void)
{
	return nb_xcalloc(1, sizeof(struct nb_view_memo));
}

void
nb_view_memo_free(struct nb_view_memo *memo)
{
	free(memo);
}

/* The slot for key: its link, or an empty slot to put it in; NULL when
 * there is no memo or it is full.  Links shown in lists are never changed
 * after they are made, so one value can sit in many lists. */
static nb_value **
memo_slot(nb_view_ctx *vc, const void *key)
{
	struct nb_view_memo *mo = vc->memo;
	size_t h;

	if (!mo)
		return NULL;
	if (mo->a != vc->a || mo->resets != nb_arena_resets(vc->a)) {
		memset(mo->slot, 0, sizeof(mo->slot));
		mo->a = vc->a;
		mo->resets = nb_arena_resets(vc->a);
		mo->used = 0;
	}
	h = (size_t)(((uintptr_t)key >> 4) * 0x9e3779b97f4a7c15ull) &
	    (MEMO_SLOTS - 1);
	while (mo->slot[h].key && mo->slot[h].key != key)
		h = (h + 1) & (MEMO_SLOTS - 1);
	if (!mo->slot[h].key) {
		if (mo->used >= MEMO_SLOTS / 2)
			return NULL;
		mo->used++;
		mo->slot[h].key = key;
	}
	return &mo->slot[h].link;
}

#define MEMO(vc, key, make) do { \
	nb_value **slot_ = memo_slot((vc), (key)); \
	if (!slot_) \
		return (make); \
	if (!*slot_) \
		*slot_ = (make); \
	return *slot_; \
} while (0)

static nb_value *
shared_partner(nb_view_ctx *vc, const nb_partner *p)
{
	MEMO(vc, p, partner_link(vc, p));
}

static nb_value *
shared_area(nb_view_ctx *vc, const nb_area *a)
{
	MEMO(vc, a, area_link(vc, a));
}

static nb_value *
shared_term(nb_view_ctx *vc, const char *kind, const nb_term *t)
{
	MEMO(vc, t, term_link(vc, kind, t));
}

static void
set_tags(nb_view_ctx *vc, nb_value *v, const nb_tags *t)
{
	nb_value *l;
	size_t i;

	if (t->lead)
		nb_val_set(vc->a, v, "lead", shared_partner(vc, t->lead));
	l = nb_val_list(vc->a);
	for (i = 0; i < t->partners.len; i++)
		nb_val_push(vc->a, l, shared_partner(vc, t->partners.items[i]));
	set_list(vc, v, "partners", l);
	if (t->everywhere)
		nb_val_set_bool(vc->a, v, "everywhere", 1);
	l = nb_val_list(vc->a);
	for (i = 0; i < t->areas.len; i++)
		nb_val_push(vc->a, l, shared_area(vc, t->areas.items[i]));
	set_list(vc, v, "areas", l);
	l = nb_val_list(vc->a);
	for (i = 0; i < t->topics.len; i++)
		nb_val_push(vc->a, l, shared_term(vc, "topics",
						  t->topics.items[i]));
	set_list(vc, v, "topics", l);
	l = nb_val_list(vc->a);
	for (i = 0; i < t->audiences.len; i++)
		nb_val_push(vc->a, l, shared_term(vc, "audiences",
						  t->audiences.items[i]));
	set_list(vc, v, "audiences", l);
}

/* The date a list shows for a consultation: "Closes 5 December 2026",
 * "Opens ...", "Closed ...", as a label, text and machine-readable date. */
static void
set_when(nb_view_ctx *vc, nb_value *v, const nb_consultation *c)
{
	const char *label;
	nb_date d;

	switch (c->status) {
	case NB_STATUS_UPCOMING:
		label = "Opens", d = c->opens;
		break;
	case NB_STATUS_POSTPONED:
		label = "Was due to open", d = c->opens;
		break;
	case NB_STATUS_OPEN:
	case NB_STATUS_CLOSING_SOON:
		label = "Closes", d = c->closes;
		break;
	case NB_STATUS_CANCELLED:
		label = "Was due to close", d = c->closes;
		break;
	default:
		label = "Closed", d = c->closes;
		break;
	}
	nb_val_set_str(vc->a, v, "when_label", label);
	nb_val_set_str(vc->a, v, "when", date_text(vc, d, 0));
	nb_val_set_str(vc->a, v, "when_iso", date_iso(vc, d));
}

/* A consultation as it appears in lists. */
static nb_value *
consultation_item(nb_view_ctx *vc, const nb_consultation *c)
{
	nb_value *v = nb_val_map(vc->a);
	nb_buf b = NB_BUF_INIT;
	const nb_site *s = &vc->m->site;

	nb_val_set_str(vc->a, v, "id", c->id);
	nb_val_set_str(vc->a, v, "url", url(vc, "consultations/%s/", c->id));
	nb_val_set_str(vc->a, v, "title", c->title);
	nb_val_set_str(vc->a, v, "summary", c->summary);
	nb_val_set(vc->a, v, "status", status_val(vc, c->status));
	set_date(vc, v, "opens", c->opens);
	set_date(vc, v, "closes", c->closes);
	nb_fmt_date_range(&b, c->opens, c->closes);
	nb_val_set_str(vc->a, v, "dates", buf_to_arena(vc, &b));
	set_when(vc, v, c);
	if (c->has_feedback_by)
		set_date(vc, v, "feedback_by", c->feedback_by);
	if (c->promise != NB_PROMISE_NONE) {
		nb_value *pr = nb_val_map(vc->a);
		nb_val_set_str(vc->a, pr, "label", nb_promise_label(c->promise));
		nb_val_set_str(vc->a, pr, "slug", nb_promise_slug(c->promise));
		nb_val_set(vc->a, v, "promise", pr);
		if (c->outcome)
			set_date(vc, v, "outcome_published", c->outcome->published);
	} else {
		nb_val_set(vc->a, v, "promise", nb_val_null(vc->a));
	}
	if (c->level >= 0 && (size_t)c->level < s->ladder_len)
		nb_val_set_str(vc->a, v, "level", s->ladder[c->level].label);
	set_tags(vc, v, &c->tags);
	return v;
}

static nb_value *
consultation_list(nb_view_ctx *vc, const nb_vec *cs, size_t limit)
{
	nb_value *l = nb_val_list(vc->a);
	size_t i;

	for (i = 0; i < cs->len && (!limit || i < limit); i++)
		nb_val_push(vc->a, l, consultation_item(vc, cs->items[i]));
	return l;
}

static nb_value *
venue_val(nb_view_ctx *vc, const nb_venue *ve)
{
	nb_value *v = nb_val_map(vc->a), *acc = nb_val_list(vc->a);
	static const char *yn[] = { "No", "Yes" };

	nb_val_set_str(vc->a, v, "name", ve->name);
	nb_val_set_str(vc->a, v, "address", ve->address);
	nb_val_set_str(vc->a, v, "postcode", ve->postcode);
#define ACCESS(field, label) \
	if (ve->field >= 0) { \
		nb_value *it = nb_val_map(vc->a); \
		nb_val_set_str(vc->a, it, "label", label); \
		nb_val_set_str(vc->a, it, "value", yn[ve->field]); \
		nb_val_push(vc->a, acc, it); \
	}
	ACCESS(step_free, "Step-free access")
	ACCESS(hearing_loop, "Hearing loop")
	ACCESS(accessible_toilet, "Accessible toilet")
#undef ACCESS
	if (ve->parking) {
		nb_value *it = nb_val_map(vc->a);
		nb_val_set_str(vc->a, it, "label", "Parking");
		nb_val_set_str(vc->a, it, "value", ve->parking);
		nb_val_push(vc->a, acc, it);
	}
	set_list(vc, v, "access", acc);
	nb_val_set_str(vc->a, v, "access_notes", ve->access_notes);
	if (!acc->u.list.len && !ve->access_notes)
		nb_val_set_bool(vc->a, v, "access_unknown", 1);
	return v;
}

static const char *
event_url(nb_view_ctx *vc, const nb_event *ev)
{
	if (ev->consultation)
		return url(vc, "consultations/%s/#event-%d",
			   ev->consultation->id, ev->index);
	return url(vc, "events/%s/", ev->id);
}

static nb_value *
event_val(nb_view_ctx *vc, const nb_event *ev)
{
	nb_value *v = nb_val_map(vc->a), *support = nb_val_list(vc->a);
	nb_buf b = NB_BUF_INIT;

	nb_val_set_str(vc->a, v, "id", ev->id);
	nb_val_set_str(vc->a, v, "anchor", ev->consultation ?
		nb_arena_printf(vc->a, "event-%d", ev->index) : "event");
	nb_val_set_str(vc->a, v, "url", event_url(vc, ev));
	nb_val_set_str(vc->a, v, "title", ev->title);
	nb_val_set_str(vc->a, v, "summary", ev->summary);
	nb_val_set_str(vc->a, v, "description", ev->description);
	nb_fmt_when(&b, ev->start, ev->end);
	nb_val_set_str(vc->a, v, "when", buf_to_arena(vc, &b));
	nb_fmt_iso_local(&b, ev->start);
	nb_val_set_str(vc->a, v, "start_iso", buf_to_arena(vc, &b));
	nb_fmt_iso_local(&b, ev->end);
	nb_val_set_str(vc->a, v, "end_iso", buf_to_arena(vc, &b));
	nb_val_set_str(vc->a, v, "date", date_text(vc, ev->start.date, 1));
	nb_val_set_str(vc->a, v, "date_iso", date_iso(vc, ev->start.date));
	if (nb_date_cmp(ev->start.date, ev->end.date) == 0)
		nb_fmt_time_range(&b, ev->start.hour, ev->start.minute,
				  ev->end.hour, ev->end.minute);
	else {
		nb_fmt_time(&b, ev->start.hour, ev->start.minute);
		nb_buf_puts(&b, " to ");
		nb_fmt_date_long(&b, ev->end.date);
		nb_buf_puts(&b, ", ");
		nb_fmt_time(&b, ev->end.hour, ev->end.minute);
	}
	nb_val_set_str(vc->a, v, "time", buf_to_arena(vc, &b));
	if (ev->venue)
		nb_val_set(vc->a, v, "venue", venue_val(vc, ev->venue));
	nb_val_set_str(vc->a, v, "online", ev->online);
	nb_val_set_str(vc->a, v, "booking", ev->booking);
	if (ev->bsl)
		nb_val_push(vc->a, support, nb_val_str(vc->a,
			"British Sign Language (BSL) interpreter"));
	if (ev->creche)
		nb_val_push(vc->a, support, nb_val_str(vc->a, "Creche"));
	if (ev->translation)
		nb_val_push(vc->a, support, nb_val_printf(vc->a,
			"Translation: %s", ev->translation));
	set_list(vc, v, "support", support);
	if (ev->cancelled)
		nb_val_set_bool(vc->a, v, "cancelled", 1);
	if (nb_date_cmp(ev->end.date, vc->dv->today) < 0)
		nb_val_set_bool(vc->a, v, "past", 1);
	if (ev->consultation) {
		nb_val_set(vc->a, v, "consultation",
			   link_val(vc, ev->consultation->title,
				    url(vc, "consultations/%s/",
					ev->consultation->id)));
	}
	set_tags(vc, v, &ev->tags);
	return v;
}

static nb_value *
event_list(nb_view_ctx *vc, const nb_vec *evs, int upcoming_only,
	   size_t limit)
{
	nb_value *l = nb_val_list(vc->a);
	size_t i, k = 0;

	for (i = 0; i < evs->len && (!limit || k < limit); i++) {
		const nb_event *ev = evs->items[i];
		if (upcoming_only && nb_date_cmp(ev->end.date, vc->dv->today) < 0)
			continue;
		nb_val_push(vc->a, l, event_val(vc, ev));
		k++;
	}
	return l;
}

static nb_value *
documents_val(nb_view_ctx *vc, const nb_document *d, size_t n)
{
	nb_value *l = nb_val_list(vc->a);
	size_t i;

	for (i = 0; i < n; i++) {
		nb_value *v = nb_val_map(vc->a);
		nb_val_set_str(vc->a, v, "title", d[i].title);
		nb_val_set_str(vc->a, v, "url", d[i].url);
		nb_val_set_str(vc->a, v, "format", d[i].format);
		nb_val_set_str(vc->a, v, "size", d[i].size);
		if (d[i].format && d[i].size)
			nb_val_set_str(vc->a, v, "about", nb_arena_printf(vc->a,
				"%s, %s", d[i].format, d[i].size));
		else
			nb_val_set_str(vc->a, v, "about",
				       d[i].format ? d[i].format : d[i].size);
		nb_val_push(vc->a, l, v);
	}
	return l;
}

static nb_value *
contact_val(nb_view_ctx *vc, const nb_contact *c)
{
	nb_value *v = nb_val_map(vc->a);

	nb_val_set_str(vc->a, v, "name", c->name);
	nb_val_set_str(vc->a, v, "role", c->role);
	nb_val_set_str(vc->a, v, "email", c->email);
	nb_val_set_str(vc->a, v, "phone", c->phone);
	if (c->phone) {
		/* tel: link: digits and a leading + only */
		char tel[64];
		size_t i, k = 0;
		for (i = 0; c->phone[i] && k < sizeof(tel) - 1; i++)
			if ((c->phone[i] >= '0' && c->phone[i] <= '9') ||
			    (c->phone[i] == '+' && k == 0))
				tel[k++] = c->phone[i];
		tel[k] = '\0';
		nb_val_set_str(vc->a, v, "tel", nb_arena_strdup(vc->a, tel));
	}
	return v;
}

/* Merge two lists sorted by closing date, keeping what `keep` accepts. */
static void
merge_closing(nb_arena *a, const nb_vec *cs, const nb_vec *extra,
	      int (*keep)(const nb_consultation *), nb_vec *out)
{
	size_t i = 0, j = 0;

	while ((cs && i < cs->len) || (extra && j < extra->len)) {
		const nb_consultation *c;
		if (!extra || j >= extra->len)
			c = cs->items[i++];
		else if (!cs || i >= cs->len)
			c = extra->items[j++];
		else if (nb_date_cmp(((nb_consultation *)cs->items[i])->closes,
				     ((nb_consultation *)extra->items[j])->closes) <= 0)
			c = cs->items[i++];
		else
			c = extra->items[j++];
		if (keep(c))
			nb_vec_push(a, out, (void *)c);
	}
}

static int
is_open(const nb_consultation *c)
{
	return c->status == NB_STATUS_OPEN || c->status == NB_STATUS_CLOSING_SOON;
}

static int
is_coming(const nb_consultation *c)
{
	return c->status == NB_STATUS_UPCOMING || c->status == NB_STATUS_POSTPONED;
}

static int
is_past(const nb_consultation *c)
{
	return !is_open(c) && !is_coming(c);
}

void
nb_view_past(nb_arena *a, const nb_vec *cs, const nb_vec *extra, nb_vec *out)
{
	size_t k;

	merge_closing(a, cs, extra, is_past, out);
	for (k = 0; k < out->len / 2; k++) {   /* newest first */
		void *t = out->items[k];
		out->items[k] = out->items[out->len - 1 - k];
		out->items[out->len - 1 - k] = t;
	}
}

void
nb_view_current(nb_arena *a, const nb_vec *cs, const nb_vec *extra,
		int coming, nb_vec *out)
{
	merge_closing(a, cs, extra, coming ? is_coming : is_open, out);
}

/* A listing's open, coming up and past activities: the first few of
 * each, and where all of them are (BASE open/, coming-up/, past/) when
 * there are more. */
static void
set_partitioned(nb_view_ctx *vc, nb_value *v, const nb_vec *cs,
		const nb_vec *extra, const char *base)
{
	nb_vec open = { NULL, 0, 0 }, up = { NULL, 0, 0 }, past = { NULL, 0, 0 };

	merge_closing(vc->a, cs, extra, is_open, &open);
	merge_closing(vc->a, cs, extra, is_coming, &up);
	nb_view_past(vc->a, cs, extra, &past);
	set_list(vc, v, "open_now", consultation_list(vc, &open,
		 NB_VIEW_CURRENT_SHOWN));
	set_list(vc, v, "coming_up", consultation_list(vc, &up,
		 NB_VIEW_CURRENT_SHOWN));
	set_list(vc, v, "past", consultation_list(vc, &past, NB_VIEW_PAST_SHOWN));
	nb_val_set_num(vc->a, v, "open_count", (double)open.len);
	nb_val_set_str(vc->a, v, "open_url", open.len > NB_VIEW_CURRENT_SHOWN ?
		       url(vc, "%sopen/", base) : NULL);
	nb_val_set_num(vc->a, v, "coming_count", (double)up.len);
	nb_val_set_str(vc->a, v, "coming_url", up.len > NB_VIEW_CURRENT_SHOWN ?
		       url(vc, "%scoming-up/", base) : NULL);
	if (past.len > NB_VIEW_PAST_SHOWN) {
		nb_val_set_num(vc->a, v, "past_count", (double)past.len);
		nb_val_set_str(vc->a, v, "past_url", url(vc, "%spast/", base));
	} else {
		nb_val_set_str(vc->a, v, "past_url", NULL);
	}
	if (!open.len && !up.len && !past.len)
		nb_val_set_bool(vc->a, v, "no_activities", 1);
}

/* ---- pages of a long list ------------------------------------------------ */

static nb_value *outcome_item(nb_view_ctx *vc, const nb_outcome *o);

/* Whether the pagination of page `page` of `pages` links to page i: the
 * first, the last, two either side of this one, and any page that an
 * ellipsis would otherwise stand for on its own. */
static int
page_shown(size_t i, size_t page, size_t pages)
{
	if (i < 1 || i > pages)
		return 0;
	if (i == 1 || i == pages || (i + 2 >= page && i <= page + 2))
		return 1;
	/* 1 ... 3: show 2 rather than an ellipsis for one page */
	return (i == 2 && page <= 5) || (i + 1 == pages && page + 4 >= pages);
}

/* The pagination of page `page` of `pages` at PATH, PATHpage/2/, ...:
 * null when there is one page. */
static void
set_pagination(nb_view_ctx *vc, nb_value *ctx, const char *path,
	       size_t page, size_t pages)
{
	nb_value *pg = nb_val_map(vc->a), *nums = nb_val_list(vc->a);
	size_t i;

	if (pages > 1) {
		nb_val_set_num(vc->a, pg, "page", (double)page);
		nb_val_set_num(vc->a, pg, "pages", (double)pages);
		if (page > 1)
			nb_val_set(vc->a, pg, "previous", link_val(vc,
				nb_arena_printf(vc->a, "Previous page (%zu of %zu)",
						page - 1, pages),
				page == 2 ? url(vc, "%s", path) :
				url(vc, "%spage/%zu/", path, page - 1)));
		if (page < pages)
			nb_val_set(vc->a, pg, "next", link_val(vc,
				nb_arena_printf(vc->a, "Next page (%zu of %zu)",
						page + 1, pages),
				url(vc, "%spage/%zu/", path, page + 1)));
		/* the first and last pages and those near this one, with
		 * an ellipsis for each gap (1 ... 4 5 [6] 7 8 ... 42): a
		 * list of thousands of numbers on every page helps nobody */
		for (i = 1; i <= pages; i++) {
			nb_value *n;
			if (!page_shown(i, page, pages)) {
				if (page_shown(i - 1, page, pages)) {
					n = nb_val_map(vc->a);
					nb_val_set_bool(vc->a, n, "ellipsis", 1);
					nb_val_set_bool(vc->a, n, "current", 0);
					nb_val_push(vc->a, nums, n);
				}
				continue;
			}
			n = link_val(vc, nb_arena_printf(vc->a, "%zu", i),
				i == 1 ? url(vc, "%s", path) :
				url(vc, "%spage/%zu/", path, i));
			nb_val_set_str(vc->a, n, "aria_label", nb_arena_printf(vc->a,
				"Page %zu of %zu", i, pages));
			nb_val_set_bool(vc->a, n, "current", i == page);
			nb_val_set_bool(vc->a, n, "ellipsis", 0);
			nb_val_push(vc->a, nums, n);
		}
		set_list(vc, pg, "numbers", nums);
		nb_val_set(vc->a, ctx, "pagination", pg);
	} else {
		nb_val_set(vc->a, ctx, "pagination", nb_val_null(vc->a));
	}
}

nb_value *
nb_view_list_page(nb_view_ctx *vc, const nb_list_page *lp, size_t page,
		  size_t pages)
{
	const char *path = page == 1 ? lp->path :
		nb_arena_printf(vc->a, "%spage/%zu/", lp->path, page);
	const char *title = pages > 1 ? nb_arena_printf(vc->a,
		"%s (page %zu of %zu)", lp->title, page, pages) : lp->title;
	nb_value *ctx = nb_view_page(vc, title, lp->section, path);
	nb_value *items = nb_val_list(vc->a);
	size_t first = (page - 1) * NB_VIEW_PER_PAGE, i;

	crumbs_home(vc, ctx);
	if (lp->parent_label)
		nb_view_crumb(vc, ctx, lp->parent_label, lp->parent_path);
	if (page > 1)
		nb_view_crumb(vc, ctx, lp->title, lp->path);
	nb_val_set_str(vc->a, ctx, "heading", lp->title);
	nb_val_set_str(vc->a, ctx, "intro", lp->intro);
	nb_val_set_num(vc->a, ctx, "total", (double)lp->items->len);
	for (i = first; i < lp->items->len && i < first + NB_VIEW_PER_PAGE; i++)
		nb_val_push(vc->a, items,
			    lp->kind == NB_LIST_OUTCOMES ?
			    outcome_item(vc, lp->items->items[i]) :
			    lp->kind == NB_LIST_EVENTS ?
			    event_val(vc, lp->items->items[i]) :
			    consultation_item(vc, lp->items->items[i]));
	set_list(vc, ctx, lp->kind == NB_LIST_OUTCOMES ? "outcomes" :
		 lp->kind == NB_LIST_EVENTS ? "events" : "consultations", items);
	set_pagination(vc, ctx, lp->path, page, pages);
	return ctx;
}

size_t
nb_view_pages(size_t n)
{
	return n ? (n + NB_VIEW_PER_PAGE - 1) / NB_VIEW_PER_PAGE : 1;
}

/* ---- outcomes ----------------------------------------------------------- */

static nb_value *
outcome_item(nb_view_ctx *vc, const nb_outcome *o)
{
	nb_value *v = nb_val_map(vc->a);
	const nb_consultation *c = o->consultation;

	nb_val_set_str(vc->a, v, "id", o->id);
	nb_val_set_str(vc->a, v, "url", url(vc, "outcomes/%s/", o->id));
	nb_val_set_str(vc->a, v, "title", o->title ? o->title :
		nb_arena_printf(vc->a, "What happened: %s", c->title));
	nb_val_set_str(vc->a, v, "summary", o->summary);
	set_date(vc, v, "published", o->published);
	nb_val_set_num(vc->a, v, "responses", (double)o->responses);
	nb_val_set_str(vc->a, v, "responses_text", nb_arena_printf(vc->a,
		"%ld %s", o->responses, plural(o->responses, "response",
					       "responses")));
	nb_val_set(vc->a, v, "consultation",
		   link_val(vc, c->title, url(vc, "consultations/%s/", c->id)));
	if (c->has_feedback_by) {
		set_date(vc, v, "feedback_by", c->feedback_by);
		nb_val_set_bool(vc->a, v, o->on_time ? "on_time" : "late", 1);
	}
	return v;
}

nb_value *
nb_view_outcome(nb_view_ctx *vc, const nb_outcome *o)
{
	nb_value *ctx = nb_view_page(vc, o->title ? o->title :
		nb_arena_printf(vc->a, "What happened: %s", o->consultation->title),
		"feedback", nb_arena_printf(vc->a, "outcomes/%s/", o->id));
	nb_value *v = outcome_item(vc, o), *l;
	size_t i;

	crumbs_home(vc, ctx);
	nb_view_crumb(vc, ctx, "You said, we did", "feedback/");
	nb_val_set(vc->a, ctx, "outcome", v);
	nb_val_set_str(vc->a, v, "body_html", o->body_html);
	set_history(vc, v, o->hist, nb_arena_printf(vc->a,
		    "outcomes/%s/history/", o->id));
	l = nb_val_list(vc->a);
	for (i = 0; i < o->said_did_len; i++) {
		const nb_said_did *sd = &o->said_did[i];
		nb_value *it = nb_val_map(vc->a);
		nb_val_set_str(vc->a, it, "you_said", sd->you_said);
		nb_val_set_str(vc->a, it, "we_did", sd->we_did);
		nb_val_set_str(vc->a, it, "why", sd->why);
		nb_val_set_str(vc->a, it, "state", nb_did_label(sd->state));
		nb_val_set_num(vc->a, it, "number", (double)(i + 1));
		nb_val_push(vc->a, l, it);
	}
	set_list(vc, v, "said_did", l);
	l = nb_val_list(vc->a);
	for (i = 0; i < o->by_method_len; i++) {
		nb_value *it = nb_val_map(vc->a);
		nb_val_set_str(vc->a, it, "label", o->by_method[i].label);
		nb_val_set_num(vc->a, it, "count", (double)o->by_method[i].count);
		nb_val_push(vc->a, l, it);
	}
	set_list(vc, v, "by_method", l);
	l = nb_val_list(vc->a);
	for (i = 0; i < o->by_area_len; i++) {
		nb_value *it = nb_val_map(vc->a);
		nb_val_set_str(vc->a, it, "label", o->by_area[i].label);
		if (o->by_area[i].area)
			nb_val_set_str(vc->a, it, "url", url(vc, "areas/%s/",
				       o->by_area[i].area->id));
		nb_val_set_num(vc->a, it, "count", (double)o->by_area[i].count);
		nb_val_push(vc->a, l, it);
	}
	set_list(vc, v, "by_area", l);
	nb_val_set_str(vc->a, v, "decision", o->decision);
	nb_val_set_str(vc->a, v, "decided_by", o->decided_by);
	if (o->has_decided_on)
		set_date(vc, v, "decided_on", o->decided_on);
	nb_val_set_str(vc->a, v, "next_steps", o->next_steps);
	set_list(vc, v, "documents", documents_val(vc, o->documents,
						   o->documents_len));
	set_date(vc, v, "closes", o->consultation->closes);
	l = nb_val_list(vc->a);
	for (i = 0; i < o->updates_len; i++) {
		nb_value *it = nb_val_map(vc->a);
		set_date(vc, it, "date", o->updates[i].date);
		nb_val_set_str(vc->a, it, "text", o->updates[i].text);
		nb_val_push(vc->a, l, it);
	}
	set_list(vc, v, "updates", l);
	if (o->updates_len)
		set_date(vc, v, "last_updated", o->updates[0].date);
	return ctx;
}

nb_value *
nb_view_feedback(nb_view_ctx *vc)
{
	nb_value *ctx = nb_view_page(vc, "You said, we did", "feedback",
				     "feedback/");
	nb_value *l = nb_val_list(vc->a);
	const nb_vec *o = &vc->dv->outcomes;
	size_t i, late = 0;

	crumbs_home(vc, ctx);
	for (i = 0; i < o->len; i++) {
		const nb_outcome *oc = o->items[i];
		if (i < NB_VIEW_PER_PAGE)
			nb_val_push(vc->a, l, outcome_item(vc, oc));
		late += !oc->on_time;
	}
	set_list(vc, ctx, "outcomes", l);
	nb_val_set_str(vc->a, ctx, "all_outcomes_url", url(vc, "outcomes/"));
	set_list(vc, ctx, "overdue", consultation_list(vc,
		&vc->dv->by_status[NB_STATUS_OVERDUE], NB_VIEW_PER_PAGE));
	set_list(vc, ctx, "awaiting", consultation_list(vc,
		&vc->dv->by_status[NB_STATUS_CLOSED], NB_VIEW_PER_PAGE));
	/* the first page of each; the rest at feedback/overdue/ and
	 * feedback/awaiting/ (a national site has thousands) */
	if (vc->dv->by_status[NB_STATUS_OVERDUE].len > NB_VIEW_PER_PAGE)
		nb_val_set(vc->a, ctx, "overdue_all", link_val(vc,
			nb_arena_printf(vc->a, "All %zu activities with feedback overdue",
					vc->dv->by_status[NB_STATUS_OVERDUE].len),
			url(vc, "feedback/overdue/")));
	if (vc->dv->by_status[NB_STATUS_CLOSED].len > NB_VIEW_PER_PAGE)
		nb_val_set(vc->a, ctx, "awaiting_all", link_val(vc,
			nb_arena_printf(vc->a, "All %zu closed activities waiting for feedback",
					vc->dv->by_status[NB_STATUS_CLOSED].len),
			url(vc, "feedback/awaiting/")));
	l = nb_val_list(vc->a);
	for (i = 0; i < vc->m->partners.len; i++) {
		const nb_partner *p = vc->m->partners.items[i];
		nb_val_push(vc->a, l, link_val(vc, p->name,
			    url(vc, "feedback/partners/%s/", p->id)));
	}
	set_list(vc, ctx, "partner_links", l);
	l = nb_val_list(vc->a);
	for (i = 0; i < vc->m->areas.len; i++) {
		const nb_area *ar = vc->m->areas.items[i];
		if (ar->depth <= 1)
			nb_val_push(vc->a, l, link_val(vc, ar->name,
				    url(vc, "feedback/areas/%s/", ar->id)));
	}
	set_list(vc, ctx, "area_links", l);
	nb_val_set_num(vc->a, ctx, "outcome_count", (double)o->len);
	nb_val_set_num(vc->a, ctx, "late_count", (double)late);
	nb_val_set_num(vc->a, ctx, "overdue_count",
		       (double)vc->dv->by_status[NB_STATUS_OVERDUE].len);
	return ctx;
}

uint64_t
nb_view_feedback_sig(const nb_view_ctx *vc, uint64_t h)
{
	const nb_vec *o = &vc->dv->outcomes;
	size_t i, late = 0;

	h = nb_sig_u64(h, o->len);
	for (i = 0; i < o->len; i++) {
		const nb_outcome *oc = o->items[i];
		if (i < NB_VIEW_PER_PAGE)
			h = nb_sig_u64(h, nb_sig_outcome(oc));
		late += !oc->on_time;
	}
	h = nb_sig_u64(h, late);
	h = sig_consultations(h, &vc->dv->by_status[NB_STATUS_OVERDUE],
			      NB_VIEW_PER_PAGE);
	return sig_consultations(h, &vc->dv->by_status[NB_STATUS_CLOSED],
				 NB_VIEW_PER_PAGE);
}

/* ---- consultations ------------------------------------------------------ */

nb_value *
nb_view_consultation(nb_view_ctx *vc, const nb_consultation *c)
{
	nb_value *ctx = nb_view_page(vc, c->title, "consultations",
		nb_arena_printf(vc->a, "consultations/%s/", c->id));
	nb_value *v = consultation_item(vc, c), *l;
	const nb_site *s = &vc->m->site;
	size_t i;

	crumbs_home(vc, ctx);
	nb_view_crumb(vc, ctx, "Consultations", "consultations/");
	nb_val_set(vc->a, ctx, "consultation", v);
	{
		nb_buf ld = NB_BUF_INIT;
		if (nb_data_jsonld_consultation(&ld, vc->m, c, vc->prefix) == 0)
			nb_val_set_str(vc->a, nb_val_get(ctx, "page"), "jsonld",
				       buf_to_arena(vc, &ld));
		nb_buf_free(&ld);
	}
	nb_val_set_str(vc->a, nb_val_get(ctx, "page"), "description",
		       c->summary);
	nb_val_set_str(vc->a, v, "body_html", c->body_html);
	nb_val_set_str(vc->a, v, "status_note", c->status_note);
	set_history(vc, v, c->hist, nb_arena_printf(vc->a,
		    "consultations/%s/history/", c->id));
	if (c->level >= 0 && (size_t)c->level < s->ladder_len) {
		nb_val_set_str(vc->a, v, "level_description",
			       s->ladder[c->level].description);
		nb_val_set_str(vc->a, v, "level_id", s->ladder[c->level].id);
	}
	if (c->status == NB_STATUS_OPEN || c->status == NB_STATUS_CLOSING_SOON) {
		int64_t left = nb_date_days(c->closes) -
			       nb_date_days(vc->dv->today);
		nb_val_set_bool(vc->a, v, "is_open", 1);
		nb_val_set_str(vc->a, v, "days_left", left == 0 ?
			"This is the last day to take part." :
			nb_arena_printf(vc->a, "%lld %s left to take part (as of %s).",
				(long long)left, plural((long)left, "day", "days"),
				date_text(vc, vc->dv->today, 0)));
	}
	if (c->status == NB_STATUS_UPCOMING)
		nb_val_set_bool(vc->a, v, "is_upcoming", 1);
	if (c->has_feedback_by)
		set_date(vc, v, "feedback_by", c->feedback_by);
	if (c->status == NB_STATUS_OVERDUE)
		nb_val_set_bool(vc->a, v, "feedback_overdue", 1);

	l = nb_val_list(vc->a);
	for (i = 0; i < c->take_part_len; i++)
		nb_val_push(vc->a, l, link_val(vc, c->take_part[i].text,
					       c->take_part[i].url));
	set_list(vc, v, "take_part", l);
	set_list(vc, v, "can_influence",
		 str_list(vc, c->can_influence, c->can_len));
	set_list(vc, v, "cannot_influence",
		 str_list(vc, c->cannot_influence, c->cannot_len));
	set_list(vc, v, "accessibility",
		 str_list(vc, c->accessibility, c->accessibility_len));
	set_list(vc, v, "documents",
		 documents_val(vc, c->documents, c->documents_len));
	if (c->contact)
		nb_val_set(vc->a, v, "contact", contact_val(vc, c->contact));
	l = nb_val_list(vc->a);
	for (i = 0; i < c->events_len; i++)
		nb_val_push(vc->a, l, event_val(vc, c->events[i]));
	set_list(vc, v, "events", l);
	if (c->outcome)
		nb_val_set(vc->a, v, "outcome", outcome_item(vc, c->outcome));
	return ctx;
}

/* /consultations/'s groups.  What piles up over the years (outcomes,
 * cancellations, feedback still to come or overdue: thousands on a
 * national site) shows its latest there, and links to the pages of the
 * rest. */
static const struct {
	nb_status s;
	const char *heading, *more_path;
	const char *more_text;   /* "All N ...", or NULL: all past */
	size_t cap;
} consultation_groups[] = {
	{ NB_STATUS_CLOSING_SOON, "Closing soon", NULL, NULL, 0 },
	{ NB_STATUS_OPEN, "Open", NULL, NULL, 0 },
	{ NB_STATUS_UPCOMING, "Coming up", NULL, NULL, 0 },
	{ NB_STATUS_POSTPONED, "Postponed", NULL, NULL, 0 },
	{ NB_STATUS_CLOSED, "Closed: feedback on its way",
	  "feedback/awaiting/", "closed activities waiting for feedback",
	  NB_VIEW_PER_PAGE },
	{ NB_STATUS_OVERDUE, "Closed: feedback overdue",
	  "feedback/overdue/", "activities with feedback overdue",
	  NB_VIEW_PER_PAGE },
	{ NB_STATUS_OUTCOME, "Closed: outcome published",
	  "consultations/past/", NULL, NB_VIEW_PAST_SHOWN },
	{ NB_STATUS_CANCELLED, "Cancelled",
	  "consultations/past/", NULL, NB_VIEW_PAST_SHOWN },
};

#define NGROUPS (sizeof(consultation_groups) / sizeof(consultation_groups[0]))

nb_value *
nb_view_consultations(nb_view_ctx *vc)
{
	nb_value *ctx = nb_view_page(vc, "Consultations and engagement",
				     "consultations", "consultations/");
	nb_value *gl = nb_val_list(vc->a);
	size_t i;

	crumbs_home(vc, ctx);
	for (i = 0; i < NGROUPS; i++) {
		const nb_vec *cs = &vc->dv->by_status[consultation_groups[i].s];
		size_t cap = consultation_groups[i].cap;
		nb_value *g;
		if (!cs->len)
			continue;
		g = nb_val_map(vc->a);
		nb_val_set_str(vc->a, g, "heading", consultation_groups[i].heading);
		nb_val_set_str(vc->a, g, "id", nb_status_slug(consultation_groups[i].s));
		nb_val_set_num(vc->a, g, "count", (double)cs->len);
		set_list(vc, g, "consultations", consultation_list(vc, cs, cap));
		if (cap && cs->len > cap)
			nb_val_set(vc->a, g, "more", link_val(vc,
				consultation_groups[i].more_text ? nb_arena_printf(vc->a,
					"All %zu %s", cs->len,
					consultation_groups[i].more_text) :
				"All past consultations and activities",
				url(vc, "%s", consultation_groups[i].more_path)));
		nb_val_push(vc->a, gl, g);
	}
	set_list(vc, ctx, "groups", gl);
	return ctx;
}

uint64_t
nb_view_consultations_sig(const nb_view_ctx *vc, uint64_t h)
{
	size_t i;

	for (i = 0; i < NGROUPS; i++)
		h = sig_consultations(h, &vc->dv->by_status[consultation_groups[i].s],
				      consultation_groups[i].cap);
	return h;
}

nb_value *
nb_view_event(nb_view_ctx *vc, const nb_event *ev)
{
	nb_value *ctx = nb_view_page(vc, ev->title, "calendar",
		nb_arena_printf(vc->a, "events/%s/", ev->id));
	nb_value *v = event_val(vc, ev);

	crumbs_home(vc, ctx);
	nb_view_crumb(vc, ctx, "Calendar", "calendar/");
	nb_val_set(vc->a, ctx, "event", v);
	set_history(vc, v, ev->hist, NULL);
	{
		nb_buf ld = NB_BUF_INIT;
		size_t i;
		if (nb_data_jsonld_event(&ld, vc->m, ev, vc->prefix) == 0)
			nb_val_set_str(vc->a, nb_val_get(ctx, "page"), "jsonld",
				       buf_to_arena(vc, &ld));
		nb_buf_free(&ld);
		if (ev->rrule) {
			nb_value *l = nb_val_list(vc->a);
			size_t shown = 0;
			for (i = 0; i < ev->occurrences.len && shown < 12; i++) {
				const nb_event *oc = ev->occurrences.items[i];
				nb_value *it;
				if (nb_date_cmp(oc->end.date, vc->dv->today) < 0)
					continue;
				nb_buf b = NB_BUF_INIT;
				it = nb_val_map(vc->a);
				nb_fmt_when(&b, oc->start, oc->end);
				nb_val_set_str(vc->a, it, "when", buf_to_arena(vc, &b));
				nb_fmt_iso_local(&b, oc->start);
				nb_val_set_str(vc->a, it, "start_iso", buf_to_arena(vc, &b));
				nb_val_push(vc->a, l, it);
				shown++;
			}
			nb_val_set_bool(vc->a, v, "repeats", 1);
			nb_val_set_str(vc->a, v, "repeat_text", ev->repeat_text);
			set_list(vc, v, "next_dates", l);
		}
	}
	nb_val_set_str(vc->a, v, "body_html", ev->body_html);
	if (ev->summary)
		nb_val_set_str(vc->a, nb_val_get(ctx, "page"), "description",
			       ev->summary);
	if (ev->contact)
		nb_val_set(vc->a, v, "contact", contact_val(vc, ev->contact));
	return ctx;
}

/* ---- home ----------------------------------------------------------------- */

nb_value *
nb_view_home(nb_view_ctx *vc)
{
	nb_value *ctx = nb_view_page(vc, vc->m->site.title, "home", "");
	const nb_derived *dv = vc->dv;
	nb_value *l;
	size_t i;

	nb_val_set_str(vc->a, nb_val_get(ctx, "page"), "description",
		       vc->m->site.description);
	set_list(vc, ctx, "closing_soon", consultation_list(vc,
		&dv->by_status[NB_STATUS_CLOSING_SOON], HOME_LIMIT));
	set_list(vc, ctx, "open", consultation_list(vc,
		&dv->by_status[NB_STATUS_OPEN], HOME_LIMIT));
	set_list(vc, ctx, "upcoming", consultation_list(vc,
		&dv->by_status[NB_STATUS_UPCOMING], HOME_LIMIT));
	nb_val_set_num(vc->a, ctx, "open_count", (double)dv->open_now.len);
	set_list(vc, ctx, "events", event_list(vc, &dv->upcoming_events, 1,
					       HOME_LIMIT));
	l = nb_val_list(vc->a);
	for (i = 0; i < dv->outcomes.len && i < HOME_LIMIT; i++)
		nb_val_push(vc->a, l, outcome_item(vc, dv->outcomes.items[i]));
	set_list(vc, ctx, "outcomes", l);
	l = nb_val_list(vc->a);
	for (i = 0; i < dv->top_areas.len; i++) {
		const nb_area *a = dv->top_areas.items[i];
		size_t j;
		nb_val_push(vc->a, l, area_link(vc, a));
		for (j = 0; j < a->children.len; j++)
			nb_val_push(vc->a, l, area_link(vc, a->children.items[j]));
	}
	set_list(vc, ctx, "areas", l);
	return ctx;
}

uint64_t
nb_view_home_sig(const nb_view_ctx *vc, uint64_t h)
{
	const nb_derived *dv = vc->dv;
	size_t i, k = 0;

	h = sig_consultations(h, &dv->by_status[NB_STATUS_CLOSING_SOON],
			      HOME_LIMIT);
	h = sig_consultations(h, &dv->by_status[NB_STATUS_OPEN], HOME_LIMIT);
	h = sig_consultations(h, &dv->by_status[NB_STATUS_UPCOMING],
			      HOME_LIMIT);
	h = nb_sig_u64(h, dv->open_now.len);
	/* the events event_list() shows */
	for (i = 0; i < dv->upcoming_events.len && k < HOME_LIMIT; i++) {
		const nb_event *ev = dv->upcoming_events.items[i];
		if (nb_date_cmp(ev->end.date, dv->today) < 0)
			continue;
		h = nb_sig_u64(h, nb_sig_event(ev));
		k++;
	}
	h = nb_sig_u64(h, k);
	for (i = 0; i < dv->outcomes.len && i < HOME_LIMIT; i++)
		h = nb_sig_u64(h, nb_sig_outcome(dv->outcomes.items[i]));
	return nb_sig_u64(h, i);
}

/* ---- areas ---------------------------------------------------------------- */

/* The area tree as nested lists, built iteratively (no recursion over
 * user-built trees). */
static nb_value *
area_tree(nb_view_ctx *vc, const nb_vec *tops)
{
	struct frame { const nb_vec *v; size_t i; nb_value *list; } st[66];
	nb_value *root = nb_val_list(vc->a);
	int sp = 0;

	st[0].v = tops;
	st[0].i = 0;
	st[0].list = root;
	while (sp >= 0) {
		struct frame *f = &st[sp];
		const nb_area *a;
		nb_value *item;

		if (f->i >= f->v->len) {
			sp--;
			continue;
		}
		a = f->v->items[f->i++];
		item = area_link(vc, a);
		nb_val_set_num(vc->a, item, "count",
			       (double)a->consultations.len);
		nb_val_push(vc->a, f->list, item);
		/* an explicit false, or {{#children}} in a leaf would find
		 * its parent's children up the context stack */
		nb_val_set_bool(vc->a, item, "children", 0);
		if (a->children.len && sp < 64) {
			nb_value *kids = nb_val_list(vc->a);
			nb_value *w = nb_val_map(vc->a);
			nb_val_set(vc->a, w, "items", kids);
			nb_val_set(vc->a, item, "children", w);
			sp++;
			st[sp].v = &a->children;
			st[sp].i = 0;
			st[sp].list = kids;
		}
	}
	return root;
}

nb_value *
nb_view_areas(nb_view_ctx *vc)
{
	nb_value *ctx = nb_view_page(vc, "Areas", "areas", "areas/");

	crumbs_home(vc, ctx);
	set_list(vc, ctx, "areas", area_tree(vc, &vc->dv->top_areas));
	return ctx;
}

uint64_t
nb_view_areas_sig(const nb_view_ctx *vc, uint64_t h)
{
	size_t i;

	/* the tree itself is in every page's signature: the counts */
	for (i = 0; i < vc->m->areas.len; i++) {
		const nb_area *a = vc->m->areas.items[i];
		h = nb_sig_u64(h, a->consultations.len);
	}
	return h;
}

void
nb_view_upcoming(nb_arena *a, const nb_vec *evs, const nb_vec *extra,
		 nb_date today, nb_vec *out)
{
	static const nb_vec none = { NULL, 0, 0 };
	size_t i = 0, j = 0;

	if (!extra)
		extra = &none;
	while (i < evs->len || j < extra->len) {
		nb_event *ev;
		if (j >= extra->len || (i < evs->len &&
		    nb_local_cmp(((nb_event *)evs->items[i])->start,
				 ((nb_event *)extra->items[j])->start) <= 0))
			ev = evs->items[i++];
		else
			ev = extra->items[j++];
		if (nb_date_cmp(ev->end.date, today) >= 0)
			nb_vec_push(a, out, ev);
	}
}

/* A listing's upcoming events (its own and extra, which may be NULL):
 * the first few, and where all of them are (BASE events/) when there
 * are more. */
static void
set_events(nb_view_ctx *vc, nb_value *v, const nb_vec *evs,
	   const nb_vec *extra, const char *base)
{
	nb_vec up = { NULL, 0, 0 };

	nb_view_upcoming(vc->a, evs, extra, vc->dv->today, &up);
	set_list(vc, v, "events", event_list(vc, &up, 0,
		 NB_VIEW_CURRENT_SHOWN));
	if (up.len > NB_VIEW_CURRENT_SHOWN) {
		nb_val_set_num(vc->a, v, "events_count", (double)up.len);
		nb_val_set_str(vc->a, v, "events_url", url(vc, "%sevents/", base));
	} else {
		nb_val_set_str(vc->a, v, "events_url", NULL);
	}
}

void
nb_view_listing(nb_arena *a, const nb_vec *cs, const nb_vec *extra,
		const nb_vec *evs, const nb_vec *extra_evs, nb_date today,
		nb_listing *out)
{
	memset(out, 0, sizeof(*out));
	merge_closing(a, cs, extra, is_open, &out->open);
	merge_closing(a, cs, extra, is_coming, &out->coming);
	nb_view_past(a, cs, extra, &out->past);
	nb_view_upcoming(a, evs, extra_evs, today, &out->events);
}

/* What set_partitioned() and set_events() show of a listing: the first
 * of each list, and how many there are. */
static uint64_t
listing_sig(uint64_t h, const nb_listing *l)
{
	size_t i;

	h = sig_consultations(h, &l->open, NB_VIEW_CURRENT_SHOWN);
	h = sig_consultations(h, &l->coming, NB_VIEW_CURRENT_SHOWN);
	h = sig_consultations(h, &l->past, NB_VIEW_PAST_SHOWN);
	h = nb_sig_u64(h, l->events.len);
	for (i = 0; i < l->events.len && i < NB_VIEW_CURRENT_SHOWN; i++)
		h = nb_sig_u64(h, nb_sig_event(l->events.items[i]));
	return h;
}

nb_value *
nb_view_area(nb_view_ctx *vc, const nb_area *ar)
{
	nb_value *ctx = nb_view_page(vc, ar->name, "areas",
		nb_arena_printf(vc->a, "areas/%s/", ar->id));
	nb_value *v = area_link(vc, ar), *l;
	const nb_area *anc[66];
	int n = 0, i;
	size_t k;

	crumbs_home(vc, ctx);
	nb_view_crumb(vc, ctx, "Areas", "areas/");
	for (const nb_area *p = ar->parent; p && n < 64; p = p->parent)
		anc[n++] = p;
	for (i = n - 1; i >= 0; i--)
		nb_view_crumb(vc, ctx, anc[i]->name,
			      nb_arena_printf(vc->a, "areas/%s/", anc[i]->id));
	nb_val_set(vc->a, ctx, "area", v);
	nb_val_set_str(vc->a, v, "code", ar->code);
	nb_val_set_str(vc->a, v, "description", ar->description);
	if (ar->description)
		nb_val_set_str(vc->a, nb_val_get(ctx, "page"), "description",
			       ar->description);
	if (ar->parent)
		nb_val_set(vc->a, v, "parent", area_link(vc, ar->parent));
	l = nb_val_list(vc->a);
	for (k = 0; k < ar->children.len; k++)
		nb_val_push(vc->a, l, area_link(vc, ar->children.items[k]));
	set_list(vc, v, "children", l);
	l = nb_val_list(vc->a);
	for (k = 0; k < ar->contacts_len; k++)
		nb_val_push(vc->a, l, contact_val(vc, &ar->contacts[k]));
	set_list(vc, v, "contacts", l);
	set_partitioned(vc, ctx, &ar->consultations, &vc->dv->everywhere,
			nb_arena_printf(vc->a, "areas/%s/", ar->id));
	set_events(vc, ctx, &ar->events, &vc->dv->everywhere_events,
		   nb_arena_printf(vc->a, "areas/%s/", ar->id));
	/* the latest; all of them on pages of their own */
	l = nb_val_list(vc->a);
	for (k = 0; k < ar->outcomes.len && k < NB_VIEW_PAST_SHOWN; k++)
		nb_val_push(vc->a, l, outcome_item(vc, ar->outcomes.items[k]));
	set_list(vc, ctx, "outcomes", l);
	if (ar->outcomes.len > NB_VIEW_PAST_SHOWN) {
		nb_val_set_num(vc->a, ctx, "outcomes_count",
			       (double)ar->outcomes.len);
		nb_val_set_str(vc->a, ctx, "outcomes_url",
			       url(vc, "areas/%s/outcomes/", ar->id));
	} else {
		nb_val_set_str(vc->a, ctx, "outcomes_url", NULL);
	}
	return ctx;
}

uint64_t
nb_view_area_sig(const nb_area *ar, const nb_listing *l, uint64_t h)
{
	size_t k;

	h = listing_sig(str_sig(h, ar->id), l);
	h = nb_sig_u64(h, ar->outcomes.len);
	for (k = 0; k < ar->outcomes.len && k < NB_VIEW_PAST_SHOWN; k++)
		h = nb_sig_u64(h, nb_sig_outcome(ar->outcomes.items[k]));
	return h;
}

/* ---- partners, topics, audiences -------------------------------------- */

nb_value *
nb_view_partners(nb_view_ctx *vc)
{
	nb_value *ctx = nb_view_page(vc, "Partners", "partners", "partners/");
	nb_value *l = nb_val_list(vc->a);
	size_t i;

	crumbs_home(vc, ctx);
	for (i = 0; i < vc->m->partners.len; i++) {
		const nb_partner *p = vc->m->partners.items[i];
		nb_value *it = partner_link(vc, p);
		nb_val_set_str(vc->a, it, "description", p->description);
		nb_val_set_num(vc->a, it, "count", (double)p->consultations.len);
		nb_val_push(vc->a, l, it);
	}
	set_list(vc, ctx, "partners", l);
	return ctx;
}

uint64_t
nb_view_partners_sig(const nb_view_ctx *vc, uint64_t h)
{
	size_t i;

	for (i = 0; i < vc->m->partners.len; i++) {
		const nb_partner *p = vc->m->partners.items[i];
		h = nb_sig_u64(h, p->consultations.len);
	}
	return h;
}

nb_value *
nb_view_partner(nb_view_ctx *vc, const nb_partner *p)
{
	nb_value *ctx = nb_view_page(vc, p->name, "partners",
		nb_arena_printf(vc->a, "partners/%s/", p->id));
	nb_value *v = partner_link(vc, p);
	nb_vec none = { NULL, 0, 0 };

	crumbs_home(vc, ctx);
	nb_view_crumb(vc, ctx, "Partners", "partners/");
	nb_val_set(vc->a, ctx, "partner", v);
	nb_val_set_str(vc->a, v, "description", p->description);
	nb_val_set_str(vc->a, v, "website", p->website);
	nb_val_set_str(vc->a, v, "email", p->email);
	nb_val_set_str(vc->a, v, "phone", p->phone);
	nb_val_set_str(vc->a, v, "logo_url", p->logo_file);
	nb_val_set_str(vc->a, v, "logo_alt", p->logo_alt);
	set_partitioned(vc, ctx, &p->consultations, &none,
			nb_arena_printf(vc->a, "partners/%s/", p->id));
	set_events(vc, ctx, &p->events, NULL,
		   nb_arena_printf(vc->a, "partners/%s/", p->id));
	return ctx;
}

uint64_t
nb_view_partner_sig(const nb_partner *p, const nb_listing *l, uint64_t h)
{
	return listing_sig(str_sig(h, p->id), l);
}

static const char *
kind_title(const char *kind)
{
	return strcmp(kind, "topics") == 0 ? "Topics" : "Who it is for";
}

nb_value *
nb_view_terms(nb_view_ctx *vc, const char *kind)
{
	nb_value *ctx = nb_view_page(vc, kind_title(kind), "consultations",
		nb_arena_printf(vc->a, "%s/", kind));
	const nb_vec *ts = strcmp(kind, "topics") == 0 ? &vc->m->topics
						       : &vc->m->audiences;
	nb_value *l = nb_val_list(vc->a);
	size_t i;

	crumbs_home(vc, ctx);
	for (i = 0; i < ts->len; i++) {
		const nb_term *t = ts->items[i];
		nb_value *it = term_link(vc, kind, t);
		nb_val_set_str(vc->a, it, "description", t->description);
		nb_val_set_num(vc->a, it, "count", (double)t->consultations.len);
		nb_val_push(vc->a, l, it);
	}
	set_list(vc, ctx, "terms", l);
	nb_val_set_str(vc->a, ctx, "kind", kind);
	return ctx;
}

uint64_t
nb_view_terms_sig(const nb_view_ctx *vc, const char *kind, uint64_t h)
{
	const nb_vec *ts = strcmp(kind, "topics") == 0 ? &vc->m->topics
						       : &vc->m->audiences;
	size_t i;

	for (i = 0; i < ts->len; i++) {
		const nb_term *t = ts->items[i];
		h = nb_sig_u64(h, t->consultations.len);
	}
	return h;
}

nb_value *
nb_view_term(nb_view_ctx *vc, const char *kind, const nb_term *t)
{
	nb_value *ctx = nb_view_page(vc, t->label, "consultations",
		nb_arena_printf(vc->a, "%s/%s/", kind, t->id));
	nb_value *v = term_link(vc, kind, t);
	nb_vec none = { NULL, 0, 0 };

	crumbs_home(vc, ctx);
	nb_view_crumb(vc, ctx, kind_title(kind),
		      nb_arena_printf(vc->a, "%s/", kind));
	nb_val_set(vc->a, ctx, "term", v);
	nb_val_set_str(vc->a, v, "description", t->description);
	nb_val_set_str(vc->a, v, "kind", kind);
	set_partitioned(vc, ctx, &t->consultations, &none,
			nb_arena_printf(vc->a, "%s/%s/", kind, t->id));
	set_events(vc, ctx, &t->events, NULL,
		   nb_arena_printf(vc->a, "%s/%s/", kind, t->id));
	return ctx;
}

uint64_t
nb_view_term_sig(const char *kind, const nb_term *t, const nb_listing *l,
		 uint64_t h)
{
	return listing_sig(str_sig(str_sig(h, kind), t->id), l);
}

/* ---- calendar ------------------------------------------------------------- */

static nb_value *
cal_item(nb_view_ctx *vc, const nb_cal_item *it)
{
	nb_value *v = nb_val_map(vc->a);
	const nb_consultation *c = it->consultation;

	if (it->kind == NB_CAL_EVENT) {
		nb_val_set(vc->a, v, "event", event_val(vc, it->event));
		return v;
	}
	nb_val_set(vc->a, v, it->kind == NB_CAL_OPENS ? "opens" : "closes",
		   nb_val_bool(vc->a, 1));
	nb_val_set(vc->a, v, "consultation", consultation_item(vc, c));
	return v;
}

/* Items of one month grouped by day. */
static nb_value *
month_days(nb_view_ctx *vc, const nb_month *mo, int from_today)
{
	nb_value *days = nb_val_list(vc->a), *day = NULL;
	nb_date cur = { 0, 0, 0 };
	size_t i;

	for (i = 0; i < mo->items.len; i++) {
		const nb_cal_item *it = mo->items.items[i];
		if (from_today && nb_date_cmp(it->date, vc->dv->today) < 0)
			continue;
		if (!day || nb_date_cmp(it->date, cur) != 0) {
			day = nb_val_map(vc->a);
			cur = it->date;
			nb_val_set_str(vc->a, day, "date", date_text(vc, cur, 1));
			nb_val_set_str(vc->a, day, "date_iso", date_iso(vc, cur));
			nb_val_set(vc->a, day, "items", nb_val_list(vc->a));
			nb_val_push(vc->a, days, day);
		}
		nb_val_push(vc->a, nb_val_get(day, "items"), cal_item(vc, it));
	}
	return days;
}

static nb_value *
month_link(nb_view_ctx *vc, const nb_month *mo)
{
	nb_buf b = NB_BUF_INIT;
	nb_value *v;

	nb_fmt_month(&b, mo->year, mo->month);
	v = link_val(vc, buf_to_arena(vc, &b),
		     url(vc, "calendar/%04d/%02d/", mo->year, mo->month));
	nb_val_set_str(vc->a, v, "iso", nb_arena_printf(vc->a, "%04d-%02d",
		       mo->year, mo->month));
	return v;
}

nb_value *
nb_view_calendar(nb_view_ctx *vc)
{
	nb_value *ctx = nb_view_page(vc, "Calendar", "calendar", "calendar/");
	nb_value *months = nb_val_list(vc->a), *earlier = nb_val_list(vc->a);
	nb_value *later = nb_val_list(vc->a);
	const nb_vec *ms = &vc->dv->months;
	nb_date t = vc->dv->today;
	size_t i, shown = 0;

	crumbs_home(vc, ctx);
	for (i = 0; i < ms->len; i++) {
		const nb_month *mo = ms->items[i];
		int before = mo->year < t.year ||
			(mo->year == t.year && mo->month < t.month);
		if (before) {
			nb_val_push(vc->a, earlier, month_link(vc, mo));
		} else if (shown < CALENDAR_MONTHS) {
			nb_value *m = month_link(vc, mo);
			nb_value *days = month_days(vc, mo,
				mo->year == t.year && mo->month == t.month);
			shown++;
			if (!days->u.list.len)
				continue;
			nb_val_set(vc->a, m, "days", days);
			nb_val_push(vc->a, months, m);
		} else {
			nb_val_push(vc->a, later, month_link(vc, mo));
		}
	}
	set_list(vc, ctx, "months", months);
	set_list(vc, ctx, "later_months", later);
	set_list(vc, ctx, "earlier_months", earlier);
	return ctx;
}

uint64_t
nb_view_month_items_sig(uint64_t h, const nb_month *mo, int brief)
{
	size_t x;

	h = nb_sig_u64(h, (uint64_t)(mo->year * 12 + mo->month));
	h = nb_sig_u64(h, mo->items.len);
	for (x = 0; x < mo->items.len; x++) {
		const nb_cal_item *it = mo->items.items[x];
		h = nb_sig_u64(h, it->kind);
		h = nb_sig_u64(h, brief ?
			(it->event ? nb_sig_event_brief(it->event) :
			 nb_sig_consultation_brief(it->consultation)) :
			(it->event ? nb_sig_event(it->event) :
			 nb_sig_consultation(it->consultation)));
		/* an occurrence of a repeating event has its master's
		 * signature: its own day and time tell it apart */
		h = nb_sig_u64(h, it->event ?
			(uint64_t)nb_date_days(it->event->start.date) * 1440 +
			(uint64_t)(it->event->start.hour * 60 +
				   it->event->start.minute) : 0);
	}
	return h;
}

uint64_t
nb_view_calendar_sig(const nb_view_ctx *vc, uint64_t h, int brief)
{
	const nb_vec *ms = &vc->dv->months;
	nb_date t = vc->dv->today;
	size_t i, shown = 0;

	h = nb_sig_u64(h, ms->len);
	for (i = 0; i < ms->len; i++) {
		const nb_month *mo = ms->items[i];
		int before = mo->year < t.year ||
			(mo->year == t.year && mo->month < t.month);
		if (!before && shown < CALENDAR_MONTHS) {
			h = nb_view_month_items_sig(h, mo, brief);
			shown++;
		} else {
			h = nb_sig_u64(h, (uint64_t)(mo->year * 12 + mo->month));
		}
	}
	return h;
}

/* The month as weeks of days, Monday first, for a table: each day says
 * whether anything happens and links to that day in the list. */
static void
month_grid(nb_view_ctx *vc, nb_value *m, const nb_month *mo)
{
	nb_date first = { mo->year, mo->month, 1 }, d;
	int ndays = nb_days_in_month(mo->year, mo->month);
	int lead = nb_date_weekday(first);    /* 0 = Monday */
	int counts[32] = { 0 }, cell, w;
	nb_value *weeks = nb_val_list(vc->a), *names = nb_val_list(vc->a);
	size_t i;

	for (i = 0; i < mo->items.len; i++) {
		const nb_cal_item *it = mo->items.items[i];
		if (it->date.day >= 1 && it->date.day <= 31)
			counts[it->date.day]++;
	}
	for (w = 0; w < 7; w++) {
		nb_value *n = nb_val_map(vc->a);
		nb_val_set_str(vc->a, n, "name", nb_weekday_name(w));
		nb_val_set_str(vc->a, n, "short", nb_arena_strndup(vc->a,
			       nb_weekday_name(w), 3));
		nb_val_push(vc->a, names, n);
	}
	for (cell = 0; cell < lead + ndays; cell += 7) {
		nb_value *week = nb_val_map(vc->a), *days = nb_val_list(vc->a);
		for (w = 0; w < 7; w++) {
			nb_value *day = nb_val_map(vc->a);
			int dn = cell + w - lead + 1;
			if (dn < 1 || dn > ndays) {
				nb_val_set_bool(vc->a, day, "in_month", 0);
				nb_val_push(vc->a, days, day);
				continue;
			}
			d = first;
			d.day = dn;
			nb_val_set_bool(vc->a, day, "in_month", 1);
			nb_val_set_num(vc->a, day, "day", dn);
			nb_val_set_str(vc->a, day, "date_iso", date_iso(vc, d));
			nb_val_set_str(vc->a, day, "date_long", date_text(vc, d, 1));
			nb_val_set_num(vc->a, day, "count", counts[dn]);
			nb_val_set_bool(vc->a, day, "has_items", counts[dn] > 0);
			nb_val_set_bool(vc->a, day, "many", counts[dn] > 1);
			nb_val_set_bool(vc->a, day, "today",
					nb_date_cmp(d, vc->dv->today) == 0);
			nb_val_set_str(vc->a, day, "url", counts[dn] ?
				nb_arena_printf(vc->a, "#day-%s", date_iso(vc, d)) : NULL);
			nb_val_push(vc->a, days, day);
		}
		nb_val_set(vc->a, week, "days", days);
		nb_val_push(vc->a, weeks, week);
	}
	nb_val_set_bool(vc->a, m, "grid", 1);
	set_list(vc, m, "weekdays", names);
	set_list(vc, m, "weeks", weeks);
}

nb_value *
nb_view_month(nb_view_ctx *vc, size_t mi)
{
	const nb_vec *ms = &vc->dv->months;
	const nb_month *mo = ms->items[mi];
	nb_buf b = NB_BUF_INIT;
	nb_value *ctx, *m;
	const char *title;

	nb_fmt_month(&b, mo->year, mo->month);
	title = buf_to_arena(vc, &b);
	ctx = nb_view_page(vc, title, "calendar",
		nb_arena_printf(vc->a, "calendar/%04d/%02d/", mo->year,
				mo->month));
	crumbs_home(vc, ctx);
	nb_view_crumb(vc, ctx, "Calendar", "calendar/");
	m = month_link(vc, mo);
	nb_val_set(vc->a, m, "days", month_days(vc, mo, 0));
	month_grid(vc, m, mo);
	nb_val_set(vc->a, ctx, "month", m);
	if (mi > 0)
		nb_val_set(vc->a, ctx, "previous", month_link(vc, ms->items[mi - 1]));
	if (mi + 1 < ms->len)
		nb_val_set(vc->a, ctx, "next", month_link(vc, ms->items[mi + 1]));
	return ctx;
}

/* ---- content pages -------------------------------------------------------- */

nb_value *
nb_view_content_page(nb_view_ctx *vc, const nb_page *p)
{
	nb_value *ctx = nb_view_page(vc, p->title, "pages",
		nb_arena_printf(vc->a, "%s/", p->id));
	nb_value *v = nb_val_map(vc->a);

	crumbs_home(vc, ctx);
	nb_val_set_str(vc->a, v, "title", p->title);
	nb_val_set_str(vc->a, v, "summary", p->summary);
	nb_val_set_str(vc->a, v, "body_html", p->body_html);
	set_history(vc, v, p->hist, NULL);
	nb_val_set(vc->a, ctx, "content", v);
	if (p->summary)
		nb_val_set_str(vc->a, nb_val_get(ctx, "page"), "description",
			       p->summary);
	return ctx;
}

nb_value *
nb_view_not_found(nb_view_ctx *vc)
{
	return nb_view_page(vc, "Page not found", "none", "404.html");
}

/* ---- accountability ------------------------------------------------------ */

void
nb_view_promises_collect(nb_arena *a, nb_promise_list *pl, const nb_vec *cs,
			 const nb_vec *extra)
{
	const nb_vec *lists[2] = { cs, extra };
	size_t i, k;

	for (k = 0; k < 2; k++) {
		for (i = 0; lists[k] && i < lists[k]->len; i++) {
			const nb_consultation *c = lists[k]->items[i];
			if (c->promise == NB_PROMISE_NONE)
				continue;
			pl->counts[c->promise]++;
			nb_vec_push(a, &pl->items, (void *)c);
		}
	}
}

/* A page of a partner's or an area's promises: how many of each kind in
 * all, and a table of one page of the closed activities. */
nb_value *
nb_view_promises_page(nb_view_ctx *vc, const nb_promise_list *pl,
		      size_t page)
{
	size_t pages = nb_view_pages(pl->items.len), i;
	size_t first = (page - 1) * NB_VIEW_PER_PAGE;
	const char *name = pl->partner ? pl->partner->name : pl->area->name;
	const char *path = pl->partner ?
		nb_arena_printf(vc->a, "feedback/partners/%s/", pl->partner->id) :
		nb_arena_printf(vc->a, "feedback/areas/%s/", pl->area->id);
	const char *heading = nb_arena_printf(vc->a, "Feedback promises: %s",
					      name);
	nb_value *ctx = nb_view_page(vc, pages > 1 ? nb_arena_printf(vc->a,
		"%s (page %zu of %zu)", heading, page, pages) : heading,
		"feedback", page == 1 ? path :
		nb_arena_printf(vc->a, "%spage/%zu/", path, page));
	nb_value *l = nb_val_list(vc->a), *sum = nb_val_list(vc->a);

	crumbs_home(vc, ctx);
	nb_view_crumb(vc, ctx, "You said, we did", "feedback/");
	if (page > 1)
		nb_view_crumb(vc, ctx, heading, path);
	nb_val_set(vc->a, ctx, "subject", pl->partner ?
		   partner_link(vc, pl->partner) : area_link(vc, pl->area));
	nb_val_set_num(vc->a, ctx, "total", (double)pl->items.len);
	for (i = first; i < pl->items.len && i < first + NB_VIEW_PER_PAGE; i++)
		nb_val_push(vc->a, l, consultation_item(vc, pl->items.items[i]));
	set_list(vc, ctx, "promises", l);
	for (i = NB_PROMISE_AWAITING; i < NB_PROMISE_COUNT; i++) {
		nb_value *it = nb_val_map(vc->a);
		nb_val_set_str(vc->a, it, "label", nb_promise_label((nb_promise)i));
		nb_val_set_str(vc->a, it, "slug", nb_promise_slug((nb_promise)i));
		nb_val_set_num(vc->a, it, "count", (double)pl->counts[i]);
		nb_val_push(vc->a, sum, it);
	}
	set_list(vc, ctx, "promise_counts", sum);
	set_pagination(vc, ctx, path, page, pages);
	return ctx;
}

/* ---- yearly reports -------------------------------------------------------- */

#define CHART_WIDTH 640
#define CHART_BAR_MAX 560
#define CHART_ROW 52

static const char *
share_text(nb_view_ctx *vc, long part, long whole)
{
	return nb_arena_printf(vc->a, "%ld%%",
		whole ? (long)((double)part * 100.0 / (double)whole + 0.5) : 0L);
}

/* A bar chart drawn by the template from these coordinates, with the same
 * figures as a table and a sentence that says what it shows. */
static nb_value *
chart(nb_view_ctx *vc, const char *id, const char *title,
      const char *heading, const nb_tally *t, size_t n, long total,
      const char *summary)
{
	nb_value *c = nb_val_map(vc->a), *rows = nb_val_list(vc->a);
	long max = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].count > max)
			max = t[i].count;
	for (i = 0; i < n; i++) {
		nb_value *r = nb_val_map(vc->a);
		long w = max ? t[i].count * CHART_BAR_MAX / max : 0;
		if (t[i].count > 0 && w < 2)
			w = 2;
		nb_val_set_str(vc->a, r, "label", t[i].label);
		nb_val_set_num(vc->a, r, "count", (double)t[i].count);
		nb_val_set_str(vc->a, r, "share", share_text(vc, t[i].count, total));
		nb_val_set_num(vc->a, r, "label_y", (double)(i * CHART_ROW + 18));
		nb_val_set_num(vc->a, r, "bar_y", (double)(i * CHART_ROW + 26));
		nb_val_set_num(vc->a, r, "text_y", (double)(i * CHART_ROW + 40));
		nb_val_set_num(vc->a, r, "width", (double)w);
		nb_val_set_num(vc->a, r, "value_x", (double)(w + 8));
		nb_val_push(vc->a, rows, r);
	}
	nb_val_set_str(vc->a, c, "id", id);
	nb_val_set_str(vc->a, c, "title", title);
	nb_val_set_str(vc->a, c, "heading", heading);
	nb_val_set_str(vc->a, c, "summary", summary);
	nb_val_set_num(vc->a, c, "width", CHART_WIDTH);
	nb_val_set_num(vc->a, c, "height", (double)(n * CHART_ROW + 8));
	set_list(vc, c, "rows", rows);
	return c;
}

/* "Most activities were at the Consult level (15 of 27)." */
static const char *
leader_sentence(nb_view_ctx *vc, const char *fmt, const nb_tally *t,
		size_t n, long total)
{
	size_t i, ties = 0;

	if (!n || !total || t[0].count == 0)
		return "There were no activities this year.";
	for (i = 1; i < n; i++)
		ties += t[i].count == t[0].count;
	if (ties)
		return nb_arena_printf(vc->a, fmt, nb_arena_printf(vc->a,
			"%s and %zu %s", t[0].label, ties,
			ties == 1 ? "other" : "others"), t[0].count, total);
	return nb_arena_printf(vc->a, fmt, t[0].label, t[0].count, total);
}

nb_value *
nb_view_report(nb_view_ctx *vc, const nb_report *r)
{
	nb_value *ctx = nb_view_page(vc, nb_arena_printf(vc->a,
		"Engagement report %d", r->year), "reports",
		nb_arena_printf(vc->a, "reports/%d/", r->year));
	nb_value *charts = nb_val_list(vc->a), *fb = nb_val_map(vc->a);
	nb_tally levels[64], promise[3];
	size_t nl = r->by_level_len < 64 ? r->by_level_len : 64, i;
	long due = r->on_time + r->late + r->overdue;

	crumbs_home(vc, ctx);
	nb_view_crumb(vc, ctx, "Reports", "reports/");
	nb_val_set_num(vc->a, ctx, "year", r->year);
	nb_val_set_num(vc->a, ctx, "activities", (double)r->activities);
	nb_val_set_num(vc->a, ctx, "cancelled", (double)r->cancelled);
	nb_val_set_num(vc->a, ctx, "responses", (double)r->responses);
	nb_val_set_num(vc->a, ctx, "outcomes", (double)r->outcomes);
	nb_val_set_str(vc->a, ctx, "json_url", url(vc, "reports/%d/report.json", r->year));
	nb_val_set_str(vc->a, ctx, "csv_url", url(vc, "reports/%d/report.csv", r->year));

	/* the ladder in its own order, not sorted by count */
	for (i = 0; i < nl; i++)
		levels[i] = r->by_level[i];
	{
		nb_tally top[64];
		memcpy(top, levels, nl * sizeof(nb_tally));
		for (i = 1; i < nl; i++) {   /* the largest first, for the sentence */
			size_t j = i;
			while (j > 0 && top[j].count > top[j - 1].count) {
				nb_tally tmp = top[j];
				top[j] = top[j - 1];
				top[j - 1] = tmp;
				j--;
			}
		}
		nb_val_push(vc->a, charts, chart(vc, "by-level",
			nb_arena_printf(vc->a, "Activities by level of involvement, %d", r->year),
			"Level", levels, nl, r->activities,
			leader_sentence(vc, "Most activities were at the %s level (%ld of %ld).",
					top, nl, r->activities)));
	}
	nb_val_push(vc->a, charts, chart(vc, "by-partner",
		nb_arena_printf(vc->a, "Activities by partner, %d", r->year),
		"Partner", r->by_partner, r->by_partner_len, r->activities,
		leader_sentence(vc, "%s took part in the most activities (%ld of %ld).",
				r->by_partner, r->by_partner_len, r->activities)));
	nb_val_push(vc->a, charts, chart(vc, "by-area",
		nb_arena_printf(vc->a, "Activities by area, %d", r->year),
		"Area", r->by_area, r->by_area_len, r->activities,
		leader_sentence(vc, "The most activities were in %s (%ld of %ld).",
				r->by_area, r->by_area_len, r->activities)));
	nb_val_push(vc->a, charts, chart(vc, "by-topic",
		nb_arena_printf(vc->a, "Activities by topic, %d", r->year),
		"Topic", r->by_topic, r->by_topic_len, r->activities,
		leader_sentence(vc, "The most common topic was %s (%ld of %ld activities).",
				r->by_topic, r->by_topic_len, r->activities)));

	promise[0].id = "on-time";
	promise[0].label = "Published on time";
	promise[0].count = r->on_time;
	promise[1].id = "late";
	promise[1].label = "Published late";
	promise[1].count = r->late;
	promise[2].id = "overdue";
	promise[2].label = "Overdue";
	promise[2].count = r->overdue;
	nb_val_set(vc->a, fb, "chart", chart(vc, "feedback",
		nb_arena_printf(vc->a, "Feedback promises that fell due, for activities that closed in %d", r->year),
		"Promise", promise, 3, due,
		due ? nb_arena_printf(vc->a,
			"Of %ld feedback %s that fell due, %ld %s kept on time (%s).",
			due, due == 1 ? "promise" : "promises", r->on_time,
			r->on_time == 1 ? "was" : "were",
			share_text(vc, r->on_time, due))
		    : "No feedback promises fell due for activities that closed this year."));
	nb_val_set_num(vc->a, fb, "closed", (double)r->closed);
	nb_val_set_num(vc->a, fb, "awaiting", (double)r->awaiting);
	nb_val_set_num(vc->a, fb, "undated", (double)r->undated);
	nb_val_set_bool(vc->a, fb, "any_due", due > 0);
	nb_val_set_str(vc->a, fb, "on_time_share",
		       r->on_time_share < 0 ? NULL : share_text(vc, r->on_time, due));
	if (r->median_days >= 0)
		nb_val_set_str(vc->a, fb, "median_days",
			       r->median_days == (double)(long)r->median_days
			       ? nb_arena_printf(vc->a, "%ld", (long)r->median_days)
			       : nb_arena_printf(vc->a, "%.1f", r->median_days));
	else
		nb_val_set_str(vc->a, fb, "median_days", NULL);
	nb_val_set(vc->a, ctx, "feedback", fb);
	set_list(vc, ctx, "charts", charts);
	return ctx;
}

nb_value *
nb_view_reports(nb_view_ctx *vc, const nb_report *r, size_t n)
{
	nb_value *ctx = nb_view_page(vc, "Engagement reports", "reports",
				     "reports/");
	nb_value *l = nb_val_list(vc->a);
	size_t i;

	crumbs_home(vc, ctx);
	for (i = n; i-- > 0;) {
		nb_value *it = link_val(vc, nb_arena_printf(vc->a,
			"Engagement report %d", r[i].year),
			url(vc, "reports/%d/", r[i].year));
		nb_val_set_num(vc->a, it, "year", r[i].year);
		nb_val_set_num(vc->a, it, "activities", (double)r[i].activities);
		nb_val_push(vc->a, l, it);
	}
	set_list(vc, ctx, "reports", l);
	return ctx;
}

uint64_t
nb_view_reports_sig(uint64_t h, const nb_report *r, size_t n)
{
	size_t i;

	h = nb_sig_u64(h, n);
	for (i = 0; i < n; i++) {
		h = nb_sig_u64(h, (uint64_t)r[i].year);
		h = nb_sig_u64(h, (uint64_t)r[i].activities);
	}
	return h;
}

/* ---- feeds, embeds, sitemap ------------------------------------------------- */

/* An absolute URL for a path under the prefix. */
const char *
nb_view_abs_url(nb_view_ctx *vc, const char *path)
{
	return nb_arena_printf(vc->a, "%s%s%s", vc->m->site.base_url,
			       vc->prefix + strlen(vc->prefix) - 1, path);
}

nb_value *
nb_view_subscribe(nb_view_ctx *vc, const nb_feed_link *f, size_t n)
{
	static const struct { const char *group, *key; } groups[] = {
		{ "site", "site_feeds" }, { "areas", "area_feeds" },
		{ "partners", "partner_feeds" }, { "topics", "topic_feeds" },
	};
	nb_value *ctx = nb_view_page(vc, "Add the calendar to your phone or computer",
				     "calendar", "subscribe/");
	const char *host = strstr(vc->m->site.base_url, "://");
	size_t g, i;

	host = host ? host + 3 : vc->m->site.base_url;
	crumbs_home(vc, ctx);
	nb_view_crumb(vc, ctx, "Calendar", "calendar/");
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		nb_value *l = nb_val_list(vc->a);
		for (i = 0; i < n; i++) {
			nb_value *it;
			if (strcmp(f[i].group, groups[g].group) != 0)
				continue;
			it = nb_val_map(vc->a);
			nb_val_set_str(vc->a, it, "label", f[i].label);
			nb_val_set_str(vc->a, it, "https", nb_view_abs_url(vc, f[i].ics_path));
			nb_val_set_str(vc->a, it, "webcal", nb_arena_printf(vc->a,
				"webcal://%s%s%s", host,
				vc->prefix + strlen(vc->prefix) - 1, f[i].ics_path));
			nb_val_set_str(vc->a, it, "ics_url", url(vc, "%s", f[i].ics_path));
			nb_val_set_str(vc->a, it, "atom_url", f[i].atom_path ?
				url(vc, "%s", f[i].atom_path) : NULL);
			nb_val_push(vc->a, l, it);
		}
		set_list(vc, ctx, groups[g].key, l);
	}
	return ctx;
}

uint64_t
nb_view_subscribe_sig(uint64_t h, const nb_feed_link *f, size_t n)
{
	size_t i;

	h = nb_sig_u64(h, n);
	for (i = 0; i < n; i++) {
		h = str_sig(h, f[i].label);
		h = str_sig(h, f[i].group);
		h = str_sig(h, f[i].ics_path);
		h = str_sig(h, f[i].atom_path);
	}
	return h;
}

static const char *
rfc3339_day(nb_view_ctx *vc, nb_date d)
{
	return nb_arena_printf(vc->a, "%04d-%02d-%02dT00:00:00Z", d.year,
			       d.month, d.day);
}

/* One candidate entry of an Atom feed: the dates it is ordered by and the
 * record it shows (a consultation or an outcome). */
typedef struct feed_item {
	nb_date updated, published;
	const char *dir;             /* "consultations" or "outcomes" */
	const char *id;
	const nb_consultation *c;    /* NULL for an outcome */
	const nb_outcome *o;         /* NULL for a consultation */
} feed_item;

/* Newest first by last update, then by publication; then by address, so
 * that the same records always give the same feed. */
static int
cmp_feed_item(const void *x, const void *y)
{
	const feed_item *a = x, *b = y;
	int r = nb_date_cmp(b->updated, a->updated);

	if (r == 0)
		r = nb_date_cmp(b->published, a->published);
	if (r == 0)
		r = strcmp(a->dir, b->dir);
	if (r == 0)
		r = strcmp(a->id, b->id);
	return r;
}

static nb_value *
atom_entry(nb_view_ctx *vc, const feed_item *it)
{
	nb_value *e = nb_val_map(vc->a);
	const nb_consultation *lead_of = it->c ? it->c : it->o->consultation;

	if (it->c)
		nb_val_set_str(vc->a, e, "title", nb_arena_printf(vc->a,
			       "%s (%s)", it->c->title,
			       nb_status_label(it->c->status)));
	else
		nb_val_set_str(vc->a, e, "title", it->o->title ? it->o->title :
			nb_arena_printf(vc->a, "What happened: %s",
					it->o->consultation->title));
	nb_val_set_str(vc->a, e, "url", nb_view_abs_url(vc, nb_arena_printf(vc->a,
		       "%s/%s/", it->dir, it->id)));
	nb_val_set_str(vc->a, e, "updated", rfc3339_day(vc, it->updated));
	nb_val_set_str(vc->a, e, "published", rfc3339_day(vc, it->published));
	nb_val_set_str(vc->a, e, "summary", it->c ? it->c->summary :
		       it->o->summary);
	nb_val_set_str(vc->a, e, "author", lead_of->tags.lead ?
		       lead_of->tags.lead->name : vc->m->site.title);
	return e;
}

nb_value *
nb_view_atom(nb_view_ctx *vc, const char *title, const char *self,
	     const char *alternate, const nb_vec *cs, const nb_vec *os)
{
	nb_value *ctx = nb_val_map(vc->a), *feed = nb_val_map(vc->a);
	nb_value *entries = nb_val_list(vc->a);
	nb_date newest = { 1970, 1, 1 };
	size_t nc = cs ? cs->len : 0, no = os ? os->len : 0, n = 0, i, limit;
	feed_item *items;

	nb_val_set(vc->a, ctx, "site", (nb_value *)vc->site);
	nb_val_set(vc->a, ctx, "feed", feed);
	nb_val_set_str(vc->a, feed, "title", nb_arena_printf(vc->a, "%s: %s",
		       title, vc->m->site.title));
	nb_val_set_str(vc->a, feed, "self", nb_view_abs_url(vc, self));
	nb_val_set_str(vc->a, feed, "alternate", nb_view_abs_url(vc, alternate));

	/* Sort a copy in the page's arena: the caller's lists are shared
	 * with the other render threads, and stay in record order. */
	items = nb_arena_alloc(vc->a, (nc + no + 1) * sizeof(*items));
	for (i = 0; i < nc; i++) {
		const nb_consultation *c = cs->items[i];
		feed_item *it = &items[n++];
		it->updated = c->changed;
		it->published = nb_date_cmp(c->opens, vc->dv->today) <= 0 ?
				c->opens : it->updated;
		it->dir = "consultations";
		it->id = c->id;
		it->c = c;
	}
	for (i = 0; i < no; i++) {
		const nb_outcome *o = os->items[i];
		feed_item *it = &items[n++];
		it->updated = o->changed;
		it->published = o->published;
		it->dir = "outcomes";
		it->id = o->id;
		it->o = o;
	}
	if (n > 1)
		qsort(items, n, sizeof(*items), cmp_feed_item);

	/* Feed readers poll every feed often: only the newest entries. */
	limit = vc->m->site.feed_entries > 0 ?
		(size_t)vc->m->site.feed_entries : n;
	for (i = 0; i < n && i < limit; i++)
		nb_val_push(vc->a, entries, atom_entry(vc, &items[i]));
	if (n > 0)
		newest = items[0].updated;
	nb_val_set_str(vc->a, feed, "updated", rfc3339_day(vc, newest));
	set_list(vc, feed, "entries", entries);
	return ctx;
}

nb_value *
nb_view_embed(nb_view_ctx *vc, const char *title, const char *full_path,
	      const nb_vec *cs, const nb_vec *extra, const nb_vec *evs,
	      const nb_vec *extra_evs)
{
	nb_value *ctx = nb_val_map(vc->a), *l;
	size_t i = 0, j = 0, n = 0;

	nb_val_set(vc->a, ctx, "site", (nb_value *)vc->site);
	nb_val_set_str(vc->a, ctx, "title", title);
	nb_val_set_str(vc->a, ctx, "full_url", nb_view_abs_url(vc, full_path));
	nb_val_set_str(vc->a, ctx, "base_url", vc->m->site.base_url);
	/* open now, in closing order, from both lists */
	l = nb_val_list(vc->a);
	while ((i < cs->len || (extra && j < extra->len)) && n < 10) {
		const nb_consultation *c;
		if (!extra || j >= extra->len)
			c = cs->items[i++];
		else if (i >= cs->len)
			c = extra->items[j++];
		else if (nb_date_cmp(((nb_consultation *)cs->items[i])->closes,
				     ((nb_consultation *)extra->items[j])->closes) <= 0)
			c = cs->items[i++];
		else
			c = extra->items[j++];
		if (c->status != NB_STATUS_OPEN &&
		    c->status != NB_STATUS_CLOSING_SOON)
			continue;
		{
			nb_value *it = consultation_item(vc, c);
			nb_val_set_str(vc->a, it, "abs_url", nb_view_abs_url(vc,
				nb_arena_printf(vc->a, "consultations/%s/", c->id)));
			nb_val_push(vc->a, l, it);
		}
		n++;
	}
	set_list(vc, ctx, "open_now", l);
	l = nb_val_list(vc->a);
	{
		nb_vec up = { NULL, 0, 0 };
		nb_value *evl;
		size_t k;
		nb_view_upcoming(vc->a, evs, extra_evs, vc->dv->today, &up);
		evl = event_list(vc, &up, 0, 5);
		for (k = 0; k < evl->u.list.len; k++) {
			nb_value *it = evl->u.list.items[k];
			nb_value *u = nb_val_get(it, "url");
			if (u && u->type == NB_VAL_STR)
				nb_val_set_str(vc->a, it, "abs_url", nb_arena_printf(vc->a,
					"%s%s", vc->m->site.base_url, u->u.str.s));
			nb_val_push(vc->a, l, it);
		}
	}
	set_list(vc, ctx, "events", l);
	return ctx;
}

uint64_t
nb_view_embed_sig(const char *title, const char *full_path,
		  const nb_listing *l, uint64_t h)
{
	size_t i;

	/* the first ten open, in closing order, and five events */
	h = str_sig(str_sig(h, title), full_path);
	h = sig_consultations(h, &l->open, 10);
	h = nb_sig_u64(h, l->events.len);
	for (i = 0; i < l->events.len && i < 5; i++)
		h = nb_sig_u64(h, nb_sig_event(l->events.items[i]));
	return h;
}

nb_value *
nb_view_sitemap(nb_view_ctx *vc, const nb_sitemap_entry *e, size_t n)
{
	nb_value *ctx = nb_val_map(vc->a), *l = nb_val_list(vc->a);
	size_t i;

	for (i = 0; i < n; i++) {
		nb_value *it = nb_val_map(vc->a);
		nb_val_set_str(vc->a, it, "loc", nb_view_abs_url(vc, e[i].path));
		nb_val_set_str(vc->a, it, "lastmod", date_iso(vc, e[i].lastmod));
		nb_val_push(vc->a, l, it);
	}
	set_list(vc, ctx, "urls", l);
	nb_val_set(vc->a, ctx, "site", (nb_value *)vc->site);
	return ctx;
}

/* ---- history and redirects ---------------------------------------------------- */

nb_value *
nb_view_history(nb_view_ctx *vc, const char *title, const char *section,
		const char *record_path, const struct nb_file_history *h)
{
	nb_value *ctx = nb_view_page(vc, nb_arena_printf(vc->a,
		"Changes to this page: %s", title), section,
		nb_arena_printf(vc->a, "%shistory/", record_path));
	nb_value *l = nb_val_list(vc->a);
	size_t i;

	crumbs_home(vc, ctx);
	nb_view_crumb(vc, ctx, title, record_path);
	nb_val_set_str(vc->a, ctx, "record_title", title);
	nb_val_set_str(vc->a, ctx, "record_url", url(vc, "%s", record_path));
	for (i = 0; h && i < h->n; i++) {
		const nb_change *c = &h->changes[i];
		nb_local when = nb_tz_from_utc(c->time, NULL);
		nb_value *it = nb_val_map(vc->a);
		nb_buf b = NB_BUF_INIT;
		set_date(vc, it, "date", when.date);
		nb_fmt_time(&b, when.hour, when.minute);
		nb_val_set_str(vc->a, it, "time", buf_to_arena(vc, &b));
		nb_fmt_iso_local(&b, when);
		nb_val_set_str(vc->a, it, "datetime", buf_to_arena(vc, &b));
		nb_val_set_str(vc->a, it, "subject", c->subject);
		nb_val_set_str(vc->a, it, "commit", nb_arena_strndup(vc->a,
			       c->commit, 12));
		nb_val_set_str(vc->a, it, "author", vc->m->site.history_authors ?
			       c->author : NULL);
		nb_val_set_bool(vc->a, it, "renamed", c->renamed_from != NULL);
		nb_val_set_bool(vc->a, it, "first", i + 1 == h->n);
		nb_val_push(vc->a, l, it);
	}
	set_list(vc, ctx, "changes", l);
	return ctx;
}

nb_value *
nb_view_redirect(nb_view_ctx *vc, const nb_redirect *r)
{
	nb_value *ctx = nb_view_page(vc, r->title, "none", r->from);
	nb_value *page = nb_val_get(ctx, "page");

	nb_val_set_str(vc->a, ctx, "to_url", url(vc, "%s", r->to));
	nb_val_set_str(vc->a, ctx, "to_abs", nb_view_abs_url(vc, r->to));
	nb_val_set_str(vc->a, page, "canonical", nb_view_abs_url(vc, r->to));
	return ctx;
}
