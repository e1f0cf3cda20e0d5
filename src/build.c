/*
 * build.c - the pipeline, in order, with one place that decides whether
 * anything is written.
 */
#include "build.h"
#include "cache.h"
#include "derive.h"
#include "model.h"
#include "render.h"
#include "report.h"
#include "sig.h"
#include "data.h"
#include "git.h"
#include "history.h"
#include "ical.h"
#include "source.h"
#include "write.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *const nb_stage_names[NB_STAGE_COUNT] = {
	"read", "history", "derive", "render", "publish"
};

/* Time since *t for stage i; *t moves on to now. */
static void
lap(nb_build_stats *stats, int i, struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	stats->seconds[i] += (double)(now.tv_sec - t->tv_sec) +
			     (double)(now.tv_nsec - t->tv_nsec) / 1e9;
	*t = now;
}

/* Starting the history walk from the model's loader (nb_load_opts). */
typedef struct history_start {
	struct nb_git *git;
	const char *cache;
	nb_history_job *job;
} history_start;

static void
start_history(void *ud)
{
	history_start *hs = ud;

	hs->job = nb_history_start(hs->git, hs->cache);
}

/* The output made ready in a thread of its own while the records are
 * derived (work for one core): the site's copy opened and its list of
 * files read (nb_out_begin), and the last build's calendar sequence
 * numbers and manifest read. */
typedef struct out_start {
	const nb_build_opts *opts;
	nb_out *o;
	nb_diags d;                  /* its own: merged after the join */
	nb_arena *a;                 /* the sequence numbers */
	nb_ical_seqs seqs;
	int rc;
} out_start;

static void *
start_output(void *arg)
{
	out_start *os = arg;
	const nb_build_opts *opts = os->opts;
	size_t n = strlen(opts->output) + 40;
	char *path;

	os->rc = nb_out_begin(&os->o, opts->output, &os->d);
	if (os->rc != 0)
		return NULL;
	path = nb_xmalloc(n);
	snprintf(path, n, "%s/data/calendar-sequence.json", opts->output);
	nb_data_read_seqs(&os->seqs, os->a, path);
	free(path);
	if (!opts->full)
		nb_out_read_manifest(os->o);
	return NULL;
}

/* The yearly reports (nb_reports), in a thread of their own while the
 * output is waited for. */
typedef struct reports_start {
	nb_model *m;
	nb_derived *dv;
} reports_start;

static void *
reports_run(void *arg)
{
	reports_start *rs = arg;

	nb_reports(&rs->dv->reports, &rs->dv->reports_len, rs->m, rs->dv);
	return NULL;
}

/* Once the site is rendered: the parse cache saved for the next build,
 * then the model and the cache freed, in a thread of their own while the
 * site is published (neither needs the other). */
typedef struct teardown {
	nb_model *m;
	nb_cache *cache;
} teardown;

static void *
teardown_run(void *arg)
{
	teardown *td = arg;

	/* what the commit's files parse to, whatever becomes of the site:
	 * a cache is never needed, and is right for them either way */
	(void)nb_cache_save(td->cache);
	nb_model_free(td->m);
	nb_cache_free(td->cache);   /* after the model: its records point in */
	return NULL;
}

/* The last build's cache opened in a thread of its own. */
typedef struct cache_start {
	char *path;
	int fresh;
	nb_cache *cache;
} cache_start;

static void *
cache_open(void *arg)
{
	cache_start *cs = arg;

	cs->cache = nb_cache_open(cs->path, cs->fresh);
	return NULL;
}

/* One build at a time for each output: two pushes close together would
 * otherwise update the same copy of the site, and the caches beside it,
 * at once.  The lock is OUTPUT.nb-lock (left in place: removing a lock
 * file races with the next taker), held until the process lets it go.
 * Returns the descriptor, or -1 when the lock file cannot be made (the
 * build then goes on: a read-only place fails later, with a clear
 * error). */
static int
lock_output(const char *output, int quiet)
{
	size_t n = strlen(output) + 16;
	char *path = nb_xmalloc(n);
	int fd;

	snprintf(path, n, "%s.nb-lock", output);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	free(path);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (!quiet)
			fprintf(stderr, "noticeboard: waiting for another build "
				"of %s to finish\n", output);
		while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
			;
	}
	return fd;
}

int
nb_build(const nb_build_opts *opts, nb_build_stats *stats, nb_diags *d)
{
	nb_source *src = NULL, *share = NULL;
	nb_cache *cache = NULL;
	int lock = -1, git_init = 0;
	char *hist_cache = NULL;
	nb_history_job *hist = NULL;
	nb_load_opts lo;
	history_start hs = { NULL, NULL, NULL };
	nb_model *m = NULL;
	nb_derived *dv;
	nb_out *o = NULL;
	nb_date today;
	struct stat st;
	struct timespec t;
	out_start os;
	cache_start co = { NULL, 0, NULL };
	nb_ical_loader ical = { .started = 0 };
	pthread_t out_tid, cache_tid;
	int cache_thread = 0;
	int out_thread = 0, out_started = 0;
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	memset(&os, 0, sizeof(os));
	/* libical (for the feeds and repeating events) loads on the core
	 * that is free while git starts */
	nb_ical_preload(&ical);
	if (!opts->check_only)
		lock = lock_output(opts->output, opts->quiet);
	clock_gettime(CLOCK_MONOTONIC, &t);
	/* files parsed by the last build, by blob id (cache.h): from git
	 * always; from a folder (ids worked out from the bytes) once the
	 * output holds a site, so that a one-off build into an empty place
	 * (CI's, the benchmark's) writes none.  Opened (its 40 MB mapped, at
	 * 10,000 consultations) in a thread while git starts and the
	 * repository is opened, and libical loads: work for two cores. */
	if ((opts->repo || lstat(opts->output, &st) == 0) &&
	    !opts->check_only && !opts->dry) {
		size_t n = strlen(opts->output) + 16;
		co.path = nb_xmalloc(n);
		snprintf(co.path, n, "%s.nb-cache", opts->output);
		co.fresh = opts->full;
		cache_thread = pthread_create(&cache_tid, NULL, cache_open,
					      &co) == 0;
		if (!cache_thread)
			cache_open(&co);
		if (!opts->repo) {
			nb_git_init();   /* for nb_git_hash_blob */
			git_init = 1;
		}
	}
	if (opts->repo) {
		if (nb_source_open_git(&src, opts->repo, opts->ref, d) != 0)
			goto done;
	} else {
		if (nb_source_open_dir(&src, opts->source, d) != 0)
			goto done;
		if (opts->history != 0 && nb_source_attach_history(src, d) != 0)
			goto done;
	}
	if (opts->share && stat(opts->share, &st) == 0 && S_ISDIR(st.st_mode) &&
	    nb_source_open_dir(&share, opts->share, d) != 0)
		goto done;
	if (cache_thread)
		pthread_join(cache_tid, NULL);
	cache_thread = 0;
	cache = co.cache;
	co.cache = NULL;
	/* loaded by now: the site's time zone is about to be set */
	nb_ical_preload_join(&ical);
	if (!opts->check_only && !opts->dry) {
		/* the last build's history walk (git.h); --full walks it all
		 * and saves it afresh */
		size_t n = strlen(opts->output) + 16;
		hist_cache = nb_xmalloc(n);
		snprintf(hist_cache, n, "%s.nb-history", opts->output);
		if (opts->full)
			unlink(hist_cache);
	}
	/* the history is walked while the records are read (from when the
	 * site's time zone is set: nothing changes the environment then) */
	memset(&lo, 0, sizeof(lo));
	lo.jobs = opts->jobs;
	lo.cache = cache;
	if (opts->history != 0 && nb_source_git(src)) {
		hs.git = nb_source_git(src);
		hs.cache = hist_cache;
		hs.job = NULL;
		lo.site_read = start_history;
		lo.ud = &hs;
	}
	if (nb_model_load_with(&m, src, &lo, d) != 0) {
		hist = hs.job;   /* waited for and freed at done */
		goto done;
	}
	hist = hs.job;
	stats->parsed_before = nb_cache_hits(cache);
	stats->read_waits = nb_source_waits(src);
	lap(stats, NB_STAGE_READ, &t);
	if (hist) {
		int hrc = nb_history_finish(hist, m, d);
		hist = NULL;
		if (hrc != 0)
			goto done;
	}
	nb_sig_prepare(m);
	lap(stats, NB_STAGE_HISTORY, &t);
	if (!opts->check_only) {
		os.opts = opts;
		os.a = nb_arena_new();
		out_thread = pthread_create(&out_tid, NULL, start_output,
					    &os) == 0;
		if (!out_thread)
			start_output(&os);
		out_started = 1;
	}

	/* the site's zone is set by now: "today" is local to it */
	if (opts->has_today)
		today = opts->today;
	else
		today = nb_tz_from_utc(opts->now, NULL).date;
	dv = nb_derive(m, today);
	stats->consultations = m->consultations.len;
	stats->events = m->all_events.len;
	stats->outcomes = m->outcomes.len;
	stats->areas = m->areas.len;
	{
		/* the reports while the output is made ready (its thread
		 * takes about as long as derive): then both cores work */
		reports_start rs = { m, dv };
		pthread_t rt;
		int started = out_thread &&
			      pthread_create(&rt, NULL, reports_run, &rs) == 0;
		if (out_thread)
			pthread_join(out_tid, NULL);
		out_thread = 0;
		if (started)
			pthread_join(rt, NULL);
		else
			reports_run(&rs);
	}
	lap(stats, NB_STAGE_DERIVE, &t);
	if (opts->check_only) {
		rc = 0;
		goto done;
	}

	{
		size_t i;
		for (i = 0; i < os.d.len; i++) {
			const nb_diag *g = &os.d.items[i];
			nb_diag_add(d, g->sev, g->path, g->line, g->col, g->hint,
				    "%s", g->msg);
		}
	}
	if (os.rc != 0)
		goto done;
	o = os.o;
	os.o = NULL;
	if (opts->dry)
		nb_out_dry(o);
	nb_out_unseal(o);
	{
		/* calendar SEQUENCE numbers from the site being replaced, and
		 * what its outputs depended on */
		nb_render_stats rs = { 0, 0 };
		rc = nb_render_site(m, dv, src, share, &os.seqs, opts->jobs, o,
				    &rs, d);
		stats->data_reused = rs.data_reused;
		stats->items_reused = rs.items_reused;
		stats->reused = nb_out_reused(o);
		if (rc != 0) {
			rc = -1;
			goto done;
		}
		rc = -1;
	}
	stats->files = nb_out_files(o);
	stats->bytes = nb_out_bytes(o);
	lap(stats, NB_STAGE_RENDER, &t);
	{
		teardown td = { m, cache };
		pthread_t tt;
		int started = pthread_create(&tt, NULL, teardown_run, &td) == 0;
		m = NULL;   /* the thread's now */
		cache = NULL;
		if (!started)
			teardown_run(&td);
		rc = nb_out_commit(o, d);
		o = NULL;
		if (started)
			pthread_join(tt, NULL);
	}
	lap(stats, NB_STAGE_PUBLISH, &t);
done:
	if (cache_thread)
		pthread_join(cache_tid, NULL);
	nb_cache_free(co.cache);   /* opened, not used: the build failed */
	free(co.path);
	if (out_thread)
		pthread_join(out_tid, NULL);
	if (out_started) {
		nb_out_abort(os.o);
		nb_map_free(&os.seqs.by_uid);
		nb_diags_free(&os.d);
		nb_arena_free(os.a);
	}
	nb_history_abort(hist);
	free(hist_cache);
	nb_out_abort(o);
	nb_model_free(m);
	nb_cache_free(cache);   /* after the model: its records point in */
	if (git_init)
		nb_git_shutdown();
	nb_source_free(share);
	nb_source_free(src);
	if (lock >= 0)
		close(lock);   /* and the lock with it */
	nb_ical_preload_join(&ical);
	return rc;
}
