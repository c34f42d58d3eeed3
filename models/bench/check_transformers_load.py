#!/usr/bin/env python3
"""Checks that a directory written by proctor loads in Hugging Face transformers and continues a chat
prompt exactly as proctor does (same template ids, same greedy tokens, log-probs within 1e-4).
Not run in CI (needs torch and transformers).

Run from the repository root: python3 models/bench/check_transformers_load.py [builtin:tiny]
"""
import json
import subprocess
import sys
import tempfile

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

spec = sys.argv[1] if len(sys.argv) > 1 else "builtin:tiny"
with tempfile.TemporaryDirectory() as out:
    ours = json.loads(subprocess.check_output(
        ["cargo", "run", "--quiet", "-p", "proctor-models", "--example", "save_model", "--", spec, out],
        text=True).strip().splitlines()[-1])
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "What is 2 + 3?"}],
                                        add_generation_prompt=True, tokenize=True)
    if isinstance(ids, dict) or hasattr(ids, "input_ids"):
        ids = ids["input_ids"]
    assert list(ids) == ours["prompt_ids"], (ids, ours["prompt_ids"])
    with torch.no_grad():
        prompt = torch.tensor([ours["prompt_ids"]])
        out_ids = model.generate(prompt, max_new_tokens=8, min_new_tokens=8, do_sample=False,
                                 eos_token_id=None, pad_token_id=tokenizer.pad_token_id)
        new = out_ids[0, prompt.shape[1]:]
        logits = model(out_ids).logits[0, prompt.shape[1] - 1:-1]
        logprobs = torch.log_softmax(logits, -1).gather(-1, new[:, None])[:, 0]
    assert new.tolist() == ours["greedy_tokens"], (new.tolist(), ours["greedy_tokens"])
    err = (logprobs - torch.tensor(ours["logprobs"])).abs().max().item()
    assert err <= 1e-4, err
    print("transformers loads %s as saved by proctor: same ids and greedy tokens, logprob max abs err %.2e" % (spec, err))
