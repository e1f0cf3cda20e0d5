/*
 * data.h - figures as open data: JSON written with jansson (the only file
 * that calls it) and CSV as RFC 4180 describes it.
 */
#ifndef NB_DATA_H
#define NB_DATA_H

#include "buf.h"
#include "ical.h"
#include "report.h"

#include <stdint.h>

/* A yearly report as JSON (indented, keys in a fixed order, ending in a
 * newline), appended to out.  Returns 0, or -1 if jansson fails. */
int nb_data_report_json(nb_buf *out, const nb_report *r);

/* A yearly report as CSV with a header row "table,id,label,value" and
 * CRLF line ends, appended to out. */
void nb_data_report_csv(nb_buf *out, const nb_report *r);

/* One CSV field, quoted when it holds a comma, quote, CR or LF. */
void nb_csv_field(nb_buf *out, const char *s);

/* Open data: which collection. */
typedef enum {
	NB_DATA_CONSULTATIONS,
	NB_DATA_EVENTS,
	NB_DATA_OUTCOMES,
	NB_DATA_AREAS,
	NB_DATA_PARTNERS,
	NB_DATA_COUNT
} nb_data_kind;

/* "consultations", "events"...: the file names under /data/. */
const char *nb_data_name(nb_data_kind k);

/* A collection as a JSON array (described by /data/schema/NAME.schema.json)
 * or as CSV with a header row; appended to out.  `prefix` is the site's URL
 * path prefix.  Records are converted and written one at a time, so memory
 * beyond `out` follows the largest record, not the collection.
 * nb_data_json returns 0, or -1 if jansson fails (out is then as it was). */
int nb_data_json(nb_buf *out, nb_data_kind k, const nb_model *m,
		 const char *prefix);
void nb_data_csv(nb_buf *out, nb_data_kind k, const nb_model *m,
		 const char *prefix);

/* Both forms at once, for collections of any size: each record is
 * converted once and appended to json and to csv (either may be NULL).
 * With a flush function, a buffer that has grown past about a megabyte is
 * handed to it (csv: 0 for the JSON buffer, 1 for the CSV one), which
 * writes it out and empties it; what is left at the end stays in the
 * buffers.  Returns 0, or -1 if jansson or flush fails (the buffers then
 * hold part of the output).
 *
 * A rebuild need not convert every record again.  Each consultation,
 * event and outcome has a key: `global` (what every output depends on)
 * with the record's signature (sig.h).  With `index`, where each record's
 * JSON element and CSV row went is noted there under its key (when both
 * forms are written); given the last build's files and their index as
 * `old`, a record whose key is there has its text copied from them. */
typedef struct nb_data_pieces {
	const char *json, *csv;      /* the last build's files, or NULL */
	size_t json_len, csv_len;
	const char *index;           /* and where each record's text is */
	size_t index_len;
} nb_data_pieces;

typedef struct nb_data_out {
	nb_buf *json, *csv;
	int (*flush)(void *ud, nb_buf *b, int csv);
	void *ud;
	uint64_t global;
	const nb_data_pieces *old;   /* or NULL */
	nb_buf *index;               /* or NULL */
	size_t reused;               /* records copied from old */
	/* with flush: copies len bytes at off of old's JSON (csv 0) or CSV
	 * file to the end of the file being written (0, or -1), so that
	 * unchanged records need not pass through the buffers; or NULL */
	int (*copy)(void *ud, int csv, uint64_t off, size_t len);
} nb_data_out;

int nb_data_write(nb_data_out *out, nb_data_kind k, const nb_model *m,
		  const char *prefix);

/* Whether an index is one nb_data_write made for these two files (its
 * head says so; what it says of each record is checked when it is
 * used). */
int nb_data_pieces_sound(const nb_data_pieces *p);

/* What a collection's files say depends on: every record's key, in
 * order, with `global` (which has the areas' and partners' files).  The
 * same for two builds, their files are the same. */
uint64_t nb_data_sig(nb_data_kind k, const nb_model *m, uint64_t global);
/* What the open data record of an event of a consultation says, but its
 * ids (its file's name): every other field of it, and nothing else of its
 * consultation's file (kept with the record, nb_event.data_key, so that a
 * rebuild need not work it out). */
uint64_t nb_data_event_key(const nb_event *ev);

/* schema.org JSON-LD for a consultation's or an event's page, ready to sit
 * inside <script type="application/ld+json"> ("</" is escaped).  Returns
 * 0, or -1 if jansson fails. */
int nb_data_jsonld_consultation(nb_buf *out, const nb_model *m,
				const nb_consultation *c, const char *prefix);
int nb_data_jsonld_event(nb_buf *out, const nb_model *m, const nb_event *ev,
			 const char *prefix);

/* Calendar SEQUENCE numbers carried from one build to the next, in the
 * published site at data/calendar-sequence.json.  Reading a missing or
 * unreadable file gives an empty table (every item starts at 0). */
void nb_data_read_seqs(nb_ical_seqs *out, nb_arena *a, const char *path);
int nb_data_seqs_json(nb_buf *out, const nb_ical_seqs *s);

#endif
