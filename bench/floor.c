/*
 * floor.c - how long this machine takes only to write a built site.
 *
 *     cc -O2 -pthread -o build/floor bench/floor.c
 *     build/floor SITE COPY [THREADS]
 *
 * Reads every file and folder of SITE (a build's output) into memory,
 * then writes them all again under COPY, in THREADS threads (default 2):
 * mkdir, open, write and close, and nothing computed.  The time printed
 * is the writing only: the least any build of the same pages can take on
 * this machine (docs/performance.md, "The floor at 100,000").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct entry {
	char *rel;      /* path under SITE */
	char *data;     /* NULL for a folder */
	size_t len;
} entry;

static entry *entries;
static size_t n, cap;
static atomic_size_t next;
static const char *copy;

static void
die(const char *what, const char *path)
{
	fprintf(stderr, "floor: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void
add(const char *rel, char *data, size_t len)
{
	if (n == cap) {
		cap = cap ? cap * 2 : 4096;
		entries = realloc(entries, cap * sizeof(*entries));
		if (!entries)
			die("out of memory for", rel);
	}
	entries[n].rel = strdup(rel);
	entries[n].data = data;
	entries[n].len = len;
	n++;
}

/* Folders before what they hold (the order a build makes them in). */
static void
load(const char *root, const char *rel)
{
	char path[8192 + 4096], sub[8192];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (!(d = opendir(path)))
		die("cannot read", path);
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
			 de->d_name);
		snprintf(path, sizeof(path), "%s/%s", root, sub);
		if (lstat(path, &st) != 0)
			die("cannot stat", path);
		if (S_ISDIR(st.st_mode)) {
			add(sub, NULL, 0);
			load(root, sub);
		} else if (S_ISREG(st.st_mode)) {
			char *buf = malloc((size_t)st.st_size + 1);
			size_t got = 0;
			int fd = open(path, O_RDONLY | O_CLOEXEC);

			if (!buf || fd < 0)
				die("cannot read", path);
			while (got < (size_t)st.st_size) {
				ssize_t r = read(fd, buf + got,
						 (size_t)st.st_size - got);
				if (r <= 0)
					die("cannot read", path);
				got += (size_t)r;
			}
			close(fd);
			add(sub, buf, got);
		}
	}
	closedir(d);
}

static double
seconds(const struct timeval *t)
{
	return (double)t->tv_sec + (double)t->tv_usec / 1e6;
}

static void *
work(void *arg)
{
	char path[8192];
	size_t i;

	(void)arg;
	while ((i = atomic_fetch_add(&next, 1)) < n) {
		const entry *e = &entries[i];
		size_t off = 0;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", copy, e->rel);
		if (!e->data) {
			/* another thread may not have made the parent yet */
			while (mkdir(path, 0755) != 0 && errno != EEXIST) {
				if (errno != ENOENT)
					die("cannot make", path);
				sched_yield();
			}
			continue;
		}
		while ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				  0644)) < 0) {
			if (errno != ENOENT)
				die("cannot write", path);
			sched_yield();
		}
		while (off < e->len) {
			ssize_t w = write(fd, e->data + off, e->len - off);
			if (w <= 0)
				die("cannot write", path);
			off += (size_t)w;
		}
		close(fd);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t[64];
	struct timespec a, b;
	struct rusage ra, rb;
	size_t bytes = 0, files = 0, i;
	int threads = argc > 3 ? atoi(argv[3]) : 2, k;

	if (argc < 3 || threads < 1 || threads > 64) {
		fprintf(stderr, "usage: floor SITE COPY [THREADS]\n");
		return 2;
	}
	copy = argv[2];
	load(argv[1], "");
	for (i = 0; i < n; i++) {
		files += entries[i].data != NULL;
		bytes += entries[i].len;
	}
	if (mkdir(copy, 0755) != 0)
		die("cannot make", copy);
	getrusage(RUSAGE_SELF, &ra);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (k = 0; k < threads; k++)
		if (pthread_create(&t[k], NULL, work, NULL) != 0)
			die("cannot start a thread for", copy);
	for (k = 0; k < threads; k++)
		pthread_join(t[k], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	getrusage(RUSAGE_SELF, &rb);
	/* CPU time beside wall time: whether the writing kept the cores
	 * busy or waited for the disk */
	printf("%zu files and %zu folders, %.1f MB, written in %.2f s by %d "
	       "threads (CPU: %.2f s user, %.2f s system)\n", files,
	       n - files, bytes / 1e6,
	       (double)(b.tv_sec - a.tv_sec) +
	       (double)(b.tv_nsec - a.tv_nsec) / 1e9, threads,
	       seconds(&rb.ru_utime) - seconds(&ra.ru_utime),
	       seconds(&rb.ru_stime) - seconds(&ra.ru_stime));
	return 0;
}
