/*
 * report.h - yearly engagement reports: the figures the seeds' monitoring
 * standards ask for, computed from the model (a derive stage).
 *
 * The rules, also in docs/reports.md:
 * - An activity belongs to the year it opens.  Cancelled activities are
 *   counted apart and left out of every other figure.
 * - By area: each activity counts once for every top-level area and every
 *   area directly below one (county and districts) that it is in, tagged
 *   there or in an area inside it; activities for everywhere count under
 *   "Everywhere".  By partner: the lead and every joint partner count.
 * - Feedback: activities that closed in the year with a promised date,
 *   whose promise has fallen due or been met: on time, late or overdue.
 *   The on-time share is on time / (on time + late + overdue).
 * - Responses: the totals of outcomes for activities that opened in the
 *   year.  Days to feedback: the median over outcomes of activities that
 *   closed in the year, from closing date to publication.
 */
#ifndef NB_REPORT_H
#define NB_REPORT_H

#include "derive.h"

typedef struct nb_tally {
	const char *id;              /* record id; NULL for "Everywhere" */
	const char *label;
	long count;
} nb_tally;

typedef struct nb_report {
	int year;
	long activities;             /* opened in the year, not cancelled */
	long cancelled;
	nb_tally *by_level, *by_partner, *by_area, *by_topic;
	size_t by_level_len, by_partner_len, by_area_len, by_topic_len;
	long responses;              /* from outcomes of the year's activities */
	long outcomes;               /* of the year's activities */
	long closed;                 /* activities that closed in the year */
	long on_time, late, overdue, awaiting, undated;
	double on_time_share;        /* 0..1; negative when nothing was due */
	double median_days;          /* negative when there is no outcome */
} nb_report;

/*
 * Reports for every year from the first year any activity opened to the
 * year of `dv->today`, oldest first.  *out is arena-owned (the model's).
 */
void nb_reports(nb_report **out, size_t *n, nb_model *m, const nb_derived *dv);

/* Every figure of a report folded into h: its page and files show these
 * and nothing else of the site's records. */
uint64_t nb_report_sig(uint64_t h, const nb_report *r);

#endif
