/*
 * model.h - the site as typed records, linked and validated.
 *
 * nb_model_load reads site.yaml and every record under content/ from a
 * source, converts YAML nodes into the plain structs below, resolves ids
 * into pointers and validates everything it can, reporting every problem
 * (path:line:column, with a hint) before it gives up.  All memory lives in
 * the model's arena and is freed with nb_model_free.
 */
#ifndef NB_MODEL_H
#define NB_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "date.h"
#include "diag.h"
#include "map.h"
#include "source.h"

typedef struct nb_area nb_area;
typedef struct nb_partner nb_partner;
typedef struct nb_term nb_term;
typedef struct nb_consultation nb_consultation;
typedef struct nb_outcome nb_outcome;
typedef struct nb_event nb_event;
typedef struct nb_page nb_page;
struct nb_file_history;           /* git.h: a file's dated changes */

/* A growable array of pointers, arena-backed. */
typedef struct nb_vec {
	void **items;
	size_t len, cap;
} nb_vec;

void nb_vec_push(nb_arena *a, nb_vec *v, void *item);
/* Room for n more items, exactly (a count known before they are pushed). */
void nb_vec_reserve(nb_arena *a, nb_vec *v, size_t n);

typedef struct nb_rung {
	const char *id, *label, *description;
} nb_rung;

typedef struct nb_site {
	const char *title, *short_title, *description, *base_url;
	const char *language, *time_zone, *theme;
	const char *organisation, *contact_email;
	int closing_soon_days;
	int history_authors;         /* show authors in change histories */
	int feed_entries;            /* newest entries per Atom feed (0: all) */
	int calendar_past_days;      /* calendar feeds keep what ended in the
				      * last N days, and all that is to come */
	nb_rung *ladder;
	size_t ladder_len;
} nb_site;

typedef struct nb_link {
	const char *text, *url;      /* url may be NULL */
} nb_link;

typedef struct nb_document {
	const char *title, *url, *format, *size;
} nb_document;

typedef struct nb_contact {
	const char *name, *role, *email, *phone;
} nb_contact;

/* -1 unknown, 0 no, 1 yes */
typedef struct nb_venue {
	const char *name, *address, *postcode, *parking, *access_notes;
	int step_free, hearing_loop, accessible_toilet;
} nb_venue;

struct nb_area {
	const char *id, *path, *name, *type, *code, *description;
	uint64_t sig;                /* hash of the file: what changed */
	nb_area *parent;
	nb_vec children;             /* nb_area*, sorted by name */
	nb_contact *contacts;
	size_t contacts_len;
	int depth;                   /* 0 for a top area */
	size_t index;                /* its place in the model's areas */
	/* derived */
	nb_vec consultations;        /* here or in an area inside it */
	nb_vec events;               /* standalone and embedded, by start */
	nb_vec outcomes;             /* of those consultations, newest first */
	unsigned stamp;
};

struct nb_partner {
	uint64_t sig;
	const char *id, *path, *name, *short_name, *type, *website;
	const char *description, *email, *phone, *logo_file, *logo_alt;
	/* derived */
	nb_vec consultations;        /* led by or joined */
	nb_vec events;
};

struct nb_term {                     /* a topic or an audience */
	const char *id, *label, *description;
	nb_vec consultations;
	nb_vec events;
};

typedef enum {
	NB_STATUS_UPCOMING,
	NB_STATUS_OPEN,
	NB_STATUS_CLOSING_SOON,
	NB_STATUS_CLOSED,            /* awaiting feedback */
	NB_STATUS_OVERDUE,           /* feedback overdue */
	NB_STATUS_OUTCOME,           /* outcome published */
	NB_STATUS_CANCELLED,
	NB_STATUS_POSTPONED,
	NB_STATUS_COUNT
} nb_status;

/* What records share: who, where, about what and for whom. */
typedef struct nb_tags {
	nb_partner *lead;
	nb_vec partners;             /* nb_partner*, joint partners */
	int everywhere;              /* areas: all */
	nb_vec areas;                /* nb_area* */
	nb_vec topics;               /* nb_term* */
	nb_vec audiences;            /* nb_term* */
} nb_tags;

struct nb_event {
	uint64_t sig;                /* standalone: hash of the file */
	const char *id;              /* standalone: file id; embedded: CID-N */
	const char *path;            /* file it was read from */
	const char *title, *summary, *description, *body_html;
	nb_local start, end;
	nb_venue *venue;             /* NULL when online only */
	const char *online, *booking, *translation;
	int bsl, creche, cancelled;
	nb_contact *contact;
	nb_consultation *consultation;   /* NULL for a standalone event */
	nb_tags tags;                /* standalone: own; embedded: a copy */
	int index;                   /* position in its consultation */
	const char *anchor;          /* "event-3" or "event-ID": the page anchor */
	/* recurrence (standalone events): an RRULE, dates left out */
	const char *rrule, *repeat_text;
	nb_date *except;
	size_t except_len;
	nb_event *occurrence_of;     /* derived: an occurrence of this master */
	nb_vec occurrences;          /* derived, on a master: its occurrences */
	const struct nb_file_history *hist;   /* standalone: from git */
	uint64_t dep;                /* derived: nb_sig_prepare() */
	uint64_t data_key;           /* of a consultation's: what its open
				      * data record says but its ids
				      * (nb_data_event_key), worked out when
				      * its file is read and kept in its
				      * image; 0 when not known */
};

/* Where the feedback promise of a closed activity stands. */
typedef enum {
	NB_PROMISE_NONE,             /* not closed yet, or cancelled/postponed */
	NB_PROMISE_AWAITING,         /* closed; outcome not yet due */
	NB_PROMISE_ON_TIME,          /* outcome published by feedback_by */
	NB_PROMISE_LATE,             /* outcome published after feedback_by */
	NB_PROMISE_OVERDUE,          /* feedback_by passed, no outcome */
	NB_PROMISE_UNDATED,          /* closed, no date was promised */
	NB_PROMISE_COUNT
} nb_promise;

struct nb_consultation {
	uint64_t sig;
	uint64_t sig_brief;          /* of what its file says but its summary
				      * (0: not known; sig stands in) */
	const char *id, *path, *title, *summary, *body_html;
	nb_tags tags;
	int level;                   /* index into site.ladder */
	nb_date opens, closes, feedback_by;
	int has_feedback_by;
	int cancelled, postponed;
	const char *status_note;
	nb_link *take_part;
	size_t take_part_len;
	const char **can_influence, **cannot_influence, **accessibility;
	size_t can_len, cannot_len, accessibility_len;
	nb_document *documents;
	size_t documents_len;
	nb_contact *contact;
	nb_event **events;
	size_t events_len;
	nb_outcome *outcome;         /* set when an outcome names it */
	/* derived */
	nb_status status;
	nb_promise promise;
	nb_date changed;             /* nb_consultation_changed(), by nb_derive */
	const struct nb_file_history *hist;   /* from git, or NULL */
	uint64_t dep;                /* derived: nb_sig_prepare() */
	uint64_t dep_brief;          /* the same with sig_brief */
};

typedef enum { NB_DID_DONE, NB_DID_IN_PROGRESS, NB_DID_NOT_POSSIBLE } nb_did_state;

typedef struct nb_said_did {
	const char *you_said, *we_did, *why;
	nb_did_state state;
} nb_said_did;

typedef struct nb_update {
	nb_date date;                /* when the outcome was updated */
	const char *text;            /* what changed */
} nb_update;

typedef struct nb_count {
	const char *label;           /* a method, or the area's name */
	nb_area *area;               /* by area: the area */
	long count;
} nb_count;

struct nb_outcome {
	uint64_t sig;
	const char *id, *path, *title, *summary, *body_html;
	nb_consultation *consultation;
	nb_date published, decided_on;
	int has_decided_on;
	long responses;
	nb_count *by_method, *by_area;
	size_t by_method_len, by_area_len;
	nb_said_did *said_did;
	size_t said_did_len;
	const char *decision, *decided_by, *next_steps;
	nb_document *documents;
	size_t documents_len;
	nb_update *updates;          /* newest first */
	size_t updates_len;
	/* derived */
	int on_time;                 /* published on or before feedback_by */
	nb_date changed;             /* nb_outcome_changed(), by nb_derive */
	const struct nb_file_history *hist;   /* from git, or NULL */
	uint64_t dep;                /* derived: nb_sig_prepare() */
};

struct nb_page {
	uint64_t sig;
	const char *id, *path, *title, *summary, *body_html;
	int footer, order;
	const struct nb_file_history *hist;
	uint64_t dep;                /* derived: nb_sig_prepare() */
};

typedef struct nb_model {
	nb_arena *arena;
	nb_arena **arenas;           /* more: what threads read records into */
	size_t arenas_len, arenas_cap;
	nb_site site;
	nb_vec areas, partners, topics, audiences;      /* sorted by id */
	nb_vec consultations, outcomes, events, pages;   /* sorted by id */
	nb_vec all_events;           /* standalone + embedded, by start */
	nb_map area_ids, partner_ids, topic_ids, audience_ids;
	nb_map consultation_ids, outcome_ids, event_ids, page_ids;
	/* from git history: old addresses of renamed records */
	nb_vec redirects;            /* nb_redirect* */
	const char *commit;          /* the commit built, or NULL */
	uint64_t site_sig, terms_sig;    /* site.yaml; topics and audiences */
	struct nb_cache *cache;      /* while loading: files parsed before */
} nb_model;

/* FNV-1a over bytes, continuing from h (start with NB_SIG_INIT). */
#define NB_SIG_INIT 1469598103934665603ULL
uint64_t nb_sig(uint64_t h, const void *data, size_t len);
uint64_t nb_sig_u64(uint64_t h, uint64_t v);

typedef struct nb_redirect {
	const char *from;            /* "consultations/old-id/" */
	const char *to;              /* "consultations/new-id/" */
	const char *title;           /* the record's title now */
} nb_redirect;

/*
 * Load and validate a whole site from src.  Returns 0 with *out set, or -1
 * when any error was found (all of them are in d; *out is NULL).  Warnings
 * may be added either way.
 */
int nb_model_load(nb_model **out, const nb_source *src, nb_diags *d);
/* The same, reading the records in `jobs` threads (0: one for each core);
 * the model and the diagnostics are the same whatever the number. */
int nb_model_load_jobs(nb_model **out, const nb_source *src, int jobs,
		       nb_diags *d);
/* The same, with more to say: */
typedef struct nb_load_opts {
	int jobs;                    /* as nb_model_load_jobs */
	/* files the cache has are taken from it (by blob id, so only when
	 * src is a commit) and the others added to it (cache.h) */
	struct nb_cache *cache;
	/* called once site.yaml is read (and the site's time zone set),
	 * before the records are */
	void (*site_read)(void *ud);
	void *ud;
} nb_load_opts;
int nb_model_load_with(nb_model **out, const nb_source *src,
		       const nb_load_opts *opts, nb_diags *d);
void nb_model_free(nb_model *m);   /* accepts NULL */

const char *nb_status_label(nb_status s);   /* "Closing soon" */
const char *nb_status_slug(nb_status s);    /* "closing-soon" */
const char *nb_did_label(nb_did_state s);   /* "In progress" */
const char *nb_promise_label(nb_promise p); /* "Published late" */
const char *nb_promise_slug(nb_promise p);  /* "late" */

/* Whether id is a safe record id: [a-z0-9-]+, 1-80 chars, no leading or
 * trailing hyphen. */
int nb_id_valid(const char *id);

/* Whether a page id is the name of one of the site's own sections
 * ("areas", "calendar", ...): no page may live at its address. */
int nb_page_id_reserved(const char *id);

#endif
