/*
 * date.h - calendar dates, local times in the site's zone, and dates
 * written the GOV.UK way ("Tuesday 8 December 2026", "7pm to 9pm").
 *
 * Civil-date arithmetic is done here (days from 1970-01-01, proleptic
 * Gregorian); conversions between the site's local wall time and UTC use
 * the C library's time-zone code over the system tz database (tzdata), so
 * summer time follows the official rules.  The zone is process-wide: set it
 * once per build with nb_tz_set().
 */
#ifndef NB_DATE_H
#define NB_DATE_H

#include <stdint.h>
#include <stddef.h>

#include "buf.h"

typedef struct nb_date {
	int year, month, day;        /* month 1-12, day 1-31 */
} nb_date;

typedef struct nb_local {
	nb_date date;
	int hour, minute;            /* local wall-clock time in the zone */
} nb_local;

/* Parse "YYYY-MM-DD".  Returns 0; or -1 when it is not of that form
 * (*why = "expected a date like 2026-12-05"), or -2 when it is of the form
 * but no such day exists (*why = "there is no 30 February 2026"; the
 * string is static or, for -2, written into why_buf of why_size bytes). */
int nb_date_parse(nb_date *out, const char *s, size_t len,
		  char *why, size_t why_size);

/* Parse "YYYY-MM-DD HH:MM" (or with 'T', optional ":SS" ignored when 00).
 * Same return convention; hours 0-23, minutes 0-59. */
int nb_local_parse(nb_local *out, const char *s, size_t len,
		   char *why, size_t why_size);

int nb_date_valid(int year, int month, int day);
int nb_days_in_month(int year, int month);
/* Days since 1970-01-01 (negative before). */
int64_t nb_date_days(nb_date d);
nb_date nb_date_from_days(int64_t days);
nb_date nb_date_add_days(nb_date d, int64_t n);
/* 0 = Monday ... 6 = Sunday (ISO 8601). */
int nb_date_weekday(nb_date d);
int nb_date_cmp(nb_date a, nb_date b);        /* <0, 0, >0 */
int nb_local_cmp(nb_local a, nb_local b);

const char *nb_month_name(int month);         /* "December" */
const char *nb_weekday_name(int weekday);     /* "Tuesday" (0 = Monday) */

/* GOV.UK style, appended to b. */
void nb_fmt_date(nb_buf *b, nb_date d);        /* 5 December 2026 */
void nb_fmt_date_long(nb_buf *b, nb_date d);   /* Saturday 5 December 2026 */
void nb_fmt_month(nb_buf *b, int year, int month); /* December 2026 */
/* 7pm, 7:30pm, 10am, midday, midnight */
void nb_fmt_time(nb_buf *b, int hour, int minute);
/* 7pm to 9pm; 10am to midday */
void nb_fmt_time_range(nb_buf *b, int h1, int m1, int h2, int m2);
/* 5 December 2026; 3 to 28 November 2026; 30 November to 4 December 2026;
 * 30 December 2026 to 4 January 2027 */
void nb_fmt_date_range(nb_buf *b, nb_date from, nb_date to);
/* When an event happens, in one phrase:
 *   same day:  "Tuesday 8 December 2026, 7pm to 9pm"
 *   otherwise: "Saturday 5 December 2026, 10am to Sunday 6 December 2026, 4pm" */
void nb_fmt_when(nb_buf *b, nb_local start, nb_local end);
/* 2026-12-05 */
void nb_fmt_iso_date(nb_buf *b, nb_date d);

/* Set the process's zone from an IANA name ("Europe/London").  Returns 0,
 * or -1 when the name is unsafe or no tz data exists for it. */
int nb_tz_set(const char *zone);
/* Local wall time in the zone -> seconds since the epoch (UTC).  A time
 * that does not exist (01:30 on the day clocks go forward) is moved on by
 * the gap (to 02:30 summer time); an ambiguous time (01:30 on the day they
 * go back) is the first, summer-time, one. */
int64_t nb_tz_to_utc(nb_local l);
/* UTC -> local wall time; *offset_min (may be NULL) gets the UTC offset in
 * minutes (60 in British Summer Time). */
nb_local nb_tz_from_utc(int64_t t, int *offset_min);
/* 2026-12-08T19:00:00+00:00 (RFC 3339 with the zone's offset at that
 * time): for <time datetime="..."> */
void nb_fmt_iso_local(nb_buf *b, nb_local l);

#endif
