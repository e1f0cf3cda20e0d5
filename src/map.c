/*
 * map.c - string-keyed hash table with linear probing.
 */
#include "map.h"
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Eight bytes at a time (the keys are paths of tens of bytes, looked up a
 * few times for every output), mixed so that the low bits, which pick
 * the slot, depend on all of them. */
static uint64_t
hash(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p, len);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/* The slot's tag: the hash's high half (the low bits pick the slot). */
#define TAG(h) ((uint32_t)((h) >> 32))

static void
rehash(nb_map *m, size_t cap)
{
	const char **keys = nb_xcalloc(cap, sizeof(*keys));
	void **vals = nb_xcalloc(cap, sizeof(*vals));
	uint32_t *tags = nb_xmalloc(cap * sizeof(*tags));
	size_t i;

	for (i = 0; i < m->cap; i++) {
		uint64_t h;
		size_t j;
		if (!m->keys[i])
			continue;
		h = hash(m->keys[i]);
		j = h & (cap - 1);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
		tags[j] = TAG(h);
	}
	free(m->keys);
	free(m->vals);
	free(m->tags);
	m->keys = keys;
	m->vals = vals;
	m->tags = tags;
	m->cap = cap;
}

/* The slot holding key, or else the empty slot where it would go. */
static size_t
find(const nb_map *m, const char *key, uint64_t h)
{
	uint32_t tag = TAG(h);
	size_t j = h & (m->cap - 1);

	while (m->keys[j] && (m->tags[j] != tag || strcmp(m->keys[j], key) != 0))
		j = (j + 1) & (m->cap - 1);
	return j;
}

int
nb_map_put(nb_map *m, const char *key, void *val, void **old)
{
	uint64_t h = hash(key);
	size_t j;

	if ((m->len + 1) * 4 > m->cap * 3)
		rehash(m, m->cap ? m->cap * 2 : 64);
	j = find(m, key, h);
	if (m->keys[j]) {
		if (old)
			*old = m->vals[j];
		return 1;
	}
	m->keys[j] = key;
	m->vals[j] = val;
	m->tags[j] = TAG(h);
	m->len++;
	return 0;
}

void
nb_map_reserve(nb_map *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;

	while ((n + 1) * 4 > cap * 3)
		cap *= 2;
	if (cap > m->cap)
		rehash(m, cap);
}

void
nb_map_set(nb_map *m, const char *key, void *val)
{
	size_t j;

	if (nb_map_put(m, key, val, NULL) == 0)
		return;
	j = find(m, key, hash(key));
	m->vals[j] = val;
}

size_t
nb_map_slot(const nb_map *m, const char *key)
{
	size_t j;

	if (!m->cap)
		return (size_t)-1;
	j = find(m, key, hash(key));
	return m->keys[j] ? j : (size_t)-1;
}

void *
nb_map_get(const nb_map *m, const char *key)
{
	size_t j = nb_map_slot(m, key);

	return j == (size_t)-1 ? NULL : m->vals[j];
}

void
nb_map_free(nb_map *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->vals);
	free(m->tags);
	m->keys = NULL;
	m->vals = NULL;
	m->tags = NULL;
	m->len = m->cap = 0;
}
