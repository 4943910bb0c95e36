"""How the recorder gathers a burst of events into one transaction, on a real Redis.

The recorder waits by sleeping between reads; here each of its sleeps is a step of the
test's own clock, in which the test decides what happens on the stream, so what a batch
holds never depends on how busy the machine is.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backend.clock import now_iso
from backend.config import Settings
from backend.live import LiveStore
from backend.states import TaskStatus
from backend.store import recorder
from backend.store.indexing import completes
from backend.store.recorder import Recorder
from backend.stream import StreamEvent, latest_id
from tests.seed import task_row


@pytest.fixture
def gatherer(redis_server: str, tmp_path: Path) -> Iterator[Recorder]:
    made = Recorder(Settings(home=tmp_path, redis_url=redis_server))
    made.reader.position = latest_id(made.redis)  # past what earlier tests left there
    yield made
    made.redis.close()


class Steps:
    """Stands in for the recorder's sleeps: the n-th sleep runs the n-th action."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.actions: list[Callable[[], object]] = []
        self.slept: list[float] = []
        monkeypatch.setattr(time, "sleep", self._sleep)  # the recorder's, as every other

    def _sleep(self, seconds: float) -> None:
        if len(self.slept) < len(self.actions):
            self.actions[len(self.slept)]()
        self.slept.append(seconds)


def _running_tasks(live: LiveStore, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        row = task_row()
        live.create(row)
        live.transition(row["id"], TaskStatus.RUNNING, fields={"started_at": now_iso()})
        ids.append(str(row["id"]))
    return ids


def _completion(live: LiveStore, task_id: str) -> Callable[[], object]:
    return lambda: live.transition(task_id, TaskStatus.COMPLETED, fields={"finished_at": now_iso()})


def _with_text(gatherer: Recorder, task_id: str) -> str:
    """Gives the task a stored result with a page of text, as ``pdf.extract`` writes."""
    path = gatherer.files.result_path(task_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pages": [{"number": 1, "text": f"page of {task_id}"}]}))
    return task_id


def _completed(events: list[StreamEvent]) -> list[str]:
    return [e.row["id"] for e in events if completes(e)]


def test_a_completion_with_text_gathers_the_tasks_that_complete_soon_after(
    gatherer: Recorder, live: LiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks = [_with_text(gatherer, task_id) for task_id in _running_tasks(live, 3)]
    gatherer._gather()
    steps = Steps(monkeypatch)
    steps.actions = [_completion(live, tasks[1]), _completion(live, tasks[2])]
    _completion(live, tasks[0])()
    events, pages = gatherer._gather()
    assert _completed(events) == tasks  # one transaction indexes the three
    assert sorted(pages) == sorted(tasks)
    assert steps.slept == [recorder.GATHER_SECONDS, recorder.INDEX_GATHER_SECONDS]


def test_a_completion_with_nothing_to_index_is_not_held_back(
    gatherer: Recorder, live: LiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No result file, as a processor that writes none (bench.noop, many plugins).
    (task_id,) = _running_tasks(live, 1)
    gatherer._gather()
    steps = Steps(monkeypatch)
    _completion(live, task_id)()
    events, pages = gatherer._gather()
    assert _completed(events) == [task_id]
    assert pages == {}
    assert steps.slept == [recorder.GATHER_SECONDS]  # the burst's own step alone


def test_events_without_a_completion_are_not_held_back(
    gatherer: Recorder, live: LiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _running_tasks(live, 2)
    steps = Steps(monkeypatch)
    events, _ = gatherer._gather()
    assert steps.slept == [recorder.GATHER_SECONDS]
    assert [e.kind.value for e in events] == ["create", "transition"] * 2


def test_a_full_batch_is_written_at_once(
    gatherer: Recorder, live: LiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks = [_with_text(gatherer, task_id) for task_id in _running_tasks(live, 3)]
    gatherer._gather()
    monkeypatch.setattr(gatherer.reader, "batch_size", 2)
    steps = Steps(monkeypatch)
    steps.actions = [_completion(live, task_id) for task_id in tasks[1:]]
    _completion(live, tasks[0])()
    events, _ = gatherer._gather()
    assert _completed(events) == tasks[:2]
    assert steps.slept == [recorder.GATHER_SECONDS]
