#!/usr/bin/env bash
# The shipped wasm, split into lazily loaded chunks (Leptos #[lazy], the `split` feature):
#   cargo (std rebuilt for size, plus --emit-relocs for the splitter)
#   → wasm-split-cli (main module, chunks, __wasm_split.js)
#   → wasm-bindgen --target web --keep-lld-exports (the chunks share the main module's
#     table, stack pointer and memory through those exports)
#   → wasm-opt -Oz on the main module and on every chunk
# into dist/wasm/. js/build.mjs then bundles the glue with __wasm_split.js.
#
# trunk can't run this: it has no step between cargo and wasm-bindgen (trunk#1022), so
# `make build` bypasses it. trunk still builds the playground unsplit (`trunk build`).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=dist/wasm
STAGE=target/wasm-split
ARTIFACT=target/wasm32-unknown-unknown/release/sir_donate.wasm

# std rebuilt for size: `-Zbuild-std` with `optimize_for_size`, and panics that trap at once
# (`-Cpanic=immediate-abort`, no message formatting, no panic locations). These are unstable
# flags: RUSTC_BOOTSTRAP=1 lets the pinned stable toolchain use them, for this one build only
# (tests and lints use plain stable). Measured: -20.2 KB gzip of wasm (bench/README.md, "Performance
# and size"). SIZE_TUNED_STD=0 builds with the stock std instead.
RUSTFLAGS="${RUSTFLAGS:-}"
if [ "${SIZE_TUNED_STD:-1}" = 1 ]; then
  export RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD="std panic_abort" CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  RUSTFLAGS="$RUSTFLAGS -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
fi
# The splitter reads the linker's relocations to move functions and data between modules.
export RUSTFLAGS="$RUSTFLAGS -Clink-args=--emit-relocs"
cargo build --release --target wasm32-unknown-unknown -p sir-donate --lib --features split

rm -rf "$STAGE" "$OUT"
mkdir -p "$STAGE" "$OUT"
wasm-split-cli "$ARTIFACT" "$STAGE" --target web --out-name sir-donate
wasm-bindgen --target web --keep-lld-exports --out-dir "$OUT" --out-name sir-donate "$STAGE/sir-donate.wasm"
rm -f "$OUT"/*.d.ts
for file in "$STAGE"/*; do
  case "$(basename "$file")" in
    sir-donate.wasm) ;;
    *) cp "$file" "$OUT/" ;;
  esac
done
for wasm in "$OUT"/*.wasm; do
  wasm-opt -Oz "$wasm" -o "$wasm"
done
echo "scripts/build-wasm.sh: $(ls "$OUT" | tr '\n' ' ')"
