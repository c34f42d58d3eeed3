"""Judge logic of the `code` verifier: run a candidate Python program against a task's tests.

Pure CPython 3.12+ (runs inside componentize-py's CPython 3.14 in the WASM sandbox, and natively
for tests: `python3.13 plugins/code/guest/test_judge.py`). `app.py` calls `verify()` for the WIT
`verifier` world. See plugins/code/README.md for the metadata keys, the limits and the isolation
model, which in short is:

- Everything defined in this module is *public*: candidate code can reach it (through
  `object.__subclasses__()`, `__globals__`, `sys.modules`, …) and change it. The functions that
  run after candidate code ran (`TRUSTED`) are therefore cloned, at the start of each call and
  before any candidate code, into a *private namespace* with its own copy of the builtins; the
  judge's data (tests, expected outputs, step counter) lives only there and in the frames of
  those clones.
- An audit hook, installed at start-up (hooks cannot be removed), locks the interpreter down
  for good before the first line of candidate code: no frames (`sys._getframe`, `tb_frame`,
  `gi_frame`, tracing, …), no `gc`, no new audit hooks, no crafted code objects, and no
  `exec`/`eval` whose innermost Python frame is a private one (a finalizer that is
  `partial(exec, src)` would otherwise run `src` with the judge's globals and locals).
- The private code after a run touches no public object: it reads its own counters, checks
  exact builtin types, and calls only C builtins captured before the lockdown. Candidate code
  is run by a public helper, so nothing it can trigger sees a private frame as its caller.
"""

import builtins
import io
import json
import json.encoder
import random
import sys
import time
import types

# ---- limits ---------------------------------------------------------------------------------
# Time is counted, not measured: every loop iteration (a JUMP event) and every Python function
# start (PY_START) is one event. Counting makes verdicts deterministic whatever the load.
EVENTS_PER_SECOND = 1_000_000
DEFAULT_TIME_LIMIT_S = 2.0
MAX_TIME_LIMIT_S = 10.0
# Events one verify call may spend over all its tests; tests past it are time limits unrun.
CALL_EVENT_BUDGET = 20_000_000
OUTPUT_LIMIT_BYTES = 4 << 20
# Per-test memory, when a task sets `memory_mib`: the peak of what the test's Python
# allocations hold (tracemalloc, started by the judge only), checked every MEMORY_POLL_EVENTS
# steps and after the test. Off by default: tracing costs ~5x on allocation-heavy code (see
# README "Limits"); without it the host's cap bounds the whole call.
MAX_MEMORY_MIB = 2048
MEMORY_POLL_EVENTS = 1024
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

# ---- the audit hook -------------------------------------------------------------------------
# Audit events denied once candidate code may run (CPython raises them where frames, code
# objects, other hooks or the OS can be reached).
DENIED_EVENTS = frozenset({
    "sys._getframe", "sys._current_frames", "sys._current_exceptions", "sys.settrace",
    "sys.setprofile", "sys._settraceallthreads", "sys._setprofileallthreads", "sys.addaudithook",
    "sys.remote_exec", "code.__new__", "builtins.breakpoint", "open",
    "setopencodehook", "_thread.start_new_thread",
})
DENIED_EVENT_PREFIXES = (
    "gc.", "ctypes.", "cpython.", "marshal.", "os.", "sys.monitoring.", "socket.", "subprocess.",
    "shutil.", "tempfile.", "glob.", "sqlite3.", "urllib.", "http.", "ftplib.", "smtplib.",
    "webbrowser.", "pdb.", "signal.", "mmap.", "resource.", "fcntl.", "syslog.", "_posixsubprocess.",
)
# `object.__getattr__` is raised for the attributes CPython restricts: the frame-yielding ones
# (`tb_frame`, `gi_frame`, `cr_frame`, `ag_frame`) are denied, code objects stay readable
# (dataclasses and functools read `__code__`; a code object holds no run-time data).
READABLE_RESTRICTED = frozenset({
    "__code__", "gi_code", "cr_code", "ag_code", "f_code", "__defaults__", "__kwdefaults__",
})
# `object.__setattr__`/`__delattr__` names denied: swapping a module's class would run candidate
# code on the judge's `setattr(sys, …)`; replacing `__code__` would rewrite a public helper.
DENIED_SETATTR = frozenset({"__class__", "__code__"})
LOCKDOWN_EVENT = "proctor.lockdown"
# Raised first by each call: refused once the instance has been locked down.
CLAIM_EVENT = "proctor.claim"


def _make_audit_hook(getframe, denied, prefixes, readable, denied_set, error, exact_str, exact_tuple,
                     type_, len_, lockdown_event, claim_event):
    """The audit hook. Its state (the lockdown flag, the private namespace) lives in closure
    cells no Python code can reach: CPython offers no way to list or remove hooks. It uses no
    global or builtin name (candidate code could rebind those): everything comes in as
    arguments, and it only runs C code on exact `str`/`tuple` values."""
    locked = False
    busy = False
    private = None

    def hook(event, args):
        nonlocal locked, busy, private
        if busy:
            return
        if event == lockdown_event or event == claim_event:
            if locked:
                raise error("the code verifier needs a fresh instance per call (instance reused)")
            if event == lockdown_event:
                private = args[0] if type_(args) is exact_tuple and len_(args) == 1 else None
                locked = True
            return
        if not locked:
            return
        if event == "exec":
            busy = True
            try:
                caller = getframe(1).f_globals
            finally:
                busy = False
            if caller is private:
                raise error("exec/eval in the verifier's own frame is not available")
            return
        if event == "object.__getattr__":
            if type_(args) is exact_tuple and len_(args) > 1 and type_(args[1]) is exact_str \
                    and args[1] in readable:
                return
            raise error("frame introspection is not available in the verifier sandbox")
        if event == "object.__setattr__" or event == "object.__delattr__":
            if type_(args) is exact_tuple and len_(args) > 1 and type_(args[1]) is exact_str \
                    and args[1] not in denied_set:
                return
            raise error("this attribute cannot be changed in the verifier sandbox")
        if event in denied or event.startswith(prefixes):
            raise error(f"{event} is not available in the verifier sandbox")

    return hook


sys.addaudithook(_make_audit_hook(
    sys._getframe, DENIED_EVENTS, DENIED_EVENT_PREFIXES, READABLE_RESTRICTED, DENIED_SETATTR,
    PermissionError, str, tuple, type, len, LOCKDOWN_EVENT, CLAIM_EVENT))

# Builtins and C-level methods captured once: candidate code may rebind names, never these.
_type, _len, _str, _int, _float, _bool, _list, _dict, _tuple = (
    type, len, str, int, float, bool, list, dict, tuple)
_bytes = bytes
_bytes_getvalue = io.BytesIO.getvalue
_BaseException, _SystemExit, _Exception = BaseException, SystemExit, Exception
_exec, _compile, _isinstance, _min, _max, _abs = exec, compile, isinstance, min, max, abs
_setattr, _repr = setattr, repr
_TYPE_NAME_GET = type.__dict__["__name__"].__get__
_bytes_write = io.BytesIO.write
_TextIOWrapper = io.TextIOWrapper
_Namespace = types.SimpleNamespace
_FunctionType = types.FunctionType
_dumps, _loads = json.dumps, json.loads
_encode_str = json.encoder.encode_basestring_ascii
_STUBBED_CLOCK = time.time
_audit = sys.audit
_TOOL = 4
_REAL_IMPORT = builtins.__import__
_BUILTINS_DICT = builtins.__dict__
_BUILTINS_SNAPSHOT = dict(builtins.__dict__)
_SYS_ATTRS = ("stdin", "stdout", "stderr", "__stdin__", "__stdout__", "__stderr__", "argv",
              "unraisablehook", "excepthook", "displayhook", "breakpointhook")
_SYS_SNAPSHOT = {name: getattr(sys, name, None) for name in _SYS_ATTRS}
_DEFAULT_RECURSION = sys.getrecursionlimit()
_DEFAULT_INT_DIGITS = sys.get_int_max_str_digits()
_setrecursionlimit, _set_int_max_str_digits = sys.setrecursionlimit, sys.set_int_max_str_digits


class InvalidTask(Exception):
    """The task's metadata cannot be judged (a data problem, not a model failure)."""


class _TimeLimit(BaseException):
    pass


class _OutputLimit(BaseException):
    pass


class _MemoryLimit(BaseException):
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
        memory = data.get("memory_mib")
        if memory is not None and (_type(memory) not in (_int, _float)
                                   or not 0 < memory <= MAX_MEMORY_MIB):
            raise InvalidTask(f"`memory_mib` must be a number in (0, {MAX_MEMORY_MIB}]")
        self.memory_bytes = None if memory is None else _int(memory * (1 << 20))
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


# ---- comparison (trusted: runs after candidate code, on exact builtin types only) -----------
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
    text = _repr(text)
    return text if _len(text) <= DETAIL_SNIPPET else text[:DETAIL_SNIPPET] + "..."


def _json_text(value):
    """JSON text of plain JSON data (for details), without the public `json` module's Python
    code: expected values must never be handed to code candidate code can patch."""
    kind = _type(value)
    if value is None:
        return "null"
    if kind is _bool:
        return "true" if value else "false"
    if kind is _int or kind is _float:
        return _repr(value)
    if kind is _str:
        return _encode_str(value)
    if kind is _list:
        return "[" + ", ".join([_json_text(item) for item in value]) + "]"
    if kind is _dict:
        return "{" + ", ".join([_encode_str(key) + ": " + _json_text(item)
                                for key, item in value.items()]) + "}"
    return "?"


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
            key_kind = _type(key)
            if key_kind is not _str and key_kind not in (_int, _float, _bool) and key is not None:
                raise TypeError(f"dict key of type {_type_name(key_kind)}")
            result[key if key_kind is _str else _json_text(key)] = to_json(item, depth + 1)
        return result
    raise TypeError(f"result of type {_type_name(kind)} is not JSON data")


def _type_name(kind):
    """A class's name read with the C getter of `type.__name__` (a metaclass cannot intercept
    it), kept only when it is an exact str."""
    name = _TYPE_NAME_GET(kind)
    return name if _type(name) is _str else "?"


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
    return f"expected {_snip(_json_text(expected))}, got {_snip(_json_text(actual))}"


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


# ---- the public side of a run: streams, OS shims, the runner --------------------------------
class _Source(io.BytesIO):
    """stdin bytes; `fileno()` is 0 so fast-I/O templates (`os.read(0, …)`) work."""

    def fileno(self):
        return STDIN_FD

    def close(self):
        pass


class _Sink(io.BytesIO):
    """Captured stdout, capped: a write past the cap stores one byte beyond it (so the judge
    sees the excess from the length alone) and stops the program."""

    def fileno(self):
        return STDOUT_FD

    def write(self, data):
        room = OUTPUT_LIMIT_BYTES + 1 - self.tell()
        if _len(data) > room:
            _bytes_write(self, _bytes(data)[:_max(room, 0)])
            raise _OutputLimit()
        return _bytes_write(self, data)

    def close(self):
        pass


class _State:
    """Streams of the test being run (one at a time)."""

    def __init__(self):
        self.stdin = self.stdout = self.stderr = self.builtins = None


_STATE = _State()
# Between tests `sys` streams are sinks nobody reads: a finalizer of candidate code that prints,
# or fails ("Exception ignored in …"), must not reach the stubbed WASI streams (that traps).
for _name in ("stdout", "stderr", "__stdout__", "__stderr__"):
    _SYS_SNAPSHOT[_name] = _TextIOWrapper(_Sink(), encoding="utf-8")
# The step clock as candidate code sees it: [events counted, steps slept, the test's limit].
# The judge writes it; candidate code may scribble on it and only fools its own clock: the
# judge's own count lives in the private namespace.
_CLOCK = [0, 0, 0]


def _fake_clock():
    return (_CLOCK[0] + _CLOCK[1]) / EVENTS_PER_SECOND


def _fake_clock_ns():
    return (_CLOCK[0] + _CLOCK[1]) * (1_000_000_000 // EVENTS_PER_SECOND)


def _sleep(seconds):
    """Sleeping spends steps: the judge adds the slept steps to the test's count."""
    _CLOCK[1] += _max(0, _int(seconds * EVENTS_PER_SECOND))
    if _CLOCK[0] + _CLOCK[1] > _CLOCK[2]:
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


def _call(namespace, fn_name, arguments):
    solution = namespace.get("Solution")
    if _type(solution) is _type:
        target = getattr(solution(), fn_name)
    else:
        target = namespace.get(fn_name)
    if target is None:
        raise NameError(f"name '{fn_name}' is not defined")
    return target(*arguments)


def _run_candidate(code, stdin_bytes, fn_name, arguments):
    """Run `code` as `__main__` with `stdin_bytes` on stdin; for a function-call test then call
    `fn_name(*arguments)`. Public: candidate code can change what this does on later tests, so
    the judge believes nothing it returns beyond what the program could print anyway. Returns
    (error, stdout bytes, value): error None for a normal end, else a (kind, reason) pair."""
    state = _STATE
    source, sink = _Source(stdin_bytes), _Sink()
    state.stdin = _TextIOWrapper(source, encoding="utf-8")
    state.stdout = _TextIOWrapper(sink, encoding="utf-8", newline="\n")
    state.stderr = _TextIOWrapper(_Sink(), encoding="utf-8")
    state.stdin.mode, state.stdout.mode, state.stderr.mode = "r", "w", "w"
    for name in ("stdin", "stdout", "stderr"):
        setattr(sys, name, getattr(state, name))
        setattr(sys, f"__{name}__", getattr(state, name))
    sys.argv = ["solution.py"]
    random.seed(0)
    module_builtins = type(sys)("builtins")
    module_builtins.__dict__.update(_CANDIDATE_BUILTINS)
    state.builtins = module_builtins
    namespace = {"__name__": "__main__", "__builtins__": module_builtins.__dict__}
    if fn_name is not None:
        namespace.update(_TYPING_NAMES)
    error, value = None, None
    try:
        try:
            _exec(code, namespace)
            if fn_name is not None:
                value = _call(namespace, fn_name, arguments)
        except _SystemExit as exit_:
            if fn_name is None and exit_.code not in (None, 0):
                error = ("runtime error", f"SystemExit: {_snip(exit_.code)}")
            elif fn_name is not None:
                error = ("runtime error", "SystemExit before the function returned")
        finally:
            # What interpreter exit does: flush whatever stdout the program installed.
            if sys.stdout is not state.stdout:
                sys.stdout.flush()
            state.stdout.flush()
    except _BaseException as raised:
        kind = _type(raised)
        if kind is MemoryError:
            error = ("memory limit", "MemoryError")
        elif kind is RecursionError:
            error = ("runtime error", "RecursionError: maximum recursion depth exceeded")
        elif kind is not _TimeLimit and kind is not _OutputLimit and kind is not _MemoryLimit:
            error = ("runtime error", f"{kind.__name__}: {_snip(_str(raised))}")
    return error, _bytes_getvalue(sink), value


# ---- the private side: runs in a namespace of its own, cloned per call ----------------------
# Step counter state; the clones' copies of these globals are the ones that count.
_events = 0
_limit = 0
_memory_limit = 0
_set_events = None
_tm_start = _tm_stop = _tm_traced = _tm_is_tracing = None


def _on_event(*_args):
    """sys.monitoring callback (JUMP, PY_START) of the private namespace: one step."""
    global _events
    _events += 1
    if _events > _limit:
        if _events > _limit + GRACE_EVENTS:
            _abort_call()
        raise _TimeLimit()
    _CLOCK[0] = _events


def _on_event_with_memory(*_args):
    """`_on_event` plus the memory poll, for tasks with `memory_mib`.

    Repeats `_on_event`'s body instead of calling it: this runs on every loop iteration and
    Python call of the program, and a nested call would double its cost."""
    global _events
    _events += 1
    if _events > _limit:
        if _events > _limit + GRACE_EVENTS:
            _abort_call()
        raise _TimeLimit()
    _CLOCK[0] = _events
    if not _events & (MEMORY_POLL_EVENTS - 1) and _tm_traced()[0] > _memory_limit:
        raise _MemoryLimit()


def _abort_call():
    """End the whole call: a program that swallows its time limit cannot be stopped from Python.
    Any stubbed WASI import traps; natively this raises SystemExit past the judge."""
    _STUBBED_CLOCK()
    raise _SystemExit("time limit swallowed")


def _restore():
    """Undo what candidate code may have changed in interpreter-wide state, with C calls only
    (the snapshots are the private namespace's own copies)."""
    _BUILTINS_DICT.clear()
    _BUILTINS_DICT.update(_PRISTINE_BUILTINS)
    _setrecursionlimit(_DEFAULT_RECURSION)
    _set_int_max_str_digits(_DEFAULT_INT_DIGITS)
    # Dicts candidate code could have salted with keys whose `__eq__` raises: best effort.
    try:
        for name, value in _PRISTINE_SYS:
            if value is not None:
                _setattr(sys, name, value)
    except _BaseException:
        pass
    try:
        _PUBLIC.update(_PRISTINE_PUBLIC)
    except _BaseException:
        pass


def _run_test(code, stdin_bytes, fn_name, arguments, event_limit, memory_limit):
    """One test through the public runner, metered. Returns (failure, stdout, value, steps):
    failure None or (kind, reason); time, memory and output limits come from the judge's own
    counts."""
    global _events, _limit, _memory_limit
    _events, _limit, _memory_limit = 0, event_limit, memory_limit
    _CLOCK[:] = [0, 0, event_limit]
    result, peak = None, 0
    if memory_limit is not None:
        _tm_start(1)
    _set_events(_TOOL, _EVENT_MASK)
    try:
        result = _RUN_CANDIDATE(code, stdin_bytes, fn_name, arguments)
    except _BaseException:
        result = None
    finally:
        _set_events(_TOOL, 0)
        if memory_limit is not None:
            # A program that reached `_tracemalloc` and stopped it counts as over its memory.
            peak = _tm_traced()[1] if _tm_is_tracing() else memory_limit + 1
            _tm_stop()
    slept = _CLOCK[1:2]
    slept = slept[0] if slept and _type(slept[0]) is _int and slept[0] > 0 else 0
    steps = _events + slept
    _restore()
    if steps > event_limit:
        return ("time limit", f"over {event_limit} steps"), None, None, steps
    if memory_limit is not None and peak > memory_limit:
        return ("memory limit", f"over {memory_limit >> 20} MiB"), None, None, steps
    if _type(result) is not _tuple or _len(result) != 3:
        return ("runtime error", "the program broke the judge's runner"), None, None, steps
    failure, stdout, value = result
    if _type(stdout) is not _bytes:
        stdout = b""
    if _len(stdout) > OUTPUT_LIMIT_BYTES:
        return ("output limit", f"over {OUTPUT_LIMIT_BYTES} bytes"), None, None, steps
    if failure is not None:
        if _type(failure) is not _tuple or _len(failure) != 2 or _type(failure[0]) is not _str \
                or _type(failure[1]) is not _str:
            failure = ("runtime error", "the program broke the judge's runner")
    return failure, stdout, value, steps


def _test(code, stdin_bytes, fn_name, arguments, event_limit, memory_limit, expected, tolerance):
    """Run and check one test. Returns (failure or None, steps spent). Whatever candidate code
    left behind (a `__eq__` on a key in a module dict, a metaclass property) may raise inside
    the judge's own work here: that is the program's failure, never the call's."""
    steps = event_limit + 1
    try:
        failure, stdout, value, steps = _run_test(code, stdin_bytes, fn_name, arguments,
                                                  event_limit, memory_limit)
        if failure is not None:
            return failure, steps
        if fn_name is None:
            reason = compare_text(stdout.decode("utf-8", "replace"), expected, tolerance)
        else:
            try:
                reason = compare_value(to_json(value), expected, tolerance)
            except TypeError as error:
                reason = error.args[0] if error.args and _type(error.args[0]) is _str else "not JSON data"
        return (None if reason is None else ("wrong answer", reason)), steps
    except _BaseException:
        return ("runtime error", "the program broke the judge's runner"), steps


def _lock_down(trace_memory):
    """Take what only the judge may use, then lock the interpreter down for good. Runs in the
    private namespace, so `globals()` is that namespace: the audit hook learns which frames'
    globals must never host an `exec`."""
    global _set_events, _tm_start, _tm_stop, _tm_traced, _tm_is_tracing
    if trace_memory:
        tracemalloc = __import__("_tracemalloc")
        sys.modules.pop("_tracemalloc", None)
        _tm_start, _tm_stop = tracemalloc.start, tracemalloc.stop
        _tm_traced, _tm_is_tracing = tracemalloc.get_traced_memory, tracemalloc.is_tracing
    callback = _on_event_with_memory if trace_memory else _on_event
    monitor = sys.monitoring
    monitor.use_tool_id(_TOOL, "proctor-code")
    monitor.register_callback(_TOOL, monitor.events.JUMP, callback)
    monitor.register_callback(_TOOL, monitor.events.PY_START, callback)
    _set_events = monitor.set_events
    del sys.monitoring  # nothing else refers to it: candidate code cannot switch counting off
    _audit(LOCKDOWN_EVENT, globals())


def _judge(metadata, response):
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
    # Everything the tests need, as plain data in this frame, before any candidate code runs.
    fn_name, outputs, tolerance = spec.fn_name, spec.outputs, spec.tolerance
    event_limit, scoring, memory_limit = spec.event_limit, spec.scoring, spec.memory_bytes
    if fn_name is None:
        stdins = [text.encode("utf-8", "surrogatepass") for text in spec.inputs]
        arguments = [None] * _len(stdins)
    else:
        arguments = [_loads(_dumps(args)) for args in spec.inputs]  # private copies
        stdins = [b""] * _len(arguments)
    spec = None
    _lock_down(memory_limit is not None)
    passed, first_failure, spent = 0, None, 0
    total = _len(outputs)
    for index in range(total):
        remaining = CALL_EVENT_BUDGET - spent
        if remaining <= 0:
            failure = ("time limit", "the call's step budget is spent")
        else:
            failure, steps = _test(code, stdins[index], fn_name, arguments[index],
                                   _min(event_limit, remaining), memory_limit, outputs[index],
                                   tolerance)
            arguments[index] = None
            spent += steps
        if failure is None:
            passed += 1
        elif first_failure is None:
            first_failure = f"test {index + 1}: {failure[0]} ({failure[1]})"
    summary = f"{passed}/{total} tests passed"
    if first_failure is not None:
        summary += f"; first failure: {first_failure}"
    if passed == total:
        return 1.0, "correct", summary
    if scoring == "all_or_nothing" or passed == 0:
        return 0.0, "incorrect", summary
    return passed / total, "partial", summary


def _verify(task, response, status_codes):
    metadata = task.metadata
    task.metadata = ""  # the expected outputs stay in this frame only
    codes = _dict(status_codes)
    score, status, detail = _judge(metadata, response)
    return _Namespace(score=_float(score), status=_Namespace(value=codes[status]), detail=detail)


# Functions that run after candidate code ran; cloned into the private namespace per call.
TRUSTED = frozenset({
    "_on_event", "_on_event_with_memory", "_abort_call", "_restore", "_run_test", "_test",
    "_lock_down", "_judge", "_verify", "compare_text", "_lines", "_number", "_close", "_snip",
    "_json_text", "to_json", "_type_name", "values_equal", "compare_value",
})
_EVENT_MASK = sys.monitoring.events.JUMP | sys.monitoring.events.PY_START


def _private_namespace():
    """A fresh private namespace: a copy of this module's globals (still pristine: no candidate
    code has run in this instance yet) with its own builtins and snapshots, in which every
    TRUSTED function is re-created so its global lookups resolve there."""
    _audit(CLAIM_EVENT)
    public = globals()
    private = dict(public)
    private["__builtins__"] = dict(_BUILTINS_SNAPSHOT)
    private["_PUBLIC"] = public
    private["_PRISTINE_PUBLIC"] = dict(public)
    private["_PRISTINE_BUILTINS"] = dict(_BUILTINS_SNAPSHOT)
    private["_PRISTINE_SYS"] = _tuple(_SYS_SNAPSHOT.items())
    private["_RUN_CANDIDATE"] = _run_candidate  # public on purpose: candidate code runs below it
    for name in TRUSTED:
        function = public[name]
        clone = _FunctionType(function.__code__, private, function.__name__,
                              function.__defaults__, function.__closure__)
        clone.__kwdefaults__ = function.__kwdefaults__
        private[name] = clone
    return private


# The entry points keep the private namespace out of their own named locals.
def judge(metadata, response):
    """Judge `response` against the tests in `metadata`. Returns (score, status, detail) with
    status one of `correct`, `incorrect`, `partial`, `unparsable`, `invalid-task`. Once per
    process or instance: it locks the interpreter down (natively, tests fork per call)."""
    return _private_namespace()["_judge"](metadata, response)


def verify(task, response, status_codes):
    """The WIT `verify` export: `status_codes` maps status names to the WIT enum's values. The
    verdict is a `types.SimpleNamespace` (an immutable C type: the runtime reads its fields
    with plain attribute lookups candidate code cannot redirect)."""
    return _private_namespace()["_verify"](task, response, status_codes)
