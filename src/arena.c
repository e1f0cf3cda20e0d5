/*
 * arena.c - bump allocator in geometrically growing blocks.
 *
 * Small allocations come from the current block; a request larger than a
 * quarter of the block size gets a block of its own, so a few huge strings
 * do not waste the rest of a block.
 */
#include "arena.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define ALIGN 16
#define FIRST_BLOCK (64 * 1024)
#define MAX_BLOCK (8 * 1024 * 1024)

struct block {
	struct block *next;
	size_t size, used;
	/* data follows, aligned */
};

struct mapped {
	struct mapped *next;
	void *p;
	size_t len;
};

struct nb_arena {
	struct block *head;   /* current block for small allocations */
	struct block *big;    /* dedicated blocks for large allocations */
	struct mapped *maps;  /* files mapped, theirs (in a block) */
	size_t next_size;
	size_t used;
	unsigned resets;
};

#define HDR ((sizeof(struct block) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

void
nb_oom(void)
{
	fputs("noticeboard: out of memory\n", stderr);
	abort();
}

void *
nb_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		nb_oom();
	return p;
}

void *
nb_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		nb_oom();
	return p;
}

void *
nb_xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		nb_oom();
	return p;
}

char *
nb_xstrdup(const char *s)
{
	return nb_xstrndup(s, strlen(s));
}

char *
nb_xstrndup(const char *s, size_t len)
{
	char *p = nb_xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Blocks of 2 MiB and more (a big model's, a long page's), and buffers
 * as big, are aligned to 2 MiB and offered to the kernel as huge pages:
 * one page fault where there were 512.  Reading 10,000 consultations took 23% less time for
 * it (median of five runs each), for 5 MB more memory; at 100,000, the
 * same time and 21 MB more (docs/performance.md). */
#define HUGE_PAGE (2 * 1024 * 1024)

/* Whether malloc offers its heaps as huge pages itself (launch.c sets
 * the tunable): then nb_xmalloc_big need not, and does not, call madvise,
 * which splits the heap's mapping and waits for every other thread's
 * page faults (about a millisecond a call). */
static int malloc_thp;

void *
nb_xmalloc_big(size_t *size)
{
	void *p;

#if defined(__linux__) && defined(MADV_HUGEPAGE)
	if (*size >= HUGE_PAGE && *size <= SIZE_MAX - HUGE_PAGE) {
		size_t n = (*size + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
		p = aligned_alloc(HUGE_PAGE, n);
		if (!p)
			nb_oom();
		if (!malloc_thp)   /* advice: may be refused */
			(void)madvise(p, n, MADV_HUGEPAGE);
		*size = n;
		return p;
	}
#endif
	return nb_xmalloc(*size);
}

/*
 * glibc's malloc, left as it is, grows its heaps by 128 KiB at a time,
 * maps each request of 128 KiB and more by itself (a tree libgit2
 * inflates, an arena's block, a page's buffer) and gives it back when it
 * is freed, and hands memory at the top of a heap back too: each of
 * those pages is faulted in again when next used, one 4 KiB page at a
 * time.  A rebuild at 10,000 consultations took 4,100 page faults so; on
 * the virtual machine of docs/performance.md, where one costs about 18
 * microseconds, that was a quarter of its CPU time.
 *
 * So heaps grow by 64 MiB at a time, which with glibc.malloc.hugetlb
 * (set by launch.c) lets the kernel back them with huge pages; requests
 * up to 32 MiB (the most glibc allows) come from the heaps; and nothing
 * is handed back while the process lives.  The rebuild then takes about
 * 800 page faults (most of them the shared libraries' relocations) and
 * a quarter less time; a full build takes 2,600 where it took 137,000.
 * Memory that is not touched costs nothing: the resident size grows by
 * what is used, rounded to huge pages (a tenth, for a full build).
 */
void
nb_memory_setup(void)
{
	const char *t = getenv("GLIBC_TUNABLES");

	malloc_thp = t && strstr(t, "glibc.malloc.hugetlb=1") != NULL;
#ifdef __GLIBC__
	(void)mallopt(M_TOP_PAD, 64 * 1024 * 1024);
	(void)mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

/*
 * Where the kernel is a guest that pays for each page it faults in (the
 * virtual machine of docs/performance.md), a read() into memory never
 * touched faults each page from inside the kernel's copy, which there
 * took 74 ms for 15 MB one time in three (and 2 ms the others).  Touched
 * first, from here, a huge page at a time, the same read took 1.2 ms
 * every time.  A byte a page: where the memory is in huge pages, all but
 * one touch in 512 finds the page there.
 */
void
nb_prefault(void *p, size_t n)
{
	volatile char *c = p;
	size_t i;

	/* written back as it was: a buffer realloc grew keeps its bytes */
	for (i = 0; i < n; i += 4096)
		c[i] = c[i];
	if (n)
		c[n - 1] = c[n - 1];
}

static struct block *
block_new(size_t size)
{
	size_t n = HDR + size;
	struct block *b = nb_xmalloc_big(&n);

	size = n - HDR;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

nb_arena *
nb_arena_new(void)
{
	nb_arena *a = nb_xcalloc(1, sizeof(*a));
	a->next_size = FIRST_BLOCK;
	return a;
}

void
nb_arena_reserve(nb_arena *a, size_t size)
{
	/* a megabyte or more: the huge page it would nearly fill */
	if (size >= HUGE_PAGE / 2 && size < HUGE_PAGE)
		size = HUGE_PAGE;
	if (size > MAX_BLOCK)
		size = MAX_BLOCK;
	if (size > a->next_size)
		a->next_size = size;
}

static void
free_chain(struct block *b)
{
	while (b) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
}

static void
unmap_all(nb_arena *a)
{
	struct mapped *m;

	for (m = a->maps; m; m = m->next)
		munmap(m->p, m->len);
	a->maps = NULL;
}

void
nb_arena_free(nb_arena *a)
{
	if (!a)
		return;
	unmap_all(a);
	free_chain(a->head);
	free_chain(a->big);
	free(a);
}

/* size bytes, not zeroed: for callers that write every byte at once */
static void *
alloc_raw(nb_arena *a, size_t size)
{
	struct block *b;
	void *p;

	if (size == 0)
		size = 1;
	if (size > SIZE_MAX / 2)
		nb_oom();
	size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	a->used += size;

	if (size > a->next_size / 4) {
		b = block_new(size);
		b->next = a->big;
		a->big = b;
		b->used = size;
		return (char *)b + HDR;
	}
	b = a->head;
	if (!b || b->size - b->used < size) {
		b = block_new(a->next_size);
		b->next = a->head;
		a->head = b;
		if (a->next_size < MAX_BLOCK)
			a->next_size *= 2;
	}
	p = (char *)b + HDR + b->used;
	b->used += size;
	return p;
}

void *
nb_arena_alloc_raw(nb_arena *a, size_t size)
{
	return alloc_raw(a, size);
}

void *
nb_arena_alloc(nb_arena *a, size_t size)
{
	void *p = alloc_raw(a, size);

	memset(p, 0, size ? size : 1);
	return p;
}

/*
 * An array that grows one item at a time (a listing's items, an area's
 * records) is nearly always the last thing allocated from its block: it
 * then grows where it is, while the block has room.  Else it moves, and
 * its old bytes stay in the arena unused, as much again as it had: a
 * rebuild's roll-ups and listings left 9 MB so, each megabyte of it
 * memory the kernel clears and the machine pays for (docs/performance.md).
 * The bytes past old_size are not cleared: an array's count says how
 * many of them hold anything.
 */
void *
nb_arena_grow(nb_arena *a, void *p, size_t old_size, size_t new_size)
{
	struct block *b = a->head;
	void *q;

	if (new_size <= old_size)
		return p;
	if (p && old_size && b && new_size <= SIZE_MAX / 2) {
		size_t was = (old_size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
		size_t now = (new_size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
		char *data = (char *)b + HDR;

		if ((char *)p >= data && (char *)p + was == data + b->used &&
		    b->size - b->used >= now - was) {
			b->used += now - was;
			a->used += now - was;
			return p;
		}
	}
	q = alloc_raw(a, new_size);
	if (p && old_size)
		memcpy(q, p, old_size);
	return q;
}

char *
nb_arena_strndup(nb_arena *a, const char *s, size_t len)
{
	char *p = alloc_raw(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
nb_arena_strdup(nb_arena *a, const char *s)
{
	return nb_arena_strndup(a, s, strlen(s));
}

char *
nb_arena_vprintf(nb_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	char small[256];
	char *p;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		nb_oom();
	p = alloc_raw(a, (size_t)n + 1);
	if ((size_t)n < sizeof(small))
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
nb_arena_printf(nb_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = nb_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void
nb_arena_reset(nb_arena *a)
{
	struct block *keep;

	unmap_all(a);   /* before the block that lists them is reused */
	/* keep the newest (largest) block for the next round */
	free_chain(a->big);
	a->big = NULL;
	keep = a->head;
	if (keep) {
		free_chain(keep->next);
		keep->next = NULL;
		keep->used = 0;
	}
	a->used = 0;
	a->resets++;
}

void
nb_arena_own_map(nb_arena *a, void *p, size_t len)
{
	struct mapped *m = alloc_raw(a, sizeof(*m));

	m->p = p;
	m->len = len;
	m->next = a->maps;
	a->maps = m;
}

unsigned
nb_arena_resets(const nb_arena *a)
{
	return a->resets;
}

size_t
nb_arena_used(const nb_arena *a)
{
	return a->used;
}
