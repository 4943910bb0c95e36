"""Files that stream into a multipart body one at a time, counting what was read.

httpx asks each file for its length up front (``seek(0, SEEK_END)``) and then reads it in
64 KiB chunks while sending. :class:`UploadFile` answers the length from ``stat`` and
opens the file only when the body reaches it, closing it at the end, so an upload of a
thousand PDFs never holds more than one descriptor. Every read reports to a shared
:class:`UploadMeter`, which throttles progress callbacks and checks for cancellation.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from desktop.client._exceptions import UploadCancelled

#: Seconds between two progress callbacks; the last one is never skipped.
PROGRESS_INTERVAL = 0.05


class UploadMeter:
    """Counts bytes read across the files of one upload."""

    def __init__(
        self,
        paths: Sequence[Path],
        *,
        on_progress: Callable[[int, int, int], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> None:
        self.bytes_total = sum(_size(path) for path in paths)
        self.files_total = len(paths)
        self.bytes_read = 0
        self.files_done = 0
        self._on_progress = on_progress
        self._cancelled = cancelled
        self._last_report = 0.0

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled.is_set():
            raise UploadCancelled("upload cancelled")

    def add(self, count: int, *, file_done: bool = False) -> None:
        self.bytes_read += count
        if file_done:
            self.files_done += 1
        now = time.monotonic()
        last = self.files_done == self.files_total and file_done
        if self._on_progress is not None and (last or now - self._last_report >= PROGRESS_INTERVAL):
            self._last_report = now
            self._on_progress(self.bytes_read, self.bytes_total, self.files_done)


class UploadFile(io.RawIOBase):
    """A read-only file that opens itself on first read and closes at end of file."""

    def __init__(self, path: Path, meter: UploadMeter) -> None:
        super().__init__()
        self.name = str(path)
        self._path = path
        self._meter = meter
        self._size = _size(path)
        self._file: BinaryIO | None = None
        self._position = 0
        self._finished = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        # httpx seeks only to measure (0, SEEK_END), restore, and rewind to 0 before
        # reading; that is all we support without opening the file.
        if whence == os.SEEK_END:
            self._position = self._size + offset
        elif whence == os.SEEK_CUR:
            self._position += offset
        else:
            self._position = offset
        if self._file is not None:
            self._file.seek(self._position)
        return self._position

    def read(self, size: int = -1) -> bytes:
        self._meter.check()
        if self._file is None:
            if self._finished:
                return b""
            self._file = open(self._path, "rb")
            self._file.seek(self._position)
        chunk = self._file.read(size)
        self._position += len(chunk)
        if chunk:
            self._meter.add(len(chunk))
        else:
            self._file.close()
            self._file = None
            self._finished = True
            self._meter.add(0, file_done=True)
        return chunk

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        super().close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
