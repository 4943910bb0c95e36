"""Smoke test of the PyInstaller bundle (``pyinstaller --noconfirm build.spec``).

Skipped unless ``dist/taskdesk/taskdesk`` exists or ``TASKDESK_BUNDLE`` names the bundle's
executable. It runs the bundle as an analyst's machine would: no repository on the path,
no Python beside it, a fresh data folder. The backend is the same executable in backend
mode (``taskdesk --taskdesk-run backend.supervisor``), as the window starts it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.pdfgen import make_pdf, make_scan

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLE = Path(os.environ.get("TASKDESK_BUNDLE") or REPO_ROOT / "dist" / "taskdesk" / "taskdesk")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not BUNDLE.is_file(),
        reason=f"no bundle at {BUNDLE} (build it: pyinstaller --noconfirm build.spec)",
    ),
]

FINAL = {"completed", "failed", "timed_out", "cancelled"}


def bundle_env(home: Path) -> dict[str, str]:
    """The user's environment minus anything that would point the bundle at this checkout
    or at another stack."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TASKDESK_", "PYTHON")) and key not in ("REDIS_URL", "DATABASE_URL")
    }
    env["TASKDESK_HOME"] = str(home)
    env["TASKDESK_WORKERS"] = "2"
    env["TASKDESK_SHUTDOWN_GRACE_SECONDS"] = "2"
    return env


@dataclass
class Bundled:
    process: subprocess.Popen[bytes]
    home: Path
    log: Path
    runtime: dict[str, Any]
    #: Seconds from exec to an API answering with a worker attached.
    cold_start: float

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.runtime["url"],
            headers={"Authorization": f"Bearer {self.runtime['token']}"},
            timeout=10,
        )


def wait_healthy(url: str, deadline: float) -> dict[str, Any]:
    while time.monotonic() < deadline:
        try:
            health = httpx.get(f"{url}/api/health", timeout=2).json()
            # The worker count is refreshed in the background: None until first known.
            if health.get("status") == "ok" and (health.get("workers") or 0) >= 1:
                return dict(health)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError("the bundled backend did not become healthy")


@pytest.fixture
def bundled(tmp_path: Path) -> Iterator[Bundled]:
    home = tmp_path / "home"
    log = tmp_path / "backend.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(BUNDLE), "--taskdesk-run", "backend.supervisor"],
            env=bundle_env(home),
            cwd=tmp_path,  # nowhere near the checkout
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = started + 120
        runtime_file = home / "runtime.json"
        while not runtime_file.exists():
            if process.poll() is not None:
                pytest.fail(f"the bundle exited with {process.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no runtime.json after 120 s:\n{log.read_text()}")
            time.sleep(0.05)
        runtime = json.loads(runtime_file.read_text())
        wait_healthy(runtime["url"], deadline)
        yield Bundled(process, home, log, runtime, time.monotonic() - started)
    finally:
        stop_tree(process)


def stop_tree(process: subprocess.Popen[bytes]) -> None:
    """Stop the supervisor and whatever it started, even after a failed test: killing
    only the supervisor would orphan Redis, the worker and the API."""
    if process.poll() is not None:
        return
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    _, alive = psutil.wait_procs(children, timeout=10)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def test_version() -> None:
    out = subprocess.run(
        [str(BUNDLE), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 0, out.stderr
    version = tomllib_version()
    assert out.stdout.strip() == f"taskdesk {version}"


def tomllib_version() -> str:
    import tomllib

    return str(tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"])


def test_backend_processes_a_pdf_and_stops_cleanly(bundled: Bundled, tmp_path: Path) -> None:
    print(f"bundled backend healthy {bundled.cold_start:.1f} s after start")
    pdf = make_pdf(tmp_path / "smoke.pdf", pages=5)
    scan = make_scan(tmp_path / "scan.pdf", make_pdf(tmp_path / "typed.pdf", pages=1), dpi=200)
    with bundled.client() as api:
        files = [
            ("files", (path.name, path.read_bytes(), "application/pdf")) for path in (pdf, scan)
        ]
        response = api.post("/api/batches", files=files)
        assert response.status_code == 202, response.text
        tasks = response.json()["tasks"]
        deadline = time.monotonic() + 120
        while any(t["status"] not in FINAL for t in tasks) and time.monotonic() < deadline:
            time.sleep(0.2)
            tasks = [api.get(f"/api/tasks/{t['id']}").json() for t in tasks]
        typed, scanned = tasks
        for task in tasks:
            assert task["status"] == "completed", (task, bundled.log.read_text()[-3000:])
            assert task["progress"] == 100
        assert typed["pages_done"] == typed["pages_total"] == 5
        result = api.get(f"/api/tasks/{typed['id']}/result")
        assert result.status_code == 200
        assert "Page 5" in result.text
        # The scan has no text layer: the bundle's own OCR engine and model read it.
        assert scanned["result"]["ocr_pages"] == 1, scanned
        (page,) = api.get(f"/api/tasks/{scanned['id']}/result").json()["pages"]
        assert page["source"] == "ocr"
        assert "Page 1" in page["text"], page

    # Every process of the stack is the bundle's executable or its redis-server.
    children = psutil.Process(bundled.process.pid).children(recursive=True)
    commands = {Path(child.exe()).name for child in children}
    assert commands <= {"taskdesk", "redis-server"}, commands
    assert "redis-server" in commands
    # The bundle's library folder is for its own executable, not for programs it starts.
    (redis_server,) = (child for child in children if child.name() == "redis-server")
    assert str(BUNDLE.parent) not in redis_server.environ().get("LD_LIBRARY_PATH", "")

    bundled.process.send_signal(signal.SIGTERM)
    assert bundled.process.wait(timeout=60) == 0, bundled.log.read_text()[-3000:]
    assert not (bundled.home / "runtime.json").exists()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, [child.cmdline() for child in alive]
    log = bundled.log.read_text()
    assert "Traceback" not in log, log[-3000:]
