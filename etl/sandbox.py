"""Read a spreadsheet in a child process with a memory cap and a time limit.

The parent (the Streamlit server or the CLI) sends the file's bytes to `python -m etl.sandbox`
on stdin and gets the sheets back as a pickle on stdout. The child checks the limits first
(etl.guard), then reads (etl.read). Whatever a hostile file does to the reader (a native abort
such as Rust's "capacity overflow", a runaway allocation, an endless loop) ends the child only:
the parent raises FileUnreadable with a Chinese message, and carries on.

A plain `subprocess` of a small module (no pandas, no Streamlit) starts in ~50 ms, on Windows too;
multiprocessing's spawn would re-import the parent's main module (Streamlit) in the child.
On POSIX the child caps its own address space (RLIMIT_AS) and CPU time; on Windows only the
time limit applies.

Test hooks (environment of the child): GRID_READ_FAULT=abort|hang|memory|panic makes the child fail
that way before reading; GRID_READ_TIMEOUT (seconds) and GRID_READ_MEMORY_MB override the limits.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import sys
from typing import Any

# Imports are kept few (subprocess, signal, json, pathlib are the parent's): the child starts
# on every read.

TIMEOUT_S = 50.0
MEMORY_MB = 1024
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAGIC = b"GRIDREAD1\n"
PREFIX = "文件无法安全读取："

# Only these classes may come back from the child (cell values are str, float, int, bool, None
# and these); anything else in the pickle is refused.
_ALLOWED = {("datetime", n) for n in ("date", "datetime", "time", "timedelta", "timezone")}


def _timeout() -> float:
    try:
        return float(os.environ.get("GRID_READ_TIMEOUT", TIMEOUT_S))
    except ValueError:
        return TIMEOUT_S


def _memory_mb() -> int:
    try:
        return int(os.environ.get("GRID_READ_MEMORY_MB", MEMORY_MB))
    except ValueError:
        return MEMORY_MB


class _CellUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} not allowed")


def _unreadable(reason: str) -> Exception:
    from etl.read import FileUnreadable

    return FileUnreadable(PREFIX + reason)


def read_isolated(data: bytes, file_name: str) -> list[Any]:
    """The sheets of a file, read in a child process; FileUnreadable when refused or when the
    child fails in any way (crash, memory cap, time limit)."""
    import subprocess

    from etl.read import FileUnreadable, Sheet

    header = file_name.encode("utf-8", "replace")
    payload = struct.pack(">I", len(header)) + header + data
    timeout = _timeout()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH", "")) if p)
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "etl.sandbox"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
            creationflags=flags,
        )
    except OSError:
        raise _unreadable("无法启动读取进程（系统资源不足？），请稍后重试") from None
    try:
        out, err = proc.communicate(payload, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise _unreadable(f"读取超过 {timeout:g} 秒仍未完成，疑似异常文件，已停止读取") from None
    finally:
        if proc.poll() is None:  # interrupted (e.g. the page was left): never leave it running
            proc.kill()
            proc.wait()
    result: Any = None
    if out.startswith(MAGIC):
        try:
            result = _CellUnpickler(io.BytesIO(out[len(MAGIC) :])).load()
        except Exception:
            result = None
    if isinstance(result, tuple) and len(result) == 2:
        status, body = result
        if status == "ok":
            return [Sheet(name=name, rows=rows) for name, rows in body]
        if status == "refused":
            raise FileUnreadable(str(body))
        if status == "memory":
            raise _unreadable(f"读取所需内存超过上限（{_memory_mb():,} MB），疑似异常文件，已拒绝")
        raise _unreadable("读取时出错，文件可能已损坏或是异常文件，请用 Excel 打开后另存为 .xlsx 再试")
    raise _explain_death(proc.returncode, err)


def _explain_death(code: int, err: bytes) -> Exception:
    import signal

    text = err.decode("utf-8", "replace")
    if "memory allocation" in text or "MemoryError" in text or "capacity overflow" in text:
        return _unreadable(f"读取所需内存超过上限（{_memory_mb():,} MB），疑似异常文件，已拒绝")
    if code in (-getattr(signal, "SIGXCPU", 24), -getattr(signal, "SIGKILL", 9)):
        return _unreadable("读取时间或内存超过上限，疑似异常文件，已拒绝")
    return _unreadable(f"读取程序意外中止（代码 {code}），文件可能已损坏或是异常文件，已拒绝")


# --- the child ---------------------------------------------------------------------------


def _limit_resources() -> None:
    try:
        import resource
    except ImportError:  # Windows: the parent's time limit still applies
        return
    cap = _memory_mb() * 1024 * 1024
    cpu = int(_timeout()) + 5
    for limit, value in (
        (resource.RLIMIT_AS, cap),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_CORE, 0),  # a native abort must not leave a core file behind
    ):
        try:
            soft, hard = resource.getrlimit(limit)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(limit, (value, hard))
        except (ValueError, OSError):
            pass


class _SimulatedPanic(BaseException):
    """Stands for pyo3's PanicException (a BaseException) in tests."""


def _fault() -> None:
    fault = os.environ.get("GRID_READ_FAULT", "")
    if fault == "panic":
        raise _SimulatedPanic("simulated reader panic")
    if fault == "abort":
        os.abort()
    elif fault == "hang":
        while True:
            pass
    elif fault == "memory":
        hog = []
        while True:
            hog.append(bytearray(64 * 1024 * 1024))


def child_main() -> int:
    _limit_resources()
    raw = sys.stdin.buffer.read()
    (n,) = struct.unpack(">I", raw[:4])
    name = raw[4 : 4 + n].decode("utf-8", "replace")
    data = raw[4 + n :]
    del raw
    result: tuple[str, Any]
    try:
        from etl.read import FileUnreadable, read_in_process

        _fault()
        try:
            sheets = read_in_process(data, name)
            result = ("ok", [(s.name, s.rows) for s in sheets])
        except FileUnreadable as exc:
            result = ("refused", str(exc))
        del data
        out = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        out = pickle.dumps(("memory", ""))
    except BaseException as exc:  # e.g. pyo3's PanicException, which is not an Exception
        print(f"reader failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        out = pickle.dumps(("crashed", type(exc).__name__))
    sys.stdout.buffer.write(MAGIC)
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(child_main())
