# sir-donate: the two commands are `make demo` and `make test` (see README.md).
# Every target installs what is missing first (scripts/setup.sh, idempotent).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Two cores here: build with both, but no more.
export CARGO_BUILD_JOBS ?= 2
# make test builds each crate once; incremental caches would only fill the disk (export 1 to keep them).
export CARGO_INCREMENTAL ?= 0
# trunk runs offline and finds wasm-bindgen and wasm-opt (npm binaryen) on PATH only.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# wasm-bindgen-test drives the Debian Chromium through its driver; test-wasm-firefox and
# test-wasm-webkit name their own drivers (GECKODRIVER and SAFARIDRIVER win over this one).
export CHROMEDRIVER ?= /usr/bin/chromedriver
GECKODRIVER ?= $(HOME)/.cargo/bin/geckodriver
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER := wasm-bindgen-test-runner

DEMO_SANDBOX_PORT ?= 8787
DEMO_PAGE_PORT ?= 8080
# Browser tests get their own sandbox, so they can run beside `make demo`.
TEST_SANDBOX_PORT ?= 8792
SANDBOX := target/debug/sir-sandbox
FIRST_VIEW := tools/first-view/Cargo.toml
# Its own target directory: its leptos (ssr) beside the widget's (csr) in one directory made later
# builds fail with "multiple different versions of crate leptos". js/build.mjs uses the same.
FIRST_VIEW_TARGET := $(CURDIR)/target/tools

.PHONY: help setup build servers sandbox demo examples test test-tiers lint test-native test-types test-wasm \
  test-wasm-chromium test-wasm-firefox test-wasm-webkit test-baseline test-e2e test-wordpress clean

help:
	@echo "make demo   build, start the SIR sandbox and the partner server with the demo page"
	@echo "make test   lint and run every test tier (native, wasm and end-to-end in Chromium, Firefox, WebKit)"
	@echo "make check  the inner loop: fmt, clippy and the native tests, no browser"
	@echo "make build  the distributable bundle in dist/"
	@echo "make bench  sizes, times and memory beside a plain link and change-drop-in (bench/README.md)"

setup:
	@scripts/setup.sh

# The shipped wasm rebuilds std for size (scripts/build-wasm.sh): -20.2 KB gzip of wasm
# (docs/decisions/2026-11-25-size-tuned-std.md). SIZE_TUNED_STD=0 builds with the stock std instead,
# should a future toolchain drop one of its unstable flags.
SIZE_TUNED_STD ?= 1
export SIZE_TUNED_STD

## The distributable bundle: dist/sir-donate.js (loader) + dist/wasm/ (glue, main wasm and
## its lazily loaded chunks), the playground page, and the npm package in dist/npm/ (packed
## as dist/sir-donate-<version>.tgz), and beside it the WordPress plugin (integrations/wordpress/)
## as dist/sir-donate-wordpress-<version>.zip. Not through trunk: it can't run the splitter
## between cargo and wasm-bindgen (trunk#1022); scripts/build-wasm.sh does the pipeline.
build: setup
	scripts/build-wasm.sh
	node js/build.mjs
	python3 scripts/pack-wordpress-plugin.py

## The React, Vue and Next.js examples (examples/*) on the freshly packed tarball. Setup installed
## their other dependencies, so this needs no network; `--no-save` keeps their lockfiles as
## committed (a locked tarball would pin one build's checksum).
EXAMPLES_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
examples: build
	@for example in examples/*/; do \
	  (cd $$example && npm install --no-save --offline --no-audit --no-fund --loglevel=error \
	    ../../dist/sir-donate-$(EXAMPLES_VERSION).tgz); \
	done

sandbox: servers

## The SIR sandbox emulator and the reference partner server.
servers: setup
	cargo build -p sir-sandbox -p sir-partner-server

demo: build servers
	@scripts/demo.sh $(DEMO_SANDBOX_PORT) $(DEMO_PAGE_PORT)

# Every tier runs (make -k), even after one failed, and leaves its counts in
# target/test-counts/; scripts/tally.mjs then adds them up per engine and prints the
# plain "N passed, N failed" line CI reads last. A tier that could not run counts as failed.
TALLY := node scripts/tally.mjs
TIERS := native types loader wasm:chromium wasm:firefox wasm:webkit size baseline faults e2e:chromium e2e:firefox e2e:webkit \
  wordpress:chromium
test: lint
	@rm -rf target/test-counts
	@status=0; $(MAKE) --no-print-directory -k test-tiers || status=$$?; \
	  $(TALLY) summary $(TIERS) || status=1; exit $$status

test-tiers: test-native test-types test-loader test-wasm test-size test-baseline test-faults test-e2e test-wordpress

## The JavaScript and TypeScript: Biome's lint and format check (biome.jsonc; a warning fails too), and
## the files generated from the option list (js/options.json) up to date. In make lint and make check.
.PHONY: lint-js
lint-js:
	@# Biome colours even a log file: not CI's.
	biome ci --error-on-warnings $$([ -t 1 ] || echo --colors=off) .
	node js/generate-options.mjs --check

## The inner loop, no browser: the JS lint, formatting, clippy (native and wasm32) and the native tests.
## A few minutes on a warm build; `make test` runs every tier.
.PHONY: check
check: lint-js
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p sir-donate --all-targets --target wasm32-unknown-unknown -- -D warnings
	scripts/with-postgres.sh cargo test --workspace

lint: setup lint-js
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p sir-donate --all-targets --target wasm32-unknown-unknown -- -D warnings
	@# The first view's renderer is its own workspace (leptos/ssr apart from the widget's csr).
	cargo fmt --manifest-path $(FIRST_VIEW) --check
	CARGO_TARGET_DIR=$(FIRST_VIEW_TARGET) cargo clippy --manifest-path $(FIRST_VIEW) --all-targets -- -D warnings
	CARGO_TARGET_DIR=$(FIRST_VIEW_TARGET) cargo test --manifest-path $(FIRST_VIEW)
	@# The WordPress plugin's PHP: php -l (WordPress's PHP_CodeSniffer standard isn't in the
	@# registries reachable here: Debian packages phpcs without it, and Packagist isn't one).
	@for file in $$(find integrations/wordpress e2e/wordpress -name '*.php' | sort); do \
	  php -l -d display_errors=stderr "$$file" >/dev/null || exit 1; \
	done

## Native tests; the partner server's storage tests run on SQLite and on a throwaway
## PostgreSQL (scripts/with-postgres.sh), as does its two-instance test.
test-native: setup
	@$(TALLY) run native none -- scripts/with-postgres.sh cargo test --workspace

## The hand-written TypeScript types, checked against a consumer using every part, and
## `<sir-donate>` in React 19 JSX, Vue 3 templates and Svelte 5 markup (js/types-test/).
test-types: setup
	@$(TALLY) check types -- node js/types-test/check.mjs

## The loader's unit tests under node:test (js/test/): the load triggers, the early-event
## replay, a failed load tried again, the option list's generated files fresh, and its JSDoc types
## checked against js/sir-donate.d.ts.
.PHONY: test-loader
test-loader: setup
	@$(TALLY) run loader none -- node --test --test-reporter=tap js/test/

## Component tests in headless Chromium, Firefox and WebKit, each against a sandbox of its own.
## The build is shared; only the browser differs. MiniBrowser (WebKit) needs an X server: Xvfb.
WASM_TESTS = scripts/with-sandbox.sh $(TEST_SANDBOX_PORT) env SIR_SANDBOX_URL=http://127.0.0.1:$(TEST_SANDBOX_PORT)
WASM_CARGO = cargo test -p sir-donate --target wasm32-unknown-unknown --tests
test-wasm: test-wasm-chromium test-wasm-firefox test-wasm-webkit

test-wasm-chromium: servers
	@$(TALLY) run wasm chromium -- $(WASM_TESTS) $(WASM_CARGO)

test-wasm-firefox: servers
	@$(TALLY) run wasm firefox -- $(WASM_TESTS) GECKODRIVER=$(GECKODRIVER) \
	  WASM_BINDGEN_TEST_WEBDRIVER_JSON=webdriver-firefox.json $(WASM_CARGO)

# WebKitGTK takes navigator.language from the process locale: under LANG=C it says "C", which
# Intl reads as en-US-POSIX ("$ 25.00"). A donor's Safari says en-US; so does this run.
test-wasm-webkit: servers
	@$(TALLY) run wasm webkit -- $(WASM_TESTS) LANG=en_US.UTF-8 SAFARIDRIVER=/usr/bin/WebKitWebDriver \
	  xvfb-run -a $(WASM_CARGO)

## The wasm uses no WebAssembly feature beyond the README's browser baseline.
test-baseline: build
	@$(TALLY) check baseline -- node scripts/wasm-features.mjs

## The partner server under faults, small (bench/faults.mjs --small): 40 donations paid while
## one instance is SIGKILLed, one address holds 2,000 idle connections and eight drip slow
## bodies; fails on one lost or doubled reward. `make bench-faults` is the full run.
.PHONY: test-faults
test-faults: servers
	@$(TALLY) run faults none -- bench/faults/netns.sh node bench/faults.mjs --small --tap

## End-to-end specs: Playwright drives Chromium through the built bundle (starts its own
## servers); the donor's core journeys also run in Firefox and WebKit through WebDriver.
test-e2e: build servers examples
	SE_OFFLINE=true GECKODRIVER=$(GECKODRIVER) npx playwright test --config e2e/playwright.config.ts

## The WordPress plugin in Debian's WordPress, on a private Apache and MariaDB started for
## the run (scripts/with-wordpress.sh) with the plugin from its zip: the settings page, an
## Author's block, shortcode and pasted snippet to the sandbox's checkout in Chromium, and a
## clean PHP log (e2e/wordpress/).
test-wordpress: build servers
	SE_OFFLINE=true scripts/with-wordpress.sh npx playwright test --config e2e/wordpress/playwright.config.ts

clean:
	cargo clean
	rm -rf dist test-results e2e/artifacts

# make bench and make test-size (the size budget CI check).
include bench/bench.mk
