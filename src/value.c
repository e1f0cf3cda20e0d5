/*
 * value.c - constructing and reading template values.
 */
#include "value.h"

#include <stdio.h>
#include <string.h>

static nb_value *
val_new(nb_arena *a, nb_val_type t)
{
	nb_value *v = nb_arena_alloc(a, sizeof(*v));
	v->type = t;
	return v;
}

nb_value *
nb_val_null(nb_arena *a)
{
	return val_new(a, NB_VAL_NULL);
}

nb_value *
nb_val_bool(nb_arena *a, int b)
{
	nb_value *v = val_new(a, NB_VAL_BOOL);
	v->u.boolean = b != 0;
	return v;
}

nb_value *
nb_val_num(nb_arena *a, double n)
{
	nb_value *v = val_new(a, NB_VAL_NUM);
	v->u.num = n;
	return v;
}

nb_value *
nb_val_strn(nb_arena *a, const char *s, size_t len)
{
	nb_value *v = val_new(a, NB_VAL_STR);
	v->u.str.s = s ? s : "";
	v->u.str.len = s ? len : 0;
	return v;
}

nb_value *
nb_val_str(nb_arena *a, const char *s)
{
	return nb_val_strn(a, s, s ? strlen(s) : 0);
}

nb_value *
nb_val_strdup(nb_arena *a, const char *s)
{
	return nb_val_str(a, s ? nb_arena_strdup(a, s) : NULL);
}

nb_value *
nb_val_printf(nb_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = nb_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return nb_val_str(a, s);
}

nb_value *
nb_val_list(nb_arena *a)
{
	return val_new(a, NB_VAL_LIST);
}

nb_value *
nb_val_map(nb_arena *a)
{
	return val_new(a, NB_VAL_MAP);
}

void
nb_val_push(nb_arena *a, nb_value *l, nb_value *item)
{
	if (l->u.list.len == l->u.list.cap) {
		size_t cap = l->u.list.cap ? l->u.list.cap * 2 : 4;
		l->u.list.items = nb_arena_grow(a, l->u.list.items,
			l->u.list.cap * sizeof(nb_value *),
			cap * sizeof(nb_value *));
		l->u.list.cap = cap;
	}
	l->u.list.items[l->u.list.len++] = item;
}

void
nb_val_set(nb_arena *a, nb_value *m, const char *key, nb_value *v)
{
	size_t i;

	for (i = 0; i < m->u.map.len; i++) {
		const char *k = m->u.map.keys[i];
		if (k[0] == key[0] && strcmp(k, key) == 0) {
			m->u.map.vals[i] = v;
			return;
		}
	}
	if (m->u.map.len == m->u.map.cap) {
		size_t cap = m->u.map.cap ? m->u.map.cap * 2 : 8;
		m->u.map.keys = nb_arena_grow(a, m->u.map.keys,
			m->u.map.cap * sizeof(char *), cap * sizeof(char *));
		m->u.map.vals = nb_arena_grow(a, m->u.map.vals,
			m->u.map.cap * sizeof(nb_value *),
			cap * sizeof(nb_value *));
		m->u.map.cap = cap;
	}
	m->u.map.keys[m->u.map.len] = key;
	m->u.map.vals[m->u.map.len] = v;
	m->u.map.len++;
}

void
nb_val_set_str(nb_arena *a, nb_value *m, const char *key, const char *s)
{
	nb_val_set(a, m, key, s && *s ? nb_val_str(a, s) : nb_val_null(a));
}

void
nb_val_set_bool(nb_arena *a, nb_value *m, const char *key, int b)
{
	nb_val_set(a, m, key, nb_val_bool(a, b));
}

void
nb_val_set_num(nb_arena *a, nb_value *m, const char *key, double n)
{
	nb_val_set(a, m, key, nb_val_num(a, n));
}

nb_value *
nb_val_getn(const nb_value *m, const char *key, size_t len)
{
	size_t i;

	if (!m || m->type != NB_VAL_MAP)
		return NULL;
	for (i = 0; i < m->u.map.len; i++) {
		const char *k = m->u.map.keys[i];
		/* the first byte rules out most keys without a call */
		if (len && k[0] != key[0])
			continue;
		if (strncmp(k, key, len) == 0 && k[len] == '\0')
			return m->u.map.vals[i];
	}
	return NULL;
}

nb_value *
nb_val_get(const nb_value *m, const char *key)
{
	return nb_val_getn(m, key, strlen(key));
}

int
nb_val_truthy(const nb_value *v)
{
	if (!v)
		return 0;
	switch (v->type) {
	case NB_VAL_NULL: return 0;
	case NB_VAL_BOOL: return v->u.boolean;
	case NB_VAL_STR: return v->u.str.len > 0;
	case NB_VAL_LIST: return v->u.list.len > 0;
	default: return 1;
	}
}
