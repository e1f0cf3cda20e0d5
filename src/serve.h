/*
 * serve.h - `noticeboard serve`: a preview of the site on this computer.
 *
 * The site is built into a private temporary folder and served over HTTP
 * on 127.0.0.1 only (libmicrohttpd).  The source is watched (inotify):
 * site.yaml, content/, layouts/, themes/ and static/, with new folders
 * watched as they appear; a change rebuilds the site once the files have
 * been quiet for a moment.  While the last build failed, every request gets
 * a page listing its errors (status 500), and the errors are reported to
 * the caller too, so the officer sees them in the terminal and in the
 * browser.  Nothing is printed here: the caller's report function does.
 */
#ifndef NB_SERVE_H
#define NB_SERVE_H

#include <signal.h>

#include "build.h"
#include "diag.h"

#define NB_SERVE_PORT 8000

typedef enum {
	NB_SERVE_READY,      /* listening: url is set (after the first build) */
	NB_SERVE_BUILT,      /* a build succeeded: stats, and warnings in d */
	NB_SERVE_FAILED      /* a build failed: its errors are in d */
} nb_serve_event;

/* Called from the thread that called nb_serve, never from the server's
 * threads.  `url`, `stats` and `d` are valid only during the call. */
typedef void (*nb_serve_report)(void *ud, nb_serve_event ev, const char *url,
				const nb_build_stats *stats, const nb_diags *d);

typedef struct nb_serve_opts {
	nb_build_opts build;     /* source, share and date (output ignored) */
	int use_clock;           /* date each build with the time it starts */
	int port;                /* on 127.0.0.1; 0 for any free port */
	const volatile sig_atomic_t *stop;  /* non-zero: stop serving */
	nb_serve_report report;
	void *report_ud;
} nb_serve_opts;

/*
 * Build, serve and rebuild until *stop becomes non-zero (a signal handler
 * sets it), then stop the server and remove the temporary folder.
 * Returns 0, or -1 with an error in d when the server cannot start.
 */
int nb_serve(const nb_serve_opts *o, nb_diags *d);

/* The libmicrohttpd nb_serve loads (its soname, found when Noticeboard
 * was built); tests point it elsewhere. */
extern const char *nb_serve_library;

#endif
