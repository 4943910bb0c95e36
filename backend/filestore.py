"""Where a task's files live: its input (the uploaded PDF) and its result.

This is the one module that knows the layout, so shared storage replaces this class and
nothing else. Under the data folder (the layout of every installation so far):

- ``files/<task id>.pdf``: the input, under a name we make, never the uploaded one;
- ``files/.upload-*.part``: an input still arriving, or whose task does not exist yet;
  in the same folder, so naming it for its task is an atomic rename;
- ``results/<task id>.json``: what the processor wrote.

Processors get local paths (PDFium opens a file by name); the API asks for an input to
write as it streams in, for a result to send, and to delete what a failed submit left.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from backend.config import Settings


class FileStore:
    """The inputs and results of one installation's tasks."""

    def __init__(self, settings: Settings) -> None:
        self.files_dir = settings.home / "files"
        self.results_dir = settings.home / "results"

    @property
    def folders(self) -> tuple[Path, ...]:
        """The folders the store needs (the data folder's set-up creates them)."""
        return self.files_dir, self.results_dir

    def receive(self) -> IncomingFile:
        """A new input to write as its bytes arrive, before its task exists."""
        self.files_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, name = tempfile.mkstemp(dir=self.files_dir, prefix=".upload-", suffix=".part")
        return IncomingFile(self, Path(name), os.fdopen(fd, "wb"))

    def input_path(self, task_id: str) -> Path:
        """Where the processor reads the task's input."""
        return self.files_dir / f"{task_id}.pdf"

    def result_path(self, task_id: str) -> Path:
        """Where the processor writes the task's result."""
        return self.results_dir / f"{task_id}.json"

    def stored_result(self, task_id: str) -> Path | None:
        """The task's result, or None when there is none (yet, or any more)."""
        path = self.result_path(task_id)
        return path if path.is_file() else None

    def delete(self, task_id: str) -> None:
        """Remove the task's input and result, whichever exist."""
        self.input_path(task_id).unlink(missing_ok=True)
        self.result_path(task_id).unlink(missing_ok=True)


class IncomingFile:
    """An input being received: written to a hidden temporary file until
    :meth:`save_as` makes it a task's input, or :meth:`discard` drops it."""

    def __init__(self, store: FileStore, path: Path, handle: BinaryIO) -> None:
        self._store = store
        self._path: Path | None = path
        self._handle: BinaryIO | None = handle

    def write(self, data: bytes) -> None:
        assert self._handle is not None, "written after close"
        self._handle.write(data)

    def close(self) -> None:
        """No more bytes come (idempotent)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def save_as(self, task_id: str) -> None:
        """Make the received bytes the input of ``task_id``."""
        assert self._path is not None, "saved twice or after discard"
        self.close()
        os.replace(self._path, self._store.input_path(task_id))
        self._path = None

    def discard(self) -> None:
        """Drop the bytes unless they were saved (idempotent)."""
        self.close()
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None
