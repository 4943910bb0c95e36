"""What the recorder indexes: the pages of each task that completes in a burst, once."""

from __future__ import annotations

import json
from pathlib import Path

from backend.config import Settings
from backend.filestore import FileStore
from backend.store.indexing import completed_pages, completes
from backend.stream import Kind, StreamEvent


def _event(kind: Kind, task_id: str, status: str) -> StreamEvent:
    return StreamEvent("1-0", kind, None, {"id": task_id, "status": status})


def test_only_a_transition_to_completed_completes() -> None:
    assert completes(_event(Kind.TRANSITION, "a", "completed"))
    assert not completes(_event(Kind.PROGRESS, "a", "completed"))
    assert not completes(_event(Kind.TRANSITION, "a", "failed"))
    assert not completes(_event(Kind.CREATE, "a", "pending"))


def test_the_pages_of_completed_tasks_and_none_of_a_task_without_a_result(
    tmp_path: Path,
) -> None:
    files = FileStore(Settings(home=tmp_path))
    result = {
        "pages": [{"number": 1, "text": "one"}],
        "chunks": [{"page": 1, "start": 0, "end": 3}],
    }
    files.result_path("done").parent.mkdir(parents=True, exist_ok=True)
    files.result_path("done").write_text(json.dumps(result))
    events = [
        _event(Kind.TRANSITION, "done", "completed"),
        _event(Kind.PROGRESS, "running", "running"),
        _event(Kind.TRANSITION, "no-result", "completed"),
    ]
    assert completed_pages(files, events) == {"done": [(1, "one")]}
