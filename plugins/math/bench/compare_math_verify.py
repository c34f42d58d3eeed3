#!/usr/bin/env python3
"""Side-by-side comparison of proctor-math with Hugging Face Math-Verify on tests/corpus.jsonl.

Installs `math-verify` from PyPI when it is missing (this script only; CI does not run it), runs
proctor-math natively (release build of the corpus_verdicts example) and, when the wasm32-wasip1
target and node are available, inside WASM under Node's WASI, then Math-Verify on the same pairs.
Prints throughput (verifications/s, one core) and agreement with the expected labels and with
each other, and writes the disagreements to bench/disagreements.jsonl.

Usage (from the repository root):
    python3 plugins/math/bench/compare_math_verify.py [--repeat 20] [--no-wasm]
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(CRATE))
CORPUS = os.path.join(CRATE, "tests", "corpus.jsonl")


def ensure_math_verify():
    if importlib.util.find_spec("math_verify") is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "math-verify"], check=True)


def summary(stderr):
    match = re.search(r"verifications_per_s=(\d+) us_per_verification=([\d.]+)", stderr)
    return (float(match.group(1)), float(match.group(2))) if match else (float("nan"), float("nan"))


def run_proctor_native(repeat):
    cmd = ["cargo", "run", "--release", "-q", "-p", "proctor-math", "--example", "corpus_verdicts", "--",
           "--verdicts", "--repeat", str(repeat)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    verdicts = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return verdicts, summary(out.stderr), out.stderr.strip()


def run_proctor_wasm(repeat):
    if shutil.which("node") is None:
        return None
    build = ["cargo", "build", "--release", "-q", "-p", "proctor-math", "--example", "corpus_verdicts",
             "--target", "wasm32-wasip1"]
    if subprocess.run(build, cwd=ROOT).returncode != 0:
        return None
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    wasm = os.path.join(target, "wasm32-wasip1", "release", "examples", "corpus_verdicts.wasm")
    cmd = ["node", "--no-warnings", os.path.join(HERE, "run_wasi.mjs"), wasm, "--repeat", str(repeat)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return summary(out.stderr), out.stderr.strip(), os.path.getsize(wasm)


def with_delimiters(text):
    """Math-Verify's LaTeX extraction needs math delimiters: give bare answers `$…$` (its documented usage)."""
    if any(marker in text for marker in ("$", "\\(", "\\[", "\\boxed")):
        return text
    return f"${text}$"


def run_math_verify(rows, wrap):
    from math_verify import parse, verify

    results, times = [], []
    for row in rows:
        gold, response = row["gold"], row["response"]
        if wrap:
            gold, response = with_delimiters(gold), with_delimiters(response)
        started = time.perf_counter()
        try:
            ok = bool(verify(parse(gold), parse(response)))
        except Exception:  # Math-Verify raises on some inputs; count it as not correct
            ok = False
        times.append(time.perf_counter() - started)
        results.append(ok)
    return results, times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20, help="proctor passes over the corpus for timing")
    parser.add_argument("--no-wasm", action="store_true")
    args = parser.parse_args()

    rows = [json.loads(line) for line in open(CORPUS, encoding="utf-8") if line.strip()]
    ensure_math_verify()
    verdicts, (native_rate, native_us), native_line = run_proctor_native(args.repeat)
    wasm = None if args.no_wasm else run_proctor_wasm(args.repeat)
    mv_raw_results, _ = run_math_verify(rows, wrap=False)
    mv_results, mv_times = run_math_verify(rows, wrap=True)

    expected = [row["expected"] == "correct" for row in rows]
    ours = [v["status"] == "correct" for v in verdicts]
    n = len(rows)
    mv_total = sum(mv_times)
    mv_rate = n / mv_total
    normal = [i for i, row in enumerate(rows) if row["topic"] != "pathological"]
    mv_rate_normal = len(normal) / sum(mv_times[i] for i in normal)

    def accuracy(pred):
        return sum(p == e for p, e in zip(pred, expected))

    print(f"corpus rows: {n}")
    print(f"proctor-math native : {native_rate:12.0f} verifications/s ({native_us:.1f} us each)   [{native_line}]")
    if wasm:
        (wasm_rate, wasm_us), wasm_line, wasm_size = wasm
        print(f"proctor-math WASM   : {wasm_rate:12.0f} verifications/s ({wasm_us:.1f} us each, node WASI, {wasm_size} byte module)")
    print(f"Math-Verify         : {mv_rate:12.1f} verifications/s ({1e6 / mv_rate:.0f} us each; "
          f"{mv_rate_normal:.1f}/s without the {n - len(normal)} pathological rows)")
    print(f"speed-up native     : {native_rate / mv_rate:10.0f}x (without pathological rows: {native_rate / mv_rate_normal:.0f}x)")
    if wasm:
        print(f"speed-up WASM       : {wasm_rate / mv_rate:10.0f}x (without pathological rows: {wasm_rate / mv_rate_normal:.0f}x)")
    print(f"agreement with expected labels: proctor-math {accuracy(ours)}/{n}, Math-Verify {accuracy(mv_results)}/{n} "
          f"(bare answers wrapped in $…$; {accuracy(mv_raw_results)}/{n} on the strings as given)")
    print(f"proctor-math and Math-Verify agree on {sum(a == b for a, b in zip(ours, mv_results))}/{n} rows")

    out_path = os.path.join(HERE, "disagreements.jsonl")
    with open(out_path, "w", encoding="utf-8") as out:
        for row, our, mv, verdict in zip(rows, ours, mv_results, verdicts):
            if our != mv:
                short = {k: (v[:200] if isinstance(v, str) else v) for k, v in row.items()}
                out.write(json.dumps({**short, "proctor": verdict["status"], "math_verify": mv}, ensure_ascii=False) + "\n")
    print(f"disagreements written to {os.path.relpath(out_path, ROOT)}")


if __name__ == "__main__":
    main()
