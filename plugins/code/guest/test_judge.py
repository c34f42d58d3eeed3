"""Native unit and property tests of judge.py (needs CPython 3.12+ for sys.monitoring).

Run: python3.13 plugins/code/guest/test_judge.py   (or any python >= 3.12)
"""

import json
import os
import random
import string
import sys
import unittest
from pathlib import Path

# judge.py replaces os functions with sandbox shims when imported: keep the real ones.
_fork, _pipe, _read, _write, _close, _waitpid, _exit = (
    os.fork, os.pipe, os.read, os.write, os.close, os.waitpid, os._exit)
# Candidate programs may patch `json` in the child: the harness uses its own references.
_dumps, _loads = json.dumps, json.loads

sys.path.insert(0, str(Path(__file__).resolve().parent))
import judge  # noqa: E402


def in_child(function, *args):
    """`function(*args)` in a forked child (judging locks the interpreter down for good, as it
    does a fresh WASM instance per call); returns its JSON-able result, or ("crash", repr)."""
    read_end, write_end = _pipe()
    pid = _fork()
    if pid == 0:
        _close(read_end)
        try:
            result = function(*args)
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            result = ("crash", repr(error))
        data = _dumps(result).encode()
        while data:
            data = data[_write(write_end, data):]
        _exit(0)
    _close(write_end)
    chunks = []
    while chunk := _read(read_end, 1 << 16):
        chunks.append(chunk)
    _close(read_end)
    _waitpid(pid, 0)
    return _loads(b"".join(chunks))


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
        got_score, got_status, detail = in_child(judge.judge, metadata, fenced(program))
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
        def run():
            import builtins
            real_len = builtins.len
            judge.judge(self.ADD, fenced("import builtins, sys\nbuiltins.len = None\nsys.stdout = None"))
            return builtins.len is real_len, sys.stdout is not None
        self.assertEqual(in_child(run), [True, True])

    def test_memory_limit_per_test(self):
        metadata = json.dumps({"inputs": ["1\n", "40\n", "1\n"], "outputs": ["ok\n"] * 3,
                               "memory_mib": 16})
        program = "n = int(input())\nkeep = [bytearray(1 << 20) for _ in range(n)]\nprint('ok')"
        detail = self.check(metadata, program, "partial", 2 / 3)
        self.assertIn("test 2: memory limit (over 16 MiB)", detail)
        # A one-shot allocation (no steps in between) is caught after the test.
        program = "n = int(input())\nx = bytearray(n << 20)\nprint('ok')"
        detail = self.check(metadata, program, "partial", 2 / 3)
        self.assertIn("test 2: memory limit", detail)

    def test_invalid_tasks(self):
        for metadata in ["[]", "{", '{"inputs": ["1"]}', '{"inputs": [], "outputs": []}',
                         '{"inputs": ["1"], "outputs": ["1"], "scoring": "best"}',
                         '{"inputs": ["1"], "outputs": ["1"], "memory_mib": 0}']:
            self.assertEqual(in_child(judge.judge, metadata, fenced("print(1)"))[1], "invalid-task", metadata)

    def test_one_call_per_instance(self):
        def twice():
            judge.judge(self.ADD, fenced("print(3)"))
            return judge.judge(self.ADD, fenced("print(3)"))
        result = in_child(twice)
        self.assertEqual(result[0], "crash")
        self.assertIn("fresh instance", result[1])


# Programs that try to reach the expected outputs or the judge's state. Each task's expected
# output is a secret the program could only print by finding it; none may pass a test.
def judge_secret(program):
    """Judge `program` on a task whose expected outputs are built here, in the child, so that
    no module of this harness holds them (natively, the harness is reachable too)."""
    secret = str(random.SystemRandom().randrange(10**8, 10**9))
    outputs = ["s3cr3t-" + secret + "\n", "s3cr3t-" + secret + "\n"]
    metadata = _dumps({"inputs": ["1\n", "2\n"], "outputs": outputs})
    outputs = None
    score, status, detail = judge.judge(metadata, fenced(program))
    return score, status, detail.replace(secret, "<SECRET>", 1), secret in detail.replace(secret, "", 1)


# SHOW(objects): print the first secret-shaped text found in them (and stop), else 'nothing'.
# The secret's shape is spelled in pieces, so the search cannot find this harness itself.
HOSTILE_PRELUDE = """import re, sys
FIND = re.compile('s3' + 'cr3t-[0-9]{9}').search
def SHOW(objects):
    for o in objects:
        m = FIND(repr(o)[:1000000])
        if m:
            print(m.group())
            sys.exit(0)
"""
# Each program tries to reach the expected outputs or the judge's state. Run with the lockdown
# disabled (see `test_the_attacks_are_real`) the marked ones do print the secret.
HOSTILE = {
    "getattr-built-names": """
try:
    1 / 0
except Exception as e:
    f = getattr(e.__traceback__, 'tb_' + 'frame')
    while f:
        SHOW(f.f_locals.values())
        f = f.f_back
print('nothing')""",
    "getframe-by-name": """
f = getattr(sys, '_get' + 'frame')(0)
while f:
    SHOW(f.f_locals.values())
    f = f.f_back
print('nothing')""",
    "sys-dict-getframe": """
f = vars(sys)['_getframe'](0)
while f:
    SHOW(f.f_locals.values())
    f = f.f_back
print('nothing')""",
    "generator-frame": """
def g():
    f = getattr(x, 'gi_' + 'frame')
    while f:
        SHOW(f.f_locals.values())
        f = f.f_back
    yield
x = g()
next(x)
print('nothing')""",
    "coroutine-frame": """
async def c():
    pass
x = c()
print(getattr(x, 'cr_' + 'frame'))""",
    "sys-exc-info-frame": """
try:
    1 / 0
except Exception:
    f = getattr(sys.exc_info()[2], 'tb_frame')
    while f:
        SHOW(f.f_locals.values())
        f = f.f_back
print('nothing')""",
    "settrace-by-name": """
def tracer(frame, event, arg):
    f = frame
    while f:
        SHOW(f.f_locals.values())
        f = f.f_back
getattr(sys, 'set' + 'trace')(tracer)
def probe():
    pass
probe()
print('nothing')""",
    "setprofile": """
def profiler(frame, event, arg):
    f = frame
    while f:
        SHOW(f.f_locals.values())
        f = f.f_back
sys.setprofile(profiler)
print('nothing')""",
    "monitoring-by-name": """
m = getattr(sys, 'moni' + 'toring')
m.set_events(4, 0)
print('nothing')""",
    "gc-via-sys-modules": """
gc = sys.modules.get('gc') or __import__('g' + 'c')
SHOW(gc.get_objects())
print('nothing')""",
    "subclasses-globals": """
seen, todo = set(), [object]
while todo:
    c = todo.pop()
    if c in seen:
        continue
    seen.add(c)
    todo.extend(type.__subclasses__(c))
    for v in list(vars(c).values()):
        g = getattr(v, '__glob' + 'als__', None)
        if type(g) is dict:
            SHOW(list(g.values()))
            for x in list(g.values()):
                if type(x) is dict:
                    SHOW(list(x.values()))
print('nothing')""",
    "patch-compare-via-globals": """
j = sys.modules['judge']
j.compare_text = lambda *a: None
j._PRISTINE_PUBLIC = {}
print('wrong')""",
    "patch-json-dumps": """
import json
seen = getattr(json, 'seen', [])
json.seen = seen
json.dumps = lambda *a, **k: seen.append(a) or 'x'
SHOW(seen)
print('nothing')""",
    # A finalizer that is partial(exec, src) runs src in whatever frame is innermost: here the
    # judge's own restore step, which drops the replaced module global (test 1); with the
    # judge's globals in hand, test 2 makes every comparison pass.
    "partial-exec-in-judge-frame": """
import functools
leak = sys.modules.get('leak')
if leak:
    leak.g['compare_text'] = lambda *args: None
    print('anything')
else:
    class Bomb:
        __del__ = staticmethod(functools.partial(exec, 'import sys; sys.modules["leak"] = type(sys)("leak"); sys.modules["leak"].g = globals()'))
    sys.modules['judge']._CLOCK = Bomb()
    print('nothing')""",
    "add-audit-hook": """
sys.addaudithook(lambda e, a: SHOW(a))
print('nothing')""",
    "code-replace": """
def f():
    pass
print(f.__code__.replace(co_name='x'))""",
    "class-swap-sys": """
import types
class M(types.ModuleType):
    def __setattr__(self, k, v):
        pass
sys.__class__ = M
print('nothing')""",
    "time-limit-escape": """
try:
    while True:
        pass
except BaseException:
    pass
print('s3cr3t-123456789')""",
}


class Isolation(unittest.TestCase):
    def test_the_attacks_are_real(self):
        """Without the lockdown (audit hook never armed) the frame, finalizer and trace attacks
        do find the secret: the hostile corpus tests the defence, not a typo."""
        def unlocked(program):
            judge._audit = lambda *args: None
            return judge_secret(program)
        for name in ("getattr-built-names", "getframe-by-name", "generator-frame",
                     "sys-exc-info-frame", "settrace-by-name", "partial-exec-in-judge-frame"):
            score, status, detail, leaked = in_child(unlocked, HOSTILE_PRELUDE + HOSTILE[name])
            self.assertGreater(score, 0.0, f"{name}: {detail}")

    def test_hostile_programs_reach_nothing(self):
        for name, program in HOSTILE.items():
            score, status, detail, leaked = in_child(judge_secret, HOSTILE_PRELUDE + program)
            self.assertEqual((status, score, leaked), ("incorrect", 0.0, False), f"{name}: {detail}")

    def test_trusted_code_has_no_public_lookups(self):
        """The audit hook reads only its closure: no global or builtin name at all."""
        import dis
        hook_code = judge._make_audit_hook(*([None] * 12)).__code__
        globals_used = [i.argval for i in dis.get_instructions(hook_code) if i.opname == "LOAD_GLOBAL"]
        self.assertEqual(globals_used, [])

    def test_legitimate_programs_naming_introspection_pass(self):
        metadata = json.dumps({"inputs": ["x\n"], "outputs": ["monitoring f_back tb_frame __globals__ _getframe\n"]})
        program = "input()\nprint('monitoring f_back tb_frame __globals__ _getframe')"
        self.assertEqual(in_child(judge.judge, metadata, fenced(program))[1], "correct")
        program = ("import dataclasses, collections, typing, functools, enum, traceback\n"
                   "@dataclasses.dataclass(order=True)\nclass P:\n    x: int\n    y: int = 0\n"
                   "Q = collections.namedtuple('Q', 'a b', defaults=[0])\n"
                   "class R(typing.NamedTuple):\n    a: int\n    b: int = 2\n"
                   "class C(enum.Enum):\n    A = 1\n"
                   "@functools.lru_cache(None)\ndef f(n):\n    return n if n < 2 else f(n - 1) + f(n - 2)\n"
                   "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    msg = str(e)\n"
                   "input()\nprint(P(1) < P(2), Q(1), R(1), C.A.value, f(50), eval('1+1'), msg)")
        metadata = json.dumps({"inputs": ["x\n"], "outputs": [
            "True Q(a=1, b=0) R(a=1, b=2) 1 12586269025 2 division by zero\n"]})
        score, status, detail = in_child(judge.judge, metadata, fenced(program))
        self.assertEqual(status, "correct", detail)


if __name__ == "__main__":
    unittest.main()
