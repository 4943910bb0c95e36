"""Run the watchdog alone (the supervisor does this): ``python -m backend.watchdog``.

A process of its own, not a step of the recorder's loop: a slow sweep (a large backlog,
a broker slow to answer) never delays the database writes, and the database writer
knows nothing of Celery. The supervisor starts one per stack, so sweeps never overlap,
and restarts it if it dies.

It sleeps in ``sigtimedwait`` until the next sweep or a stop, and a stop that arrives
mid-sweep lets the sweep end. The supervisor does not wait long for that: each action is
one atomic change in Redis, so a sweep cut short loses nothing; the next one does the rest.
"""

from __future__ import annotations

import logging
import signal

from backend import logs
from backend.config import Settings
from backend.live import LiveStore
from backend.redisconn import connect
from backend.retention import Retention
from backend.store import TaskRepository, make_engine
from backend.watchdog.decide import Limits
from backend.watchdog.sweep import Watchdog
from backend.worker.celeryapp import make_app

log = logging.getLogger("taskdesk.watchdog")

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def main() -> None:
    settings = Settings()
    logs.configure("watchdog", settings.log_level)
    watchdog = Watchdog(
        Limits.of(settings),
        LiveStore(connect(settings)),
        make_app(settings),
        TaskRepository(make_engine(settings.effective_database_url)),
    )
    retention = Retention.of(settings, watchdog.repository)
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    while signal.sigtimedwait(STOP_SIGNALS, settings.watchdog_seconds) is None:
        try:
            watchdog.sweep()
            retention.sweep()
        except Exception as exc:  # Redis or the database away for a moment
            log.warning("watchdog sweep failed: %s", exc)


if __name__ == "__main__":
    main()
