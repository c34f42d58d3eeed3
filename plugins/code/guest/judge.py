"""Judge logic of the `code` verifier: run a candidate Python program against a task's tests.

Pure CPython 3.12+ (runs inside componentize-py's CPython 3.14 in the WASM sandbox, and natively
for tests: `python3.13 plugins/code/guest/test_judge.py`). `app.py` wraps `judge()` for the WIT
`verifier` world. See plugins/code/README.md for the metadata keys and the limits.
"""

import ast
import builtins
import io
import json
import random
import sys
import time

# ---- limits ---------------------------------------------------------------------------------
# Time is counted, not measured: every loop iteration (a JUMP event) and every Python function
# start (PY_START) is one event. Counting makes verdicts deterministic whatever the load.
EVENTS_PER_SECOND = 1_000_000
DEFAULT_TIME_LIMIT_S = 2.0
MAX_TIME_LIMIT_S = 10.0
# Events one verify call may spend over all its tests; tests past it are time limits unrun.
CALL_EVENT_BUDGET = 20_000_000
OUTPUT_LIMIT_BYTES = 4 << 20
# Steps a program may keep running after its time limit fired (by catching the exception) before
# the whole call is aborted with a trap.
GRACE_EVENTS = 100_000
# File descriptors the test's streams report: not 0/1/2, so `input()` never asks the (stubbed)
# WASI terminal whether fd 0 is a tty; the os shims accept both numbers.
STDIN_FD, STDOUT_FD, STDERR_FD = 100, 101, 102
MAX_RECURSION_LIMIT = 100_000
DETAIL_SNIPPET = 80
DENIED_MODULES = frozenset({
    "gc", "inspect", "ctypes", "socket", "_socket", "ssl", "select", "selectors", "subprocess",
    "multiprocessing", "_thread", "signal", "_signal", "asyncio", "faulthandler",
    "tracemalloc", "_tracemalloc", "importlib", "_imp", "pdb", "bdb", "trace", "code", "codeop",
    "app", "judge", "wit_world", "componentize_py_runtime", "componentize_py_types",
    "componentize_py_async_support", "posix", "nt", "_io", "mmap", "resource", "pty", "shutil",
    "tempfile", "pathlib", "glob", "sqlite3", "_sqlite3", "urllib", "http", "ftplib", "smtplib",
})
# Attribute names that reach frames, globals or code objects: the way from candidate code to
# the verifier's own state. A program naming one (as an attribute or inside a string) is refused.
DENIED_NAMES = (
    "f_back", "f_locals", "f_globals", "f_builtins", "f_code", "tb_frame", "tb_next", "gi_frame",
    "cr_frame", "ag_frame", "gi_code", "__globals__", "__closure__", "__code__", "__subclasses__",
    "__builtins__", "_getframe", "__getattribute__", "__reduce_ex__", "settrace", "setprofile",
    "monitoring", "_current_frames", "__loader__", "__spec__", "get_referrers", "get_objects",
)
# Removed from `sys` while candidate code runs (restored after each test).
_SYS_HIDDEN = ("_getframe", "_getframemodulename", "settrace", "setprofile", "monitoring",
               "_current_frames", "_current_exceptions", "call_tracing", "addaudithook",
               "remote_exec", "activate_stack_trampoline")

# Builtins and C-level methods captured once: candidate code may rebind names, never these.
_type, _len, _str, _int, _float, _bool, _list, _dict, _tuple = (
    type, len, str, int, float, bool, list, dict, tuple)
_bytes_getvalue = io.BytesIO.getvalue
_BaseException, _SystemExit, _Exception = BaseException, SystemExit, Exception
_exec, _compile, _isinstance, _min, _max, _abs = exec, compile, isinstance, min, max, abs
_bytes_write = io.BytesIO.write
_TextIOWrapper = io.TextIOWrapper
_dumps, _loads = json.dumps, json.loads
_MONITOR = sys.monitoring
_STUBBED_CLOCK = time.time
_TOOL = 4
_REAL_IMPORT = builtins.__import__
_BUILTINS_SNAPSHOT = dict(builtins.__dict__)
_SYS_ATTRS = ("stdin", "stdout", "stderr", "__stdin__", "__stdout__", "__stderr__", "argv")
_SYS_SNAPSHOT = {name: getattr(sys, name, None) for name in _SYS_ATTRS + _SYS_HIDDEN}
_DEFAULT_RECURSION = sys.getrecursionlimit()
_DEFAULT_INT_DIGITS = sys.get_int_max_str_digits()


class InvalidTask(Exception):
    """The task's metadata cannot be judged (a data problem, not a model failure)."""


class _TimeLimit(BaseException):
    pass


class _OutputLimit(BaseException):
    pass


# ---- extraction -----------------------------------------------------------------------------
def extract_program(response, mode):
    """The program in `response`: the last (`last`) or first (`first`) fenced ```python block,
    or the whole response (`none`). None when a block is required and there is none."""
    if mode == "none":
        return response
    blocks = []
    lines = response.replace("\r\n", "\n").split("\n")
    index = 0
    while index < _len(lines):
        fence = lines[index].strip()
        if fence.startswith("```") and fence[3:].strip().lower() in ("python", "python3", "py"):
            body = []
            index += 1
            while index < _len(lines) and not lines[index].strip().startswith("```"):
                body.append(lines[index])
                index += 1
            if index < _len(lines):
                blocks.append("\n".join(body) + "\n")
        index += 1
    if not blocks:
        return None
    return blocks[0] if mode == "first" else blocks[-1]


# ---- task -----------------------------------------------------------------------------------
class Spec:
    """Tests and options read from task metadata (APPS / TACO / verl layout)."""

    def __init__(self, metadata):
        try:
            data = json.loads(metadata) if metadata.strip() else {}
        except ValueError as error:
            raise InvalidTask(f"metadata is not JSON: {error}") from None
        if _type(data) is not _dict:
            raise InvalidTask("metadata must be a JSON object")
        tests = data.get("tests", data.get("input_output", data))
        if _type(tests) is _str:
            try:
                tests = json.loads(tests)
            except ValueError as error:
                raise InvalidTask(f"tests are not JSON: {error}") from None
        if _type(tests) is not _dict:
            raise InvalidTask("tests must be an object with `inputs` and `outputs`")
        inputs, outputs = tests.get("inputs"), tests.get("outputs")
        if _type(inputs) is not _list or _type(outputs) is not _list:
            raise InvalidTask("tests need `inputs` and `outputs` lists")
        if _len(inputs) != _len(outputs):
            raise InvalidTask(f"{_len(inputs)} inputs but {_len(outputs)} outputs")
        if not inputs:
            raise InvalidTask("the task has no tests")
        self.fn_name = tests.get("fn_name")
        if self.fn_name is not None and _type(self.fn_name) is not _str:
            raise InvalidTask("`fn_name` must be a string")
        if self.fn_name is None:
            inputs = [_text(value, "input") for value in inputs]
            outputs = [_text(value, "output") for value in outputs]
        else:
            for value in inputs:
                if _type(value) is not _list:
                    raise InvalidTask("function-call inputs must be lists of arguments")
        self.inputs, self.outputs = inputs, outputs
        limit = data.get("time_limit_s", DEFAULT_TIME_LIMIT_S)
        if _type(limit) not in (_int, _float) or not 0 < limit <= MAX_TIME_LIMIT_S:
            raise InvalidTask(f"`time_limit_s` must be a number in (0, {MAX_TIME_LIMIT_S}]")
        self.event_limit = _int(limit * EVENTS_PER_SECOND)
        tolerance = data.get("float_tolerance")
        if tolerance is not None and (_type(tolerance) not in (_int, _float) or tolerance < 0):
            raise InvalidTask("`float_tolerance` must be a non-negative number")
        self.tolerance = tolerance
        self.extract = data.get("extract", "last")
        if self.extract not in ("first", "last", "none"):
            raise InvalidTask("`extract` must be `first`, `last` or `none`")
        self.scoring = data.get("scoring", "fraction")
        if self.scoring not in ("fraction", "all_or_nothing"):
            raise InvalidTask("`scoring` must be `fraction` or `all_or_nothing`")


def _text(value, what):
    if _type(value) is _str:
        return value
    if _type(value) is _list and all(_type(line) is _str for line in value):
        return "\n".join(value) + "\n"  # APPS stores some tests as lists of lines
    raise InvalidTask(f"stdin/stdout {what}s must be strings")


# ---- comparison -----------------------------------------------------------------------------
def _lines(text):
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _number(token):
    try:
        return _float(token)
    except ValueError:
        return None


def _close(actual, expected, tolerance):
    return _abs(actual - expected) <= tolerance * _max(1.0, _abs(expected))


def compare_text(actual, expected, tolerance):
    """None when `actual` matches `expected` (trailing whitespace per line, CRLF and trailing
    blank lines ignored; with `tolerance`, numeric tokens within it), else why not."""
    got, want = _lines(actual), _lines(expected)
    for number in range(_max(_len(got), _len(want))):
        got_line = got[number] if number < _len(got) else None
        want_line = want[number] if number < _len(want) else None
        if got_line == want_line:
            continue
        if tolerance is not None and got_line is not None and want_line is not None:
            got_tokens, want_tokens = got_line.split(), want_line.split()
            if _len(got_tokens) == _len(want_tokens) and all(
                a == b or (_number(a) is not None and _number(b) is not None
                           and _close(_number(a), _number(b), tolerance))
                for a, b in zip(got_tokens, want_tokens)
            ):
                continue
        if got_line is None:
            return f"output ended at line {number + 1}"
        if want_line is None:
            return f"extra output at line {number + 1}: {_snip(got_line)}"
        return f"line {number + 1}: expected {_snip(want_line)}, got {_snip(got_line)}"
    return None


def _snip(text):
    text = repr(text)
    return text if _len(text) <= DETAIL_SNIPPET else text[:DETAIL_SNIPPET] + "..."


def to_json(value, depth=0):
    """A candidate's return value as plain JSON data (tuples become lists). Only exact builtin
    types pass: a subclass could fake equality. Raises TypeError otherwise."""
    kind = _type(value)
    if depth > 100:
        raise TypeError("result nests too deeply")
    if value is None or kind is _bool or kind is _int or kind is _str:
        return value
    if kind is _float:
        return value
    if kind is _list or kind is _tuple:
        return [to_json(item, depth + 1) for item in value]
    if kind is _dict:
        result = {}
        for key, item in value.items():
            if _type(key) not in (_str, _int, _float, _bool) and key is not None:
                raise TypeError(f"dict key of type {_type(key).__name__}")
            result[_dumps(key) if _type(key) is not _str else key] = to_json(item, depth + 1)
        return result
    raise TypeError(f"result of type {kind.__name__} is not JSON data")


def values_equal(actual, expected, tolerance):
    """JSON-value equality; bool never equals a number; floats within `tolerance` if given."""
    actual_kind, expected_kind = _type(actual), _type(expected)
    if actual_kind is _bool or expected_kind is _bool:
        return actual_kind is expected_kind and actual == expected
    if actual_kind in (_int, _float) and expected_kind in (_int, _float):
        if actual == expected:
            return True
        return tolerance is not None and _close(actual, expected, tolerance)
    if actual_kind is _list and expected_kind is _list:
        return _len(actual) == _len(expected) and all(
            values_equal(a, b, tolerance) for a, b in zip(actual, expected))
    if actual_kind is _dict and expected_kind is _dict:
        return actual.keys() == expected.keys() and all(
            values_equal(actual[key], expected[key], tolerance) for key in expected)
    return actual_kind is expected_kind and actual == expected


def compare_value(actual, expected, tolerance):
    """None when the call result matches; APPS/TACO wrap each expected result in a one-element
    list, so `[x]` also accepts `x`."""
    if values_equal(actual, expected, tolerance):
        return None
    if _type(expected) is _list and _len(expected) == 1 and values_equal(actual, expected[0], tolerance):
        return None
    return f"expected {_snip(_dumps(expected))}, got {_snip(_dumps(actual))}"


def _syntax_check(source):
    """Raise SyntaxError for a program that does not parse, without CPython's `exec`-mode error
    path: that path opens the source file by name to quote the bad line, and file access traps
    under the stubbed WASI. The program is checked as one `if` statement in `single` mode
    (same grammar for its body; `from __future__` lines are left out of the check)."""
    lines = [
        "" if line.lstrip().startswith("from __future__") else " " + line
        for line in source.replace("\r\n", "\n").split("\n")
    ]
    try:
        _compile("if 1:\n pass\n" + "\n".join(lines) + "\n", "<solution>", "single")
    except SyntaxError as error:
        if error.lineno is not None:
            error.lineno = _max(1, error.lineno - 2)
        raise


def forbidden_name(source):
    """The first denied name the program uses as an attribute or mentions in a string, if any."""
    for node in ast.walk(ast.parse(source)):
        if _type(node) is ast.Attribute and node.attr in DENIED_NAMES:
            return node.attr
        if _type(node) is ast.Name and node.id in DENIED_NAMES:
            return node.id
        if _type(node) is ast.Constant and _type(node.value) is _str:
            for name in DENIED_NAMES:
                if name in node.value:
                    return name
    return None


# ---- the sandboxed run ----------------------------------------------------------------------
class _Source(io.BytesIO):
    """stdin bytes; `fileno()` is 0 so fast-I/O templates (`os.read(0, …)`) work."""

    def fileno(self):
        return STDIN_FD

    def close(self):
        pass


class _Sink(io.BytesIO):
    """Captured stdout, capped; read back with the C method `BytesIO.getvalue`."""

    def fileno(self):
        return STDOUT_FD

    def write(self, data):
        if self.tell() + _len(data) > OUTPUT_LIMIT_BYTES:
            _STATE.output_exceeded = True
            raise _OutputLimit()
        return _bytes_write(self, data)

    def close(self):
        pass


class _State:
    """Streams and counters of the test being run (one at a time)."""

    def __init__(self):
        self.stdin = self.stdout = self.stderr = self.builtins = None
        self.events = 0
        self.limit = 0
        self.timed_out = False
        self.output_exceeded = False


_STATE = _State()


def _on_event(*_args):
    state = _STATE
    state.events += 1
    if state.events > state.limit:
        state.timed_out = True
        if state.events > state.limit + GRACE_EVENTS:
            _abort_call()
        raise _TimeLimit()


def _abort_call():
    """End the whole call: a program that swallows its time limit cannot be stopped from Python.
    Any stubbed WASI import traps; natively this raises SystemExit past the judge."""
    _STUBBED_CLOCK()
    raise SystemExit("time limit swallowed")


def _fake_clock():
    return _STATE.events / EVENTS_PER_SECOND


def _fake_clock_ns():
    return _STATE.events * (1_000_000_000 // EVENTS_PER_SECOND)


def _sleep(seconds):
    _STATE.events += _int(seconds * EVENTS_PER_SECOND)
    if _STATE.events > _STATE.limit:
        _STATE.timed_out = True
        raise _TimeLimit()


def _denied(*_args, **_kwargs):
    raise PermissionError(13, "operating-system access is not available in the verifier sandbox")


def _open(file, mode="r", *args, **kwargs):
    """`open(0)` / `open(1, "w")` reach the test's streams; every path is denied."""
    fd = _STD_FDS.get(file) if _type(file) is _int else None
    if fd is not None:
        stream = (_STATE.stdin, _STATE.stdout, _STATE.stderr)[fd]
        raw = stream.buffer
        if "b" in mode:
            return raw
        return _TextIOWrapper(raw, encoding="utf-8", write_through=True)
    raise PermissionError(13, "file-system access is not available in the verifier sandbox", _str(file))


_STD_FDS = {0: 0, 1: 1, 2: 2, STDIN_FD: 0, STDOUT_FD: 1, STDERR_FD: 2}


def _os_read(fd, size):
    if _STD_FDS.get(fd) != 0:
        _denied()
    return _STATE.stdin.buffer.read(size)


def _os_write(fd, data):
    fd = _STD_FDS.get(fd)
    if fd == 1:
        _STATE.stdout.flush()
        return _STATE.stdout.buffer.write(bytes(data))
    if fd == 2:
        return _len(data)
    return _denied()


class _Stat:
    def __init__(self, size):
        self.st_size = size
        self.st_mode = 0o10600


def _os_fstat(fd):
    fd = _STD_FDS.get(fd)
    if fd == 0:
        return _Stat(_len(_bytes_getvalue(_STATE.stdin.buffer)))
    if fd in (1, 2):
        return _Stat(0)
    return _denied()


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    """Imports of preloaded modules only: the stdlib files are not reachable at run time (the
    WASI filesystem is stubbed), so anything else is a ModuleNotFoundError, like a missing
    module on a judge."""
    if level != 0:
        raise ImportError("relative imports are not available in a single-file solution")
    if name == "builtins":
        return _STATE.builtins
    if name == "threading":
        return _THREADING
    modules = sys.modules
    if name.partition(".")[0] in DENIED_MODULES or name not in modules:
        raise ModuleNotFoundError(f"No module named '{name}' (not available in the sandbox)")
    module = modules[name]
    for item in fromlist or ():
        if _type(item) is _str and item != "*" and not hasattr(module, item):
            if f"{name}.{item}" not in modules:
                raise ImportError(f"cannot import name '{item}' from '{name}'")
    return _REAL_IMPORT(name, globals, locals, fromlist, level)


class _Thread:
    """`threading.Thread` run synchronously at `start()`: the judge pattern
    `threading.stack_size(…); Thread(target=main).start()` for deep recursion."""

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        self._target, self._args, self._kwargs = target, args, kwargs or {}
        self.name, self.daemon = name or "Thread-1", daemon

    def run(self):
        if self._target is not None:
            self._target(*self._args, **self._kwargs)

    def start(self):
        self.run()

    def join(self, timeout=None):
        return None

    def is_alive(self):
        return False


class _Lock:
    def acquire(self, blocking=True, timeout=-1):
        return True

    def release(self):
        return None

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        return False


def _threading_module():
    module = type(sys)("threading")
    module.Thread, module.Lock, module.RLock = _Thread, _Lock, _Lock
    module.stack_size = lambda size=0: 0
    module.current_thread = module.main_thread = lambda: _Thread(name="MainThread")
    module.active_count = lambda: 1
    return module


_THREADING = _threading_module()


def _exit(code=None):
    raise _SystemExit(code)


def _install_os_shims():
    """Make the OS surface raise (or serve the test's streams) instead of reaching the stubbed
    WASI imports, which trap the whole call."""
    import os
    for name in ("open", "listdir", "scandir", "stat", "lstat", "remove", "unlink", "mkdir",
                 "makedirs", "rmdir", "rename", "replace", "system", "popen", "chdir", "getcwd",
                 "walk", "access", "kill", "fork", "execv", "execve", "spawnv", "truncate",
                 "getpid", "getppid", "getlogin", "uname", "symlink", "readlink", "link",
                 "chmod", "chown", "utime", "pipe", "dup", "dup2", "close", "lseek", "isatty",
                 "get_terminal_size", "cpu_count", "times", "getloadavg", "sched_getaffinity"):
        setattr(os, name, _denied)
    os.read, os.write, os.fstat = _os_read, _os_write, _os_fstat
    os.urandom = lambda size: random.Random(size).randbytes(size)
    os.environ.clear()
    for name in ("time", "monotonic", "perf_counter", "process_time", "thread_time"):
        setattr(time, name, _fake_clock)
    for name in ("time_ns", "monotonic_ns", "perf_counter_ns", "process_time_ns", "thread_time_ns"):
        setattr(time, name, _fake_clock_ns)
    time.sleep = _sleep
    io.open = _open
    seed = random.Random.seed
    random.Random.seed = lambda self, a=None, version=2: seed(self, 0 if a is None else a, version)


# Modules a solution may import, loaded now (at build-time pre-initialisation) because the
# stdlib files cannot be read at run time.
PRELOADED = (
    "abc", "array", "bisect", "calendar", "cmath", "collections", "collections.abc", "copy",
    "dataclasses", "datetime", "decimal", "enum", "fractions", "functools", "graphlib", "hashlib",
    "heapq", "io", "itertools", "json", "math", "numbers", "operator", "os", "os.path", "pprint",
    "queue", "random", "re", "statistics", "string", "struct", "sys", "textwrap", "time",
    "types", "typing", "unicodedata", "contextlib", "keyword", "difflib", "base64", "binascii",
    "zlib", "codecs", "locale", "weakref", "warnings", "reprlib", "secrets",
)
for _name in PRELOADED:
    try:
        __import__(_name)
    except ImportError:
        pass
# Warm the lazily imported parts of the preloaded modules.
import re as _re  # noqa: E402
_re.compile(r"(?P<a>\d+)\s*[a-z]+|\w").findall("12 ab c")
_ = json.dumps(json.loads('{"a": [1.5, "x", null, true]}'), indent=1, sort_keys=True)
_ = str(__import__("decimal").Decimal("1.1") + 1) + str(__import__("fractions").Fraction(1, 3))
_ = __import__("statistics").median([1, 2, 3])
_install_os_shims()
_CANDIDATE_BUILTINS = dict(_BUILTINS_SNAPSHOT)
_CANDIDATE_BUILTINS.update(open=_open, __import__=_import, exit=_exit, quit=_exit)


def _typing_names():
    """LeetCode-style judges pre-import typing (`List[int]` annotations without an import)."""
    import typing
    return {name: getattr(typing, name) for name in typing.__all__}


# Function-call tests see these names, as LeetCode-style judges provide them.
_TYPING_NAMES = _typing_names()


def _restore():
    """Undo what candidate code may have changed in interpreter-wide state."""
    builtins.__dict__.clear()
    builtins.__dict__.update(_BUILTINS_SNAPSHOT)
    for name, value in _SYS_SNAPSHOT.items():
        if value is not None:
            setattr(sys, name, value)
    sys.setrecursionlimit(_DEFAULT_RECURSION)
    sys.set_int_max_str_digits(_DEFAULT_INT_DIGITS)
    module = sys.modules[__name__]
    module.__dict__.update(_MODULE_SNAPSHOT)


def _run(code, stdin_bytes, event_limit, call=None):
    """Run `code` as `__main__` with `stdin_bytes` on stdin under `event_limit`. For a
    function-call test, `call(namespace)` is then made. Returns (outcome, stdout bytes, value)
    where outcome is None for a normal end, else a (kind, reason) pair."""
    state = _STATE
    source, sink = _Source(stdin_bytes), _Sink()
    state.stdin = _TextIOWrapper(source, encoding="utf-8")
    state.stdout = _TextIOWrapper(sink, encoding="utf-8", newline="\n")
    state.stderr = _TextIOWrapper(_Sink(), encoding="utf-8")
    state.stdin.mode, state.stdout.mode, state.stderr.mode = "r", "w", "w"
    state.events, state.limit = 0, event_limit
    state.timed_out = state.output_exceeded = False
    for name in ("stdin", "stdout", "stderr"):
        setattr(sys, name, getattr(state, name))
        setattr(sys, f"__{name}__", getattr(state, name))
    sys.argv = ["solution.py"]
    for name in _SYS_HIDDEN:
        if hasattr(sys, name):
            delattr(sys, name)
    random.seed(0)
    module_builtins = type(sys)("builtins")
    module_builtins.__dict__.update(_CANDIDATE_BUILTINS)
    module_builtins.__dict__["__import__"] = _import
    state.builtins = module_builtins
    namespace = {"__name__": "__main__", "__builtins__": module_builtins.__dict__}
    if call is not None:
        namespace.update(_TYPING_NAMES)
    outcome, value = None, None
    _MONITOR.set_events(_TOOL, _MONITOR.events.JUMP | _MONITOR.events.PY_START)
    try:
        try:
            _exec(code, namespace)
            if call is not None:
                value = call(namespace)
        except _SystemExit as exit_:
            if call is None and exit_.code not in (None, 0):
                outcome = ("runtime error", f"SystemExit: {_snip(exit_.code)}")
            elif call is not None:
                outcome = ("runtime error", "SystemExit before the function returned")
        finally:
            # What interpreter exit does: flush whatever stdout the program installed.
            if sys.stdout is not state.stdout:
                sys.stdout.flush()
            state.stdout.flush()
    except _BaseException as error:
        kind = _type(error)
        if kind is MemoryError:
            outcome = ("memory limit", "MemoryError")
        elif kind is RecursionError:
            outcome = ("runtime error", "RecursionError: maximum recursion depth exceeded")
        elif kind is not _TimeLimit and kind is not _OutputLimit:
            outcome = ("runtime error", f"{kind.__name__}: {_snip(_str(error))}")
    finally:
        _MONITOR.set_events(_TOOL, 0)
        events = state.events
        _restore()
    if state.timed_out:
        outcome = ("time limit", f"over {event_limit} steps")
    elif state.output_exceeded:
        outcome = ("output limit", f"over {OUTPUT_LIMIT_BYTES} bytes")
    return outcome, _bytes_getvalue(sink), value, events


def _caller(fn_name, arguments):
    def call(namespace):
        solution = namespace.get("Solution")
        if _type(solution) is _type:
            target = getattr(solution(), fn_name)
        else:
            target = namespace.get(fn_name)
        if target is None:
            raise NameError(f"name '{fn_name}' is not defined")
        return target(*arguments)
    return call


def judge(metadata, response):
    """Judge `response` against the tests in `metadata`. Returns (score, status, detail) with
    status one of `correct`, `incorrect`, `partial`, `unparsable`, `invalid-task`."""
    try:
        spec = Spec(metadata)
    except InvalidTask as error:
        return 0.0, "invalid-task", _str(error)
    source = extract_program(response, spec.extract)
    if source is None:
        return 0.0, "unparsable", "no ```python block in the response"
    try:
        _syntax_check(source)
        code = _compile(source, "<solution>", "exec")
    except (SyntaxError, ValueError) as error:
        return 0.0, "incorrect", f"compile error: {_type(error).__name__}: {_snip(_str(error))}"
    forbidden = forbidden_name(source)
    if forbidden is not None:
        return 0.0, "incorrect", f"refused: the program uses `{forbidden}` (interpreter introspection)"
    passed, first_failure, spent = 0, None, 0
    total = _len(spec.inputs)
    for index in range(total):
        remaining = CALL_EVENT_BUDGET - spent
        if remaining <= 0:
            failure = ("time limit", "the call's step budget is spent")
        else:
            if spec.fn_name is None:
                stdin, call = spec.inputs[index].encode("utf-8", "surrogatepass"), None
            else:
                arguments = _loads(_dumps(spec.inputs[index]))  # a private copy
                stdin, call = b"", _caller(spec.fn_name, arguments)
            outcome, stdout, value, events = _run(code, stdin, _min(spec.event_limit, remaining), call)
            spent += events
            failure = outcome
            if failure is None:
                if spec.fn_name is None:
                    text = stdout.decode("utf-8", "replace")
                    reason = compare_text(text, spec.outputs[index], spec.tolerance)
                else:
                    try:
                        reason = compare_value(to_json(value), spec.outputs[index], spec.tolerance)
                    except TypeError as error:
                        reason = _str(error)
                if reason is not None:
                    failure = ("wrong answer", reason)
        if failure is None:
            passed += 1
        elif first_failure is None:
            first_failure = f"test {index + 1}: {failure[0]} ({failure[1]})"
    summary = f"{passed}/{total} tests passed"
    if first_failure is not None:
        summary += f"; first failure: {first_failure}"
    if passed == total:
        return 1.0, "correct", summary
    if spec.scoring == "all_or_nothing" or passed == 0:
        return 0.0, "incorrect", summary
    return passed / total, "partial", summary


_MONITOR.use_tool_id(_TOOL, "proctor-code")
_MONITOR.register_callback(_TOOL, _MONITOR.events.JUMP, _on_event)
_MONITOR.register_callback(_TOOL, _MONITOR.events.PY_START, _on_event)
_MODULE_SNAPSHOT = dict(globals())
