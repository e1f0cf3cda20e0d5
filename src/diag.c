/*
 * diag.c - collecting and printing diagnostics.
 */
#include "diag.h"
#include "arena.h"

#include <stdlib.h>
#include <string.h>

void
nb_diag_vadd(nb_diags *d, nb_severity sev, const char *path, int line,
	     int col, const char *hint, const char *fmt, va_list ap)
{
	nb_diag *it;
	va_list ap2;
	int n;

	if (d->len == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->items = nb_xrealloc(d->items, d->cap * sizeof(*d->items));
	}
	it = &d->items[d->len++];
	it->sev = sev;
	it->path = nb_xstrdup(path ? path : "");
	it->line = line;
	it->col = col;
	it->hint = hint ? nb_xstrdup(hint) : NULL;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	it->msg = nb_xmalloc((size_t)n + 1);
	vsnprintf(it->msg, (size_t)n + 1, fmt, ap);
	if (sev == NB_SEV_ERROR)
		d->errors++;
	else
		d->warnings++;
}

void
nb_diag_add(nb_diags *d, nb_severity sev, const char *path, int line,
	    int col, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nb_diag_vadd(d, sev, path, line, col, hint, fmt, ap);
	va_end(ap);
}

int
nb_error(nb_diags *d, const char *path, int line, int col, const char *hint,
	 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nb_diag_vadd(d, NB_SEV_ERROR, path, line, col, hint, fmt, ap);
	va_end(ap);
	return -1;
}

void
nb_warning(nb_diags *d, const char *path, int line, int col,
	   const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nb_diag_vadd(d, NB_SEV_WARNING, path, line, col, hint, fmt, ap);
	va_end(ap);
}

static int
cmp_diag(const nb_diag *a, const nb_diag *b)
{
	int c = strcmp(a->path, b->path);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

void
nb_diags_sort(nb_diags *d)
{
	size_t i, j;

	/* insertion sort: stable, and lists are short */
	for (i = 1; i < d->len; i++) {
		nb_diag tmp = d->items[i];
		for (j = i; j > 0 && cmp_diag(&d->items[j - 1], &tmp) > 0; j--)
			d->items[j] = d->items[j - 1];
		d->items[j] = tmp;
	}
}

void
nb_diag_print(FILE *fp, const nb_diag *it)
{
	const char *sev = it->sev == NB_SEV_ERROR ? "error" : "warning";

	if (it->path[0] && it->line > 0)
		fprintf(fp, "%s:%d:%d: %s: %s\n", it->path, it->line,
			it->col > 0 ? it->col : 1, sev, it->msg);
	else if (it->path[0])
		fprintf(fp, "%s: %s: %s\n", it->path, sev, it->msg);
	else
		fprintf(fp, "noticeboard: %s: %s\n", sev, it->msg);
	if (it->hint)
		fprintf(fp, "  hint: %s\n", it->hint);
}

void
nb_diags_print(FILE *fp, const nb_diags *d)
{
	size_t i;

	for (i = 0; i < d->len; i++)
		nb_diag_print(fp, &d->items[i]);
}

void
nb_diags_free(nb_diags *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->len; i++) {
		free(d->items[i].path);
		free(d->items[i].msg);
		free(d->items[i].hint);
	}
	free(d->items);
	d->items = NULL;
	d->len = d->cap = d->errors = d->warnings = 0;
}
