"""A real Taskdesk stack for tests: ``taskdesk-backend`` in a subprocess, in a temp home.

Nothing is mocked: the embedded Redis, the recorder, Celery worker processes and the API
all run. Tests watch tasks through the live store and wait on the event stream (a
blocking read, not a sleep loop).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psutil
import redis
from celery import Celery

from backend import commands
from backend.config import Settings
from backend.filestore import FileStore, open_store
from backend.live import LiveStore
from backend.redisconn import connect
from backend.rows import new_id
from backend.states import FINAL_STATES
from backend.store import TaskRepository, make_engine
from backend.store.recorder import GATHER_SECONDS
from backend.stream import (
    EVENT_STREAM,
    STREAM_START,
    Entry,
    id_tuple,
    latest_id,
    read_entries,
)
from backend.worker import make_app

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Settings every test stack uses unless a test overrides them.
TEST_ENV = {
    "TASKDESK_WORKERS": "2",
    "TASKDESK_RETRY_BASE_SECONDS": "0.05",
    "TASKDESK_RETRY_MAX_SECONDS": "2",
    "TASKDESK_PLUGINS": "tests.plugins",
    "TASKDESK_SHUTDOWN_GRACE_SECONDS": "2",
}

Row = dict[str, Any]

#: A client a stack hands out (Redis, Celery, the repository, HTTP).
C = TypeVar("C")


@dataclass
class Stack:
    home: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    runtime: dict[str, Any] = field(default_factory=dict)
    _clients: dict[str, Any] = field(default_factory=dict)

    # -- life cycle --------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> Stack:
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home.parent / f"{self.home.name}-backend.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "backend.supervisor"],
                env=self.env,
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        runtime_file = self.home / "runtime.json"
        deadline = time.monotonic() + timeout
        while not runtime_file.exists():
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"taskdesk-backend exited with {self.process.returncode}; its log ends:\n"
                    + self.log()[-4000:]
                )
            if time.monotonic() > deadline:
                raise TimeoutError(
                    "taskdesk-backend did not come up; its log ends:\n" + self.log()[-4000:]
                )
            time.sleep(0.05)
        self.runtime = json.loads(runtime_file.read_text())
        self._close_clients()  # a restarted stack may listen elsewhere
        return self

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, as a user's session ending would send; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close_clients()
        return self.process.returncode

    def _close_clients(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def log(self) -> str:
        path = self.home.parent / f"{self.home.name}-backend.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- handles on the running stack ----------------------------------------------------

    @property
    def settings(self) -> Settings:
        keys = {k: v for k, v in self.env.items() if k.startswith("TASKDESK_")}
        # Strings, as in the environment: Settings parses each as its field's type.
        fields: dict[str, Any] = {
            k.removeprefix("TASKDESK_").lower(): v for k, v in keys.items() if k != "TASKDESK_HOME"
        }
        return Settings(
            home=self.home,
            redis_url=self.runtime["redis_url"],
            database_url=self.env.get("DATABASE_URL"),
            **fields,
        )

    def _client(self, kind: type[C], make: Callable[[], C]) -> C:
        """The stack's one client of this kind, made on first use (until the stack stops)."""
        name = kind.__name__
        if name not in self._clients:
            self._clients[name] = make()
        client = self._clients[name]
        assert isinstance(client, kind)
        return client

    @property
    def redis(self) -> redis.Redis:
        return self._client(redis.Redis, lambda: connect(self.settings))

    @property
    def live(self) -> LiveStore:
        return LiveStore(self.redis)

    @property
    def celery(self) -> Celery:
        return self._client(Celery, lambda: make_app(self.settings))

    @property
    def repository(self) -> TaskRepository:
        return self._client(
            TaskRepository,
            lambda: TaskRepository(make_engine(self.settings.effective_database_url)),
        )

    @property
    def http(self) -> httpx.Client:
        return self._client(
            httpx.Client,
            lambda: httpx.Client(
                base_url=self.runtime["url"],
                headers={"Authorization": f"Bearer {self.runtime['token']}"},
                timeout=30,
            ),
        )

    # -- doing things ------------------------------------------------------------------

    def submit(
        self, files: Iterable[Path], processor: str = "pdf.extract", **options: Any
    ) -> list[Row]:
        """Submit one batch through the backend's own command (the API calls the same)."""
        store = open_store(self.settings)
        uploads = [
            commands.Upload(path.name, functools.partial(copy_input, store, path)) for path in files
        ]
        return commands.submit(
            self.settings,
            self.live,
            self.celery,
            uploads,
            batch_id=new_id(),
            processor=processor,
            **options,
        )

    def wait_until(
        self,
        task_ids: Iterable[str],
        done: Callable[[Row], bool] = lambda row: row["status"] in FINAL_STATES,
        timeout: float = 60.0,
        since: str | None = None,
    ) -> dict[str, Row]:
        """Block on the event stream until ``done`` holds for every task's row.

        Events carry whole rows, so after one read of the live rows only the stream is
        read: waiting costs the stack (and the benchmarks) next to nothing. ``since``, a
        stream position taken before the tasks were created, skips even that read: every
        event about them comes after it.
        """
        if since is None:
            position = latest_id(self.redis)
            rows = self.live.get_many(task_ids)
        else:
            position, rows = since, {}
        waiting = {i for i in task_ids if i not in rows or not done(rows[i])}
        deadline = time.monotonic() + timeout
        while waiting:
            left = deadline - time.monotonic()
            if left <= 0:
                states = sorted({rows[i]["status"] for i in waiting if i in rows})
                raise TimeoutError(f"{len(waiting)} tasks not done in time; states {states}")
            reply = self.redis.xread(
                {EVENT_STREAM: position}, count=1000, block=int(min(left, 1.0) * 1000)
            )
            for entry_id, fields in read_entries(reply):
                position = entry_id
                row = json.loads(fields["data"])
                if row["id"] in waiting:
                    rows[row["id"]] = row
                    if done(row):
                        waiting.discard(row["id"])
            if reply and waiting:
                # Let a burst gather, as the recorder does: a read per event would take
                # CPU from the stack being measured (every event is read all the same).
                time.sleep(GATHER_SECONDS)
        return rows

    @contextlib.contextmanager
    def recorder_paused(self) -> Iterator[None]:
        """The recorder stopped (SIGSTOP) inside the block: the database trails the live
        state for as long as it lasts, as it does for a moment after any change."""
        assert self.process is not None
        (recorder,) = [
            child
            for child in psutil.Process(self.process.pid).children()
            if "backend.store.recorder" in child.cmdline()
        ]
        recorder.suspend()
        try:
            yield
        finally:
            recorder.resume()

    def wait_recorded(self, timeout: float = 30.0) -> None:
        """Wait until the recorder has written every event so far to the database."""
        target = id_tuple(latest_id(self.redis))
        repository = self.repository
        deadline = time.monotonic() + timeout
        while id_tuple(repository.last_event_id()) < target:
            if time.monotonic() > deadline:
                raise TimeoutError("the recorder did not catch up")
            time.sleep(0.02)

    def events(self, task_id: str | None = None) -> list[Row]:
        """Every row the stream carried (for one task, or all), in order."""
        rows = [json.loads(fields["data"]) for _, fields in stream_entries(self.redis)]
        return [r for r in rows if task_id is None or r["id"] == task_id]


@contextlib.contextmanager
def running_stack(home: Path, **overrides: str) -> Iterator[Stack]:
    """A stack started on ``home`` with these settings, stopped however the block ends."""
    stack = Stack(home, stack_env(home, **overrides)).start()
    try:
        yield stack
    finally:
        stack.stop()


def extra_worker(hostname: str, *options: str) -> list[str]:
    """The command an operator runs for one more worker process, on this host or another:
    the bundled worker's app, one prefork process, named ``hostname`` (``name@%h``)."""
    return [
        *(sys.executable, "-m", "celery", "-A", "backend.worker", "worker"),
        *("--pool", "prefork", "--concurrency", "1", "--hostname", hostname),
        *("--without-gossip", "--without-mingle", *options),
    ]


def stack_env(home: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKDESK_")}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    env.update(TEST_ENV)
    env["TASKDESK_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(overrides)
    return env


def stream_entries(client: redis.Redis, after: str = STREAM_START) -> list[Entry]:
    """Every entry of the event stream after ``after`` (one XREAD, as text)."""
    return read_entries(client.xread({EVENT_STREAM: after}))


def copy_input(files: FileStore, source: Path, task_id: str) -> int | None:
    """Store a local file as a task's input, as the API stores an upload (its pages)."""
    incoming = files.receive()
    try:
        with source.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                incoming.write(chunk)
        return incoming.save_as(task_id)
    finally:
        incoming.discard()
