"""Waiting out a disk that is still paying for someone else's deletions.

This machine's disk is ext4 without a journal (``/sys/fs/ext4/<disk>/journal_task``
reads ``<none>``). There, so that fsck can still make sense of a crash, ext4 prefers not
to hand out an inode freed recently (a minute, several while the block holding it is not
yet written back): each new file's allocation walks past every inode its block group
freed in that time, checking each one's deletion time (``recently_deleted`` in
``fs/ext4/ialloc.c``; ``perf record`` shows it and the buffer lookups it makes as 75 %
of a slow create). Measured here: right after a program removed 20,000 files, creating
2,000 took 1.5–1.8 s of kernel CPU instead of 0.06–0.08 s; after 6,000 removed, a create
cost 0.2–1.6 ms for three minutes and 0.08 ms after 199 s.

A benchmark that stores files (Taskdesk's inputs; bare Celery stores none) and starts
right after another run removed its data folder would time that run's deletions. So it
waits, probing, until a create costs what it does at rest, and says how long it waited.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

#: Files a probe creates; kept until the folder goes, since a file removed at once frees
#: its inode again and keeps the walk going.
PROBE_FILES = 200
#: A create at rest costs 0.03–0.06 ms of kernel CPU here; a walk, 0.3 ms and more.
SETTLED_SECONDS_PER_FILE = 0.15e-3
#: Past this, a slow create is something else: stop waiting and say so.
LONGEST_WAIT_SECONDS = 300.0
#: Between probes: each leaves files behind, which ext4 then has to skip past.
PROBE_EVERY_SECONDS = 5.0


@dataclass(frozen=True)
class DiskState:
    #: How long the wait took (0 when the disk was at rest from the first probe).
    waited: float
    #: What one create cost in the last probe.
    seconds_per_file: float

    @property
    def settled(self) -> bool:
        return self.seconds_per_file <= SETTLED_SECONDS_PER_FILE

    def __str__(self) -> str:
        state = "at rest" if self.settled else "still slow, measured anyway"
        return (
            f"a file create costs {self.seconds_per_file * 1e3:.2f} ms ({state}; waited "
            f"{self.waited:.0f} s for earlier deletions to age out)"
        )


def wait_until_settled(folder: Path) -> DiskState:
    """Probe creating files in ``folder`` until a create is as cheap as at rest.

    ``folder`` is where the benchmark stores its files: ext4 allocates a file's inode in
    its folder's block group, so a probe elsewhere could miss the walk.
    """
    started = time.monotonic()
    while True:
        cost = _seconds_per_create(folder)
        waited = time.monotonic() - started
        if cost <= SETTLED_SECONDS_PER_FILE or waited >= LONGEST_WAIT_SECONDS:
            return DiskState(waited, cost)
        time.sleep(PROBE_EVERY_SECONDS)


def _seconds_per_create(folder: Path) -> float:
    started = time.perf_counter()
    for _ in range(PROBE_FILES):
        handle, _name = tempfile.mkstemp(dir=folder, prefix=".probe-")
        os.write(handle, b"%PDF-1.4\n")
        os.close(handle)
    return (time.perf_counter() - started) / PROBE_FILES
