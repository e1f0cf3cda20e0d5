/*
 * data.h - figures as open data: JSON written with jansson (the only file
 * that calls it) and CSV as RFC 4180 describes it.
 */
#ifndef NB_DATA_H
#define NB_DATA_H

#include "buf.h"
#include "report.h"

/* A yearly report as JSON (indented, keys in a fixed order, ending in a
 * newline), appended to out.  Returns 0, or -1 if jansson fails. */
int nb_data_report_json(nb_buf *out, const nb_report *r);

/* A yearly report as CSV with a header row "table,id,label,value" and
 * CRLF line ends, appended to out. */
void nb_data_report_csv(nb_buf *out, const nb_report *r);

/* One CSV field, quoted when it holds a comma, quote, CR or LF. */
void nb_csv_field(nb_buf *out, const char *s);

#endif
