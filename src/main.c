/*
 * main.c - the noticeboard command: arguments, exit codes, messages.
 *
 * Exit codes: 0 success; 1 the site has errors (or could not be written);
 * 2 the command line is wrong.  Only this file prints diagnostics or
 * decides to exit.
 */
#include "build.h"
#include "diag.h"

#include <errno.h>
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

static const char usage_text[] =
"Usage: noticeboard COMMAND [OPTIONS]\n"
"\n"
"Build an engagement calendar website from Markdown and YAML records.\n"
"\n"
"Commands:\n"
"  build     check the records and write the website\n"
"  check     check the records and report problems; write nothing\n"
"\n"
"Options (build and check):\n"
"  --source DIR      the site folder, holding site.yaml and content/\n"
"                    (default: the current folder)\n"
"  --output DIR      where to write the website (default: public);\n"
"                    replaced whole, and only when the build succeeds\n"
"  --now YYYY-MM-DD  build as if today were this date (default: today,\n"
"                    or SOURCE_DATE_EPOCH when it is set)\n"
"  --quiet           print only errors and warnings\n"
"  --help            show this help\n"
"  --version         show the version\n"
"\n"
"Exit status: 0 success, 1 the records have errors (nothing was written),\n"
"2 the command line is wrong.\n"
"\n"
"Errors are printed as file:line:column: error: message, with a hint.\n";

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "noticeboard: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'noticeboard --help' for more information.\n");
	return EXIT_USAGE;
}

static int
parse_now(nb_build_opts *o, const char *s)
{
	char why[120];

	if (nb_date_parse(&o->today, s, strlen(s), why, sizeof(why)) != 0)
		return -1;
	o->has_today = 1;
	return 0;
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

static void
print_size(FILE *fp, size_t bytes)
{
	if (bytes >= 1024 * 1024)
		fprintf(fp, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
	else
		fprintf(fp, "%.0f kB", (double)bytes / 1024.0);
}

int
main(int argc, char **argv)
{
	nb_build_opts opts;
	nb_build_stats stats;
	nb_diags d = NB_DIAGS_INIT;
	const char *cmd, *share;
	char exe_dir[4096];
	int i, quiet = 0, rc, erc;

	if (argc < 2)
		return usage_error("%s", "no command given");
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("noticeboard %s\n", NB_VERSION);
		return 0;
	}
	if (strcmp(cmd, "build") != 0 && strcmp(cmd, "check") != 0)
		return usage_error("unknown command '%s'", cmd);

	memset(&opts, 0, sizeof(opts));
	opts.source = ".";
	opts.output = "public";
	opts.check_only = strcmp(cmd, "check") == 0;
	share = getenv("NOTICEBOARD_SHARE");
	opts.share = share && *share ? share : default_share(exe_dir, sizeof(exe_dir));

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("noticeboard %s\n", NB_VERSION);
			return 0;
		} else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
			quiet = 1;
		} else if (strcmp(a, "--source") == 0 || strcmp(a, "--output") == 0 ||
			   strcmp(a, "--now") == 0) {
			if (i + 1 >= argc)
				return usage_error("%s needs a value", a);
			if (strcmp(a, "--source") == 0)
				opts.source = argv[++i];
			else if (strcmp(a, "--output") == 0)
				opts.output = argv[++i];
			else if (parse_now(&opts, argv[++i]) != 0)
				return usage_error("--now needs a real date written YYYY-MM-DD, not '%s'",
						   argv[i]);
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}
	if (!opts.has_today) {
		erc = epoch_from_env(&opts.now);
		if (erc < 0)
			return usage_error("SOURCE_DATE_EPOCH must be a number of seconds, not '%s'",
					   getenv("SOURCE_DATE_EPOCH"));
		if (erc == 1)
			opts.now = (int64_t)time(NULL);
	}

	rc = nb_build(&opts, &stats, &d);
	nb_diags_sort(&d);
	nb_diags_print(stderr, &d);
	if (rc != 0) {
		fprintf(stderr, "noticeboard: %zu %s", d.errors,
			d.errors == 1 ? "error" : "errors");
		if (opts.check_only)
			fprintf(stderr, "\n");
		else
			fprintf(stderr, "; nothing was written to %s\n",
				opts.output);
		nb_diags_free(&d);
		return EXIT_CONTENT;
	}
	if (!quiet) {
		if (opts.check_only) {
			printf("Checked %zu consultations, %zu events, %zu outcomes and %zu areas: ",
			       stats.consultations, stats.events, stats.outcomes,
			       stats.areas);
			if (d.warnings)
				printf("%zu %s.\n", d.warnings,
				       d.warnings == 1 ? "warning" : "warnings");
			else
				printf("no problems found.\n");
		} else {
			printf("Built %zu files (", stats.files);
			print_size(stdout, stats.bytes);
			printf(") in %s from %zu consultations, %zu events, %zu outcomes and %zu areas.\n",
			       opts.output, stats.consultations, stats.events,
			       stats.outcomes, stats.areas);
		}
	}
	nb_diags_free(&d);
	return 0;
}
