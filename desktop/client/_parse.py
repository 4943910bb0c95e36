"""The API's JSON bodies as records, read strictly (DESIGN.md, "HTTP API").

Desktop and backend ship together, so a body that lacks a field the contract promises,
or holds one of the wrong type, is a bug on one side: :class:`InvalidReply` names the
field, where a default would have shown a blank cell and hidden the bug. Fields beyond
the contract are ignored, so the backend may add one before the desktop shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from desktop.client._exceptions import InvalidReply
from desktop.records import (
    BulkOutcome,
    Health,
    HistoryEntry,
    Rejection,
    TaskDetail,
    TaskRow,
    TaskStatus,
)
from desktop.search.records import PageText, SearchHit, SearchPage


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)  # JSON true is no 1


#: What each kind of field accepts, by the words an error uses for it.
_KINDS: dict[str, Callable[[Any], bool]] = {
    "a string": lambda value: isinstance(value, str),
    "an integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "a number": _is_number,
    "true or false": lambda value: isinstance(value, bool),
    "a list": lambda value: isinstance(value, list),
}


class _Fields:
    """Typed access to one JSON object's fields; every miss raises :class:`InvalidReply`."""

    def __init__(self, data: Any, what: str) -> None:
        if not isinstance(data, Mapping):
            raise InvalidReply(f"the backend sent {type(data).__name__} for a {what}")
        self._data: Mapping[str, Any] = data
        self._what = what

    def _get(self, name: str, kind: str, *, optional: bool = False) -> Any:
        if name not in self._data:
            raise InvalidReply(f"the backend's {self._what} has no field {name!r}", name)
        value = self._data[name]
        if (value is None and optional) or _KINDS[kind](value):
            return value
        raise InvalidReply(f"the backend's {self._what} has {name!r} = {value!r}, not {kind}", name)

    def text(self, name: str) -> str:
        return cast(str, self._get(name, "a string"))

    def optional_text(self, name: str) -> str | None:
        return cast("str | None", self._get(name, "a string", optional=True))

    def integer(self, name: str) -> int:
        return cast(int, self._get(name, "an integer"))

    def optional_integer(self, name: str) -> int | None:
        return cast("int | None", self._get(name, "an integer", optional=True))

    def number(self, name: str) -> float:
        return float(self._get(name, "a number"))

    def flag(self, name: str) -> bool:
        return cast(bool, self._get(name, "true or false"))

    def items(self, name: str) -> list[Any]:
        return cast("list[Any]", self._get(name, "a list"))

    def status(self, name: str) -> TaskStatus:
        value = self.text(name)
        try:
            return TaskStatus(value)
        except ValueError:
            raise InvalidReply(
                f"the backend's {self._what} has {name!r} = {value!r}, not a task state", name
            ) from None

    def time(self, name: str) -> datetime:
        return self._time(name, self.text(name))

    def optional_time(self, name: str) -> datetime | None:
        value = self.optional_text(name)
        return None if value is None else self._time(name, value)

    def _time(self, name: str, value: str) -> datetime:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidReply(
                f"the backend's {self._what} has {name!r} = {value!r}, not an ISO 8601 time",
                name,
            ) from None
        # The backend writes UTC; a time without an offset is UTC too.
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def task_row(data: Any) -> TaskRow:
    """A row of the feed, of ``GET /api/tasks`` or of an action's answer."""
    f = _Fields(data, "task row")
    return TaskRow(
        id=f.text("id"),
        batch_id=f.text("batch_id"),
        filename=f.text("filename"),
        status=f.status("status"),
        version=f.integer("version"),
        processor=f.text("processor"),
        progress=f.number("progress"),
        stage=f.optional_text("stage"),
        pages_done=f.integer("pages_done"),
        pages_total=f.integer("pages_total"),
        attempt=f.integer("attempt"),
        retries=f.integer("retries"),
        max_retries=f.integer("max_retries"),
        next_retry_at=f.optional_time("next_retry_at"),
        soft_time_limit=f.number("soft_time_limit"),
        time_limit=f.number("time_limit"),
        ocr=f.text("ocr"),
        error=f.optional_text("error"),
        error_kind=f.optional_text("error_kind"),
        created_at=f.time("created_at"),
        started_at=f.optional_time("started_at"),
        finished_at=f.optional_time("finished_at"),
        limit_pages=f.optional_integer("limit_pages"),
        batch_name=f.optional_text("batch_name"),
        sha256=f.optional_text("sha256"),
        duplicate_of=f.optional_text("duplicate_of"),
        size=f.optional_integer("size"),
    )


def task_rows(body: Any, name: str, what: str) -> tuple[TaskRow, ...]:
    """The rows in the list field ``name`` of ``body`` (a ``what``)."""
    return tuple(task_row(item) for item in _Fields(body, what).items(name))


def snapshot_page(body: Any) -> tuple[tuple[TaskRow, ...], str, str | None]:
    """``GET /api/tasks``: rows, ``last_event_id``, ``next_cursor``."""
    f = _Fields(body, "task page")
    return (
        task_rows(body, "tasks", "task page"),
        f.text("last_event_id"),
        f.optional_text("next_cursor"),
    )


def task_detail(body: Any) -> TaskDetail:
    """``GET /api/tasks/{id}``: the row's fields at top level plus ``history``."""
    history = _Fields(body, "task detail").items("history")
    return TaskDetail(row=task_row(body), history=tuple(history_entry(e) for e in history))


def history_entry(data: Any) -> HistoryEntry:
    f = _Fields(data, "history entry")
    return HistoryEntry(
        status=f.status("to"),
        at=f.time("at"),
        from_status=f.optional_text("from"),
        detail=f.optional_text("error"),
        attempt=f.integer("attempt"),
        retries=f.integer("retries"),
    )


def health(data: Any) -> Health:
    """``GET /api/health``."""
    f = _Fields(data, "health")
    return Health(
        status=f.text("status"),
        workers=f.optional_integer("workers"),
        queued=f.optional_integer("queued"),
        redis=f.flag("redis"),
        database=f.flag("database"),
    )


def bulk_outcome(body: Any) -> BulkOutcome:
    """``{"accepted": [rows], "refused": [{"id", "reason"}]}``."""
    refused = []
    for item in _Fields(body, "bulk outcome").items("refused"):
        f = _Fields(item, "refusal")
        refused.append((f.text("id"), f.text("reason")))
    return BulkOutcome(accepted=task_rows(body, "accepted", "bulk outcome"), refused=tuple(refused))


def batch_id(body: Any) -> str:
    return _Fields(body, "batch").text("batch_id")


def rejections(body: Any) -> list[tuple[int, Rejection]]:
    """A batch's refused files: (position in the request, rejection)."""
    found = []
    for item in _Fields(body, "batch").items("rejected"):
        f = _Fields(item, "rejected file")
        found.append((f.integer("index"), Rejection(f.text("filename"), f.text("reason"))))
    return found


def search_page(body: Any) -> SearchPage:
    """``GET /api/search``: ``{"hits", "total", "next_cursor"}``."""
    f = _Fields(body, "search answer")
    return SearchPage(
        hits=tuple(search_hit(item) for item in f.items("hits")),
        total=f.integer("total"),
        next_cursor=f.optional_text("next_cursor"),
    )


def search_hit(data: Any) -> SearchHit:
    f = _Fields(data, "search hit")
    snippet = f.text("snippet")
    return SearchHit(
        task_id=f.text("task_id"),
        filename=f.text("filename"),
        batch_id=f.text("batch_id"),
        page=f.integer("page"),
        snippet=snippet,
        highlights=tuple(_highlight(item, len(snippet)) for item in f.items("highlights")),
        score=f.number("score"),
    )


def _highlight(item: Any, length: int) -> tuple[int, int]:
    """A ``[start, end]`` pair inside a snippet of ``length`` characters."""
    if (
        isinstance(item, list)
        and len(item) == 2
        and all(_KINDS["an integer"](value) for value in item)
        and 0 <= item[0] < item[1] <= length
    ):
        return item[0], item[1]
    raise InvalidReply(
        f"the backend's search hit has a highlight {item!r} that is no range of its snippet",
        "highlights",
    )


def page_text(body: Any) -> PageText:
    """``GET /api/tasks/{id}/pages/{n}``."""
    f = _Fields(body, "page")
    return PageText(number=f.integer("number"), text=f.text("text"), source=f.text("source"))
