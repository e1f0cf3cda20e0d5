#!/bin/sh
# browser-deps.sh - make sure the browser checks (tests/browser/) can run:
# node 20 or later, Debian's chromium and a font metric-compatible with
# Arial, Java for the Nu HTML checker, and the npm packages of
# package-lock.json in node_modules/.
#
# Missing Debian packages are installed with apt-get when run as root;
# otherwise the apt-get line to run is printed and the script fails.
# Missing or outdated npm packages are installed with `npm ci`.  Nothing
# here downloads a browser or a Java runtime: `npm ci --ignore-scripts`
# skips vnu-jar's own Java download.
set -u
cd "$(dirname "$0")/.."

missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
dpkg -s fonts-liberation >/dev/null 2>&1 || missing="$missing fonts-liberation"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "browser-deps: the browser checks need Node.js 20 or later with npm" >&2
	exit 1
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
	echo "browser-deps: the browser checks need Node.js 20 or later (this is $(node --version))" >&2
	exit 1
fi

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "browser-deps: installing$missing" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends $missing >&2 || {
			echo "browser-deps: apt-get failed" >&2
			exit 1
		}
	else
		echo "The browser checks need some Debian packages. Install them with:" >&2
		echo "  sudo apt-get install$missing" >&2
		exit 1
	fi
fi

# node_modules/ up to date with package-lock.json?
if ! [ -f node_modules/.package-lock.json ] ||
   ! [ -d node_modules/playwright-core ] || ! [ -d node_modules/axe-core ] ||
   ! [ -f node_modules/vnu-jar/build/dist/vnu.jar ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "browser-deps: npm ci --ignore-scripts" >&2
	npm ci --ignore-scripts --no-audit --no-fund >&2 || {
		echo "browser-deps: npm ci failed" >&2
		exit 1
	}
fi
exit 0
