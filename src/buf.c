/*
 * buf.c - growable byte buffer and the output escapers.
 */
#include "buf.h"
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG (2u << 20)   /* from here on, nb_xmalloc_big */

void
nb_buf_grow(nb_buf *b, size_t extra)
{
	size_t need, size;

	if (extra > SIZE_MAX - b->len - 1)
		nb_oom();
	need = b->len + extra + 1;
	if (need <= b->size)
		return;
	size = b->size ? b->size : 64;
	while (size < need)
		size = size > SIZE_MAX / 2 ? need : size + size / 2 + 64;
	if (size >= BIG) {
		/* megabytes (a manifest, a file list, a calendar): in huge
		 * pages, where a page fault is dear (arena.h) */
		char *p = nb_xmalloc_big(&size);
		if (b->ptr)
			memcpy(p, b->ptr, b->len + 1);
		free(b->ptr);
		b->ptr = p;
	} else {
		b->ptr = nb_xrealloc(b->ptr, size);
	}
	b->size = size;
}

void
nb_buf_put(nb_buf *b, const char *s, size_t len)
{
	nb_buf_grow(b, len);
	if (len)
		memcpy(b->ptr + b->len, s, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void
nb_buf_puts(nb_buf *b, const char *s)
{
	nb_buf_put(b, s, strlen(s));
}

void
nb_buf_putc(nb_buf *b, int c)
{
	nb_buf_grow(b, 1);
	b->ptr[b->len++] = (char)c;
	b->ptr[b->len] = '\0';
}

void
nb_buf_vprintf(nb_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	nb_buf_grow(b, 64);
	va_copy(ap2, ap);
	n = vsnprintf(b->ptr + b->len, b->size - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		nb_oom();
	if ((size_t)n >= b->size - b->len) {
		nb_buf_grow(b, (size_t)n);
		n = vsnprintf(b->ptr + b->len, b->size - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
nb_buf_printf(nb_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nb_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
nb_buf_clear(nb_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void
nb_buf_free(nb_buf *b)
{
	if (!b)
		return;
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->size = 0;
}

char *
nb_buf_detach(nb_buf *b)
{
	char *p = b->ptr;

	if (!p)
		p = nb_xstrdup("");
	b->ptr = NULL;
	b->len = b->size = 0;
	return p;
}

const char *
nb_buf_cstr(const nb_buf *b)
{
	return b->ptr ? b->ptr : "";
}

void
nb_buf_put_html(nb_buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	const char *rep;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		nb_buf_put(b, s + start, i - start);
		nb_buf_puts(b, rep);
		start = i + 1;
	}
	nb_buf_put(b, s + start, len - start);
}

static int
url_safe(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return strchr("-_.~!*'();:@=+$,/?#[]%", c) != NULL && c != '\0';
}

void
nb_buf_put_href(nb_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '&')
			nb_buf_puts(b, "&amp;");
		else if (c == '\'')
			nb_buf_puts(b, "&#39;");
		else if (url_safe(c))
			nb_buf_putc(b, c);
		else {
			nb_buf_putc(b, '%');
			nb_buf_putc(b, hex[c >> 4]);
			nb_buf_putc(b, hex[c & 15]);
		}
	}
}
