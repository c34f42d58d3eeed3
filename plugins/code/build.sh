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

# What code.wasm was built from, recorded next to it. componentize-py 0.25.1 output is not
# byte-reproducible (see README "Reproducibility"), so --check proves provenance with this record,
# rebuilds, compares the component interface and runs the corpus against the rebuilt artifact.
fingerprint() {
  echo "componentize-py $PINNED"
  (cd "$REPO_DIR" && sha256sum plugins/code/guest/app.py plugins/code/guest/judge.py wit/0.1.0/types.wit)
}
RECORD="$BUILTIN_DIR/code.wasm.inputs"

# Stage the sources at one fixed path so no clone-specific path can reach the component.
STAGE="/tmp/proctor-code-build"
rm -rf "$STAGE"
mkdir -p "$STAGE/guest"
cp "$CODE_DIR/guest/app.py" "$CODE_DIR/guest/judge.py" "$STAGE/guest/"
cp -r "$REPO_DIR/wit/0.1.0" "$STAGE/wit"
export SOURCE_DATE_EPOCH=0 PYTHONHASHSEED=0

out_dir="$BUILTIN_DIR"
if $check; then out_dir="$(mktemp -d)"; trap 'rm -rf "$out_dir" "$STAGE"' EXIT; fi
(cd "$STAGE" && "$COMPONENTIZE_PY" -d wit -w verifier componentize --stub-wasi -p guest app -o "$out_dir/code.wasm" >/dev/null)

if ! $check; then
  { fingerprint; (cd "$REPO_DIR" && sha256sum plugins/builtin/code.wasm); } >"$RECORD"
  echo "built plugins/builtin/code.wasm ($(wc -c <"$out_dir/code.wasm") bytes); recorded its inputs in plugins/builtin/code.wasm.inputs"
  exit 0
fi

status=0
expected="$(fingerprint; cd "$REPO_DIR" && sha256sum plugins/builtin/code.wasm)"
if [[ "$expected" != "$(cat "$RECORD")" ]]; then
  echo "MISMATCH: plugins/builtin/code.wasm or its sources changed since it was built (run plugins/code/build.sh):" >&2
  diff <(echo "$expected") "$RECORD" >&2 || true
  status=1
fi
WASM_TOOLS="${WASM_TOOLS:-wasm-tools}"
if command -v "$WASM_TOOLS" >/dev/null; then
  if diff <("$WASM_TOOLS" component wit "$BUILTIN_DIR/code.wasm") <("$WASM_TOOLS" component wit "$out_dir/code.wasm") >/dev/null; then
    echo "ok: the rebuilt component has the committed component's interface"
  else
    echo "MISMATCH: the rebuilt component's interface differs from plugins/builtin/code.wasm" >&2
    status=1
  fi
fi
# Behaviour: the corpus must pass against the freshly built artifact too.
if (cd "$REPO_DIR" && PROCTOR_CODE_WASM="$out_dir/code.wasm" cargo test --quiet -p proctor-code --test corpus >/dev/null 2>&1); then
  echo "ok: the corpus passes against the rebuilt component"
else
  echo "MISMATCH: the corpus fails against the component plugins/code/guest builds" >&2
  status=1
fi
[[ $status == 0 ]] && echo "ok: plugins/builtin/code.wasm matches its recorded sources"
exit $status
