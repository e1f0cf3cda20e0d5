/*
 * ical.h - iCalendar (RFC 5545) feeds and recurrence rules, with libical.
 *
 * The only file that calls libical is ical.c.  Feeds carry a VTIMEZONE for
 * the site's zone, a UID per item that depends only on record ids, a
 * SEQUENCE that rises when an item changes (carried between builds in a
 * nb_ical_seqs table), STATUS:CANCELLED for cancelled items, the page URL
 * and any joining link.  Lines end in CRLF and are folded at 75 octets
 * without splitting a UTF-8 character.
 */
#ifndef NB_ICAL_H
#define NB_ICAL_H

#include <stddef.h>

#include "buf.h"
#include "derive.h"

/* Whether `rule` is a recurrence rule we can publish (RRULE value, e.g.
 * "FREQ=MONTHLY;BYDAY=2TU").  0 when it is; -1 with a reason in why. */
int nb_ical_rrule_check(const char *rule, char *why, size_t why_size);

/*
 * The local start times of the occurrences of a rule starting at `start`,
 * in order, that begin on or before `until` (at most `max`).  Wall-clock
 * time is kept across summer-time changes (a 7pm meeting stays at 7pm).
 * Returns the number written to out[].
 */
size_t nb_ical_expand(const char *rule, nb_local start, nb_date until,
		      nb_local *out, size_t max);

/* SEQUENCE numbers by UID, with a hash of what each item said. */
typedef struct nb_ical_seq {
	const char *uid;
	unsigned long long hash;
	long sequence;
	/* this build's VEVENT for the uid, folded, as every feed that
	 * holds the item writes it (NULL until written once) */
	const char *text;
	size_t text_len;
} nb_ical_seq;

typedef struct nb_ical_seqs {
	nb_map by_uid;               /* uid -> nb_ical_seq* */
	nb_vec all;                  /* nb_ical_seq*, in the order added */
} nb_ical_seqs;

/* What a feed holds and how it is described. */
typedef struct nb_ical_feed {
	const char *name;            /* X-WR-CALNAME */
	const char *description;     /* X-WR-CALDESC */
	const nb_vec *events;        /* nb_event*: masters, not occurrences */
	const nb_vec *consultations; /* their opening and closing days */
} nb_ical_feed;

/*
 * Write a whole VCALENDAR to out.  `old` holds the sequences of the last
 * published build (may be empty); `now` records the sequence of every item
 * written (an item whose hash changed gets old + 1), allocated in `a`.
 * An item says the same in every feed of a build, so `now` also keeps its
 * text, made once and copied into every later feed that holds it (`now`
 * and `a` must then live as long as the feeds are written).
 * Returns 0, or -1 with an error in d.
 */
int nb_ical_write(nb_buf *out, nb_arena *a, const nb_model *m,
		  const nb_derived *dv, const nb_ical_feed *feed,
		  const char *prefix, const nb_ical_seqs *old,
		  nb_ical_seqs *now, nb_diags *d);

/* Check a feed by parsing it back with libical: 0 when it parses with no
 * error, else -1 with libical's first complaint in why. */
int nb_ical_validate(const char *text, char *why, size_t why_size);

#endif
