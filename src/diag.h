/*
 * diag.h - diagnostics owned by the caller.
 *
 * Errors and warnings are collected, never printed deep in the code: each
 * stage adds to a caller-owned nb_diags, keeps going to find every problem,
 * and only main decides what to print and how to exit.  Lines and columns
 * are 1-based; 0 means "whole file" / "unknown".
 */
#ifndef NB_DIAG_H
#define NB_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { NB_SEV_ERROR, NB_SEV_WARNING } nb_severity;

typedef struct nb_diag {
	nb_severity sev;
	char *path;     /* owned by the list; may be "" */
	int line, col;  /* 1-based; 0 when unknown */
	char *msg;      /* owned by the list */
	char *hint;     /* owned by the list; NULL when there is none */
} nb_diag;

typedef struct nb_diags {
	nb_diag *items;
	size_t len, cap;
	size_t errors, warnings;
} nb_diags;

#define NB_DIAGS_INIT { NULL, 0, 0, 0, 0 }

/* Add an error or warning.  `hint` may be NULL.  Strings are copied. */
void nb_diag_add(nb_diags *d, nb_severity sev, const char *path, int line,
		 int col, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void nb_diag_vadd(nb_diags *d, nb_severity sev, const char *path, int line,
		  int col, const char *hint, const char *fmt, va_list ap);

/* Shorthand for errors.  Returns -1 so callers can `return nb_error(...)`. */
int nb_error(nb_diags *d, const char *path, int line, int col,
	     const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void nb_warning(nb_diags *d, const char *path, int line, int col,
		const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Sort by path, line, column (stable), so output is deterministic. */
void nb_diags_sort(nb_diags *d);

/* Print as "path:line:column: error: message" then "  hint: ..." */
void nb_diags_print(FILE *fp, const nb_diags *d);

/* Print one diagnostic into a buffer-like FILE. */
void nb_diag_print(FILE *fp, const nb_diag *item);

void nb_diags_free(nb_diags *d);  /* frees contents; accepts NULL */

#endif
