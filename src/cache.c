/*
 * cache.c - parsed record files kept between builds, by git blob id.
 *
 * The file, in the machine's own byte order (another machine's file fails
 * the check of the header and is ignored):
 *
 *   header   "nb-cache", u32 0x01020304, u32 version
 *   entries  each: u64 sig, u64 brief, i32 body_line, u32 body_len + 1
 *            (0: no body),
 *            the body (empty when its HTML is there) and a NUL, the node
 *            tree (or a node of kind 0xff: none), then the body's HTML (a
 *            text) and u32 warnings, each i32 severity, i32 line, i32
 *            column, text message, text hint, then u32 length + 1 of the
 *            record's image (0: none) and the image (image.h)
 *   node     u8 kind, u8 plain, u16 0, i32 line, i32 col, u32 n, then a
 *            scalar's n bytes and a NUL, a sequence's n items, or a
 *            map's n keys and values, alternating
 *   text     u32 length + 1 (0: none), the bytes and a NUL
 *   index    count x { u8 oid[20]; u32 len; u64 offset }, sorted by oid
 *   trailer  u64 index offset, u64 count, u64 signature of the index,
 *            "nb-cend"
 *
 * A rebuild parses a few files: their entries are appended to the file as
 * they are made, and at the end a new index and trailer; the file is
 * written afresh only when more than half of it would be entries no
 * longer used and old indexes.  A build that fails takes back what it
 * appended; one killed while appending leaves a file whose end is not a
 * trailer, which is an empty cache.  The old file's entries are mapped
 * when it is opened, and what a lookup gives points into them; new ones
 * go to the file past what is mapped, in whole 2 MiB stretches as they
 * fill (append), the rest when it is saved.  (A build holds the output's
 * lock: no other build cuts the file short under the mapping.)
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
#define VERSION 7u
#define HEADER 16
#define SLOT 32
#define TRAILER 32
#define END "nb-cend"
#define NO_NODE 0xffu              /* an entry's root: there is none */

/* Bytes on their way to a file: what is kept back, and where it goes. */
typedef struct pending {
	nb_buf b;
	uint64_t at;                 /* b's first byte's place in the file */
} pending;

typedef struct added {
	unsigned char oid[NB_OID_LEN];
	uint64_t off;                /* in the file written to */
	size_t len;
} added;

struct nb_cache {
	char *path;
	int fd;                      /* the old file (read, appended to); -1 */
	uint64_t old_len;            /* its length when opened */
	unsigned char *index;        /* its index: count slots */
	size_t count;
	const unsigned char *data;   /* its entries, mapped: what lookups
				      * give points into them */
	size_t data_len;
	atomic_uchar *used;          /* count flags: this build wanted it */
	atomic_size_t hits;
	pthread_mutex_t lock;        /* what follows */
	int out;                     /* where new entries go: fd, or a new
				      * file (tmp), or -1 before the first */
	char *tmp;                   /* the new file's name, or NULL */
	uint64_t end;                /* where the next entry goes in `out` */
	pending tail;                /* its last bytes, not written yet */
	int broken;                  /* a write failed: save nothing */
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

static int
read_at(int fd, void *to, size_t n, uint64_t at)
{
	char *p = to;

	while (n) {
		ssize_t r = pread(fd, p, n, (off_t)at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
		at += (uint64_t)r;
	}
	return 0;
}

static int
write_at(int fd, const void *from, size_t n, uint64_t at)
{
	const char *p = from;

	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
		at += (uint64_t)w;
	}
	return 0;
}

/*
 * What is appended to the file is written in whole, aligned 2 MiB
 * stretches where it can be.  Where the kernel keeps a file's pages in
 * large folios (ext4 since Linux 6.16), a buffered write that covers an
 * aligned 2 MiB stretch puts it in one folio, and the next build's
 * mapping of the file then maps it with one page table entry for the
 * stretch.  Written an entry at a time, as they were, the 40 MB of a
 * parse cache at 10,000 consultations lay in 4 KiB pages, and where
 * each page's first touch is dear (the virtual machine of
 * docs/performance.md: 1.5 microseconds) the next build paid 15 ms of
 * CPU only to touch its entries.  Elsewhere this changes nothing but
 * the size of the writes.
 */
#define STRETCH ((uint64_t)2 << 20)

/* n bytes to go at *end (which moves on): kept, and what fills whole
 * stretches written to fd.  0 or -1. */
static int
append(pending *w, int fd, uint64_t *end, const void *p, size_t n)
{
	uint64_t upto;
	size_t cut;

	if (!w->b.len)
		w->at = *end;
	nb_buf_put(&w->b, p, n);
	*end += n;
	if (w->b.len < 2 * STRETCH)
		return 0;
	upto = *end & ~(STRETCH - 1);   /* the last whole stretch's end */
	cut = (size_t)(upto - w->at);
	if (write_at(fd, w->b.ptr, cut, w->at) != 0)
		return -1;
	memmove(w->b.ptr, w->b.ptr + cut, w->b.len - cut);
	w->b.len -= cut;
	w->at = upto;
	return 0;
}

/* Everything kept back, written.  0 or -1. */
static int
flush(pending *w, int fd)
{
	int rc = 0;

	if (w->b.len)
		rc = write_at(fd, w->b.ptr, w->b.len, w->at);
	w->b.len = 0;
	return rc;
}

/* The old file's header, trailer and index are sound: the index is read
 * into c. */
static int
load_index(nb_cache *c, uint64_t len)
{
	unsigned char head[HEADER], t[TRAILER];
	uint64_t n, i, at, off, l;

	if (len < HEADER + TRAILER || read_at(c->fd, head, HEADER, 0) != 0 ||
	    read_at(c->fd, t, TRAILER, len - TRAILER) != 0 ||
	    memcmp(head, MAGIC, 8) != 0 || get32(head + 8) != ENDIAN ||
	    get32(head + 12) != VERSION || memcmp(t + 24, END, 8) != 0)
		return 0;
	at = get64(t);
	n = get64(t + 8);
	if (at < HEADER || at > len - TRAILER ||
	    (len - TRAILER - at) % SLOT || n != (len - TRAILER - at) / SLOT)
		return 0;
	c->index = nb_xmalloc((size_t)n * SLOT + 1);
	nb_prefault(c->index, (size_t)n * SLOT + 1);
	if (read_at(c->fd, c->index, (size_t)n * SLOT, at) != 0 ||
	    nb_sig(NB_SIG_INIT, c->index, (size_t)n * SLOT) != get64(t + 16))
		goto bad;
	for (i = 0; i < n; i++) {
		const unsigned char *s = c->index + i * SLOT;
		l = get32(s + 20);
		off = get64(s + 24);
		if (off < HEADER || off > at || l > at - off)
			goto bad;
		if (i && memcmp(s - SLOT, s, NB_OID_LEN) >= 0)
			goto bad;   /* not sorted, or a repeat */
	}
	/* the entries mapped whole, in place of a read for each (16,000
	 * reads of a few kilobytes took 60 ms of CPU), and used where they
	 * lie */
	{
		void *p = mmap(NULL, (size_t)at, PROT_READ,
			       MAP_PRIVATE | MAP_POPULATE, c->fd, 0);
		if (p == MAP_FAILED)
			goto bad;
		c->data = p;
		c->data_len = (size_t)at;
	}
	c->count = (size_t)n;
	return 1;
bad:
	free(c->index);
	c->index = NULL;
	return 0;
}

nb_cache *
nb_cache_open(const char *path, int fresh)
{
	nb_cache *c = nb_xcalloc(1, sizeof(*c));
	struct stat st;
	size_t i;

	c->path = nb_xstrdup(path);
	c->fd = -1;
	c->out = -1;
	pthread_mutex_init(&c->lock, NULL);
	atomic_init(&c->hits, 0);
	if (fresh)
		return c;
	c->fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (c->fd < 0)
		return c;
	if (fstat(c->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !load_index(c, (uint64_t)st.st_size)) {
		close(c->fd);
		c->fd = -1;
		return c;
	}
	c->old_len = (uint64_t)st.st_size;
	c->used = nb_xmalloc((c->count + 1) * sizeof(*c->used));
	for (i = 0; i < c->count; i++)
		atomic_init(&c->used[i], 0);
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
		n->str = (const char *)k->p;   /* in the entry, NUL and all */
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
	*s = (const char *)k->p;
	k->p += (size_t)n + 1;
	return 0;
}

static int
entry_read(const unsigned char *p, size_t len, nb_arena *a, nb_parsed *out)
{
	cursor k = { p, p + len, a };
	uint64_t sig, brief;
	int32_t line;
	uint32_t blen;

	memset(out, 0, sizeof(*out));
	if (take(&k, &sig, 8) != 0 || take(&k, &brief, 8) != 0 ||
	    take(&k, &line, 4) != 0 || take(&k, &blen, 4) != 0)
		return 0;
	if (blen) {
		size_t bl = (size_t)blen - 1;
		if ((size_t)(k.end - k.p) <= bl || k.p[bl] != '\0')
			return 0;
		out->body = (const char *)k.p;
		out->body_len = bl;
		k.p += bl + 1;
	}
	out->sig = sig;
	out->brief = brief;
	out->body_line = line;
	if (k.p < k.end && *k.p == NO_NODE) {
		if ((size_t)(k.end - k.p) < 16)
			return 0;
		k.p += 16;   /* a record's image says it all */
	} else if (!(out->root = node_read(&k, 0))) {
		return 0;
	}
	if (text_read(&k, &out->html) != 0 ||
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
	if (take(&k, &blen, 4) != 0)
		return 0;
	if (blen) {
		if ((size_t)(k.end - k.p) < (size_t)blen - 1)
			return 0;
		out->rec = k.p;
		out->rec_len = (size_t)blen - 1;
		k.p += out->rec_len;
	}
	return k.p == k.end && (out->root || out->rec);
}

/* The first 8 bytes of an id, as a number that sorts as the id does. */
static uint64_t
oid_head(const unsigned char *oid)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | oid[i];
	return v;
}

int
nb_cache_get(nb_cache *c, const unsigned char oid[NB_OID_LEN], nb_arena *a,
	     nb_parsed *out)
{
	size_t lo = 0, hi;
	uint64_t want;
	int probes = 0;

	if (!c || !c->index)
		return 0;
	hi = c->count;
	want = oid_head(oid);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const unsigned char *s;
		/* ids are spread evenly (they are hashes): the first guesses
		 * are where the id would be if they were, a probe or two from
		 * it, in place of fourteen halvings of 16,000 slots (each a
		 * cache miss); then halvings, whatever the ids */
		if (probes++ < 3 && hi - lo > 8) {
			uint64_t first = oid_head(c->index + lo * SLOT);
			uint64_t last = oid_head(c->index + (hi - 1) * SLOT);
			if (want >= first && want <= last && last > first)
				mid = lo + (size_t)((long double)(want - first) /
						    (long double)(last - first) *
						    (long double)(hi - 1 - lo));
		}
		s = c->index + mid * SLOT;
		int cmp = memcmp(oid, s, NB_OID_LEN);
		if (cmp == 0) {
			/* the strings of what it gives are the entry's own
			 * (each ends in a NUL), in the cache */
			if (!entry_read(c->data + get64(s + 24), get32(s + 20),
					a, out))
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

/* Where new entries go, opened on the first: the old file when there is
 * one (appended to), or a new one.  Under c->lock.  0 or -1. */
static int
open_out(nb_cache *c)
{
	unsigned char head[HEADER];
	uint32_t u;

	if (c->out >= 0)
		return 0;
	if (c->fd >= 0) {
		c->out = c->fd;
		c->end = c->old_len;
		return 0;
	}
	/* OUTPUT.nb-cache-tmp-PID: a killed build's is removed by the next
	 * (write.c) */
	c->tmp = nb_xmalloc(strlen(c->path) + 32);
	sprintf(c->tmp, "%s-tmp-%ld", c->path, (long)getpid());
	unlink(c->tmp);
	c->out = open(c->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (c->out < 0)
		return -1;
	memcpy(head, MAGIC, 8);
	u = ENDIAN;
	memcpy(head + 8, &u, 4);
	u = VERSION;
	memcpy(head + 12, &u, 4);
	c->end = 0;
	return append(&c->tail, c->out, &c->end, head, HEADER);
}

void
nb_cache_put(nb_cache *c, const unsigned char oid[NB_OID_LEN],
	     const nb_parsed *p)
{
	nb_buf b = NB_BUF_INIT;
	int32_t line = p->body_line;
	uint32_t blen = p->body ? (uint32_t)p->body_len + 1 : 0;
	added *ad;

	if (!c || (!p->root && !p->rec) ||
	    (p->body && p->body_len >= UINT32_MAX) ||
	    p->rec_len >= UINT32_MAX)
		return;
	/* with its HTML, the body is not needed again: kept empty; with the
	 * record's image, nothing else is */
	if (p->body && p->html)
		blen = 1;
	if (p->rec)
		blen = 0;
	put_raw(&b, &p->sig, 8);
	put_raw(&b, &p->brief, 8);
	put_raw(&b, &line, 4);
	put_raw(&b, &blen, 4);
	if (blen) {
		put_raw(&b, p->body, blen - 1);
		nb_buf_putc(&b, '\0');
	}
	if (p->rec) {
		unsigned char none[16];
		memset(none, 0, sizeof(none));
		none[0] = NO_NODE;
		put_raw(&b, none, sizeof(none));
	} else {
		node_write(&b, p->root);
	}
	text_write(&b, p->rec ? NULL : p->html);
	{
		uint32_t i, n = p->rec ? 0 : (uint32_t)p->n_diags;
		put_raw(&b, &n, 4);
		for (i = 0; i < n; i++) {
			int32_t f[3] = { p->diags[i].sev, p->diags[i].line,
					 p->diags[i].col };
			put_raw(&b, f, sizeof(f));
			text_write(&b, p->diags[i].msg);
			text_write(&b, p->diags[i].hint);
		}
	}
	{
		uint32_t n = p->rec ? (uint32_t)p->rec_len + 1 : 0;
		put_raw(&b, &n, 4);
		if (p->rec)
			put_raw(&b, p->rec, p->rec_len);
	}
	if (b.len >= UINT32_MAX) {
		nb_buf_free(&b);
		return;
	}
	pthread_mutex_lock(&c->lock);
	if (!c->broken && open_out(c) != 0)
		c->broken = 1;
	if (!c->broken) {
		if (c->news_len == c->news_cap) {
			c->news_cap = c->news_cap ? c->news_cap * 2 : 64;
			c->news = nb_xrealloc(c->news,
					      c->news_cap * sizeof(*c->news));
		}
		ad = &c->news[c->news_len++];
		memcpy(ad->oid, oid, NB_OID_LEN);
		ad->off = c->end;
		ad->len = b.len;
		if (append(&c->tail, c->out, &c->end, b.ptr, b.len) != 0)
			c->broken = 1;
	}
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

/* ---- writing the index ----------------------------------------------------- */

typedef struct slot {
	const unsigned char *oid;
	uint64_t off;                /* where it is now */
	size_t len;
	int old;                     /* in the old file (else in `out`) */
} slot;

static int
cmp_slot(const void *a, const void *b)
{
	return memcmp(((const slot *)a)->oid, ((const slot *)b)->oid,
		      NB_OID_LEN);
}

/* The index of v[0..n) (at their offsets) and the trailer, at `at`. */
static int
write_index(int fd, const slot *v, size_t n, uint64_t at)
{
	nb_buf b = NB_BUF_INIT;
	uint64_t index_at = at, cnt = n, sig;
	size_t i;
	int rc;

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
	rc = write_at(fd, b.ptr, b.len, at);
	if (rc == 0 && ftruncate(fd, (off_t)(at + b.len)) != 0)
		rc = -1;
	nb_buf_free(&b);
	return rc;
}

/* Copy v's entries from where they are into the new file `to`, from
 * HEADER on, setting their new offsets; *end is where the index goes.
 * The old file's are in its mapping; those appended to it are read. */
static int
compact(nb_cache *c, int to, slot *v, size_t n, uint64_t *end)
{
	unsigned char head[HEADER], *buf = NULL;
	pending w = { NB_BUF_INIT, 0 };
	uint64_t at = 0;
	size_t i, cap = 0;
	uint32_t u;
	int rc = 0;

	memcpy(head, MAGIC, 8);
	u = ENDIAN;
	memcpy(head + 8, &u, 4);
	u = VERSION;
	memcpy(head + 12, &u, 4);
	rc = append(&w, to, &at, head, HEADER);
	for (i = 0; rc == 0 && i < n; i++) {
		const void *from;
		if (v[i].old && v[i].off + v[i].len <= c->data_len) {
			from = c->data + v[i].off;
		} else {
			if (v[i].len > cap) {
				cap = v[i].len * 2;
				free(buf);
				buf = nb_xmalloc(cap);
			}
			rc = read_at(v[i].old ? c->fd : c->out, buf, v[i].len,
				     v[i].off);
			from = buf;
		}
		v[i].off = at;
		if (rc == 0)
			rc = append(&w, to, &at, from, v[i].len);
	}
	if (rc == 0)
		rc = flush(&w, to);
	nb_buf_free(&w.b);
	free(buf);
	*end = at;
	return rc;
}

int
nb_cache_save(nb_cache *c)
{
	size_t i, k = 0, n = 0, unused = 0, live = 0, fresh = 0;
	slot *v;
	int rc = -1;

	if (!c)
		return 0;
	if (c->broken)
		return -1;
	for (i = 0; i < c->count; i++) {
		if (!atomic_load(&c->used[i]))
			unused++;
		else
			live += get32(c->index + i * SLOT + 20);
	}
	if (!unused && !c->news_len && c->index)
		return 0;   /* the file holds what this build used */
	for (i = 0; i < c->news_len; i++)
		fresh += c->news[i].len;
	v = nb_xmalloc((c->count - unused + c->news_len + 1) * sizeof(*v));
	for (i = 0; i < c->count; i++) {
		const unsigned char *s = c->index + i * SLOT;
		if (!atomic_load(&c->used[i]))
			continue;
		v[k].oid = s;
		v[k].off = get64(s + 24);
		v[k].len = get32(s + 20);
		v[k].old = 1;
		k++;
	}
	for (i = 0; i < c->news_len; i++) {
		v[k].oid = c->news[i].oid;
		v[k].off = c->news[i].off;
		v[k].len = c->news[i].len;
		v[k].old = 0;
		k++;
	}
	qsort(v, k, sizeof(*v), cmp_slot);
	/* one entry per blob: the same file may sit at two paths */
	for (i = 0; i < k; i++)
		if (!n || memcmp(v[n - 1].oid, v[i].oid, NB_OID_LEN) != 0)
			v[n++] = v[i];
	if (c->out >= 0 && flush(&c->tail, c->out) != 0) {
		rc = -1;   /* what was appended is not all there */
	} else if (c->tmp && c->fd < 0) {
		/* a new file: its index, and into place */
		rc = write_index(c->out, v, n, c->end);
	} else if (c->fd >= 0 &&
		   2 * (live + fresh) >= (c->out >= 0 ? c->end : c->old_len)) {
		/* mostly live: the index goes after what was appended */
		if (open_out(c) == 0)
			rc = write_index(c->out, v, n, c->end);
	} else {
		/* mostly dead weight: written afresh */
		uint64_t end;
		c->tmp = nb_xmalloc(strlen(c->path) + 32);
		sprintf(c->tmp, "%s-tmp-%ld", c->path, (long)getpid());
		unlink(c->tmp);
		{
			int to = open(c->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
				      0644);
			if (to >= 0) {
				rc = compact(c, to, v, n, &end);
				if (rc == 0)
					rc = write_index(to, v, n, end);
				if (close(to) != 0)
					rc = -1;
			}
		}
	}
	if (rc == 0 && c->tmp && rename(c->tmp, c->path) != 0)
		rc = -1;
	if (c->tmp) {
		if (rc != 0)
			unlink(c->tmp);
		free(c->tmp);
		c->tmp = NULL;
	}
	c->old_len = 0;   /* nothing to take back */
	c->news_len = 0;
	free(v);
	return rc;
}

void
nb_cache_free(nb_cache *c)
{
	if (!c)
		return;
	/* not saved: what was appended to the old file is taken back, so
	 * its end is its trailer again */
	if (c->fd >= 0 && c->out == c->fd && c->old_len && c->news_len)
		(void)ftruncate(c->fd, (off_t)c->old_len);
	if (c->out >= 0 && c->out != c->fd)
		close(c->out);
	if (c->fd >= 0)
		close(c->fd);
	if (c->tmp) {
		unlink(c->tmp);
		free(c->tmp);
	}
	nb_buf_free(&c->tail.b);
	free(c->index);
	if (c->data)
		munmap((void *)c->data, c->data_len);
	free(c->used);
	free(c->news);
	pthread_mutex_destroy(&c->lock);
	free(c->path);
	free(c);
}
