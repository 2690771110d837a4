# opsdeck — plain Makefile. Objects under $(BUILD)/, binaries under $(BIN)/.
# Sources are found by glob, so adding a file needs no edit here:
#   core/**/*.c   -> $(BUILD)/libopsdeck-core.a   (never includes curses)
#   tui/*.c       -> $(BUILD)/libopsdeck-tui.a
#   screens/*.c   -> $(BUILD)/libopsdeck-screens.a
#   cmd/*.c       -> $(BIN)/opsdeck   (commands table generated from cmd/cmd_*.c)
#   tests/sim/*.c -> $(BIN)/opsdeck-sim
#   tests/unit/test_*.c, tests/integration/test_*.c -> $(BUILD)/tests/<name> (cmocka)
#   tests/fuzz/fuzz_*.c -> $(BUILD)/fuzz/<name> (clang libFuzzer, `make fuzz`)
# Variants: `make asan`, `make tsan` build into build-asan/ and build-tsan/.

PREFIX   ?= /usr/local
BUILD    ?= build
BIN      ?= bin
CC       ?= cc
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
PKGS     := ncursesw libpq libcurl libcjson libsodium libmicrohttpd inih
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

WARN     := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wformat=2 -Wvla
OPT      ?= -O2 -g
SAN      ?=
CFLAGS   ?=
CPPFLAGS += -I. -I$(BUILD)/gen -D_GNU_SOURCE -DOPSDECK_VERSION='"$(VERSION)"'
ALL_CFLAGS = -std=c11 $(OPT) $(WARN) $(SAN) -pthread -MMD -MP $(PKG_CFLAGS) $(CFLAGS)
LDLIBS   := $(PKG_LIBS) -lm -pthread

CORE_SRC    := $(sort $(wildcard core/*.c core/*/*.c))
TUI_SRC     := $(sort $(wildcard tui/*.c))
SCREENS_SRC := $(sort $(wildcard screens/*.c))
CMD_SRC     := $(sort $(wildcard cmd/*.c))
SIM_SRC     := $(sort $(wildcard tests/sim/*.c))
UNIT_SRC    := $(sort $(wildcard tests/unit/test_*.c))
INTEG_SRC   := $(sort $(wildcard tests/integration/test_*.c))
TESTLIB_SRC := $(sort $(wildcard tests/lib/*.c))
FUZZ_SRC    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRC   := $(sort $(wildcard bench/*.c))
SQL_FILES   := $(sort $(wildcard sql/*.sql))
THEME_FILES := $(sort $(wildcard themes/*.theme))

# Quiet by default; `make V=1` shows full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
CORE_OBJ    := $(call obj,$(CORE_SRC)) $(BUILD)/gen/embedded.o
TUI_OBJ     := $(call obj,$(TUI_SRC))
SCREENS_OBJ := $(call obj,$(SCREENS_SRC))
CMD_OBJ     := $(call obj,$(CMD_SRC))
SIM_OBJ     := $(call obj,$(SIM_SRC))
TESTLIB_OBJ := $(call obj,$(TESTLIB_SRC))
TEST_BINS   := $(patsubst tests/%.c,$(BUILD)/tests/%,$(UNIT_SRC) $(INTEG_SRC))
BENCH_BINS  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

LIBCORE    := $(BUILD)/libopsdeck-core.a
LIBTUI     := $(BUILD)/libopsdeck-tui.a
LIBSCREENS := $(BUILD)/libopsdeck-screens.a

# Generated from the command tables by the binaries themselves (cmd/cmd_man.c,
# cmd/cmd_completion.c, tests/sim/sim_usage.c), so they always match what was built.
MAN_PAGES   := $(BUILD)/man/opsdeck.1 $(BUILD)/man/opsdeck-sim.1
COMPLETIONS := $(BUILD)/completion/opsdeck.bash $(BUILD)/completion/_opsdeck
# The date in the man pages: the last commit's, so a rebuild gives the same pages.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
export SOURCE_DATE_EPOCH

.PHONY: benches bench-quick console deb check-layers all deps test test-quick asan tsan fuzz demo bench faults soak coverage install clean format check-format tests
all: $(BIN)/opsdeck $(BIN)/opsdeck-sim $(MAN_PAGES) $(COMPLETIONS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

# Commands: every `const struct od_command cmd_X_def` in cmd/ becomes a table row.
$(BUILD)/gen/commands.inc: $(CMD_SRC)
	@mkdir -p $(dir $@)
	sed -n 's/^const struct od_command \(cmd_[a-z0-9_]*_def\).*/X(\1)/p' $(CMD_SRC) > $@.tmp && mv $@.tmp $@
$(BUILD)/cmd/main.o: $(BUILD)/gen/commands.inc

# Migrations, themes and the runbook (the health checks' "what to do") are embedded so an
# installed binary needs no data files.
$(BUILD)/gen/embedded.c: $(SQL_FILES) $(THEME_FILES) docs/runbook.md scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh $(SQL_FILES) $(THEME_FILES) docs/runbook.md > $@.tmp && mv $@.tmp $@
$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(LIBCORE): $(CORE_OBJ)
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^
$(LIBTUI): $(TUI_OBJ)
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^
$(LIBSCREENS): $(SCREENS_OBJ)
	@mkdir -p $(dir $@); rm -f $@; ar rcs $@ $^

$(BIN)/opsdeck: $(CMD_OBJ) $(LIBSCREENS) $(LIBTUI) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(CMD_OBJ) $(LIBSCREENS) $(LIBTUI) $(LIBCORE) $(LDLIBS)

$(BIN)/opsdeck-sim: $(SIM_OBJ) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(SIM_OBJ) $(LIBCORE) $(LDLIBS)

$(BUILD)/man/opsdeck.1: $(BIN)/opsdeck
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)$(BIN)/opsdeck man >$@.tmp && mv $@.tmp $@
$(BUILD)/man/opsdeck-sim.1: $(BIN)/opsdeck-sim
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)$(BIN)/opsdeck-sim --man >$@.tmp && mv $@.tmp $@
$(BUILD)/completion/opsdeck.bash: $(BIN)/opsdeck
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)$(BIN)/opsdeck completion bash >$@.tmp && mv $@.tmp $@
$(BUILD)/completion/_opsdeck: $(BIN)/opsdeck
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)$(BIN)/opsdeck completion zsh >$@.tmp && mv $@.tmp $@

$(BUILD)/tests/%: tests/%.c $(TESTLIB_OBJ) $(LIBSCREENS) $(LIBTUI) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIBSCREENS) $(LIBTUI) $(LIBCORE) $(CMOCKA_LIBS) $(LDLIBS)

# Benchmarks in C link like tests (they may use tests/lib/testdb for a fresh database).
$(BUILD)/bench/%: bench/%.c $(TESTLIB_OBJ) $(LIBSCREENS) $(LIBTUI) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(TESTLIB_OBJ) $(LIBSCREENS) $(LIBTUI) $(LIBCORE) $(CMOCKA_LIBS) $(LDLIBS)

tests: $(TEST_BINS) $(BENCH_BINS) $(BIN)/opsdeck $(BIN)/opsdeck-sim
benches: $(BENCH_BINS) $(BIN)/opsdeck $(BIN)/opsdeck-sim

deps:
	sh scripts/deps.sh

# `make test`: install what is missing, build, run check-format, check-layers and every suite
# (plain, ASan+UBSan, TSan) against a private PostgreSQL; last line is "N passed, N failed".
test:
	@sh scripts/deps.sh
	@$(MAKE) --no-print-directory tests
	@sh tests/run.sh

test-quick: tests
	@OPSDECK_TEST_SANITIZERS=0 sh tests/run.sh

# -O1 changes what GCC's format-truncation heuristic sees; the plain build keeps that check.
asan:
	$(MAKE) BUILD=build-asan BIN=build-asan/bin OPT='-O1 -g -fno-omit-frame-pointer -Wno-format-truncation' SAN='-fsanitize=address,undefined -fno-sanitize-recover=undefined' tests
tsan:
	$(MAKE) BUILD=build-tsan BIN=build-tsan/bin OPT='-O1 -g -Wno-format-truncation' SAN='-fsanitize=thread' tests

fuzz:
	sh tests/fuzz/run.sh $${FUZZ_SECONDS:-60}

demo:
	@sh scripts/demo.sh
# Reopen the demo's console (its configuration and cluster, started again if stopped).
console:
	@sh scripts/demo.sh --console

bench: benches
	@sh bench/run.sh $(BENCH_ARGS)
bench-quick: benches
	@sh bench/run.sh --quick
faults:
	@sh tests/faults/run.sh
soak:
	@sh tests/soak/run.sh $${MINUTES:-10}
coverage:
	@sh scripts/coverage.sh

# Binaries, man pages, bash and zsh completion, themes, documentation.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/opsdeck/themes $(DESTDIR)$(PREFIX)/share/doc/opsdeck \
	    $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 0755 $(BIN)/opsdeck $(BIN)/opsdeck-sim $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(BUILD)/completion/opsdeck.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/opsdeck
	install -m 0644 $(BUILD)/completion/_opsdeck $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_opsdeck
	install -m 0644 $(THEME_FILES) $(DESTDIR)$(PREFIX)/share/opsdeck/themes/
	install -m 0644 README.md CHANGELOG.md $(wildcard docs/*.md) $(DESTDIR)$(PREFIX)/share/doc/opsdeck/

# `make deb`: build/opsdeck_<version>_<arch>.deb with dpkg-deb (scripts/deb.sh says what is in it).
deb: all
	@sh scripts/deb.sh

# Every C file and header we write: core, tui, screens, cmd, tests (unit, integration, sim,
# fuzz, lib) and bench. tests/run.sh runs check-format and check-layers as counted checks.
FORMAT_SRC := $(sort $(wildcard core/*.[ch] core/*/*.[ch] tui/*.[ch] screens/*.[ch] cmd/*.[ch] \
                                tests/*/*.[ch] bench/*.[ch]))
format:
	clang-format -i $(FORMAT_SRC)
check-format:
	@clang-format --dry-run -Werror $(FORMAT_SRC) || \
	    { echo "check-format: the files above are not clang-formatted; run make format"; exit 1; }
	@echo "check-format: $(words $(FORMAT_SRC)) files clang-formatted"
# The dependency rule of docs/HACKING.md: no include up the layers, no include circles.
check-layers:
	@python3 scripts/check-layers.py

clean:
	rm -rf build build-asan build-tsan bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
