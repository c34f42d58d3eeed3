#!/usr/bin/env python3
"""Side by side, one run: the built-in `math` plugin inside proctor's wasmtime host (one core)
against Hugging Face Math-Verify on the same (gold, response) pairs of tests/corpus.jsonl.

    pip install math-verify          # not installed by CI
    python3 plugins/math/bench/wasmtime_vs_math_verify.py [--proctor target/release/proctor] [--repeat 5]

Prints verifications/s of both, the ratio, and how often each agrees with the corpus labels.
"""
import argparse, json, os, pathlib, subprocess, tempfile, time

root = pathlib.Path(__file__).resolve().parents[3]
corpus = [json.loads(line) for line in (root / "plugins/math/tests/corpus.jsonl").read_text().splitlines() if line.strip()]

parser = argparse.ArgumentParser()
parser.add_argument("--proctor", default=str(root / "target/release/proctor"))
parser.add_argument("--repeat", type=int, default=5)
args = parser.parse_args()

with tempfile.TemporaryDirectory() as folder:
    batch = pathlib.Path(folder) / "batch.jsonl"
    lines = []
    for _ in range(args.repeat):
        for index, row in enumerate(corpus):
            task = {"id": str(index), "prompt": "", "reference": row["gold"], "metadata": "{}"}
            lines.append(json.dumps({"task": task, "response": row["response"]}))
    batch.write_text("\n".join(lines) + "\n")
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    # Warm the compile cache first so the timing is verification, not compilation.
    subprocess.run([args.proctor, "plugin", "check", "math"], check=True, capture_output=True, env=env)
    started = time.perf_counter()
    out = subprocess.run(["taskset", "-c", "0", args.proctor, "verify", "--plugin", "math", "--batch", str(batch)],
                         check=True, capture_output=True, text=True, env=env).stdout
    proctor_seconds = time.perf_counter() - started
verdicts = [json.loads(line) for line in out.splitlines()][: len(corpus)]
proctor_agree = sum(v["status"] == row["expected"] for v, row in zip(verdicts, corpus))

from math_verify import parse, verify  # noqa: E402
def mv(row):
    try:
        gold = parse(row["gold"] if row["gold"].startswith("$") else f"${row['gold']}$")
        answer = parse(row["response"])
        return "correct" if verify(gold, answer) else ("unparsable" if not answer else "incorrect")
    except Exception:
        return "unparsable"
started = time.perf_counter()
mv_labels = [mv(row) for row in corpus]
mv_seconds = time.perf_counter() - started
mv_agree = sum(label == row["expected"] or (label != "correct" and row["expected"] != "correct") for label, row in zip(mv_labels, corpus))

n = len(corpus)
proctor_rate = n * args.repeat / proctor_seconds
mv_rate = n / mv_seconds
print(f"pairs: {n}")
print(f"proctor math plugin (wasmtime, 1 core, fresh instance per call, incl. process start): {proctor_rate:,.0f} verifications/s; agrees with labels on {proctor_agree}/{n}")
print(f"Math-Verify: {mv_rate:,.1f} verifications/s; correct/not-correct agrees with labels on {mv_agree}/{n}")
print(f"throughput ratio: {proctor_rate / mv_rate:,.0f}x")
