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

/* The same in two steps, so that the walk runs in a thread of its own
 * (on a handle of its own: nb_git_reopen) while the records are read:
 * nb_history_start before reading them, then nb_history_finish with the
 * model (it waits for the walk; its result and diagnostics are as
 * nb_history_attach's), or nb_history_abort when there is no model. */
typedef struct nb_history_job nb_history_job;
nb_history_job *nb_history_start(nb_git *g, const char *cache);
int nb_history_finish(nb_history_job *j, nb_model *m, nb_diags *d);
void nb_history_abort(nb_history_job *j);   /* accepts NULL */

/* The date (in the site's zone) of a history's first and last change;
 * 0, or -1 when there is no history. */
int nb_history_dates(const struct nb_file_history *h, nb_date *first,
		     nb_date *last);

#endif
