/*
 * cache.c - parsed record files kept between builds, by git blob id.
 *
 * The file, in the machine's own byte order (another machine's file fails
 * the check of the header and is ignored):
 *
 *   header   "nb-cache" u32 0x01020304, u32 version
 *   entries  each: u64 sig, i32 body_line, u32 body_len + 1 (0: no body),
 *            the body and a NUL, the node tree, then the body's HTML (a
 *            text) and u32 warnings, each u32 severity, i32 line, i32
 *            column, text message, text hint
 *   text     u32 length + 1 (0: none), the bytes and a NUL
 *   index    count x { u8 oid[20]; u32 len; u64 offset }, sorted by oid
 *   trailer  u64 index offset, u64 count, u64 signature of the index,
 *            "nb-cend"
 *
 * A rebuild changes a few files: their entries and a new index and trailer
 * are appended, and the file is written afresh only when more than half
 * of it is entries no longer used and old indexes.  A build killed while
 * appending leaves a file whose end is not a trailer, which is an empty
 * cache.
 *   node     u8 kind, u8 plain, u16 0, i32 line, i32 col, u32 n, then a
 *            scalar's n bytes and a NUL, a sequence's n items, or a
 *            map's n keys and values, alternating
 *
 * Every read is checked against the entry's bounds, so a damaged file
 * gives a miss, never a crash.
 */
#include "cache.h"
#include "buf.h"
#include "model.h"   /* nb_sig */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "nb-cache"
#define ENDIAN 0x01020304u
#define VERSION 3u
#define HEADER 16
#define SLOT 32
#define TRAILER 32
#define END "nb-cend"

typedef struct added {
	unsigned char oid[NB_OID_LEN];
	size_t off, len;             /* in c->fresh */
} added;

struct nb_cache {
	char *path;
	const unsigned char *map;    /* the old file, mapped; NULL: none */
	size_t map_len, count;
	const unsigned char *index;  /* its index: count slots */
	atomic_uchar *used;          /* count flags: this build wanted it */
	atomic_size_t hits;
	pthread_mutex_t lock;        /* fresh and news */
	nb_buf fresh;                /* entries parsed in this build */
	added *news;
	size_t news_len, news_cap;
};

static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* The old file's header, trailer and index are sound: the index is set. */
static int
valid(nb_cache *c, const unsigned char *p, size_t len)
{
	const unsigned char *t = p + len - TRAILER, *ix;
	uint64_t n, i, off, l, at;

	if (len < HEADER + TRAILER || memcmp(p, MAGIC, 8) != 0 ||
	    get32(p + 8) != ENDIAN || get32(p + 12) != VERSION ||
	    memcmp(t + 24, END, 8) != 0)
		return 0;
	at = get64(t);
	n = get64(t + 8);
	if (at < HEADER || at > len - TRAILER ||
	    n != (len - TRAILER - at) / SLOT || (len - TRAILER - at) % SLOT)
		return 0;
	ix = p + at;
	if (nb_sig(NB_SIG_INIT, ix, n * SLOT) != get64(t + 16))
		return 0;
	for (i = 0; i < n; i++) {
		const unsigned char *s = ix + i * SLOT;
		l = get32(s + 20);
		off = get64(s + 24);
		if (off < HEADER || off > at || l > at - off)
			return 0;
		if (i && memcmp(s - SLOT, s, NB_OID_LEN) >= 0)
			return 0;   /* not sorted, or a repeat */
	}
	c->index = ix;
	c->count = (size_t)n;
	return 1;
}

nb_cache *
nb_cache_open(const char *path, int fresh)
{
	nb_cache *c = nb_xcalloc(1, sizeof(*c));
	struct stat st;
	int fd;

	c->path = nb_xstrdup(path);
	pthread_mutex_init(&c->lock, NULL);
	atomic_init(&c->hits, 0);
	if (fresh)
		return c;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return c;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size >= HEADER + TRAILER) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
			       fd, 0);
		if (p != MAP_FAILED) {
			if (valid(c, p, (size_t)st.st_size)) {
				c->map = p;
				c->map_len = (size_t)st.st_size;
			} else {
				munmap(p, (size_t)st.st_size);
			}
		}
	}
	close(fd);
	if (c->map && c->count) {
		size_t i;
		c->used = nb_xmalloc(c->count * sizeof(*c->used));
		for (i = 0; i < c->count; i++)
			atomic_init(&c->used[i], 0);
	}
	return c;
}

/* ---- reading an entry ------------------------------------------------------ */

typedef struct cursor {
	const unsigned char *p, *end;
	nb_arena *a;
} cursor;

static int
take(cursor *k, void *to, size_t n)
{
	if ((size_t)(k->end - k->p) < n)
		return -1;
	memcpy(to, k->p, n);
	k->p += n;
	return 0;
}

static nb_node *
node_read(cursor *k, int depth)
{
	unsigned char head[16];
	nb_node *n;
	uint32_t cnt;
	int32_t line, col;
	size_t i;

	if (depth > NB_YAML_MAX_DEPTH || take(k, head, sizeof(head)) != 0 ||
	    head[0] > NB_NODE_MAP)
		return NULL;
	memcpy(&line, head + 4, 4);
	memcpy(&col, head + 8, 4);
	memcpy(&cnt, head + 12, 4);
	n = nb_arena_alloc(k->a, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->kind = (nb_node_kind)head[0];
	n->plain = head[1];
	n->line = line;
	n->col = col;
	if (n->kind == NB_NODE_SCALAR) {
		if ((size_t)(k->end - k->p) <= cnt || k->p[cnt] != '\0')
			return NULL;
		n->str = nb_arena_strndup(k->a, (const char *)k->p, cnt);
		n->len = cnt;
		k->p += (size_t)cnt + 1;
		return n;
	}
	/* each item takes at least a node's head: a count past the entry is
	 * damage, not a request for memory */
	if (cnt > (size_t)(k->end - k->p) / sizeof(head))
		return NULL;
	n->n = cnt;
	if (cnt) {
		n->items = nb_arena_alloc(k->a, cnt * sizeof(*n->items));
		if (n->kind == NB_NODE_MAP)
			n->keys = nb_arena_alloc(k->a, cnt * sizeof(*n->keys));
	}
	for (i = 0; i < cnt; i++) {
		if (n->kind == NB_NODE_MAP &&
		    (!(n->keys[i] = node_read(k, depth + 1)) ||
		     n->keys[i]->kind != NB_NODE_SCALAR))
			return NULL;
		if (!(n->items[i] = node_read(k, depth + 1)))
			return NULL;
	}
	return n;
}

/* A text: 0 with *s set (NULL for none), or -1. */
static int
text_read(cursor *k, const char **s)
{
	uint32_t n;

	*s = NULL;
	if (take(k, &n, 4) != 0)
		return -1;
	if (!n)
		return 0;
	n--;
	if ((size_t)(k->end - k->p) <= n || k->p[n] != '\0')
		return -1;
	*s = nb_arena_strndup(k->a, (const char *)k->p, n);
	k->p += (size_t)n + 1;
	return 0;
}

static int
entry_read(const unsigned char *p, size_t len, nb_arena *a, nb_parsed *out)
{
	cursor k = { p, p + len, a };
	uint64_t sig;
	int32_t line;
	uint32_t blen;

	memset(out, 0, sizeof(*out));
	if (take(&k, &sig, 8) != 0 || take(&k, &line, 4) != 0 ||
	    take(&k, &blen, 4) != 0)
		return 0;
	if (blen) {
		size_t bl = (size_t)blen - 1;
		if ((size_t)(k.end - k.p) <= bl || k.p[bl] != '\0')
			return 0;
		out->body = nb_arena_strndup(a, (const char *)k.p, bl);
		out->body_len = bl;
		k.p += bl + 1;
	}
	out->sig = sig;
	out->body_line = line;
	out->root = node_read(&k, 0);
	if (!out->root || text_read(&k, &out->html) != 0 ||
	    take(&k, &blen, 4) != 0 || blen > (size_t)(k.end - k.p) / 20)
		return 0;
	if (blen) {
		nb_parsed_diag *v = nb_arena_alloc(a, blen * sizeof(*v));
		uint32_t i;
		for (i = 0; i < blen; i++) {
			int32_t f[3];
			if (take(&k, f, sizeof(f)) != 0 ||
			    text_read(&k, &v[i].msg) != 0 || !v[i].msg ||
			    text_read(&k, &v[i].hint) != 0)
				return 0;
			v[i].sev = f[0];
			v[i].line = f[1];
			v[i].col = f[2];
		}
		out->diags = v;
		out->n_diags = blen;
	}
	return k.p == k.end;
}

int
nb_cache_get(nb_cache *c, const unsigned char oid[NB_OID_LEN], nb_arena *a,
	     nb_parsed *out)
{
	size_t lo = 0, hi;

	if (!c || !c->map)
		return 0;
	hi = c->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const unsigned char *s = c->index + mid * SLOT;
		int cmp = memcmp(oid, s, NB_OID_LEN);
		if (cmp == 0) {
			if (!entry_read(c->map + get64(s + 24), get32(s + 20), a,
					out))
				return 0;
			atomic_store(&c->used[mid], 1);
			atomic_fetch_add(&c->hits, 1);
			return 1;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* ---- adding an entry ------------------------------------------------------- */

static void
put_raw(nb_buf *b, const void *p, size_t n)
{
	nb_buf_put(b, (const char *)p, n);
}

static void
node_write(nb_buf *b, const nb_node *n)
{
	unsigned char head[16];
	uint32_t cnt = (uint32_t)(n->kind == NB_NODE_SCALAR ? n->len : n->n);
	int32_t line = n->line, col = n->col;
	size_t i;

	memset(head, 0, sizeof(head));
	head[0] = (unsigned char)n->kind;
	head[1] = (unsigned char)(n->plain != 0);
	memcpy(head + 4, &line, 4);
	memcpy(head + 8, &col, 4);
	memcpy(head + 12, &cnt, 4);
	put_raw(b, head, sizeof(head));
	if (n->kind == NB_NODE_SCALAR) {
		put_raw(b, n->len ? n->str : "", n->len);
		nb_buf_putc(b, '\0');
		return;
	}
	for (i = 0; i < n->n; i++) {
		if (n->kind == NB_NODE_MAP)
			node_write(b, n->keys[i]);
		node_write(b, n->items[i]);
	}
}

static void
text_write(nb_buf *b, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) + 1 : 0;

	put_raw(b, &n, 4);
	if (s)
		put_raw(b, s, n);   /* with its NUL */
}

void
nb_cache_put(nb_cache *c, const unsigned char oid[NB_OID_LEN],
	     const nb_parsed *p)
{
	nb_buf b = NB_BUF_INIT;
	int32_t line = p->body_line;
	uint32_t blen = p->body ? (uint32_t)p->body_len + 1 : 0;
	added *ad;

	if (!c || !p->root || (p->body && p->body_len >= UINT32_MAX))
		return;
	put_raw(&b, &p->sig, 8);
	put_raw(&b, &line, 4);
	put_raw(&b, &blen, 4);
	if (p->body) {
		put_raw(&b, p->body, p->body_len);
		nb_buf_putc(&b, '\0');
	}
	node_write(&b, p->root);
	text_write(&b, p->html);
	{
		uint32_t i, n = (uint32_t)p->n_diags;
		put_raw(&b, &n, 4);
		for (i = 0; i < n; i++) {
			int32_t f[3] = { p->diags[i].sev, p->diags[i].line,
					 p->diags[i].col };
			put_raw(&b, f, sizeof(f));
			text_write(&b, p->diags[i].msg);
			text_write(&b, p->diags[i].hint);
		}
	}
	if (b.len >= UINT32_MAX) {
		nb_buf_free(&b);
		return;
	}
	pthread_mutex_lock(&c->lock);
	if (c->news_len == c->news_cap) {
		c->news_cap = c->news_cap ? c->news_cap * 2 : 64;
		c->news = nb_xrealloc(c->news, c->news_cap * sizeof(*c->news));
	}
	ad = &c->news[c->news_len++];
	memcpy(ad->oid, oid, NB_OID_LEN);
	ad->off = c->fresh.len;
	ad->len = b.len;
	nb_buf_put(&c->fresh, b.ptr, b.len);
	pthread_mutex_unlock(&c->lock);
	nb_buf_free(&b);
}

size_t
nb_cache_hits(const nb_cache *c)
{
	return c ? atomic_load(&((nb_cache *)c)->hits) : 0;
}

size_t
nb_cache_added(const nb_cache *c)
{
	return c ? c->news_len : 0;
}

/* ---- writing the next file ------------------------------------------------- */

typedef struct slot {
	const unsigned char *oid;
	const unsigned char *data;
	size_t len;
	uint64_t off;                /* where it is in the file written */
	int old;                     /* it is in the old file already */
} slot;

static int
cmp_slot(const void *a, const void *b)
{
	return memcmp(((const slot *)a)->oid, ((const slot *)b)->oid,
		      NB_OID_LEN);
}

static int
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write the entries v[0..n) (but with `append`, only those not in the old
 * file), then the index of all of them and the trailer, to fd at offset
 * `at`. */
static int
write_out(int fd, slot *v, size_t n, uint64_t at, int append)
{
	nb_buf b = NB_BUF_INIT;
	uint64_t index_at, cnt = n, sig;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		if (append && v[i].old)
			continue;
		rc = write_all(fd, v[i].data, v[i].len);
		v[i].off = at;
		at += v[i].len;
	}
	if (rc != 0)
		return rc;
	index_at = at;
	for (i = 0; i < n; i++) {
		uint32_t len = (uint32_t)v[i].len;
		put_raw(&b, v[i].oid, NB_OID_LEN);
		put_raw(&b, &len, 4);
		put_raw(&b, &v[i].off, 8);
	}
	sig = nb_sig(NB_SIG_INIT, b.ptr ? b.ptr : "", b.len);
	put_raw(&b, &index_at, 8);
	put_raw(&b, &cnt, 8);
	put_raw(&b, &sig, 8);
	put_raw(&b, END, 8);
	rc = write_all(fd, b.ptr, b.len);
	nb_buf_free(&b);
	return rc;
}

int
nb_cache_save(nb_cache *c)
{
	size_t i, k = 0, n = 0, unused = 0, live = 0, fresh = 0;
	slot *v;
	char *tmp = NULL;
	int fd, rc = -1, append;

	if (!c)
		return 0;
	for (i = 0; i < c->count; i++) {
		if (!atomic_load(&c->used[i]))
			unused++;
		else
			live += get32(c->index + i * SLOT + 20);
	}
	if (!unused && !c->news_len && c->map)
		return 0;   /* the file holds what this build used */
	for (i = 0; i < c->news_len; i++)
		fresh += c->news[i].len;
	/* append, unless most of the file would then be dead weight */
	append = c->map && 2 * (live + fresh) >= c->map_len + fresh;
	v = nb_xmalloc((c->count - unused + c->news_len + 1) * sizeof(*v));
	for (i = 0; i < c->count; i++) {
		const unsigned char *s = c->index + i * SLOT;
		if (!atomic_load(&c->used[i]))
			continue;
		v[k].oid = s;
		v[k].off = get64(s + 24);
		v[k].len = get32(s + 20);
		v[k].data = c->map + v[k].off;
		v[k].old = 1;
		k++;
	}
	for (i = 0; i < c->news_len; i++) {
		v[k].oid = c->news[i].oid;
		v[k].data = (const unsigned char *)c->fresh.ptr + c->news[i].off;
		v[k].len = c->news[i].len;
		v[k].off = 0;
		v[k].old = 0;
		k++;
	}
	qsort(v, k, sizeof(*v), cmp_slot);
	/* one entry per blob: the same file may sit at two paths */
	for (i = 0; i < k; i++)
		if (!n || memcmp(v[n - 1].oid, v[i].oid, NB_OID_LEN) != 0)
			v[n++] = v[i];
	if (append) {
		struct stat st;
		fd = open(c->path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
		/* the file as it was mapped, not another build's since */
		if (fd >= 0 && fstat(fd, &st) == 0 &&
		    (size_t)st.st_size == c->map_len) {
			rc = write_out(fd, v, n, c->map_len, 1);
			if (close(fd) != 0)
				rc = -1;
			free(v);
			return rc;
		}
		if (fd >= 0)
			close(fd);
	}
	/* DEST.nb-cache-tmp-PID: a killed build's is removed by the next
	 * (write.c) */
	tmp = nb_xmalloc(strlen(c->path) + 32);
	sprintf(tmp, "%s-tmp-%ld", c->path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd >= 0) {
		char head[HEADER];
		uint32_t u = ENDIAN;
		memcpy(head, MAGIC, 8);
		memcpy(head + 8, &u, 4);
		u = VERSION;
		memcpy(head + 12, &u, 4);
		rc = write_all(fd, head, HEADER);
		if (rc == 0)
			rc = write_out(fd, v, n, HEADER, 0);
		if (close(fd) != 0)
			rc = -1;
		if (rc == 0 && rename(tmp, c->path) != 0)
			rc = -1;
		if (rc != 0)
			unlink(tmp);
	}
	free(tmp);
	free(v);
	return rc;
}

void
nb_cache_free(nb_cache *c)
{
	if (!c)
		return;
	if (c->map)
		munmap((void *)c->map, c->map_len);
	free(c->used);
	free(c->news);
	nb_buf_free(&c->fresh);
	pthread_mutex_destroy(&c->lock);
	free(c->path);
	free(c);
}
