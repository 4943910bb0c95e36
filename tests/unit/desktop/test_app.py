"""``taskdesk [PDF...] [--server URL --token TOKEN] [--processor NAME] [--version]``."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from desktop import __version__
from desktop.app import Desktop, parse_args
from desktop.client import Backoff
from desktop.records import Endpoint, TaskRow
from desktop.settings import Preferences


def test_pdfs_and_a_remote_server() -> None:
    args = parse_args(["a.pdf", "b.pdf", "--server", "http://host:8000", "--token", "t0k"])
    assert args.pdfs == [Path("a.pdf"), Path("b.pdf")]
    assert (args.server, args.token) == ("http://host:8000", "t0k")


@pytest.mark.parametrize("argv", [["--server", "http://x"], ["--token", "t"]])
def test_server_and_token_go_together(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    assert "--server" in capsys.readouterr().err


def test_version_needs_no_display() -> None:
    # Run as the gui-script would, in a fresh interpreter without Qt set up.
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert out.returncode == 0
    assert out.stdout.strip() == f"taskdesk {__version__}"


@pytest.fixture
def local_backend(tmp_path: Path) -> Iterator[Path]:
    """A data folder whose runtime.json names a server that answers health checks (and
    nothing else well: a session on it only ever reconnects)."""
    health = json.dumps(
        {"status": "ok", "redis": True, "database": True, "workers": 1, "queued": 0}
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = health.encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    (tmp_path / "runtime.json").write_text(json.dumps({"url": url, "token": "t0k", "pid": 1}))
    yield tmp_path
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("back_to_local", [False, True])
def test_switching_backend_ends_and_deletes_the_old_session(
    qtbot: Any,
    prefs: Preferences,
    row: Callable[..., TaskRow],
    local_backend: Path,
    back_to_local: bool,
) -> None:
    desktop = Desktop(prefs, home=local_backend, backoff=Backoff(initial=0.05, maximum=0.1))
    try:
        # Nothing listens on port 9: this session only ever reconnects.
        desktop.open_session(Endpoint("http://127.0.0.1:9", "old", local=False))
        first = desktop.session
        assert first is not None
        desktop.model.apply_rows([row("t1")])
        with qtbot.wait_signal(first.destroyed, timeout=5000):
            if back_to_local:
                desktop.on_window_connect_requested(None)
            else:
                desktop.on_window_connect_requested(("http://127.0.0.1:9", "new"))
        assert first.feed.isFinished() and first.commands.thread.isFinished()
        assert desktop.model.rowCount() == 0, "the old backend's tasks are gone"
        qtbot.wait_until(lambda: desktop.session is not None, timeout=5000)
        assert desktop.session is not None
        assert desktop.session.endpoint.token == ("t0k" if back_to_local else "new")
    finally:
        desktop.shutdown()
        desktop.window.deleteLater()


def test_a_local_backend_that_moved_is_followed_without_clearing_the_table_first(
    qtbot: Any, prefs: Preferences, row: Callable[..., TaskRow], local_backend: Path
) -> None:
    desktop = Desktop(prefs, home=local_backend, backoff=Backoff(initial=0.05, maximum=0.1))
    try:
        # The old address (nothing on port 9); runtime.json names the one that answers.
        desktop.open_session(Endpoint("http://127.0.0.1:9", "old", local=True))
        first = desktop.session
        assert first is not None
        desktop.model.apply_rows([row("t1")])
        desktop.model.flush()
        with qtbot.wait_signal(first.destroyed, timeout=10_000):
            pass
        assert desktop.session is not None and desktop.session.endpoint.token == "t0k"
        # Not cleared as for another backend: the rows wait for the new snapshot (which
        # this server never sends) to say which of them still exist.
        assert desktop.model.row_for("t1") is not None
    finally:
        desktop.shutdown()
        desktop.window.deleteLater()


@pytest.mark.qt_log_ignore("does not support raise")  # offscreen Qt; X raises the window
def test_files_handed_over_before_a_backend_answers_wait_for_it(
    qtbot: Any, prefs: Preferences, tmp_path: Path
) -> None:
    desktop = Desktop(prefs, home=tmp_path)
    submitted: list[object] = []
    desktop.window.submit_requested.connect(lambda _id, paths, _options: submitted.append(paths))
    try:
        desktop.on_instance_paths([tmp_path / "a.pdf"])
        assert submitted == []
        desktop.open_session(Endpoint("http://127.0.0.1:9", "x", local=False))
        assert submitted == [[tmp_path / "a.pdf"]]
    finally:
        desktop.shutdown()
        desktop.window.deleteLater()
