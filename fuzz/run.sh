#!/bin/sh
# run.sh DIR SECONDS TARGET... - run each libFuzzer target DIR/fuzz_TARGET
# for SECONDS from the seeds in DIR/seeds/TARGET, keeping what it learns
# in DIR/corpus/TARGET.  A crash, leak or timeout is kept in DIR/crashes/
# and fails the run, with the command that reproduces it.
set -u
dir=$1; secs=$2; shift 2
mkdir -p "$dir/crashes" "$dir/logs"
failed=""
for t in "$@"; do
	mkdir -p "$dir/corpus/$t"
	case $t in
	yaml|build) dict=-dict=fuzz/records.dict ;;
	mustache) dict=-dict=fuzz/mustache.dict ;;
	*) dict= ;;
	esac
	printf 'fuzz %-9s %ss ... ' "$t" "$secs"
	if "./$dir/fuzz_$t" $dict -max_total_time="$secs" -timeout=30 \
	    -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$dir/crashes/$t-" \
	    "$dir/corpus/$t" "$dir/seeds/$t" > "$dir/logs/$t.log" 2>&1; then
		grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/logs/$t.log" |
		    sed 's/.*: */ok, runs: /'
	else
		echo "FAILED (log: $dir/logs/$t.log)"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz:|artifact_prefix|Test unit written)' \
		    "$dir/logs/$t.log" | head -n 8
		failed="$failed $t"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: found problems in:$failed"
	echo "  reproduce with ./$dir/fuzz_TARGET $dir/crashes/TARGET-...; then"
	echo "  add the input as a test in tests/test_hostile.c and fix it"
	exit 1
fi
echo "fuzz: no problems found"
