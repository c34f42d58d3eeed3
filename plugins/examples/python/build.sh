#!/usr/bin/env bash
# Build the Python example verifier into exact_py.wasm (not committed; CI builds it).
# Needs: pip install componentize-py==0.25.1
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
"${COMPONENTIZE_PY:-componentize-py}" -d ../../../wit/0.1.0 -w verifier componentize --stub-wasi app -o exact_py.wasm
echo "built $here/exact_py.wasm ($(wc -c <exact_py.wasm) bytes)"
