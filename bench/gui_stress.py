"""GUI stress: 10,000 tasks in the window, 2,000 events a second for 10 s.

Run: ``python -m bench.gui_stress`` (offscreen Qt; about 25 s). Prints::

    gui_stress_stall: X ms worst heartbeat lateness, p99 Y ms (N× better|worse than naive ...)
    gui_stress_gui_busy: X % of the GUI thread's time while streaming (... naive ...)
    gui_stress_rss: X MB peak (... naive ...)
    gui_stress_applied: N of 20000 events (rate, signals; naive ...)

and exits 1 when a target (stall < 50 ms, RSS < 500 MB, every event applied) is missed.

Each side runs in its own subprocess of this script, one after the other (two at once
would share the cores and skew both), so ``ru_maxrss`` is that side's own peak. Each
peak includes what both sides carry alike: Python, Qt, and the bench's own pre-encoded
snapshot and event stream (about 115 MB before any window exists).

**Taskdesk's side is the real desktop with a fake network.** The real
:class:`~desktop.mainwindow.MainWindow` (1200×760, its default size, shown, so painting
counts: progress-bar delegate, icons, proxy sorted by Submitted) and a real
:class:`~desktop.session.Session`, whose :class:`~desktop.client.FeedThread` and
:class:`~desktop.client.ApiClient` talk to an ``httpx.MockTransport``. So the snapshot
arrives as ``GET /api/tasks`` pages, and the events as SSE bytes that the feed thread
parses (:class:`~desktop.client.SseParser`, ``TaskRow.from_json``) and emits, one
``rows_received`` signal per network read, to the GUI thread, where the session hands
them to :class:`~desktop.tasks.TaskTableModel`. The "network" delivers one read of 20
events every 10 ms, as the backend's feed writes one frame per ``XREAD`` batch.

**The baseline is a naive** ``QTableWidget`` (same window size and splitter, plain text
cells, no sorting, so it paints less than ours) fed by the same feed thread and the same
bytes, and updated with one ``setItem`` per changed cell per event as each signal arrives.

The workload: 10,000 tasks in 10 batches, the first 4,000 finished (a few failed), the
rest pending; 64 workers take pending tasks in submission order, each task running 20 to
400 pages with an event per page, some retrying once (with a countdown) or failing.
Every event is a whole row, version + 1, as the backend sends them. The view is scrolled
to the first pending task, so the rows in sight are the ones changing.

Measured on the GUI thread from the first event until the last is applied: a 10 ms
``QTimer`` (precise) heartbeat, its lateness being each interval beyond 10 ms; the GUI
thread's CPU time over the same span; then every task's final version against the last
version sent (an event counts as applied when its task ended at the last version sent
to it). The worst lateness is one sample of a noisy maximum: expect it to vary by 2× from
run to run.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from PySide6.QtCore import QObject, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractItemView,
    QApplication,
    QMainWindow,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from backend.clock import iso  # noqa: E402
from backend.rows import new_task_row  # noqa: E402
from desktop.client import ApiClient, FeedThread  # noqa: E402
from desktop.mainwindow import MainWindow  # noqa: E402
from desktop.records import Endpoint, Snapshot, TaskRow  # noqa: E402
from desktop.resources import app_icon  # noqa: E402
from desktop.session import Session  # noqa: E402
from desktop.settings import Preferences  # noqa: E402
from desktop.tasks import HEADERS, Columns, TaskTableModel  # noqa: E402

TASKS = 10_000
FINISHED_BEFORE = 4_000
RATE = 2_000  # events per second
SECONDS = 10
EVENTS = RATE * SECONDS
PER_READ = 20  # events per network read, so one signal every 10 ms
READ_INTERVAL = PER_READ / RATE
WORKERS = 64
HEARTBEAT_MS = 10
WINDOW_SIZE = (1200, 760)
PAGE = 1000  # rows per GET /api/tasks page
#: Give up on a side that has not applied everything this long after the last event.
DRAIN_LIMIT_S = 60.0
ENDPOINT = Endpoint(url="http://bench.invalid", token="bench")

TARGET_STALL_MS = 50.0
TARGET_RSS_MB = 500.0


# -- the workload ---------------------------------------------------------------------------


@dataclass
class Workload:
    pages: list[bytes]  # GET /api/tasks bodies
    reads: list[bytes]  # SSE bytes of each network read
    last_version: dict[str, int]  # the last version sent per task that got events
    events_of: dict[str, int]  # events sent per task
    first_pending: int  # row of the first task the workers take


def _task_plan(rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    """The field changes of one task from start to end, an event each."""
    pages = rng.randint(20, 400)
    started = iso(now)
    plan: list[dict[str, Any]] = [{"status": "running", "started_at": started, "stage": "open"}]
    fate = rng.random()
    fail_at = rng.randint(1, pages) if fate < 0.02 else None
    retry_at = rng.randint(1, pages) if 0.02 <= fate < 0.07 else None
    attempt = 1
    for page in range(1, pages + 1):
        if page == fail_at:
            plan.append({"status": "failed", "error": f"page {page}: unreadable xref table",
                         "error_kind": "permanent", "finished_at": iso(now)})  # fmt: skip
            return plan
        if page == retry_at:
            plan.append({"status": "retrying", "retries": 1, "error": "share not mounted",
                         "next_retry_at": iso(now + timedelta(seconds=30))})  # fmt: skip
            attempt += 1
            plan.append({"status": "running", "attempt": attempt, "next_retry_at": None})
        plan.append({"pages_done": page, "pages_total": pages,
                     "progress": round(100 * page / pages, 1), "stage": "extract"})  # fmt: skip
    plan.append({"status": "completed", "progress": 100.0, "stage": None,
                 "error": None, "finished_at": iso(now)})  # fmt: skip
    return plan


def make_workload(seed: int = 7) -> Workload:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    words = ("invoice", "contract", "survey", "minutes", "report", "scan", "statement")
    rows: list[dict[str, Any]] = []
    for i in range(TASKS):
        row = new_task_row(
            batch_id=f"batch-{i // 1000:02d}", filename=f"{rng.choice(words)} {i:05d}.pdf",
            processor="pdf.extract", max_retries=3, soft_time_limit=270.0, time_limit=300.0,
            task_id=f"task-{i:05d}",
        )  # fmt: skip
        row["created_at"] = iso(now - timedelta(hours=2) + timedelta(milliseconds=100 * i))
        row["version"] = 1
        if i < FINISHED_BEFORE:
            failed = rng.random() < 0.02
            row.update(
                status="failed" if failed else "completed", version=24,
                progress=35.0 if failed else 100.0, pages_done=7 if failed else 20,
                pages_total=20, started_at=iso(now - timedelta(minutes=50)),
                finished_at=iso(now - timedelta(minutes=49)),
                error="not a PDF" if failed else None,
                error_kind="permanent" if failed else None,
            )  # fmt: skip
        rows.append(row)
    pages = []
    for start in range(0, TASKS, PAGE):
        following = str(start + PAGE) if start + PAGE < TASKS else None
        body = {"tasks": rows[start : start + PAGE], "last_event_id": "1-0",
                "next_cursor": following}  # fmt: skip
        pages.append(json.dumps(body).encode())

    pending = iter(range(FINISHED_BEFORE, TASKS))
    slots = [(i, _task_plan(rng, now)) for i in (next(pending) for _ in range(WORKERS))]
    frames: list[str] = []
    last_version: dict[str, int] = {}
    events_of: dict[str, int] = {}
    for n in range(EVENTS):
        slot = rng.randrange(len(slots))
        index, plan = slots[slot]
        row = rows[index] = {**rows[index], **plan.pop(0)}
        row["version"] += 1
        row["updated_at"] = row.get("finished_at") or iso(now)
        frames.append(f"id: {n + 2}-0\nevent: task\ndata: {json.dumps(row)}\n\n")
        last_version[row["id"]] = row["version"]
        events_of[row["id"]] = events_of.get(row["id"], 0) + 1
        if not plan:
            new = next(pending)
            slots[slot] = (new, _task_plan(rng, now))
    reads = [
        "".join(frames[i : i + PER_READ]).encode() for i in range(0, EVENTS, PER_READ)
    ]  # fmt: skip
    return Workload(pages, reads, last_version, events_of, FINISHED_BEFORE)


class FakeBackend:
    """Plays the API for an ``httpx.MockTransport``: snapshot pages, health, the feed.

    The feed holds its first read until :attr:`go` is set, then delivers one read every
    :data:`READ_INTERVAL`, then stays open (quiet) until :attr:`finish` is set.
    """

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.go = threading.Event()
        self.finish = threading.Event()
        self.started = 0.0
        self.sent = 0.0
        self._streams = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/tasks":
            page = int(request.url.params.get("cursor") or 0) // PAGE
            return httpx.Response(200, content=self.workload.pages[page],
                                  headers={"content-type": "application/json"})  # fmt: skip
        if path == "/api/health":
            return httpx.Response(200, json={"status": "ok", "workers": WORKERS, "queued": 0})
        if path == "/api/events":
            self._streams += 1
            stream = self._stream() if self._streams == 1 else self._quiet()
            return httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=stream
            )
        return httpx.Response(404, json={"detail": "not in the bench"})

    def _quiet(self) -> Iterator[bytes]:
        self.finish.wait()
        yield b": bye\n\n"

    def _stream(self) -> Iterator[bytes]:
        yield b"retry: 3000\n\n"
        while not self.go.wait(0.05):
            if self.finish.is_set():
                return
        self.started = time.perf_counter()
        for n, chunk in enumerate(self.workload.reads):
            delay = self.started + n * READ_INTERVAL - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            yield chunk
        self.sent = time.perf_counter()
        self.finish.wait()


def feed_client(backend: FakeBackend) -> Callable[[Endpoint], ApiClient]:
    return lambda endpoint: ApiClient(endpoint, transport=httpx.MockTransport(backend))


# -- measuring ------------------------------------------------------------------------------


class Heartbeat(QObject):
    """A 10 ms precise timer on the GUI thread that notes when each tick ran."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks: list[float] = []
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.ticks.append(time.perf_counter())

    def _on_timer_timeout(self) -> None:
        self.ticks.append(time.perf_counter())

    def lateness_ms(self) -> list[float]:
        gaps = (b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False))
        return [max(0.0, gap * 1000 - HEARTBEAT_MS) for gap in gaps]


class Side(QObject):
    """One side of the comparison: load, stream, measure, report; runs in ``app.exec()``."""

    def __init__(self, app: QApplication, workload: Workload) -> None:
        super().__init__()
        self.app = app
        self.workload = workload
        self.backend = FakeBackend(workload)
        self.heartbeat = Heartbeat()
        self.received = 0
        self.signals = 0
        self.result: dict[str, Any] = {}
        self._phase = "loading"
        self._settle = 0
        self._cpu_at_start = 0.0
        self._poll = QTimer(self)
        self._poll.setInterval(20)
        self._poll.timeout.connect(self._on_poll_timeout)

    # -- what a side implements

    def loaded(self) -> bool:
        """All 10,000 rows are in the table."""
        raise NotImplementedError

    def show_first_pending(self) -> None:
        """Scroll to the first task the workers take."""
        raise NotImplementedError

    def drained(self) -> bool:
        """Nothing received waits to be applied."""
        raise NotImplementedError

    def final_version(self, task_id: str) -> int | None:
        raise NotImplementedError

    def stop_threads(self) -> None:
        raise NotImplementedError

    # -- the run

    def on_feed_rows_received(self, rows: list[TaskRow]) -> None:
        self.received += len(rows)
        self.signals += 1

    def run(self) -> dict[str, Any]:
        self._poll.start()
        self.app.exec()
        return self.result

    def _on_poll_timeout(self) -> None:
        now = time.perf_counter()
        if self._phase == "loading" and self.loaded():
            self.show_first_pending()
            self._phase = "settling"
        elif self._phase == "settling":
            self._settle += 1
            if self._settle == 5:  # a few polls: the view has painted the rows in sight
                gc.collect()
                self._phase = "streaming"
                self.heartbeat.start()
                self._cpu_at_start = time.thread_time()
                self.backend.go.set()
        elif self._phase == "streaming":
            done = self.received >= EVENTS and self.drained()
            late = self.backend.sent and now - self.backend.sent > DRAIN_LIMIT_S
            if done or late:
                self.heartbeat.stop()
                self._phase = "done"
                self._finish()

    def _finish(self) -> None:
        self._poll.stop()
        applied = 0
        for task_id, version in self.workload.last_version.items():
            if self.final_version(task_id) == version:
                applied += self.workload.events_of[task_id]
        lateness = self.heartbeat.lateness_ms()
        measured = self.heartbeat.ticks[-1] - self.heartbeat.ticks[0]
        busy = (time.thread_time() - self._cpu_at_start) / measured
        self.stop_threads()
        sent = self.backend.sent - self.backend.started
        self.result = {
            "worst_ms": max(lateness),
            "p99_ms": statistics.quantiles(lateness, n=100)[98],
            "ticks": len(lateness),
            "applied": applied,
            "received": self.received,
            "signals": self.signals,
            "send_seconds": sent,
            "measured_seconds": measured,
            "gui_busy": busy,
            "peak_rss_mb": peak_rss_mb(),
        }
        self.app.quit()


def peak_rss_mb() -> float:
    """This process's peak resident set size over its whole life."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes there, KiB here


class TaskdeskSide(Side):
    """The real window and session, on the fake network."""

    def __init__(self, app: QApplication, workload: Workload) -> None:
        super().__init__(app, workload)
        self._settings = tempfile.TemporaryDirectory(prefix="taskdesk-bench-")
        ini = str(Path(self._settings.name) / "taskdesk.ini")
        prefs = Preferences(QSettings(ini, QSettings.Format.IniFormat))
        prefs.set_close_notice_shown()
        self.model = TaskTableModel()
        self.window = MainWindow(self.model, prefs, icon=app_icon())
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        self.session = Session(
            ENDPOINT, self.window, self.model, client_factory=feed_client(self.backend)
        )
        self.session.feed.rows_received.connect(self.on_feed_rows_received)
        self.session.start()

    def loaded(self) -> bool:
        return self.window.proxy.rowCount() == TASKS and not self.model.flush_pending

    def show_first_pending(self) -> None:
        source = self.model.index(self.workload.first_pending, Columns.FILE)
        index = self.window.proxy.mapFromSource(source)
        self.window.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)

    def drained(self) -> bool:
        return not self.model.flush_pending

    def final_version(self, task_id: str) -> int | None:
        row = self.model.row_for(task_id)
        return None if row is None else row.version

    def stop_threads(self) -> None:
        self.session.feed.stop()
        self.backend.finish.set()
        self.session.stop()


class NaiveSide(Side):
    """A ``QTableWidget``: one item per cell, one ``setItem`` per changed cell per event."""

    def __init__(self, app: QApplication, workload: Workload) -> None:
        super().__init__(app, workload)
        # The same texts as Taskdesk's cells: its model's display formatting, borrowed
        # from a model that holds no rows.
        self._texts_model = TaskTableModel()
        self.texts: list[list[str]] = []
        self.rows: dict[str, int] = {}
        self.versions: dict[str, int] = {}
        self.window = QMainWindow()
        self.table = QTableWidget(0, len(Columns))
        self.table.setHorizontalHeaderLabels([HEADERS[c] for c in Columns])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        for column, width in enumerate((240, 190, 210, 170, 170, 110)):
            self.table.setColumnWidth(column, width)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(QWidget())  # where Taskdesk's detail pane is
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.window.setCentralWidget(splitter)
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        self.feed = FeedThread(ENDPOINT, client_factory=feed_client(self.backend))
        self.feed.snapshot_loaded.connect(self.on_feed_snapshot_loaded)
        self.feed.rows_received.connect(self.on_feed_rows_received)
        self.feed.start()

    def _cells(self, row: TaskRow) -> list[str]:
        return [self._texts_model._display(row, column) for column in Columns]

    def on_feed_snapshot_loaded(self, snapshot: Snapshot) -> None:
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(snapshot.rows))
        for position, row in enumerate(snapshot.rows):
            cells = self._cells(row)
            for column, text in enumerate(cells):
                self.table.setItem(position, column, QTableWidgetItem(text))
            self.texts.append(cells)
            self.rows[row.id] = position
            self.versions[row.id] = row.version
        self.table.setUpdatesEnabled(True)

    def on_feed_rows_received(self, rows: list[TaskRow]) -> None:
        super().on_feed_rows_received(rows)
        for row in rows:
            position = self.rows[row.id]
            held = self.texts[position]
            for column, text in enumerate(self._cells(row)):
                if text != held[column]:
                    self.table.setItem(position, column, QTableWidgetItem(text))
                    held[column] = text
            self.versions[row.id] = row.version

    def loaded(self) -> bool:
        return len(self.rows) == TASKS

    def show_first_pending(self) -> None:
        item = self.table.item(self.workload.first_pending, Columns.FILE)
        self.table.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtTop)

    def drained(self) -> bool:
        return True

    def final_version(self, task_id: str) -> int | None:
        return self.versions.get(task_id)

    def stop_threads(self) -> None:
        self.feed.stop()
        self.backend.finish.set()
        self.feed.wait()


SIDES: dict[str, type[Side]] = {"taskdesk": TaskdeskSide, "naive": NaiveSide}


def run_side(name: str) -> dict[str, Any]:
    workload = make_workload()
    app = QApplication(sys.argv[:1])
    return SIDES[name](app, workload).run()


# -- the comparison -------------------------------------------------------------------------


def measure(name: str) -> dict[str, Any]:
    """Run one side in a fresh process; its last stdout line is its result as JSON."""
    run = subprocess.run(
        [sys.executable, "-m", "bench.gui_stress", "--side", name],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compared(ours: float, naive: float) -> str:
    """Says "N× better than" or "N× worse than", for figures where less is better."""
    if ours <= naive:
        return f"{naive / max(ours, 1e-9):.1f}× better than"
    return f"{ours / max(naive, 1e-9):.1f}× worse than"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=sorted(SIDES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(run_side(args.side)), flush=True)
        return 0
    ours, naive = measure("taskdesk"), measure("naive")
    rate = ours["received"] / ours["send_seconds"]
    print(
        f"gui_stress_stall: {ours['worst_ms']:.1f} ms worst heartbeat lateness, "
        f"p99 {ours['p99_ms']:.1f} ms ({compared(ours['worst_ms'], naive['worst_ms'])} "
        f"naive QTableWidget: {naive['worst_ms']:.1f} ms, p99 {naive['p99_ms']:.1f} ms)"
    )
    print(
        f"gui_stress_gui_busy: {100 * ours['gui_busy']:.0f} % of the GUI thread's time "
        f"while streaming ({compared(ours['gui_busy'], naive['gui_busy'])} naive "
        f"QTableWidget: {100 * naive['gui_busy']:.0f} %)"
    )
    print(
        f"gui_stress_rss: {ours['peak_rss_mb']:.0f} MB peak "
        f"({compared(ours['peak_rss_mb'], naive['peak_rss_mb'])} naive QTableWidget: "
        f"{naive['peak_rss_mb']:.0f} MB)"
    )
    print(
        f"gui_stress_applied: {ours['applied']} of {EVENTS} events "
        f"({rate:.0f}/s over {ours['send_seconds']:.1f} s in {ours['signals']} signals of "
        f"{PER_READ}; naive QTableWidget: {naive['applied']} of {EVENTS})"
    )
    met = (
        ours["worst_ms"] < TARGET_STALL_MS
        and ours["peak_rss_mb"] < TARGET_RSS_MB
        and ours["applied"] == EVENTS
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
