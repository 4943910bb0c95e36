"""SQLAlchemy tables. A task keeps its whole row as JSON beside the columns we filter on.

Every column but ``row`` (and the history's own bookkeeping) is a field of
:class:`backend.rows.TaskRow` under the same name; a unit test holds them to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class TaskRecord(Base):
    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    #: ISO 8601 UTC, so text order is time order; with ``id`` it orders pages.
    created_at: Mapped[str] = mapped_column(String(32), index=True)
    row: Mapped[dict[str, Any]] = mapped_column(JSON)


class HistoryRecord(Base):
    """One state change of one task (progress updates are not history)."""

    __tablename__ = "task_history"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    task_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    at: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer)
    retries: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)


class StreamPosition(Base):
    """The id of the last event applied, written in the same transaction as its effects."""

    __tablename__ = "stream_position"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[str] = mapped_column(String(40))


class StatRecord(Base):
    """One running total for ``/metrics`` (see :mod:`backend.store.stats`)."""

    __tablename__ = "stats"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    #: Seconds summed over what ``count`` counts (the run-duration histogram's sum).
    seconds: Mapped[float] = mapped_column(Float)


class IndexedPage(Base):
    """A page in the search index: whose it is (the index holds its text)."""

    __tablename__ = "indexed_pages"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    task_id: Mapped[str] = mapped_column(String(64), index=True)
    page: Mapped[int] = mapped_column(Integer)


class TaskDigest(Base):
    """The hash of a task's input, to find an earlier task with the same bytes.

    A table of its own, not a column of ``tasks``: ``create_all`` adds a missing table
    to an existing database, never a missing column.
    """

    __tablename__ = "task_digests"

    task_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
