/*
 * history.h - what git history adds to the model (a derive stage).
 *
 * Each record gets its dated changes ("first published", "last updated",
 * the list of changes on its history page); records renamed in history
 * leave redirects at their old addresses.  A shallow clone is warned about.
 */
#ifndef NB_HISTORY_H
#define NB_HISTORY_H

#include "git.h"
#include "model.h"

/* Walk g's history once and attach it to m's records.  With `cache` (a
 * file, or NULL), the walk stops at the commit saved there and takes the
 * older changes from it, and saves this commit's (git.h).  Returns 0, or
 * -1 with an error in d.  Warnings (a shallow clone) go to d too. */
int nb_history_attach(nb_model *m, nb_git *g, const char *cache,
		      nb_diags *d);

/* The date (in the site's zone) of a history's first and last change;
 * 0, or -1 when there is no history. */
int nb_history_dates(const struct nb_file_history *h, nb_date *first,
		     nb_date *last);

#endif
