/*
 * date.c - calendar dates, local times in the site's zone, and dates
 * written the GOV.UK way.
 *
 * Civil dates are counted by formula (Howard Hinnant's days_from_civil and
 * civil_from_days, proleptic Gregorian), so no table or library call is
 * needed and leap years follow the 4/100/400 rule.
 *
 * Wall time <-> UTC goes through localtime_r() and tm_gmtoff over the
 * system tz database.  mktime() is deliberately not used for the local ->
 * UTC direction: what glibc does with a time that falls in a gap (or with
 * tm_isdst for zones such as Europe/Dublin, whose winter time is the
 * "daylight" one) is not something to rely on.  Instead nb_tz_to_utc()
 * takes the offsets in force a day either side, tries the wall time with
 * each and applies the rule in date.h: in an overlap the earlier instant,
 * in a gap the offset from before the change (which moves the time on by
 * the gap).
 *
 * Parsing is strict: the only forms accepted are those in date.h, years
 * 1900 to 9999.  Messages are written into the caller's buffer.
 */
#include "date.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define YEAR_MIN 1900
#define YEAR_MAX 9999
#define ZONE_MAX 255             /* longest zone name nb_tz_set takes */

static const char *const months[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

static const char *const weekdays[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday"
};

/* Integer division rounding towards minus infinity. */
static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int
is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
nb_days_in_month(int year, int month)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

/* Calendar validity only; the 1900-9999 limit belongs to the parsers. */
int
nb_date_valid(int year, int month, int day)
{
	return month >= 1 && month <= 12 && day >= 1 &&
	       day <= nb_days_in_month(year, month);
}

/* days_from_civil: http://howardhinnant.github.io/date_algorithms.html */
int64_t
nb_date_days(nb_date d)
{
	int64_t y = (int64_t)d.year - (d.month <= 2);
	int64_t era = floordiv(y, 400);
	int64_t yoe = y - era * 400;                          /* [0, 399] */
	int64_t mp = (d.month + 9) % 12;                      /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + d.day - 1;         /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* [0, 146096] */

	return era * 146097 + doe - 719468;
}

/* civil_from_days, the inverse. */
nb_date
nb_date_from_days(int64_t days)
{
	int64_t z = days + 719468;
	int64_t era = floordiv(z, 146097);
	int64_t doe = z - era * 146097;                               /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);        /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                             /* [0, 11] */
	nb_date d;

	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.year = (int)(yoe + era * 400 + (d.month <= 2));
	return d;
}

nb_date
nb_date_add_days(nb_date d, int64_t n)
{
	return nb_date_from_days(nb_date_days(d) + n);
}

int
nb_date_weekday(nb_date d)
{
	/* 1970-01-01 was a Thursday (3). */
	int64_t w = (nb_date_days(d) + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

int
nb_date_cmp(nb_date a, nb_date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

int
nb_local_cmp(nb_local a, nb_local b)
{
	int c = nb_date_cmp(a.date, b.date);

	if (c)
		return c;
	if (a.hour != b.hour)
		return a.hour < b.hour ? -1 : 1;
	if (a.minute != b.minute)
		return a.minute < b.minute ? -1 : 1;
	return 0;
}

/* "?" for a number out of range, so a bad value shows rather than
 * vanishing. */
const char *
nb_month_name(int month)
{
	return month >= 1 && month <= 12 ? months[month - 1] : "?";
}

const char *
nb_weekday_name(int weekday)
{
	return weekday >= 0 && weekday <= 6 ? weekdays[weekday] : "?";
}

/* ---- parsing ---- */

static void
set_why(char *why, size_t why_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_why(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	if (!why || why_size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_size, fmt, ap);   /* truncation is acceptable */
	va_end(ap);
}

/* n ASCII digits at s (no sign, no space) -> value; -1 otherwise. */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* s[0..9] is "YYYY-MM-DD" in shape (checked by the caller): check the
 * values.  0, or -2 with a message. */
static int
check_date(nb_date *out, int y, int m, int d, char *why, size_t why_size)
{
	int dim;

	if (y < YEAR_MIN || y > YEAR_MAX) {
		set_why(why, why_size, "year %d is out of range (%d to %d)",
			y, YEAR_MIN, YEAR_MAX);
		return -2;
	}
	if (m < 1 || m > 12) {
		set_why(why, why_size, "month %d does not exist", m);
		return -2;
	}
	dim = nb_days_in_month(y, m);
	if (d < 1) {
		set_why(why, why_size, "day %d does not exist", d);
		return -2;
	}
	if (d > dim) {
		if (m == 2 && !is_leap(y))
			set_why(why, why_size, "there is no %d February %d "
				"(%d is not a leap year, so February has 28 "
				"days)", d, y, y);
		else
			set_why(why, why_size, "there is no %d %s %d "
				"(%s %d has %d days)", d, months[m - 1], y,
				months[m - 1], y, dim);
		return -2;
	}
	out->year = y;
	out->month = m;
	out->day = d;
	return 0;
}

/* Shape of "YYYY-MM-DD" at s (10 bytes available): 0 or -1. */
static int
date_shape(const char *s, int *y, int *m, int *d)
{
	if (s[4] != '-' || s[7] != '-')
		return -1;
	*y = digits(s, 4);
	*m = digits(s + 5, 2);
	*d = digits(s + 8, 2);
	return *y < 0 || *m < 0 || *d < 0 ? -1 : 0;
}

int
nb_date_parse(nb_date *out, const char *s, size_t len,
	      char *why, size_t why_size)
{
	int y, m, d, rc;

	if (!s || len != 10 || date_shape(s, &y, &m, &d) < 0) {
		set_why(why, why_size, "expected a date like 2026-12-05");
		return -1;
	}
	rc = check_date(out, y, m, d, why, why_size);
	if (rc == 0)
		set_why(why, why_size, "%s", "");
	return rc;
}

int
nb_local_parse(nb_local *out, const char *s, size_t len,
	       char *why, size_t why_size)
{
	int y, m, d, hh, mm, ss = 0, rc;
	nb_date date;

	if (!s || (len != 16 && len != 19) ||
	    date_shape(s, &y, &m, &d) < 0 ||
	    (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
	    (hh = digits(s + 11, 2)) < 0 || (mm = digits(s + 14, 2)) < 0 ||
	    (len == 19 && (s[16] != ':' || (ss = digits(s + 17, 2)) < 0))) {
		set_why(why, why_size,
			"expected a date and time like 2026-12-05 19:00");
		return -1;
	}
	if ((rc = check_date(&date, y, m, d, why, why_size)) < 0)
		return rc;
	if (hh > 23) {
		set_why(why, why_size, "hour %d does not exist (hours run "
			"from 00 to 23; midnight is 00:00)", hh);
		return -2;
	}
	if (mm > 59) {
		set_why(why, why_size, "minute %d does not exist", mm);
		return -2;
	}
	if (ss != 0) {
		set_why(why, why_size, "times are to the minute: write "
			"%02d:%02d, without seconds", hh, mm);
		return -2;
	}
	out->date = date;
	out->hour = hh;
	out->minute = mm;
	set_why(why, why_size, "%s", "");
	return 0;
}

/* ---- formatting ---- */

void
nb_fmt_date(nb_buf *b, nb_date d)
{
	nb_buf_printf(b, "%d %s %d", d.day, nb_month_name(d.month), d.year);
}

void
nb_fmt_date_long(nb_buf *b, nb_date d)
{
	nb_buf_printf(b, "%s ", nb_weekday_name(nb_date_weekday(d)));
	nb_fmt_date(b, d);
}

void
nb_fmt_month(nb_buf *b, int year, int month)
{
	nb_buf_printf(b, "%s %d", nb_month_name(month), year);
}

void
nb_fmt_time(nb_buf *b, int hour, int minute)
{
	int h12 = hour % 12 == 0 ? 12 : hour % 12;
	const char *ampm = hour < 12 ? "am" : "pm";

	if (hour == 0 && minute == 0)
		nb_buf_puts(b, "midnight");
	else if (hour == 12 && minute == 0)
		nb_buf_puts(b, "midday");
	else if (minute == 0)
		nb_buf_printf(b, "%d%s", h12, ampm);
	else
		nb_buf_printf(b, "%d:%02d%s", h12, minute, ampm);
}

/* A range whose ends are the same time is written once. */
void
nb_fmt_time_range(nb_buf *b, int h1, int m1, int h2, int m2)
{
	nb_fmt_time(b, h1, m1);
	if (h1 == h2 && m1 == m2)
		return;
	nb_buf_puts(b, " to ");
	nb_fmt_time(b, h2, m2);
}

/* The shared tail (month, year) is written once.  Ends are written as
 * given, not reordered. */
void
nb_fmt_date_range(nb_buf *b, nb_date from, nb_date to)
{
	if (nb_date_cmp(from, to) == 0) {
		nb_fmt_date(b, from);
	} else if (from.year == to.year && from.month == to.month) {
		nb_buf_printf(b, "%d to ", from.day);
		nb_fmt_date(b, to);
	} else if (from.year == to.year) {
		nb_buf_printf(b, "%d %s to ", from.day,
			      nb_month_name(from.month));
		nb_fmt_date(b, to);
	} else {
		nb_fmt_date(b, from);
		nb_buf_puts(b, " to ");
		nb_fmt_date(b, to);
	}
}

/* Besides the two forms in date.h: an event that ends at midnight at the
 * end of its first day reads as one day, "Friday 4 December 2026, 7pm to
 * midnight", rather than naming the next day. */
void
nb_fmt_when(nb_buf *b, nb_local start, nb_local end)
{
	int same = nb_date_cmp(start.date, end.date) == 0;
	int to_midnight = end.hour == 0 && end.minute == 0 &&
			  (start.hour || start.minute) &&
			  nb_date_days(end.date) == nb_date_days(start.date) + 1;

	nb_fmt_date_long(b, start.date);
	nb_buf_puts(b, ", ");
	if (same || to_midnight) {
		nb_fmt_time_range(b, start.hour, start.minute, end.hour,
				  end.minute);
		return;
	}
	nb_fmt_time(b, start.hour, start.minute);
	nb_buf_puts(b, " to ");
	nb_fmt_date_long(b, end.date);
	nb_buf_puts(b, ", ");
	nb_fmt_time(b, end.hour, end.minute);
}

void
nb_fmt_iso_date(nb_buf *b, nb_date d)
{
	nb_buf_printf(b, "%04d-%02d-%02d", d.year, d.month, d.day);
}

/* ---- time zones ---- */

/* Every byte of a zone name: letters, digits, _ + - and /.  With no '.'
 * a name cannot climb out of the tz directory. */
static int
zone_name_safe(const char *zone)
{
	size_t i, n = strlen(zone);

	if (n == 0 || n > ZONE_MAX || zone[0] == '/' || zone[n - 1] == '/' ||
	    strstr(zone, "..") || strstr(zone, "//"))
		return 0;
	for (i = 0; i < n; i++) {
		char c = zone[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '+' ||
		      c == '-' || c == '/'))
			return 0;
	}
	return 1;
}

/* A regular file under the tz directory that starts with "TZif" (so
 * stray files such as "leapseconds" are not taken for zones). */
static int
zone_file_ok(const char *zone)
{
	const char *dir = getenv("TZDIR");
	char path[4096], magic[4];
	struct stat st;
	FILE *f;
	int n, ok;

	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	n = snprintf(path, sizeof path, "%s/%s", dir, zone);
	if (n < 0 || (size_t)n >= sizeof path)
		return 0;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if (!(f = fopen(path, "rb")))
		return 0;
	ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
	fclose(f);
	return ok;
}

int
nb_tz_set(const char *zone)
{
	char tz[ZONE_MAX + 2];
	const char *cur;

	if (!zone || !zone_name_safe(zone) || !zone_file_ok(zone))
		return -1;
	snprintf(tz, sizeof tz, ":%s", zone);  /* fits: length checked */
	/* the same zone again (every rebuild of `serve`, whose server
	 * threads may be reading the environment): leave it alone */
	cur = getenv("TZ");
	if (cur && strcmp(cur, tz) == 0)
		return 0;
	if (setenv("TZ", tz, 1) != 0)
		return -1;
	tzset();
	return 0;
}

/* UTC offset in seconds at instant t; 0 when the C library cannot say. */
static long
offset_at(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return 0;
	return tm.tm_gmtoff;
}

/* Wall time read as if it were UTC, in seconds. */
static int64_t
wall_seconds(nb_local l)
{
	return nb_date_days(l.date) * 86400 + (int64_t)l.hour * 3600 +
	       (int64_t)l.minute * 60;
}

int64_t
nb_tz_to_utc(nb_local l)
{
	int64_t w = wall_seconds(l);
	long before = offset_at(w - 86400), after = offset_at(w + 86400);
	int64_t ta = w - before, tb = w - after;
	int a_ok = offset_at(ta) == before, b_ok = offset_at(tb) == after;

	if (a_ok && b_ok)                 /* overlap, or no change: earlier */
		return ta < tb ? ta : tb;
	if (a_ok)
		return ta;
	if (b_ok)
		return tb;
	/* A gap: the offset from before the change moves the wall time on
	 * by the gap (01:30 GMT is 02:30 BST). */
	return ta;
}

nb_local
nb_tz_from_utc(int64_t t, int *offset_min)
{
	time_t tt = (time_t)t;
	struct tm tm;
	nb_local l;

	memset(&l, 0, sizeof l);
	if (!localtime_r(&tt, &tm)) {
		/* Out of the C library's range: say so in UTC. */
		l.date = nb_date_from_days(floordiv(t, 86400));
		t -= floordiv(t, 86400) * 86400;
		l.hour = (int)(t / 3600);
		l.minute = (int)(t % 3600 / 60);
		if (offset_min)
			*offset_min = 0;
		return l;
	}
	l.date.year = tm.tm_year + 1900;
	l.date.month = tm.tm_mon + 1;
	l.date.day = tm.tm_mday;
	l.hour = tm.tm_hour;
	l.minute = tm.tm_min;
	if (offset_min)
		*offset_min = (int)(tm.tm_gmtoff / 60);
	return l;
}

/* The instant nb_tz_to_utc() gives, written as the wall time there (so a
 * time in a gap comes out moved on: 02:30+01:00).  An offset that is not
 * a whole number of minutes (local mean time in some zones before the
 * 1970s) cannot be written in RFC 3339, so then the instant is written in
 * UTC with "Z". */
void
nb_fmt_iso_local(nb_buf *b, nb_local l)
{
	int64_t t = nb_tz_to_utc(l);
	time_t tt = (time_t)t;
	struct tm tm;
	long off, a;

	if (!localtime_r(&tt, &tm) || tm.tm_gmtoff % 60 != 0) {
		if (!gmtime_r(&tt, &tm)) {
			nb_fmt_iso_date(b, l.date);
			nb_buf_printf(b, "T%02d:%02d:00", l.hour, l.minute);
			return;
		}
		nb_buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02dZ",
			      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			      tm.tm_hour, tm.tm_min, tm.tm_sec);
		return;
	}
	off = tm.tm_gmtoff;
	a = off < 0 ? -off : off;
	nb_buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
		      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		      tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
		      a / 3600, a % 3600 / 60);
}
