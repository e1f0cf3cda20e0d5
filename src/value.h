/*
 * value.h - the values templates see.
 *
 * A view is a tree of nb_value (null, bool, number, string, list, map)
 * built from the model for one page; the Mustache engine reads nothing
 * else, so a theme can change without touching C.  Every value and every
 * string in it is allocated in an arena and freed with it.  Maps keep
 * insertion order; lookup is linear, which is right for the small maps a
 * view is made of.
 */
#ifndef NB_VALUE_H
#define NB_VALUE_H

#include <stddef.h>

#include "arena.h"

typedef enum {
	NB_VAL_NULL,
	NB_VAL_BOOL,
	NB_VAL_NUM,
	NB_VAL_STR,
	NB_VAL_LIST,
	NB_VAL_MAP
} nb_val_type;

typedef struct nb_value nb_value;

struct nb_value {
	nb_val_type type;
	union {
		int boolean;
		double num;
		struct { const char *s; size_t len; } str;
		struct { nb_value **items; size_t len, cap; } list;
		struct {
			const char **keys;
			nb_value **vals;
			size_t len, cap;
		} map;
	} u;
};

/* Constructors: all results owned by the arena. */
nb_value *nb_val_null(nb_arena *a);
nb_value *nb_val_bool(nb_arena *a, int b);
nb_value *nb_val_num(nb_arena *a, double n);
/* The string is NOT copied: it must live as long as the arena (use
 * nb_val_strdup for temporaries).  NULL gives the empty string. */
nb_value *nb_val_str(nb_arena *a, const char *s);
nb_value *nb_val_strn(nb_arena *a, const char *s, size_t len);
nb_value *nb_val_strdup(nb_arena *a, const char *s);
nb_value *nb_val_printf(nb_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
nb_value *nb_val_list(nb_arena *a);
nb_value *nb_val_map(nb_arena *a);

/* Append to a list. */
void nb_val_push(nb_arena *a, nb_value *list, nb_value *item);
/* Set a key in a map (replacing an existing key).  The key string is not
 * copied: pass a literal or an arena string. */
void nb_val_set(nb_arena *a, nb_value *map, const char *key, nb_value *v);
/* Shorthands: set key to a string (not copied) / bool / number.  A NULL
 * or empty string sets the key to null: templates can test {{#key}}, and
 * a missing optional field never picks up a key of the same name further
 * up Mustache's context stack (an event without `url` inside a page that
 * has one). */
void nb_val_set_str(nb_arena *a, nb_value *map, const char *key,
		    const char *s);
void nb_val_set_bool(nb_arena *a, nb_value *map, const char *key, int b);
void nb_val_set_num(nb_arena *a, nb_value *map, const char *key, double n);

/* Look up a key in a map; NULL when absent or when m is not a map. */
nb_value *nb_val_get(const nb_value *m, const char *key);
nb_value *nb_val_getn(const nb_value *m, const char *key, size_t len);

/* Mustache truthiness: null, false, empty list and empty string are
 * false; everything else (0 included, as in the spec's JSON) is true. */
int nb_val_truthy(const nb_value *v);

#endif
