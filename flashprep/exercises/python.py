"""Python exercises: the user's code, then the card's asserts, in a separate process.

The child is `python -I` (isolated: no PYTHON* variables, no user site-packages,
not the current folder on sys.path) started in an empty temporary folder, in a
session of its own so a time-out kills everything it started. Before it runs any
of the user's code it limits itself with resource.setrlimit: its address space
(the memory limit), CPU seconds (a backstop to the parent's wall-clock limit) and
the size of files it may write. The parent kills it at the time limit.

The tests are run statement by statement (parsed with ast): each failing assert is
reported with its own source text, and for a comparison (`assert f(2) == 4`) with
the value each side had, each side evaluated once. A statement that raises is
reported with its source and the exception; the remaining statements still run.
The child writes its findings as JSON to a file in its folder; what the code
prints is kept (its tail) for the screen.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flashprep.exercises import (
    ERROR,
    FAIL,
    PASS,
    PYTHON_MEMORY_MB,
    PYTHON_TIME_LIMIT,
    TIMEOUT,
    Outcome,
    took_too_long,
)

MAX_FAILURES = 10

# The child's program. It reads {"code", "tests", "memory", "cpu", "result"} from
# stdin; it must not be affected by anything the user's code does to its namespace.
_CHILD = r"""
import ast, io, json, operator, resource, sys, traceback
job = json.loads(sys.stdin.read())
mb = job["memory"] * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (mb, mb))
resource.setrlimit(resource.RLIMIT_CPU, (job["cpu"], job["cpu"] + 1))
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
result = {"status": "pass", "detail": "", "failures": [], "output": ""}
out = io.StringIO()
sys.stdout = sys.stderr = out
ns = {"__name__": "__main__", "__builtins__": __builtins__}
OPS = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
       ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
       ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}

def short(value, width=80):
    try:
        text = repr(value)
    except Exception as exc:
        text = "<repr failed: %s>" % type(exc).__name__
    return text if len(text) <= width else text[: width - 3] + "..."

def exc_line(exc):
    return traceback.format_exception_only(type(exc), exc)[-1].strip()

def user_trace(exc, filename):
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    where = (" (line %d)" % frames[-1].lineno) if frames else ""
    return exc_line(exc) + where

def ev(node, source):
    return eval(compile(ast.Expression(node), source, "eval"), ns)

def check_assert(stmt, tests):
    text = ast.get_source_segment(tests, stmt.test) or ast.unparse(stmt.test)
    test = stmt.test
    shown = ""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in OPS:
        left = ev(test.left, "<tests>")
        right = ev(test.comparators[0], "<tests>")
        ok = OPS[type(test.ops[0])](left, right)
        shown = "left: %s, right: %s" % (short(left), short(right))
    else:
        ok = ev(test, "<tests>")
    if not ok:
        message = ev(stmt.msg, "<tests>") if stmt.msg is not None else None
        line = "assert %s" % " ".join(text.split())
        extra = [str(message)] if message is not None else []
        if shown:
            extra.append(shown)
        return line + ("  (" + "; ".join(extra) + ")" if extra else "")
    return None

def finish():
    result["output"] = out.getvalue()[-2000:]
    with open(job["result"], "w", encoding="utf-8") as fh:
        json.dump(result, fh)

try:
    try:
        code = compile(job["code"], "<your code>", "exec")
    except SyntaxError as exc:
        result.update(status="error", detail="SyntaxError: %s (line %s)" % (exc.msg, exc.lineno))
        raise SystemExit
    try:
        exec(code, ns)
    except BaseException as exc:
        if isinstance(exc, MemoryError):
            raise
        result.update(status="error", detail="your code raised " + user_trace(exc, "<your code>"))
        raise SystemExit
    tests = job["tests"]
    for stmt in ast.parse(tests).body:
        if len(result["failures"]) >= job["max_failures"]:
            break
        try:
            if isinstance(stmt, ast.Assert):
                failed = check_assert(stmt, tests)
            else:
                exec(compile(ast.Module([stmt], []), "<tests>", "exec"), ns)
                failed = None
        except MemoryError:
            raise
        except BaseException as exc:
            text = ast.get_source_segment(tests, stmt) or ast.unparse(stmt)
            failed = "%s  (raised %s)" % (" ".join(text.split()), exc_line(exc))
        if failed:
            result["failures"].append(failed)
    if result["failures"]:
        n = len(result["failures"])
        result.update(status="fail", detail="%d test(s) failed: %s" % (n, result["failures"][0]))
except SystemExit:
    pass
except MemoryError:
    result.update(status="error", detail="used more than %d MB of memory (the limit)"
                  % job["memory"], failures=[])
finish()
"""


def check_python(
    code: str, tests: str, *, limit: float = PYTHON_TIME_LIMIT, memory_mb: int = PYTHON_MEMORY_MB
) -> Outcome:
    """Run `code` then `tests` in a limited child process; what they found."""
    with tempfile.TemporaryDirectory(prefix="flashprep-py-") as tmp:
        result_path = Path(tmp) / "result.json"
        job = {
            "code": code,
            "tests": tests,
            "memory": memory_mb,
            "cpu": int(limit) + 1,
            "result": str(result_path),
            "max_failures": MAX_FAILURES,
        }
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _CHILD],
            cwd=tmp,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _, err = proc.communicate(json.dumps(job).encode("utf-8"), timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return Outcome(TIMEOUT, took_too_long(limit), "python", time.monotonic() - start)
        except BaseException:  # Ctrl-C: the child is in its own session, so end it here
            _kill(proc)
            raise
        seconds = time.monotonic() - start
        try:
            found = json.loads(result_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Outcome(ERROR, _died(proc.returncode, err, limit, memory_mb), "python", seconds)
    status = found.get("status")
    if status not in (PASS, FAIL, ERROR):
        status = ERROR
    detail = found.get("detail") or ("every test passed" if status == PASS else status)
    return Outcome(
        status,
        detail,
        "python",
        seconds,
        failures=tuple(str(f) for f in found.get("failures", ())),
        output=str(found.get("output", "")),
    )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    proc.communicate()


def _died(code: int, err: bytes, limit: float, memory_mb: int) -> str:
    """Why the child ended without writing its result."""
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return took_too_long(limit)
    text = err.decode("utf-8", "replace").strip().splitlines()
    if text and "MemoryError" in text[-1]:
        return f"used more than {memory_mb} MB of memory (the limit)"
    if code < 0:
        return f"the process was killed by signal {-code}"
    tail = text[-1] if text else ""
    return f"the process ended with status {code}" + (f": {tail}" if tail else "")
