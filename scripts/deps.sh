#!/bin/sh
# deps.sh - make sure the Debian packages Noticeboard builds with are here.
#
# As root, missing packages are installed with apt-get; otherwise the one
# apt-get line needed is printed and the script fails.
set -u

# pkg-config module -> Debian package
need="
libcmark:libcmark-dev
yaml-0.1:libyaml-dev
libgit2:libgit2-dev
jansson:libjansson-dev
libmicrohttpd:libmicrohttpd-dev
libical:libical-dev
"
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
command -v make >/dev/null 2>&1 || missing="$missing make"
for pair in $need; do
	mod=${pair%%:*}
	pkg=${pair#*:}
	if ! pkg-config --exists "$mod" 2>/dev/null; then
		missing="$missing $pkg"
	fi
done
[ -e /usr/share/zoneinfo/Europe/London ] || missing="$missing tzdata"
# the tests validate open data against its JSON Schemas with Debian's python3
/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1 ||
	missing="$missing python3 python3-jsonschema"

# Tools for one target only: `deps.sh fuzz` (clang and its libFuzzer
# runtime, for make fuzz) and `deps.sh leakcheck` (valgrind).
case "${1:-}" in
fuzz)
	if ! command -v clang >/dev/null 2>&1; then
		missing="$missing clang libclang-rt-14-dev"
	elif ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' |
	    clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1; then
		missing="$missing libclang-rt-14-dev"
	fi ;;
leakcheck)
	command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind" ;;
esac

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq $missing >&2 && exit 0
	echo "deps: apt-get failed" >&2
	exit 1
fi
echo "Noticeboard needs some Debian packages. Install them with:" >&2
echo "  sudo apt-get install$missing" >&2
exit 1
