"""Batches as the window groups them: a name, a place in the list, and running totals.

A group is what one drop made. The desktop names a drop and sends the name with every
request of it (a big drop is several API batches, created one after the other), so a
batch joins the group made just before it when it has the same name; any other batch
starts a group. A batch sent without a name is named after its first file. Groups are
numbered as they are first seen, which is creation order (snapshots list the oldest
first, the feed follows), so they read the same in every window. Totals are kept
incrementally (each row's share is taken out and put back as it changes), so a batch or
the whole list is summed in constant time, never by walking 20,000 rows; the pace is
the sum over the running tasks only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend.states import TaskStatus
from desktop.records import TaskRow
from desktop.tasks.eta import PageRate, Totals


@dataclass(frozen=True, slots=True)
class Summary:
    """A batch (or the whole list) at one moment."""

    name: str
    totals: Totals
    running: int
    pages_per_second: float | None

    @property
    def seconds_left(self) -> float | None:
        return self.totals.seconds_left(self.pages_per_second)

    @property
    def active(self) -> bool:
        return self.totals.unfinished > 0


class _Group:
    """One group's counts, changed in place: a feed of 2,000 events a second passes
    through :meth:`count` twice per event, so it makes no objects."""

    __slots__ = (
        "key",
        "rank",
        "name",
        "first_file",
        "batch_ids",
        "running",
        "tasks",
        "unfinished",
        "pages_done",
        "pages_total",
        "pages_left",
        "unsized",
        "sized",
        "sized_pages",
    )

    def __init__(self, key: str, rank: int, name: str | None, first_file: str) -> None:
        self.key, self.rank, self.name, self.first_file = key, rank, name, first_file
        #: The API batches in the group, one per request of its drop, in order.
        self.batch_ids: tuple[str, ...] = ()
        self.running: set[str] = set()
        self.tasks = self.unfinished = self.pages_done = self.pages_total = 0
        self.pages_left = self.unsized = self.sized = self.sized_pages = 0

    def count(self, row: TaskRow, sign: int) -> None:
        """Add (``sign`` +1) or take out (-1) ``row``'s share."""
        final = row.is_final
        total = row.pages_total
        done = total if row.status is TaskStatus.COMPLETED else row.pages_done
        self.tasks += sign
        self.pages_done += sign * done
        self.pages_total += sign * total
        if not final:
            self.unfinished += sign
        if total > 0:
            self.sized += sign
            self.sized_pages += sign * total
            if not final:
                self.pages_left += sign * max(0, total - done)
        elif not final:
            self.unsized += sign

    def totals(self) -> Totals:
        return Totals(
            self.tasks,
            self.unfinished,
            self.pages_done,
            self.pages_total,
            self.pages_left,
            self.unsized,
            self.sized,
            self.sized_pages,
        )


class BatchBook:
    """Every group's totals and every running task's pace, updated row by row."""

    def __init__(self) -> None:
        #: Groups by the id of the batch that started them, and each batch's group.
        self._groups: dict[str, _Group] = {}
        self._group_of: dict[str, str] = {}
        self._latest: _Group | None = None
        self._names: set[str] = set()
        self._active: set[str] = set()
        self._rates: dict[str, PageRate] = {}
        #: Each batch id's group's rank: the sort asks for it per comparison, and a
        #: batch's tasks share one name, hence one group.
        self.ranks: dict[str, int] = {}

    # -- feeding -------------------------------------------------------------------------

    def replace(self, old: TaskRow | None, new: TaskRow | None, now: float) -> None:
        """Account for a row that changed from ``old`` to ``new`` (None: added/removed).

        ``now`` is the wall clock's timestamp, the clock ``started_at`` is on.
        """
        if old is not None:
            self._change(old, -1)
        if new is not None:
            self._change(new, +1)
            self._pace(new, now)
        elif old is not None:
            self._rates.pop(old.id, None)

    def _change(self, row: TaskRow, sign: int) -> None:
        key = self._group_of.get(row.batch_id)
        if key is None:
            key = self._join(row)
        group = self._groups[key]
        group.count(row, sign)
        if sign > 0 and row.status is TaskStatus.RUNNING:
            group.running.add(row.id)
        elif sign < 0:
            group.running.discard(row.id)
        if group.unfinished > 0:
            self._active.add(key)
        else:
            self._active.discard(key)

    def _join(self, row: TaskRow) -> str:
        """The group of a batch seen for the first time (``row`` is one of its tasks)."""
        latest = self._latest
        if latest is not None and row.batch_name and latest.name == row.batch_name:
            key = latest.key
        else:
            key = row.batch_id
            latest = self._latest = _Group(key, len(self._groups), row.batch_name, row.filename)
            self._groups[key] = latest
            if row.batch_name:
                self._names.add(row.batch_name)
        self._group_of[row.batch_id] = key
        latest.batch_ids += (row.batch_id,)
        self.ranks[row.batch_id] = latest.rank
        return key

    def _group(self, row: TaskRow) -> _Group | None:
        key = self._group_of.get(row.batch_id)
        return None if key is None else self._groups[key]

    def _pace(self, row: TaskRow, now: float) -> None:
        if row.status is not TaskStatus.RUNNING:
            self._rates.pop(row.id, None)
            return
        meter = self._rates.get(row.id)
        if meter is None:
            started = row.started_at.timestamp() if row.started_at else None
            running_for = None if started is None else now - started
            self._rates[row.id] = PageRate.start(row.pages_done, now, running_for)
        else:
            meter.observe(row.pages_done, now)

    def clear(self) -> None:
        self._groups.clear()
        self._group_of.clear()
        self._latest = None
        self._names.clear()
        self._active.clear()
        self._rates.clear()
        self.ranks.clear()

    # -- reading -------------------------------------------------------------------------

    def rank(self, row: TaskRow) -> int:
        """The group's place: groups read in the order they were first seen."""
        return self.ranks.get(row.batch_id, -1)

    def rate(self, task_id: str) -> PageRate | None:
        return self._rates.get(task_id)

    def batch_ids_of(self, row: TaskRow) -> tuple[str, ...]:
        """The API's batches that make ``row``'s group: one per request of its drop."""
        group = self._group(row)
        return (row.batch_id,) if group is None else group.batch_ids

    def name_of(self, row: TaskRow) -> str:
        group = self._group(row)
        return row.batch_name or _unnamed(group.first_file if group else row.filename, group)

    def summary(self, row: TaskRow, now: float) -> Summary | None:
        """The summary of ``row``'s group."""
        group = self._group(row)
        if group is None:
            return None
        return Summary(
            self.name_of(row),
            group.totals(),
            len(group.running),
            self._pace_of(group.running, now),
        )

    def overall(self, now: float) -> Summary:
        """Every batch still at work, together: what the whole list is waiting for."""
        totals = Totals()
        running: list[str] = []
        for key in self._active:
            group = self._groups[key]
            totals = totals + group.totals()
            running.extend(group.running)
        noun = "batch" if len(self._active) == 1 else "batches"
        return Summary(
            f"{len(self._active)} {noun}", totals, len(running), self._pace_of(running, now)
        )

    def claim_name(self, name: str) -> str:
        """``name`` for a new drop, or ``name (2)``, … when a batch has it already (or
        a drop whose rows are still on their way): each drop is its own group, in
        every window."""
        unique, number = name, 2
        while unique in self._names:
            unique, number = f"{name} ({number})", number + 1
        self._names.add(unique)
        return unique

    def _pace_of(self, running: Iterable[str], now: float) -> float | None:
        paces = [
            pace
            for task_id in running
            if (meter := self._rates.get(task_id)) is not None
            and (pace := meter.pages_per_second(now)) is not None
        ]
        return sum(paces) if paces else None


def _unnamed(first_file: str, group: _Group | None) -> str:
    """A batch sent without a name reads as its first file and how many more."""
    more = (group.tasks - 1) if group is not None else 0
    return f"{first_file} + {more} more" if more > 0 else first_file
