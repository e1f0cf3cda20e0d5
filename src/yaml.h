/*
 * yaml.h - YAML documents as plain trees with positions.
 *
 * The only file that sees libyaml is yaml.c: it converts libyaml's events
 * into nb_node trees allocated in an arena, each node carrying the 1-based
 * line and column where it starts in the *file* (front matter starts a few
 * lines into its file, so the caller passes the line offset).
 */
#ifndef NB_YAML_H
#define NB_YAML_H

#include <stddef.h>

#include "arena.h"
#include "diag.h"

typedef enum {
	NB_NODE_SCALAR,
	NB_NODE_SEQ,
	NB_NODE_MAP
} nb_node_kind;

typedef struct nb_node nb_node;

struct nb_node {
	nb_node_kind kind;
	int line, col;        /* 1-based position in the file */
	/* scalar */
	const char *str;      /* NUL-terminated, arena-owned */
	size_t len;
	int plain;            /* 1 when unquoted (so `yes`, `12` may be typed) */
	/* sequence: items[0..n); map: keys[i] (scalar nodes) -> items[i] */
	nb_node **items;
	nb_node **keys;
	size_t n;
};

/* Limits against hostile input. */
#define NB_YAML_MAX_DEPTH 64
#define NB_YAML_MAX_NODES 1000000

/*
 * Parse one YAML document from text[0..len).  `first_line` is the file
 * line on which text starts (1 for a whole .yaml file).  On success *out is
 * the root (a map, sequence or scalar; an empty document gives an empty
 * map) and 0 is returned.  On failure, an error naming path:line:column is
 * added to `d` and -1 returned.  Duplicate keys in a mapping, documents
 * nested deeper than NB_YAML_MAX_DEPTH and aliases that would expand past
 * NB_YAML_MAX_NODES are errors.  A leading UTF-8 BOM and CRLF line ends are
 * accepted.  Everything is allocated in `a`.
 */
int nb_yaml_parse(nb_node **out, nb_arena *a, const char *path,
		  const char *text, size_t len, int first_line, nb_diags *d);

/* Look up a key in a map node; NULL when absent or m is not a map. */
const nb_node *nb_node_get(const nb_node *m, const char *key);

/* A plain scalar that is null in YAML 1.1/1.2 core schema: "", "~",
 * "null", "Null", "NULL". */
int nb_node_is_null(const nb_node *n);

/*
 * Split a Markdown file into its front matter and body.  The file must
 * start (after an optional UTF-8 BOM) with a line "---"; the front matter
 * ends at the next line that is "---" or "...".  CRLF is accepted.  On
 * success sets *fm / *fm_len to the YAML text, *fm_line to the file line it
 * starts on, and *body / *body_len / *body_line to the rest; returns 0.
 * Returns -1 (adding an error to d naming path:line:column and what to do)
 * when the opening or closing line is missing, or when the file (body
 * included) is not UTF-8 text or contains a NUL byte.
 */
int nb_frontmatter_split(const char *path, const char *text, size_t len,
			 const char **fm, size_t *fm_len, int *fm_line,
			 const char **body, size_t *body_len, int *body_line,
			 nb_diags *d);

#endif
