#!/bin/bash
# incremental.sh - the rebuild after a one-record commit against the full
# build, on a synthetic git repository (issue 3's benchmark).
#
#   bash bench/incremental.sh [N] [WORKDIR]     (default N: 10000)
#
# Generates N consultations with bench/gen.py into a git repository,
# builds it from the ref (full), commits a change to one consultation and
# builds again into the same folder (which makes the second copy), then
# five times more, and prints the full build's time, the rebuilds' and
# the ratio of their median to the full build, measured in this one run.
set -eu
n=${1:-10000}
work=${2:-build/bench/incremental}
bin=${NB_BIN:-./noticeboard}
# A folder of files removed just before a build slows it down (ext4
# without a journal avoids inodes freed in the last minutes; see
# SETTLE_SECONDS in run.py), which would flatter the ratio: what an
# earlier run left is removed and waited out, and this run's output is
# removed at the end.
if [ -e "$work" ]; then
	rm -rf "$work"
	sync
	echo "bench: waiting 370 s after removing $work" >&2
	sleep 370
fi
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/gen.py "$n" "$work/repo" >/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org \
	GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org \
	GIT_CONFIG_NOSYSTEM=1
(cd "$work/repo" && git init -q -b main . && git config gc.auto 0 && git add -A && git commit -q -m "Synthetic site" && git repack -adq)
sync

# The clock is read by the shell itself (bash's EPOCHREALTIME): running
# date(1) twice, as this did, put two processes' start into each time,
# a few milliseconds of a rebuild's quarter second.  Elsewhere, date.
export LC_ALL=C
if [ -n "${EPOCHREALTIME:-}" ]; then
	stamp() { eval "$1=\$EPOCHREALTIME"; }
else
	stamp() { eval "$1=\$(date +%s.%N)"; }
fi

stamp t0
"$bin" build --repo "$work/repo" --ref main --now 2026-11-23 \
	--output "$work/public" --quiet
stamp t1

edit() {
	one=$(ls "$work/repo/content/consultations" | sed -n "${1}p")
	(cd "$work/repo" && sed -i "s/^summary: .*/summary: Changed by the incremental benchmark ($1)./" \
		"content/consultations/$one" && git commit -q -am "Edit one consultation")
}

# The first rebuild after a full build also makes the site's second copy
# (hard links to the first); from then on each rebuild updates the copy
# that is not live and swaps them.
edit 100
stamp t2
"$bin" build --repo "$work/repo" --ref main --now 2026-11-23 \
	--output "$work/public" --quiet
stamp t3
# Then five one-record commits, each built; the median of the five is
# the figure (this machine's timings wander by a tenth of a second).
times=""
for k in 1 2 3 4 5; do
	edit $((200 + 100 * k))
	stamp t4
	"$bin" build --repo "$work/repo" --ref main --now 2026-11-23 \
		--output "$work/public" --timings 2>"$work/stderr"
	stamp t5
	times="$times $(awk -v a="$t4" -v b="$t5" 'BEGIN { printf "%.3f", b - a }')"
done
grep '^noticeboard: t' "$work/stderr" >&2 || true

awk -v n="$n" -v f0="$t0" -v f1="$t1" -v a0="$t2" -v a1="$t3" -v ts="$times" 'BEGIN {
	full = f1 - f0; first = a1 - a0;
	k = split(ts, t, " ");
	for (i = 1; i <= k; i++)          # sort the five
		for (j = i + 1; j <= k; j++)
			if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
	inc = t[int((k + 1) / 2)];
	printf "incremental, %d consultations: full build %.2f s; first rebuild (makes the second copy) %.2f s (%.1f%%); rebuilds after a one-record commit%s s, median %.2f s, ratio %.1f%% of the full build (target: under 5%%)\n", n, full, first, 100 * first / full, ts, inc, 100 * inc / full
}'
