/*
 * main.c - the noticeboard command: arguments, exit codes, messages.
 * (It is built as noticeboard-engine; launch.c is what `noticeboard`
 * runs, and it starts this.)
 *
 * Commands: build, check, new, serve (and help, --help, --version).
 * Exit codes: 0 success; 1 the site has errors, or something could not be
 * written or started; 2 the command line is wrong.  Only this file prints
 * diagnostics or decides to exit.
 */
#include "arena.h"
#include "build.h"
#include "check.h"
#include "diag.h"
#include "scaffold.h"
#include "serve.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef NB_VERSION
#define NB_VERSION "0.0.0"
#endif
#ifndef NB_SHAREDIR
#define NB_SHAREDIR "/usr/local/share/noticeboard"
#endif

#define EXIT_CONTENT 1
#define EXIT_USAGE 2

/* ---- help ------------------------------------------------------------------- */

static const char usage_text[] =
"Usage: noticeboard COMMAND [OPTIONS]\n"
"\n"
"Build an engagement calendar website from Markdown and YAML records.\n"
"\n"
"Commands:\n"
"  build     check the records and write the website\n"
"  check     report errors, and warnings from the engagement standards;\n"
"            write nothing\n"
"  new       start a record: noticeboard new consultation \"Title\"\n"
"  serve     preview the site at http://127.0.0.1:8000/, rebuilt when\n"
"            files change\n"
"  help      show help for a command: noticeboard help check\n"
"\n"
"Options every command takes:\n"
"  --source DIR      the site folder, holding site.yaml and content/\n"
"                    (default: the current folder)\n"
"  --now YYYY-MM-DD  act as if today were this date (default: today,\n"
"                    or SOURCE_DATE_EPOCH when it is set)\n"
"  --quiet           print only errors and warnings\n"
"  --help            show help\n"
"  --version         show the version\n"
"\n"
"Exit status: 0 success; 1 the records have errors, or something could\n"
"not be written or started; 2 the command line is wrong.\n"
"\n"
"Errors are printed as file:line:column: error: message, with a hint.\n"
"See 'man noticeboard' and docs/officers-guide.md.\n";

static const char build_text[] =
"Usage: noticeboard build [--source DIR | --repo PATH] [--ref REF]\n"
"                         [--output DIR] [--now YYYY-MM-DD] [--full]\n"
"                         [--jobs N] [--no-history] [--timings] [--quiet]\n"
"\n"
"Check the records and write the website.\n"
"\n"
"  --source DIR      the site folder (default: the current folder)\n"
"  --repo PATH       build straight from the git repository at PATH (bare\n"
"                    ones too; no checkout needed), at --ref or HEAD\n"
"  --ref REF         build the records of this branch, tag or commit of the\n"
"                    git repository at --repo or --source, not the files in\n"
"                    the folder\n"
"  --output DIR      where to write the website (default: public);\n"
"                    replaced whole, and only when the build succeeds;\n"
"                    pages whose records, templates and settings have not\n"
"                    changed since the last build there are kept as they are\n"
"  --full            render every page, even unchanged ones, and use none of\n"
"                    the last build's caches (OUTPUT.nb-cache, OUTPUT.nb-history)\n"
"  --jobs N          render in N threads (default: one for each core); the\n"
"                    website is the same whatever N is\n"
"  --now YYYY-MM-DD  build as if today were this date (statuses such as\n"
"                    open, closing soon and feedback overdue depend on it)\n"
"  --no-history      do not date pages from the git history\n"
"  --timings         print how long each stage took (read, history, derive,\n"
"                    render, publish), what came from the last build and\n"
"                    the memory used\n"
"  --quiet           print only errors and warnings\n"
"\n"
"Exit status: 0 the site was written; 1 the records have errors (nothing\n"
"was written); 2 the command line is wrong.\n";

static const char check_text[] =
"Usage: noticeboard check [--source DIR] [--ref REF] [--now YYYY-MM-DD]\n"
"                         [--strict] [--format text|json] [--min-days N]\n"
"                         [--no-history] [--quiet]\n"
"\n"
"Find every error the build would find, without writing the website, and\n"
"warn about what the engagement standards ask of an activity:\n"
"  - consultation fatigue: two activities on the same topic, in the same\n"
"    area (or areas inside one another), open at the same time;\n"
"  - an activity at the consult level or above with no feedback_by;\n"
"  - feedback overdue: feedback_by has passed and no outcome is published;\n"
"  - an activity open for fewer than --min-days days;\n"
"  - an event venue with no access information;\n"
"  - links to pages of the site that do not exist;\n"
"  - TODO placeholders left by 'noticeboard new'.\n"
"\n"
"  --source DIR      the site folder (default: the current folder)\n"
"  --ref REF         check the records of this branch, tag or commit of the\n"
"                    git repository at --source\n"
"  --now YYYY-MM-DD  check as if today were this date\n"
"  --strict          treat warnings as errors (exit status 1)\n"
"  --format json     print a JSON array of {file, line, column, severity,\n"
"                    message, hint} on standard output, for CI annotations\n"
"                    (default: text, as file:line:column: warning: ...)\n"
"  --min-days N      warn when an activity is open for fewer than N days\n"
"                    (default: 28, four weeks; 0 turns this off)\n"
"  --no-history      do not read the git history\n"
"  --quiet           print only errors and warnings\n"
"\n"
"Exit status: 0 no errors (warnings do not count unless --strict);\n"
"1 errors; 2 the command line is wrong.\n";

static const char new_text[] =
"Usage: noticeboard new KIND \"Title\" [--id ID] [--source DIR]\n"
"                       [--now YYYY-MM-DD] [--quiet]\n"
"\n"
"Start a record, with every field and notes on how to fill it in.\n"
"KIND is consultation, event, outcome, area or partner.  The file goes in\n"
"content/KINDs/ and is named after the title (\"Café opening hours\" ->\n"
"cafe-opening-hours.md).  Dates start from today: a consultation opens\n"
"today, closes in 12 weeks and promises feedback 8 weeks after that.\n"
"Replace everything marked TODO, then run 'noticeboard check'.\n"
"An existing file is never replaced.\n"
"\n"
"  --id ID           the file name to use, instead of one from the title\n"
"  --source DIR      the site folder (default: the current folder)\n"
"  --now YYYY-MM-DD  start the dates from this day instead of today\n"
"  --quiet           print only the path of the new file\n"
"\n"
"Prints the path of the file it wrote.  Exit status: 0 written; 1 the\n"
"file exists or cannot be written; 2 the command line is wrong.\n";

static const char serve_text[] =
"Usage: noticeboard serve [--source DIR] [--port N] [--now YYYY-MM-DD]\n"
"                         [--no-history] [--quiet]\n"
"\n"
"Preview the site at http://127.0.0.1:8000/ (this computer only).  The\n"
"site is built into a temporary folder and rebuilt whenever site.yaml or a\n"
"file in content/, layouts/, themes/ or static/ changes.  When the build\n"
"fails, the errors are printed here and shown in the browser until they\n"
"are fixed.  Press Ctrl-C to stop.\n"
"\n"
"  --source DIR      the site folder (default: the current folder)\n"
"  --port N          the port to listen on (default: 8000; 0: any free\n"
"                    port, printed when the preview starts)\n"
"  --now YYYY-MM-DD  build as if today were this date (default: the date\n"
"                    of each rebuild)\n"
"  --no-history      do not date pages from the git history\n"
"  --quiet           print only errors and warnings, and the address\n"
"\n"
"Exit status: 0 stopped with Ctrl-C; 1 the preview could not start; 2 the\n"
"command line is wrong.\n";

/* ---- options --------------------------------------------------------------- */

enum {
	OPT_OUTPUT = 1, OPT_STRICT = 2, OPT_FORMAT = 4, OPT_MIN_DAYS = 8,
	OPT_PORT = 16, OPT_ID = 32, OPT_REF = 64, OPT_HISTORY = 128
};

static const struct command {
	const char *name;
	const char *help;
	unsigned opts;        /* besides --source, --now, --quiet, --help */
	int positional;       /* arguments besides options */
} commands[] = {
	{ "build", build_text, OPT_OUTPUT | OPT_REF | OPT_HISTORY, 0 },
	{ "check", check_text, OPT_STRICT | OPT_FORMAT | OPT_MIN_DAYS | OPT_REF |
			       OPT_HISTORY, 0 },
	{ "new", new_text, OPT_ID, 2 },
	{ "serve", serve_text, OPT_PORT | OPT_HISTORY, 0 },
};

typedef struct args {
	const struct command *cmd;
	nb_build_opts b;
	int quiet, strict, json, min_days, port;
	int timings;          /* build: print each stage's time */
	int use_clock;        /* no --now and no SOURCE_DATE_EPOCH */
	const char *id;
	const char *pos[2];
	int npos;
} args;

static int
usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "noticeboard: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'noticeboard %s%s--help' for more information.\n",
		cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

static int
epoch_from_env(int64_t *out)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!s || !*s)
		return 1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno || v < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int
parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* Where the installed themes are: NB_SHAREDIR, or, for a binary run from
 * its build tree, the folder the binary is in. */
static const char *
default_share(char *buf, size_t size)
{
	struct stat st;
	ssize_t n;
	char *slash;

	if (stat(NB_SHAREDIR "/themes", &st) == 0 && S_ISDIR(st.st_mode))
		return NB_SHAREDIR;
	n = readlink("/proc/self/exe", buf, size - 1);
	if (n <= 0)
		return NB_SHAREDIR;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return NB_SHAREDIR;
	*slash = '\0';
	return buf;
}

/*
 * Parse a command's arguments into a.  Returns -1 when they are fine, or
 * the exit status to return now (0 after --help, 2 after a usage error).
 */
static int
parse_args(args *a, const struct command *cmd, int argc, char **argv,
	   char *share_buf, size_t share_size)
{
	const char *share = getenv("NOTICEBOARD_SHARE");
	int i, erc;

	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->b.source = ".";
	a->b.output = "public";
	a->b.share = share && *share ? share : default_share(share_buf, share_size);
	a->b.history = -1;       /* dates from git when the site is a repository */
	a->min_days = NB_CHECK_MIN_OPEN_DAYS;
	a->port = NB_SERVE_PORT;

	for (i = 2; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		char name[32];
		size_t n;

		if (arg[0] != '-' || strcmp(arg, "-") == 0) {
			if (a->npos >= cmd->positional)
				return usage_error(cmd->name, "unexpected argument '%s'", arg);
			a->pos[a->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			while (++i < argc) {
				if (a->npos >= cmd->positional)
					return usage_error(cmd->name,
						"unexpected argument '%s'", argv[i]);
				a->pos[a->npos++] = argv[i];
			}
			break;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			fputs(cmd->help, stdout);
			return 0;
		}
		if (strcmp(arg, "--version") == 0) {
			printf("noticeboard %s\n", NB_VERSION);
			return 0;
		}
		if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
			a->quiet = 1;
			continue;
		}
		if (strcmp(arg, "--strict") == 0 && (cmd->opts & OPT_STRICT)) {
			a->strict = 1;
			continue;
		}
		if (strcmp(arg, "--no-history") == 0 && (cmd->opts & OPT_HISTORY)) {
			a->b.history = 0;
			continue;
		}
		if (strcmp(arg, "--full") == 0 && (cmd->opts & OPT_OUTPUT)) {
			a->b.full = 1;
			continue;
		}
		if (strcmp(arg, "--timings") == 0 && (cmd->opts & OPT_OUTPUT)) {
			a->timings = 1;
			continue;
		}
		/* options with a value: --name VALUE or --name=VALUE */
		eq = strchr(arg, '=');
		n = eq ? (size_t)(eq - arg) : strlen(arg);
		if (n >= sizeof(name))
			return usage_error(cmd->name, "unknown option '%s'", arg);
		memcpy(name, arg, n);
		name[n] = '\0';
		if (!(strcmp(name, "--source") == 0 || strcmp(name, "--now") == 0 ||
		      (strcmp(name, "--output") == 0 && (cmd->opts & OPT_OUTPUT)) ||
		      (strcmp(name, "--jobs") == 0 && (cmd->opts & OPT_OUTPUT)) ||
		      (strcmp(name, "--format") == 0 && (cmd->opts & OPT_FORMAT)) ||
		      (strcmp(name, "--min-days") == 0 && (cmd->opts & OPT_MIN_DAYS)) ||
		      (strcmp(name, "--port") == 0 && (cmd->opts & OPT_PORT)) ||
		      (strcmp(name, "--ref") == 0 && (cmd->opts & OPT_REF)) ||
		      (strcmp(name, "--repo") == 0 && (cmd->opts & OPT_REF)) ||
		      (strcmp(name, "--id") == 0 && (cmd->opts & OPT_ID))))
			return usage_error(cmd->name, "unknown option '%s'", arg);
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return usage_error(cmd->name, "%s needs a value", name);

		if (strcmp(name, "--source") == 0) {
			a->b.source = val;
		} else if (strcmp(name, "--output") == 0) {
			a->b.output = val;
		} else if (strcmp(name, "--jobs") == 0) {
			if (parse_int(val, 1, 64, &a->b.jobs) != 0)
				return usage_error(cmd->name,
					"--jobs needs a number of threads from 1 to 64, not '%s'",
					val);
		} else if (strcmp(name, "--now") == 0) {
			char why[120];
			if (nb_date_parse(&a->b.today, val, strlen(val), why,
					  sizeof(why)) != 0)
				return usage_error(cmd->name,
					"--now needs a real date written YYYY-MM-DD, not '%s'",
					val);
			a->b.has_today = 1;
		} else if (strcmp(name, "--format") == 0) {
			if (strcmp(val, "json") == 0)
				a->json = 1;
			else if (strcmp(val, "text") != 0)
				return usage_error(cmd->name,
					"--format is text or json, not '%s'", val);
		} else if (strcmp(name, "--min-days") == 0) {
			if (parse_int(val, 0, 366, &a->min_days) != 0)
				return usage_error(cmd->name,
					"--min-days needs a number of days from 0 to 366, not '%s'",
					val);
		} else if (strcmp(name, "--port") == 0) {
			if (parse_int(val, 0, 65535, &a->port) != 0)
				return usage_error(cmd->name,
					"--port needs a number from 0 to 65535, not '%s'", val);
		} else if (strcmp(name, "--id") == 0) {
			a->id = val;
		} else if (strcmp(name, "--repo") == 0) {
			a->b.repo = val;
		} else if (strcmp(name, "--ref") == 0) {
			if (!*val)
				return usage_error(cmd->name,
					"--ref needs a branch, tag or commit");
			a->b.ref = val;
		}
	}
	if (a->b.ref && !a->b.repo)  /* the records of that commit of --source */
		a->b.repo = a->b.source;
	if (a->npos < cmd->positional) {
		if (strcmp(cmd->name, "new") == 0)
			return usage_error(cmd->name, a->npos == 0 ?
				"say what to start: noticeboard new consultation \"Title\"%s" :
				"give the record's title in quotes: noticeboard new %s \"Title\"",
				a->npos == 0 ? "" : a->pos[0]);
		return usage_error(cmd->name, "missing arguments");
	}
	if (!a->b.has_today) {
		erc = epoch_from_env(&a->b.now);
		if (erc < 0)
			return usage_error(NULL,
				"SOURCE_DATE_EPOCH must be a number of seconds, not '%s'",
				getenv("SOURCE_DATE_EPOCH"));
		if (erc == 1) {
			a->b.now = (int64_t)time(NULL);
			a->use_clock = 1;
		}
	}
	return -1;
}

/* ---- printing ------------------------------------------------------------- */

static void
print_size(FILE *fp, size_t bytes)
{
	if (bytes >= 1024 * 1024)
		fprintf(fp, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
	else
		fprintf(fp, "%.0f kB", (double)bytes / 1024.0);
}

static void
print_counts(FILE *fp, const nb_build_stats *st)
{
	fprintf(fp, "%zu consultations, %zu events, %zu outcomes and %zu areas",
		st->consultations, st->events, st->outcomes, st->areas);
}

/* A progress line for people watching a terminal; erased when done. */
static int
progress_start(const args *a, const char *what)
{
	if (a->quiet || a->json || !isatty(STDERR_FILENO))
		return 0;
	fprintf(stderr, "%s %s ...", what,
		strcmp(a->b.source, ".") == 0 ? "the site" : a->b.source);
	fflush(stderr);
	return 1;
}

static void
progress_end(int shown)
{
	if (shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* ---- commands --------------------------------------------------------------- */

/* --timings: the peak of memory in use, and what of it is the process's
 * own (anonymous: every page of it new from the kernel) and what is files
 * mapped; from /proc, where there is one. */
static void
print_memory(FILE *f)
{
	FILE *st = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long hwm = 0, anon = 0, file = 0, v;

	if (!st)
		return;
	while (fgets(line, sizeof(line), st)) {
		if (sscanf(line, "VmHWM: %lu", &v) == 1)
			hwm = v;
		else if (sscanf(line, "RssAnon: %lu", &v) == 1)
			anon = v;
		else if (sscanf(line, "RssFile: %lu", &v) == 1)
			file = v;
	}
	fclose(st);
	if (hwm)
		fprintf(f, "noticeboard: memory: peak %.1f MiB; at the end "
			"%.1f MiB anonymous, %.1f MiB of files mapped\n",
			hwm / 1024.0, anon / 1024.0, file / 1024.0);
}

static int
run_build(args *a)
{
	nb_build_stats stats;
	nb_diags d = NB_DIAGS_INIT;
	int rc, shown;

	shown = progress_start(a, "Building");
	a->b.quiet = a->quiet;
	rc = nb_build(&a->b, &stats, &d);
	progress_end(shown);
	nb_diags_sort(&d);
	nb_diags_print(stderr, &d);
	if (rc != 0) {
		fprintf(stderr, "noticeboard: %zu %s; nothing was written to %s\n",
			d.errors, d.errors == 1 ? "error" : "errors", a->b.output);
		nb_diags_free(&d);
		return EXIT_CONTENT;
	}
	if (!a->quiet) {
		printf("Built %zu files (", stats.files);
		print_size(stdout, stats.bytes);
		printf(") in %s from ", a->b.output);
		print_counts(stdout, &stats);
		if (stats.reused)
			printf("; %zu unchanged since the last build",
			       stats.reused);
		printf(".\n");
	}
	if (a->timings) {
		double total = 0;
		int i;
		fprintf(stderr, "noticeboard: timings:");
		for (i = 0; i < NB_STAGE_COUNT; i++) {
			fprintf(stderr, " %s %.3f s,", nb_stage_names[i],
				stats.seconds[i]);
			total += stats.seconds[i];
		}
		fprintf(stderr, " total %.3f s\n", total);
		if (stats.read_waits)
			fprintf(stderr, "noticeboard: %zu files were read "
				"from the disk, not from memory\n",
				stats.read_waits);
		fprintf(stderr, "noticeboard: taken from the last build: %zu "
			"files parsed, %zu open data records, %zu calendar "
			"items, %zu outputs\n", stats.parsed_before,
			stats.data_reused, stats.items_reused, stats.reused);
		print_memory(stderr);
	}
	nb_diags_free(&d);
	return 0;
}

static int
run_check(args *a)
{
	nb_check_opts co;
	nb_build_stats stats;
	nb_diags d = NB_DIAGS_INIT;
	size_t warnings;
	int rc, shown;

	memset(&co, 0, sizeof(co));
	co.build = a->b;
	co.min_open_days = a->min_days;
	shown = progress_start(a, "Checking");
	rc = nb_check(&co, &stats, &d);
	progress_end(shown);
	nb_diags_sort(&d);
	warnings = d.warnings;
	if (a->strict)
		nb_check_strict(&d);
	if (a->json) {
		if (nb_check_print_json(stdout, &d) != 0 || fflush(stdout) != 0) {
			fprintf(stderr, "noticeboard: cannot write the JSON report\n");
			rc = -1;
		}
	} else {
		nb_diags_print(stderr, &d);
	}
	if (rc != 0 || d.errors) {
		if (!a->json) {
			fprintf(stderr, "noticeboard: %zu %s", d.errors,
				d.errors == 1 ? "error" : "errors");
			if (a->strict && warnings)
				fprintf(stderr, " (%zu %s treated as %s: --strict)",
					warnings, warnings == 1 ? "warning" : "warnings",
					warnings == 1 ? "an error" : "errors");
			fputc('\n', stderr);
		}
		nb_diags_free(&d);
		return EXIT_CONTENT;
	}
	if (!a->quiet && !a->json) {
		printf("Checked ");
		print_counts(stdout, &stats);
		if (d.warnings)
			printf(": %zu %s.\n", d.warnings,
			       d.warnings == 1 ? "warning" : "warnings");
		else
			printf(": no problems found.\n");
	}
	nb_diags_free(&d);
	return 0;
}

static int
run_new(args *a)
{
	nb_scaffold_opts so;
	nb_diags d = NB_DIAGS_INIT;
	char *path = NULL;

	memset(&so, 0, sizeof(so));
	if (nb_new_kind_parse(&so.kind, a->pos[0]) != 0)
		return usage_error("new",
			"cannot start a '%s': say consultation, event, outcome, area or partner",
			a->pos[0]);
	if (!*a->pos[1])
		return usage_error("new", "the title is empty");
	so.source = a->b.source;
	so.title = a->pos[1];
	so.id = a->id;
	so.has_today = a->b.has_today;
	so.today = a->b.today;
	so.now = a->b.now;
	if (nb_scaffold_new(&path, &so, &d) != 0) {
		nb_diags_print(stderr, &d);
		nb_diags_free(&d);
		return EXIT_CONTENT;
	}
	printf("%s\n", path);
	if (!a->quiet)
		fprintf(stderr, "Started %s. Replace everything marked TODO, then run "
			"'noticeboard check'.\n", path);
	free(path);
	nb_diags_free(&d);
	return 0;
}

static volatile sig_atomic_t stop_serving;

static void
on_signal(int sig)
{
	(void)sig;
	stop_serving = 1;
}

static void
clock_stamp(FILE *fp)
{
	time_t t = time(NULL);
	struct tm tm;

	if (localtime_r(&t, &tm))
		fprintf(fp, "[%02d:%02d:%02d] ", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
serve_report(void *ud, nb_serve_event ev, const char *url,
	     const nb_build_stats *st, const nb_diags *d)
{
	const args *a = ud;
	static int ready;

	switch (ev) {
	case NB_SERVE_READY:
		ready = 1;
		printf("Previewing %s at %s\nPress Ctrl-C to stop.\n",
		       strcmp(a->b.source, ".") == 0 ? "the site" : a->b.source,
		       url);
		break;
	case NB_SERVE_BUILT:
		nb_diags_print(stderr, d);
		if (!a->quiet) {
			clock_stamp(stdout);
			printf("%s %zu files from ", ready ? "Rebuilt:" : "Built",
			       st->files);
			print_counts(stdout, st);
			printf(".\n");
		}
		break;
	case NB_SERVE_FAILED:
		clock_stamp(stderr);
		fprintf(stderr, "The site could not be built:\n");
		nb_diags_print(stderr, d);
		fprintf(stderr, "noticeboard: %zu %s; the preview shows %s until %s fixed\n",
			d->errors, d->errors == 1 ? "error" : "errors",
			d->errors == 1 ? "it" : "them",
			d->errors == 1 ? "it is" : "they are");
		break;
	}
	fflush(stdout);
	fflush(stderr);
}

static int
run_serve(args *a)
{
	nb_serve_opts so;
	nb_diags d = NB_DIAGS_INIT;
	struct sigaction sa;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;   /* no SA_RESTART: waits are interrupted */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&so, 0, sizeof(so));
	so.build = a->b;
	so.use_clock = a->use_clock;
	so.port = a->port;
	so.stop = &stop_serving;
	so.report = serve_report;
	so.report_ud = a;
	rc = nb_serve(&so, &d);
	nb_diags_print(stderr, &d);
	nb_diags_free(&d);
	if (rc != 0)
		return EXIT_CONTENT;
	if (!a->quiet)
		printf("\nStopped the preview.\n");
	return 0;
}

/* ---- main ----------------------------------------------------------------- */

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	char share_buf[4096];
	args a;
	int rc;

	nb_memory_setup();
	if (argc < 2)
		return usage_error(NULL, "no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			cmd = find_command(argv[2]);
			if (!cmd)
				return usage_error(NULL, "unknown command '%s'", argv[2]);
			fputs(cmd->help, stdout);
			return 0;
		}
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("noticeboard %s\n", NB_VERSION);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	rc = parse_args(&a, cmd, argc, argv, share_buf, sizeof(share_buf));
	if (rc >= 0)
		return rc;
	if (strcmp(cmd->name, "build") == 0)
		return run_build(&a);
	if (strcmp(cmd->name, "check") == 0)
		return run_check(&a);
	if (strcmp(cmd->name, "new") == 0)
		return run_new(&a);
	return run_serve(&a);
}
