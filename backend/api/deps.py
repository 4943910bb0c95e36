"""What every request handler reaches: the stores, the queue, the token; and the auth check."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

from celery import Celery
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from redis import Redis

from backend.api.workers import WorkerGauge
from backend.auth import load_or_create_token, tokens_match
from backend.config import Settings
from backend.deletion import current_row
from backend.filestore import FileStore, open_store
from backend.live import LiveStore
from backend.processors import load_plugins
from backend.redisconn import connect, connect_probe
from backend.store import TaskRepository, make_engine
from backend.stream import id_tuple, latest_id
from backend.worker import make_app

#: Longest a request waits for the recorder to apply the events before it
#: (:meth:`Backend.catch_up`); a recorder that is down or far behind delays it no more.
CATCH_UP_SECONDS = 3.0
#: How often the recorder's position is read meanwhile.
CATCH_UP_POLL_SECONDS = 0.02


@dataclass
class Backend:
    settings: Settings
    redis: Redis
    #: For health checks only (see :func:`backend.redisconn.connect_probe`).
    probe: Redis
    live: LiveStore
    files: FileStore
    repository: TaskRepository
    celery: Celery
    token: str
    workers: WorkerGauge

    @classmethod
    def open(cls, settings: Settings) -> Backend:
        load_plugins(settings.plugin_modules)
        client = connect(settings)
        celery = make_app(settings)
        return cls(
            settings=settings,
            redis=client,
            probe=connect_probe(settings),
            live=LiveStore(client),
            files=open_store(settings),
            repository=TaskRepository(make_engine(settings.effective_database_url)),
            celery=celery,
            token=load_or_create_token(settings),
            workers=WorkerGauge(celery),
        )

    def row(self, task_id: str) -> dict[str, Any] | None:
        """The task's row, live or recorded; None for a task unknown or deleted."""
        return current_row(self.live, self.repository, task_id)

    def catch_up(self) -> None:
        """Wait until the database holds every event there was when called, for at most
        :data:`CATCH_UP_SECONDS`: a filter then matches what the feed has already shown
        (a task the window shows completed is "completed" to "Clear completed")."""
        target = id_tuple(latest_id(self.redis))
        deadline = time.monotonic() + CATCH_UP_SECONDS
        while id_tuple(self.repository.last_event_id()) < target:
            if time.monotonic() > deadline:
                return
            time.sleep(CATCH_UP_POLL_SECONDS)

    def close(self) -> None:
        self.redis.close()
        self.probe.close()
        self.repository.close()


def get_backend(request: Request) -> Backend:
    return request.app.state.backend  # type: ignore[no-any-return]


#: A handler parameter that receives the :class:`Backend`.
BackendDep = Annotated[Backend, Depends(get_backend)]


_bearer = HTTPBearer(
    auto_error=False,
    description="The token in runtime.json (or in the token file) of the data folder.",
)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


async def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Let the request through only with ``Authorization: Bearer <the token>``.

    The comparison takes the same time whatever the token sent, so timing tells an
    attacker nothing.
    """
    if credentials is None:
        if "authorization" in request.headers:
            reason = "malformed Authorization header: expected 'Bearer <token>'"
        else:
            reason = "missing bearer token: send 'Authorization: Bearer <token>'"
        raise HTTPException(401, reason, headers=_CHALLENGE)
    if not tokens_match(credentials.credentials, get_backend(request).token):
        raise HTTPException(401, "invalid token", headers=_CHALLENGE)
