"""CPU time of the backend's processes, by role, for benchmarks that ask where time went."""

from __future__ import annotations

import collections

import psutil

#: A marker in a process's command line, and the role it names (first match wins).
ROLES = (
    ("redis-server", "redis"),
    ("backend.store.recorder", "recorder"),
    ("backend.api", "api"),
    ("backend.watchdog", "watchdog"),
    ("celery", "worker"),
    ("weed", "s3"),
    ("-m bench.", "bench"),
)


def role_of(process: psutil.Process) -> str:
    """``worker`` for the worker's main process, ``pool`` for its children."""
    command = " ".join(process.cmdline())
    for marker, role in ROLES:
        if marker in command:
            parent = process.parent()
            inside_worker = parent is not None and "celery" in " ".join(parent.cmdline())
            return "pool" if role == "worker" and inside_worker else role
    return "supervisor"


def cpu_by_role(root: psutil.Process) -> dict[str, float]:
    """User + system CPU seconds of ``root`` and every descendant, summed per role."""
    seconds: dict[str, float] = collections.defaultdict(float)
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
            seconds[role_of(process)] += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return dict(seconds)


def spent_since(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """What each role used between two readings (a restarted process counts from zero)."""
    return {role: max(0.0, after[role] - before.get(role, 0.0)) for role in after}
