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

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

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

/* SEQUENCE numbers by UID, with a hash of what each item said: carried
 * from one build to the next in data/calendar-sequence.json. */
typedef struct nb_ical_seq {
	const char *uid;
	unsigned long long hash;
	long sequence;
} nb_ical_seq;

typedef struct nb_ical_seqs {
	nb_map by_uid;               /* uid -> nb_ical_seq* */
	nb_vec all;                  /* nb_ical_seq*, in the order added */
} nb_ical_seqs;

/*
 * The items of one build's feeds: the opening and closing day of every
 * consultation in `consultations`, and every event in `events` (masters,
 * not occurrences).  An
 * item says the same in every feed of a build (its UID, SEQUENCE and
 * DTSTAMP depend only on the record and the build), so each is made once,
 * by the first feed or nb_ical_items_make() call that needs it, and
 * copied into every feed that holds it.  Feeds may be written from
 * several threads at once: libical is only called under a lock.  `old`
 * holds the SEQUENCE numbers of the last published build (may be NULL):
 * an item whose text changed gets the old number + 1.  Returns NULL with
 * an error in d when libical does not know the site's time zone.
 */
typedef struct nb_ical_items nb_ical_items;
nb_ical_items *nb_ical_items_new(const nb_model *m, const nb_derived *dv,
				 const char *prefix, const nb_ical_seqs *old,
				 const nb_vec *consultations,
				 const nb_vec *events, nb_diags *d);
void nb_ical_items_free(nb_ical_items *it);

/* Make the items ahead of the feeds, in chunks that threads can share:
 * as many as the items of these consultations and events make (known
 * before the items are). */
size_t nb_ical_items_chunks(size_t consultations, size_t events);
void nb_ical_items_make(nb_ical_items *it, size_t chunk);

/* Items kept between builds.  nb_ical_items_prior gives each item its key
 * (`key` for its record, with its UID) and, given the file the last build
 * saved (data, len: NULL for none; it must outlive the items), takes the
 * text of every item whose key is there from it instead of making it
 * with libical.  nb_ical_items_save appends that file for the next build
 * to out, handed to flush (as nb_ical_feed's) when there is one: every
 * item (making those not made yet), so the file is the same however much
 * this build made; 0, or -1 when flush failed.  nb_ical_items_same says
 * whether it would be the last build's file, byte for byte. */
void nb_ical_items_prior(nb_ical_items *it, const char *data, size_t len,
			 uint64_t (*key)(void *ud, const nb_consultation *c,
					 int closing, const nb_event *ev),
			 void *ud);
int nb_ical_items_save(nb_ical_items *it, nb_buf *out,
		       int (*flush)(void *ud, nb_buf *out), void *ud);
int nb_ical_items_same(nb_ical_items *it);
/* How many items this build took from the last one's file. */
size_t nb_ical_items_reused(const nb_ical_items *it);

/* Add the sequence of every item made so far to `now` (in the order of
 * the items, skipping uids already there), allocated in `a`. */
void nb_ical_items_seqs(nb_ical_items *it, nb_arena *a, nb_ical_seqs *now);

/* What a feed holds and how it is described. */
typedef struct nb_ical_feed {
	const char *name;            /* X-WR-CALNAME */
	const char *description;     /* X-WR-CALDESC */
	const nb_vec *events;        /* nb_event*: masters, not occurrences */
	const nb_vec *consultations; /* their opening and closing days */
	/* NULL, or called when out has grown past about a megabyte: it
	 * writes out what out holds and empties it (0), or fails (-1, with
	 * its error reported) */
	int (*flush)(void *ud, nb_buf *out);
	void *ud;
} nb_ical_feed;

/* Write a whole VCALENDAR to out: its own lines, the site's zone from the
 * first year the feed needs, and the items (handed to feed->flush as they
 * accumulate, when there is one).  Returns 0, or -1 with an error in d. */
int nb_ical_write(nb_buf *out, nb_ical_items *it, const nb_ical_feed *feed,
		  nb_diags *d);

/* Check a feed by parsing it back with libical: 0 when it parses with no
 * error, else -1 with libical's first complaint in why. */
int nb_ical_validate(const char *text, char *why, size_t why_size);

/* libical is loaded when first needed (dlopen).  nb_ical_preload starts
 * loading it in a thread of its own (unless it is loaded), to be joined
 * with nb_ical_preload_join before the environment is changed (libraries
 * read it as they start) and before exit.  nb_ical_load_error loads it if
 * need be and says why it could not be (NULL: loaded). */
typedef struct nb_ical_loader {
	pthread_t t;
	int started;
} nb_ical_loader;
void nb_ical_preload(nb_ical_loader *l);
void nb_ical_preload_join(nb_ical_loader *l);
const char *nb_ical_load_error(void);
/* Load libical from this soname from now on (NULL: the one it was built
 * with): for tests of a machine without it. */
void nb_ical_library(const char *soname);

#endif
