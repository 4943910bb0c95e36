"""The data folder: one rule, which the backend's settings and the desktop both follow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backend.config import Settings
from backend.paths import data_folder, data_home


@pytest.fixture
def user_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path.resolve()


def test_a_tilde_means_the_users_home_on_both_sides(
    monkeypatch: pytest.MonkeyPatch, user_home: Path
) -> None:
    from desktop.client import data_home as desktop_data_home

    monkeypatch.setenv("TASKDESK_HOME", "~/x")
    assert data_home() == user_home / "x"
    assert Settings().home == user_home / "x"
    assert desktop_data_home() == user_home / "x"


def test_a_relative_folder_is_made_absolute(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TASKDESK_HOME", "data")
    assert data_home() == Settings().home == tmp_path.resolve() / "data"


@pytest.mark.parametrize("configured", [None, ""])
def test_unset_or_empty_means_the_platform_folder(
    monkeypatch: pytest.MonkeyPatch, user_home: Path, configured: str | None
) -> None:
    if configured is None:
        monkeypatch.delenv("TASKDESK_HOME", raising=False)
    else:
        monkeypatch.setenv("TASKDESK_HOME", configured)
    assert data_home().name == "taskdesk"
    assert Settings().home == data_home()


def test_settings_given_a_folder_expand_it_the_same_way(user_home: Path) -> None:
    assert Settings(home=Path("~/y")).home == data_folder("~/y") == user_home / "y"


def test_the_desktop_can_import_it_without_the_backends_weight() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, backend.paths; print(*sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    heavy = ("pydantic", "sqlalchemy", "redis", "celery", "fastapi")
    assert not [name for name in loaded if name.startswith(heavy)]
