#!/bin/sh
# seeds.sh OUT - make the fuzzers' seed corpora in OUT/<target>/ from the
# example content (content/, site.yaml) and the default theme's templates.
# Run from the repository root.  Nothing here is committed: the seeds are
# made afresh from whatever the example content is now.
set -eu
out=$1
rm -rf "$out"
mkdir -p "$out/yaml" "$out/markdown" "$out/mustache" "$out/build" "$out/ical"
nul() { printf '\000'; }
n=0

# yaml: every record and lookup file, and site.yaml
for f in site.yaml content/*.yaml content/*/*.yaml content/*/*.md; do
	[ -f "$f" ] || continue
	n=$((n + 1)); cp "$f" "$out/yaml/$n"
done

# markdown: every Markdown record (front matter and all: cmark sees the
# "---" lines as rules and headings, which is input too)
for f in content/*/*.md docs/*.md; do
	[ -f "$f" ] || continue
	n=$((n + 1)); cp "$f" "$out/markdown/$n"
done

# mustache: each layout, then base and a few partials it may include
lay=themes/default/layouts
for f in "$lay"/*.mustache; do
	n=$((n + 1))
	{ cat "$f"; nul; cat "$lay/base.mustache"; nul;
	  cat "$lay/status.mustache"; nul; cat "$lay/contact.mustache"; nul;
	  cat "$lay/area-tree.mustache"; } > "$out/mustache/$n"
	n=$((n + 1)); cp "$f" "$out/mustache/$n"
done

# build: parts in the slots fuzz_build.c lists (0 consultation, 1 event,
# 2 outcome, 3 page, 4 area, 5 partner, 6 consultation, 7 site.yaml)
for f in content/consultations/*.md; do
	n=$((n + 1)); cp "$f" "$out/build/$n"
done
for f in content/events/*.md; do
	n=$((n + 1)); { nul; cat "$f"; } > "$out/build/$n"
done
for f in content/outcomes/*.md; do
	c=$(sed -n 's/^consultation: *//p' "$f" | head -n 1)
	[ -f "content/consultations/$c.md" ] || continue
	n=$((n + 1))
	{ cat "content/consultations/$c.md"; nul; nul;
	  sed 's/^consultation: .*/consultation: fuzz/' "$f"; } > "$out/build/$n"
done
for f in content/pages/*.md; do
	n=$((n + 1)); { nul; nul; nul; cat "$f"; } > "$out/build/$n"
done
for f in content/areas/*.yaml; do
	n=$((n + 1)); { nul; nul; nul; nul; cat "$f"; } > "$out/build/$n"
done
for f in content/partners/*.yaml; do
	n=$((n + 1)); { nul; nul; nul; nul; nul; cat "$f"; } > "$out/build/$n"
done
n=$((n + 1)); { nul; nul; nul; nul; nul; nul; nul; cat site.yaml; } > "$out/build/$n"

# ical: the example's repeat rules, some rules by hand, and a calendar
for f in content/events/*.md; do
	r=$(sed -n 's/^repeat: *//p' "$f" | head -n 1)
	[ -n "$r" ] || continue
	n=$((n + 1)); printf '%s' "$r" > "$out/ical/$n"
done
for r in 'FREQ=MONTHLY;BYDAY=2TU' 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE' \
	 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29' 'FREQ=MONTHLY;BYDAY=-1FR;COUNT=5' \
	 'FREQ=DAILY;UNTIL=20270101T000000Z' 'FREQ=MONTHLY;BYMONTHDAY=31;BYSETPOS=1'; do
	n=$((n + 1)); printf '%s' "$r" > "$out/ical/$n"
done
n=$((n + 1))
{ printf 'FREQ=WEEKLY'; nul
  printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\n'
  printf 'BEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20261123T000000Z\r\n'
  printf 'DTSTART;TZID=Europe/London:20261208T190000\r\n'
  printf 'RRULE:FREQ=MONTHLY;BYDAY=2TU\r\nSUMMARY:Forum\\, with a comma\r\n'
  printf 'END:VEVENT\r\nEND:VCALENDAR\r\n'; } > "$out/ical/$n"
echo "fuzz seeds: $(ls "$out"/* | grep -vc ':$' || true) files in $out"
