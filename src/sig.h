/*
 * sig.h - what each output depends on, as a 64-bit signature, so that an
 * incremental build renders only outputs whose inputs changed.
 *
 * A record's signature covers its file, the records it shows (its
 * outcome, the consultation of an event) and its git history; the global
 * signature covers everything every page shows (site.yaml, templates,
 * partners, areas, topics, audiences, content pages in the footer, the
 * date, the generator's version).  An output whose signature is the same
 * as in the last build's manifest is taken from that build unchanged.
 */
#ifndef NB_SIG_H
#define NB_SIG_H

#include <stdint.h>

#include "derive.h"

uint64_t nb_sig_global(const nb_model *m, const nb_derived *dv,
		       uint64_t templates);
/* Every record: for the pages that show a bit of everything. */
uint64_t nb_sig_all(const nb_model *m);

/* Work out every record's signature once, after the model is loaded and
 * its history attached, before nb_derive() copies repeating events. */
void nb_sig_prepare(nb_model *m);

uint64_t nb_sig_consultation(const nb_consultation *c);
uint64_t nb_sig_event(const nb_event *e);
/* The same for pages that show no summaries: a consultation's file but
 * its summary (an embedded event's, its consultation's) */
uint64_t nb_sig_consultation_brief(const nb_consultation *c);
uint64_t nb_sig_event_brief(const nb_event *e);
uint64_t nb_sig_outcome(const nb_outcome *o);
uint64_t nb_sig_page(const nb_page *p);
/* Fold a list of consultations or events (in order) into h. */
uint64_t nb_sig_consultations(uint64_t h, const nb_vec *cs);
uint64_t nb_sig_events(uint64_t h, const nb_vec *evs);

/* Where a build lists its outputs, each with its signature: "%016llx
 * PATH" lines after a first line "noticeboard-manifest 1" (and "commit
 * ID"), written last (write.c reads it: nb_out_read_manifest). */
#define NB_MANIFEST_PATH ".noticeboard/manifest"

#endif
