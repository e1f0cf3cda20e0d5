/*
 * map.h - string-keyed hash table (open addressing, FNV-1a).
 *
 * Used to find records by id in constant time.  Keys are not copied: they
 * must outlive the map (they live in the build's arena).  Free with
 * nb_map_free().
 */
#ifndef NB_MAP_H
#define NB_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct nb_map {
	const char **keys;
	void **vals;
	size_t len, cap;   /* cap is a power of two */
	uint32_t *tags;    /* each key's hash, high bits: most probes that
			    * miss are told apart without reading the key */
} nb_map;

#define NB_MAP_INIT { NULL, NULL, 0, 0, NULL }

/* Insert key -> val.  Returns 0, or 1 (leaving the old value in place and
 * setting *old when old is not NULL) when the key is already present. */
int nb_map_put(nb_map *m, const char *key, void *val, void **old);
/* Insert key -> val, or replace the value of an existing key. */
void nb_map_set(nb_map *m, const char *key, void *val);
/* Room for n keys without growing again. */
void nb_map_reserve(nb_map *m, size_t n);
void *nb_map_get(const nb_map *m, const char *key);
/* The slot of key (below m->cap: keys[slot], vals[slot]), or (size_t)-1
 * when it is not there.  Slots stay put until the map next grows. */
size_t nb_map_slot(const nb_map *m, const char *key);
void nb_map_free(nb_map *m);   /* frees the table, not keys or values */

#endif
