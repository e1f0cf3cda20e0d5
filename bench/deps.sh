#!/bin/sh
# deps.sh - what `make bench` needs beyond the build: Debian's python3 and
# hugo (the generator Noticeboard is compared with).  As root, missing
# packages are installed with apt-get; otherwise the apt-get line to run is
# printed and the script fails.  Not part of `make test`.
set -u
missing=""
[ -x /usr/bin/python3 ] || missing="$missing python3"
command -v hugo >/dev/null 2>&1 || missing="$missing hugo"
command -v cp >/dev/null 2>&1 || missing="$missing coreutils"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "bench: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq $missing >&2 && exit 0
	echo "bench: apt-get failed" >&2
	exit 1
fi
echo "make bench needs some Debian packages. Install them with:" >&2
echo "  sudo apt-get install$missing" >&2
exit 1
