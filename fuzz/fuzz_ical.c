/*
 * fuzz_ical.c - recurrence rules (a record's `repeat:`) and iCalendar
 * text, through src/ical.c.
 *
 * The input is a rule, then (after a NUL byte) a calendar.  A rule that
 * nb_ical_rrule_check accepts is expanded from a fixed start: the
 * occurrences must be in order, within the window and no more than asked.
 * The calendar text goes through nb_ical_validate.  Whole feeds are
 * written from fuzzed records by fuzz_build (calendar.ics and the feeds
 * of every area, partner and topic).
 */
#include "fuzz.h"

#include "date.h"
#include "ical.h"

#define MAX_OCCURRENCES 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_part parts[2];
	nb_local start = { { 2026, 3, 10 }, 19, 0 }, occ[MAX_OCCURRENCES];
	nb_date until = { 2027, 12, 31 };
	char why[200], *rule, *cal;
	size_t n, i, got;

	n = fuzz_split(data, size, parts, 2);
	rule = fuzz_strndup(parts[0].s, parts[0].len);
	if (nb_ical_rrule_check(rule, why, sizeof(why)) == 0) {
		got = nb_ical_expand(rule, start, until, occ, MAX_OCCURRENCES);
		if (got > MAX_OCCURRENCES)
			FUZZ_FAIL("%zu occurrences, %d asked", got,
				  MAX_OCCURRENCES);
		for (i = 0; i < got; i++) {
			if (!nb_date_valid(occ[i].date.year, occ[i].date.month,
					   occ[i].date.day) ||
			    occ[i].hour < 0 || occ[i].hour > 23 ||
			    occ[i].minute < 0 || occ[i].minute > 59)
				FUZZ_FAIL("occurrence %zu is not a time", i);
			if (nb_date_cmp(occ[i].date, until) > 0)
				FUZZ_FAIL("occurrence %zu after the window", i);
			if (i && nb_local_cmp(occ[i - 1], occ[i]) > 0)
				FUZZ_FAIL("occurrences out of order");
		}
	} else if (!why[0]) {
		FUZZ_FAIL("a refused rule without a reason");
	}
	if (n > 1) {
		cal = fuzz_strndup(parts[1].s, parts[1].len);
		(void)nb_ical_validate(cal, why, sizeof(why));
		free(cal);
	}
	free(rule);
	return 0;
}
