/*
 * mustache.h - logic-less templates (the Mustache spec, v1.4).
 *
 * Templates are parsed once into a tree and rendered many times against a
 * context of nb_value (value.h).  Supported: variables (escaped by default,
 * {{{raw}}} and {{& raw}} for trusted HTML), dotted names, implicit
 * iterator, sections, inverted sections, comments, set delimiters, partials
 * (with standalone indentation), and template inheritance ({{<parent}} with
 * {{$block}}s).  Lambdas are not supported: views are data.  Dynamic names
 * ({{>*name}}) are supported.
 *
 * Partials and parents are found through a loader; each is parsed once and
 * cached in the set.  Rendering that nests partials deeper than
 * NB_MUSTACHE_MAX_DEPTH stops with an error (a template that includes
 * itself forever).
 */
#ifndef NB_MUSTACHE_H
#define NB_MUSTACHE_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "value.h"

#define NB_MUSTACHE_MAX_DEPTH 64
/* Sections, inverted sections, parents and blocks may nest this deep in
 * one template; deeper nesting is a parse error (the parser and renderer
 * never recurse without a bound). */
#define NB_MUSTACHE_MAX_NESTING 256
/* One render stops with an error after this many template nodes, or this
 * much output: sections nested over long lists multiply. */
#define NB_MUSTACHE_MAX_STEPS 20000000
#define NB_MUSTACHE_MAX_OUTPUT (64 * 1024 * 1024)

typedef struct nb_template nb_template;
typedef struct nb_tmpl_set nb_tmpl_set;

/*
 * Loader: find the template called `name`.  On success set *text (and
 * *len) to its source, which must stay valid as long as the set, and
 * *path to a name for diagnostics (for example the file it came from), and
 * return 0.  Return 1 when there is no such template (a missing partial
 * renders as empty, as the spec says).  Return -1 on a real failure after
 * adding an error to d.
 */
typedef int (*nb_tmpl_loader)(void *ud, const char *name, const char **text,
			      size_t *len, const char **path, nb_diags *d);

/* A set of templates sharing one cache and one loader.  Everything it
 * parses is allocated in `a`.  Free with nb_tmpl_set_free (the arena's
 * memory is freed with the arena). */
nb_tmpl_set *nb_tmpl_set_new(nb_arena *a, nb_tmpl_loader load, void *ud);
void nb_tmpl_set_free(nb_tmpl_set *s);

/* Lower the per-render limits (0 keeps NB_MUSTACHE_MAX_STEPS or
 * NB_MUSTACHE_MAX_OUTPUT), for a preview or a test. */
void nb_tmpl_set_limits(nb_tmpl_set *s, size_t max_steps, size_t max_output);

/* Parse a template from text (copied into the arena; a leading UTF-8 BOM
 * is dropped) under `name`, and add
 * it to the set's cache, so later partials named `name` find it (a NULL
 * name parses without caching; a NULL path reports errors under name).
 * Errors (unclosed section, mismatched end tag, bad delimiters) go to d
 * with path:line:column and return -1. */
int nb_tmpl_parse(nb_template **out, nb_tmpl_set *s, const char *name,
		  const char *path, const char *text, size_t len, nb_diags *d);

/* Find a template by name through the cache or the loader, parsing it
 * once.  Returns 0, 1 when there is no such template, -1 on error. */
int nb_tmpl_get(nb_template **out, nb_tmpl_set *s, const char *name,
		nb_diags *d);

/* Whether template `name`, or a partial or parent it includes (at any
 * depth), has a tag whose name, or a part of a dotted name, is `key`: 1 if
 * so (or when it includes a partial whose name the values give), 0 if
 * not, -1 on error (in d).  A value under a key no tag names cannot change
 * what the template renders: views are data (no lambdas), and lists and
 * maps print nothing themselves. */
int nb_tmpl_mentions(nb_tmpl_set *s, const char *name, const char *key,
		     nb_diags *d);

/* Render t against ctx, appending to out.  Returns 0, or -1 after adding
 * an error to d (parse errors in a partial, too deep a nesting, more than
 * NB_MUSTACHE_MAX_STEPS nodes or NB_MUSTACHE_MAX_OUTPUT bytes). */
int nb_tmpl_render(nb_buf *out, nb_tmpl_set *s, nb_template *t,
		   const nb_value *ctx, nb_diags *d);

#endif
