/*
 * build.h - one build, start to finish: read, model, derive, render, write.
 */
#ifndef NB_BUILD_H
#define NB_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "diag.h"

typedef struct nb_build_opts {
	const char *source;       /* the site folder (site.yaml, content/) */
	const char *repo;         /* or: a git repository, built at `ref` */
	const char *ref;          /* NULL: HEAD */
	int history;              /* 1 use git history, 0 not, -1 when there
				   * is a repository (the default) */
	const char *output;       /* where the site goes; replaced whole */
	const char *share;        /* installed share folder, or NULL */
	int has_today;            /* 1: use `today` as the date */
	nb_date today;
	int64_t now;              /* otherwise: this time (seconds, UTC) */
	int check_only;           /* validate; write nothing */
	int full;                 /* render everything, even what the last
				   * build's manifest says is unchanged */
	int jobs;                 /* render threads; 0: one for each core */
	int quiet;                /* say nothing on stderr (waiting for the
				   * output's lock) */
	int dry;                  /* render everything but write only the
				   * list of files (check: nb_out_dry) */
} nb_build_opts;

/* The stages of a build, timed for `build --timings`. */
enum {
	NB_STAGE_READ,            /* records read and checked (model.c) */
	NB_STAGE_HISTORY,         /* dates and changes from git (history.c) */
	NB_STAGE_DERIVE,          /* statuses, roll-ups, calendar, reports */
	NB_STAGE_RENDER,          /* pages, feeds and data rendered and written */
	NB_STAGE_PUBLISH,         /* the new site swapped in (write.c) */
	NB_STAGE_COUNT
};

extern const char *const nb_stage_names[NB_STAGE_COUNT];

typedef struct nb_build_stats {
	double seconds[NB_STAGE_COUNT];   /* wall time of each stage */
	size_t files, bytes;
	size_t reused;            /* taken unchanged from the last build */
	size_t parsed_before;     /* record files taken from the cache */
	size_t read_waits;        /* files read from the disk, not memory */
	size_t data_reused;       /* open data records copied, not made */
	size_t items_reused;      /* calendar items copied, not made */
	size_t consultations, events, outcomes, areas;
} nb_build_stats;

/* Returns 0, or -1 with errors in d (and the output left as it was). */
int nb_build(const nb_build_opts *opts, nb_build_stats *stats, nb_diags *d);

#endif
