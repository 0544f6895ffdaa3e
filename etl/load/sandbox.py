"""Read a spreadsheet in a child process with a memory cap and a time limit.

`read_workbook` is what callers use. The parent (the Streamlit server or the CLI) sends the
file's bytes to `python -m etl.load.sandbox` on stdin and gets the sheets back as a pickle on
stdout. The child checks the limits first (etl.load.guard), then reads (etl.load.read).
Whatever a hostile file does to the reader (a native abort such as Rust's "capacity overflow",
a runaway allocation, an endless loop) ends the child only: the parent raises FileUnreadable with a Chinese message, and carries on.

On POSIX a small "zygote" process (`python -m etl.load.sandbox --zygote`, started once per parent
process, with the reader already imported) forks a fresh child for every file: a read costs a
fork instead of an interpreter start. The child caps its own address space (RLIMIT_AS) and CPU
time; the zygote kills it at the time limit. When the zygote is busy with another file (two
uploads at once) or unavailable, and always on Windows, a one-off `python -m etl.load.sandbox` reads
the file instead (only the time limit applies on Windows). Both are plain subprocesses of a
small module: multiprocessing's spawn would re-import the parent's main module (Streamlit).

Test hooks (environment of the child): GRID_READ_FAULT=abort|hang|memory|panic makes the child fail
that way before reading; GRID_READ_TIMEOUT (seconds) and GRID_READ_MEMORY_MB override the limits.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import sys
import time
from typing import Any

from etl.errors import FileUnreadable
from etl.load.read import Sheet, read_in_process, sniff

# Imports are kept few (subprocess, signal, json, pathlib are the parent's): the child starts
# on every read. etl.load.read (and the guard it uses) is the child's work: imported once, in
# the zygote, and inherited by every child it forks.

TIMEOUT_S = 50.0
MEMORY_MB = 1024
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
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
    return FileUnreadable(PREFIX + reason)


SETTINGS = ("GRID_READ_FAULT", "GRID_READ_TIMEOUT", "GRID_READ_MEMORY_MB")


def _request(data: bytes, file_name: str) -> bytes:
    """name, the reader settings of this moment (tests change them), data: length-prefixed."""
    name = file_name.encode("utf-8", "replace")
    settings = "\n".join(f"{k}={os.environ[k]}" for k in SETTINGS if k in os.environ).encode()
    return struct.pack(">IIQ", len(name), len(settings), len(data)) + name + settings + data


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH", "")) if p)
    return env


def read_workbook(data: bytes, file_name: str) -> list[Sheet]:
    """All sheets of a file, whatever its extension claims: the bytes decide. The reading runs
    in a child process with a memory cap and a time limit; FileUnreadable says why not."""
    sniff(data, file_name)  # a PDF or a picture is answered without starting a process
    return read_isolated(data, file_name)


def read_isolated(data: bytes, file_name: str) -> list[Sheet]:
    """The sheets of a file, read in a child process; FileUnreadable when refused or when the
    child fails in any way (crash, memory cap, time limit)."""
    request = _request(data, file_name)
    timeout = _timeout()
    reply = _ZYGOTE.run(request, timeout) if _ZYGOTE.usable() else None
    code, out, err, timed_out = reply or _run_once(request, timeout)
    if timed_out:
        raise _unreadable(f"读取超过 {timeout:g} 秒仍未完成，疑似异常文件，已停止读取")
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
    raise _explain_death(code, err)


def _run_once(request: bytes, timeout: float) -> tuple[int, bytes, bytes, bool]:
    """A fresh `python -m etl.load.sandbox` for this one file (Windows, or when no zygote)."""
    import subprocess

    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "etl.load.sandbox"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=_child_env(),
            creationflags=flags,
        )
    except OSError:
        raise _unreadable("无法启动读取进程（系统资源不足？），请稍后重试") from None
    try:
        out, err = proc.communicate(request, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return -9, b"", b"", True
    finally:
        if proc.poll() is None:  # interrupted (e.g. the page was left): never leave it running
            proc.kill()
            proc.wait()
    return proc.returncode, out, err, False


_REPLY = struct.Struct(">i?QQ")  # exit code, timed out, len(out), len(err)


class _Zygote:
    """POSIX: one long-lived `python -m etl.load.sandbox --zygote` per process, with the reader
    already imported; for every file it forks a fresh child (a few ms instead of starting an
    interpreter). One file at a time: a second concurrent read starts its own process."""

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()
        self.proc: Any = None

    def usable(self) -> bool:
        return os.name == "posix" and os.environ.get("GRID_READ_ZYGOTE", "1") != "0"

    def _start(self) -> Any:
        import subprocess

        if self.proc is None or self.proc.poll() is not None:
            import atexit

            self.proc = subprocess.Popen(
                [sys.executable, "-m", "etl.load.sandbox", "--zygote"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=ROOT,
                env=_child_env(),
                start_new_session=True,
            )
            atexit.register(self._stop, self.proc)
        return self.proc

    @staticmethod
    def _stop(proc: Any) -> None:
        """At exit: closing its stdin ends the zygote."""
        try:
            proc.stdin.close()
            proc.wait(timeout=5)
        except Exception:
            proc.kill()
            proc.wait()

    def _discard(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, 9)  # the zygote and the child it forked
            except OSError:
                pass
            self.proc.wait()
            self.proc = None

    def run(self, request: bytes, timeout: float) -> tuple[int, bytes, bytes, bool] | None:
        """The child's (exit code, stdout, stderr, timed out); None when the zygote is busy or
        unavailable (the caller then starts a one-off process)."""
        if not self.lock.acquire(blocking=False):
            return None
        try:
            try:
                proc = self._start()
                proc.stdin.write(request)
                proc.stdin.flush()
            except OSError:
                self._discard()
                return None
            # The zygote enforces the limit on its child; this margin only covers the zygote.
            deadline = time.monotonic() + timeout + 10
            try:
                head = _read_exact(proc.stdout.fileno(), _REPLY.size, deadline)
                code, timed_out, n_out, n_err = _REPLY.unpack(head)
                out = _read_exact(proc.stdout.fileno(), n_out, deadline)
                err = _read_exact(proc.stdout.fileno(), n_err, deadline)
            except TimeoutError:
                self._discard()
                return -9, b"", b"", True
            except (OSError, EOFError, struct.error):
                self._discard()
                return None
            return code, out, err, timed_out
        except BaseException:
            self._discard()  # interrupted mid-exchange: the pipe is out of step
            raise
        finally:
            self.lock.release()


def _read_exact(fd: int, n: int, deadline: float | None = None) -> bytes:
    """n bytes from fd, or EOFError; TimeoutError past the deadline (POSIX select)."""
    import select

    parts: list[bytes] = []
    while n > 0:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


_ZYGOTE = _Zygote()


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


def _parse_request(fd: int) -> tuple[str, dict[str, str], bytes] | None:
    try:
        head = _read_exact(fd, 16)
    except EOFError:
        return None
    n_name, n_settings, n_data = struct.unpack(">IIQ", head)
    name = _read_exact(fd, n_name).decode("utf-8", "replace")
    settings = dict(
        line.split("=", 1) for line in _read_exact(fd, n_settings).decode().splitlines() if "=" in line
    )
    return name, settings, _read_exact(fd, n_data)


def _respond(name: str, data: bytes) -> None:
    """Read the file (limits first) and write MAGIC + pickle of the outcome to fd 1."""
    result: tuple[str, Any]
    try:
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


def child_main() -> int:
    """One file from stdin, the outcome to stdout."""
    request = _parse_request(sys.stdin.fileno())
    if request is None:
        return 2
    name, settings, data = request
    os.environ.update(settings)
    _limit_resources()
    _respond(name, data)
    return 0


def _collect(pid: int, out_r: int, err_r: int, timeout: float) -> tuple[int, bytes, bytes, bool]:
    """The forked child's output until it ends or the time is up (then it is killed)."""
    import select
    import signal

    deadline = time.monotonic() + timeout
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    open_fds = [out_r, err_r]
    timed_out = False
    while open_fds:
        left = deadline - time.monotonic()
        ready = select.select(open_fds, [], [], max(left, 0))[0] if left > 0 else []
        if not ready:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        for fd in ready:
            chunk = os.read(fd, 1 << 20)
            if chunk:
                chunks[fd].append(chunk)
            else:
                open_fds.remove(fd)
    os.close(out_r)
    os.close(err_r)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks[out_r]), b"".join(chunks[err_r]), timed_out


def zygote_main() -> int:
    """Serve requests from stdin until it closes: fork a child per file, reply on stdout."""
    try:  # the reader's own modules are imported at the top
        import python_calamine  # noqa: F401
    except ImportError:
        pass
    stdin, stdout = sys.stdin.fileno(), sys.stdout.buffer
    base_env = dict(os.environ)
    while True:
        request = _parse_request(stdin)
        if request is None:
            return 0
        name, settings, data = request
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its own limits, output to the pipes, never back into the loop
            try:
                os.close(out_r)
                os.close(err_r)
                os.dup2(out_w, 1)
                os.dup2(err_w, 2)
                os.close(stdin)
                os.environ.clear()
                os.environ.update(base_env)
                for key in SETTINGS:
                    os.environ.pop(key, None)
                os.environ.update(settings)
                _limit_resources()
                _respond(name, data)
            finally:
                os._exit(0)
        os.close(out_w)
        os.close(err_w)
        del data
        timeout = float(settings.get("GRID_READ_TIMEOUT", TIMEOUT_S))
        code, out, err, timed_out = _collect(pid, out_r, err_r, timeout)
        stdout.write(_REPLY.pack(code, timed_out, len(out), len(err)) + out + err)
        stdout.flush()


if __name__ == "__main__":
    sys.exit(zygote_main() if sys.argv[1:] == ["--zygote"] else child_main())
