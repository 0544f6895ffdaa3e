"""Sign-in for loading and reverting: salted scrypt hashes (standard library), never plain text.

Accounts live in users.json beside the database file (written by `python -m etl passwd NAME`)
and may also come from .streamlit/secrets.toml ([upload.users] NAME = "scrypt$…"). Reading
pages needs no sign-in.
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
from collections.abc import Mapping
from pathlib import Path

from etl import db

N, R, P = 2**14, 8, 1
USERS_FILE = "users.json"


class BadPassword(Exception):
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
        try:
            users.update(json.loads(f.read_text(encoding="utf-8")).get("users", {}))
        except (ValueError, OSError):
            users = {}
    for name, stored in (extra or {}).items():
        users[str(name)] = str(stored)
    return users


def set_password(name: str, password: str, path: str | os.PathLike[str] | None = None) -> Path:
    name = name.strip()
    if not name:
        raise BadPassword("用户名不能为空")
    if len(password) < 8:
        raise BadPassword("密码至少 8 位")
    f = users_path(path)
    f.parent.mkdir(parents=True, exist_ok=True)
    data = {"users": load_users(path)}
    data["users"][name] = hash_password(password)
    tmp = f.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, f)
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


class Throttle:
    """A growing delay after repeated failed sign-ins (per name), shared by all sessions."""

    def __init__(self, free: int = 3, cap: float = 30.0) -> None:
        self.free, self.cap = free, cap
        self._fails: dict[str, int] = {}
        self._lock = threading.Lock()

    def delay(self, key: str) -> float:
        with self._lock:
            n = self._fails.get(key, 0)
        return 0.0 if n < self.free else min(self.cap, 2.0 ** (n - self.free + 1))

    def failed(self, key: str) -> None:
        with self._lock:
            self._fails[key] = self._fails.get(key, 0) + 1

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)

    def check(self, users: Mapping[str, str], name: str, password: str) -> bool:
        """Verify after the penalty delay; records the outcome."""
        time.sleep(self.delay(name))
        stored = users.get(name)
        ok = bool(stored) and verify_password(password, stored or "")
        if ok:
            self.succeeded(name)
        else:
            self.failed(name)
        return ok


THROTTLE = Throttle()
