# Noticeboard - a static-site generator for joint engagement calendars.
#
#   make            build ./noticeboard
#   make site       build the example site into public/
#   make test       run every test (unit, conformance, end-to-end, browser)
#   make test-asan  the tests under AddressSanitizer and UBSan
#   make test-browser  every page in a real browser (axe-core, Nu checker)
#   make leakcheck  the tests under valgrind (leaks, uninitialised reads)
#   make fuzz       each fuzzer for FUZZ_SECONDS (clang, libFuzzer; fuzz/)
#   make install    PREFIX=/usr/local DESTDIR=
#
# Respects CC, CFLAGS, CPPFLAGS, LDFLAGS, PREFIX and DESTDIR.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
LIBEXECDIR = $(PREFIX)/libexec/noticeboard
SHAREDIR  = $(PREFIX)/share/noticeboard
MANDIR    = $(PREFIX)/share/man/man1
PKG_CONFIG ?= pkg-config

# Debian packages the build needs; scripts/deps.sh installs them (as root)
# or prints the apt-get line.
PKGS      = libcmark yaml-0.1 libgit2 jansson libical libmicrohttpd
# the tests parse the feeds back with libical themselves
TEST_PKGS = libical

CFLAGS   ?= -O2 -g
NB_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	    -DNB_VERSION='"$(VERSION)"' -DNB_SHAREDIR='"$(SHAREDIR)"' \
	    -DNB_LIBEXECDIR='"$(LIBEXECDIR)"' \
	    $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libmicrohttpd is loaded by `serve` when it starts (dlopen, src/serve.c),
# and libical when the first calendar or recurrence needs it, or ahead in a
# thread (src/ical.c): not linked, their sonames compiled in.
LINK_PKGS = $(filter-out libmicrohttpd libical,$(PKGS))
soname = $(shell objdump -p "$$($(CC) -print-file-name=$(1))" 2>/dev/null | \
	awk '$$1 == "SONAME" { print $$2 }')
MHD_SONAME := $(call soname,libmicrohttpd.so)
ICAL_SONAME := $(call soname,libical.so)
NB_CFLAGS += $(if $(MHD_SONAME),-DNB_MHD_LIBRARY='"$(MHD_SONAME)"')
NB_CFLAGS += $(if $(ICAL_SONAME),-DNB_ICAL_LIBRARY='"$(ICAL_SONAME)"')
NB_LIBS   = $(shell $(PKG_CONFIG) --libs $(LINK_PKGS) 2>/dev/null) -lm -lpthread -ldl
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

O ?= build
LIB_SRC  = $(filter-out src/main.c src/launch.c,$(wildcard src/*.c))
LIB_OBJ  = $(LIB_SRC:src/%.c=$(O)/src/%.o)
TEST_SRC = $(wildcard tests/*.c)
TEST_OBJ = $(TEST_SRC:tests/%.c=$(O)/tests/%.o)

NOW ?= 2026-11-23

all: noticeboard

# `noticeboard` (src/launch.c, libc only) starts `noticeboard-engine`
# (everything else) beside it, with malloc's huge pages turned on: see
# launch.c.  Both are copied here from $(O).
noticeboard: $(O)/noticeboard $(O)/noticeboard-engine
	cp $(O)/noticeboard-engine noticeboard-engine
	cp $(O)/noticeboard $@

$(O)/noticeboard: $(O)/src/launch.o $(O)/noticeboard-engine
	$(CC) $(NB_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(O)/src/launch.o

$(O)/noticeboard-engine: $(O)/src/main.o $(LIB_OBJ)
	$(CC) $(NB_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(NB_LIBS)

$(O)/src/%.o: src/%.c $(wildcard src/*.h) | $(O)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(NB_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/tests/suites.inc: $(TEST_SRC)
	@mkdir -p $(dir $@)
	grep -ho '^suite_[a-z0-9_]*(void)' $(TEST_SRC) | sed 's/(void)//' | \
	    sort | sed 's/.*/SUITE(&)/' > $@

$(O)/tests/%.o: tests/%.c tests/harness.h $(wildcard src/*.h) $(O)/tests/suites.inc | $(O)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(NB_CFLAGS) $(TEST_CFLAGS) -Isrc -I$(O)/tests $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/nb-test: $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(NB_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(NB_LIBS) $(TEST_LIBS)

# main.c has the share folder compiled in, launch.c the engine's: rebuild
# them when PREFIX changes.
$(O)/src/main.o $(O)/src/launch.o: $(O)/.prefix
$(O)/.prefix: FORCE
	@mkdir -p $(O)
	@echo '$(SHAREDIR) $(LIBEXECDIR) $(VERSION)' | cmp -s - $@ || \
	    echo '$(SHAREDIR) $(LIBEXECDIR) $(VERSION)' > $@
FORCE:

# Check (and, as root, install) the Debian packages once per build dir.
$(O)/.deps: scripts/deps.sh
	@mkdir -p $(O)
	@sh scripts/deps.sh
	@touch $@

deps:
	@sh scripts/deps.sh

site: noticeboard
	./noticeboard build --source . --output public
	@echo "The example site is in public/. Its links start at the site's root, so serve it:"
	@echo "  python3 -m http.server -d public 8000    then open http://localhost:8000/"

test: $(O)/nb-test noticeboard
	./$(O)/nb-test
	$(MAKE) --no-print-directory test-browser

# Browser checks of every page of the example site (tests/browser/): axe-core
# and the Nu HTML checker, reflow at 320px, keyboard, JavaScript off, no
# third-party requests, in Debian's chromium.  scripts/browser-deps.sh
# installs chromium, Java and the npm packages if they are missing.
# `make screenshots` saves docs/screenshots/ (shown in the README).
test-browser: noticeboard
	@sh scripts/browser-deps.sh
	node --test tests/browser/*.test.mjs

screenshots: noticeboard
	@sh scripts/browser-deps.sh
	NB_SCREENSHOTS=docs/screenshots node --test --test-name-pattern=screenshots tests/browser/*.test.mjs

.PHONY: test-browser screenshots

test-asan:
	$(MAKE) O=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" build-asan/nb-test build-asan/noticeboard
	ASAN_OPTIONS=detect_leaks=1 NB_BIN=build-asan/noticeboard ./build-asan/nb-test

# The whole suite under valgrind's memcheck: leaks, and reads of memory
# never written (which ASan does not see).  Builds run inside the test
# process, so every stage is checked; the CLI binary the command-line
# tests start is leak-checked by test-asan (LeakSanitizer) instead, as a
# server under valgrind starts too slowly for them.  scripts/deps.sh
# installs valgrind if it is missing.
VALGRIND = valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
leakcheck: $(O)/nb-test noticeboard
	@sh scripts/deps.sh leakcheck
	$(VALGRIND) --error-exitcode=1 ./$(O)/nb-test

# libFuzzer targets (fuzz/), built with clang, ASan and UBSan into
# build-fuzz/ and run FUZZ_SECONDS each from seeds made from the example
# content and the default theme.  `make fuzz` installs clang and its
# fuzzer runtime if they are missing; `make test` never needs them.
FUZZ_O       = build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = yaml markdown mustache ical build
FUZZ_CFLAGS  = -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	       -fno-omit-frame-pointer -fno-sanitize-recover=undefined

fuzz: fuzz-targets
	sh fuzz/seeds.sh $(FUZZ_O)/seeds
	ASAN_OPTIONS=detect_leaks=1 sh fuzz/run.sh $(FUZZ_O) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-targets:
	@sh scripts/deps.sh fuzz
	$(MAKE) O=$(FUZZ_O) CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
	    $(FUZZ_TARGETS:%=$(FUZZ_O)/fuzz_%)

$(O)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h tests/pagecheck.h $(LIB_OBJ)
	$(CC) $(NB_CFLAGS) -Isrc $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer,address,undefined \
	    $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(NB_LIBS)

.PHONY: leakcheck fuzz fuzz-targets

install: noticeboard
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(MANDIR)
	install -m 755 noticeboard $(DESTDIR)$(BINDIR)/noticeboard
	install -m 755 noticeboard-engine $(DESTDIR)$(LIBEXECDIR)/noticeboard-engine
	install -m 644 noticeboard.1 $(DESTDIR)$(MANDIR)/noticeboard.1
	cp -R themes $(DESTDIR)$(SHAREDIR)/
	find $(DESTDIR)$(SHAREDIR) -type d -exec chmod 755 {} +
	find $(DESTDIR)$(SHAREDIR) -type f -exec chmod 644 {} +

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/noticeboard
	rm -rf $(DESTDIR)$(LIBEXECDIR)
	rm -f $(DESTDIR)$(MANDIR)/noticeboard.1
	rm -rf $(DESTDIR)$(SHAREDIR)

# Benchmarks (bench/, docs/performance.md): synthetic sites of each size in
# BENCH_SIZES, built by Noticeboard and by Hugo, with `cp -r` of the output
# as the floor.  `make bench BENCH_SIZES=1000 BENCH_INCREMENTAL_N=0` is the
# quick run.  Not part of `make test`; bench/deps.sh installs hugo if it is
# missing.  Then the rebuild after a one-record commit against the full build
# (issue 3; BENCH_INCREMENTAL_N=0 leaves it out), once the disk has
# settled after run.py removed its outputs (SETTLE_SECONDS in run.py: a
# full build just after a removal is slower, which would flatter the
# ratio).
BENCH_SIZES ?= 1000 10000 100000
BENCH_DIR   ?= $(O)/bench
BENCH_RUNS  ?= 1
BENCH_INCREMENTAL_N ?= 10000
bench: noticeboard
	@sh bench/deps.sh
	/usr/bin/python3 bench/run.py --bin ./noticeboard --sizes "$(BENCH_SIZES)" \
	    --dir $(BENCH_DIR) --runs $(BENCH_RUNS)
	@if [ "$(BENCH_INCREMENTAL_N)" != 0 ]; then \
	    echo "bench: waiting 370 s after run.py removed its outputs" >&2; \
	    sync; sleep 370; \
	    bash bench/incremental.sh $(BENCH_INCREMENTAL_N) $(BENCH_DIR)/incremental; \
	fi

# The incremental benchmark alone.
bench-incremental: noticeboard
	bash bench/incremental.sh $(BENCH_INCREMENTAL_N) $(BENCH_DIR)/incremental

.PHONY: bench bench-incremental

clean:
	rm -rf build build-asan noticeboard noticeboard-engine public public.nb-a public.nb-b

.PHONY: all site test test-asan install uninstall clean deps FORCE
