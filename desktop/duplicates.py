"""What the window says of a file submitted twice: "same file as <name>, submitted <date>".

The backend notices (the task's ``duplicate_of``) and processes the file all the same:
the analyst may want a second run (another OCR mode, a newer processor), and refusing
it would make them rename or touch the file to get one. So it is a note, not a refusal:
in the status bar when the batch is accepted, and in the detail pane of the task.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from desktop.records import TaskRow

#: Finds a task the window holds by its id.
Find = Callable[[str], TaskRow | None]


def same_file_note(row: TaskRow, find: Find) -> str:
    """The note for ``row``; empty when its file was not submitted before."""
    note = _same_file(row, find)
    return note[:1].upper() + note[1:]


def _same_file(row: TaskRow, find: Find) -> str:
    if row.duplicate_of is None:
        return ""
    earlier = find(row.duplicate_of)
    if earlier is None:
        return "same file as an earlier task (no longer listed)"
    when = earlier.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"same file as {earlier.filename}, submitted {when}"


def batch_note(rows: Sequence[TaskRow], find: Find) -> str:
    """One line for a batch just accepted; empty when none of its files is a repeat.

    The earlier task may be in the same batch, before the table has it.
    """
    repeats = [row for row in rows if row.duplicate_of is not None]
    if not repeats:
        return ""
    batch = {row.id: row for row in rows}

    def either(task_id: str) -> TaskRow | None:
        return batch.get(task_id) or find(task_id)

    first = repeats[0]
    note = f"{first.filename}: {_same_file(first, either)}"
    more = len(repeats) - 1
    return note + (f" (and {more} more submitted before)" if more else "")
