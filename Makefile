# Winston conformance suite. Two commands matter:
#   make conformance   run the suite (replays the committed cassettes unless WINSTON_* say otherwise)
#   make test          every test: harness unit tests, the suite in replay, the suite live against the sandbox
SHELL := bash
# The variables read from make's command line. Any other is refused: a typo
# such as FOKUS=AUTH-001 or focus=... would be ignored and run everything.
# WINSTON_* are checked by the suite itself (config names the closest one).
COMMAND_VARS := FOCUS LABELS REPORT_DIR GINKGO_FLAGS BASELINE CURRENT ARGS FUZZTIME BENCH_FLAGS SELFCHECK_DIR RECORD_HTTPS RECORD_HTTP HISTORY GO GOFLAGS
unknown_vars := $(filter-out $(COMMAND_VARS) WINSTON_%,$(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $(v))),$(v))))
ifneq ($(strip $(unknown_vars)),)
$(error $(unknown_vars): not a variable this Makefile reads, so it would be ignored; check the spelling and case: it reads $(COMMAND_VARS) and WINSTON_* (see the README))
endif
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
GINKGO := $(GO) tool ginkgo
BIN := $(CURDIR)/bin
STAMP := $(shell date -u +%Y%m%d-%H%M%S)
# Trimmed as the suite trims them, so that the folder named here is the one
# the suite writes ('live ' is live).
MODE := $(or $(strip $(WINSTON_MODE)),replay)
# WINSTON_REPORT_DIR, as the README documents it, else a new directory per run.
REPORT_DIR ?= $(or $(strip $(WINSTON_REPORT_DIR)),$(CURDIR)/reports/$(STAMP)-$(MODE))
# FOCUS selects requirements by ID or title (a regular expression), e.g. FOCUS=AUTH-00[1-3];
# a family name (FOCUS=auth, any case, or FOCUS='auth|schemas') selects whole families, as a pattern
# would match only the titles that happen to hold the word. LABELS is a
# Ginkgo label filter, e.g. LABELS='auth && !mutating'. Both reach Ginkgo
# through the environment ("$$FOCUS"), never pasted into the command line,
# so that a quote or a semicolon in them is just a character.
FOCUS ?=
LABELS ?=
export FOCUS LABELS
GINKGO_FLAGS ?=
# The check families (catalogue.Families; an e2e test keeps the two alike).
FAMILIES := auth structure transport errors schemas behaviour
empty :=
FAMILY_CASE := $(subst $(empty) $(empty),|,$(FAMILIES))
# The suite's version is stamped into the binary at build, so that a run
# need not start git to name it in the report (see report.StampFlags); a
# version with characters a shell would read is left to the run to find.
SUITE_VERSION := $(shell git describe --always --dirty --tags 2>/dev/null | grep -E '^[A-Za-z0-9._+/-]+$$')
STAMP_FLAG = $(if $(SUITE_VERSION),--ldflags='-X github.com/winston-conformance/winston-conformance/harness/report.stampedVersion=$(SUITE_VERSION)')

.PHONY: help conformance test unit browser suite-replay suite-live record sandbox compare selfcheck fuzz bench lint families

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

conformance: ## run the suite and write the report; exits non-zero on every verdict but pass
	@# With a WINSTON_CONFIG file and no folder named on the command line or in
	@# WINSTON_REPORT_DIR, the suite's own reading of the file names the folder
	@# (its reportDir, else reports/<time>-<the file's mode>). A folder that
	@# cannot be made (a file) is the suite's to explain. The verdict reads only
	@# a report of this run: one from an earlier run in a reused folder is
	@# refused (the suite may stop before writing one).
	@dir="$(REPORT_DIR)"; \
	if [ -n "$${WINSTON_CONFIG:-}" ] && [ "$(origin REPORT_DIR)" = file ] && [ -z "$(strip $(WINSTON_REPORT_DIR))" ]; then \
	  named=$$($(GO) run ./harness/cmd/verdict -print-report-dir 2>/dev/null) && [ -n "$$named" ] && dir="$$named" || true; \
	fi; \
	mkdir -p "$$dir" 2>/dev/null || true; \
	focus="$$FOCUS"; labels="$$LABELS"; families=$$(printf '%s' "$$FOCUS" | tr '[:upper:]' '[:lower:]' | tr -d ' '); \
	only=; if [ -n "$$families" ]; then only=yes; IFS='|' read -ra parts <<< "$$families|"; \
	  for p in "$${parts[@]}"; do case "$$p" in $(FAMILY_CASE)) ;; *) only=;; esac; done; fi; \
	if [ -n "$$only" ]; then expr=$${families//|/ || }; \
	  echo "FOCUS=$$FOCUS names check families: running each family whole (--label-filter '$$expr')"; \
	  focus=; labels="$$expr"; case "$$expr" in *"||"*) labels="($$expr)";; esac; labels="$$labels$${LABELS:+ && ($$LABELS)}"; \
	fi; \
	since=$$(date -u +%s.%N); status=0; \
	WINSTON_REPORT_DIR="$$dir" $(GINKGO) $(STAMP_FLAG) $(GINKGO_FLAGS) $${focus:+--focus "$$focus"} $${labels:+--label-filter "$$labels"} ./suites || status=$$?; \
	$(GO) run ./harness/cmd/verdict -since "$$since" -suite-exit "$$status" "$$dir"

test: unit suite-replay suite-live selfcheck fuzz ## every test (what CI runs)

unit: browser ## vet and unit tests of the harness, with the race detector
	$(GO) vet ./...
	WINSTON_REQUIRE_BROWSER=$(BROWSER_REQUIRED) $(GO) test -race -count=1 ./harness/...

# The HTML report is checked in headless Chromium (Debian's package). As root
# (CI) it is installed when missing and then required; elsewhere the test
# skips, saying so, when it is absent.
BROWSER_REQUIRED = $(if $(shell command -v chromium),1,)
browser: ## install Debian's chromium for the report's browser test, when root and missing
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ echo "installing chromium for the report's browser test"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; } || \
		echo "chromium not installed: the report's browser test will be skipped (apt-get install chromium)"

suite-replay: ## the suite from the committed cassettes, offline
	@$(MAKE) --no-print-directory conformance WINSTON_MODE=replay REPORT_DIR="$(CURDIR)/reports/test-$(STAMP)-replay"

suite-live: $(BIN)/withsandbox ## the suite live against a sandbox started and stopped here
	@$(BIN)/withsandbox -- $(MAKE) --no-print-directory conformance WINSTON_MODE=live REPORT_DIR="$(CURDIR)/reports/test-$(STAMP)-live"

# The sandbox's addresses while recording: fixed, so that the cassettes name the same target
# each time; set others (make record RECORD_HTTPS=127.0.0.1:28443 RECORD_HTTP=127.0.0.1:28080)
# when these are taken.
RECORD_HTTPS ?= 127.0.0.1:18443
RECORD_HTTP ?= 127.0.0.1:18080

record: $(BIN)/withsandbox ## re-record cassettes: from the sandbox, or from WINSTON_BASE_URL when set (FOCUS=ID for one)
ifeq ($(WINSTON_BASE_URL),)
	@$(BIN)/withsandbox --https $(RECORD_HTTPS) --http $(RECORD_HTTP) -- $(MAKE) --no-print-directory conformance WINSTON_MODE=record REPORT_DIR="$(if $(filter command line environment,$(origin REPORT_DIR)),$(REPORT_DIR),$(CURDIR)/reports/$(STAMP)-record)"
else
	@# The URL itself is not echoed: it could carry credentials; the report shows it cleaned.
	@echo "make record: recording from the target in WINSTON_BASE_URL (it is set), not from the local sandbox, into the cassettes; to record from the sandbox, unset WINSTON_BASE_URL"
	@$(MAKE) --no-print-directory conformance WINSTON_MODE=record
endif

sandbox: ## run the sandbox in the foreground for offline development (ARGS=--fault NAME ...)
	$(GO) run ./harness/cmd/sandbox $(ARGS)

families: ## print the check families (FOCUS=family runs one)
	@echo $(FAMILIES)

compare: ## compare two report directories: make compare BASELINE=dir CURRENT=dir [HISTORY=dir of earlier runs]
	@test -n "$(BASELINE)" -a -n "$(CURRENT)" || { echo "usage: make compare BASELINE=dir CURRENT=dir (report directories)"; exit 2; }
	$(GO) run ./harness/cmd/compare -baseline "$(BASELINE)" -current "$(CURRENT)" $(if $(HISTORY),-history "$(HISTORY)")

SELFCHECK_DIR ?= $(CURDIR)/reports/selfcheck
# A count, not a duration, for make test: a duration-bound fuzz run can end
# with "context deadline exceeded" when a worker is mid-input as time runs out
# on a loaded machine. make fuzz FUZZTIME=5m searches longer.
FUZZTIME ?= 20000x

selfcheck: ## the fault matrix: the suite live against the sandbox once per fault (fails if a fault is not caught or a requirement is unproven)
	$(GO) run ./harness/cmd/selfcheck -out "$(SELFCHECK_DIR)"

fuzz: ## the fuzz targets, FUZZTIME each (default 20000 inputs; make fuzz FUZZTIME=5m for a longer search)
	$(GO) test -run '^$$' -fuzz '^FuzzResponseJSON$$' -fuzztime $(FUZZTIME) ./harness/client
	$(GO) test -run '^$$' -fuzz '^FuzzValidate$$' -fuzztime $(FUZZTIME) ./harness/schema
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./harness/cassette
	$(GO) test -run '^$$' -fuzz '^FuzzCanonicalBody$$' -fuzztime $(FUZZTIME) ./harness/cassette
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeEntry$$' -fuzztime $(FUZZTIME) ./harness/cassette
	$(GO) test -run '^$$' -fuzz '^FuzzItemsMatchesEncodingJSON$$' -fuzztime $(FUZZTIME) ./harness/conformance
	$(GO) test -run '^$$' -fuzz '^FuzzFinder$$' -fuzztime $(FUZZTIME) ./harness/redact

bench: ## the performance figures as ratios (~70 s; BENCH_FLAGS='-count 6 -out bench.txt' for benchstat)
	$(GO) run ./harness/bench/cmd/benchreport $(BENCH_FLAGS)

lint: ## golangci-lint with the repository's configuration
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0 run ./...

# bin/withsandbox as well as its absolute path, as a reader types it.
bin/withsandbox: $(BIN)/withsandbox

$(BIN)/withsandbox: $(shell find harness -name '*.go' -not -name '*_test.go')
	@mkdir -p $(BIN)
	$(GO) build -o $@ ./harness/cmd/withsandbox
