/*
 * write.h - the write stage: a new site beside the old, swapped in whole.
 *
 * A build writes into a staging folder next to the destination
 * ("public.nb-tmp-PID").  Only when every page is written is it swapped in:
 * the old site is renamed aside, the new one renamed into place, the old
 * one removed.  A failed build removes its staging folder and leaves the
 * published site as it was; staging folders left by a killed build are
 * removed by the next one.
 */
#ifndef NB_WRITE_H
#define NB_WRITE_H

#include <stddef.h>

#include "diag.h"

typedef struct nb_out nb_out;

/* Start writing a site that will replace `dest`.  Returns 0, or -1 with
 * an error in d. */
int nb_out_begin(nb_out **out, const char *dest, nb_diags *d);

/* Write a file at `rel` (like "areas/abbey/index.html"), creating folders
 * as needed.  `rel` must be a relative path without ".." parts.  Returns
 * 0, or -1 with an error in d. */
int nb_out_write(nb_out *o, const char *rel, const char *data, size_t len,
		 nb_diags *d);

/* The folder being replaced. */
const char *nb_out_dest(const nb_out *o);

/* Take the file at `rel` of the site being replaced into the new one
 * unchanged, as a hard link (files are never changed in place, so the old
 * site is untouched).  Returns 0, or -1 when there is no such regular
 * file or it cannot be linked (the caller then writes it afresh). */
int nb_out_reuse(nb_out *o, const char *rel);
size_t nb_out_reused(const nb_out *o);

/* Pages and bytes written so far. */
size_t nb_out_files(const nb_out *o);
size_t nb_out_bytes(const nb_out *o);

/* Swap the new site into place and free o.  Returns 0, or -1 with an
 * error in d (the old site is then left in place). */
int nb_out_commit(nb_out *o, nb_diags *d);

/* Throw the staging folder away and free o.  Accepts NULL. */
void nb_out_abort(nb_out *o);

/* Remove a folder and everything in it (no symlinks followed).  Returns 0
 * or -1 (errno set). */
int nb_rmtree(const char *path);

#endif
