/*
 * ical.c - iCalendar feeds and recurrence with libical.
 *
 * Components are built with libical, serialised, and then re-folded here:
 * lines are unfolded and folded again at 75 octets on UTF-8 character
 * boundaries, with CRLF line ends, whatever libical's own folding did.
 */
#include "ical.h"

#include <dlfcn.h>
#include <libical/ical.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRODID "-//Noticeboard//Noticeboard " NB_ICAL_VERSION "//EN"
#ifndef NB_VERSION
#define NB_VERSION "0"
#endif
#define NB_ICAL_VERSION NB_VERSION

/*
 * libical keeps state in globals (its built-in time zones above all), so
 * every call into it is made under this lock: the render stage runs in
 * threads.
 */
static pthread_mutex_t ical_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * libical is loaded when the first calendar, recurrence or check needs it
 * (dlopen, by the soname the Makefile found), or ahead in a thread of its
 * own (nb_ical_preload): linked, it and the ICU and C++ libraries it
 * brings were set up before main() on every start, 6 ms of the one core
 * a rebuild is then using.  Every call below goes through this table.
 */
#ifndef NB_ICAL_LIBRARY
#define NB_ICAL_LIBRARY "libical.so.3"
#endif

#define ICAL_FUNCS(X) \
	X(icalcomponent_add_property) \
	X(icalcomponent_as_ical_string_r) \
	X(icalcomponent_count_errors) \
	X(icalcomponent_free) \
	X(icalcomponent_get_first_component) \
	X(icalcomponent_get_first_property) \
	X(icalcomponent_get_next_component) \
	X(icalcomponent_new_clone) \
	X(icalcomponent_new_vcalendar) \
	X(icalcomponent_new_vevent) \
	X(icalerrno_return) \
	X(icalerror_clear_errno) \
	X(icalparameter_new_tzid) \
	X(icalparameter_new_value) \
	X(icalparser_parse_string) \
	X(icalproperty_add_parameter) \
	X(icalproperty_get_xlicerror) \
	X(icalproperty_new_calscale) \
	X(icalproperty_new_description) \
	X(icalproperty_new_dtend) \
	X(icalproperty_new_dtstart) \
	X(icalproperty_new_exdate) \
	X(icalproperty_new_location) \
	X(icalproperty_new_method) \
	X(icalproperty_new_prodid) \
	X(icalproperty_new_rrule) \
	X(icalproperty_new_status) \
	X(icalproperty_new_summary) \
	X(icalproperty_new_transp) \
	X(icalproperty_new_uid) \
	X(icalproperty_new_url) \
	X(icalproperty_new_version) \
	X(icalproperty_new_x) \
	X(icalproperty_set_tzid) \
	X(icalproperty_set_x_name) \
	X(icalrecur_iterator_free) \
	X(icalrecur_iterator_new) \
	X(icalrecur_iterator_next) \
	X(icalrecurrencetype_day_position) \
	X(icalrecurrencetype_from_string) \
	X(icaltime_is_null_time) \
	X(icaltime_null_date) \
	X(icaltime_null_time) \
	X(icaltimezone_get_builtin_timezone) \
	X(icaltimezone_get_component) \
	X(icaltimezone_get_utc_timezone) \
	X(icaltimezone_truncate_vtimezone)

static struct {
#define X(f) __typeof__(f) *f;
	ICAL_FUNCS(X)
#undef X
} ical_fn;

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *ical_library = NB_ICAL_LIBRARY;
static atomic_int ical_state;    /* 0 not tried, 1 loaded, -1 failed */
static char ical_why[300];       /* why it could not be loaded */

/* Under load_lock. */
static void
ical_load(void)
{
	static const char *const names[] = {
#define X(f) #f,
		ICAL_FUNCS(X)
#undef X
	};
	void *lib = dlopen(ical_library, RTLD_NOW | RTLD_LOCAL), *p;
	size_t i = 0;

	ical_why[0] = '\0';
	if (!lib) {
		const char *e = dlerror();
		snprintf(ical_why, sizeof(ical_why), "cannot load %s: %s",
			 ical_library, e ? e : "not found");
		atomic_store(&ical_state, -1);
		return;
	}
	/* POSIX: a function's address may be taken from dlsym's void * */
#define X(f) \
	if (!ical_why[0]) { \
		if (!(p = dlsym(lib, names[i]))) \
			snprintf(ical_why, sizeof(ical_why), \
				 "%s has no %s", ical_library, names[i]); \
		else \
			memcpy(&ical_fn.f, &p, sizeof(p)); \
	} \
	i++;
	ICAL_FUNCS(X)
#undef X
	atomic_store(&ical_state, ical_why[0] ? -1 : 1);
}

/* 0 once libical is loaded; else -1 with why in ical_why. */
static int
ical_ready(void)
{
	int st = atomic_load(&ical_state);

	if (st == 0) {
		pthread_mutex_lock(&load_lock);
		if (atomic_load(&ical_state) == 0)
			ical_load();
		st = atomic_load(&ical_state);
		pthread_mutex_unlock(&load_lock);
	}
	return st > 0 ? 0 : -1;
}

void
nb_ical_library(const char *soname)
{
	pthread_mutex_lock(&load_lock);
	ical_library = soname ? soname : NB_ICAL_LIBRARY;
	atomic_store(&ical_state, 0);
	pthread_mutex_unlock(&load_lock);
}

static void *
preload(void *arg)
{
	(void)arg;
	(void)ical_ready();
	return NULL;
}

void
nb_ical_preload(nb_ical_loader *l)
{
	l->started = atomic_load(&ical_state) == 0 &&
		     pthread_create(&l->t, NULL, preload, NULL) == 0;
}

void
nb_ical_preload_join(nb_ical_loader *l)
{
	if (l->started)
		pthread_join(l->t, NULL);
	l->started = 0;
}

const char *
nb_ical_load_error(void)
{
	return ical_ready() == 0 ? NULL : ical_why;
}

/* The calls below go through the table. */
#define icalcomponent_add_property (*ical_fn.icalcomponent_add_property)
#define icalcomponent_as_ical_string_r (*ical_fn.icalcomponent_as_ical_string_r)
#define icalcomponent_count_errors (*ical_fn.icalcomponent_count_errors)
#define icalcomponent_free (*ical_fn.icalcomponent_free)
#define icalcomponent_get_first_component (*ical_fn.icalcomponent_get_first_component)
#define icalcomponent_get_first_property (*ical_fn.icalcomponent_get_first_property)
#define icalcomponent_get_next_component (*ical_fn.icalcomponent_get_next_component)
#define icalcomponent_new_clone (*ical_fn.icalcomponent_new_clone)
#define icalcomponent_new_vcalendar (*ical_fn.icalcomponent_new_vcalendar)
#define icalcomponent_new_vevent (*ical_fn.icalcomponent_new_vevent)
#define icalerror_clear_errno (*ical_fn.icalerror_clear_errno)
#define icalparameter_new_tzid (*ical_fn.icalparameter_new_tzid)
#define icalparameter_new_value (*ical_fn.icalparameter_new_value)
#define icalparser_parse_string (*ical_fn.icalparser_parse_string)
#define icalproperty_add_parameter (*ical_fn.icalproperty_add_parameter)
#define icalproperty_get_xlicerror (*ical_fn.icalproperty_get_xlicerror)
#define icalproperty_new_calscale (*ical_fn.icalproperty_new_calscale)
#define icalproperty_new_description (*ical_fn.icalproperty_new_description)
#define icalproperty_new_dtend (*ical_fn.icalproperty_new_dtend)
#define icalproperty_new_dtstart (*ical_fn.icalproperty_new_dtstart)
#define icalproperty_new_exdate (*ical_fn.icalproperty_new_exdate)
#define icalproperty_new_location (*ical_fn.icalproperty_new_location)
#define icalproperty_new_method (*ical_fn.icalproperty_new_method)
#define icalproperty_new_prodid (*ical_fn.icalproperty_new_prodid)
#define icalproperty_new_rrule (*ical_fn.icalproperty_new_rrule)
#define icalproperty_new_status (*ical_fn.icalproperty_new_status)
#define icalproperty_new_summary (*ical_fn.icalproperty_new_summary)
#define icalproperty_new_transp (*ical_fn.icalproperty_new_transp)
#define icalproperty_new_uid (*ical_fn.icalproperty_new_uid)
#define icalproperty_new_url (*ical_fn.icalproperty_new_url)
#define icalproperty_new_version (*ical_fn.icalproperty_new_version)
#define icalproperty_new_x (*ical_fn.icalproperty_new_x)
#define icalproperty_set_tzid (*ical_fn.icalproperty_set_tzid)
#define icalproperty_set_x_name (*ical_fn.icalproperty_set_x_name)
#define icalrecur_iterator_free (*ical_fn.icalrecur_iterator_free)
#define icalrecur_iterator_new (*ical_fn.icalrecur_iterator_new)
#define icalrecur_iterator_next (*ical_fn.icalrecur_iterator_next)
#define icalrecurrencetype_day_position (*ical_fn.icalrecurrencetype_day_position)
#define icalrecurrencetype_from_string (*ical_fn.icalrecurrencetype_from_string)
#define icaltime_is_null_time (*ical_fn.icaltime_is_null_time)
#define icaltime_null_date (*ical_fn.icaltime_null_date)
#define icaltime_null_time (*ical_fn.icaltime_null_time)
#define icaltimezone_get_builtin_timezone (*ical_fn.icaltimezone_get_builtin_timezone)
#define icaltimezone_get_component (*ical_fn.icaltimezone_get_component)
#define icaltimezone_get_utc_timezone (*ical_fn.icaltimezone_get_utc_timezone)
#define icaltimezone_truncate_vtimezone (*ical_fn.icaltimezone_truncate_vtimezone)
#undef icalerrno
#define icalerrno (*(*ical_fn.icalerrno_return)())

/* ---- recurrence ------------------------------------------------------------ */

static int
ical_rrule_check_unlocked(const char *rule, char *why, size_t why_size)
{
	struct icalrecurrencetype r;

	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(rule);
	if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		snprintf(why, why_size, "\"%s\" is not a recurrence rule", rule);
		icalerror_clear_errno();
		return -1;
	}
	if (r.freq < ICAL_DAILY_RECURRENCE) {
		snprintf(why, why_size,
			 "events cannot repeat more often than daily");
		return -1;
	}
	{
		/* libical searches for ever for the sixth Friday of a month */
		int k, most = r.freq == ICAL_MONTHLY_RECURRENCE ? 5 :
			      r.freq == ICAL_YEARLY_RECURRENCE ? 53 : 0;
		for (k = 0; k < ICAL_BY_DAY_SIZE &&
			    r.by_day[k] != ICAL_RECURRENCE_ARRAY_MAX; k++) {
			int pos = icalrecurrencetype_day_position(r.by_day[k]);
			if (pos != 0 && (pos > most || pos < -most)) {
				snprintf(why, why_size,
					 "there is no day number %d in a %s", pos,
					 r.freq == ICAL_MONTHLY_RECURRENCE ? "month" :
					 r.freq == ICAL_YEARLY_RECURRENCE ? "year" :
					 "week");
				return -1;
			}
		}
	}
	why[0] = '\0';
	return 0;
}

int
nb_ical_rrule_check(const char *rule, char *why, size_t why_size)
{
	int r;

	if (ical_ready() != 0) {
		snprintf(why, why_size, "%s", ical_why);
		return -1;
	}
	pthread_mutex_lock(&ical_lock);
	r = ical_rrule_check_unlocked(rule, why, why_size);
	pthread_mutex_unlock(&ical_lock);
	return r;
}

static struct icaltimetype
to_ical(nb_local l)
{
	struct icaltimetype t = icaltime_null_time();

	t.year = l.date.year;
	t.month = l.date.month;
	t.day = l.date.day;
	t.hour = l.hour;
	t.minute = l.minute;
	return t;
}

static struct icaltimetype
date_to_ical(nb_date d)
{
	struct icaltimetype t = icaltime_null_date();

	t.year = d.year;
	t.month = d.month;
	t.day = d.day;
	return t;
}

static size_t
ical_expand_unlocked(const char *rule, nb_local start, nb_date until,
	       nb_local *out, size_t max)
{
	struct icalrecurrencetype r;
	icalrecur_iterator *it;
	struct icaltimetype t;
	size_t n = 0;

	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(rule);
	if (r.freq == ICAL_NO_RECURRENCE)
		return 0;
	it = icalrecur_iterator_new(r, to_ical(start));
	if (!it)
		return 0;
	while (n < max) {
		nb_local l;
		t = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(t))
			break;
		l.date.year = t.year;
		l.date.month = t.month;
		l.date.day = t.day;
		l.hour = t.hour;
		l.minute = t.minute;
		if (nb_date_cmp(l.date, until) > 0)
			break;
		out[n++] = l;
	}
	icalrecur_iterator_free(it);
	icalerror_clear_errno();
	return n;
}

size_t
nb_ical_expand(const char *rule, nb_local start, nb_date until,
	       nb_local *out, size_t max)
{
	size_t r;

	if (ical_ready() != 0)
		return 0;   /* the rule was checked, and failed, before */
	pthread_mutex_lock(&ical_lock);
	r = ical_expand_unlocked(rule, start, until, out, max);
	pthread_mutex_unlock(&ical_lock);
	return r;
}

/* ---- sequences ------------------------------------------------------------- */

static unsigned long long
hash_str(const char *s)
{
	unsigned long long h = 1469598103934665603ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* ---- writing ---------------------------------------------------------------- */

#define END_CAL "END:VCALENDAR\r\n"
#define END_EVENT "END:VEVENT\r\n"

/* Unfold libical's output and fold it again: CRLF, at most 75 octets a
 * line, never inside a UTF-8 sequence. */
static void
refold(nb_buf *out, const char *s)
{
	nb_buf line = NB_BUF_INIT;
	const char *p = s;

	while (*p) {
		size_t n, i, col;
		/* one logical line: up to a newline not followed by a space */
		nb_buf_clear(&line);
		for (;;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p), k;
			/* values never hold a raw CR (libical escapes
			 * text), so every CR is part of a line end */
			for (k = 0; k < len; k++)
				if (p[k] != '\r')
					nb_buf_putc(&line, p[k]);
			p = nl ? nl + 1 : p + strlen(p);
			if (*p == ' ' || *p == '\t')
				p++;   /* continuation */
			else
				break;
		}
		n = line.len;
		if (n == 0)
			continue;
		col = 0;
		for (i = 0; i < n;) {
			unsigned char c = (unsigned char)line.ptr[i];
			size_t w = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
			if (i + w > n)
				w = n - i;
			if (col + w > 75) {
				nb_buf_puts(out, "\r\n ");
				col = 1;
			}
			nb_buf_put(out, line.ptr + i, w);
			col += w;
			i += w;
		}
		nb_buf_puts(out, "\r\n");
	}
	nb_buf_free(&line);
}

static void
add_x(icalcomponent *c, const char *name, const char *value)
{
	icalproperty *p = icalproperty_new_x(value);
	icalproperty_set_x_name(p, name);
	icalcomponent_add_property(c, p);
}

static icalproperty *
with_tzid(icalproperty *p, const char *tzid)
{
	icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
	return p;
}

static const char *
host_of(const char *base_url)
{
	const char *h = strstr(base_url, "://");
	return h ? h + 3 : base_url;
}

/* One item of a build's feeds: an event, or a consultation's opening or
 * closing day. */
typedef struct item {
	const char *uid;
	const nb_consultation *c;    /* a day of this consultation, or */
	int closing;
	const nb_event *ev;          /* this event (a master) */
	atomic_int done;             /* body and seq are made */
	const char *body;            /* the folded VEVENT but for DTSTAMP,
				      * SEQUENCE and END (put_item adds them) */
	size_t body_len;
	char *made;                  /* body, when made here (malloc'd) */
	unsigned long long hash;     /* of what it says, for SEQUENCE */
	long seq;
	/* kept between builds (nb_ical_items_prior) */
	uint64_t key;                /* what the item depends on */
	const char *was;             /* the last build's text but for DTSTAMP
				      * and SEQUENCE, or NULL */
	size_t was_len;
	unsigned long long was_hash;
} item;

#define ITEMS_PER_CHUNK 256
#define ZONE_YEARS 400               /* zone texts kept by first year */

struct nb_ical_items {
	nb_arena *a;                 /* uids, texts made under ical_lock */
	const char *prior;           /* the last build's items file, or NULL */
	size_t prior_len;
	const nb_model *m;
	const char *prefix;
	const nb_ical_seqs *old;
	nb_date today;
	icaltimezone *tz;
	item *items;
	size_t n;
	nb_map by_uid;               /* uid -> item* */
	char *zones[ZONE_YEARS];     /* the VTIMEZONE from year 1900 + i */
	size_t zone_len[ZONE_YEARS];
};

static const char *
day_uid(nb_arena *a, const nb_model *m, const nb_consultation *k, int closing)
{
	return nb_arena_printf(a, "consultation-%s-%s@%s", k->id,
			       closing ? "closes" : "opens",
			       host_of(m->site.base_url));
}

static const char *
event_uid(nb_arena *a, const nb_model *m, const nb_event *ev)
{
	if (ev->consultation)
		return nb_arena_printf(a, "consultation-%s-%s@%s",
				       ev->consultation->id, ev->anchor,
				       host_of(m->site.base_url));
	return nb_arena_printf(a, "event-%s@%s", ev->id,
			       host_of(m->site.base_url));
}

static const char *
page_url(nb_arena *a, const nb_model *m, const char *prefix, const char *path)
{
	return nb_arena_printf(a, "%s%s%s", m->site.base_url,
			       prefix + strlen(prefix) - 1, path);
}

nb_ical_items *
nb_ical_items_new(const nb_model *m, const nb_derived *dv, const char *prefix,
		  const nb_ical_seqs *old, const nb_vec *consultations,
		  const nb_vec *events, nb_diags *d)
{
	nb_ical_items *it;
	icaltimezone *tz;
	size_t i, n = 0;

	if (ical_ready() != 0) {
		nb_error(d, NULL, 0, 0,
			 "install Debian's libical3 package (scripts/deps.sh does)",
			 "the calendar feeds need libical: %s", ical_why);
		return NULL;
	}
	pthread_mutex_lock(&ical_lock);
	tz = icaltimezone_get_builtin_timezone(m->site.time_zone);
	pthread_mutex_unlock(&ical_lock);
	if (!tz) {
		nb_error(d, "site.yaml", 0, 0,
			"use a time zone name from the tz database, such as Europe/London",
			"libical has no time zone `%s` for the calendar feeds",
			m->site.time_zone);
		return NULL;
	}
	it = nb_xcalloc(1, sizeof(*it));
	it->a = nb_arena_new();
	it->m = m;
	it->prefix = prefix;
	it->old = old;
	it->today = dv->today;
	it->tz = tz;
	it->items = nb_xcalloc(2 * consultations->len + events->len + 1,
			       sizeof(item));
	for (i = 0; i < consultations->len; i++) {
		int closing;
		for (closing = 0; closing < 2; closing++) {
			item *x = &it->items[n++];
			x->c = consultations->items[i];
			x->closing = closing;
			x->uid = day_uid(it->a, m, x->c, closing);
		}
	}
	for (i = 0; i < events->len; i++) {
		item *x = &it->items[n++];
		x->ev = events->items[i];
		x->uid = event_uid(it->a, m, x->ev);
	}
	it->n = n;
	for (i = 0; i < n; i++)
		nb_map_put(&it->by_uid, it->items[i].uid, &it->items[i], NULL);
	return it;
}

void
nb_ical_items_free(nb_ical_items *it)
{
	size_t i;

	if (!it)
		return;
	for (i = 0; i < it->n; i++)
		free(it->items[i].made);
	for (i = 0; i < ZONE_YEARS; i++)
		free(it->zones[i]);
	nb_map_free(&it->by_uid);
	nb_arena_free(it->a);
	free(it->items);
	free(it);
}

/* An event's VEVENT, except DTSTAMP and SEQUENCE.  Under ical_lock. */
static icalcomponent *
event_component(nb_arena *a, const nb_model *m, const char *prefix,
		const nb_event *ev, const char *uid)
{
	const char *tz = m->site.time_zone, *url;
	icalcomponent *c;
	nb_buf desc = NB_BUF_INIT, loc = NB_BUF_INIT;
	size_t i;

	if (ev->consultation)
		url = page_url(a, m, prefix, nb_arena_printf(a,
			"consultations/%s/#%s", ev->consultation->id, ev->anchor));
	else
		url = page_url(a, m, prefix, nb_arena_printf(a, "events/%s/",
							    ev->id));
	c = icalcomponent_new_vevent();
	icalcomponent_add_property(c, icalproperty_new_uid(uid));
	icalcomponent_add_property(c, with_tzid(icalproperty_new_dtstart(
		to_ical(ev->start)), tz));
	icalcomponent_add_property(c, with_tzid(icalproperty_new_dtend(
		to_ical(ev->end)), tz));
	icalcomponent_add_property(c, icalproperty_new_summary(ev->title));
	if (ev->summary)
		nb_buf_printf(&desc, "%s\n\n", ev->summary);
	else if (ev->description)
		nb_buf_printf(&desc, "%s\n\n", ev->description);
	if (ev->consultation)
		nb_buf_printf(&desc, "Part of: %s\n", ev->consultation->title);
	if (ev->online)
		nb_buf_printf(&desc, "Join online: %s\n", ev->online);
	if (ev->booking)
		nb_buf_printf(&desc, "Book a place: %s\n", ev->booking);
	nb_buf_printf(&desc, "Details: %s", url);
	icalcomponent_add_property(c, icalproperty_new_description(
		nb_buf_cstr(&desc)));
	if (ev->venue) {
		nb_buf_puts(&loc, ev->venue->name);
		if (ev->venue->address)
			nb_buf_printf(&loc, ", %s", ev->venue->address);
		if (ev->venue->postcode)
			nb_buf_printf(&loc, ", %s", ev->venue->postcode);
	} else if (ev->online) {
		nb_buf_printf(&loc, "Online: %s", ev->online);
	}
	if (loc.len)
		icalcomponent_add_property(c, icalproperty_new_location(
			nb_buf_cstr(&loc)));
	icalcomponent_add_property(c, icalproperty_new_url(url));
	if (ev->online)
		add_x(c, "X-NOTICEBOARD-JOIN-URL", ev->online);
	icalcomponent_add_property(c, icalproperty_new_status(ev->cancelled ?
		ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
	if (ev->rrule) {
		icalcomponent_add_property(c, icalproperty_new_rrule(
			icalrecurrencetype_from_string(ev->rrule)));
		for (i = 0; i < ev->except_len; i++) {
			nb_local x = ev->start;
			x.date = ev->except[i];
			icalcomponent_add_property(c, with_tzid(
				icalproperty_new_exdate(to_ical(x)), tz));
		}
	}
	nb_buf_free(&desc);
	nb_buf_free(&loc);
	return c;
}

/* A consultation's opening or closing day as an all-day event, except
 * DTSTAMP and SEQUENCE.  Under ical_lock. */
static icalcomponent *
day_component(nb_arena *a, const nb_model *m, const char *prefix,
	      const nb_consultation *k, int closing, const char *uid)
{
	icalcomponent *c;
	nb_date day = closing ? k->closes : k->opens;
	const char *url;
	nb_buf desc = NB_BUF_INIT;
	enum icalproperty_status st = ICAL_STATUS_CONFIRMED;

	url = page_url(a, m, prefix,
		       nb_arena_printf(a, "consultations/%s/", k->id));
	c = icalcomponent_new_vevent();
	icalcomponent_add_property(c, icalproperty_new_uid(uid));
	icalcomponent_add_property(c, icalproperty_new_dtstart(date_to_ical(day)));
	icalcomponent_add_property(c, icalproperty_new_dtend(date_to_ical(
		nb_date_add_days(day, 1))));
	icalcomponent_add_property(c, icalproperty_new_summary(nb_arena_printf(a,
		closing ? "Last day to take part: %s" : "Opens: %s", k->title)));
	nb_buf_printf(&desc, "%s\n\nDetails and how to take part: %s",
		      k->summary, url);
	icalcomponent_add_property(c, icalproperty_new_description(
		nb_buf_cstr(&desc)));
	icalcomponent_add_property(c, icalproperty_new_url(url));
	icalcomponent_add_property(c, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	if (k->cancelled)
		st = ICAL_STATUS_CANCELLED;
	else if (k->postponed)
		st = ICAL_STATUS_TENTATIVE;
	icalcomponent_add_property(c, icalproperty_new_status(st));
	nb_buf_free(&desc);
	return c;
}

/* An item's SEQUENCE: the number of the last published build, one more
 * when what it says (x->hash) changed. */
static long
sequence(const nb_ical_items *it, const item *x)
{
	const nb_ical_seq *o = it->old ? nb_map_get(&it->old->by_uid, x->uid)
				       : NULL;

	return !o ? 0 : o->hash == x->hash ? o->sequence : o->sequence + 1;
}

/*
 * Make one item: what it says, hashed for SEQUENCE, folded, but for its
 * last lines (DTSTAMP, SEQUENCE, END), which put_item adds.  Each item is
 * made once a build, by whichever thread needs it first; one unchanged
 * since the last build is taken from there before (nb_ical_items_prior).
 */
static void
make(nb_ical_items *it, item *x)
{
	nb_arena *scratch;
	icalcomponent *ev;
	nb_buf out = NB_BUF_INIT;
	char *text;

	if (atomic_load_explicit(&x->done, memory_order_acquire))
		return;
	pthread_mutex_lock(&ical_lock);
	if (atomic_load_explicit(&x->done, memory_order_relaxed)) {
		pthread_mutex_unlock(&ical_lock);
		return;
	}
	scratch = nb_arena_new();
	ev = x->ev ? event_component(scratch, it->m, it->prefix, x->ev,
				     x->uid) :
	     day_component(scratch, it->m, it->prefix, x->c, x->closing,
			   x->uid);
	text = icalcomponent_as_ical_string_r(ev);
	icalcomponent_free(ev);
	if (!text)
		nb_oom();
	x->hash = hash_str(text);
	refold(&out, text);
	free(text);
	x->seq = sequence(it, x);
	/* DTSTAMP and SEQUENCE go last, as libical would write them */
	if (out.len < sizeof(END_EVENT) - 1 ||
	    memcmp(out.ptr + out.len - (sizeof(END_EVENT) - 1), END_EVENT,
		   sizeof(END_EVENT) - 1) != 0)
		abort();    /* libical always ends a VEVENT so */
	out.len -= sizeof(END_EVENT) - 1;
	x->made = out.ptr;
	x->body = out.ptr;
	x->body_len = out.len;
	nb_arena_free(scratch);
	atomic_store_explicit(&x->done, 1, memory_order_release);
	pthread_mutex_unlock(&ical_lock);
}

size_t
nb_ical_items_chunks(size_t consultations, size_t events)
{
	/* the items nb_ical_items_new makes: two for each consultation (its
	 * opening and closing days) and one for each event */
	return (2 * consultations + events + ITEMS_PER_CHUNK - 1) /
	       ITEMS_PER_CHUNK;
}

void
nb_ical_items_make(nb_ical_items *it, size_t chunk)
{
	size_t i;

	for (i = chunk * ITEMS_PER_CHUNK;
	     i < it->n && i < (chunk + 1) * ITEMS_PER_CHUNK; i++)
		make(it, &it->items[i]);
}

void
nb_ical_items_seqs(nb_ical_items *it, nb_arena *a, nb_ical_seqs *now)
{
	size_t i;

	for (i = 0; i < it->n; i++) {
		item *x = &it->items[i];
		nb_ical_seq *s;
		if (!atomic_load_explicit(&x->done, memory_order_acquire) ||
		    nb_map_get(&now->by_uid, x->uid))
			continue;
		s = nb_arena_alloc(a, sizeof(*s));
		s->uid = nb_arena_strdup(a, x->uid);
		s->hash = x->hash;
		s->sequence = x->seq;
		nb_map_put(&now->by_uid, s->uid, s, NULL);
		nb_vec_push(a, &now->all, s);
	}
}

/* ---- items kept between builds --------------------------------------------- */

/*
 * The items file: "nb-items", u32 0x01020304, u32 version, u64 count,
 * then count x { u64 key, u64 hash, u64 offset, u64 length } sorted by
 * key, then the texts (each item's folded VEVENT up to its DTSTAMP line).
 */

#define ITEMS_MAGIC "nb-items"
#define ITEMS_HEAD 24
#define ITEMS_SLOT 32

static uint64_t
get64(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

void
nb_ical_items_prior(nb_ical_items *it, const char *data, size_t len,
		    uint64_t (*key)(void *ud, const nb_consultation *c,
				    int closing, const nb_event *ev),
		    void *ud)
{
	uint32_t u[2];
	uint64_t n, i, lo, hi;
	size_t k;

	for (k = 0; k < it->n; k++) {
		item *x = &it->items[k];
		x->key = key(ud, x->c, x->closing, x->ev);
		x->key = nb_sig(x->key, x->uid, strlen(x->uid) + 1);
	}
	if (!data || len < ITEMS_HEAD || memcmp(data, ITEMS_MAGIC, 8) != 0)
		return;
	memcpy(u, data + 8, 8);
	n = get64(data + 16);
	if (u[0] != 0x01020304u || u[1] != 1 ||
	    n > (len - ITEMS_HEAD) / ITEMS_SLOT)
		return;
	for (i = 0; i < n; i++) {
		const char *e = data + ITEMS_HEAD + i * ITEMS_SLOT;
		uint64_t off = get64(e + 16), l = get64(e + 24);
		if (off > len || l > len - off ||
		    (i && get64(e - ITEMS_SLOT) >= get64(e)))
			return;   /* not a file this version wrote whole */
	}
	it->prior = data;
	it->prior_len = len;
	for (k = 0; k < it->n; k++) {
		item *x = &it->items[k];
		lo = 0;
		hi = n;
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;
			const char *e = data + ITEMS_HEAD + mid * ITEMS_SLOT;
			uint64_t mk = get64(e);
			if (mk == x->key) {
				x->was = data + get64(e + 16);
				x->was_len = (size_t)get64(e + 24);
				x->was_hash = get64(e + 8);
				/* made already: the text where it lies (a
				 * copy of each took a third of the feeds'
				 * time) */
				x->body = x->was;
				x->body_len = x->was_len;
				x->hash = x->was_hash;
				x->seq = sequence(it, x);
				atomic_store_explicit(&x->done, 1,
						      memory_order_release);
				break;
			}
			if (mk < x->key)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
}

typedef struct saved {
	uint64_t key, hash;
	const char *text;
	size_t len;
} saved;

static int
cmp_saved(const void *a, const void *b)
{
	uint64_t x = ((const saved *)a)->key, y = ((const saved *)b)->key;
	return x < y ? -1 : x > y;
}

/* Every item's text for the items file, sorted by key, one per key; *made
 * says how many were made with libical (those not made by now are made
 * here, so that the file is the same however much this build made). */
static saved *
gather(nb_ical_items *it, size_t *n_out, size_t *made)
{
	saved *v = nb_xmalloc((it->n + 1) * sizeof(*v));
	size_t i, n = 0, k = 0;

	*made = 0;
	for (i = 0; i < it->n; i++) {
		item *x = &it->items[i];
		if (!x->was)
			make(it, x);
		if (atomic_load_explicit(&x->done, memory_order_acquire)) {
			*made += !x->was;
			v[n].len = x->body_len;
			v[n].text = x->body;
			v[n].hash = x->hash;
		} else {
			v[n].len = x->was_len;
			v[n].text = x->was;
			v[n].hash = x->was_hash;
		}
		if (!v[n].len)
			continue;
		v[n].key = x->key;
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_saved);
	/* one per key: the same record's item in two places is one text */
	for (i = 0; i < n; i++)
		if (!k || v[k - 1].key != v[i].key)
			v[k++] = v[i];
	*n_out = k;
	return v;
}

size_t
nb_ical_items_reused(const nb_ical_items *it)
{
	size_t i, n = 0;

	for (i = 0; i < it->n; i++)
		n += it->items[i].was && atomic_load_explicit(
			&((nb_ical_items *)it)->items[i].done,
			memory_order_acquire);
	return n;
}

int
nb_ical_items_same(nb_ical_items *it)
{
	size_t n, made;
	saved *v = gather(it, &n, &made);

	free(v);
	return made == 0 && it->prior && get64(it->prior + 16) == n;
}

int
nb_ical_items_save(nb_ical_items *it, nb_buf *out,
		   int (*flush)(void *ud, nb_buf *out), void *ud)
{
	size_t i, n, made, at;
	saved *v = gather(it, &n, &made);
	uint32_t u[2] = { 0x01020304u, 1 };
	uint64_t cnt = n;

	nb_buf_put(out, ITEMS_MAGIC, 8);
	nb_buf_put(out, (const char *)u, 8);
	nb_buf_put(out, (const char *)&cnt, 8);
	at = ITEMS_HEAD + n * ITEMS_SLOT;
	for (i = 0; i < n; i++) {
		uint64_t e[4] = { v[i].key, v[i].hash, at, v[i].len };
		nb_buf_put(out, (const char *)e, sizeof(e));
		at += v[i].len;
	}
	for (i = 0; i < n; i++) {
		nb_buf_put(out, v[i].text, v[i].len);
		if (flush && out->len >= (1u << 20) && flush(ud, out) != 0) {
			free(v);
			return -1;
		}
	}
	free(v);
	return 0;
}

/* The site's zone from the start of `year`, folded, under its plain name
 * (libical's built-in TZIDs carry a prefix): only the rules from the first
 * year a feed needs, since the zone's history since 1847 would dwarf the
 * events.  Made once a build for each year.  Under ical_lock. */
static int
zone_text(nb_ical_items *it, int year, const char **text, size_t *len)
{
	size_t k;

	if (year < 1900)
		year = 1900;
	k = (size_t)(year - 1900);
	if (k >= ZONE_YEARS)
		k = ZONE_YEARS - 1;
	if (!it->zones[k]) {
		icalcomponent *vtz = icalcomponent_new_clone(
			icaltimezone_get_component(it->tz));
		struct icaltimetype from = icaltime_null_time();
		icalproperty *p;
		nb_buf out = NB_BUF_INIT;
		char *s;
		from.year = (int)k + 1900;
		from.month = 1;
		from.day = 1;
		from.zone = icaltimezone_get_utc_timezone();
		icaltimezone_truncate_vtimezone(vtz, from, icaltime_null_time(), 1);
		p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
		if (p)
			icalproperty_set_tzid(p, it->m->site.time_zone);
		s = icalcomponent_as_ical_string_r(vtz);
		icalcomponent_free(vtz);
		if (!s)
			return -1;
		refold(&out, s);
		free(s);
		it->zones[k] = out.ptr;
		it->zone_len[k] = out.len;
	}
	*text = it->zones[k];
	*len = it->zone_len[k];
	return 0;
}

/* Copy the item `uid` into out, making it first if no feed has yet. */
static int
put_item(nb_buf *out, nb_ical_items *it, const char *uid)
{
	item *x = nb_map_get(&it->by_uid, uid);

	if (!x)
		return -1;
	make(it, x);
	nb_buf_put(out, x->body, x->body_len);
	/* DTSTAMP (the build's date, so that the same build says the same
	 * thing) and SEQUENCE: plain ASCII, shorter than a line */
	nb_buf_printf(out, "DTSTAMP:%04d%02d%02dT000000Z\r\nSEQUENCE:%ld\r\n"
		      END_EVENT, it->today.year, it->today.month,
		      it->today.day, x->seq);
	return 0;
}

/* Hand out to the feed's flush once it holds a megabyte: -2 if that
 * fails. */
static int
flush_full(nb_buf *out, const nb_ical_feed *feed)
{
	if (!feed->flush || out->len < (1u << 20))
		return 0;
	return feed->flush(feed->ud, out) != 0 ? -2 : 0;
}

int
nb_ical_write(nb_buf *out, nb_ical_items *it, const nb_ical_feed *feed,
	      nb_diags *d)
{
	const nb_model *m = it->m;
	icalcomponent *cal;
	icalproperty *p;
	const char *zone;
	size_t zone_len, i;
	nb_arena *a = nb_arena_new();
	char *text;
	int year = it->today.year, rc = 0;

	for (i = 0; feed->consultations && i < feed->consultations->len; i++) {
		const nb_consultation *k = feed->consultations->items[i];
		if (k->opens.year < year)
			year = k->opens.year;
	}
	for (i = 0; feed->events && i < feed->events->len; i++) {
		const nb_event *ev = feed->events->items[i];
		if (ev->start.date.year < year)
			year = ev->start.date.year;
	}

	/* the calendar's own lines, then its zone: libical would write the
	 * zone, a component, after the lines and before the end */
	pthread_mutex_lock(&ical_lock);
	cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
	add_x(cal, "X-WR-CALNAME", feed->name);
	if (feed->description)
		add_x(cal, "X-WR-CALDESC", feed->description);
	add_x(cal, "X-WR-TIMEZONE", m->site.time_zone);
	p = icalproperty_new_x("PT12H");
	icalproperty_set_x_name(p, "REFRESH-INTERVAL");
	icalproperty_add_parameter(p, icalparameter_new_value(ICAL_VALUE_DURATION));
	icalcomponent_add_property(cal, p);
	add_x(cal, "X-PUBLISHED-TTL", "PT12H");
	text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (text && zone_text(it, year, &zone, &zone_len) != 0) {
		free(text);
		text = NULL;
	}
	pthread_mutex_unlock(&ical_lock);
	if (!text) {
		nb_arena_free(a);
		return nb_error(d, "calendar", 0, 0, NULL,
				"libical could not write a calendar feed");
	}
	refold(out, text);
	free(text);
	if (out->len < sizeof(END_CAL) - 1 ||
	    memcmp(out->ptr + out->len - (sizeof(END_CAL) - 1), END_CAL,
		   sizeof(END_CAL) - 1) != 0) {
		nb_arena_free(a);
		return nb_error(d, "calendar", 0, 0, NULL,
				"libical wrote a calendar feed without its end");
	}
	out->len -= sizeof(END_CAL) - 1;
	nb_buf_put(out, zone, zone_len);

	/* the items, each made once a build and copied into every feed
	 * that holds it */
	for (i = 0; rc == 0 && feed->consultations &&
		    i < feed->consultations->len; i++) {
		const nb_consultation *k = feed->consultations->items[i];
		rc = put_item(out, it, day_uid(a, m, k, 0));
		if (rc == 0)
			rc = put_item(out, it, day_uid(a, m, k, 1));
		if (rc == 0)
			rc = flush_full(out, feed);
	}
	for (i = 0; rc == 0 && feed->events && i < feed->events->len; i++) {
		rc = put_item(out, it, event_uid(a, m, feed->events->items[i]));
		if (rc == 0)
			rc = flush_full(out, feed);
	}
	nb_arena_free(a);
	if (rc == -2)
		return -1;   /* flush said why */
	if (rc != 0)
		return nb_error(d, "calendar", 0, 0, NULL,
				"a calendar feed holds an item the build does not know");
	nb_buf_puts(out, END_CAL);
	return 0;
}

static int
ical_validate_unlocked(const char *text, char *why, size_t why_size)
{
	icalcomponent *c = icalparser_parse_string(text), *sub;
	icalproperty *p;
	int rc = 0;

	why[0] = '\0';
	if (!c) {
		snprintf(why, why_size, "libical could not parse the feed");
		return -1;
	}
	/* errors are reported as X-LIC-ERROR properties anywhere */
	for (p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
	     p && rc == 0; p = NULL) {
		snprintf(why, why_size, "%s", icalproperty_get_xlicerror(p));
		rc = -1;
	}
	for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	     sub && rc == 0;
	     sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
		p = icalcomponent_get_first_property(sub, ICAL_XLICERROR_PROPERTY);
		if (p) {
			snprintf(why, why_size, "%s", icalproperty_get_xlicerror(p));
			rc = -1;
		}
	}
	if (rc == 0 && icalcomponent_count_errors(c) > 0) {
		snprintf(why, why_size, "libical counted errors in the feed");
		rc = -1;
	}
	icalcomponent_free(c);
	return rc;
}

int
nb_ical_validate(const char *text, char *why, size_t why_size)
{
	int r;

	if (ical_ready() != 0) {
		snprintf(why, why_size, "%s", ical_why);
		return -1;
	}
	pthread_mutex_lock(&ical_lock);
	r = ical_validate_unlocked(text, why, why_size);
	pthread_mutex_unlock(&ical_lock);
	return r;
}
