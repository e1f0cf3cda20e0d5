/*
 * buf.h - growable byte buffer (after cmark's strbuf and libgit2's git_str).
 *
 * The buffer grows geometrically; running out of memory aborts with a
 * message, so appends cannot fail.  Contents are always NUL-terminated.
 */
#ifndef NB_BUF_H
#define NB_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct nb_buf {
	char *ptr;     /* owned; malloc'd; NUL-terminated when size > 0 */
	size_t len;
	size_t size;
} nb_buf;

#define NB_BUF_INIT { NULL, 0, 0 }

void nb_buf_grow(nb_buf *b, size_t extra);
void nb_buf_put(nb_buf *b, const char *s, size_t len);
void nb_buf_puts(nb_buf *b, const char *s);
void nb_buf_putc(nb_buf *b, int c);
void nb_buf_printf(nb_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void nb_buf_vprintf(nb_buf *b, const char *fmt, va_list ap);
void nb_buf_clear(nb_buf *b);           /* length 0, keeps memory */
void nb_buf_free(nb_buf *b);            /* releases memory; accepts NULL */
/* Hand the contents to the caller (free() it); the buffer is left empty. */
char *nb_buf_detach(nb_buf *b);
/* The contents as a C string; "" for an empty buffer.  Owned by b. */
const char *nb_buf_cstr(const nb_buf *b);

/* Escapers, by output context.  Each appends to b. */
/* HTML text and attribute values: & < > " ' */
void nb_buf_put_html(nb_buf *b, const char *s, size_t len);
/* A URL inside an href: percent-encodes bytes outside the URL-safe set
 * (keeping % and reserved characters), then HTML-escapes & and quotes. */
void nb_buf_put_href(nb_buf *b, const char *s, size_t len);

#endif
