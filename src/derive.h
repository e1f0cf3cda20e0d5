/*
 * derive.h - what follows from the records and the date.
 *
 * Status by date (the build's "now"), roll-ups of activities and events
 * into every area above the ones they are tagged with, per-partner and
 * per-topic lists, the calendar by month and the feedback record.  All
 * lists are sorted, so rendering never sorts.  Memory lives in the model's
 * arena.
 */
#ifndef NB_DERIVE_H
#define NB_DERIVE_H

#include "model.h"

typedef enum { NB_CAL_EVENT, NB_CAL_OPENS, NB_CAL_CLOSES } nb_cal_kind;

typedef struct nb_cal_item {
	nb_cal_kind kind;
	nb_date date;
	nb_event *event;               /* NB_CAL_EVENT */
	nb_consultation *consultation; /* opens/closes; or the event's */
} nb_cal_item;

typedef struct nb_month {
	int year, month;
	nb_vec items;                  /* nb_cal_item*, by date and time */
} nb_month;

typedef struct nb_derived {
	nb_date today;
	/* consultations by status; open and closing soon by closing date,
	 * upcoming by opening date, the rest newest closing first */
	nb_vec by_status[NB_STATUS_COUNT];
	nb_vec open_now;               /* open + closing soon, by closes */
	nb_vec everywhere;             /* tagged `all`, by closes */
	nb_vec everywhere_events;      /* tagged `all`, by start */
	nb_vec months;                 /* nb_month*, oldest first */
	nb_vec outcomes;               /* newest published first */
	nb_vec upcoming_events;        /* not yet ended, by start */
	nb_vec top_areas;              /* areas with no parent, by name */
	nb_vec footer_pages;           /* by order then title */
	struct nb_report *reports;     /* one a year, oldest first (report.h) */
	size_t reports_len;
} nb_derived;

/* Derive everything for the date `today` (local to the site's zone).
 * Returns the derived data, owned by m's arena. */
nb_derived *nb_derive(nb_model *m, nb_date today);

/* Where the feedback promise of one consultation stands on `today`. */
nb_promise nb_consultation_promise(const nb_consultation *c, nb_date today);

/* The last date on or before `today` on which what a consultation's (or
 * an outcome's) page says changed: for sitemap lastmod and Atom updated.
 * Derived from the record's dates, so every build on the same day agrees
 * (git history can refine it). */
nb_date nb_consultation_changed(const nb_consultation *c, nb_date today);
nb_date nb_outcome_changed(const nb_outcome *o, nb_date today);

/* The status of one consultation on `today`. */
nb_status nb_consultation_status(const nb_consultation *c, nb_date today,
				 int closing_soon_days);

#endif
