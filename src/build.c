/*
 * build.c - the pipeline, in order, with one place that decides whether
 * anything is written.
 */
#include "build.h"
#include "derive.h"
#include "model.h"
#include "render.h"
#include "report.h"
#include "source.h"
#include "write.h"

#include <string.h>
#include <sys/stat.h>

int
nb_build(const nb_build_opts *opts, nb_build_stats *stats, nb_diags *d)
{
	nb_source *src = NULL, *share = NULL;
	nb_model *m = NULL;
	nb_derived *dv;
	nb_out *o = NULL;
	nb_date today;
	struct stat st;
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	if (nb_source_open_dir(&src, opts->source, d) != 0)
		goto done;
	if (opts->share && stat(opts->share, &st) == 0 && S_ISDIR(st.st_mode) &&
	    nb_source_open_dir(&share, opts->share, d) != 0)
		goto done;
	if (nb_model_load(&m, src, d) != 0)
		goto done;

	/* the site's zone is set by now: "today" is local to it */
	if (opts->has_today)
		today = opts->today;
	else
		today = nb_tz_from_utc(opts->now, NULL).date;
	dv = nb_derive(m, today);
	nb_reports(&dv->reports, &dv->reports_len, m, dv);
	stats->consultations = m->consultations.len;
	stats->events = m->all_events.len;
	stats->outcomes = m->outcomes.len;
	stats->areas = m->areas.len;
	if (opts->check_only) {
		rc = 0;
		goto done;
	}

	if (nb_out_begin(&o, opts->output, d) != 0)
		goto done;
	if (nb_render_site(m, dv, src, share, o, d) != 0)
		goto done;
	stats->files = nb_out_files(o);
	stats->bytes = nb_out_bytes(o);
	rc = nb_out_commit(o, d);
	o = NULL;
done:
	nb_out_abort(o);
	nb_model_free(m);
	nb_source_free(share);
	nb_source_free(src);
	return rc;
}
