#!/usr/bin/env python3
"""Side-by-side generation benchmark: proctor (candle) vs Hugging Face transformers on PyTorch CPU.

Same weights (saved by the Rust example), same 16 prompts of 24 tokens, greedy, 64 new tokens, fixed
length, 2 threads each. Also compares forward+backward time per token and peak memory, and checks that
both engines produce the same greedy tokens. Not run in CI (it pip-installs torch and transformers).

Run from the repository root: python3 models/bench/compare_transformers.py
(BENCH_THREADS=N sets both engines' thread count, default 2; on a loaded 2-core box use 1, as
PyTorch's OpenMP threads degrade badly when the cores are contended).
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

THREADS = os.environ.get("BENCH_THREADS", "2")


def ensure_packages():
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "torch", "transformers"])


def run_rust(save_dir):
    env = dict(os.environ, RAYON_NUM_THREADS=THREADS)
    out = subprocess.check_output(
        ["cargo", "run", "--release", "--quiet", "-p", "proctor-models", "--example", "bench_generate",
         "--", "--save", save_dir], env=env, text=True)
    return json.loads(out.strip().splitlines()[-1])


def run_transformers(model_dir):
    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(int(THREADS))
    bench = json.load(open(os.path.join(model_dir, "bench.json")))
    prompts = torch.tensor(bench["prompts"], dtype=torch.long)
    mask = torch.ones_like(prompts)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    model.eval()
    new_tokens = len(bench["greedy_tokens"][0])
    kwargs = dict(attention_mask=mask, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                  do_sample=False, pad_token_id=0, eos_token_id=None)
    with torch.no_grad():
        out = model.generate(prompts, **kwargs)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            model.generate(prompts, **kwargs)
            times.append(time.perf_counter() - start)
    generated = out[:, prompts.shape[1]:].tolist()
    same = generated == bench["greedy_tokens"]
    gen_s = sorted(times)[len(times) // 2]
    full = torch.cat([prompts, torch.tensor(bench["greedy_tokens"])], dim=1)
    model.train()
    train_times = []
    for _ in range(5):
        start = time.perf_counter()
        logits = model(full).logits[:, prompts.shape[1] - 1:-1]
        logp = torch.log_softmax(logits, -1).gather(-1, full[:, prompts.shape[1]:, None]).sum()
        logp.backward()
        model.zero_grad()
        train_times.append(time.perf_counter() - start)
    train_s = sorted(train_times)[len(train_times) // 2]
    return {
        "engine": "transformers %s / torch %s" % (__import__("transformers").__version__, torch.__version__),
        "threads": THREADS,
        "generate_seconds": gen_s,
        "generate_tokens_per_second": prompts.shape[0] * new_tokens / gen_s,
        "forward_backward_ms_per_token": 1000 * train_s / full.numel(),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "same_greedy_tokens": same,
    }


def main():
    ensure_packages()
    with tempfile.TemporaryDirectory() as model_dir:
        rust = run_rust(model_dir)
        hf = run_transformers(model_dir)
    for row in (rust, hf):
        print(json.dumps(row))
    ratio = rust["generate_tokens_per_second"] / hf["generate_tokens_per_second"]
    print("generation speed-up proctor / transformers: %.2fx (target >= 1.5x)" % ratio)
    print("forward+backward per token: proctor %.3f ms, transformers %.3f ms" % (
        rust["forward_backward_ms_per_token"], hf["forward_backward_ms_per_token"]))


if __name__ == "__main__":
    main()
