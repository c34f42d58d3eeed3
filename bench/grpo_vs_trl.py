#!/usr/bin/env python3
"""GRPO steps per second, side by side: `proctor run` vs TRL's GRPOTrainer on PyTorch CPU.

Same work on both sides: the Qwen2 shape of the model-engine benchmark (4 layers, hidden 256,
vocab 509; the weights written by `models/examples/bench_generate.rs`), 2 prompts x 8 samples per
step, up to 24 new tokens (both stop at end-of-sequence), KL to a frozen reference on (beta 0.04, k3), one optimizer
step per batch, a last-number reward, 2 threads each. Reports the median step time over the steps
after the first (warm-up) and the ratio. Not run in CI: it pip-installs trl (and torch).

Run from the repository root:  python3 bench/grpo_vs_trl.py
  PROCTOR_BIN=target/debug/proctor  use an existing build (default: target/release/proctor,
                                    built with `cargo build --release` when missing)
  STEPS=12                          steps per engine
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

THREADS = os.environ.get("BENCH_THREADS", "2")
STEPS = int(os.environ.get("STEPS", "12"))
PROMPTS = [("What is 3 + 4?", "7"), ("What is 12 - 5?", "7")]


def ensure_packages():
    try:
        import torch  # noqa: F401
        import trl  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "torch", "trl"])


def make_model(folder):
    subprocess.check_call(
        ["cargo", "run", "--quiet", "-p", "proctor-models", "--example", "bench_generate", "--",
         "--save", folder],
        env=dict(os.environ, RAYON_NUM_THREADS=THREADS), stdout=subprocess.DEVNULL)


def run_proctor(model_dir, work):
    binary = os.environ.get("PROCTOR_BIN", "target/release/proctor")
    if not os.path.exists(binary):
        subprocess.check_call(["cargo", "build", "--release", "--quiet"])
    data = os.path.join(work, "prompts.jsonl")
    with open(data, "w") as out:
        for prompt, answer in PROMPTS:
            out.write(json.dumps({"prompt": prompt, "answer": answer}) + "\n")
    topology = os.path.join(work, "bench.toml")
    with open(topology, "w") as out:
        out.write(f"""
[run]
name = "grpo-bench"
steps = {STEPS}
checkpoint_every = 0
out = "{os.path.join(work, 'run')}"
[model]
path = "{model_dir}"
[data]
train = "{data}"
prompts_per_step = 2
[policy]
sampling = {{ n = 8, temperature = 1.0, max_new_tokens = 24 }}
[verifier]
plugins = ["builtin:math"]
workers = 1
[learner]
algorithm = "grpo"
lr = 1e-6
micro_batch_size = 16
kl = {{ coef = 0.04, estimator = "k3", placement = "loss" }}
""")
    env = dict(os.environ, RAYON_NUM_THREADS=THREADS)
    subprocess.check_call([binary, "run", topology], env=env, stderr=subprocess.DEVNULL)
    records = [json.loads(line) for line in open(os.path.join(work, "run", "metrics.jsonl"))]
    steps = [r["step_s"] for r in records[1:]]
    phases = {k: statistics.median(r["values"][k] for r in records[1:])
              for k in records[-1]["values"] if k.startswith("time_")}
    return statistics.median(steps), phases


def run_trl(model_dir):
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    torch.set_num_threads(int(THREADS))
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32)
    dataset = Dataset.from_list(
        [{"prompt": [{"role": "user", "content": p}], "answer": a} for p, a in PROMPTS] * (STEPS + 2))

    def reward(completions, answer, **_):
        scores = []
        for completion, gold in zip(completions, answer):
            text = completion[0]["content"] if isinstance(completion, list) else completion
            numbers = re.findall(r"-?\d+", text)
            scores.append(1.0 if numbers and numbers[-1] == gold else 0.0)
        return scores

    class Timer(TrainerCallback):
        def __init__(self):
            self.times = []

        def on_step_begin(self, args, state, control, **kwargs):
            self.started = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.times.append(time.perf_counter() - self.started)

    timer = Timer()
    config = GRPOConfig(
        output_dir=tempfile.mkdtemp(), per_device_train_batch_size=16, num_generations=8,
        max_completion_length=24, beta=0.04, learning_rate=1e-6, max_steps=STEPS,
        use_cpu=True, report_to=[], logging_steps=1000, save_strategy="no", seed=7,
        temperature=1.0, dataloader_num_workers=0)
    trainer = GRPOTrainer(model=model, reward_funcs=reward, args=config, train_dataset=dataset,
                          processing_class=tokenizer, callbacks=[timer])
    trainer.train()
    return statistics.median(timer.times[1:])


def main():
    ensure_packages()
    with tempfile.TemporaryDirectory() as work:
        model_dir = os.path.join(work, "model")
        make_model(model_dir)
        proctor_s, phases = run_proctor(model_dir, work)
        trl_s = run_trl(model_dir)
    print(json.dumps({
        "threads": THREADS,
        "proctor_step_s": round(proctor_s, 4),
        "proctor_phases_s": {k: round(v, 4) for k, v in phases.items()},
        "trl_step_s": round(trl_s, 4),
        "proctor_steps_per_s": round(1 / proctor_s, 3),
        "trl_steps_per_s": round(1 / trl_s, 3),
        "speedup": round(trl_s / proctor_s, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
