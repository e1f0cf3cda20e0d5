/*
 * test_data.c - open data (data/NAME.json and data/NAME.csv) as written
 * one record at a time: the JSON is, byte for byte, what jansson writes
 * for the whole array; an empty collection is "[]" and a lone "id"
 * header; every CSV row has the header's columns.  The calendar sequence
 * file is laid out as jansson would lay it out and reads back.
 */
#include "harness.h"
#include "util.h"

#include "data.h"
#include "write.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *kinds[] = {
	"consultations", "events", "outcomes", "areas", "partners"
};

/* Strings that jansson must escape: a newline (which must not be taken
 * for one of the layout's own), quotes, a backslash, a tab, a slash and
 * text outside ASCII. */
static const char tricky[] =
	"---\n"
	"title: \"Quotes \\\"here\\\" and a back\\\\slash\"\n"
	"summary: \"Line one.\\nLine two,\\tafter a tab.\"\n"
	"lead: county-council\n"
	"level: consult\n"
	"areas: [town]\n"
	"opens: 2026-11-01\n"
	"closes: 2026-12-31\n"
	"can_influence:\n"
	"  - \"First\\nand second line\"\n"
	"  - Caf\xc3\xa9 opening times, 9/5\n"
	"documents:\n"
	"  - title: \"Plan\\n(draft)\"\n"
	"    url: https://example.org/plan.pdf\n"
	"events:\n"
	"  - title: \"Drop-in\\nat the hall\"\n"
	"    start: 2026-12-09 10:00\n"
	"    end: 2026-12-09 12:00\n"
	"    online: https://example.org/meet\n"
	"---\n"
	"Body.\n";

/* The minimal fixture, copied to a new folder and built into its out/;
 * `extra` (or NULL) is written as content/consultations/tricky.md; the
 * content folders named in `drop` (NULL-terminated) are removed first. */
static char *
site(const char *extra, const char *const *drop)
{
	char *root = tu_tmpdir(), from[2048], src[2048], *out = NULL;

	snprintf(from, sizeof(from), "%s/tests/fixtures/minimal",
		 nb_test_root());
	snprintf(src, sizeof(src), "%s/src", root);
	CHECK_INT(tu_copy_tree(from, src), 0);
	if (extra)
		CHECK_INT(tu_write(src, "content/consultations/tricky.md",
				   extra), 0);
	for (; drop && *drop; drop++) {
		char dir[2200];
		snprintf(dir, sizeof(dir), "%s/content/%s", src, *drop);
		nb_rmtree(dir);
	}
	snprintf(from, sizeof(from), "%s/out", root);
	CHECK_INT(tu_build(src, from, "2026-11-23", &out), 0);
	free(out);
	return root;
}

static char *
data_file(const char *root, const char *name, const char *ext)
{
	char dir[2048], rel[128];

	snprintf(dir, sizeof(dir), "%s/out", root);
	snprintf(rel, sizeof(rel), "data/%s.%s", name, ext);
	return tu_read(dir, rel);
}

/* The number of records in a CSV text, or -1 when one has a different
 * number of fields from the header. */
static int
csv_rows(const char *s)
{
	int rows = 0, fields = 1, want = -1, quoted = 0;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;   /* "" inside quotes toggles twice */
		else if (!quoted && *s == ',')
			fields++;
		else if (!quoted && s[0] == '\r' && s[1] == '\n') {
			if (want < 0)
				want = fields;
			else if (fields != want)
				return -1;
			rows++;
			fields = 1;
			s++;
		}
	}
	return rows;
}

static void
data__json_is_what_jansson_writes_for_the_whole_array(void)
{
	char *root = site(tricky, NULL), *text, *again;
	json_t *arr, *c;
	json_error_t err;
	size_t i, n, k;
	int newline = 0;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		text = data_file(root, kinds[k], "json");
		CHECK(text != NULL);
		if (!text)
			continue;
		arr = json_loads(text, 0, &err);
		CHECK(json_is_array(arr));
		CHECK(json_array_size(arr) > 0);
		again = json_dumps(arr, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		/* the file is jansson's text for the array and a newline */
		CHECK(again != NULL);
		if (again) {
			n = strlen(again);
			CHECK_INT(strlen(text), n + 1);
			CHECK(strncmp(text, again, n) == 0 && text[n] == '\n');
		}
		json_array_foreach(arr, i, c) {
			const char *s = json_string_value(
				json_object_get(c, "summary"));
			if (s && strchr(s, '\n'))
				newline = 1;
		}
		free(again);
		json_decref(arr);
		free(text);
	}
	/* the newline in a string really was there to be told apart */
	CHECK(newline);
	nb_rmtree(root);
	free(root);
}

/* Records are listed by date, and by id where dates are the same: the
 * events of one consultation at one time (listed in the file as 1, 2...
 * 12, by id 1, 10, 11, 12, 2...), and events of their own (read before
 * any consultation's). */
static void
data__lists_go_by_date_then_id(void)
{
	char *root = tu_tmpdir(), from[2048], src[2048], *out = NULL, *text;
	char ev[8192], name[64];
	json_t *arr, *c;
	json_error_t err;
	size_t i;
	int k, len = 0;
	const char *prev_id = NULL, *prev_at = NULL;

	snprintf(from, sizeof(from), "%s/tests/fixtures/minimal", nb_test_root());
	snprintf(src, sizeof(src), "%s/src", root);
	CHECK_INT(tu_copy_tree(from, src), 0);
	len = snprintf(ev, sizeof(ev), "---\ntitle: Ties\nsummary: At once.\n"
		       "lead: police\nlevel: consult\nareas: [town]\n"
		       "opens: 2026-11-01\ncloses: 2026-12-31\nevents:\n");
	for (k = 1; k <= 12; k++)
		len += snprintf(ev + len, sizeof(ev) - (size_t)len,
				"  - title: Session %d\n    start: 2026-12-08 19:00\n"
				"    end: 2026-12-08 21:00\n    venue:\n"
				"      name: Hall\n", k);
	snprintf(ev + len, sizeof(ev) - (size_t)len, "---\nBody.\n");
	CHECK_INT(tu_write(src, "content/consultations/ties.md", ev), 0);
	for (k = 0; k < 2; k++) {
		snprintf(name, sizeof(name), "content/events/%s-meeting.md",
			 k ? "aaa" : "zzz");
		CHECK_INT(tu_write(src, name, "---\ntitle: Meeting\nsummary: A meeting.\n"
				   "lead: police\nareas: [town]\n"
				   "start: 2026-12-08 19:00\nend: 2026-12-08 20:00\n"
				   "venue:\n  name: Town Hall\n---\n"), 0);
	}
	/* one opening that day: before its events */
	CHECK_INT(tu_write(src, "content/consultations/opening.md",
			   "---\ntitle: Opening\nsummary: It opens.\nlead: police\n"
			   "level: consult\nareas: [town]\nopens: 2026-12-08\n"
			   "closes: 2027-01-31\n---\nBody.\n"), 0);
	/* consultations closing on one day */
	for (k = 0; k < 5; k++) {
		snprintf(name, sizeof(name), "content/consultations/same-%d.md",
			 (k * 3) % 5);
		CHECK_INT(tu_write(src, name, "---\ntitle: Same day\nsummary: Same.\n"
				   "lead: police\nlevel: consult\nareas: [town]\n"
				   "opens: 2026-11-01\ncloses: 2026-12-31\n---\nBody.\n"), 0);
	}
	snprintf(from, sizeof(from), "%s/out", root);
	CHECK_INT(tu_build(src, from, "2026-11-23", &out), 0);
	free(out);

	/* the month's page lists a day's openings, then its events by time,
	 * then by id */
	{
		static const char *const want[] = { "/consultations/opening/",
			"/events/aaa-meeting/",
			"/consultations/bus-review/#event-1",
			"/consultations/ties/#event-1",
			"/consultations/ties/#event-10",
			"/consultations/ties/#event-11",
			"/consultations/ties/#event-12",
			"/consultations/ties/#event-2", "/consultations/ties/#event-3",
			"/consultations/ties/#event-4", "/consultations/ties/#event-5",
			"/consultations/ties/#event-6", "/consultations/ties/#event-7",
			"/consultations/ties/#event-8", "/consultations/ties/#event-9",
			"/events/zzz-meeting/" };
		const char *p;
		size_t w = 0;
		text = tu_read(from, "calendar/2026/12/index.html");
		CHECK(text != NULL);
		for (p = text; p && (p = strstr(p, "href=\"")) != NULL; p += 6) {
			const char *q = p + 6, *e = strchr(q, '"');
			const char *h = strstr(q, "#event-");
			int is_event = e && ((h && h < e) ||
					     strncmp(q, "/events/", 8) == 0 ||
					     strncmp(q, "/consultations/opening/\"",
						     24) == 0);
			if (!is_event)
				continue;
			if (w < sizeof(want) / sizeof(want[0]) &&
			    (size_t)(e - q) == strlen(want[w]) &&
			    strncmp(q, want[w], (size_t)(e - q)) == 0) {
				w++;
				continue;
			}
			nb_test_fail(__FILE__, __LINE__, "event %.*s where %s was due",
				     (int)(e - q), q, w < sizeof(want) / sizeof(want[0]) ?
				     want[w] : "none");
			break;
		}
		CHECK_INT(w, sizeof(want) / sizeof(want[0]));
		free(text);
	}

	prev_id = prev_at = NULL;
	text = data_file(root, "consultations", "json");
	arr = text ? json_loads(text, 0, &err) : NULL;
	CHECK(json_is_array(arr));
	json_array_foreach(arr, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *at = json_string_value(json_object_get(c, "closes"));
		CHECK(id && at);
		if (!id || !at)
			continue;
		if (prev_at) {
			int d = strcmp(prev_at, at);
			if (d > 0 || (d == 0 && strcmp(prev_id, id) >= 0))
				nb_test_fail(__FILE__, __LINE__,
					     "consultation %s (%s) after %s (%s)",
					     id, at, prev_id, prev_at);
		}
		prev_id = id;
		prev_at = at;
	}
	json_decref(arr);
	free(text);
	nb_rmtree(root);
	free(root);
}

static void
data__csv_rows_have_the_header_columns(void)
{
	char *root = site(tricky, NULL), *text;
	size_t k;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		text = data_file(root, kinds[k], "csv");
		CHECK(text != NULL);
		/* a header and at least one record, all the same width */
		CHECK(text && csv_rows(text) >= 2);
		free(text);
	}
	text = data_file(root, "consultations", "csv");
	CHECK_HAS(text, "\"Line one.\nLine two,\tafter a tab.\"");
	CHECK_HAS(text, "\"First\nand second line; Caf\xc3\xa9 opening times, 9/5\"");
	free(text);
	nb_rmtree(root);
	free(root);
}

static void
data__an_empty_collection_is_an_empty_array(void)
{
	static const char *const no_outcomes[] = { "outcomes", NULL };
	static const char *const nothing[] = {
		"outcomes", "consultations", NULL
	};
	char *root = site(NULL, no_outcomes), *text;

	text = data_file(root, "outcomes", "json");
	CHECK_STR(text, "[]\n");
	free(text);
	text = data_file(root, "outcomes", "csv");
	CHECK_STR(text, "id\r\n");
	free(text);
	nb_rmtree(root);
	free(root);
	/* no consultations: no events either */
	root = site(NULL, nothing);
	text = data_file(root, "consultations", "json");
	CHECK_STR(text, "[]\n");
	free(text);
	text = data_file(root, "events", "json");
	CHECK_STR(text, "[]\n");
	free(text);
	text = data_file(root, "events", "csv");
	CHECK_STR(text, "id\r\n");
	free(text);
	nb_rmtree(root);
	free(root);
}

/* The calendar sequence file: laid out as jansson lays it out, read back
 * (our own layout without jansson, anything else with it). */
static void
data__sequence_numbers_round_trip(void)
{
	static const char *const uids[] = {
		"consultation-a-opens@engage.example.org",
		"event-b@engage.example.org",
		"odd-\"quoted\"-\\-uid@example.org",
		"caf\xc3\xa9-\x01@example.org",
		NULL
	};
	nb_arena *a = nb_arena_new();
	nb_ical_seqs s, back;
	nb_buf out = NB_BUF_INIT;
	json_t *root = json_object();
	char *want, *dir = tu_tmpdir(), path[4200];
	size_t i;

	memset(&s, 0, sizeof(s));
	for (i = 0; uids[i]; i++) {
		nb_ical_seq *q = nb_arena_alloc(a, sizeof(*q));
		json_t *o = json_object();

		q->uid = uids[i];
		q->hash = 0x0123456789abcdefULL * (i + 1);
		q->sequence = (long)(i * 7);
		nb_map_put(&s.by_uid, q->uid, q, NULL);
		nb_vec_push(a, &s.all, q);
		json_decref(o);
	}
	/* jansson's text: keys sorted as the writer sorts them */
	{
		const char *sorted[8];
		size_t n = 0, k;
		for (i = 0; uids[i]; i++)
			sorted[n++] = uids[i];
		for (i = 0; i < n; i++)
			for (k = i + 1; k < n; k++)
				if (strcmp(sorted[k], sorted[i]) < 0) {
					const char *t = sorted[i];
					sorted[i] = sorted[k];
					sorted[k] = t;
				}
		for (i = 0; i < n; i++) {
			nb_ical_seq *q = nb_map_get(&s.by_uid, sorted[i]);
			json_t *o = json_object();
			char hex[20];
			snprintf(hex, sizeof(hex), "%016llx", q->hash);
			json_object_set_new(o, "hash", json_string(hex));
			json_object_set_new(o, "sequence", json_integer(q->sequence));
			json_object_set_new(root, q->uid, o);
		}
	}
	want = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	CHECK_INT(nb_data_seqs_json(&out, &s), 0);
	{
		size_t wl = strlen(want);
		CHECK(out.len == wl + 1 && memcmp(out.ptr, want, wl) == 0 &&
		      out.ptr[wl] == '\n');
	}
	/* read back: with a quoted uid, through jansson */
	CHECK_INT(tu_write(dir, "seq.json", out.ptr), 0);
	snprintf(path, sizeof(path), "%s/seq.json", dir);
	nb_data_read_seqs(&back, a, path);
	CHECK_INT(back.all.len, 4);
	for (i = 0; uids[i]; i++) {
		nb_ical_seq *q = nb_map_get(&back.by_uid, uids[i]);
		CHECK(q && q->hash == 0x0123456789abcdefULL * (i + 1) &&
		      q->sequence == (long)(i * 7));
	}
	nb_map_free(&back.by_uid);
	/* and without: our own layout, no jansson */
	nb_buf_clear(&out);
	s.all.len = 2;
	CHECK_INT(nb_data_seqs_json(&out, &s), 0);
	CHECK_INT(tu_write(dir, "seq.json", out.ptr), 0);
	nb_data_read_seqs(&back, a, path);
	CHECK_INT(back.all.len, 2);
	CHECK(nb_map_get(&back.by_uid, uids[1]) != NULL);
	nb_map_free(&back.by_uid);
	/* an empty table, and a damaged file (an empty table, not a crash) */
	nb_buf_clear(&out);
	s.all.len = 0;
	CHECK_INT(nb_data_seqs_json(&out, &s), 0);
	CHECK_STR(out.ptr, "{}\n");
	CHECK_INT(tu_write(dir, "seq.json", "{\n \"x@y\": {\n  \"hash\": \"12"), 0);
	nb_data_read_seqs(&back, a, path);
	CHECK_INT(back.all.len, 0);
	nb_map_free(&back.by_uid);

	free(want);
	json_decref(root);
	nb_buf_free(&out);
	nb_map_free(&s.by_uid);
	nb_arena_free(a);
	nb_rmtree(dir);
	free(dir);
}

void
suite_data(void)
{
	RUN(data__json_is_what_jansson_writes_for_the_whole_array);
	RUN(data__csv_rows_have_the_header_columns);
	RUN(data__an_empty_collection_is_an_empty_array);
	RUN(data__lists_go_by_date_then_id);
	RUN(data__sequence_numbers_round_trip);
}
