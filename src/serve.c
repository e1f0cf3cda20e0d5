/*
 * serve.c - the preview server: build, serve, watch, rebuild.
 *
 * The only file that calls libmicrohttpd, which it loads when a preview
 * starts (dlopen): every other command is spared loading it and GnuTLS
 * with its eight libraries (about 5 ms of each start, on the machine of
 * docs/performance.md).  Requests are answered by the library's own
 * thread; builds run in the caller's thread, which waits on
 * inotify for changes.  The two share the output folder (which nb_build
 * replaces whole, by renaming) and the error page of a failed build (under
 * a mutex).  Files are served from the output folder by descriptor, so a
 * page being sent is not affected by a rebuild that replaces it.
 */
#include "serve.h"
#include "arena.h"
#include "buf.h"
#include "write.h"

#include <dlfcn.h>
#include <microhttpd.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- libmicrohttpd, loaded when a preview starts ------------------------------ */

#ifndef NB_MHD_LIBRARY
#define NB_MHD_LIBRARY "libmicrohttpd.so.12"
#endif

const char *nb_serve_library = NB_MHD_LIBRARY;

static struct {
	struct MHD_Daemon *(*start_daemon)(unsigned int, uint16_t,
					   MHD_AcceptPolicyCallback, void *,
					   MHD_AccessHandlerCallback, void *, ...);
	void (*stop_daemon)(struct MHD_Daemon *);
	const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *,
						       enum MHD_DaemonInfoType, ...);
	struct MHD_Response *(*create_response_from_buffer)(size_t, void *,
							   enum MHD_ResponseMemoryMode);
	struct MHD_Response *(*create_response_from_fd)(size_t, int);
	enum MHD_Result (*add_response_header)(struct MHD_Response *,
					       const char *, const char *);
	enum MHD_Result (*queue_response)(struct MHD_Connection *, unsigned int,
					  struct MHD_Response *);
	void (*destroy_response)(struct MHD_Response *);
} mhd_fn;

/* The calls below go through the table. */
#define MHD_start_daemon (*mhd_fn.start_daemon)
#define MHD_stop_daemon (*mhd_fn.stop_daemon)
#define MHD_get_daemon_info (*mhd_fn.get_daemon_info)
#define MHD_create_response_from_buffer (*mhd_fn.create_response_from_buffer)
#define MHD_create_response_from_fd (*mhd_fn.create_response_from_fd)
#define MHD_add_response_header (*mhd_fn.add_response_header)
#define MHD_queue_response (*mhd_fn.queue_response)
#define MHD_destroy_response (*mhd_fn.destroy_response)

/* Load it (once: it stays for the process).  0, or -1 with an error. */
static int
mhd_load(nb_diags *d)
{
	static void *lib;
	static const char *const names[] = {
		"MHD_start_daemon", "MHD_stop_daemon", "MHD_get_daemon_info",
		"MHD_create_response_from_buffer", "MHD_create_response_from_fd",
		"MHD_add_response_header", "MHD_queue_response",
		"MHD_destroy_response",
	};
	void *f[sizeof(names) / sizeof(names[0])];
	size_t i;

	if (lib)
		return 0;
	lib = dlopen(nb_serve_library, RTLD_NOW | RTLD_LOCAL);
	for (i = 0; lib && i < sizeof(names) / sizeof(names[0]); i++)
		if (!(f[i] = dlsym(lib, names[i]))) {
			dlclose(lib);
			lib = NULL;
		}
	if (!lib) {
		const char *why = dlerror();
		return nb_error(d, NULL, 0, 0,
			"install Debian's libmicrohttpd12 package (scripts/deps.sh does)",
			"cannot load the web server library %s: %s",
			nb_serve_library, why ? why : "a function is missing");
	}
	/* POSIX: a function's address may be taken from dlsym's void * */
	memcpy(&mhd_fn.start_daemon, &f[0], sizeof(f[0]));
	memcpy(&mhd_fn.stop_daemon, &f[1], sizeof(f[1]));
	memcpy(&mhd_fn.get_daemon_info, &f[2], sizeof(f[2]));
	memcpy(&mhd_fn.create_response_from_buffer, &f[3], sizeof(f[3]));
	memcpy(&mhd_fn.create_response_from_fd, &f[4], sizeof(f[4]));
	memcpy(&mhd_fn.add_response_header, &f[5], sizeof(f[5]));
	memcpy(&mhd_fn.queue_response, &f[6], sizeof(f[6]));
	memcpy(&mhd_fn.destroy_response, &f[7], sizeof(f[7]));
	return 0;
}

#define QUIET_MS 150        /* rebuild once files have been quiet this long */
#define MAX_DEPTH 32        /* folders watched below the site's root */

typedef struct watch {
	int wd;
	char *rel;              /* "" for the root, "content/areas", ... */
} watch;

typedef struct server {
	const nb_serve_opts *o;
	char tmp[4096];         /* private folder */
	char out[4200];         /* tmp/site: the built site */
	pthread_mutex_t lock;
	char *error_page;       /* set while the last build failed */
	char startup_error[512];
	int ino;
	watch *watches;
	size_t nwatches, cap;
} server;

/* ---- the error page ------------------------------------------------------ */

static char *
error_page(const nb_diags *d)
{
	nb_buf b = NB_BUF_INIT;
	size_t i;

	nb_buf_puts(&b,
"<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
"<meta http-equiv=\"refresh\" content=\"2\">\n"
"<title>The site could not be built - Noticeboard preview</title>\n"
"<style>body{font-family:system-ui,sans-serif;line-height:1.5;margin:2rem;"
"max-width:60rem;color:#0b0c0c}pre{white-space:pre-wrap;margin:0;"
"font-size:1rem}li{background:#f3f2f1;border-left:5px solid #d4351c;"
"padding:.75rem 1rem;margin-bottom:1rem}</style>\n</head>\n<body>\n<main>\n"
"<h1>The site could not be built</h1>\n");
	nb_buf_printf(&b, "<p>Noticeboard found %zu %s. Fix %s and save the file: "
		      "this page checks again every 2 seconds and shows the "
		      "site as soon as it builds.</p>\n<ol>\n", d->errors,
		      d->errors == 1 ? "error" : "errors",
		      d->errors == 1 ? "it" : "them");
	for (i = 0; i < d->len; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *mem;

		if (d->items[i].sev != NB_SEV_ERROR)
			continue;
		mem = open_memstream(&text, &len);
		if (!mem)
			nb_oom();
		nb_diag_print(mem, &d->items[i]);
		fclose(mem);
		nb_buf_puts(&b, "<li><pre>");
		nb_buf_put_html(&b, text, len);
		nb_buf_puts(&b, "</pre></li>\n");
		free(text);
	}
	nb_buf_puts(&b, "</ol>\n</main>\n</body>\n</html>\n");
	return nb_buf_detach(&b);
}

/* ---- answering requests ---------------------------------------------------- */

static const char *
content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".htm", "text/html; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" },
		{ ".gif", "image/gif" },
		{ ".webp", "image/webp" },
		{ ".ico", "image/x-icon" },
		{ ".ics", "text/calendar; charset=utf-8" },
		{ ".atom", "application/atom+xml; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".csv", "text/csv; charset=utf-8" },
		{ ".xml", "application/xml; charset=utf-8" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".pdf", "application/pdf" },
		{ ".woff2", "font/woff2" },
	};
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	size_t i;

	if (dot && (!slash || dot > slash))
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

static enum MHD_Result
send_text(struct MHD_Connection *conn, unsigned status, const char *type,
	  const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Send an open file; the response owns fd from here. */
static enum MHD_Result
send_fd(struct MHD_Connection *conn, unsigned status, int fd, off_t size,
	const char *path)
{
	struct MHD_Response *r = MHD_create_response_from_fd((size_t)size, fd);
	enum MHD_Result ret;

	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				content_type(path));
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Whether a decoded URL path is safe to map onto the output folder: it
 * starts with '/' and has no "." or ".." parts and no backslashes. */
static int
path_safe(const char *url)
{
	const char *p = url;

	if (url[0] != '/' || strchr(url, '\\'))
		return 0;
	while (*p) {
		size_t n;
		p++;                        /* past the slash */
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
	}
	return 1;
}

static enum MHD_Result
send_not_found(server *s, struct MHD_Connection *conn)
{
	char path[4300];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/404.html", s->out);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return send_fd(conn, MHD_HTTP_NOT_FOUND, fd, st.st_size, path);
	if (fd >= 0)
		close(fd);
	return send_text(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
			 "Page not found.\n");
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url,
       const char *method, const char *version, const char *upload_data,
       size_t *upload_data_size, void **con_cls)
{
	server *s = cls;
	char path[8192], *page = NULL;
	struct stat st;
	size_t n;
	int fd;

	(void)version;
	(void)upload_data;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		*upload_data_size = 0;
		return send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				 "text/plain; charset=utf-8",
				 "The preview only answers GET and HEAD.\n");
	}
	pthread_mutex_lock(&s->lock);
	if (s->error_page)
		page = nb_xstrdup(s->error_page);
	pthread_mutex_unlock(&s->lock);
	if (page) {
		enum MHD_Result ret = send_text(conn,
			MHD_HTTP_INTERNAL_SERVER_ERROR,
			"text/html; charset=utf-8", page);
		free(page);
		return ret;
	}
	if (!path_safe(url))
		return send_text(conn, MHD_HTTP_BAD_REQUEST,
				 "text/plain; charset=utf-8",
				 "Bad request: the address has \".\" or \"..\" in it.\n");
	n = strlen(url);
	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", s->out, url,
			     url[n - 1] == '/' ? "index.html" : "") >= sizeof(path))
		return send_not_found(s, conn);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return send_not_found(s, conn);
	}
	if (S_ISDIR(st.st_mode)) {
		/* a folder without its slash: where its index.html is */
		struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL,
			MHD_RESPMEM_PERSISTENT);
		char *loc = nb_xmalloc(n + 2);
		enum MHD_Result ret;

		close(fd);
		if (!r) {
			free(loc);
			return MHD_NO;
		}
		snprintf(loc, n + 2, "%s/", url);
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, loc);
		ret = MHD_queue_response(conn, MHD_HTTP_MOVED_PERMANENTLY, r);
		MHD_destroy_response(r);
		free(loc);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return send_not_found(s, conn);
	}
	return send_fd(conn, MHD_HTTP_OK, fd, st.st_size, path);
}

/* libmicrohttpd's own messages: kept for a failure to start. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	server *s = cls;

	vsnprintf(s->startup_error, sizeof(s->startup_error), fmt, ap);
	s->startup_error[strcspn(s->startup_error, "\n")] = '\0';
}

/* ---- building -------------------------------------------------------------- */

static void
rebuild(server *s, const char *url)
{
	nb_build_opts bo = s->o->build;
	nb_build_stats st;
	nb_diags d = NB_DIAGS_INIT;
	char *page = NULL, *old;
	int rc;

	bo.output = s->out;
	bo.check_only = 0;
	if (s->o->use_clock)
		bo.now = (int64_t)time(NULL);
	rc = nb_build(&bo, &st, &d);
	nb_diags_sort(&d);
	if (rc != 0)
		page = error_page(&d);
	pthread_mutex_lock(&s->lock);
	old = s->error_page;
	s->error_page = page;
	pthread_mutex_unlock(&s->lock);
	free(old);
	if (s->o->report)
		s->o->report(s->o->report_ud, rc ? NB_SERVE_FAILED : NB_SERVE_BUILT,
			     url, &st, &d);
	nb_diags_free(&d);
}

/* ---- watching ------------------------------------------------------------- */

static const uint32_t WATCH_MASK = IN_CREATE | IN_DELETE | IN_MODIFY |
	IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |
	IN_DELETE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW;

static const char *const top_dirs[] = { "content", "layouts", "themes",
					"static", NULL };

static int
is_top_dir(const char *name)
{
	size_t i;

	for (i = 0; top_dirs[i]; i++)
		if (strcmp(name, top_dirs[i]) == 0)
			return 1;
	return 0;
}

static void
add_watch(server *s, const char *rel)
{
	char full[8192];
	size_t i;
	int wd;

	snprintf(full, sizeof(full), "%s%s%s", s->o->build.source,
		 *rel ? "/" : "", rel);
	wd = inotify_add_watch(s->ino, full, WATCH_MASK);
	if (wd < 0)
		return;     /* gone already, or too many watches: no preview of it */
	for (i = 0; i < s->nwatches; i++) {
		if (s->watches[i].wd == wd) {
			free(s->watches[i].rel);
			s->watches[i].rel = nb_xstrdup(rel);
			return;
		}
	}
	if (s->nwatches == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->watches = nb_xrealloc(s->watches, s->cap * sizeof(watch));
	}
	s->watches[s->nwatches].wd = wd;
	s->watches[s->nwatches].rel = nb_xstrdup(rel);
	s->nwatches++;
}

/* Watch a folder and every folder inside it (symbolic links are not
 * followed; depth is limited). */
static void
add_tree(server *s, const char *rel, int depth)
{
	char full[8192];
	struct dirent *de;
	DIR *dp;

	if (depth > MAX_DEPTH)
		return;
	add_watch(s, rel);
	snprintf(full, sizeof(full), "%s/%s", s->o->build.source, rel);
	dp = opendir(full);
	if (!dp)
		return;
	while ((de = readdir(dp)) != NULL) {
		char child[8192], cfull[8192 + 256];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", rel, de->d_name);
		snprintf(cfull, sizeof(cfull), "%s/%s", full, de->d_name);
		if (lstat(cfull, &st) == 0 && S_ISDIR(st.st_mode))
			add_tree(s, child, depth + 1);
	}
	closedir(dp);
}

static const char *
watch_rel(server *s, int wd)
{
	size_t i;

	for (i = 0; i < s->nwatches; i++)
		if (s->watches[i].wd == wd)
			return s->watches[i].rel;
	return NULL;
}

static void
drop_watch(server *s, int wd)
{
	size_t i;

	for (i = 0; i < s->nwatches; i++) {
		if (s->watches[i].wd == wd) {
			free(s->watches[i].rel);
			s->watches[i] = s->watches[--s->nwatches];
			return;
		}
	}
}

/* Editors' temporary and backup files do not change the site. */
static int
ignored_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' || (n && name[n - 1] == '~') ||
	       (n > 4 && (strcmp(name + n - 4, ".swp") == 0 ||
			  strcmp(name + n - 4, ".swx") == 0)) ||
	       strcmp(name, "4913") == 0;
}

/* Read pending inotify events; returns 1 when the site may have changed. */
static int
read_events(server *s)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	ssize_t len;

	while ((len = read(s->ino, buf, sizeof(buf))) > 0) {
		char *p = buf;
		while (p < buf + len) {
			struct inotify_event *ev = (struct inotify_event *)p;
			const char *rel = watch_rel(s, ev->wd);
			const char *name = ev->len ? ev->name : "";

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				changed = 1;
				continue;
			}
			if (ev->mask & IN_IGNORED) {
				drop_watch(s, ev->wd);
				continue;
			}
			if (!rel || (ev->len && ignored_name(name)))
				continue;
			if (!*rel && !(strcmp(name, "site.yaml") == 0 ||
				       is_top_dir(name)))
				continue;   /* other files beside the site */
			changed = 1;
			if ((ev->mask & IN_ISDIR) &&
			    (ev->mask & (IN_CREATE | IN_MOVED_TO)) && ev->len) {
				char child[8192];
				snprintf(child, sizeof(child), "%s%s%s", rel,
					 *rel ? "/" : "", name);
				add_tree(s, child, 1);
			}
		}
	}
	return changed;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the server -------------------------------------------------------------- */

int
nb_serve(const nb_serve_opts *o, nb_diags *d)
{
	server s;
	struct MHD_Daemon *mhd = NULL;
	struct sockaddr_in addr;
	const union MHD_DaemonInfo *info;
	sigset_t block, old;
	const char *tmp = getenv("TMPDIR");
	char url[64];
	int64_t due = 0;
	size_t i;
	int rc = -1, pending = 0;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.ino = -1;
	pthread_mutex_init(&s.lock, NULL);
	if (mhd_load(d) != 0)
		goto done;
	if ((size_t)snprintf(s.tmp, sizeof(s.tmp), "%s/noticeboard-serve-XXXXXX",
			     tmp && *tmp ? tmp : "/tmp") >= sizeof(s.tmp) ||
	    !mkdtemp(s.tmp)) {
		nb_error(d, NULL, 0, 0, "set TMPDIR to a folder you can write to",
			 "cannot make a temporary folder for the preview: %s",
			 strerror(errno));
		s.tmp[0] = '\0';
		goto done;
	}
	snprintf(s.out, sizeof(s.out), "%s/site", s.tmp);

	s.ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s.ino < 0) {
		nb_error(d, NULL, 0, 0, NULL,
			 "cannot watch the site's files for changes: %s",
			 strerror(errno));
		goto done;
	}
	add_watch(&s, "");
	for (i = 0; top_dirs[i]; i++) {
		char full[8192];
		struct stat st;
		snprintf(full, sizeof(full), "%s/%s", o->build.source, top_dirs[i]);
		if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode))
			add_tree(&s, top_dirs[i], 1);
	}

	/* the server's threads must leave SIGINT and SIGTERM to this one */
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)o->port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	mhd = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG,
		0, NULL, NULL, handle, &s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &s,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!mhd) {
		char port[32];
		snprintf(port, sizeof(port), "%d", o->port);
		nb_error(d, NULL, 0, 0,
			 "another program may be using the port: try another one with --port",
			 "cannot serve on 127.0.0.1:%s%s%s", port,
			 s.startup_error[0] ? ": " : "", s.startup_error);
		goto done;
	}
	info = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/",
		 info ? (unsigned)info->port : (unsigned)o->port);

	rebuild(&s, url);
	if (o->report)
		o->report(o->report_ud, NB_SERVE_READY, url, NULL, NULL);

	while (!*o->stop) {
		struct pollfd pfd = { s.ino, POLLIN, 0 };
		int timeout = 500;

		if (pending) {
			int64_t left = due - now_ms();
			timeout = left > 0 ? (int)left : 0;
		}
		if (poll(&pfd, 1, timeout) > 0 && read_events(&s)) {
			pending = 1;
			due = now_ms() + QUIET_MS;
		}
		if (pending && now_ms() >= due && !*o->stop) {
			pending = 0;
			rebuild(&s, url);
		}
	}
	rc = 0;
done:
	if (mhd)
		MHD_stop_daemon(mhd);
	if (s.ino >= 0)
		close(s.ino);
	for (i = 0; i < s.nwatches; i++)
		free(s.watches[i].rel);
	free(s.watches);
	free(s.error_page);
	if (s.tmp[0])
		nb_rmtree(s.tmp);
	pthread_mutex_destroy(&s.lock);
	return rc;
}
