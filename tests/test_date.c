/*
 * test_date.c - date parsing and arithmetic, GOV.UK-style formatting, and
 * local time <-> UTC over the tz database (Europe/London and others).
 *
 * Expected epoch seconds were worked out independently (Python's datetime
 * and zoneinfo), not with the code under test.
 */
#include "harness.h"

#include <stdlib.h>
#include <time.h>

#include "buf.h"
#include "date.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static nb_date
D(int y, int m, int d)
{
	nb_date r;

	r.year = y;
	r.month = m;
	r.day = d;
	return r;
}

static nb_local
L(int y, int mo, int d, int h, int mi)
{
	nb_local r;

	r.date = D(y, mo, d);
	r.hour = h;
	r.minute = mi;
	return r;
}

/* ---- parsing ---- */

static void
date__parses_valid_dates(void)
{
	static const struct {
		const char *s;
		int y, m, d;
	} cases[] = {
		{ "2026-12-05", 2026, 12, 5 },
		{ "2024-02-29", 2024, 2, 29 },      /* leap year */
		{ "2000-02-29", 2000, 2, 29 },      /* divisible by 400 */
		{ "1900-01-01", 1900, 1, 1 },
		{ "9999-12-31", 9999, 12, 31 },
		{ "2026-04-30", 2026, 4, 30 },
		{ "2026-01-31", 2026, 1, 31 },
	};
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		nb_date d = D(0, 0, 0);
		char why[128] = "untouched";
		int rc = nb_date_parse(&d, cases[i].s, strlen(cases[i].s),
				       why, sizeof why);

		CHECK_INT(rc, 0);
		CHECK_INT(d.year, cases[i].y);
		CHECK_INT(d.month, cases[i].m);
		CHECK_INT(d.day, cases[i].d);
		CHECK_STR(why, "");
	}
}

static void
date__refuses_malformed_dates(void)
{
	static const char *const cases[] = {
		"2026-1-5", "05/12/2026", "", "2026", "2026-12-5",
		"2026-12-05 ", " 2026-12-05", "2026-12-05x", "20261205",
		"2026/12/05", "+026-12-05", "2026-+1-05", "2026-12--5",
		"２026-12-05", "2026-12-05T19:00", "twenty-six",
		"2026-12-0a", "12-05-2026",
	};
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		nb_date d;
		char why[128];
		int rc = nb_date_parse(&d, cases[i], strlen(cases[i]),
				       why, sizeof why);

		if (rc != -1)
			nb_test_fail(__FILE__, __LINE__, "\"%s\": got %d",
				     cases[i], rc);
		CHECK_STR(why, "expected a date like 2026-12-05");
	}
}

static void
date__refuses_days_that_do_not_exist(void)
{
	static const struct {
		const char *s, *why;
	} cases[] = {
		{ "2026-02-30", "there is no 30 February 2026" },
		{ "2026-02-30", "2026 is not a leap year, so February has "
				"28 days" },
		{ "2025-02-29", "there is no 29 February 2025" },
		{ "2025-02-29", "2025 is not a leap year, so February has "
				"28 days" },
		{ "1900-02-29", "1900 is not a leap year" },
		{ "2100-02-29", "2100 is not a leap year" },
		{ "2024-02-30", "there is no 30 February 2024 (February 2024 "
				"has 29 days)" },
		{ "2026-04-31", "there is no 31 April 2026 (April 2026 has "
				"30 days)" },
		{ "2026-13-01", "month 13 does not exist" },
		{ "2026-00-10", "month 0 does not exist" },
		{ "2026-12-00", "day 0 does not exist" },
		{ "2026-12-32", "there is no 32 December 2026" },
		{ "1899-12-31", "year 1899 is out of range (1900 to 9999)" },
		{ "0000-01-01", "year 0 is out of range" },
	};
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		nb_date d;
		char why[128];
		int rc = nb_date_parse(&d, cases[i].s, strlen(cases[i].s),
				       why, sizeof why);

		CHECK_INT(rc, -2);
		CHECK_HAS(why, cases[i].why);
	}
}

static void
date__parse_respects_length_and_small_buffers(void)
{
	const char *s = "2026-12-05 and more";
	nb_date d;
	char why[8];

	/* Only len bytes are read: no NUL needed. */
	CHECK_INT(nb_date_parse(&d, s, 10, NULL, 0), 0);
	CHECK_INT(d.day, 5);
	CHECK_INT(nb_date_parse(&d, s, 11, NULL, 0), -1);
	CHECK_INT(nb_date_parse(&d, NULL, 0, NULL, 0), -1);
	/* A short message buffer is truncated and still terminated. */
	CHECK_INT(nb_date_parse(&d, "2026-02-30", 10, why, sizeof why), -2);
	CHECK_STR(why, "there i");
}

static void
date__parses_local_times(void)
{
	static const struct {
		const char *s;
		int y, mo, d, h, mi;
	} cases[] = {
		{ "2026-12-08 19:00", 2026, 12, 8, 19, 0 },
		{ "2026-12-08T19:30", 2026, 12, 8, 19, 30 },
		{ "2026-12-08 19:30:00", 2026, 12, 8, 19, 30 },
		{ "2026-12-08T00:00:00", 2026, 12, 8, 0, 0 },
		{ "2024-02-29 23:59", 2024, 2, 29, 23, 59 },
		{ "1900-01-01 00:00", 1900, 1, 1, 0, 0 },
	};
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		nb_local l;
		char why[128];

		memset(&l, 0, sizeof l);
		CHECK_INT(nb_local_parse(&l, cases[i].s, strlen(cases[i].s),
					 why, sizeof why), 0);
		CHECK_INT(l.date.year, cases[i].y);
		CHECK_INT(l.date.month, cases[i].mo);
		CHECK_INT(l.date.day, cases[i].d);
		CHECK_INT(l.hour, cases[i].h);
		CHECK_INT(l.minute, cases[i].mi);
	}
}

static void
date__refuses_bad_local_times(void)
{
	static const struct {
		const char *s;
		int rc;
		const char *why;
	} cases[] = {
		{ "2026-12-08", -1, "expected a date and time like "
				    "2026-12-05 19:00" },
		{ "2026-12-08 7:00", -1, "expected a date and time" },
		{ "2026-12-08 19:00Z", -1, "expected a date and time" },
		{ "2026-12-08T19:00+01:00", -1, "expected a date and time" },
		{ "2026-12-08t19:00", -1, "expected a date and time" },
		{ "2026-12-08_19:00", -1, "expected a date and time" },
		{ "2026-12-08 19.00", -1, "expected a date and time" },
		{ "2026-12-08 19:00:0", -1, "expected a date and time" },
		{ "2026-12-08 19:00 ", -1, "expected a date and time" },
		{ "2026-12-08 1900", -1, "expected a date and time" },
		{ "8 December 2026 7pm", -1, "expected a date and time" },
		{ "2026-12-08 24:00", -2, "hour 24 does not exist" },
		{ "2026-12-08 19:60", -2, "minute 60 does not exist" },
		{ "2026-12-08 19:00:30", -2, "times are to the minute" },
		{ "2026-12-08 19:00:60", -2, "times are to the minute" },
		{ "2026-02-30 19:00", -2, "there is no 30 February 2026" },
		{ "2026-13-01 19:00", -2, "month 13 does not exist" },
	};
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		nb_local l;
		char why[128];
		int rc = nb_local_parse(&l, cases[i].s, strlen(cases[i].s),
					why, sizeof why);

		if (rc != cases[i].rc)
			nb_test_fail(__FILE__, __LINE__, "\"%s\": got %d, "
				     "want %d", cases[i].s, rc, cases[i].rc);
		CHECK_HAS(why, cases[i].why);
	}
}

/* ---- arithmetic ---- */

static void
date__validates_and_counts_month_lengths(void)
{
	static const struct {
		int y, m, days;
	} cases[] = {
		{ 2026, 1, 31 }, { 2026, 2, 28 }, { 2024, 2, 29 },
		{ 2000, 2, 29 }, { 1900, 2, 28 }, { 2100, 2, 28 },
		{ 2400, 2, 29 }, { 2026, 4, 30 }, { 2026, 6, 30 },
		{ 2026, 9, 30 }, { 2026, 11, 30 }, { 2026, 12, 31 },
		{ 2026, 0, 0 }, { 2026, 13, 0 },
	};
	size_t i;

	for (i = 0; i < LEN(cases); i++)
		CHECK_INT(nb_days_in_month(cases[i].y, cases[i].m),
			  cases[i].days);
	CHECK(nb_date_valid(2024, 2, 29));
	CHECK(!nb_date_valid(2025, 2, 29));
	CHECK(!nb_date_valid(2026, 13, 1));
	CHECK(!nb_date_valid(2026, 12, 0));
	CHECK(!nb_date_valid(2026, 4, 31));
	CHECK(nb_date_valid(2026, 12, 31));
}

static void
date__counts_days_from_the_epoch(void)
{
	static const struct {
		int y, m, d;
		long long days;
		int weekday;
	} cases[] = {
		{ 1970, 1, 1, 0, 3 },                /* Thursday */
		{ 1969, 12, 31, -1, 2 },
		{ 1900, 1, 1, -25567, 0 },           /* Monday */
		{ 2000, 2, 29, 11016, 1 },
		{ 2000, 3, 1, 11017, 2 },
		{ 2024, 2, 29, 19782, 3 },
		{ 2026, 12, 8, 20795, 1 },           /* Tuesday */
		{ 9999, 12, 31, 2932896, 4 },        /* Friday */
		{ 1600, 2, 29, -135081, 1 },
	};
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		nb_date d = D(cases[i].y, cases[i].m, cases[i].d), back;

		CHECK_INT(nb_date_days(d), cases[i].days);
		CHECK_INT(nb_date_weekday(d), cases[i].weekday);
		back = nb_date_from_days(cases[i].days);
		CHECK_INT(nb_date_cmp(back, d), 0);
	}
}

static void
date__round_trips_every_day_over_centuries(void)
{
	/* Every day from 1 January 1600 to 31 December 10000: the count
	 * goes up by one, the date by one valid day, the weekday cycles. */
	nb_date d = D(1600, 1, 1);
	int64_t n = nb_date_days(d), end = nb_date_days(D(10000, 12, 31));
	int w = nb_date_weekday(d), bad = 0;

	CHECK_INT(w, 5);                             /* a Saturday */
	for (; n <= end && bad < 5; n++) {
		nb_date got = nb_date_from_days(n);

		if (nb_date_cmp(got, d) != 0 || nb_date_days(got) != n ||
		    nb_date_weekday(got) != w) {
			nb_test_fail(__FILE__, __LINE__, "day %lld: %d-%d-%d",
				     (long long)n, got.year, got.month,
				     got.day);
			bad++;
		}
		/* the next day, by hand */
		if (d.day < nb_days_in_month(d.year, d.month)) {
			d.day++;
		} else if (d.month < 12) {
			d.month++;
			d.day = 1;
		} else {
			d.year++;
			d.month = 1;
			d.day = 1;
		}
		w = (w + 1) % 7;
	}
	CHECK_INT(bad, 0);
}

static void
date__adds_days_and_compares(void)
{
	static const struct {
		nb_date from;
		long long n;
		nb_date want;
	} cases[] = {
		{ { 2026, 12, 30 }, 3, { 2027, 1, 2 } },
		{ { 2024, 2, 28 }, 1, { 2024, 2, 29 } },
		{ { 2025, 2, 28 }, 1, { 2025, 3, 1 } },
		{ { 2026, 3, 1 }, -1, { 2026, 2, 28 } },
		{ { 2026, 1, 1 }, 365, { 2027, 1, 1 } },
		{ { 2024, 1, 1 }, 366, { 2025, 1, 1 } },
		{ { 2026, 12, 8 }, 0, { 2026, 12, 8 } },
		{ { 1970, 1, 1 }, -25567, { 1900, 1, 1 } },
	};
	size_t i;

	for (i = 0; i < LEN(cases); i++)
		CHECK_INT(nb_date_cmp(nb_date_add_days(cases[i].from,
						       cases[i].n),
				      cases[i].want), 0);

	CHECK(nb_date_cmp(D(2026, 12, 8), D(2026, 12, 9)) < 0);
	CHECK(nb_date_cmp(D(2026, 12, 8), D(2026, 11, 30)) > 0);
	CHECK(nb_date_cmp(D(2025, 12, 31), D(2026, 1, 1)) < 0);
	CHECK(nb_local_cmp(L(2026, 12, 8, 19, 0), L(2026, 12, 8, 19, 0)) == 0);
	CHECK(nb_local_cmp(L(2026, 12, 8, 19, 0), L(2026, 12, 8, 19, 1)) < 0);
	CHECK(nb_local_cmp(L(2026, 12, 8, 20, 0), L(2026, 12, 8, 19, 59)) > 0);
	CHECK(nb_local_cmp(L(2026, 12, 9, 0, 0), L(2026, 12, 8, 23, 59)) > 0);
}

static void
date__names_weekdays_and_months(void)
{
	static const struct {
		nb_date d;
		const char *weekday;
	} cases[] = {
		{ { 2026, 12, 7 }, "Monday" },
		{ { 2026, 12, 8 }, "Tuesday" },
		{ { 2026, 12, 9 }, "Wednesday" },
		{ { 2026, 12, 10 }, "Thursday" },
		{ { 2026, 12, 11 }, "Friday" },
		{ { 2026, 12, 5 }, "Saturday" },
		{ { 2026, 12, 6 }, "Sunday" },
		{ { 2024, 2, 29 }, "Thursday" },
		{ { 2000, 1, 1 }, "Saturday" },
	};
	size_t i;

	for (i = 0; i < LEN(cases); i++)
		CHECK_STR(nb_weekday_name(nb_date_weekday(cases[i].d)),
			  cases[i].weekday);
	CHECK_STR(nb_month_name(1), "January");
	CHECK_STR(nb_month_name(12), "December");
	CHECK_STR(nb_month_name(13), "?");
	CHECK_STR(nb_weekday_name(7), "?");
}

/* ---- formatting ---- */

static void
date__formats_dates(void)
{
	nb_buf b = NB_BUF_INIT;

	nb_fmt_date(&b, D(2026, 12, 5));
	CHECK_STR(nb_buf_cstr(&b), "5 December 2026");
	nb_buf_clear(&b);
	nb_fmt_date_long(&b, D(2026, 12, 5));
	CHECK_STR(nb_buf_cstr(&b), "Saturday 5 December 2026");
	nb_buf_clear(&b);
	nb_fmt_date_long(&b, D(2026, 12, 8));
	CHECK_STR(nb_buf_cstr(&b), "Tuesday 8 December 2026");
	nb_buf_clear(&b);
	nb_fmt_month(&b, 2026, 12);
	CHECK_STR(nb_buf_cstr(&b), "December 2026");
	nb_buf_clear(&b);
	nb_fmt_iso_date(&b, D(2026, 1, 5));
	CHECK_STR(nb_buf_cstr(&b), "2026-01-05");
	nb_buf_clear(&b);
	/* Appends rather than overwrites. */
	nb_buf_puts(&b, "Closes ");
	nb_fmt_date(&b, D(2026, 11, 28));
	CHECK_STR(nb_buf_cstr(&b), "Closes 28 November 2026");
	nb_buf_free(&b);
}

static void
date__formats_times(void)
{
	static const struct {
		int h, m;
		const char *want;
	} cases[] = {
		{ 0, 0, "midnight" },
		{ 0, 30, "12:30am" },
		{ 0, 1, "12:01am" },
		{ 1, 0, "1am" },
		{ 9, 5, "9:05am" },
		{ 10, 0, "10am" },
		{ 11, 59, "11:59am" },
		{ 12, 0, "midday" },
		{ 12, 30, "12:30pm" },
		{ 13, 0, "1pm" },
		{ 19, 0, "7pm" },
		{ 19, 30, "7:30pm" },
		{ 23, 59, "11:59pm" },
	};
	nb_buf b = NB_BUF_INIT;
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		nb_buf_clear(&b);
		nb_fmt_time(&b, cases[i].h, cases[i].m);
		CHECK_STR(nb_buf_cstr(&b), cases[i].want);
	}
	nb_buf_free(&b);
}

static void
date__formats_time_ranges(void)
{
	static const struct {
		int h1, m1, h2, m2;
		const char *want;
	} cases[] = {
		{ 19, 0, 21, 0, "7pm to 9pm" },
		{ 10, 0, 12, 0, "10am to midday" },
		{ 18, 30, 20, 15, "6:30pm to 8:15pm" },
		{ 11, 30, 13, 0, "11:30am to 1pm" },
		{ 19, 0, 0, 0, "7pm to midnight" },
		{ 19, 0, 19, 0, "7pm" },
	};
	nb_buf b = NB_BUF_INIT;
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		nb_buf_clear(&b);
		nb_fmt_time_range(&b, cases[i].h1, cases[i].m1, cases[i].h2,
				  cases[i].m2);
		CHECK_STR(nb_buf_cstr(&b), cases[i].want);
	}
	nb_buf_free(&b);
}

static void
date__formats_date_ranges(void)
{
	static const struct {
		nb_date from, to;
		const char *want;
	} cases[] = {
		{ { 2026, 12, 5 }, { 2026, 12, 5 }, "5 December 2026" },
		{ { 2026, 11, 3 }, { 2026, 11, 28 }, "3 to 28 November 2026" },
		{ { 2026, 11, 30 }, { 2026, 12, 4 },
		  "30 November to 4 December 2026" },
		{ { 2026, 12, 30 }, { 2027, 1, 4 },
		  "30 December 2026 to 4 January 2027" },
		{ { 2026, 11, 3 }, { 2027, 11, 28 },
		  "3 November 2026 to 28 November 2027" },
		{ { 2026, 1, 1 }, { 2026, 12, 31 },
		  "1 January to 31 December 2026" },
	};
	nb_buf b = NB_BUF_INIT;
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		nb_buf_clear(&b);
		nb_fmt_date_range(&b, cases[i].from, cases[i].to);
		CHECK_STR(nb_buf_cstr(&b), cases[i].want);
	}
	nb_buf_free(&b);
}

static void
date__formats_when_an_event_happens(void)
{
	static const struct {
		nb_local start, end;
		const char *want;
	} cases[] = {
		{ { { 2026, 12, 8 }, 19, 0 }, { { 2026, 12, 8 }, 21, 0 },
		  "Tuesday 8 December 2026, 7pm to 9pm" },
		{ { { 2026, 12, 5 }, 10, 0 }, { { 2026, 12, 6 }, 16, 0 },
		  "Saturday 5 December 2026, 10am to Sunday 6 December 2026, "
		  "4pm" },
		{ { { 2026, 12, 5 }, 10, 0 }, { { 2026, 12, 5 }, 12, 0 },
		  "Saturday 5 December 2026, 10am to midday" },
		{ { { 2026, 12, 31 }, 22, 30 }, { { 2027, 1, 1 }, 1, 0 },
		  "Thursday 31 December 2026, 10:30pm to Friday 1 January "
		  "2027, 1am" },
		/* ends at the midnight that closes its day */
		{ { { 2026, 12, 4 }, 19, 0 }, { { 2026, 12, 5 }, 0, 0 },
		  "Friday 4 December 2026, 7pm to midnight" },
		/* a whole day, midnight to midnight, names both days */
		{ { { 2026, 12, 4 }, 0, 0 }, { { 2026, 12, 5 }, 0, 0 },
		  "Friday 4 December 2026, midnight to Saturday 5 December "
		  "2026, midnight" },
		{ { { 2026, 12, 8 }, 19, 0 }, { { 2026, 12, 8 }, 19, 0 },
		  "Tuesday 8 December 2026, 7pm" },
	};
	nb_buf b = NB_BUF_INIT;
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		nb_buf_clear(&b);
		nb_fmt_when(&b, cases[i].start, cases[i].end);
		CHECK_STR(nb_buf_cstr(&b), cases[i].want);
	}
	nb_buf_free(&b);
}

/* ---- time zones ---- */

struct utc_case {
	nb_local local;
	long long utc;
	const char *iso;       /* nb_fmt_iso_local */
};

static void
check_utc_cases(const struct utc_case *cases, size_t n)
{
	nb_buf b = NB_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		long long got = nb_tz_to_utc(cases[i].local);

		if (got != cases[i].utc)
			nb_test_fail(__FILE__, __LINE__, "case %zu (%02d:%02d): "
				     "got %lld, want %lld (%+lld s)", i,
				     cases[i].local.hour,
				     cases[i].local.minute, got,
				     cases[i].utc, got - cases[i].utc);
		nb_buf_clear(&b);
		nb_fmt_iso_local(&b, cases[i].local);
		CHECK_STR(nb_buf_cstr(&b), cases[i].iso);
	}
	nb_buf_free(&b);
}

static void
date__converts_london_time_to_utc(void)
{
	static const struct utc_case cases[] = {
		/* summer and winter */
		{ { { 2026, 7, 8 }, 19, 0 }, 1783533600,
		  "2026-07-08T19:00:00+01:00" },
		{ { { 2026, 12, 8 }, 19, 0 }, 1796756400,
		  "2026-12-08T19:00:00+00:00" },
		{ { { 1970, 1, 1 }, 1, 0 }, 0,     /* BST all year then */
		  "1970-01-01T01:00:00+01:00" },
		{ { { 2100, 6, 1 }, 13, 0 }, 4115534400,
		  "2100-06-01T13:00:00+01:00" },
		/* 29 March 2026: 01:00 GMT becomes 02:00 BST */
		{ { { 2026, 3, 29 }, 0, 59 }, 1774745940,
		  "2026-03-29T00:59:00+00:00" },
		{ { { 2026, 3, 29 }, 1, 0 }, 1774746000,
		  "2026-03-29T02:00:00+01:00" },
		{ { { 2026, 3, 29 }, 1, 30 }, 1774747800,   /* 01:30Z */
		  "2026-03-29T02:30:00+01:00" },
		{ { { 2026, 3, 29 }, 1, 59 }, 1774749540,
		  "2026-03-29T02:59:00+01:00" },
		{ { { 2026, 3, 29 }, 2, 0 }, 1774746000,
		  "2026-03-29T02:00:00+01:00" },
		{ { { 2026, 3, 29 }, 2, 30 }, 1774747800,
		  "2026-03-29T02:30:00+01:00" },
		/* 25 October 2026: 02:00 BST becomes 01:00 GMT */
		{ { { 2026, 10, 25 }, 0, 30 }, 1792884600,
		  "2026-10-25T00:30:00+01:00" },
		{ { { 2026, 10, 25 }, 1, 0 }, 1792886400,   /* first 01:00 */
		  "2026-10-25T01:00:00+01:00" },
		{ { { 2026, 10, 25 }, 1, 30 }, 1792888200,  /* 00:30Z */
		  "2026-10-25T01:30:00+01:00" },
		{ { { 2026, 10, 25 }, 1, 59 }, 1792889940,
		  "2026-10-25T01:59:00+01:00" },
		{ { { 2026, 10, 25 }, 2, 0 }, 1792893600,
		  "2026-10-25T02:00:00+00:00" },
	};

	CHECK_INT(nb_tz_set("Europe/London"), 0);
	check_utc_cases(cases, LEN(cases));
}

static void
date__converts_utc_to_london_time(void)
{
	static const struct {
		long long utc;
		nb_local want;
		int offset;
	} cases[] = {
		{ 1783533600, { { 2026, 7, 8 }, 19, 0 }, 60 },
		{ 1796756400, { { 2026, 12, 8 }, 19, 0 }, 0 },
		{ 1774745940, { { 2026, 3, 29 }, 0, 59 }, 0 },
		{ 1774746000, { { 2026, 3, 29 }, 2, 0 }, 60 },
		{ 1774747800, { { 2026, 3, 29 }, 2, 30 }, 60 },
		{ 1792888200, { { 2026, 10, 25 }, 1, 30 }, 60 },  /* first */
		{ 1792891800, { { 2026, 10, 25 }, 1, 30 }, 0 },   /* second */
		{ 1792891859, { { 2026, 10, 25 }, 1, 30 }, 0 },   /* 59 s on */
		{ 1796774399, { { 2026, 12, 8 }, 23, 59 }, 0 },
	};
	size_t i;

	CHECK_INT(nb_tz_set("Europe/London"), 0);
	for (i = 0; i < LEN(cases); i++) {
		int off = -999;
		nb_local got = nb_tz_from_utc(cases[i].utc, &off);

		if (nb_local_cmp(got, cases[i].want) != 0)
			nb_test_fail(__FILE__, __LINE__, "%lld: got "
				     "%d-%02d-%02d %02d:%02d", cases[i].utc,
				     got.date.year, got.date.month,
				     got.date.day, got.hour, got.minute);
		CHECK_INT(off, cases[i].offset);
	}
	/* offset_min may be NULL */
	CHECK_INT(nb_tz_from_utc(1783533600, NULL).hour, 19);
}

static void
date__round_trips_london_time_every_quarter_hour(void)
{
	/* Through both changes of 2026, every local time that exists comes
	 * back unchanged. */
	static const nb_date days[] = {
		{ 2026, 3, 28 }, { 2026, 3, 29 }, { 2026, 3, 30 },
		{ 2026, 10, 24 }, { 2026, 10, 25 }, { 2026, 10, 26 },
	};
	size_t i;
	int m;

	CHECK_INT(nb_tz_set("Europe/London"), 0);
	for (i = 0; i < LEN(days); i++) {
		for (m = 0; m < 24 * 60; m += 15) {
			nb_local l = L(days[i].year, days[i].month,
				       days[i].day, m / 60, m % 60), back;
			int gap = days[i].month == 3 && days[i].day == 29 &&
				  m / 60 == 1;

			back = nb_tz_from_utc(nb_tz_to_utc(l), NULL);
			if (gap)
				l.hour = 2;     /* moved on by the gap */
			if (nb_local_cmp(back, l) != 0)
				nb_test_fail(__FILE__, __LINE__, "%d-%02d-%02d "
					     "%02d:%02d came back as %02d:%02d",
					     days[i].year, days[i].month,
					     days[i].day, m / 60, m % 60,
					     back.hour, back.minute);
		}
	}
}

static void
date__converts_other_zones(void)
{
	static const struct utc_case new_york[] = {
		{ { { 2026, 7, 8 }, 19, 0 }, 1783551600,
		  "2026-07-08T19:00:00-04:00" },
		{ { { 2026, 12, 8 }, 19, 0 }, 1796774400,
		  "2026-12-08T19:00:00-05:00" },
		/* 8 March 2026: 02:30 does not exist -> 03:30 EDT */
		{ { { 2026, 3, 8 }, 2, 30 }, 1772955000,
		  "2026-03-08T03:30:00-04:00" },
		/* 1 November 2026: the first 01:30 is EDT */
		{ { { 2026, 11, 1 }, 1, 30 }, 1793511000,
		  "2026-11-01T01:30:00-04:00" },
		{ { { 2026, 11, 1 }, 2, 30 }, 1793514600 + 3600,
		  "2026-11-01T02:30:00-05:00" },
	};
	static const struct utc_case lord_howe[] = {
		/* half-hour summer time: 02:00 +11 becomes 01:30 +10:30 */
		{ { { 2026, 4, 5 }, 1, 45 }, 1775313900,
		  "2026-04-05T01:45:00+11:00" },
	};
	static const struct utc_case kolkata[] = {
		{ { { 2026, 12, 8 }, 19, 0 }, 1796756400 - 19800,
		  "2026-12-08T19:00:00+05:30" },
	};
	static const struct utc_case utc[] = {
		{ { { 2026, 7, 8 }, 19, 0 }, 1783533600 + 3600,
		  "2026-07-08T19:00:00+00:00" },
	};
	static const struct utc_case amsterdam[] = {
		/* Amsterdam Mean Time, +00:19:32: no RFC 3339 offset, so the
		 * instant is written in UTC */
		{ { { 1930, 1, 15 }, 12, 0 }, -1261052372,
		  "1930-01-15T11:40:28Z" },
	};
	int off;

	CHECK_INT(nb_tz_set("America/New_York"), 0);
	check_utc_cases(new_york, LEN(new_york));
	nb_tz_from_utc(1796774400, &off);
	CHECK_INT(off, -300);

	CHECK_INT(nb_tz_set("Australia/Lord_Howe"), 0);
	check_utc_cases(lord_howe, LEN(lord_howe));
	CHECK_INT(nb_tz_set("Asia/Kolkata"), 0);
	check_utc_cases(kolkata, LEN(kolkata));
	nb_tz_from_utc(1796756400, &off);
	CHECK_INT(off, 330);
	CHECK_INT(nb_tz_set("UTC"), 0);
	check_utc_cases(utc, LEN(utc));
	CHECK_INT(nb_tz_set("Europe/Amsterdam"), 0);
	check_utc_cases(amsterdam, LEN(amsterdam));
	CHECK_INT(nb_tz_set("Etc/GMT+5"), 0);
	CHECK_INT(nb_tz_set("America/Port-au-Prince"), 0);
	CHECK_INT(nb_tz_set("America/Argentina/Buenos_Aires"), 0);
}

static void
date__refuses_unknown_and_hostile_zones(void)
{
	static const char *const cases[] = {
		"Europe/Atlantis", "Nowhere", "", "../../etc/passwd",
		"/etc/passwd", "Europe/../Europe/London", "./Europe/London",
		"Europe//London", "Europe/London/", "Europe/London\n",
		"Europe/London;ls", "Europe/London ", "Europe",
		"zone.tab", "leapseconds", "Europe/London\\", "$HOME",
		":Europe/London", "~root",
	};
	const char *before;
	char saved[300];
	size_t i;

	CHECK_INT(nb_tz_set("Europe/London"), 0);
	before = getenv("TZ");
	snprintf(saved, sizeof saved, "%s", before ? before : "(unset)");
	for (i = 0; i < LEN(cases); i++)
		if (nb_tz_set(cases[i]) != -1)
			nb_test_fail(__FILE__, __LINE__, "\"%s\" accepted",
				     cases[i]);
	CHECK(nb_tz_set(NULL) == -1);
	/* A refusal leaves the zone as it was. */
	CHECK_STR(getenv("TZ"), saved);
	CHECK_INT(nb_tz_to_utc(L(2026, 7, 8, 19, 0)), 1783533600);
}

static void
date__looks_for_zones_under_tzdir(void)
{
	const char *old = getenv("TZDIR");
	char saved[4096];
	int had = old != NULL;

	if (had)
		snprintf(saved, sizeof saved, "%s", old);
	setenv("TZDIR", "/nonexistent-tz-directory", 1);
	CHECK_INT(nb_tz_set("Europe/London"), -1);
	setenv("TZDIR", "/usr/share/zoneinfo", 1);
	CHECK_INT(nb_tz_set("Europe/London"), 0);
	if (had)
		setenv("TZDIR", saved, 1);
	else
		unsetenv("TZDIR");
}

void
suite_date(void)
{
	/* The zone tests change TZ; put it back for the suites after. */
	const char *tz = getenv("TZ");
	char *saved = tz ? strdup(tz) : NULL;

	RUN(date__parses_valid_dates);
	RUN(date__refuses_malformed_dates);
	RUN(date__refuses_days_that_do_not_exist);
	RUN(date__parse_respects_length_and_small_buffers);
	RUN(date__parses_local_times);
	RUN(date__refuses_bad_local_times);
	RUN(date__validates_and_counts_month_lengths);
	RUN(date__counts_days_from_the_epoch);
	RUN(date__round_trips_every_day_over_centuries);
	RUN(date__adds_days_and_compares);
	RUN(date__names_weekdays_and_months);
	RUN(date__formats_dates);
	RUN(date__formats_times);
	RUN(date__formats_time_ranges);
	RUN(date__formats_date_ranges);
	RUN(date__formats_when_an_event_happens);
	RUN(date__converts_london_time_to_utc);
	RUN(date__converts_utc_to_london_time);
	RUN(date__round_trips_london_time_every_quarter_hour);
	RUN(date__converts_other_zones);
	RUN(date__refuses_unknown_and_hostile_zones);
	RUN(date__looks_for_zones_under_tzdir);

	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}
