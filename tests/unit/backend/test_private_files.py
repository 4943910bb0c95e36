"""Owner-only files: written whole, never readable by others, a secret made once."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.private_files import read_or_create_secret, write_private


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave new files readable by everyone."""
    previous = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_written_owner_only_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "runtime.json"
    write_private(path, "{}")
    assert path.read_text() == "{}" and mode(path) == 0o600
    assert os.listdir(tmp_path) == ["runtime.json"]  # no temporary left behind


def test_replacing_a_readable_file_makes_it_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "redis.conf"
    path.write_text("old")
    path.chmod(0o644)
    write_private(path, "new")
    assert path.read_text() == "new" and mode(path) == 0o600


def test_a_secret_is_made_once_then_read(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "home" / "token"
    secret = read_or_create_secret(path)
    assert len(secret) >= 32 and mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert read_or_create_secret(path) == secret


def test_an_empty_secret_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "password"
    path.write_text("\n")
    secret = read_or_create_secret(path)
    assert secret and path.read_text() == secret
