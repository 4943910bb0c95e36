"""``runtime.json``: how a program of the same user finds the stack running on a data folder.

The supervisor writes it, owner-only, once the API answers, and removes it when it
stops: ``{"url", "token", "pid", "redis_url"}``, and ``"certificate"`` when the API serves
HTTPS. The window reads it to attach; the
Celery tools (``celery -A backend.worker inspect …``) read it for the broker when only
``TASKDESK_HOME`` is set. One reader for all, light enough for the desktop to import.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

#: Its name in the data folder.
RUNTIME_FILE = "runtime.json"


@dataclass(frozen=True)
class Runtime:
    """Where the running stack answers, and with what it lets a client in."""

    url: str
    token: str
    pid: int
    #: The embedded Redis (with its password), or the external one the stack uses.
    redis_url: str | None
    #: The PEM certificate the API serves HTTPS with, for a client on this machine.
    certificate: str | None = None


def read_runtime(path: Path) -> Runtime | None:
    """What ``path`` says, or None when it is absent, half-written or left behind.

    A supervisor killed with SIGKILL cannot remove its file: one naming a process that
    no longer exists is as good as none, so a tool says "not running" instead of waiting
    on a port nobody listens on.
    """
    runtime = load_runtime(path)
    return runtime if runtime is not None and _alive(runtime.pid) else None


def load_runtime(path: Path) -> Runtime | None:
    """What ``path`` says, or None when it is absent or half-written, whoever wrote it.

    The window asks the API itself whether it answers (its pid may live in another
    namespace), so it reads the file without the check :func:`read_runtime` makes.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Runtime(
            url=str(data["url"]),
            token=str(data["token"]),
            pid=int(data["pid"]),
            redis_url=str(data["redis_url"]) if data.get("redis_url") else None,
            certificate=str(data["certificate"]) if data.get("certificate") else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _alive(pid: int) -> bool:
    if pid <= 0:  # 0 and -1 would ask about process groups
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process, but alive
        pass
    return True
