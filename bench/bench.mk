# make bench · make test-size (issue #8). Included from the root Makefile, which provides
# `build`, `sandbox`, SHELL and PATH (root node_modules/.bin, ~/.cargo/bin).
#   make bench       sizes, times (on loopback, fast and slow 4G, and a phone: slow 4G with the CPU throttled 4×),
#                    memory and Lighthouse's mobile run of the widget beside a plain link and
#                    @getchange/change-drop-in; Markdown on stdout, bench/results.json
#   make test-size   the CI check: fails when dist/ grew > 5% over bench/size-budget.json
# bench/README.md explains the figures and how to move the budget deliberately.

BENCH_RUNS ?= 11
BENCH_LIGHTHOUSE_RUNS ?= 3
BENCH_TWIGGY_VERSION := 0.8.0

.PHONY: bench test-size bench-deps bench-twiggy

bench: build sandbox bench-deps bench-twiggy
	BENCH_RUNS=$(BENCH_RUNS) BENCH_LIGHTHOUSE_RUNS=$(BENCH_LIGHTHOUSE_RUNS) node bench/run.mjs

## The bench's own npm project (change-drop-in, lighthouse, playwright-core); no browser download.
bench-deps:
	@[ -f bench/node_modules/.package-lock.json ] && [ ! bench/package-lock.json -nt bench/node_modules/.package-lock.json ] \
	  || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix bench --no-audit --no-fund

## twiggy reads what the wasm is made of; installed once.
bench-twiggy:
	@twiggy --version 2>/dev/null | grep -q ' $(BENCH_TWIGGY_VERSION)$$' \
	  || cargo install twiggy --version $(BENCH_TWIGGY_VERSION) --locked

test-size: build
	@$(TALLY) check size -- node bench/size.mjs

## The partner server under load (issue #17): two instances sharing a throwaway PostgreSQL,
## then one on SQLite; prints the table servers/partner/README.md shows, writes
## bench/partner-load.json, and fails if anything was lost or doubled.
.PHONY: bench-partner
bench: bench-partner
bench-partner: setup
	cargo build --release -p sir-sandbox -p sir-partner-server
	cargo build --release -p sir-partner-server --example load
	scripts/with-postgres.sh target/release/examples/load

## The partner server under injected faults (issue #20, item 7); in neither `make bench` nor
## `make test` (whose test-faults tier runs the small version). Two instances on a throwaway
## PostgreSQL, 1,000 donations paid at the sandbox while one instance is SIGKILLed and
## restarted, PostgreSQL restarted, one address holds 2,000 idle connections and eight drip
## slow bodies; prints the table (also in bench/results/faults-<date>.md) and fails if a paid
## reward was lost or doubled. bench/faults.mjs says how each figure is counted.
.PHONY: bench-faults
bench-faults: servers
	bench/faults/netns.sh node bench/faults.mjs
