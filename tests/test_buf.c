/*
 * test_buf.c - growable buffers, escapers, arena and values.
 */
#include "harness.h"

#include "arena.h"
#include "buf.h"
#include "value.h"

static void
buf__grows_and_formats(void)
{
	nb_buf b = NB_BUF_INIT;
	int i;

	for (i = 0; i < 1000; i++)
		nb_buf_printf(&b, "%d,", i);
	CHECK(b.len > 3000);
	CHECK(strncmp(b.ptr, "0,1,2,", 6) == 0);
	CHECK_INT(b.ptr[b.len], '\0');
	nb_buf_free(&b);
}

static void
buf__escapes_html(void)
{
	nb_buf b = NB_BUF_INIT;

	nb_buf_put_html(&b, "<a href=\"x\">Tom & 'Jo'</a>", 26);
	CHECK_STR(nb_buf_cstr(&b),
		  "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jo&#39;&lt;/a&gt;");
	nb_buf_free(&b);
}

static void
buf__escapes_href(void)
{
	nb_buf b = NB_BUF_INIT;

	nb_buf_puts(&b, "");
	nb_buf_put_href(&b, "/a b?x=1&y=\"2\"", 14);
	CHECK_STR(nb_buf_cstr(&b), "/a%20b?x=1&amp;y=%222%22");
	nb_buf_free(&b);
}

static void
arena__allocates_small_and_large(void)
{
	nb_arena *a = nb_arena_new();
	char *big = nb_arena_alloc(a, 10 * 1024 * 1024);
	char *s = nb_arena_printf(a, "%s-%d", "ward", 7);
	int i;

	big[10 * 1024 * 1024 - 1] = 'x';
	CHECK_STR(s, "ward-7");
	for (i = 0; i < 100000; i++)
		CHECK(nb_arena_alloc(a, 24) != NULL);
	nb_arena_free(a);
}

static void
value__map_set_get_and_truthiness(void)
{
	nb_arena *a = nb_arena_new();
	nb_value *m = nb_val_map(a), *l = nb_val_list(a);
	int i;

	for (i = 0; i < 50; i++)
		nb_val_set(a, m, nb_arena_printf(a, "k%d", i),
			   nb_val_num(a, i));
	nb_val_set(a, m, "k3", nb_val_str(a, "three"));
	CHECK_INT(m->u.map.len, 50);
	CHECK_STR(nb_val_get(m, "k3")->u.str.s, "three");
	CHECK(nb_val_get(m, "nope") == NULL);
	CHECK(!nb_val_truthy(l));
	nb_val_push(a, l, nb_val_null(a));
	CHECK(nb_val_truthy(l));
	CHECK(!nb_val_truthy(nb_val_str(a, "")));
	CHECK(nb_val_truthy(nb_val_num(a, 0)));
	nb_arena_free(a);
}

void
suite_buf(void)
{
	RUN(buf__grows_and_formats);
	RUN(buf__escapes_html);
	RUN(buf__escapes_href);
	RUN(arena__allocates_small_and_large);
	RUN(value__map_set_get_and_truthiness);
}
