"""How the recorder gathers a burst of events into one transaction, on a real Redis.

The recorder waits by sleeping between reads; here each of its sleeps is a step of the
test's own clock, in which the test decides what happens on the stream, so what a batch
holds never depends on how busy the machine is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backend.clock import now_iso
from backend.config import Settings
from backend.live import LiveStore
from backend.rows import new_task_row
from backend.states import TaskStatus
from backend.store import recorder
from backend.store.indexing import completes
from backend.store.recorder import Recorder
from backend.stream import StreamEvent, latest_id


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
        self.taken = 0
        self.slept = 0.0
        monkeypatch.setattr(time, "sleep", self._sleep)  # the recorder's, as every other

    def _sleep(self, seconds: float) -> None:
        self.slept += seconds
        if self.taken < len(self.actions):
            self.actions[self.taken]()
        self.taken += 1


def _running_tasks(live: LiveStore, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        row = new_task_row(
            batch_id="b",
            filename="a.pdf",
            processor="p",
            max_retries=0,
            soft_time_limit=1,
            time_limit=2,
        )
        live.create(row)
        live.transition(row["id"], TaskStatus.RUNNING, fields={"started_at": now_iso()})
        ids.append(str(row["id"]))
    return ids


def _completion(live: LiveStore, task_id: str) -> Callable[[], object]:
    return lambda: live.transition(task_id, TaskStatus.COMPLETED, fields={"finished_at": now_iso()})


def _completed(events: list[StreamEvent]) -> list[str]:
    return [e.row["id"] for e in events if completes(e)]


def test_a_completion_on_a_quiet_stream_ends_the_gather_at_the_first_empty_step(
    gatherer: Recorder, live: LiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    (task_id,) = _running_tasks(live, 1)
    gatherer._gather()
    steps = Steps(monkeypatch)
    _completion(live, task_id)()
    events = gatherer._gather()
    assert _completed(events) == [task_id]
    # The burst's step, then one that found the stream quiet: not the whole gather.
    assert steps.slept == pytest.approx(2 * recorder.GATHER_SECONDS)


def test_a_completion_gathers_what_completes_while_the_burst_goes_on(
    gatherer: Recorder, live: LiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks = _running_tasks(live, 5)
    gatherer._gather()
    steps = Steps(monkeypatch)
    steps.actions = [_completion(live, task_id) for task_id in tasks[1:]]
    _completion(live, tasks[0])()
    events = gatherer._gather()
    assert _completed(events) == tasks  # one transaction for the five
    assert steps.taken == len(tasks)  # the last step found the stream quiet


def test_events_without_a_completion_are_not_held_back(
    gatherer: Recorder, live: LiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _running_tasks(live, 2)
    steps = Steps(monkeypatch)
    events = gatherer._gather()
    assert steps.taken == 1  # the burst's step alone
    assert [e.kind.value for e in events] == ["create", "transition"] * 2


def test_a_full_batch_is_written_at_once(
    gatherer: Recorder, live: LiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks = _running_tasks(live, 3)
    gatherer._gather()
    monkeypatch.setattr(gatherer.reader, "batch_size", 2)
    steps = Steps(monkeypatch)
    steps.actions = [_completion(live, task_id) for task_id in tasks[1:]]
    _completion(live, tasks[0])()
    events = gatherer._gather()
    assert _completed(events) == tasks[:2]
    assert steps.taken == 1
