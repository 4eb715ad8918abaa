# crossproof -- certified audit of arXiv 2602.04872.
#
#   make            build build/crossproof and build/libcrossproof.a
#   make audit      run every theorem check, write docs/report.md
#   make check      build and run the test suite (unit + end-to-end)
#   make memcheck   the unit tests under valgrind (no errors, no leaks)
#   make sanitize   the test suite built with ASan + UBSan (build-san/)
#   make fuzz       libFuzzer on the theorem and key=value parsers (FUZZ_SECONDS each)
#   make install PREFIX=/usr/local
#
# Arb comes in two layouts: Debian 12 ships FLINT 2.9 with a separate Arb 2.23
# (<arb.h>, -lflint-arb); FLINT 3 merges Arb into FLINT (<flint/arb.h>, -lflint).
# Both are detected below; include/crossproof/arbcompat.h hides the difference.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
# Never -ffast-math: Arb's and MPFR's rounding guarantees assume IEEE-754 semantics.
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -Wall -Wextra -D_GNU_SOURCE -Iinclude -MMD -MP
# GCC 12 reports false -Wstringop-overread positives on FLINT calls whose
# arguments are members of a `const cp_model_t` parameter (an array-of-one
# type); the accesses are in bounds, so that one diagnostic is silenced.
CFLAGS   += $(shell $(CC) -Wno-stringop-overread -x c -fsyntax-only /dev/null 2>/dev/null && echo -Wno-stringop-overread)
# Position-independent code so that the same objects make the shared library
# (make install); no semantic interposition keeps calls inside the library direct.
CFLAGS   += -fPIC -fno-semantic-interposition
LDFLAGS  ?=

DEB_PACKAGES := libmpfr-dev libgmp-dev libflint-dev libflint-arb-dev libcmocka-dev libopenblas-dev pkgconf

# --- dependency layout -----------------------------------------------------
FLINT3 := $(shell printf '\#include <flint/arb.h>\nint main(void){return 0;}\n' | \
            $(CC) -x c - -fsyntax-only >/dev/null 2>&1 && echo yes)
ifeq ($(FLINT3),yes)
  CFLAGS   += -DCP_FLINT3=1
  ARB_LIBS := -lflint
else
  ARB_LIBS := -lflint-arb -lflint
endif
LIBS := $(ARB_LIBS) -lmpfr -lgmp -lopenblas -lpthread -lm

# --- sources ---------------------------------------------------------------
CORE_SRC   := $(filter-out src/main.c,$(wildcard src/*.c))
CHECK_SRC  := $(wildcard checks/*.c)
CORE_OBJ   := $(CORE_SRC:%.c=$(BUILD)/%.o)
CHECK_OBJ  := $(CHECK_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ   := $(BUILD)/src/main.o
LIB        := $(BUILD)/libcrossproof.a
# The installed libraries hold the core and the check modules (the quantity
# and check registries live in checks/registry.c), so a program that links
# them alone resolves every symbol of the public headers.
VERSION    := $(shell sed -n 's/^const char cp_version_string\[\] = "\(.*\)";/\1/p' src/versions.c)
SOMAJOR    := 0
SHLIB      := $(BUILD)/libcrossproof.so.$(VERSION)
FULL_LIB   := $(BUILD)/libcrossproof-full.a
PROG       := $(BUILD)/crossproof
TEST_SRC   := $(wildcard tests/test_*.c)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_SRC  := $(wildcard bench/*.c)
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps audit check unit e2e memcheck install clean bench figures mutate

all: deps $(PROG)

# Installs missing Debian packages when run as root; otherwise prints the exact
# command ("as root: apt-get install -y ...", since a minimal Debian has no
# privilege wrapper) and
# stops with exit code 2.  The C compiler is one of them: without $(CC) the
# package build-essential is installed (or named).  Every compile rule
# order-only-depends on deps, so with any -j the installation finishes
# before anything compiles.
deps:
	@missing=""; \
	if ! command -v $(firstword $(CC)) >/dev/null 2>&1; then missing=" build-essential"; fi; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	  done; \
	elif [ -n "$$missing" ]; then \
	  echo "crossproof: no C compiler ($(firstword $(CC))) and no dpkg: install a C compiler (Debian: build-essential)"; exit 2; \
	fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "crossproof: installing missing Debian packages:$$missing"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null; } || \
	      { echo "crossproof: apt-get install failed; as root: apt-get install -y$$missing"; exit 2; }; \
	  else \
	    echo "crossproof: missing Debian packages. Run, as root:"; \
	    echo "  apt-get install -y$$missing"; \
	    exit 2; \
	  fi; \
	fi

# The source revision (git describe; "unknown" outside a git checkout) is
# recorded in --version, report, JSON and CSV headers.  The header is
# rewritten only when the revision changes, so versions.o is rebuilt then and
# only then.
REVISION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(BUILD)/revision.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define CP_SOURCE_REVISION "%s"\n' '$(REVISION)' > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
.PHONY: FORCE
FORCE:
$(BUILD)/src/versions.o: $(BUILD)/revision.h
$(BUILD)/src/versions.o: CFLAGS += -I$(BUILD)

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(PROG): $(MAIN_OBJ) $(CHECK_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(CHECK_OBJ) $(LIB) $(LIBS)

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(CHECK_OBJ) $(LIB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CHECK_OBJ) $(LIB) $(LIBS) -lcmocka

$(BUILD)/bench/%: bench/%.c $(CHECK_OBJ) $(LIB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CHECK_OBJ) $(LIB) $(LIBS)

audit: all
	$(PROG) audit --report docs/report.md --json $(BUILD)/audit.json

# Every certified claim's perturbed variants must fail to certify
# (make check runs the fast mode through tests/e2e.sh).
mutate: all
	$(PROG) mutate

unit: deps $(TEST_BIN)

e2e: all
	@BUILD=$(BUILD) sh tests/e2e.sh

# The end-to-end tests read JSON with python3, do arithmetic with bc and
# drive a terminal with script (bsdutils): check installs (or names) them too.
TEST_PACKAGES := python3 bc bsdutils

check: deps $(PROG) $(TEST_BIN)
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(TEST_PACKAGES)"
	@BUILD=$(BUILD) sh tests/run.sh $(TEST_BIN)

memcheck: deps $(PROG) $(TEST_BIN)
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="valgrind $(TEST_PACKAGES)"
	@BUILD=$(BUILD) CP_VALGRIND=1 sh tests/run.sh $(TEST_BIN)

# --- fuzzing and sanitizers ------------------------------------------------
# make sanitize: library, program and tests built with ASan + UBSan into
# $(BUILD)-san, then the whole test suite (tests/run.sh, unit + e2e).
# make fuzz: the libFuzzer harnesses tests/fuzz_*.c built with clang into
# $(BUILD)-fuzz, each run FUZZ_SECONDS; a crash fails the target and leaves the
# input in $(BUILD)-fuzz/artifacts/ (add it to tests/fuzz/regressions/, which
# tests/test_fuzz_regressions.c replays in make check).
SAN_BUILD     ?= $(BUILD)-san
SAN_FLAGS     := -fsanitize=address,undefined -fno-omit-frame-pointer
# Sanitizer reports also go to files in $(SAN_BUILD)/sanitizer-logs/ so that one
# is caught even where an e2e case expects a non-zero exit; an ERROR or a
# runtime error there fails the target (warnings do not).  CP_SANITIZE=1 lets a test skip what ASan cannot run
# (ulimit -v: ASan reserves terabytes of shadow address space).  Allocations
# that fail return NULL as with glibc (allocator_may_return_null=1), so the
# tests of allocation-failure handling test our code, not ASan's abort.
SAN_LOG        = $(abspath $(SAN_BUILD))/sanitizer-logs
SAN_LSAN      := LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
SAN_ENV       := UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 $(SAN_LSAN)
FUZZ_BUILD    ?= $(BUILD)-fuzz
FUZZ_SECONDS  ?= 60
FUZZ_PACKAGES := clang libclang-rt-14-dev
FUZZ_TARGETS  := theorem:16384 kv:4096
FUZZ_BIN      := $(BUILD)/fuzz/fuzz_theorem $(BUILD)/fuzz/fuzz_kv
.PHONY: sanitize fuzz fuzz-bin

sanitize: deps
	@rm -rf $(SAN_LOG); mkdir -p $(SAN_LOG); \
	CFLAGS="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" $(SAN_LSAN) CP_SANITIZE=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(SAN_LOG)/ubsan \
	  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:log_path=$(SAN_LOG)/asan \
	  $(MAKE) --no-print-directory BUILD=$(SAN_BUILD) check; rc=$$?; \
	if grep -q -E 'ERROR|runtime error' $(SAN_LOG)/* 2>/dev/null; then \
	  echo "sanitizer reports in $(SAN_LOG):"; head -40 $(SAN_LOG)/*; exit 1; fi; \
	exit $$rc

fuzz: deps
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(FUZZ_PACKAGES)"
	@CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -Wno-unknown-warning-option" \
	  $(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang fuzz-bin
	@mkdir -p $(FUZZ_BUILD)/artifacts; \
	for t in $(FUZZ_TARGETS); do n=$${t%%:*}; len=$${t#*:}; \
	  mkdir -p $(FUZZ_BUILD)/corpus_$$n; \
	  echo "fuzz_$$n: $(FUZZ_SECONDS) s, -max_len=$$len"; \
	  $(SAN_ENV) OPENBLAS_NUM_THREADS=1 $(FUZZ_BUILD)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=$$len -timeout=20 -print_final_stats=1 -dict=tests/fuzz/$$n.dict \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$n- $(FUZZ_BUILD)/corpus_$$n \
	    tests/fuzz/corpus_$$n tests/fuzz/regressions > $(FUZZ_BUILD)/fuzz_$$n.log 2>&1 \
	  || { tail -60 $(FUZZ_BUILD)/fuzz_$$n.log; \
	       echo "fuzz_$$n FAILED: input in $(FUZZ_BUILD)/artifacts/; copy it to tests/fuzz/regressions/"; exit 1; }; \
	  grep -E '^#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss' $(FUZZ_BUILD)/fuzz_$$n.log; \
	done

fuzz-bin: $(FUZZ_BIN)

$(BUILD)/fuzz/%: tests/%.c tests/fuzz_targets.h $(CHECK_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(CHECK_OBJ) $(LIB) $(LIBS)

bench: deps $(PROG) $(BENCH_BIN)
	@st=0; for b in $(BENCH_BIN); do $$b || st=1; done; \
	  sh bench/compare_numpy.sh $(PROG) || st=1; exit $$st

# Paper-style figures (SVG + PNG in docs/figures/) with gnuplot; data in $(BUILD)/figures-data.
figures: all
	@$(MAKE) --no-print-directory deps DEB_PACKAGES=gnuplot-nox
	sh docs/figures/make_figures.sh $(PROG) $(BUILD)/figures-data

$(FULL_LIB): $(CORE_OBJ) $(CHECK_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHLIB): $(CORE_OBJ) $(CHECK_OBJ)
	$(CC) -shared -Wl,-soname,libcrossproof.so.$(SOMAJOR) -Wl,--no-undefined $(LDFLAGS) -o $@ $^ $(LIBS)

# crossproof.pc records the libraries this build linked against (FLINT 3 or
# FLINT 2.9 + Arb); they are public (Libs), not private, because the headers
# expose FLINT and Arb types that a caller initialises and clears itself.  The
# headers pick the matching Arb layout by __has_include.
install: all $(FULL_LIB) $(SHLIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/crossproof \
	  $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/crossproof
	install -m 644 $(FULL_LIB) $(DESTDIR)$(PREFIX)/lib/libcrossproof.a
	install -m 755 $(SHLIB) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libcrossproof.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libcrossproof.so.$(SOMAJOR)
	ln -sf libcrossproof.so.$(SOMAJOR) $(DESTDIR)$(PREFIX)/lib/libcrossproof.so
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: crossproof' \
	  'Description: certified audit of arXiv 2602.04872 (ball arithmetic core, double engine)' \
	  'Version: $(VERSION)' \
	  'Cflags: -I$${includedir}' \
	  'Libs: -L$${libdir} -lcrossproof $(ARB_LIBS) -lmpfr -lgmp' \
	  'Libs.private: -lopenblas -lpthread -lm' > $(DESTDIR)$(PREFIX)/lib/pkgconfig/crossproof.pc
	install -m 644 include/crossproof/*.h $(DESTDIR)$(PREFIX)/include/crossproof/
	install -m 644 docs/crossproof.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)

-include $(CORE_OBJ:.o=.d) $(CHECK_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
