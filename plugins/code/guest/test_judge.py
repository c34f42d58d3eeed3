"""Native unit and property tests of judge.py (needs CPython 3.12+ for sys.monitoring).

Run: python3.13 plugins/code/guest/test_judge.py   (or any python >= 3.12)
"""

import json
import random
import string
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import judge  # noqa: E402


def fenced(program):
    return f"Answer:\n```python\n{program}\n```\n"


class Extraction(unittest.TestCase):
    def test_last_block_by_default(self):
        response = "```python\nprint(1)\n```\ntext\n```python\nprint(2)\n```"
        self.assertEqual(judge.extract_program(response, "last"), "print(2)\n")
        self.assertEqual(judge.extract_program(response, "first"), "print(1)\n")

    def test_missing_or_unclosed_block(self):
        self.assertIsNone(judge.extract_program("print(1)", "last"))
        self.assertIsNone(judge.extract_program("```python\nprint(1)\n", "last"))
        self.assertIsNone(judge.extract_program("```js\nx\n```", "last"))
        self.assertEqual(judge.extract_program("print(1)", "none"), "print(1)")


class Comparison(unittest.TestCase):
    def test_whitespace_rules(self):
        self.assertIsNone(judge.compare_text("1 2  \r\n3\n\n\n", "1 2\n3", None))
        self.assertIsNotNone(judge.compare_text("1  2\n", "1 2\n", None))
        self.assertIsNotNone(judge.compare_text("2\n1\n", "1\n2\n", None))

    def test_tolerance(self):
        self.assertIsNone(judge.compare_text("1.0000001\n", "1\n", 1e-6))
        self.assertIsNotNone(judge.compare_text("1.001\n", "1\n", 1e-6))
        self.assertIsNotNone(judge.compare_text("1.0000001\n", "1\n", None))

    def test_values(self):
        self.assertIsNone(judge.compare_value([1, 2], [1, 2], None))
        self.assertIsNone(judge.compare_value(3, [3], None))  # APPS wraps results
        self.assertIsNotNone(judge.compare_value(True, 1, None))
        self.assertIsNotNone(judge.compare_value("1", 1, None))
        self.assertEqual(judge.to_json((1, (2, 3))), [1, [2, 3]])
        with self.assertRaises(TypeError):
            judge.to_json(type("Int", (int,), {})(1))

    def test_property_text_is_equal_to_itself_and_its_padded_form(self):
        rng = random.Random(8)
        for _ in range(500):
            lines = ["".join(rng.choice(string.ascii_letters + string.digits + " .-")
                             for _ in range(rng.randrange(0, 12))).rstrip()
                     for _ in range(rng.randrange(1, 6))]
            text = "\n".join(lines)
            padded = "\r\n".join(line + " " * rng.randrange(0, 3) for line in lines) + "\n"
            self.assertIsNone(judge.compare_text(padded, text, None), repr((padded, text)))
            index = rng.randrange(len(lines))
            changed = list(lines)
            changed[index] += "x"
            self.assertIsNotNone(judge.compare_text("\n".join(changed), text, None))


class Judging(unittest.TestCase):
    ADD = json.dumps({"inputs": ["1 2\n", "3 4\n"], "outputs": ["3\n", "7\n"]})

    def check(self, metadata, program, status, score):
        got_score, got_status, detail = judge.judge(metadata, fenced(program))
        self.assertEqual((got_status, got_score), (status, score), detail)
        return detail

    def test_verdicts(self):
        self.check(self.ADD, "a, b = map(int, input().split())\nprint(a + b)", "correct", 1.0)
        self.check(self.ADD, "a, b = map(int, input().split())\nprint(3)", "partial", 0.5)
        detail = self.check(self.ADD, "while True:\n    pass", "incorrect", 0.0)
        self.assertIn("time limit", detail)
        detail = self.check(self.ADD, "import gc", "incorrect", 0.0)
        self.assertIn("No module named 'gc'", detail)
        detail = self.check(self.ADD, "print(", "incorrect", 0.0)
        self.assertIn("SyntaxError", detail)

    def test_interpreter_state_is_restored(self):
        import builtins
        self.check(self.ADD, "import builtins, sys\nbuiltins.len = None\nsys.stdout = None", "incorrect", 0.0)
        self.assertIs(builtins.len, len)
        self.assertIsNotNone(sys.stdout)

    def test_invalid_tasks(self):
        for metadata in ["[]", "{", '{"inputs": ["1"]}', '{"inputs": [], "outputs": []}',
                         '{"inputs": ["1"], "outputs": ["1"], "scoring": "best"}']:
            self.assertEqual(judge.judge(metadata, fenced("print(1)"))[1], "invalid-task", metadata)


if __name__ == "__main__":
    unittest.main()
