/*
 * ical.c - iCalendar feeds and recurrence with libical.
 *
 * Components are built with libical, serialised, and then re-folded here:
 * lines are unfolded and folded again at 75 octets on UTF-8 character
 * boundaries, with CRLF line ends, whatever libical's own folding did.
 */
#include "ical.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRODID "-//Noticeboard//Noticeboard " NB_ICAL_VERSION "//EN"
#ifndef NB_VERSION
#define NB_VERSION "0"
#endif
#define NB_ICAL_VERSION NB_VERSION

/* ---- recurrence ------------------------------------------------------------ */

int
nb_ical_rrule_check(const char *rule, char *why, size_t why_size)
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

size_t
nb_ical_expand(const char *rule, nb_local start, nb_date until,
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

static long
next_sequence(nb_arena *a, const nb_ical_seqs *old, nb_ical_seqs *now,
	      const char *uid, unsigned long long h)
{
	nb_ical_seq *o = old ? nb_map_get(&old->by_uid, uid) : NULL;
	nb_ical_seq *n = now ? nb_map_get(&now->by_uid, uid) : NULL;
	long seq = 0;

	if (o)
		seq = o->hash == h ? o->sequence : o->sequence + 1;
	if (n)   /* already recorded by another feed in this build */
		return n->sequence;
	if (now) {
		n = nb_arena_alloc(a, sizeof(*n));
		n->uid = nb_arena_strdup(a, uid);
		n->hash = h;
		n->sequence = seq;
		nb_map_put(&now->by_uid, n->uid, n, NULL);
		nb_vec_push(a, &now->all, n);
	}
	return seq;
}

/* ---- writing ---------------------------------------------------------------- */

#define END_CAL "END:VCALENDAR\r\n"

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

/* This build's text of the item `uid`, when another feed has written it. */
static const nb_ical_seq *
cached(const nb_ical_seqs *now, const char *uid)
{
	const nb_ical_seq *n = now ? nb_map_get(&now->by_uid, uid) : NULL;

	return n && n->text ? n : NULL;
}

/* Everything a VEVENT says except DTSTAMP and SEQUENCE, then those; the
 * item is written to out, kept in `now` for the next feed, and freed. */
static void
finish_event(nb_buf *out, icalcomponent *ev, nb_arena *a, const char *uid,
	     struct icaltimetype stamp, const nb_ical_seqs *old,
	     nb_ical_seqs *now)
{
	char *text = icalcomponent_as_ical_string_r(ev);
	unsigned long long h = hash_str(text ? text : "");
	size_t start = out->len;
	nb_ical_seq *n;
	long seq;

	free(text);
	seq = next_sequence(a, old, now, uid, h);
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(stamp));
	icalcomponent_add_property(ev, icalproperty_new_sequence((int)seq));
	text = icalcomponent_as_ical_string_r(ev);
	icalcomponent_free(ev);
	if (!text)
		nb_oom();
	refold(out, text);
	free(text);
	n = now ? nb_map_get(&now->by_uid, uid) : NULL;
	if (n) {
		n->text = nb_arena_strndup(a, out->ptr + start, out->len - start);
		n->text_len = out->len - start;
	}
}

static const char *
page_url(nb_arena *a, const nb_model *m, const char *prefix, const char *path)
{
	return nb_arena_printf(a, "%s%s%s", m->site.base_url,
			       prefix + strlen(prefix) - 1, path);
}

static void
event_component(nb_buf *out, nb_arena *a, const nb_model *m,
		const char *prefix, const nb_event *ev,
		struct icaltimetype stamp, const nb_ical_seqs *old,
		nb_ical_seqs *now)
{
	const char *tz = m->site.time_zone, *url, *uid;
	const nb_ical_seq *done;
	icalcomponent *c;
	nb_buf desc = NB_BUF_INIT, loc = NB_BUF_INIT;
	size_t i;

	if (ev->consultation) {
		url = page_url(a, m, prefix, nb_arena_printf(a,
			"consultations/%s/#%s", ev->consultation->id, ev->anchor));
		uid = nb_arena_printf(a, "consultation-%s-%s@%s",
				      ev->consultation->id, ev->anchor,
				      host_of(m->site.base_url));
	} else {
		url = page_url(a, m, prefix, nb_arena_printf(a, "events/%s/",
							    ev->id));
		uid = nb_arena_printf(a, "event-%s@%s", ev->id,
				      host_of(m->site.base_url));
	}
	if ((done = cached(now, uid)) != NULL) {
		nb_buf_put(out, done->text, done->text_len);
		return;
	}
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
	finish_event(out, c, a, uid, stamp, old, now);
}

/* A consultation's opening or closing day as an all-day event. */
static void
day_component(nb_buf *out, nb_arena *a, const nb_model *m,
	      const char *prefix, const nb_consultation *k, int closing,
	      struct icaltimetype stamp, const nb_ical_seqs *old,
	      nb_ical_seqs *now)
{
	icalcomponent *c;
	nb_date day = closing ? k->closes : k->opens;
	const char *uid = nb_arena_printf(a, "consultation-%s-%s@%s", k->id,
		closing ? "closes" : "opens", host_of(m->site.base_url));
	const char *url;
	const nb_ical_seq *done = cached(now, uid);
	nb_buf desc = NB_BUF_INIT;
	enum icalproperty_status st = ICAL_STATUS_CONFIRMED;

	if (done) {
		nb_buf_put(out, done->text, done->text_len);
		return;
	}
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
	finish_event(out, c, a, uid, stamp, old, now);
}

int
nb_ical_write(nb_buf *out, nb_arena *a, const nb_model *m,
	      const nb_derived *dv, const nb_ical_feed *feed,
	      const char *prefix, const nb_ical_seqs *old, nb_ical_seqs *now,
	      nb_diags *d)
{
	icaltimezone *tz;
	icalcomponent *cal, *vtz;
	icalproperty *p;
	struct icaltimetype stamp = icaltime_null_time();
	char *text;
	size_t i;

	tz = icaltimezone_get_builtin_timezone(m->site.time_zone);
	if (!tz)
		return nb_error(d, "site.yaml", 0, 0,
			"use a time zone name from the tz database, such as Europe/London",
			"libical has no time zone `%s` for the calendar feeds",
			m->site.time_zone);
	/* DTSTAMP: the build's date, so the same build says the same thing */
	stamp.year = dv->today.year;
	stamp.month = dv->today.month;
	stamp.day = dv->today.day;
	stamp.zone = icaltimezone_get_utc_timezone();

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

	/* the zone, under its plain name (libical's builtin TZIDs carry a
	 * prefix) */
	vtz = icalcomponent_new_clone(icaltimezone_get_component(tz));
	{
		/* only the rules from the first year the feed needs: the zone's
		 * whole history since 1847 would dwarf the events */
		struct icaltimetype from = icaltime_null_time(), none;
		int year = dv->today.year;
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
		from.year = year;
		from.month = 1;
		from.day = 1;
		from.zone = icaltimezone_get_utc_timezone();
		none = icaltime_null_time();
		icaltimezone_truncate_vtimezone(vtz, from, none, 1);
	}
	p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	if (p)
		icalproperty_set_tzid(p, m->site.time_zone);
	icalcomponent_add_component(cal, vtz);

	/* the calendar's own lines and its zone, then the items, each
	 * written once a build and copied into every feed that holds it */
	text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (!text)
		return nb_error(d, "calendar", 0, 0, NULL,
				"libical could not write a calendar feed");
	refold(out, text);
	free(text);
	if (out->len < sizeof(END_CAL) - 1 ||
	    memcmp(out->ptr + out->len - (sizeof(END_CAL) - 1), END_CAL,
		   sizeof(END_CAL) - 1) != 0)
		return nb_error(d, "calendar", 0, 0, NULL,
				"libical wrote a calendar feed without its end");
	out->len -= sizeof(END_CAL) - 1;
	out->ptr[out->len] = '\0';
	for (i = 0; feed->consultations && i < feed->consultations->len; i++) {
		const nb_consultation *k = feed->consultations->items[i];
		day_component(out, a, m, prefix, k, 0, stamp, old, now);
		day_component(out, a, m, prefix, k, 1, stamp, old, now);
	}
	for (i = 0; feed->events && i < feed->events->len; i++)
		event_component(out, a, m, prefix, feed->events->items[i],
				stamp, old, now);
	nb_buf_puts(out, END_CAL);
	return 0;
}

int
nb_ical_validate(const char *text, char *why, size_t why_size)
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
