/*
 * check.h - `noticeboard check`: every error a build finds, plus warnings
 * drawn from the engagement standards.
 *
 * A check builds the whole site into a private temporary folder (so
 * template errors are found too, and links can be checked against the
 * pages that really exist), removes it, and then looks at the records for
 * what the standards ask of an activity:
 *
 *   - consultation fatigue: two activities on the same topic, in the same
 *     area or in areas inside one another, open at the same time;
 *   - an activity at "consult" or above with no feedback promise
 *     (`feedback_by`);
 *   - a feedback promise that has passed with no outcome published;
 *   - an activity open for fewer than `min_open_days` days;
 *   - an event venue with no access information;
 *   - links to pages of this site that do not exist, in Markdown bodies
 *     and in fields (`link`, `url`, `file`, `online`, `booking`, ...);
 *   - placeholders ("TODO") left by `noticeboard new`.
 *
 * Warnings about the past are not given: an activity that closed before
 * the check's date is history, not something an officer can still fix
 * (except an overdue feedback promise, which is).
 */
#ifndef NB_CHECK_H
#define NB_CHECK_H

#include <stdio.h>

#include "build.h"
#include "diag.h"

#define NB_CHECK_MIN_OPEN_DAYS 28   /* four weeks */

typedef struct nb_check_opts {
	nb_build_opts build;      /* source, share and date; output and
				   * check_only are ignored */
	int min_open_days;        /* 0 turns that warning off */
} nb_check_opts;

/*
 * Check a site.  Returns 0 when it has no errors (warnings may have been
 * added to d), or -1 with every error in d.  stats counts the records.
 * Nothing is written outside a temporary folder, which is removed.
 */
int nb_check(const nb_check_opts *opts, nb_build_stats *stats, nb_diags *d);

/* --strict: every warning in d becomes an error. */
void nb_check_strict(nb_diags *d);

/*
 * Print diagnostics as a JSON array of
 *   { "file", "line", "column", "severity", "message", "hint" }
 * (line and column 0 when unknown, hint null when there is none), ending
 * in a newline.  Returns 0, or -1 when it cannot be written.
 */
int nb_check_print_json(FILE *fp, const nb_diags *d);

#endif
