/*
 * data.c - JSON and CSV output of figures.
 */
#include "data.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *
tallies(const nb_tally *t, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", t[i].id ? json_string(t[i].id)
						     : json_null());
		json_object_set_new(o, "label", json_string(t[i].label));
		json_object_set_new(o, "count", json_integer(t[i].count));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
real_or_null(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

int
nb_data_report_json(nb_buf *out, const nb_report *r)
{
	json_t *root = json_object(), *fb = json_object();
	char *text;
	int rc = -1;

	if (!root || !fb)
		goto done;
	json_object_set_new(root, "year", json_integer(r->year));
	json_object_set_new(root, "activities", json_integer(r->activities));
	json_object_set_new(root, "cancelled", json_integer(r->cancelled));
	json_object_set_new(root, "responses", json_integer(r->responses));
	json_object_set_new(root, "outcomes", json_integer(r->outcomes));
	json_object_set_new(root, "by_level", tallies(r->by_level, r->by_level_len));
	json_object_set_new(root, "by_partner", tallies(r->by_partner, r->by_partner_len));
	json_object_set_new(root, "by_area", tallies(r->by_area, r->by_area_len));
	json_object_set_new(root, "by_topic", tallies(r->by_topic, r->by_topic_len));
	json_object_set_new(fb, "closed", json_integer(r->closed));
	json_object_set_new(fb, "on_time", json_integer(r->on_time));
	json_object_set_new(fb, "late", json_integer(r->late));
	json_object_set_new(fb, "overdue", json_integer(r->overdue));
	json_object_set_new(fb, "awaiting", json_integer(r->awaiting));
	json_object_set_new(fb, "undated", json_integer(r->undated));
	json_object_set_new(fb, "on_time_share", real_or_null(r->on_time_share));
	json_object_set_new(fb, "median_days_to_feedback",
			    real_or_null(r->median_days));
	json_object_set(root, "feedback", fb);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			  JSON_REAL_PRECISION(6));
	if (text) {
		nb_buf_puts(out, text);
		nb_buf_putc(out, '\n');
		free(text);
		rc = 0;
	}
done:
	json_decref(fb);
	json_decref(root);
	return rc;
}

void
nb_csv_field(nb_buf *out, const char *s)
{
	const char *p;

	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		nb_buf_puts(out, s);
		return;
	}
	nb_buf_putc(out, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			nb_buf_putc(out, '"');
		nb_buf_putc(out, *p);
	}
	nb_buf_putc(out, '"');
}

static void
row(nb_buf *out, const char *table, const char *id, const char *label,
    const char *value)
{
	nb_csv_field(out, table);
	nb_buf_putc(out, ',');
	nb_csv_field(out, id);
	nb_buf_putc(out, ',');
	nb_csv_field(out, label);
	nb_buf_putc(out, ',');
	nb_csv_field(out, value);
	nb_buf_puts(out, "\r\n");
}

static void
row_long(nb_buf *out, const char *table, const char *id, const char *label,
	 long v)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", v);
	row(out, table, id, label, num);
}

static void
row_real(nb_buf *out, const char *id, const char *label, double v)
{
	char num[32];

	if (v < 0)
		num[0] = '\0';
	else
		snprintf(num, sizeof(num), "%.6g", v);
	row(out, "feedback", id, label, num);
}

static void
rows(nb_buf *out, const char *table, const nb_tally *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		row_long(out, table, t[i].id ? t[i].id : "", t[i].label,
			 t[i].count);
}

void
nb_data_report_csv(nb_buf *out, const nb_report *r)
{
	row(out, "table", "id", "label", "value");
	row_long(out, "summary", "year", "Year", r->year);
	row_long(out, "summary", "activities", "Activities", r->activities);
	row_long(out, "summary", "cancelled", "Cancelled", r->cancelled);
	row_long(out, "summary", "responses", "Responses", r->responses);
	row_long(out, "summary", "outcomes", "Outcomes published", r->outcomes);
	rows(out, "level", r->by_level, r->by_level_len);
	rows(out, "partner", r->by_partner, r->by_partner_len);
	rows(out, "area", r->by_area, r->by_area_len);
	rows(out, "topic", r->by_topic, r->by_topic_len);
	row_long(out, "feedback", "closed", "Closed in the year", r->closed);
	row_long(out, "feedback", "on_time", "Published on time", r->on_time);
	row_long(out, "feedback", "late", "Published late", r->late);
	row_long(out, "feedback", "overdue", "Overdue", r->overdue);
	row_long(out, "feedback", "awaiting", "Not yet due", r->awaiting);
	row_long(out, "feedback", "undated", "No date promised", r->undated);
	row_real(out, "on_time_share", "Share published on time", r->on_time_share);
	row_real(out, "median_days_to_feedback", "Median days from closing to feedback",
		 r->median_days);
}
