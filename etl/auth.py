"""Sign-in for every write and for the archived originals: salted scrypt hashes (standard
library), never plain text.

Accounts live in users.json beside the database file (written by `python -m etl passwd NAME`,
readable by its owner only) and may also come from .streamlit/secrets.toml ([upload.users]
NAME = "scrypt$…"). Reading pages needs no sign-in. Passwords have at least 10 characters and
are not on a list of common ones; failed sign-ins are throttled per name, per client address
and server-wide; an unknown name costs the same scrypt as a known one.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from etl import db
from etl.errors import GridError

N, R, P = 2**14, 8, 1
USERS_FILE = "users.json"


class BadPassword(GridError):
    """The password does not meet the minimum rules."""


def hash_password(password: str) -> str:
    """'scrypt$16384$8$1$<salt hex>$<hash hex>'."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(bytes.fromhex(digest)))  # fmt: skip
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def users_path(path: str | os.PathLike[str] | None = None) -> Path:
    return db.db_path(path).parent / USERS_FILE


def load_users(
    path: str | os.PathLike[str] | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """name → stored hash, from users.json and (over it) the secrets given by the page."""
    users: dict[str, str] = {}
    f = users_path(path)
    if f.exists():
        _owner_only(f)  # a file written by an older version (0644) is closed on first read
        try:
            users.update(json.loads(f.read_text(encoding="utf-8")).get("users", {}))
        except (ValueError, OSError):
            users = {}
    for name, stored in (extra or {}).items():
        users[str(name)] = str(stored)
    return users


MIN_LENGTH = 10
# Passwords every guesser tries first (all shorter ones are refused by length anyway).
COMMON_PASSWORDS = frozenset(
    {
        "1234567890", "0123456789", "12345678910", "123456789a", "a123456789", "1234567890a",
        "qwertyuiop", "1qaz2wsx3edc", "1q2w3e4r5t", "1q2w3e4r5t6y", "qwerty1234", "qwertyuiop123",
        "password", "password1", "password12", "password123", "passw0rd123", "p@ssw0rd123",
        "admin12345", "admin123456", "administrator", "abc1234567", "abcd123456", "abcdefghij",
        "1111111111", "0000000000", "8888888888", "6666666666", "123123123123", "5201314520",
        "woaini1314", "iloveyou12", "zxcvbnm123", "asdfghjkl1", "aaaaaaaaaa", "12345678",
        "11111111", "88888888", "123456789", "12345678900", "147258369", "987654321",
        "wengyuan123", "wengyuan2019", "wangge123456", "gridadmin123",
    }
)  # fmt: skip


def password_problem(name: str, password: str) -> str | None:
    """Why a password is refused (in Chinese), or None when it is good enough."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位（现在 {len(password)} 位）"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) <= 2:
        return "这个密码太常见，很容易被猜中，请换一个（可用几个词加数字，如 wengyuan-wangge-2019）"
    if lowered == name.strip().lower() or name.strip().lower() in lowered and len(name.strip()) >= 3:
        return "密码不能包含用户名"
    return None


def _owner_only(f: Path) -> None:
    """rw for the owner only (0600); Windows keeps its own ACLs (chmod changes nothing there)."""
    try:
        if os.name == "posix" and f.stat().st_mode & 0o077:
            f.chmod(0o600)
    except OSError:
        pass


def set_password(name: str, password: str, path: str | os.PathLike[str] | None = None) -> Path:
    name = name.strip()
    if not name:
        raise BadPassword("用户名不能为空")
    problem = password_problem(name, password)
    if problem:
        raise BadPassword(problem)
    f = users_path(path)
    f.parent.mkdir(parents=True, exist_ok=True)
    data = {"users": load_users(path)}
    data["users"][name] = hash_password(password)
    tmp = f.with_name(f.name + ".tmp")
    tmp.unlink(missing_ok=True)
    # Created 0600 from the first byte (not chmod after writing): the hashes are never readable
    # by other accounts of the machine.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(data, ensure_ascii=False, indent=1))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, f)
    _owner_only(f)
    return f


def is_loopback(address: str | None) -> bool:
    """True for localhost / 127.x / ::1: the app is then reachable from this PC only."""
    if not address:
        return False
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


@cache
def _dummy_hash() -> str:
    """A hash nobody's password matches: unknown names are verified against it, so that an
    unknown name takes as long to refuse as a known one."""
    return hash_password(secrets.token_hex(16))


@dataclass(frozen=True)
class Attempt:
    ok: bool
    wait: float  # > 0: refused without checking, try again after this many seconds


class Throttle:
    """Failed sign-ins slow down further tries, counted per name, per client address and for
    the whole server (so neither many names nor many addresses get around it), over a sliding
    window. Every attempt is booked as failed *before* the password is checked and un-booked
    on success, so parallel guesses cannot slip through together. Shared by all sessions."""

    def __init__(
        self,
        *,
        free: int = 3,
        cap: float = 300.0,
        global_free: int = 20,
        global_cap: float = 60.0,
        window: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.cap, self.global_free, self.global_cap = free, cap, global_free, global_cap
        self.window, self.clock = window, clock
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(name: str, address: str | None) -> list[str]:
        return [f"name:{name.strip()}", f"addr:{address or 'local'}", "global"]

    def _wait_locked(self, keys: list[str], now: float) -> float:
        wait = 0.0
        for key in keys:
            times = [t for t in self._fails.get(key, []) if now - t < self.window]
            self._fails[key] = times
            free, cap = (self.global_free, self.global_cap) if key == "global" else (self.free, self.cap)
            if len(times) >= free:
                penalty = min(cap, 2.0 ** (len(times) - free + 1))
                wait = max(wait, times[-1] + penalty - now)
        return wait

    def wait(self, name: str, address: str | None = None) -> float:
        """Seconds before this name from this address may try again (0: now)."""
        with self._lock:
            return self._wait_locked(self._keys(name, address), self.clock())

    def attempt(
        self, users: Mapping[str, str], name: str, password: str, address: str | None = None
    ) -> Attempt:
        """Check a sign-in unless it must wait; known and unknown names cost the same scrypt."""
        keys = self._keys(name, address)
        with self._lock:
            now = self.clock()
            wait = self._wait_locked(keys, now)
            if wait > 0:
                return Attempt(False, wait)
            for key in keys:
                self._fails.setdefault(key, []).append(now)
        stored = users.get(name.strip())
        ok = verify_password(password, stored or _dummy_hash()) and bool(stored)
        if ok:
            with self._lock:
                for key in keys[:2]:
                    self._fails.pop(key, None)
                booked = self._fails.get("global", [])
                if now in booked:
                    booked.remove(now)
        return Attempt(ok, 0.0)


THROTTLE = Throttle()
