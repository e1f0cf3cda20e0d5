/*
 * scaffold.h - `noticeboard new`: a commented starting record.
 *
 * Officers start a record from its title; the file gets a safe id made
 * from the title, every field of docs/records.md (optional ones commented
 * out, with an example), sensible dates from today and, in comments, the
 * ids the site already has to choose from.  Text the officer must write is
 * marked TODO, which `noticeboard check` warns about until it is gone.  An
 * existing file is never replaced.
 */
#ifndef NB_SCAFFOLD_H
#define NB_SCAFFOLD_H

#include <stdint.h>

#include "date.h"
#include "diag.h"

typedef enum {
	NB_NEW_CONSULTATION,
	NB_NEW_EVENT,
	NB_NEW_OUTCOME,
	NB_NEW_AREA,
	NB_NEW_PARTNER
} nb_new_kind;

/* "consultation", "event", "outcome", "area" or "partner" (a trailing
 * "s" is accepted).  Returns 0, or -1 for anything else. */
int nb_new_kind_parse(nb_new_kind *out, const char *name);

/*
 * A safe record id from a title: lower case, words joined by hyphens,
 * common accented letters written without their accents ("Café" ->
 * "cafe", "Straße" -> "strasse"), apostrophes dropped ("people's" ->
 * "peoples"), "&" written "and", other characters dropped, at most 80
 * characters.  Returns a malloc'd string, or NULL when the title has no
 * letters or digits to make one from.
 */
char *nb_scaffold_id(const char *title);

typedef struct nb_scaffold_opts {
	const char *source;      /* the site folder (holding site.yaml) */
	nb_new_kind kind;
	const char *title;
	const char *id;          /* the file name to use; NULL: from title */
	int has_today;           /* 1: `today` is the date */
	nb_date today;
	int64_t now;             /* otherwise: this time, in the site's zone */
} nb_scaffold_opts;

/*
 * Write a new record under SOURCE/content/.  Returns 0 with *path_out set
 * to the path written (malloc'd; the caller frees it), or -1 with an error
 * in d and nothing written.  A file that already exists is never
 * replaced.
 */
int nb_scaffold_new(char **path_out, const nb_scaffold_opts *o, nb_diags *d);

#endif
