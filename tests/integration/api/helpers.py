"""Helpers for the API tests: scripted inputs and a raw SSE reader."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.stack import Row


def script(**steps: Any) -> bytes:
    """A ``demo.script`` input (see tests.plugins): ``%PDF-1.4`` then its JSON script."""
    return b"%PDF-1.4\n" + json.dumps(steps).encode()


#: Every operation of DESIGN.md's API table that needs the token, with the two the table
#: has yet to list: ``POST /api/export`` (a selection too long for a URL) and
#: ``GET /api/tasks/{id}/file`` (the stored PDF, for "Show PDF").
PROTECTED = [
    ("POST", "/api/batches"),
    ("GET", "/api/tasks"),
    ("GET", "/api/tasks/{task_id}"),
    ("GET", "/api/tasks/{task_id}/result"),
    ("POST", "/api/tasks/{task_id}/retry"),
    ("POST", "/api/tasks/{task_id}/cancel"),
    ("POST", "/api/tasks/retry"),
    ("POST", "/api/tasks/cancel"),
    ("GET", "/api/events"),
    ("GET", "/api/tasks/{task_id}/events"),
    ("GET", "/metrics"),
    ("GET", "/api/search"),
    ("GET", "/api/tasks/{task_id}/pages/{number}"),
    ("DELETE", "/api/tasks/{task_id}"),
    ("POST", "/api/tasks/delete"),
    ("GET", "/api/export"),
    ("POST", "/api/export"),
    ("GET", "/api/tasks/{task_id}/file"),
]


# -- reading the feed ------------------------------------------------------------------


@dataclass
class Frame:
    """One SSE block as it came: a dispatched event, a ``retry:``, or a comment."""

    id: str | None = None
    event: str | None = None
    data: str | None = None
    retry: int | None = None
    comment: str | None = None

    @property
    def row(self) -> Row:
        assert self.event == "task" and self.data is not None, self
        row: Row = json.loads(self.data)
        return row


class FeedReader:
    """Parses a ``text/event-stream`` body frame by frame, comments included.

    Deliberately independent of the server's code and of httpx-sse (which hides
    comments), so a test sees exactly the bytes a client would.
    """

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.iter_lines()

    def next(self) -> Frame | None:
        """The next frame, or None when the stream ended."""
        frame = Frame()
        seen = False
        for line in self._lines:
            if line == "":
                if seen:
                    return frame
                continue
            seen = True
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                frame.comment = value
            elif name == "id":
                frame.id = value
            elif name == "event":
                frame.event = value
            elif name == "data":
                frame.data = value if frame.data is None else f"{frame.data}\n{value}"
            elif name == "retry":
                frame.retry = int(value)
        return frame if seen else None

    def events(self) -> Iterator[Frame]:
        """Task and reset events, skipping ``retry:`` and comments, until the stream ends."""
        while (frame := self.next()) is not None:
            if frame.event is not None:
                yield frame


def follow(
    events: Iterator[Frame],
    ids: set[str],
    *,
    seen: dict[str, list[int]] | None = None,
    stop: Callable[[dict[str, Row]], bool] | None = None,
) -> tuple[dict[str, list[int]], list[str], dict[str, Row]]:
    """Read events until every task of ``ids`` is completed (or ``stop`` says so).

    Returns the versions seen per task, in order; the event ids, in order; the last row
    of each task.
    """
    seen = {task_id: [] for task_id in ids} if seen is None else seen
    event_ids: list[str] = []
    latest: dict[str, Row] = {}
    stop = stop or (lambda rows: all(rows.get(i, {}).get("status") == "completed" for i in ids))
    for frame in events:
        assert frame.event == "task", frame
        row = frame.row
        assert frame.id is not None
        event_ids.append(frame.id)
        if row["id"] in ids:
            seen[row["id"]].append(row["version"])
            latest[row["id"]] = row
        if stop(latest):
            break
    return seen, event_ids, latest


def files_in(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()} if folder.exists() else set()
