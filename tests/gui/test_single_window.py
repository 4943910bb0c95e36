"""One window: a second ``taskdesk`` process hands its files to the open window and exits.

The open window is a real desktop (on a backend address nobody answers: only the
hand-over matters here); the second run is a real ``python -m desktop`` process with
the same data folder and another working folder, so relative paths must arrive
absolute.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.app import Desktop
from desktop.records import Endpoint
from desktop.singleinstance import claim
from tests.stack import REPO_ROOT

pytestmark = pytest.mark.gui


def second_taskdesk(qtbot: Any, home: Path, cwd: Path, *args: str) -> tuple[int, str]:
    """Run ``taskdesk ARGS`` in ``cwd`` while this window keeps answering; its exit code
    and output."""
    env = dict(os.environ, TASKDESK_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    log = home.parent / "second.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "desktop", *args],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        qtbot.wait_until(lambda: process.poll() is not None, timeout=30_000)
    return process.returncode, log.read_text(errors="replace")


# Offscreen Qt cannot raise a window; under X the same call raises it.
@pytest.mark.qt_log_ignore("does not support raise")
def test_a_second_taskdesk_hands_its_files_to_the_open_window_and_exits(
    qtbot: Any, open_desktop: Callable[..., Desktop], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "folder").mkdir(parents=True)
    (elsewhere / "more.pdf").write_bytes(b"%PDF-1.4\n")
    desktop = open_desktop(Endpoint(url="http://127.0.0.1:9", token="x", local=False))
    server, _ = claim(home, [])
    assert server is not None
    server.paths_received.connect(desktop.on_instance_paths)
    submitted: list[list[Path]] = []
    desktop.window.submit_requested.connect(lambda _id, paths, _options: submitted.append(paths))
    try:
        code, output = second_taskdesk(
            qtbot, home, elsewhere, "more.pdf", str(elsewhere / "folder")
        )
        assert code == 0, output
        qtbot.wait_until(lambda: bool(submitted), timeout=5000)
        assert submitted == [[elsewhere / "more.pdf", elsewhere / "folder"]]
        assert "Starting backend" not in output and "handed 2 path(s)" in output

        # With no file named, a second run only brings the window forward.
        code, output = second_taskdesk(qtbot, home, elsewhere)
        assert code == 0, output
        qtbot.wait(200)
        assert len(submitted) == 1
    finally:
        server.close()
