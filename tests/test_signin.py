"""Issue 10 §8: sign-in. The users file is the owner's only (0600), weak passwords are refused
in Chinese, failed sign-ins are throttled per name, per client address and server-wide (a fake
clock, no sleeping), unknown names cost the same scrypt as known ones, and on a network
address the archived originals need sign-in."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl import auth, cli

ROOT = Path(__file__).resolve().parent.parent
GOOD = "wengyuan-wangge-2019"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def mode(f: Path) -> int:
    return stat.S_IMODE(f.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_users_file_is_created_0600_and_an_old_0644_file_is_closed(db_file: Path) -> None:
    old = os.umask(0o022)
    try:
        f = auth.set_password("张三", GOOD, db_file)
        assert mode(f) == 0o600
        f.chmod(0o644)  # as older versions left it
        auth.load_users(db_file)
        assert mode(f) == 0o600
        f.chmod(0o644)
        auth.set_password("李四", GOOD + "x", db_file)
        assert mode(f) == 0o600
        assert set(json.loads(f.read_text(encoding="utf-8"))["users"]) == {"张三", "李四"}
        assert not list(f.parent.glob("*.tmp"))
    finally:
        os.umask(old)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("12345678", "密码至少 10 位（现在 8 位）"),
        ("abc", "密码至少 10 位（现在 3 位）"),
        ("1234567890", "这个密码太常见"),
        ("qwertyuiop", "这个密码太常见"),
        ("123456789a", "这个密码太常见"),
        ("Password123", "这个密码太常见"),
        ("aaaaaaaaaaaa", "这个密码太常见"),
        ("zhangsan-2019", "密码不能包含用户名"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(db_file: Path, password: str, message: str) -> None:
    with pytest.raises(auth.BadPassword) as info:
        auth.set_password("zhangsan", password, db_file)
    assert str(info.value).startswith(message)
    assert not auth.users_path(db_file).exists()


def test_cli_passwd_refuses_a_short_password(
    db_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("12345678\n"))
    assert cli.main(["passwd", "张三", "--password-stdin", "--db", str(db_file)]) == 1
    assert "✗ 密码至少 10 位（现在 8 位）" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO(GOOD + "\n"))
    assert cli.main(["passwd", "张三", "--password-stdin", "--db", str(db_file)]) == 0


@pytest.fixture(scope="module")
def users() -> dict[str, str]:
    return {"张三": auth.hash_password(GOOD)}


def test_throttle_per_name_with_a_growing_wait(users: dict[str, str]) -> None:
    clock = Clock()
    t = auth.Throttle(clock=clock)
    for _ in range(3):
        assert t.attempt(users, "张三", "wrong", "10.0.0.1") == auth.Attempt(False, 0.0)
    refused = t.attempt(users, "张三", GOOD, "10.0.0.2")  # right password, other address: still waits
    assert not refused.ok and refused.wait == pytest.approx(2.0)
    clock.now += 2.0
    assert t.attempt(users, "张三", "wrong", "10.0.0.3") == auth.Attempt(False, 0.0)
    assert t.wait("张三", "10.0.0.4") == pytest.approx(4.0)  # doubles
    clock.now += 4.0
    assert t.attempt(users, "张三", GOOD, "10.0.0.4").ok
    assert t.wait("张三", "10.0.0.4") == 0.0  # success clears the name


def test_throttle_per_address_across_many_names(users: dict[str, str]) -> None:
    clock = Clock()
    t = auth.Throttle(clock=clock)
    for i in range(3):
        t.attempt(users, f"guess{i}", "x", "10.0.0.9")
    got = t.attempt(users, "another-name", "x", "10.0.0.9")
    assert got.wait == pytest.approx(2.0) and not got.ok
    assert t.wait("another-name", "10.0.0.10") == 0.0  # another address may try


def test_throttle_server_wide_across_names_and_addresses(users: dict[str, str]) -> None:
    clock = Clock()
    t = auth.Throttle(clock=clock, global_free=5)
    for i in range(5):
        assert t.attempt(users, f"n{i}", "x", f"10.1.0.{i}").wait == 0.0
    blocked = t.attempt(users, "张三", GOOD, "10.2.0.1")
    assert blocked == auth.Attempt(False, pytest.approx(2.0))
    clock.now += 901  # the window slides: old failures no longer count
    assert t.attempt(users, "张三", GOOD, "10.2.0.1").ok


def test_parallel_guesses_do_not_slip_through_together(users: dict[str, str]) -> None:
    """20 guesses at once from one address: only the 3 free ones reach the password check."""
    t = auth.Throttle()
    results: list[auth.Attempt] = []
    start = threading.Barrier(20)

    def guess(i: int) -> None:
        start.wait()
        results.append(t.attempt(users, "张三", f"guess-{i}", "10.0.0.7"))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    checked = [r for r in results if r.wait == 0.0]
    assert len(results) == 20 and len(checked) == 3 and not any(r.ok for r in results)


def test_unknown_and_known_names_run_the_same_scrypt(
    users: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = auth.hashlib.scrypt

    def counting(*args: object, **kwargs: object) -> bytes:
        calls.append(int(kwargs["n"]))  # type: ignore[call-overload]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    auth._dummy_hash()  # built once beforehand, as on the first sign-in of a server
    monkeypatch.setattr(auth.hashlib, "scrypt", counting)
    t = auth.Throttle()
    assert not t.attempt(users, "张三", "wrong", "a").ok
    assert not t.attempt(users, "没有这个人", "wrong", "b").ok
    assert calls == [auth.N, auth.N]


# ---- The page: archived originals on a network address --------------------------------------


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch, seeded_copy: Path) -> Path:
    from streamlit import config

    monkeypatch.setenv("GRID_DB", str(seeded_copy))
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    yield seeded_copy
    config.set_option("server.address", before)


def upload_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    return at


def test_archive_download_needs_sign_in_on_the_network(network: Path) -> None:
    at = upload_page()  # no users yet: nobody may load, and nobody may download originals
    assert [b.label for b in at.get("download_button") if b.label == "下载原始文件"] == []
    assert any("登录后可下载原始文件" in c.value for c in at.caption)
    auth.set_password("张三", GOOD, network)
    at = upload_page()
    assert [b.label for b in at.get("download_button") if b.label == "下载原始文件"] == []
    at.text_input[0].set_value("张三")
    at.text_input[1].set_value("wrong-password-1")
    at.button[0].click().run()
    assert "用户名或密码不正确。" in [e.value for e in at.error]
    assert [b.label for b in at.get("download_button") if b.label == "下载原始文件"] == []
    at.text_input[0].set_value("张三")
    at.text_input[1].set_value(GOOD)
    at.button[0].click().run()
    assert not at.exception
    assert [b.label for b in at.get("download_button") if b.label == "下载原始文件"] == ["下载原始文件"]


def test_archive_download_open_on_this_machine(seeded_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit import config

    monkeypatch.setenv("GRID_DB", str(seeded_copy))
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    try:
        at = upload_page()
        assert [b.label for b in at.get("download_button") if b.label == "下载原始文件"] == ["下载原始文件"]
    finally:
        config.set_option("server.address", before)
