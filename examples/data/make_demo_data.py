#!/usr/bin/env python3
"""Writes the demo's arithmetic data (deterministic; rerun to regenerate byte-identical files).

Every single-digit sum a + b (0 <= a, b <= 9) in six phrasings gives 600 prompts. 100 of them are
held out for evaluation (never trained on); of the other 500, the warm-start SFT stage sees only
WARM_START, answered by a flawed teacher: FLAWED of its answers are off by one (a + b + 1), as
imitation data from a weaker model often is. SFT learns the answer format and the table together
with the teacher's systematic error; GRPO then trains on all 500 prompts with the built-in math
verifier's reward alone, and has to unlearn the error on prompts it has never seen answered.
"""

import json
import random
from pathlib import Path

PHRASINGS = [
    "What is {a} + {b}?",
    "{a} + {b} = ?",
    "Add {a} and {b}.",
    "Compute {a} + {b}.",
    "What is {a} plus {b}?",
    "Sum of {a} and {b}?",
]
HELD_OUT = 100
WARM_START = 200
FLAWED = 0.6
SEED = 2026


def main() -> None:
    problems = [
        {"prompt": phrasing.format(a=a, b=b), "answer": str(a + b)}
        for a in range(10)
        for b in range(10)
        for phrasing in PHRASINGS
    ]
    random.Random(SEED).shuffle(problems)
    held_out, train = problems[:HELD_OUT], problems[HELD_OUT:]
    teacher = random.Random(SEED + 1)
    warm_start = [
        {**row, "answer": str(int(row["answer"]) + 1)} if teacher.random() < FLAWED else row
        for row in train[:WARM_START]
    ]
    folder = Path(__file__).parent
    for name, rows in [
        ("demo-eval.jsonl", held_out),
        ("demo-train.jsonl", train),
        ("demo-warm-start.jsonl", warm_start),
    ]:
        with open(folder / name, "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
