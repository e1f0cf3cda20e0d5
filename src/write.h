/*
 * write.h - the write stage: a new site that replaces the old one whole.
 *
 * Two ways of publishing, chosen by what is at the output path:
 *
 * - Nothing yet, or a link Noticeboard made: the site is kept as two
 *   copies beside the output (DEST.nb-a and DEST.nb-b) and DEST is a
 *   symbolic link to the live one.  A build updates the other copy (only
 *   the files that changed since that copy was made) and then swaps the
 *   link in one rename.  A copy's manifest is removed before it is touched
 *   and written last, so a copy left half-updated by a killed build is
 *   started afresh by the next one.
 * - A real folder: the site is written into a staging folder beside it
 *   (DEST.nb-tmp-PID), unchanged files hard-linked from the old site, and
 *   swapped in with two renames.
 *
 * Either way a failed build leaves the published site as it was, and
 * leftovers of a killed build are removed by the next one.
 */
#ifndef NB_WRITE_H
#define NB_WRITE_H

#include <stddef.h>
#include <stdint.h>

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

/* The same for a file whose bytes lie in n pieces, written in order. */
struct iovec;
int nb_out_writev(nb_out *o, const char *rel, const struct iovec *iov,
		  size_t n, nb_diags *d);

/* A large file in pieces: nb_out_open creates it as nb_out_write would
 * and returns its descriptor (or -1 with an error in d); nb_out_put
 * appends; nb_out_close closes it and counts its len bytes.  Each returns
 * 0, or -1 with an error in d; on an error, close the descriptor with
 * close() and fail the build (the staging folder is then thrown away). */
int nb_out_open(nb_out *o, const char *rel, nb_diags *d);
int nb_out_put(int fd, const char *rel, const char *data, size_t len,
	       nb_diags *d);
int nb_out_close(nb_out *o, const char *rel, int fd, size_t len,
		 nb_diags *d);
/* Render without writing: every file is still made and counted (two
 * records wanting one address still fail the build) but its bytes go
 * nowhere, and the site's list of files (.noticeboard/files) is the one
 * file written.  For `check`, which needs to know what the site holds,
 * not its 400 MB.  Call right after nb_out_begin. */
void nb_out_dry(nb_out *o);

/* The folder being replaced. */
const char *nb_out_dest(const nb_out *o);
/* The folder whose manifest says what the files being updated hold: the
 * copy being updated, or the published folder. */
const char *nb_out_base(const nb_out *o);
/* Mark the copy being updated as incomplete (remove its manifest); call
 * after reading the manifest and before writing. */
void nb_out_unseal(nb_out *o);

/* Keep the file at `rel` as the last build made it: in the copy being
 * updated it is already there; in staging it is hard-linked from the old
 * site (files are never changed in place, so the old site is untouched).
 * Returns 0, or -1 when there is no such regular file or it cannot be
 * linked (the caller then writes it afresh). */
int nb_out_reuse(nb_out *o, const char *rel);
size_t nb_out_reused(const nb_out *o);

/* Read what the last build of the files being updated said each output
 * depended on (NB_MANIFEST_PATH in nb_out_base; none when it is missing
 * or not of this making: everything is then rendered).  Call once, before
 * rendering and nb_out_unseal. */
void nb_out_read_manifest(nb_out *o);
/* The signature the last build gave rel: 1, or 0 when it made none. */
int nb_out_last_sig(const nb_out *o, const char *rel, uint64_t *sig);
/* How many outputs the last build's manifest lists. */
size_t nb_out_last_outputs(const nb_out *o);
/* nb_out_reuse, when the last build made rel from what `sig` says (an
 * output's inputs unchanged): 0 when it is taken, else -1 (render it). */
int nb_out_take(nb_out *o, const char *rel, uint64_t sig);

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
