/*
 * render.h - the render stage: every page of the site through templates.
 *
 * Templates are Mustache files found by name in the site's layouts/, then
 * in the theme (themes/NAME/layouts/ in the site, then in the installed
 * share folder).  Each is parsed once per build.  Each page's values are
 * built in a scratch arena that is freed once the page is written.
 */
#ifndef NB_RENDER_H
#define NB_RENDER_H

#include "derive.h"
#include "ical.h"
#include "sig.h"
#include "source.h"
#include "write.h"

/*
 * Render every page, feed and data file, and copy the theme's static
 * files, into o.  `share` is the installed share folder (may be NULL).
 * `old_seqs` are the calendar SEQUENCE numbers of the site being replaced
 * (may be NULL).  An output whose signature (sig.h) is the one the last
 * build's manifest gives it (nb_out_read_manifest) is taken unchanged.
 * Pages render in `jobs` threads (0: one for each core); the output is
 * the same whatever the number.  Open data records and calendar items
 * unchanged since that build are copied from its files; how many is said
 * in *rs (when not NULL).
 * Returns 0, or -1 with errors in d.
 */
typedef struct nb_render_stats {
	size_t data_reused;          /* open data records copied */
	size_t items_reused;         /* calendar items copied */
} nb_render_stats;

int nb_render_site(const nb_model *m, const nb_derived *dv,
		   const nb_source *src, const nb_source *share,
		   const nb_ical_seqs *old_seqs, int jobs, nb_out *o,
		   nb_render_stats *rs, nb_diags *d);

/* The most addresses one sitemap file holds (NB_SITEMAP_MAX, view.h); a
 * bigger site gets sitemap-1.xml, sitemap-2.xml... listed by sitemap.xml,
 * a sitemap index.  Tests lower it; 0 restores. */
void nb_render_sitemap_max(size_t n);

#endif
