"""Reading and writing the durable projection of the task stream."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from backend.errors import TaskdeskError
from backend.rows import storable, upgraded
from backend.search.hits import SearchPage
from backend.search.index import SearchIndex
from backend.search.query import Term
from backend.states import FINAL_STATES
from backend.store.indexing import completes
from backend.store.models import HistoryRecord, StreamPosition, TaskDigest, TaskRecord
from backend.store.stats import Totals, add_totals, count_changes, read_totals
from backend.stream import STREAM_START, Kind, StreamEvent

_POSITION = "events"
#: The row's fields copied into columns of their own, to filter and order by.
_COPIED_FIELDS = tuple(column.key for column in TaskRecord.__table__.columns if column.key != "row")


class SearchUnavailable(TaskdeskError):
    """The database is one the search index does not serve."""


@dataclass(frozen=True)
class TaskQuery:
    """Which tasks a listing or a bulk action covers."""

    status: Sequence[str] = ()
    #: Any of these batches: a drop the window shows as one batch is several of the API's.
    batch_ids: Sequence[str] = ()
    text: str | None = None
    ids: Sequence[str] = ()


@dataclass
class TaskPage:
    tasks: list[dict[str, Any]]
    last_event_id: str
    next_cursor: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)


def _encode_cursor(created_at: str, task_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([created_at, task_id]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (created_at, id) a cursor stands for; ValueError when it is not ours."""
    try:
        created_at, task_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except Exception as exc:  # any garbage a client may send
        raise ValueError("invalid cursor") from exc
    if not (isinstance(created_at, str) and isinstance(task_id, str)):
        raise ValueError("invalid cursor")
    return created_at, task_id


class TaskRepository:
    """The store's one door: the recorder writes through it, the API reads through it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._index = SearchIndex.for_dialect(engine.dialect.name)

    # -- writing (the recorder) --------------------------------------------------------

    def apply(
        self,
        events: Sequence[StreamEvent],
        pages: Mapping[str, Sequence[tuple[int, str]]] | None = None,
        tombstoned: Callable[[Collection[str]], set[str]] | None = None,
    ) -> None:
        """Apply events in one transaction, with the position of the last one.

        Events carry whole rows, so only the newest version per task is written; an
        event whose version the store already has changes nothing (replay is safe).
        A ``delete`` event removes the task's row, history and index entries.
        ``pages`` are the pages of tasks completing in ``events``
        (:func:`backend.store.indexing.completed_pages`), indexed when their
        ``completed`` event is new to the store. ``tombstoned`` tells which of some task
        ids were deleted (:func:`backend.tombstones.deleted`): it is asked only about
        tasks the store lacks that the burst does not create, and their events are
        dropped, so a run that raced a delete applied in an earlier burst cannot bring
        the task back.
        """
        if not events:
            return
        # Ids are never reused, so whatever a burst says of a task it also deletes is moot.
        deleted = {e.row["id"] for e in events if e.kind == Kind.DELETE}
        rows = [e for e in events if e.kind != Kind.DELETE and e.row["id"] not in deleted]
        latest: dict[str, dict[str, Any]] = {}
        for event in rows:
            held = latest.get(event.row["id"])
            if held is None or event.row["version"] > held["version"]:
                latest[event.row["id"]] = event.row
        with Session(self._engine) as session, session.begin():
            stored: dict[str, int] = {
                task_id: version
                for task_id, version in session.execute(
                    select(TaskRecord.id, TaskRecord.version).where(TaskRecord.id.in_(list(latest)))
                )
            }
            created = {e.row["id"] for e in rows if e.kind == Kind.CREATE}
            unknown = [i for i in latest if i not in stored and i not in created]
            if unknown and tombstoned is not None and (gone := tombstoned(unknown)):
                rows = [e for e in rows if e.row["id"] not in gone]
                latest = {i: row for i, row in latest.items() if i not in gone}
            inserts = [_record_values(r) for i, r in latest.items() if i not in stored]
            updates = [
                _update_values(r)
                for i, r in latest.items()
                if i in stored and r["version"] > stored[i]
            ]
            # Plain statements on the connection: the ORM's bulk paths took twice the CPU.
            connection = session.connection()
            if inserts:
                connection.execute(insert(TaskRecord), inserts)
                digests = [
                    {"task_id": r["id"], "sha256": r["row"]["sha256"]}
                    for r in inserts
                    if r["row"].get("sha256")
                ]
                if digests:
                    connection.execute(insert(TaskDigest), digests)
            if updates:
                connection.execute(_UPDATE_TASK, updates)
            new = [e for e in rows if e.row["version"] > stored.get(e.row["id"], 0)]
            changes = [e for e in new if e.kind != Kind.PROGRESS]
            if changes:
                connection.execute(insert(HistoryRecord), [_history_values(e) for e in changes])
            # A delete counts once: when the store held the task, or its burst made it.
            moot = [e for e in events if e.kind != Kind.DELETE and e.row["id"] in deleted]
            present = self._remove(session, deleted) | {e.row["id"] for e in moot}
            applied = len(new) + len(moot) + len(present)
            add_totals(session, count_changes((e.row for e in changes), applied))
            self._index_completed(session, changes, pages or {})
            _store_position(session, events[-1].event_id)

    def _remove(self, session: Session, task_ids: set[str]) -> set[str]:
        """Delete tasks with their history and index entries; the ids the store had."""
        if not task_ids:
            return set()
        ids = list(task_ids)
        held = set(session.scalars(select(TaskRecord.id).where(TaskRecord.id.in_(ids))))
        if self._index is not None:
            self._index.remove(session, ids)
        session.execute(delete(HistoryRecord).where(HistoryRecord.task_id.in_(ids)))
        session.execute(delete(TaskDigest).where(TaskDigest.task_id.in_(ids)))
        session.execute(delete(TaskRecord).where(TaskRecord.id.in_(ids)))
        return held

    def _index_completed(
        self,
        session: Session,
        changes: Sequence[StreamEvent],
        pages: Mapping[str, Sequence[tuple[int, str]]],
    ) -> None:
        if self._index is None:
            return
        for event in changes:
            task_id = event.row["id"]
            if completes(event) and task_id in pages:
                self._index.add(session, task_id, pages[task_id])

    # -- reading (the API) -------------------------------------------------------------

    def last_event_id(self) -> str:
        with Session(self._engine) as session:
            position = session.get(StreamPosition, _POSITION)
            return position.last_event_id if position else STREAM_START

    def list_tasks(
        self, query: TaskQuery, *, cursor: str | None = None, limit: int = 500
    ) -> TaskPage:
        """A page of tasks, oldest first, with the event id the page is consistent with.

        The position is read before the rows, so the rows are at least that new; events
        replayed after it that the client already has are ignored by their version.
        """
        position = self.last_event_id()
        statement = self._filtered(query).order_by(TaskRecord.created_at, TaskRecord.id)
        if cursor is not None:
            created_at, task_id = decode_cursor(cursor)
            statement = statement.where(
                or_(
                    TaskRecord.created_at > created_at,
                    and_(TaskRecord.created_at == created_at, TaskRecord.id > task_id),
                )
            )
        with Session(self._engine) as session:
            records = session.scalars(statement.limit(limit + 1)).all()
        more = len(records) > limit
        records = records[:limit]
        next_cursor = (
            _encode_cursor(records[-1].created_at, records[-1].id) if more and records else None
        )
        return TaskPage([upgraded(r.row) for r in records], position, next_cursor)

    def get(self, task_id: str) -> dict[str, Any] | None:
        with Session(self._engine) as session:
            record = session.get(TaskRecord, task_id)
            return upgraded(record.row) if record else None

    def history(self, task_id: str) -> list[dict[str, Any]]:
        statement = (
            select(HistoryRecord)
            .where(HistoryRecord.task_id == task_id)
            .order_by(HistoryRecord.version)
        )
        with Session(self._engine) as session:
            return [
                {
                    "version": h.version,
                    "from": h.from_status,
                    "to": h.to_status,
                    "at": h.at,
                    "attempt": h.attempt,
                    "retries": h.retries,
                    "error": h.error,
                    "error_kind": h.error_kind,
                }
                for h in session.scalars(statement)
            ]

    def matching_ids(self, query: TaskQuery) -> list[str]:
        statement = self._filtered(query).with_only_columns(TaskRecord.id)
        with Session(self._engine) as session:
            return list(session.scalars(statement))

    def search(
        self,
        terms: Sequence[Term],
        *,
        batch_id: str | None = None,
        statuses: Sequence[str] = (),
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        """Pages matching every term, best first (:meth:`SearchIndex.search`).

        Raises:
            SearchUnavailable: the database offers no full-text search.
        """
        if self._index is None:
            raise SearchUnavailable(f"{self._engine.dialect.name} offers no full-text search")
        with Session(self._engine) as session:
            return self._index.search(
                session, terms, batch_id=batch_id, statuses=statuses, limit=limit, offset=offset
            )

    def earliest_with(self, digests: Collection[str]) -> dict[str, str]:
        """For each SHA-256 of ``digests`` the store knows, its earliest task's id.

        The database ranks a digest's tasks and hands back the first alone: a file
        submitted a thousand times before would otherwise send a thousand rows here,
        for every batch that holds it again.
        """
        rank = func.row_number().over(
            partition_by=TaskDigest.sha256, order_by=(TaskRecord.created_at, TaskRecord.id)
        )
        ranked = (
            select(TaskDigest.sha256, TaskRecord.id, rank.label("rank"))
            .join(TaskRecord, TaskRecord.id == TaskDigest.task_id)
            .where(TaskDigest.sha256.in_(list(digests)))
            .subquery()
        )
        statement = select(ranked.c.sha256, ranked.c.id).where(ranked.c.rank == 1)
        with Session(self._engine) as session:
            return {digest: task_id for digest, task_id in session.execute(statement)}

    def finished_before(self, moment: str, *, limit: int) -> list[str]:
        """Ids of tasks that ended (in a final state) before ``moment``, oldest first.

        ``moment`` is ISO 8601 UTC, as rows carry times. A task ended after it was
        created, so the indexed ``created_at`` narrows the scan to old tasks first.
        """
        finished = TaskRecord.row["finished_at"].as_string()
        statement = (
            select(TaskRecord.id)
            .where(TaskRecord.created_at < moment)
            .where(TaskRecord.status.in_([status.value for status in FINAL_STATES]))
            .where(finished < moment)
            .order_by(TaskRecord.created_at, TaskRecord.id)
            .limit(limit)
        )
        with Session(self._engine) as session:
            return list(session.scalars(statement))

    def count_by_status(self) -> dict[str, int]:
        statement = select(TaskRecord.status, func.count()).group_by(TaskRecord.status)
        with Session(self._engine) as session:
            return {status: count for status, count in session.execute(statement)}

    def totals(self) -> Totals:
        """The running totals behind ``/metrics`` (:mod:`backend.store.stats`)."""
        with Session(self._engine) as session:
            return read_totals(session)

    def ping(self) -> bool:
        with Session(self._engine) as session:
            session.execute(select(1))
        return True

    def close(self) -> None:
        """Close the pooled connections now rather than whenever they are collected."""
        self._engine.dispose()

    @staticmethod
    def _filtered(query: TaskQuery) -> Any:
        statement = select(TaskRecord)
        if query.status:
            statement = statement.where(TaskRecord.status.in_(list(query.status)))
        if query.batch_ids:
            statement = statement.where(TaskRecord.batch_id.in_(list(query.batch_ids)))
        if query.text:
            statement = statement.where(TaskRecord.filename.icontains(query.text, autoescape=True))
        if query.ids:
            statement = statement.where(TaskRecord.id.in_(list(query.ids)))
        return statement


#: Built once and run on the session's connection, as :mod:`backend.store.stats` adds its
#: totals: ``session.merge`` read the row back and went through the ORM at every burst.
_MOVE_POSITION = (
    update(StreamPosition)
    .where(StreamPosition.name == _POSITION)
    .values(last_event_id=bindparam("to_id"))
)


def _store_position(session: Session, event_id: str) -> None:
    connection = session.connection()
    if connection.execute(_MOVE_POSITION, {"to_id": event_id}).rowcount == 0:
        connection.execute(insert(StreamPosition), {"name": _POSITION, "last_event_id": event_id})


#: Sets the columns each row of parameters names, on the task that ``at_id`` names.
_UPDATE_TASK = update(TaskRecord).where(TaskRecord.id == bindparam("at_id"))


def _update_values(row: dict[str, Any]) -> dict[str, Any]:
    values = _record_values(row)
    values["at_id"] = values.pop("id")
    return values


def _record_values(row: dict[str, Any]) -> dict[str, Any]:
    # The stores refuse NUL and lone surrogates; one such character in a label or an
    # error message must not stop the recorder (and the database) for every task.
    row = storable(row)
    return {**{name: row[name] for name in _COPIED_FIELDS}, "row": row}


def _history_values(event: StreamEvent) -> dict[str, Any]:
    # Only what the history keeps is made storable, not the whole row again.
    row = event.row
    values: dict[str, Any] = {
        "task_id": row["id"],
        "version": row["version"],
        "event_id": event.event_id,
        "from_status": event.from_status,
        "to_status": row["status"],
        "at": row["updated_at"],
        "attempt": row["attempt"],
        "retries": row["retries"],
        "error": row["error"],
        "error_kind": row["error_kind"],
    }
    cleaned: dict[str, Any] = storable(values)
    return cleaned
