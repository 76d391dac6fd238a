#!/usr/bin/env bash
# Installs what the build and the tests need, once. Every step checks the
# version it finds and does nothing when it is already right, so a second run
# of `make test` reinstalls nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen` pin in Cargo.toml
GECKODRIVER_VERSION=0.37.1     # drives firefox-esr for the wasm and WebDriver tests

# The splitter behind Leptos's #[lazy] (the crate `wasm_split_cli_support`, not `wasm-split-cli`).
WASM_SPLIT_VERSION=0.2.4

MINIBROWSER=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# `cargo install` of one exact version, skipped when `$bin --version` already says it.
cargo_install() {
  local bin=$1 crate=$2 version=$3; shift 3
  # The version ends the first line, or is followed by build details (geckodriver).
  # Read the whole output first: `grep -q` stops reading early, and under pipefail the
  # writer's SIGPIPE would count as "not installed" (geckodriver prints several lines).
  local found
  found=$("$bin" --version 2>/dev/null || true)
  if grep -qE " $version( |\$)" <<<"$found"; then
    return
  fi
  log "installing $crate $version (a few minutes, once)"
  cargo install "$crate" --version "$version" "$@"
}

# wasm-split-cli has no --version flag: cargo's own install record says which version it is.
wasm_split() {
  if command -v wasm-split-cli >/dev/null 2>&1 \
    && cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
    return
  fi
  log "installing wasm_split_cli_support $WASM_SPLIT_VERSION (wasm-split-cli; a few minutes, once)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked
}

rustup_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy
  rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
  # The shipped wasm rebuilds std for size (Makefile, SIZE_TUNED_STD): that needs std's source.
  rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
}

# trunk builds offline, so std's own crates.io dependencies (dlmalloc, compiler_builtins'
# helpers, …) must be in the local cache before `-Zbuild-std` needs them.
std_sources() {
  local library
  library="$(rustc --print sysroot)/lib/rustlib/src/rust/library"
  RUSTC_BOOTSTRAP=1 cargo fetch --quiet --manifest-path "$library/Cargo.toml"
}

browser() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    # The driver must match the browser's major version, or every browser test fails oddly.
    local browser driver
    # Debian's launcher script prints a harmless shell warning on stderr.
    browser=$(chromium --version 2>/dev/null | grep -oE '[0-9]+' | head -1)
    driver=$(chromedriver --version 2>/dev/null | grep -oE '[0-9]+' | head -1)
    [ "$browser" = "$driver" ] && return
    log "chromium $browser and chromedriver $driver differ: reinstalling both"
  fi
  log "installing chromium and chromium-driver with apt"
  apt_install chromium chromium-driver
}

apt_install() {
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  # Other jobs on the machine may hold apt's lock for a while: wait for it.
  $sudo apt-get update -qq -o DPkg::Lock::Timeout=300
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$@" >/dev/null
}

# The partner server's storage tests run against a throwaway PostgreSQL (with-postgres.sh).
postgres() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && return
  log "installing postgresql with apt"
  apt_install postgresql
}

# The WordPress plugin's tests (scripts/with-wordpress.sh): Debian's WordPress, Apache with
# mod_php and MariaDB. Only their packages: no service is started or enabled (each test run
# starts a private, loopback-only pair), and the one file outside the packages is the host
# config Debian's wp-config.php picks for those runs, inert for any other site.
wordpress() {
  if ! [ -f /usr/share/wordpress/wp-settings.php ] || ! [ -d /usr/share/wordpress/wp-content/themes/twentytwentythree ] \
    || ! command -v apache2 >/dev/null 2>&1 || ! ls /usr/lib/apache2/modules/libphp*.so >/dev/null 2>&1 \
    || ! command -v mariadbd >/dev/null 2>&1 || ! php -m 2>/dev/null | grep -qx mysqli; then
    log "installing wordpress, apache2, libapache2-mod-php and mariadb-server with apt"
    local services=() service
    for service in apache2 mariadb-server; do
      dpkg -s "$service" >/dev/null 2>&1 || services+=("${service%-server}")
    done
    apt_install --no-install-recommends wordpress wordpress-theme-twentytwentythree apache2 libapache2-mod-php \
      php-mysql mariadb-server
    # Under systemd, apt starts and enables a newly installed Apache (on every address, port 80)
    # and MariaDB: stop and disable the ones it just installed. The tests never use them.
    # (In containers, policy-rc.d keeps apt from starting them at all.)
    if [ ${#services[@]} -gt 0 ] && [ -d /run/systemd/system ]; then
      local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
      $sudo systemctl disable --now "${services[@]}" >/dev/null 2>&1 || true
    fi
  fi
  local config=/etc/wordpress/config-sir-donate-test.php
  if ! cmp -s e2e/wordpress/config-sir-donate-test.php "$config"; then
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo install -m 644 e2e/wordpress/config-sir-donate-test.php "$config"
  fi
}

# Firefox and WebKit (Safari's engine) for the cross-engine tests: Debian's firefox-esr,
# WebKitGTK's WebDriver with its MiniBrowser, and Xvfb, since MiniBrowser has no headless mode.
other_engines() {
  if command -v firefox-esr >/dev/null 2>&1 && command -v WebKitWebDriver >/dev/null 2>&1 \
    && command -v xvfb-run >/dev/null 2>&1 && [ -x "$MINIBROWSER" ]; then
    return
  fi
  log "installing firefox-esr, webkit2gtk-driver and xvfb with apt"
  apt_install --no-install-recommends firefox-esr webkit2gtk-driver xvfb
}

node_and_npm() {
  # Playwright and binaryen want Node 18 or newer.
  local major
  major=$(node --version 2>/dev/null | grep -oE '[0-9]+' | head -1 || true)
  if [ -z "$major" ] || [ "$major" -lt 18 ] || ! command -v npm >/dev/null 2>&1; then
    log "installing nodejs and npm with apt"
    apt_install nodejs npm
  fi
}

npm_deps() {
  # node_modules/.package-lock.json is npm's own record of the last install.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm dev dependencies (binaryen, playwright-core, …)"
    # `npm install`, not `npm ci`: with this machine's npm config
    # (omit-lockfile-registry-resolved) the lock misses rollup's other-platform optional
    # packages, which `npm ci` refuses; `npm install` still installs the locked versions.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error
  fi
}

# The framework examples' own dependencies (examples/*/package-lock.json). The sir-donate
# package itself goes in after `make build`, offline (Makefile, `examples`).
example_deps() {
  local lock dir
  for lock in examples/*/package-lock.json; do
    dir=${lock%/package-lock.json}
    if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$lock" -nt "$dir/node_modules/.package-lock.json" ]; then
      log "installing the dependencies of $dir"
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
  done
}

rustup_target
cargo_install trunk trunk "$TRUNK_VERSION" --locked
cargo_install wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
wasm_split
browser
postgres
wordpress
other_engines
cargo_install geckodriver geckodriver "$GECKODRIVER_VERSION" --locked
node_and_npm
npm_deps
example_deps
# trunk runs offline (Trunk.toml) and then resolves crates from the local cache only.
cargo fetch --quiet
std_sources
