/*
 * map.c - string-keyed hash table with linear probing.
 */
#include "map.h"
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static void
rehash(nb_map *m, size_t cap)
{
	const char **keys = nb_xcalloc(cap, sizeof(*keys));
	void **vals = nb_xcalloc(cap, sizeof(*vals));
	size_t i;

	for (i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->keys[i])
			continue;
		j = hash(m->keys[i]) & (cap - 1);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
}

int
nb_map_put(nb_map *m, const char *key, void *val, void **old)
{
	size_t j;

	if ((m->len + 1) * 4 > m->cap * 3)
		rehash(m, m->cap ? m->cap * 2 : 64);
	j = hash(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (strcmp(m->keys[j], key) == 0) {
			if (old)
				*old = m->vals[j];
			return 1;
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->keys[j] = key;
	m->vals[j] = val;
	m->len++;
	return 0;
}

void
nb_map_set(nb_map *m, const char *key, void *val)
{
	size_t j;

	if (nb_map_put(m, key, val, NULL) == 0)
		return;
	j = hash(key) & (m->cap - 1);
	while (strcmp(m->keys[j], key) != 0)
		j = (j + 1) & (m->cap - 1);
	m->vals[j] = val;
}

void *
nb_map_get(const nb_map *m, const char *key)
{
	size_t j;

	if (!m->cap)
		return NULL;
	j = hash(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (strcmp(m->keys[j], key) == 0)
			return m->vals[j];
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}

void
nb_map_free(nb_map *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->len = m->cap = 0;
}
