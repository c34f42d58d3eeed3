#!/usr/bin/env bash
# Build the built-in `code` verifier (CPython via componentize-py) into plugins/builtin/code.wasm.
#
#   plugins/code/build.sh           rebuild and overwrite plugins/builtin/code.wasm
#   plugins/code/build.sh --check   rebuild into a temporary folder and fail if the committed
#                                   artifact differs (what CI runs)
#
# Needs: pip install componentize-py==0.25.1 (the version is checked: another one embeds another
# CPython and gives other bytes).
set -euo pipefail

CODE_DIR="$(cd "$(dirname "$0")" && pwd)"
REPO_DIR="$(cd "$CODE_DIR/../.." && pwd)"
BUILTIN_DIR="$REPO_DIR/plugins/builtin"
COMPONENTIZE_PY="${COMPONENTIZE_PY:-componentize-py}"
PINNED="0.25.1"

found="$("$COMPONENTIZE_PY" --version | awk '{print $2}')"
if [[ "$found" != "$PINNED" ]]; then
  echo "error: componentize-py $PINNED is required, found $found (pip install componentize-py==$PINNED)" >&2
  exit 2
fi

check=false
if [[ "${1:-}" == "--check" ]]; then check=true; fi

# Stage the sources at one fixed path so no clone-specific path can reach the component.
STAGE="/tmp/proctor-code-build"
rm -rf "$STAGE"
mkdir -p "$STAGE/guest"
cp "$CODE_DIR/guest/app.py" "$CODE_DIR/guest/judge.py" "$STAGE/guest/"
cp -r "$REPO_DIR/wit/0.1.0" "$STAGE/wit"
export SOURCE_DATE_EPOCH=0 PYTHONHASHSEED=0

out_dir="$BUILTIN_DIR"
if $check; then out_dir="$(mktemp -d)"; trap 'rm -rf "$out_dir" "$STAGE"' EXIT; fi
cd "$STAGE"
"$COMPONENTIZE_PY" -d wit -w verifier componentize --stub-wasi -p guest app -o "$out_dir/code.wasm" >/dev/null
if $check; then
  if cmp -s "$out_dir/code.wasm" "$BUILTIN_DIR/code.wasm"; then
    echo "ok: plugins/builtin/code.wasm matches its source"
  else
    echo "MISMATCH: plugins/builtin/code.wasm differs from what plugins/code/guest builds" >&2
    exit 1
  fi
else
  echo "built plugins/builtin/code.wasm ($(wc -c <"$out_dir/code.wasm") bytes)"
fi
