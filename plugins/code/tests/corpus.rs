//! The corpus: programs with tasks and their expected verdicts, run through the plugin host
//! exactly as proctor runs the built-in `code` plugin (`plugins/builtin/code.wasm`).

use proctor_plugin_host::{
    HostConfig, Plugin, PluginHost, PluginSource, Status, Task, with_plugin_stack,
};

const ADD: &str =
    r#"{"inputs": ["1 2\n", "10 20\n", "-5 5\n"], "outputs": ["3\n", "30\n", "0\n"]}"#;
const ADD_ALL: &str = r#"{"inputs": ["1 2\n", "10 20\n", "-5 5\n"], "outputs": ["3\n", "30\n", "0\n"], "scoring": "all_or_nothing"}"#;
const SUM: &str = r#"{"inputs": ["5\n1 2 3 4 5\n", "3\n10 10 10\n", "1\n7\n", "2\n-1 1\n"], "outputs": ["15\n", "30\n", "7\n", "0\n"]}"#;
const LINES: &str = r#"{"inputs": ["3\n", "1\n"], "outputs": ["1\n2\n3\n", "1\n"]}"#;
const ROOT: &str = r#"{"inputs": ["2\n", "3\n"], "outputs": ["1.4142136\n", "1.7320508\n"], "float_tolerance": 1e-6}"#;
const ROOT_STRICT: &str = r#"{"inputs": ["2\n"], "outputs": ["1.4142136\n"]}"#;
const TIGHT: &str =
    r#"{"inputs": ["300000\n"], "outputs": ["44999850000\n"], "time_limit_s": 0.1}"#;
const FN_ADD: &str =
    r#"{"fn_name": "add", "inputs": [[1, 2], [10, 20], [-5, 5]], "outputs": [[3], [30], [0]]}"#;
const FN_REV: &str = r#"{"fn_name": "reverse", "inputs": [[[1, 2, 3]], [[]], [["a", "b"]]], "outputs": [[3, 2, 1], [], ["b", "a"]]}"#;
const FN_PAIR: &str =
    r#"{"fn_name": "divmod_pair", "inputs": [[7, 2], [9, 3]], "outputs": [[3, 1], [3, 0]]}"#;
const FN_FIRST: &str =
    r#"{"fn_name": "add", "inputs": [[1, 2]], "outputs": [3], "extract": "first"}"#;
const RAW: &str = r#"{"inputs": ["4\n"], "outputs": ["16\n"], "extract": "none"}"#;
const WORDS: &str = r#"{"inputs": ["x\n"], "outputs": ["monitoring f_back tb_frame __globals__ _getframe gc.get_objects\n"]}"#;
const STDLIB_MIX: &str = r#"{"inputs": ["x\n"], "outputs": ["True Q(a=1, b=0) R(a=1, b=2) 1 12586269025 2 division by zero\n"]}"#;
/// dataclasses (reads `__code__`), namedtuple/NamedTuple (set `__defaults__`, `__module__`),
/// enum, lru_cache, eval and exception messages: all allowed under the lockdown.
const STDLIB_MIX_PROGRAM: &str = "import dataclasses, collections, typing, functools, enum\n@dataclasses.dataclass(order=True)\nclass P:\n    x: int\n    y: int = 0\nQ = collections.namedtuple('Q', 'a b', defaults=[0])\nclass R(typing.NamedTuple):\n    a: int\n    b: int = 2\nclass C(enum.Enum):\n    A = 1\n@functools.lru_cache(None)\ndef f(n):\n    return n if n < 2 else f(n - 1) + f(n - 2)\ntry:\n    1 / 0\nexcept ZeroDivisionError as e:\n    msg = str(e)\ninput()\nprint(P(1) < P(2), Q(1), R(1), C.A.value, f(50), eval('1+1'), msg)";
const MEMORY: &str =
    r#"{"inputs": ["1\n", "40\n", "1\n"], "outputs": ["ok\n", "ok\n", "ok\n"], "memory_mib": 16}"#;
const LRU_DEEP: &str =
    r#"{"inputs": ["1500\n", "100000\n"], "outputs": ["1125750\n", "5000050000\n"]}"#;
const ECHO: &str = r#"{"inputs": ["hello\n", "world\n"], "outputs": ["hello\n", "world\n"]}"#;

/// A fenced python block, as a model would answer.
fn py(program: &str) -> String {
    format!("Here is my solution.\n```python\n{program}\n```\n")
}

struct Case {
    name: &'static str,
    metadata: &'static str,
    response: String,
    status: Status,
    score: f64,
    detail: &'static str,
}

fn case(
    name: &'static str,
    metadata: &'static str,
    program: &str,
    status: Status,
    score: f64,
    detail: &'static str,
) -> Case {
    Case {
        name,
        metadata,
        response: py(program),
        status,
        score,
        detail,
    }
}

use Status::{Correct, Incorrect, InvalidTask, MemoryLimit, Partial, Timeout, Unparsable};

fn corpus() -> Vec<Case> {
    vec![
        case(
            "threading-deep-recursion",
            LINES,
            "import sys, threading\nsys.setrecursionlimit(1 << 20)\nthreading.stack_size(1 << 27)\ndef depth(k):\n    return 0 if k == 0 else depth(k - 1) + 1\ndef main():\n    n = int(input())\n    assert depth(30000) == 30000\n    print('\\n'.join(map(str, range(1, n + 1))))\nthreading.Thread(target=main).start()",
            Correct,
            1.0,
            "",
        ),
        // ---- correct stdin/stdout programs, every common way of reading and writing
        case(
            "input-split",
            ADD,
            "a, b = map(int, input().split())\nprint(a + b)",
            Correct,
            1.0,
            "3/3",
        ),
        case(
            "stdin-read",
            ADD,
            "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)",
            Correct,
            1.0,
            "",
        ),
        case(
            "stdin-readline",
            ADD,
            "import sys\ninput = sys.stdin.readline\na, b = map(int, input().split())\nprint(a + b)",
            Correct,
            1.0,
            "",
        ),
        case(
            "open-zero",
            ADD,
            "a, b = map(int, open(0).read().split())\nprint(a + b)",
            Correct,
            1.0,
            "",
        ),
        case(
            "os-read-fstat",
            ADD,
            "import os, io\ndata = io.BytesIO(os.read(0, os.fstat(0).st_size)).readline\na, b = map(int, data().split())\nprint(a + b)",
            Correct,
            1.0,
            "",
        ),
        case(
            "stdin-buffer",
            ADD,
            "import sys\na, b = map(int, sys.stdin.buffer.read().split())\nsys.stdout.write(str(a + b) + '\\n')",
            Correct,
            1.0,
            "",
        ),
        case(
            "for-line-in-stdin",
            ADD,
            "import sys\nfor line in sys.stdin:\n    a, b = map(int, line.split())\n    print(a + b)",
            Correct,
            1.0,
            "",
        ),
        case(
            "main-guard",
            ADD,
            "def main():\n    a, b = map(int, input().split())\n    print(a + b)\n\nif __name__ == '__main__':\n    main()",
            Correct,
            1.0,
            "",
        ),
        case(
            "sys-exit-zero",
            ADD,
            "import sys\na, b = map(int, input().split())\nprint(a + b)\nsys.exit(0)\nprint('unreachable')",
            Correct,
            1.0,
            "",
        ),
        case(
            "exit-builtin",
            ADD,
            "a, b = map(int, input().split())\nprint(a + b)\nexit()",
            Correct,
            1.0,
            "",
        ),
        case(
            "from-sys-import-stdin",
            SUM,
            "from sys import stdin\nn = int(stdin.readline())\nprint(sum(map(int, stdin.readline().split())))",
            Correct,
            1.0,
            "4/4",
        ),
        case(
            "trailing-spaces-crlf",
            SUM,
            "n = int(input())\nprint(str(sum(map(int, input().split()))) + '   \\r')",
            Correct,
            1.0,
            "",
        ),
        case(
            "print-end",
            LINES,
            "n = int(input())\nfor i in range(1, n + 1):\n    print(i, end='\\n')",
            Correct,
            1.0,
            "",
        ),
        case(
            "join-output",
            LINES,
            "n = int(input())\nprint('\\n'.join(str(i) for i in range(1, n + 1)))",
            Correct,
            1.0,
            "",
        ),
        case("fastio-template", SUM, FASTIO, Correct, 1.0, ""),
        case(
            "stdout-replaced-flushed",
            SUM,
            "import sys, io\nout = io.StringIO()\nn = int(input())\nout.write(str(sum(map(int, input().split()))) + '\\n')\nsys.stdout.write(out.getvalue())",
            Correct,
            1.0,
            "",
        ),
        case(
            "deep-python-recursion",
            LINES,
            "import sys\nsys.setrecursionlimit(100000)\ndef depth(k):\n    return 0 if k == 0 else depth(k - 1) + 1\nn = int(input())\nassert depth(20000) == 20000\nprint('\\n'.join(map(str, range(1, n + 1))))",
            Correct,
            1.0,
            "",
        ),
        case(
            "deep-lru-cache-recursion",
            LRU_DEEP,
            "import sys, functools\nsys.setrecursionlimit(1000000)\n@functools.lru_cache(maxsize=None)\ndef total(k):\n    return 0 if k == 0 else total(k - 1) + k\nprint(total(int(input())))",
            // 1,500 levels through C pass (300 did before the 16 MiB wasm stack); 100,000 end
            // in CPython's own C-stack check, a per-test RecursionError, not a trap.
            Partial,
            0.5,
            "test 2: runtime error (RecursionError",
        ),
        case(
            "memory-limit-per-test",
            MEMORY,
            "n = int(input())\nkeep = [bytearray(1 << 20) for _ in range(n)]\nprint('ok')",
            Partial,
            2.0 / 3.0,
            "test 2: memory limit (over 16 MiB)",
        ),
        case(
            "memory-limit-one-allocation",
            MEMORY,
            "n = int(input())\nkeep = [0] * (n << 18)\nprint('ok')",
            Partial,
            2.0 / 3.0,
            "test 2: memory limit (over 16 MiB)",
        ),
        case(
            "tracemalloc-stopped-through-imp",
            MEMORY,
            "import sys\ntm = sys.modules['_imp'].create_builtin(type(sys.__spec__)('_tracemalloc', None))\ntm.stop()\nprint('ok')",
            Incorrect,
            0.0,
            "test 1: memory limit",
        ),
        case(
            "stdlib-imports",
            SUM,
            "import heapq, collections, bisect, math, itertools, functools, re\nfrom typing import List\nn = int(input())\nxs = list(map(int, input().split()))\nheapq.heapify(xs)\nprint(sum(collections.Counter(xs).elements()))",
            Correct,
            1.0,
            "",
        ),
        case(
            "random-and-time",
            SUM,
            "import random, time\nstart = time.time()\nrandom.shuffle(xs := [1])\nn = int(input())\nprint(sum(map(int, input().split())))\nassert time.time() - start >= 0",
            Correct,
            1.0,
            "",
        ),
        case(
            "float-within-tolerance",
            ROOT,
            "print(f'{int(input()) ** 0.5:.9f}')",
            Correct,
            1.0,
            "",
        ),
        case("no-fence-with-extract-none", RAW, "", Correct, 1.0, ""),
        case(
            "echo-unicode-safe",
            ECHO,
            "print(input())",
            Correct,
            1.0,
            "",
        ),
        // ---- correct function-call programs
        case(
            "fn-top-level",
            FN_ADD,
            "def add(a, b):\n    return a + b",
            Correct,
            1.0,
            "",
        ),
        case(
            "fn-solution-class",
            FN_ADD,
            "class Solution:\n    def add(self, a: int, b: int) -> int:\n        return a + b",
            Correct,
            1.0,
            "",
        ),
        case(
            "fn-typing-without-import",
            FN_REV,
            "class Solution:\n    def reverse(self, xs: List[int]) -> List[int]:\n        return xs[::-1]",
            Correct,
            1.0,
            "",
        ),
        case(
            "fn-tuple-is-list",
            FN_PAIR,
            "def divmod_pair(a, b):\n    return divmod(a, b)",
            Correct,
            1.0,
            "",
        ),
        case(
            "fn-top-level-helper",
            FN_REV,
            "def helper(xs):\n    return list(reversed(xs))\ndef reverse(xs):\n    return helper(xs)",
            Correct,
            1.0,
            "",
        ),
        // ---- wrong answers and partial credit
        case(
            "off-by-one",
            ADD,
            "a, b = map(int, input().split())\nprint(a + b + 1)",
            Incorrect,
            0.0,
            "test 1: wrong answer (line 1: expected '3', got '4')",
        ),
        case(
            "prints-nothing",
            ADD,
            "x = input()",
            Incorrect,
            0.0,
            "output ended at line 1",
        ),
        case(
            "extra-line",
            ADD,
            "a, b = map(int, input().split())\nprint(a + b)\nprint('done')",
            Incorrect,
            0.0,
            "extra output at line 2",
        ),
        case(
            "partial-credit",
            ADD,
            "a, b = map(int, input().split())\nprint(a + b if a > 0 else 1)",
            Partial,
            2.0 / 3.0,
            "test 3: wrong answer",
        ),
        case(
            "partial-all-or-nothing",
            ADD_ALL,
            "a, b = map(int, input().split())\nprint(a + b if a > 0 else 1)",
            Incorrect,
            0.0,
            "2/3 tests passed",
        ),
        case(
            "order-matters",
            LINES,
            "n = int(input())\nprint('\\n'.join(str(i) for i in range(n, 0, -1)))",
            Partial,
            0.5,
            "test 1: wrong answer",
        ),
        case(
            "float-strict",
            ROOT_STRICT,
            "print(int(input()) ** 0.5)",
            Incorrect,
            0.0,
            "expected '1.4142136'",
        ),
        case(
            "float-outside-tolerance",
            ROOT,
            "print(f'{int(input()) ** 0.5:.3f}')",
            Incorrect,
            0.0,
            "wrong answer",
        ),
        case(
            "space-inside-line-matters",
            ADD,
            "a, b = map(int, input().split())\nprint('', a + b)",
            Incorrect,
            0.0,
            "wrong answer",
        ),
        case(
            "fn-wrong",
            FN_ADD,
            "def add(a, b):\n    return a + b if a != 1 else 0",
            Partial,
            2.0 / 3.0,
            "test 1: wrong answer",
        ),
        case(
            "fn-bool-is-not-int",
            FN_ADD,
            "def add(a, b):\n    return True if a + b == 1 else a + b",
            Correct,
            1.0,
            "",
        ),
        case(
            "fn-missing",
            FN_ADD,
            "def plus(a, b):\n    return a + b",
            Incorrect,
            0.0,
            "NameError",
        ),
        case(
            "fn-string-not-number",
            FN_ADD,
            "def add(a, b):\n    return str(a + b)",
            Incorrect,
            0.0,
            "wrong answer",
        ),
        // ---- time limits
        case(
            "infinite-loop",
            ADD,
            "while True:\n    pass",
            Incorrect,
            0.0,
            "test 1: time limit",
        ),
        case(
            "loop-swallows-timeout",
            ADD,
            "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
            Incorrect,
            0.0,
            "time limit",
        ),
        case(
            "not-preloaded-module",
            ADD,
            "import xml.dom.minidom",
            Incorrect,
            0.0,
            "No module named 'xml.dom.minidom'",
        ),
        case(
            "sleep-forever",
            ADD,
            "import time\ntime.sleep(10**6)",
            Incorrect,
            0.0,
            "time limit",
        ),
        case(
            "too-slow-for-limit",
            TIGHT,
            "n = int(input())\ntotal = 0\nfor i in range(n):\n    total += i\nprint(total)",
            Incorrect,
            0.0,
            "time limit",
        ),
        case(
            "fast-enough-for-limit",
            TIGHT,
            "n = int(input())\nprint(n * (n - 1) // 2)",
            Correct,
            1.0,
            "",
        ),
        case(
            "slow-on-one-test",
            SUM,
            "n = int(input())\nxs = list(map(int, input().split()))\nif n == 1:\n    while True:\n        pass\nprint(sum(xs))",
            Partial,
            0.75,
            "test 3: time limit",
        ),
        // ---- memory
        case(
            "list-too-large",
            ADD,
            "x = [0] * (10 ** 9)",
            Incorrect,
            0.0,
            "memory limit (MemoryError)",
        ),
        case(
            "memory-bomb",
            ADD,
            "blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 24))",
            MemoryLimit,
            0.0,
            "",
        ),
        // ---- runtime errors
        case(
            "zero-division",
            ADD,
            "print(1 // 0)",
            Incorrect,
            0.0,
            "runtime error (ZeroDivisionError",
        ),
        case(
            "index-error",
            ADD,
            "print([][1])",
            Incorrect,
            0.0,
            "IndexError",
        ),
        case(
            "value-error",
            ADD,
            "print(int(input()))",
            Incorrect,
            0.0,
            "ValueError",
        ),
        case(
            "eof-error",
            ADD,
            "input()\nprint(input())",
            Incorrect,
            0.0,
            "EOFError",
        ),
        case(
            "sys-exit-nonzero",
            ADD,
            "import sys\nsys.exit(3)",
            Incorrect,
            0.0,
            "SystemExit: 3",
        ),
        case(
            "sys-exit-message",
            ADD,
            "import sys\nsys.exit('bad input')",
            Incorrect,
            0.0,
            "SystemExit",
        ),
        case(
            "keyboard-interrupt",
            ADD,
            "raise KeyboardInterrupt",
            Incorrect,
            0.0,
            "KeyboardInterrupt",
        ),
        case(
            "custom-base-exception",
            ADD,
            "class Boom(BaseException):\n    pass\nraise Boom()",
            Incorrect,
            0.0,
            "Boom",
        ),
        case(
            "syntax-error",
            ADD,
            "print(",
            Incorrect,
            0.0,
            "compile error: SyntaxError",
        ),
        case(
            "assertion",
            ADD,
            "assert False, 'nope'",
            Incorrect,
            0.0,
            "AssertionError",
        ),
        case(
            "recursion-error",
            ADD,
            "def f(n):\n    return f(n + 1)\nf(0)",
            Incorrect,
            0.0,
            "RecursionError",
        ),
        // ---- output size
        case(
            "huge-single-print",
            ADD,
            "print('x' * 10 ** 7)",
            Incorrect,
            0.0,
            "output limit",
        ),
        case(
            "endless-printing",
            ADD,
            "while True:\n    print('y' * 1000)",
            Incorrect,
            0.0,
            "output limit",
        ),
        // ---- escape attempts
        case(
            "read-etc-passwd",
            ADD,
            "print(open('/etc/passwd').read())",
            Incorrect,
            0.0,
            "PermissionError",
        ),
        case(
            "write-file",
            ADD,
            "open('out.txt', 'w').write('3')",
            Incorrect,
            0.0,
            "PermissionError",
        ),
        case(
            "import-socket",
            ADD,
            "import socket\nsocket.create_connection(('example.com', 80))",
            Incorrect,
            0.0,
            "No module named 'socket'",
        ),
        case(
            "import-subprocess",
            ADD,
            "import subprocess\nprint(subprocess.check_output(['ls']))",
            Incorrect,
            0.0,
            "No module named 'subprocess'",
        ),
        case(
            "os-system",
            ADD,
            "import os\nos.system('cat /etc/passwd')",
            Incorrect,
            0.0,
            "PermissionError",
        ),
        case(
            "os-listdir",
            ADD,
            "import os\nprint(os.listdir('/'))",
            Incorrect,
            0.0,
            "PermissionError",
        ),
        case(
            "os-environ-empty",
            ADD,
            "import os\nprint(dict(os.environ))",
            Incorrect,
            0.0,
            "got '{}'",
        ),
        case(
            "import-ctypes",
            ADD,
            "import ctypes",
            Incorrect,
            0.0,
            "No module named 'ctypes'",
        ),
        case(
            "importlib-escape",
            ADD,
            "import importlib\nimportlib.import_module('socket')",
            Incorrect,
            0.0,
            "No module named 'importlib'",
        ),
        // ---- reaching the verifier's state or faking output
        case(
            "gc-scan-for-outputs",
            ADD,
            "import gc\nprint([o for o in gc.get_objects() if isinstance(o, list)])",
            Incorrect,
            0.0,
            "No module named 'gc'",
        ),
        case(
            "frame-walk",
            ADD,
            "import sys\nf = sys._getframe()\nprint(f)",
            Incorrect,
            0.0,
            "PermissionError: 'sys._getframe is not available",
        ),
        case(
            "traceback-frames",
            ADD,
            "try:\n    1 / 0\nexcept Exception as e:\n    print(e.__traceback__.tb_frame.f_back.f_locals)",
            Incorrect,
            0.0,
            "PermissionError: 'frame introspection is not available",
        ),
        case(
            "getattr-string",
            ADD,
            "print(getattr(print, '__globals__', None))",
            Incorrect,
            0.0,
            "got 'None'",
        ),
        // ---- programs that merely name introspection pass (no name-based refusal)
        case(
            "prints-introspection-words",
            WORDS,
            "input()\nprint('monitoring f_back tb_frame __globals__ _getframe gc.get_objects')",
            Correct,
            1.0,
            "",
        ),
        case(
            "stdlib-that-reads-code-objects",
            STDLIB_MIX,
            STDLIB_MIX_PROGRAM,
            Correct,
            1.0,
            "",
        ),
        case(
            "sys-modules-judge",
            ADD,
            "import sys\nj = sys.modules.get('judge')\nj.compare_text = lambda *a: None\nprint('wrong')",
            Incorrect,
            0.0,
            "wrong answer",
        ),
        case(
            "patch-builtins-print",
            ADD,
            "import builtins\nbuiltins.print = lambda *a, **k: None\nprint('3')",
            Incorrect,
            0.0,
            "output ended",
        ),
        case(
            "patch-builtins-for-later-tests",
            ADD,
            "import builtins\nbuiltins.len = lambda x: 0\nbuiltins.str = lambda x='': '3'\nprint(3)",
            Partial,
            1.0 / 3.0,
            "test 2: wrong answer",
        ),
        case(
            "always-equal-object",
            FN_ADD,
            "class Yes:\n    def __eq__(self, other):\n        return True\ndef add(a, b):\n    return Yes()",
            Incorrect,
            0.0,
            "not JSON data",
        ),
        case(
            "int-subclass-equal",
            FN_ADD,
            "class Int(int):\n    def __eq__(self, other):\n        return True\ndef add(a, b):\n    return Int(0)",
            Incorrect,
            0.0,
            "not JSON data",
        ),
        case(
            "str-subclass-output",
            ADD,
            "class S(str):\n    def rstrip(self, *a):\n        return '3'\nimport sys\nsys.stdout.write(S('0\\n'))",
            Partial,
            1.0 / 3.0,
            "test 1: wrong answer",
        ),
        case(
            "stdout-swap-hides-output",
            ADD,
            "import sys, io\nsys.stdout = io.StringIO()\na, b = map(int, input().split())\nprint(a + b)",
            Incorrect,
            0.0,
            "output ended",
        ),
        case(
            "close-stdout-keeps-output",
            ADD,
            "import sys\na, b = map(int, input().split())\nprint(a + b)\nsys.stdout.flush()\nsys.stdout.close()",
            Correct,
            1.0,
            "",
        ),
        case(
            "state-does-not-leak",
            ADD,
            "import math\nif hasattr(math, 'seen'):\n    print('leak')\nelse:\n    a, b = map(int, input().split())\n    print(a + b)\nmath.seen = True",
            Partial,
            1.0 / 3.0,
            "test 2: wrong answer",
        ),
        // ---- extraction
        case(
            "first-block-with-extract-first",
            FN_FIRST,
            "def add(a, b):\n    return a + b\n```\nand a wrong one:\n```python\ndef add(a, b):\n    return 0",
            Correct,
            1.0,
            "",
        ),
    ]
}

const FASTIO: &str = r#"import os, sys
from io import BytesIO, IOBase
BUFSIZE = 8192
class FastIO(IOBase):
    newlines = 0
    def __init__(self, file):
        self._fd = file.fileno()
        self.buffer = BytesIO()
        self.writable = "x" in file.mode or "r" not in file.mode
        self.write = self.buffer.write if self.writable else None
    def read(self):
        while True:
            b = os.read(self._fd, max(os.fstat(self._fd).st_size, BUFSIZE))
            if not b:
                break
            ptr = self.buffer.tell()
            self.buffer.seek(0, 2), self.buffer.write(b), self.buffer.seek(ptr)
        self.newlines = 0
        return self.buffer.read()
    def readline(self):
        while self.newlines == 0:
            b = os.read(self._fd, max(os.fstat(self._fd).st_size, BUFSIZE))
            self.newlines = b.count(b"\n") + (not b)
            ptr = self.buffer.tell()
            self.buffer.seek(0, 2), self.buffer.write(b), self.buffer.seek(ptr)
        self.newlines -= 1
        return self.buffer.readline()
    def flush(self):
        if self.writable:
            os.write(self._fd, self.buffer.getvalue())
            self.buffer.truncate(0), self.buffer.seek(0)
class IOWrapper(IOBase):
    def __init__(self, file):
        self.buffer = FastIO(file)
        self.flush = self.buffer.flush
        self.writable = self.buffer.writable
        self.write = lambda s: self.buffer.write(s.encode("ascii"))
        self.read = lambda: self.buffer.read().decode("ascii")
        self.readline = lambda: self.buffer.readline().decode("ascii")
sys.stdin, sys.stdout = IOWrapper(sys.stdin), IOWrapper(sys.stdout)
input = lambda: sys.stdin.readline().rstrip("\r\n")
n = int(input())
print(sum(map(int, input().split())))
"#;

/// Cases whose verdict does not depend on a program: task and extraction errors.
fn format_cases() -> Vec<Case> {
    let plain = |name, metadata, response: &str, status, detail| Case {
        name,
        metadata,
        response: response.to_owned(),
        status,
        score: 0.0,
        detail,
    };
    vec![
        plain(
            "no-fence",
            ADD,
            "a, b = map(int, input().split())\nprint(a + b)",
            Unparsable,
            "no ```python block",
        ),
        plain(
            "other-language-fence",
            ADD,
            "```cpp\nint main() {}\n```",
            Unparsable,
            "",
        ),
        plain(
            "bad-metadata",
            "not json",
            &py("print(3)"),
            InvalidTask,
            "metadata is not JSON",
        ),
        plain(
            "no-tests",
            r#"{"inputs": [], "outputs": []}"#,
            &py("print(3)"),
            InvalidTask,
            "no tests",
        ),
        plain(
            "mismatched-tests",
            r#"{"inputs": ["1"], "outputs": []}"#,
            &py("print(3)"),
            InvalidTask,
            "1 inputs but 0 outputs",
        ),
        plain(
            "bad-time-limit",
            r#"{"inputs": ["1"], "outputs": ["1"], "time_limit_s": -1}"#,
            &py("print(1)"),
            InvalidTask,
            "time_limit_s",
        ),
    ]
}

/// The plugin under test: the built-in, or the component at `$PROCTOR_CODE_WASM` (what
/// `plugins/code/build.sh --check` sets to test a fresh rebuild).
fn source() -> PluginSource {
    match std::env::var_os("PROCTOR_CODE_WASM") {
        Some(path) => PluginSource::Path(path.into()),
        None => PluginSource::Builtin("code".into()),
    }
}

fn load() -> Plugin {
    let host = PluginHost::new(HostConfig {
        consume_fuel: false,
        ..HostConfig::default()
    })
    .expect("the host starts");
    host.load_with(&source(), proctor_code::recommended_config())
        .expect("the code plugin loads")
}

#[test]
fn corpus_verdicts() {
    let plugin = load();
    assert_eq!(plugin.info().name, "code");
    // A fix for the raw-response case: it has no fence by design.
    let mut cases = corpus();
    for case in &mut cases {
        if case.name == "no-fence-with-extract-none" {
            case.response = "print(int(input()) ** 2)\n".to_owned();
        }
    }
    cases.extend(format_cases());
    assert!(cases.len() >= 60, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let task = Task::new(case.name, "solve it").with_metadata(case.metadata);
        // Deep guest recursion needs the plugin-call stack, not a test thread's 2 MiB.
        let verdict = with_plugin_stack(|| plugin.verify(&task, &case.response));
        let score_ok = (verdict.score - case.score).abs() < 1e-9;
        if verdict.status != case.status || !score_ok || !verdict.detail.contains(case.detail) {
            failures.push(format!(
                "{}: expected {} {:.3} containing {:?}, got {} {:.3}: {}",
                case.name,
                case.status,
                case.score,
                case.detail,
                verdict.status,
                verdict.score,
                verdict.detail
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Work the guest cannot count (a RecursionError storm, one long C-level call) is bounded by the
/// host's deadline: the whole call ends as `timeout`. A short deadline keeps the test fast.
#[test]
fn uncountable_work_hits_the_host_deadline() {
    let host = PluginHost::new(HostConfig {
        consume_fuel: false,
        ..HostConfig::default()
    })
    .expect("the host starts");
    let mut config = proctor_code::recommended_config();
    config.limits.timeout_ms = 1_500;
    let plugin = host
        .load_with(&source(), config)
        .expect("the code plugin loads");
    let storm = "import sys\nsys.setrecursionlimit(10**4)\ndef f(n):\n    try:\n        return f(n + 1)\n    except BaseException:\n        return f(n + 1)\nf(0)";
    let c_loop = "print(sum(range(10 ** 12)))";
    for program in [storm, c_loop] {
        let task = Task::new("deadline", "p").with_metadata(ADD);
        let verdict = with_plugin_stack(|| plugin.verify(&task, &py(program)));
        assert_eq!(verdict.status, Timeout, "{program}: {}", verdict.detail);
    }
    // The host keeps serving the next call.
    let verdict = plugin.verify(
        &Task::new("after", "p").with_metadata(ADD),
        &py("a, b = map(int, input().split())\nprint(a + b)"),
    );
    assert_eq!(verdict.status, Correct, "{}", verdict.detail);
}

/// The expected outputs of [`SECRET`]: what a hostile program would have to find.
const SECRET_DIGITS: &str = "918273645";
const SECRET: &str =
    r#"{"inputs": ["1\n", "2\n"], "outputs": ["s3cr3t-918273645\n", "s3cr3t-918273645\n"]}"#;
/// `SHOW(objects)`: print the first secret-shaped text found in them and stop.
const HOSTILE_PRELUDE: &str = "import re, sys\nFIND = re.compile('s3' + 'cr3t-[0-9]{9}').search\ndef SHOW(objects):\n    for o in objects:\n        m = FIND(repr(o)[:1000000])\n        if m:\n            print(m.group())\n            sys.exit(0)\n";

/// Programs that try to reach the expected outputs or the judge's state through frames,
/// tracing, `gc`, `__globals__` of the judge's functions, patched modules, or a finalizer that
/// runs `exec` in the judge's own frame (plugins/code/guest/test_judge.py shows, natively, that
/// the frame and finalizer attacks do find the secret when the lockdown is off).
const HOSTILE: &[(&str, &str)] = &[
    (
        "tb-frame-built-name",
        "try:\n    1 / 0\nexcept Exception as e:\n    f = getattr(e.__traceback__, 'tb_' + 'frame')\n    while f:\n        SHOW(f.f_locals.values())\n        f = f.f_back\nprint('nothing')",
    ),
    (
        "getframe-built-name",
        "f = getattr(sys, '_get' + 'frame')(0)\nwhile f:\n    SHOW(f.f_locals.values())\n    f = f.f_back\nprint('nothing')",
    ),
    (
        "getframe-via-vars",
        "f = vars(sys)['_getframe'](0)\nwhile f:\n    SHOW(f.f_locals.values())\n    f = f.f_back\nprint('nothing')",
    ),
    (
        "generator-frame",
        "def g():\n    f = getattr(x, 'gi_' + 'frame')\n    while f:\n        SHOW(f.f_locals.values())\n        f = f.f_back\n    yield\nx = g()\nnext(x)\nprint('nothing')",
    ),
    (
        "coroutine-frame",
        "async def c():\n    pass\nx = c()\nprint(getattr(x, 'cr_' + 'frame'))",
    ),
    (
        "exc-info-frame",
        "try:\n    1 / 0\nexcept Exception:\n    f = getattr(sys.exc_info()[2], 'tb_frame')\n    while f:\n        SHOW(f.f_locals.values())\n        f = f.f_back\nprint('nothing')",
    ),
    (
        "settrace-built-name",
        "def tracer(frame, event, arg):\n    f = frame\n    while f:\n        SHOW(f.f_locals.values())\n        f = f.f_back\ngetattr(sys, 'set' + 'trace')(tracer)\ndef probe():\n    pass\nprobe()\nprint('nothing')",
    ),
    (
        "setprofile",
        "def profiler(frame, event, arg):\n    f = frame\n    while f:\n        SHOW(f.f_locals.values())\n        f = f.f_back\nsys.setprofile(profiler)\nprint('nothing')",
    ),
    (
        "monitoring-off",
        "m = getattr(sys, 'moni' + 'toring')\nm.set_events(4, 0)\nwhile True:\n    pass",
    ),
    (
        "gc-from-sys-modules",
        "gc = sys.modules.get('gc') or __import__('g' + 'c')\nSHOW(gc.get_objects())\nprint('nothing')",
    ),
    (
        "gc-through-imp",
        "imp = sys.modules['_imp']\nspec = type(sys.__spec__)('gc', None)\ngc = imp.create_builtin(spec)\nSHOW(gc.get_objects())\nprint('nothing')",
    ),
    (
        "subclasses-globals",
        "seen, todo = set(), [object]\nwhile todo:\n    c = todo.pop()\n    if c in seen:\n        continue\n    seen.add(c)\n    todo.extend(type.__subclasses__(c))\n    for v in list(vars(c).values()):\n        g = getattr(v, '__glob' + 'als__', None)\n        if type(g) is dict:\n            SHOW(list(g.values()))\n            for x in list(g.values()):\n                if type(x) is dict:\n                    SHOW(list(x.values()))\nprint('nothing')",
    ),
    (
        "patch-judge-globals",
        "j = sys.modules['judge']\nj.compare_text = lambda *a: None\nj._PRISTINE_PUBLIC = {}\nj._restore = lambda: None\nprint('anything')",
    ),
    (
        "patch-json-dumps",
        "import json\nseen = getattr(json, 'seen', [])\njson.seen = seen\njson.dumps = lambda *a, **k: seen.append(a) or 'x'\nSHOW(seen)\nprint('nothing')",
    ),
    (
        "patch-wit-types",
        "for name, m in list(sys.modules.items()):\n    if name.startswith('wit_world'):\n        for v in list(vars(m).values()):\n            if isinstance(v, type):\n                try:\n                    v.score = property(lambda self: 1.0)\n                except Exception:\n                    pass\nprint('nothing')",
    ),
    (
        "partial-exec-in-judge-frame",
        "import functools\nleak = sys.modules.get('leak')\nif leak:\n    leak.g['compare_text'] = lambda *args: None\n    print('anything')\nelse:\n    class Bomb:\n        __del__ = staticmethod(functools.partial(exec, 'import sys; sys.modules[\"leak\"] = type(sys)(\"leak\"); sys.modules[\"leak\"].g = globals()'))\n    sys.modules['judge']._CLOCK = Bomb()\n    print('nothing')",
    ),
    (
        "add-audit-hook",
        "sys.addaudithook(lambda e, a: SHOW(a))\nprint('nothing')",
    ),
    (
        "code-replace",
        "def f():\n    pass\nprint(f.__code__.replace(co_name='x'))",
    ),
    (
        "class-swap-sys",
        "import types\nclass M(types.ModuleType):\n    def __setattr__(self, k, v):\n        pass\nsys.__class__ = M\nprint('nothing')",
    ),
    (
        "time-limit-swallowed",
        "try:\n    while True:\n        pass\nexcept BaseException:\n    pass\nprint('s3cr3t-123456789')",
    ),
    (
        "clock-rewind",
        "import sys\nj = sys.modules['judge']\nwhile True:\n    j._CLOCK[:] = [0, 0, 10**18]\n    j._events = 0",
    ),
];

#[test]
fn hostile_programs_reach_nothing() {
    let plugin = load();
    let mut failures = Vec::new();
    for (name, body) in HOSTILE {
        let task = Task::new(*name, "solve it").with_metadata(SECRET);
        let response = py(&format!("{HOSTILE_PRELUDE}{body}"));
        let verdict = with_plugin_stack(|| plugin.verify(&task, &response));
        // The detail quotes the expected line once ("expected 's3cr3t-…', got …"); a program
        // that found the secret would have it in the "got" part too, or would pass.
        let leaked = verdict.detail.matches(SECRET_DIGITS).count() > 1;
        if verdict.status != Incorrect || verdict.score != 0.0 || leaked {
            failures.push(format!(
                "{name}: {} {}: {}",
                verdict.status, verdict.score, verdict.detail
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `code` built-in never reuses an instance (candidate code could leave state behind for
/// the next call), whatever the caller's `reuse` says; calls keep working.
#[test]
fn code_builtin_ignores_instance_reuse() {
    let host = PluginHost::new(HostConfig {
        consume_fuel: false,
        ..HostConfig::default()
    })
    .expect("the host starts");
    let mut config = proctor_code::recommended_config();
    config.reuse = std::num::NonZeroU32::new(16);
    let plugin = host
        .load_with(&PluginSource::Builtin("code".into()), config)
        .expect("the code plugin loads");
    assert_eq!(plugin.config().reuse, None);
    for _ in 0..3 {
        let task = Task::new("reuse", "p").with_metadata(ADD);
        let verdict = with_plugin_stack(|| {
            plugin.verify(&task, &py("a, b = map(int, input().split())\nprint(a + b)"))
        });
        assert_eq!(verdict.status, Correct, "{}", verdict.detail);
    }
}
