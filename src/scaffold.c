/*
 * scaffold.c - `noticeboard new`: a commented starting record, written
 * once and never over an existing file.
 *
 * What the site already has (partner, area, topic, audience and
 * consultation ids, the ladder of participation, the time zone) is read
 * straight from its files, not through the model, so a record can be
 * started even while another record has errors.
 */
#include "scaffold.h"
#include "arena.h"
#include "buf.h"
#include "model.h"
#include "source.h"
#include "yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *name, *dir, *ext;
} kinds[] = {
	{ "consultation", "consultations", ".md" },
	{ "event", "events", ".md" },
	{ "outcome", "outcomes", ".md" },
	{ "area", "areas", ".yaml" },
	{ "partner", "partners", ".yaml" },
};

int
nb_new_kind_parse(nb_new_kind *out, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t k = strlen(kinds[i].name);
		if (strcmp(name, kinds[i].name) == 0 ||
		    (n == k + 1 && strncmp(name, kinds[i].name, k) == 0 &&
		     name[k] == 's')) {
			*out = (nb_new_kind)i;
			return 0;
		}
	}
	return -1;
}

/* ---- ids from titles ----------------------------------------------------- */

/* The next UTF-8 code point of s (advancing *s); -1 for a bad byte. */
static long
utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	long c;
	int n, i;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	if ((p[0] & 0xE0) == 0xC0) {
		c = p[0] & 0x1F;
		n = 1;
	} else if ((p[0] & 0xF0) == 0xE0) {
		c = p[0] & 0x0F;
		n = 2;
	} else if ((p[0] & 0xF8) == 0xF0) {
		c = p[0] & 0x07;
		n = 3;
	} else {
		*s = p + 1;
		return -1;
	}
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*s = p + i;
			return -1;
		}
		c = (c << 6) | (p[i] & 0x3F);
	}
	*s = p + n + 1;
	return c;
}

/* Latin letters with accents, written in ASCII; NULL when c is not one. */
static const char *
translit(long c)
{
	static const struct { long from, to; const char *ascii; } t[] = {
		{ 0xC0, 0xC5, "a" }, { 0xC6, 0xC6, "ae" }, { 0xC7, 0xC7, "c" },
		{ 0xC8, 0xCB, "e" }, { 0xCC, 0xCF, "i" }, { 0xD0, 0xD0, "d" },
		{ 0xD1, 0xD1, "n" }, { 0xD2, 0xD6, "o" }, { 0xD8, 0xD8, "o" },
		{ 0xD9, 0xDC, "u" }, { 0xDD, 0xDD, "y" }, { 0xDE, 0xDE, "th" },
		{ 0xDF, 0xDF, "ss" }, { 0xE0, 0xE5, "a" }, { 0xE6, 0xE6, "ae" },
		{ 0xE7, 0xE7, "c" }, { 0xE8, 0xEB, "e" }, { 0xEC, 0xEF, "i" },
		{ 0xF0, 0xF0, "d" }, { 0xF1, 0xF1, "n" }, { 0xF2, 0xF6, "o" },
		{ 0xF8, 0xF8, "o" }, { 0xF9, 0xFC, "u" }, { 0xFD, 0xFD, "y" },
		{ 0xFE, 0xFE, "th" }, { 0xFF, 0xFF, "y" },
		{ 0x100, 0x105, "a" }, { 0x106, 0x10D, "c" }, { 0x10E, 0x111, "d" },
		{ 0x112, 0x11B, "e" }, { 0x11C, 0x123, "g" }, { 0x124, 0x127, "h" },
		{ 0x128, 0x131, "i" }, { 0x132, 0x133, "ij" }, { 0x134, 0x135, "j" },
		{ 0x136, 0x138, "k" }, { 0x139, 0x142, "l" }, { 0x143, 0x14B, "n" },
		{ 0x14C, 0x151, "o" }, { 0x152, 0x153, "oe" }, { 0x154, 0x159, "r" },
		{ 0x15A, 0x161, "s" }, { 0x162, 0x167, "t" }, { 0x168, 0x173, "u" },
		{ 0x174, 0x175, "w" }, { 0x176, 0x178, "y" }, { 0x179, 0x17E, "z" },
		{ 0x17F, 0x17F, "s" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (c >= t[i].from && c <= t[i].to)
			return t[i].ascii;
	return NULL;
}

char *
nb_scaffold_id(const char *title)
{
	const unsigned char *p = (const unsigned char *)title;
	nb_buf b = NB_BUF_INIT;
	int gap = 0;       /* a word ended: a hyphen before the next one */
	char *id;

	while (*p) {
		long c = utf8_next(&p);
		const char *word = NULL;
		char one[2] = { 0, 0 };

		if (c == '\'' || c == 0x2018 || c == 0x2019 || c == 0x2BC)
			continue;                      /* people's -> peoples */
		if (c >= 'A' && c <= 'Z')
			one[0] = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			one[0] = (char)c;
		else if (c == '&') {
			gap = 1;
			word = "and";
		} else
			word = translit(c);
		if (one[0])
			word = one;
		if (!word) {
			/* spaces, punctuation and dashes separate words;
			 * letters we cannot write in ASCII are dropped */
			if (c < 0x80 || (c >= 0x2000 && c <= 0x206F) ||
			    c == 0xA0 || c == 0xD7 || c == 0xF7)
				gap = 1;
			continue;
		}
		if (gap && b.len)
			nb_buf_putc(&b, '-');
		gap = c == '&';
		nb_buf_puts(&b, word);
	}
	if (!b.len) {
		nb_buf_free(&b);
		return NULL;
	}
	/* at most 80 characters, cut at a hyphen when there is one */
	if (b.len > 80) {
		size_t cut = 80;
		while (cut > 40 && b.ptr[cut] != '-')
			cut--;
		if (b.ptr[cut] != '-')
			cut = 80;
		b.ptr[cut] = '\0';
		b.len = cut;
		while (b.len && b.ptr[b.len - 1] == '-')
			b.ptr[--b.len] = '\0';
	}
	id = nb_buf_detach(&b);
	return id;
}

/* ---- what the site has ----------------------------------------------- */

typedef struct site_info {
	nb_arena *a;
	nb_buf partners, areas, topics, audiences, consultations, ladder;
	int has_areas;
	const char *first_rung, *consult_rung;
} site_info;

/* Append an id to a comma-separated list. */
static void
list_add(nb_buf *b, const char *id)
{
	if (b->len)
		nb_buf_puts(b, ", ");
	nb_buf_puts(b, id);
}

static void
ids_from_dir(const nb_source *src, const char *dir, const char *ext,
	     nb_buf *out)
{
	nb_diags ignore = NB_DIAGS_INIT;
	char **names;
	size_t n, i;

	nb_source_list(src, dir, ext, &names, &n, &ignore);
	for (i = 0; i < n; i++) {
		names[i][strlen(names[i]) - strlen(ext)] = '\0';
		list_add(out, names[i]);
	}
	nb_source_names_free(names, n);
	nb_diags_free(&ignore);
}

static const nb_node *
yaml_file(site_info *si, const nb_source *src, const char *path)
{
	nb_diags ignore = NB_DIAGS_INIT;
	nb_node *root = NULL;
	char *data;
	size_t len;

	if (nb_source_read(src, path, &data, &len, &ignore) == 0) {
		if (nb_yaml_parse(&root, si->a, path, data, len, 1, &ignore) != 0)
			root = NULL;
		free(data);
	}
	nb_diags_free(&ignore);
	return root;
}

/* The `id` of each item of a list of maps (topics, ladder rungs). */
static void
ids_from_list(const nb_node *l, nb_buf *out)
{
	size_t i;

	if (!l || l->kind != NB_NODE_SEQ)
		return;
	for (i = 0; i < l->n; i++) {
		const nb_node *id = nb_node_get(l->items[i], "id");
		if (id && id->kind == NB_NODE_SCALAR && id->len)
			list_add(out, id->str);
	}
}

static void
site_info_read(site_info *si, const nb_source *src, const nb_node *site)
{
	const nb_node *l = nb_node_get(site, "ladder");
	size_t i;

	ids_from_dir(src, "content/partners", ".yaml", &si->partners);
	ids_from_dir(src, "content/areas", ".yaml", &si->areas);
	si->has_areas = si->areas.len > 0;
	ids_from_dir(src, "content/consultations", ".md", &si->consultations);
	ids_from_list(yaml_file(si, src, "content/topics.yaml"), &si->topics);
	ids_from_list(yaml_file(si, src, "content/audiences.yaml"),
		      &si->audiences);
	if (l && l->kind == NB_NODE_SEQ && l->n) {
		ids_from_list(l, &si->ladder);
		for (i = 0; i < l->n; i++) {
			const nb_node *id = nb_node_get(l->items[i], "id");
			if (!id || id->kind != NB_NODE_SCALAR)
				continue;
			if (!si->first_rung)
				si->first_rung = id->str;
			if (strcmp(id->str, "consult") == 0)
				si->consult_rung = id->str;
		}
	}
	if (!si->ladder.len) {
		nb_buf_puts(&si->ladder, "inform, consult, involve, collaborate, empower");
		si->consult_rung = "consult";
	}
	if (!si->consult_rung)
		si->consult_rung = si->first_rung ? si->first_rung : "consult";
}

/* ---- writing records --------------------------------------------------- */

/* A YAML double-quoted string. */
static void
put_quoted(nb_buf *b, const char *s)
{
	nb_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			nb_buf_putc(b, '\\');
			nb_buf_putc(b, c);
		} else if (c == '\n') {
			nb_buf_puts(b, " ");
		} else if (c < 0x20 || c == 0x7F) {
			/* control characters do not belong in a title */
		} else {
			nb_buf_putc(b, c);
		}
	}
	nb_buf_putc(b, '"');
}

/* "# Label: a, b, c" wrapped at 76 columns, or `none` when empty. */
static void
put_ids(nb_buf *b, const char *label, const nb_buf *ids, const char *none)
{
	const char *p = nb_buf_cstr(ids);
	size_t col;
	int first = 1;

	if (!ids->len) {
		nb_buf_printf(b, "#   %s\n", none);
		return;
	}
	nb_buf_printf(b, "#   %s:", label);
	col = 5 + strlen(label);
	while (*p) {
		size_t n = strcspn(p, ",");
		int last = p[n] == '\0';
		size_t need = n + (last ? 0 : 1);   /* the id and its comma */

		if (!first && col + 1 + need > 76) {
			nb_buf_puts(b, "\n#    ");
			col = 5;
		}
		nb_buf_putc(b, ' ');
		col++;
		nb_buf_put(b, p, n);
		col += n;
		if (!last)
			nb_buf_putc(b, ',');
		col += last ? 0 : 1;
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
		first = 0;
	}
	nb_buf_putc(b, '\n');
}

static void
put_date(nb_buf *b, const char *key, nb_date d, const char *comment)
{
	nb_buf_printf(b, "%s: %04d-%02d-%02d", key, d.year, d.month, d.day);
	if (comment)
		nb_buf_printf(b, "%*s# %s", (int)(16 - strlen(key)), "", comment);
	nb_buf_putc(b, '\n');
}

static void
put_tags(nb_buf *b, const site_info *si, int with_level)
{
	nb_buf_puts(b,
"# Who runs it: a partner id (a file name in content/partners/, without\n"
"# .yaml). Other partners running it with you go in `partners`.\n");
	put_ids(b, "Partners", &si->partners,
		"(no partners yet: add one with `noticeboard new partner \"Name\"`)");
	nb_buf_puts(b, "lead: TODO-partner-id\n");
	nb_buf_puts(b, "partners: []\n");
	if (with_level) {
		nb_buf_puts(b, "# How far people can shape it, on the ladder of participation:\n");
		put_ids(b, "Levels", &si->ladder, "");
		nb_buf_printf(b, "level: %s\n", si->consult_rung);
	}
	nb_buf_puts(b,
"# Where: area ids (file names in content/areas/), or [all] for everywhere.\n");
	put_ids(b, "Areas", &si->areas,
		"(no areas yet: add them with `noticeboard new area \"Name\"`)");
	nb_buf_puts(b, "areas: [TODO-area-id]\n");
	nb_buf_puts(b,
"# What it is about and who it is for (optional): ids from\n"
"# content/topics.yaml and content/audiences.yaml, like [id, id].\n");
	put_ids(b, "Topics", &si->topics, "(no topics yet)");
	put_ids(b, "Audiences", &si->audiences, "(no audiences yet)");
	nb_buf_puts(b, "topics: []\naudiences: []\n");
}

static void
put_venue_example(nb_buf *b, const char *indent)
{
	nb_buf_printf(b,
"%s  # Access, so that disabled people can plan their visit: true or false.\n"
"%s  # Remove the # from each line you know the answer to.\n"
"%s  # step_free: true\n"
"%s  # hearing_loop: true\n"
"%s  # accessible_toilet: true\n"
"%s  # parking: Two blue badge spaces at the front\n"
"%s  # access_notes: Use the ramp on Mill Lane.\n",
		indent, indent, indent, indent, indent, indent, indent);
}

static void
put_contact(nb_buf *b)
{
	nb_buf_puts(b,
"# Who people can ask about it (`name` is required in a contact).\n"
"contact:\n"
"  name: \"TODO: team name\"\n"
"  email: TODO@example.org.uk\n"
"  # phone: 01234 567890\n");
}

static void
consultation_text(nb_buf *b, const nb_scaffold_opts *o, const site_info *si,
		  nb_date today)
{
	nb_date closes = nb_date_add_days(today, 84);
	nb_date ev = nb_date_add_days(today, 14);

	nb_buf_puts(b,
"---\n"
"# A consultation or engagement activity. docs/records.md describes every\n"
"# field. Lines starting with # are notes for you: they are not published.\n"
"# Replace everything marked TODO, then run `noticeboard check`.\n"
"title: ");
	put_quoted(b, o->title);
	nb_buf_puts(b, "\n"
"summary: \"TODO: one or two plain sentences: what you are asking and why.\"\n");
	put_tags(b, si, 1);
	nb_buf_puts(b,
"# The first and last days people can respond (12 weeks is usual, at least\n"
"# 4), and the feedback promise: the date by which you will publish what\n"
"# people said and what you did.\n");
	put_date(b, "opens", today, NULL);
	put_date(b, "closes", closes, NULL);
	put_date(b, "feedback_by", nb_date_add_days(closes, 56), NULL);
	nb_buf_puts(b,
"# Only if plans change (the rest of the status comes from the dates):\n"
"# status: postponed            # or cancelled\n"
"# status_note: Postponed until the new year while we talk to the bus companies.\n"
"# How people can take part; `link` is optional.\n"
"take_part:\n"
"  - text: \"TODO: Fill in the online survey\"\n"
"    link: https://TODO.example.org.uk/survey\n"
"  - text: \"TODO: Write to us at (a postal address)\"\n"
"# What people's views can and cannot change.\n"
"can_influence:\n"
"  - \"TODO: what people's views can change\"\n"
"cannot_influence:\n"
"  - \"TODO: what is already decided, or not ours to change\"\n"
"# Formats and support on request.\n"
"accessibility:\n"
"  - \"TODO: for example: easy read and large print versions on request\"\n"
"# documents:\n"
"#   - title: Proposals\n"
"#     url: https://www.example.org.uk/documents/proposals.pdf\n"
"#     format: PDF\n"
"#     size: 1.2 MB\n");
	put_contact(b);
	nb_buf_printf(b,
"# Meetings, drop-ins and walkabouts: remove the # from the lines you need.\n"
"# events:\n"
"#   - id: library-drop-in       # optional: keeps its address if events move\n"
"#     title: Drop-in at the library\n"
"#     start: %04d-%02d-%02d 14:00\n"
"#     end: %04d-%02d-%02d 17:00\n"
"#     description: Talk to the team. No need to book.\n"
"#     venue:\n"
"#       name: Central Library\n"
"#       address: 1 High Street, Kingsbridge\n"
"#       postcode: KB1 1AB\n"
"#       step_free: true\n"
"#       hearing_loop: true\n"
"#       accessible_toilet: true\n"
"#       parking: Two blue badge spaces at the front\n"
"#       access_notes: Use the ramp on Mill Lane.\n"
"#     online: https://www.example.org.uk/meet/drop-in\n"
"#     booking: https://www.example.org.uk/book/drop-in\n"
"#     bsl: false\n"
"#     creche: false\n"
"#     translation: Polish and Urdu on request\n"
"#     # status: cancelled       (only if it is called off)\n",
		ev.year, ev.month, ev.day, ev.year, ev.month, ev.day);
	nb_buf_puts(b,
"---\n"
"TODO: the full description, in plain English. Headings start with ##.\n"
"\n"
"## What we are proposing\n"
"\n"
"TODO\n"
"\n"
"## Why we are asking\n"
"\n"
"TODO\n"
"\n"
"## What happens next\n"
"\n"
"TODO: when the decision will be made, and by whom.\n");
}

static void
event_text(nb_buf *b, const nb_scaffold_opts *o, const site_info *si,
	   nb_date today)
{
	nb_date day = nb_date_add_days(today, 14);

	nb_buf_puts(b,
"---\n"
"# A meeting not tied to one consultation (a forum, a police PACT\n"
"# meeting). docs/records.md describes every field. Lines starting with #\n"
"# are notes for you: they are not published. Replace everything marked\n"
"# TODO, then run `noticeboard check`.\n"
"title: ");
	put_quoted(b, o->title);
	nb_buf_puts(b, "\n"
"summary: \"TODO: one plain sentence about the meeting.\"\n");
	put_tags(b, si, 0);
	nb_buf_puts(b, "# Local time, on the 24-hour clock.\n");
	nb_buf_printf(b, "start: %04d-%02d-%02d 18:30\n", day.year, day.month,
		      day.day);
	nb_buf_printf(b, "end: %04d-%02d-%02d 20:00\n", day.year, day.month,
		      day.day);
	nb_buf_puts(b,
"# For a meeting that repeats, an iCalendar rule, the same in words, and\n"
"# any dates it does not happen:\n"
"# repeat: FREQ=MONTHLY;BYDAY=2TU;COUNT=12\n"
"# repeat_text: The second Tuesday of every month\n"
"# except: [2027-01-12]\n"
"# description: One line for lists; the text below the --- is the full one.\n"
"# Where: a venue, an online joining link, or both.\n"
"venue:\n"
"  name: \"TODO: venue name\"\n"
"  address: \"TODO: street and town\"\n"
"  postcode: \"TODO\"\n");
	put_venue_example(b, "");
	nb_buf_puts(b,
"# online: https://www.example.org.uk/meet/forum\n"
"# booking: https://www.example.org.uk/book/forum\n"
"# Support at the meeting.\n"
"bsl: false                      # a British Sign Language interpreter\n"
"creche: false\n"
"# translation: Polish and Urdu on request\n"
"# Only if it is called off:\n"
"# status: cancelled\n");
	put_contact(b);
	nb_buf_puts(b,
"---\n"
"TODO: the full description: what happens at the meeting and who will be\n"
"there.\n");
}

static void
outcome_text(nb_buf *b, const nb_scaffold_opts *o, const site_info *si,
	     nb_date today)
{
	nb_buf_puts(b,
"---\n"
"# An outcome (\"you said, we did\"): what people said in an activity and\n"
"# what was done about it. docs/records.md describes every field. Lines\n"
"# starting with # are notes for you: they are not published. Replace\n"
"# everything marked TODO, then run `noticeboard check`.\n"
"# The activity it answers: a file name in content/consultations/.\n");
	put_ids(b, "Activities", &si->consultations, "(no consultations yet)");
	nb_buf_puts(b, "consultation: TODO-consultation-id\ntitle: ");
	put_quoted(b, o->title);
	nb_buf_puts(b, "\n"
"summary: \"TODO: one or two plain sentences about what happened.\"\n");
	put_date(b, "published", today, NULL);
	nb_buf_puts(b,
"responses:\n"
"  total: 0                      # TODO: how many responses there were\n"
"  # by_method:\n"
"  #   - method: Online survey\n"
"  #     count: 300\n"
"  # by_area:\n"
"  #   - area: abbey-ward\n"
"  #     count: 120\n"
"# What people said and what you did; `state` is done, in progress or\n"
"# not possible (then `why` is needed). Add one item for each point.\n"
"you_said_we_did:\n"
"  - you_said: \"TODO: what people told us, in a sentence\"\n"
"    we_did: \"TODO: what we did about it, in a sentence\"\n"
"    state: done\n"
"    # why: The car parks must cover their running costs.\n"
"# decision: The cabinet agreed the revised scheme.\n"
"# decided_by: Kingsbridge City Council cabinet\n");
	nb_buf_printf(b, "# decided_on: %04d-%02d-%02d\n", today.year,
		      today.month, today.day);
	nb_buf_puts(b,
"# next_steps: The new bays open in April.\n"
"# documents:\n"
"#   - title: Consultation report\n"
"#     url: https://www.example.org.uk/documents/report.pdf\n"
"#     format: PDF\n"
"#     size: 800 KB\n"
"# Later news, newest first:\n"
"# updates:\n"
"#   - date: 2027-04-01\n"
"#     text: The 24 new short-stay bays opened on Mill Lane.\n"
"---\n"
"TODO: the full report: how people took part, what they said, and what\n"
"was decided.\n");
}

static void
area_text(nb_buf *b, const nb_scaffold_opts *o, const site_info *si)
{
	nb_buf_puts(b,
"# An area. docs/records.md describes every field. Lines starting with #\n"
"# are notes for you: they are not published. Replace everything marked\n"
"# TODO, then run `noticeboard check`.\n"
"name: ");
	put_quoted(b, o->title);
	nb_buf_puts(b, "\n"
"# county, district, ward, parish, neighbourhood, police engagement area...\n"
"type: ward\n"
"# The area this one is inside; only the top area has none.\n");
	put_ids(b, "Areas", &si->areas, "(this is the first area)");
	nb_buf_puts(b, si->has_areas ? "parent: TODO-area-id\n"
				     : "# parent: county\n");
	nb_buf_puts(b,
"# code: E05000001               # the official (ONS GSS) code, if it has one\n"
"description: \"TODO: plain words about the area.\"\n"
"# contacts:\n"
"#   - name: Cllr Jane Smith\n"
"#     role: Ward councillor\n"
"#     email: jane.smith@example.org.uk\n"
"#     phone: 01234 567891\n");
}

static void
partner_text(nb_buf *b, const nb_scaffold_opts *o)
{
	nb_buf_puts(b,
"# A partner: an organisation that runs activities. docs/records.md\n"
"# describes every field. Lines starting with # are notes for you: they\n"
"# are not published. Replace everything marked TODO, then run\n"
"# `noticeboard check`.\n"
"name: ");
	put_quoted(b, o->title);
	nb_buf_puts(b, "\n"
"# short_name: City council\n"
"# council, police, nhs, fire, housing, voluntary or other\n"
"type: TODO\n"
"# website: https://www.example.org.uk\n"
"description: \"TODO: plain words about the partner.\"\n"
"# email: engagement@example.org.uk\n"
"# phone: 01234 567800\n"
"# logo:\n"
"#   file: /static/logo.svg\n"
"#   alt: The partner's name as the logo shows it\n");
}

/* ---- the command --------------------------------------------------------- */

static int
write_new(const char *path, const char *text, size_t len, nb_diags *d,
	  const char *shown)
{
	size_t off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0) {
		if (errno == EEXIST)
			return nb_error(d, shown, 0, 0,
				"`noticeboard new` never replaces a record: choose another title, or name the file with --id",
				"the file already exists");
		return nb_error(d, shown, 0, 0, NULL, "cannot create the file: %s",
				strerror(errno));
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			unlink(path);
			return nb_error(d, shown, 0, 0, NULL,
					"cannot write the file: %s", strerror(e));
		}
		off += (size_t)n;
	}
	if (close(fd) != 0) {
		int e = errno;
		unlink(path);
		return nb_error(d, shown, 0, 0, NULL, "cannot write the file: %s",
				strerror(e));
	}
	return 0;
}

static int
make_dir(const char *path, const char *shown, nb_diags *d)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	return nb_error(d, shown, 0, 0, NULL, "cannot create the folder: %s",
			strerror(errno));
}

int
nb_scaffold_new(char **path_out, const nb_scaffold_opts *o, nb_diags *d)
{
	nb_source *src = NULL;
	nb_buf text = NB_BUF_INIT, dir = NB_BUF_INIT, shown = NB_BUF_INIT;
	site_info si;
	const nb_node *site, *zone;
	const char *root = o->source ? o->source : ".";
	char *id = NULL;
	nb_date today;
	int rc = -1;

	*path_out = NULL;
	memset(&si, 0, sizeof(si));
	si.a = nb_arena_new();
	if (nb_source_open_dir(&src, root, d) != 0)
		goto done;
	if (!nb_source_exists(src, "site.yaml")) {
		nb_error(d, root, 0, 0,
			 "run `noticeboard new` in the site's folder, or give it with --source",
			 "this is not a site folder: there is no site.yaml");
		goto done;
	}
	if (o->id) {
		if (!nb_id_valid(o->id)) {
			nb_error(d, NULL, 0, 0,
				 "use lower-case letters, digits and hyphens, like town-centre-parking",
				 "--id `%s` is not a safe record id", o->id);
			goto done;
		}
		id = nb_xstrdup(o->id);
	} else if (!(id = nb_scaffold_id(o->title))) {
		nb_error(d, NULL, 0, 0,
			 "give the file name with --id, like --id town-centre-parking",
			 "cannot make a file name from the title \"%s\"", o->title);
		goto done;
	}

	site = yaml_file(&si, src, "site.yaml");
	zone = nb_node_get(site, "time_zone");
	if (!zone || zone->kind != NB_NODE_SCALAR || nb_tz_set(zone->str) != 0)
		nb_tz_set("Europe/London");
	today = o->has_today ? o->today : nb_tz_from_utc(o->now, NULL).date;
	site_info_read(&si, src, site);

	switch (o->kind) {
	case NB_NEW_CONSULTATION: consultation_text(&text, o, &si, today); break;
	case NB_NEW_EVENT: event_text(&text, o, &si, today); break;
	case NB_NEW_OUTCOME: outcome_text(&text, o, &si, today); break;
	case NB_NEW_AREA: area_text(&text, o, &si); break;
	case NB_NEW_PARTNER: partner_text(&text, o); break;
	}

	nb_buf_printf(&dir, "%s/content", root);
	if (make_dir(nb_buf_cstr(&dir), "content", d) != 0)
		goto done;
	nb_buf_printf(&dir, "/%s", kinds[o->kind].dir);
	if (strcmp(root, ".") != 0)
		nb_buf_printf(&shown, "%s/", root);
	nb_buf_printf(&shown, "content/%s", kinds[o->kind].dir);
	if (make_dir(nb_buf_cstr(&dir), nb_buf_cstr(&shown), d) != 0)
		goto done;
	nb_buf_printf(&dir, "/%s%s", id, kinds[o->kind].ext);
	nb_buf_printf(&shown, "/%s%s", id, kinds[o->kind].ext);
	if (write_new(nb_buf_cstr(&dir), text.ptr, text.len, d,
		      nb_buf_cstr(&shown)) != 0)
		goto done;
	*path_out = nb_buf_detach(&shown);
	rc = 0;
done:
	free(id);
	nb_buf_free(&text);
	nb_buf_free(&dir);
	nb_buf_free(&shown);
	nb_buf_free(&si.partners);
	nb_buf_free(&si.areas);
	nb_buf_free(&si.topics);
	nb_buf_free(&si.audiences);
	nb_buf_free(&si.consultations);
	nb_buf_free(&si.ladder);
	nb_arena_free(si.a);
	nb_source_free(src);
	return rc;
}
