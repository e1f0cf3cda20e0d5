/*
 * image.h - records kept between builds as they were read.
 *
 * Reading a record file turns its front matter into a node tree and the
 * tree into the record, checking every field: about 25 microseconds a
 * record, most of a rebuild's reading when nearly every file is the
 * same as last time.  A file that read without errors is kept in the
 * parse cache (cache.h) as its record's image instead: its fields, the
 * ids it names and the warnings it gave.  Taken back, the image is the
 * record again: its strings are used where they lie, and what it names in
 * other files (partners, areas, topics, audiences, the ladder's rungs,
 * the consultation an outcome answers) is looked up by id as reading the
 * file would look it up.  When one of those is gone, the image gives
 * nothing and the file is read again, which says what is wrong.
 *
 * What depends on the file's name (the record's id, its path, the ids of
 * its events) is not in the image: the same bytes may be another file.
 */
#ifndef NB_IMAGE_H
#define NB_IMAGE_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "model.h"

typedef enum {
	NB_IMAGE_CONSULTATION = 1,
	NB_IMAGE_EVENT,
	NB_IMAGE_OUTCOME,
	NB_IMAGE_PAGE
} nb_image_kind;

/* Append to b the image of `rec`, a record of kind k read into m, with
 * the n diagnostics its file gave (warnings: a record with errors is not
 * kept). */
void nb_image_put(nb_buf *b, nb_image_kind k, const nb_model *m,
		  const void *rec, const nb_diag *diags, size_t n);

/* The record of the image [p, p + len), made in `a` for the file `path`
 * with id `id`, its warnings added to d; NULL (and nothing added) when
 * the image is damaged, of another kind, or names what m does not have.
 * The image must stay as long as the record: its strings are the
 * record's, so each must end in the NUL the image has for it. */
void *nb_image_get(const unsigned char *p, size_t len, nb_image_kind k,
		   const nb_model *m, nb_arena *a, const char *id,
		   const char *path, nb_diags *d);

#endif
