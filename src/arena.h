/*
 * arena.h - one allocation policy for a build.
 *
 * The model, the template views and parsed templates live in an arena that
 * is freed at once when the build ends.  Allocation never fails from the
 * caller's point of view: running out of memory aborts with a message
 * (see nb_oom), so callers need not check.
 */
#ifndef NB_ARENA_H
#define NB_ARENA_H

#include <stddef.h>
#include <stdarg.h>

typedef struct nb_arena nb_arena;

/* A new, empty arena.  Free it with nb_arena_free(). */
nb_arena *nb_arena_new(void);

/* Make the arena's next block at least `size` bytes: room, in one block
 * (in huge pages from 2 MiB on), for what is known to come. */
void nb_arena_reserve(nb_arena *a, size_t size);

/* Free every block the arena handed out, and the arena.  Accepts NULL. */
void nb_arena_free(nb_arena *a);
/* The mapping [p, p + len) (mmap) becomes the arena's: what was allocated
 * in the arena may point into it, and it is unmapped with the arena (or
 * when it is reset). */
void nb_arena_own_map(nb_arena *a, void *p, size_t len);

/* Forget everything allocated, keeping one block of memory for what
 * comes next (a page's values, page after page). */
void nb_arena_reset(nb_arena *a);
/* How many times a has been reset: what was made in it before is gone
 * when this changes. */
unsigned nb_arena_resets(const nb_arena *a);

/* `size` bytes aligned for any type; zeroed.  Owned by the arena. */
void *nb_arena_alloc(nb_arena *a, size_t size);
/* The same, not zeroed: for what is written over at once. */
void *nb_arena_alloc_raw(nb_arena *a, size_t size);

/* Grow an array previously returned by nb_arena_alloc (or NULL) from
 * old_size to new_size bytes: in place when it was the arena's last
 * allocation and its block has room, else copied.  The bytes past
 * old_size are not zeroed.  Owned by the arena. */
void *nb_arena_grow(nb_arena *a, void *p, size_t old_size, size_t new_size);

/* NUL-terminated copies of strings.  Owned by the arena. */
char *nb_arena_strdup(nb_arena *a, const char *s);
char *nb_arena_strndup(nb_arena *a, const char *s, size_t len);
char *nb_arena_printf(nb_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *nb_arena_vprintf(nb_arena *a, const char *fmt, va_list ap);

/* Bytes handed out so far (for statistics and benchmarks). */
size_t nb_arena_used(const nb_arena *a);

/* malloc/realloc/strdup that abort with a message instead of returning
 * NULL.  Free with free(). */
void *nb_xmalloc(size_t size);
/* At least *size bytes for a buffer of megabytes: from 2 MiB on, aligned
 * to 2 MiB and offered to the kernel as huge pages, with *size rounded up
 * to fill them.  Free with free(). */
void *nb_xmalloc_big(size_t *size);
void *nb_xcalloc(size_t n, size_t size);
void *nb_xrealloc(void *p, size_t size);
char *nb_xstrdup(const char *s);
char *nb_xstrndup(const char *s, size_t len);

/* Set malloc up for a build (call first thing in main): memory taken
 * from the kernel in large steps, kept when freed, and used again.  A
 * build touches a hundred megabytes and more; where a page fault is dear
 * each fresh page costs more than the work done in it. */
void nb_memory_setup(void);

/* Touch each page of the buffer p[0..n), keeping its bytes, before the
 * kernel copies into it (read, pread): see arena.c. */
void nb_prefault(void *p, size_t n);

/* Report out-of-memory once and abort. */
void nb_oom(void) __attribute__((noreturn));

#endif
