/*
 * cache.h - parsed record files kept between builds, by git blob id.
 *
 * A rebuild from a later commit finds most record files unchanged.  Their
 * blob ids say so without reading them (a folder's files are read and
 * their ids worked out as git would: nb_git_hash_blob; build.c uses the
 * cache for a folder once the output holds a site): the cache holds, for
 * each blob id,
 * what reading and parsing that file gave (the front matter's node tree
 * with its lines and columns, the Markdown body, the file's signature) and
 * what converting the body gave (its HTML and its warnings); for a
 * record that read without errors, the record's image (image.h) instead.
 * Parsing is a function of the bytes alone, so an entry is never stale;
 * everything that depends on other files (links to areas and partners)
 * is still worked out on every build.
 *
 * The cache is one file written beside the output (OUTPUT.nb-cache) and
 * replaced whole (OUTPUT.nb-cache-tmp-PID, then a rename).  A missing, truncated or
 * foreign file is an empty cache: every lookup misses and files are read
 * as usual.  Lookups and additions may come from several threads.
 */
#ifndef NB_CACHE_H
#define NB_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "yaml.h"

#define NB_OID_LEN 20

typedef struct nb_cache nb_cache;

/* A warning about the body, without the file's path (the same bytes may
 * sit at another path). */
typedef struct nb_parsed_diag {
	int sev, line, col;
	const char *msg, *hint;     /* hint may be NULL */
} nb_parsed_diag;

/* What reading one file gave. */
typedef struct nb_parsed {
	nb_node *root;          /* the front matter, or the whole .yaml file */
	const char *body;       /* Markdown after the front matter, or NULL
				 * (from the cache: "" when html is there) */
	size_t body_len;
	int body_line;          /* the file line the body starts on */
	uint64_t sig;           /* nb_sig of the file's bytes */
	uint64_t brief;         /* of what it says but its `summary` (model.c:
				 * what pages that show no summaries depend
				 * on), or 0 */
	/* the body as HTML and its warnings (nb_markdown_body), when known */
	const char *html;
	const nb_parsed_diag *diags;
	size_t n_diags;
	/* or, for a record that read without errors, its image (image.h),
	 * which is all a build needs of the file: root is then NULL, and
	 * body, html and diags are left out */
	const unsigned char *rec;
	size_t rec_len;
} nb_parsed;

/* Open the cache at `path` (it may not exist; with `fresh`, what it holds
 * is not used, and is replaced when saved).  Never fails. */
nb_cache *nb_cache_open(const char *path, int fresh);

/* The parse of blob `oid`, built in `a`: 1 when found, 0 when not.  Its
 * strings, and a record's image, point into the cache: it must be freed
 * after what was made from them (the model, in a build). */
int nb_cache_get(nb_cache *c, const unsigned char oid[NB_OID_LEN],
		 nb_arena *a, nb_parsed *out);

/* Remember the parse of blob `oid` for the next build. */
void nb_cache_put(nb_cache *c, const unsigned char oid[NB_OID_LEN],
		  const nb_parsed *p);

/* Lookups that found an entry, and entries added, so far. */
size_t nb_cache_hits(const nb_cache *c);
size_t nb_cache_added(const nb_cache *c);

/* Write the entries this build used or added (and no others) in place of
 * the file, unless it holds exactly those already.  Returns 0 or -1 (the
 * old file is then left as it was: a cache is never needed). */
int nb_cache_save(nb_cache *c);

void nb_cache_free(nb_cache *c);   /* accepts NULL */

#endif
