"""Where a task's files live: its input (the uploaded PDF) and its result.

This is the one module that knows the layout; every reader and writer of inputs and
results asks it. :func:`open_store` picks the store the settings name: the data folder
(the default, the layout of every installation so far) or an S3-compatible object
store (``TASKDESK_STORAGE_URL=s3://bucket/prefix``, :mod:`backend.storage.s3`), which
every host can reach. Under the data folder:

- ``files/<task id>.pdf``: the input, under a name we make, never the uploaded one;
- ``files/.upload-*.part``: an input still arriving, or whose task does not exist yet;
  in the same folder, so naming it for its task is an atomic rename;
- ``results/<task id>.json``: what the processor wrote.

Processors get local paths (PDFium opens a file by name): :meth:`FileStore.workspace`
gives a run its input and where to write its result. The API asks for an input to
write as it streams in, for a result to send, and to delete a task's files.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from backend.limits import count_pages

if TYPE_CHECKING:
    from backend.config import Settings

#: Bytes per read when a result is sent on.
CHUNK_BYTES = 1 << 16


@dataclass(frozen=True)
class Workspace:
    """The local files of one run: the input to read and where to write the result."""

    input: Path
    result: Path


@dataclass(frozen=True)
class StoredFile:
    """A task's stored input or result, to read whole or send on in chunks."""

    #: Changes whenever the file is written again, so a parsed copy can be cached.
    version: str
    size: int
    #: Left out of equality and hash: two reads of one version are the same result.
    open: Callable[[], BinaryIO] = field(compare=False)

    def read(self) -> bytes:
        with contextlib.closing(self.open()) as handle:
            return handle.read()

    def chunks(self) -> Iterator[bytes]:
        with contextlib.closing(self.open()) as handle:
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk


class FileStore:
    """The inputs and results of one installation's tasks, in its data folder."""

    #: Inputs a submit stores at once. Here one: storing is a rename, which waits on
    #: nothing, and threads only added CPU (8 of them 60 % more for 1,000 inputs).
    saves_at_once = 1

    def __init__(self, settings: Settings) -> None:
        self.files_dir = settings.home / "files"
        self.results_dir = settings.home / "results"

    @property
    def folders(self) -> tuple[Path, ...]:
        """The folders the store needs (the data folder's set-up creates them)."""
        return self.files_dir, self.results_dir

    def receive(self) -> IncomingFile:
        """A new input to write as its bytes arrive, before its task exists.

        The folder is made again only when it is missing (removed under a running
        backend): a batch of a thousand files would otherwise ask for it a thousand times.
        """
        try:
            fd, name = tempfile.mkstemp(dir=self.files_dir, prefix=".upload-", suffix=".part")
        except FileNotFoundError:
            self.files_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, name = tempfile.mkstemp(dir=self.files_dir, prefix=".upload-", suffix=".part")
        return IncomingFile(self, Path(name), os.fdopen(fd, "wb"))

    def input_path(self, task_id: str) -> Path:
        """Where the data folder keeps the task's input."""
        return self.files_dir / f"{task_id}.pdf"

    def result_path(self, task_id: str) -> Path:
        """Where the data folder keeps the task's result."""
        return self.results_dir / f"{task_id}.json"

    def save_input(self, received: Path, task_id: str) -> None:
        """Make the local file ``received`` (which is consumed) the task's input."""
        os.replace(received, self.input_path(task_id))

    @contextlib.contextmanager
    def workspace(self, task_id: str) -> Iterator[Workspace]:
        """The run's files, for as long as it runs (here: the stored ones themselves)."""
        yield Workspace(self.input_path(task_id), self.result_path(task_id))

    def keep_result(self, task_id: str, workspace: Workspace) -> None:
        """Store what the run wrote as the task's result (here it already is)."""

    def stored_input(self, task_id: str) -> StoredFile | None:
        """The task's input as it was processed, or None once it is gone."""
        return _stored(self.input_path(task_id))

    def result(self, task_id: str) -> StoredFile | None:
        """The task's result, or None when there is none (yet, or any more)."""
        return _stored(self.result_path(task_id))

    def result_bytes(self, task_id: str) -> bytes | None:
        """The task's whole result, or None when there is none: one request to an
        object store, where :meth:`result` makes two (the recorder reads every result
        once, to index it, and needs no version)."""
        try:
            return self.result_path(task_id).read_bytes()
        except FileNotFoundError:
            return None

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

    def save_as(self, task_id: str) -> int | None:
        """Make the received bytes the input of ``task_id``; returns its page count.

        The pages are counted here, while the bytes are still on this disk: an object
        store's copy would have to come back first. None: PDFium cannot count them.
        """
        assert self._path is not None, "saved twice or after discard"
        self.close()
        pages = count_pages(self._path)
        self._store.save_input(self._path, task_id)
        self._path = None
        return pages

    def discard(self) -> None:
        """Drop the bytes unless they were saved (idempotent)."""
        self.close()
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None


_stores: dict[tuple[int, str | None, str | None, Path], FileStore] = {}


def _stored(path: Path) -> StoredFile | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    version = f"{stat.st_mtime_ns}-{stat.st_size}"
    return StoredFile(version, stat.st_size, lambda: path.open("rb"))


def open_store(settings: Settings) -> FileStore:
    """The store ``settings`` name, one per process (a forked worker gets its own client).

    An object store's client is costly to make and safe to share between threads.
    """
    key = (os.getpid(), settings.storage_url, settings.s3_endpoint_url, settings.home)
    store = _stores.get(key)
    if store is None:
        if settings.storage_url:
            from backend.storage.s3 import S3Store  # obstore only where it is used

            store = S3Store(settings)
        else:
            store = FileStore(settings)
        _stores[key] = store
    return store
