"""What every request handler reaches: the stores, the queue, the token."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from celery import Celery
from fastapi import Request

from backend.auth import load_or_create_token
from backend.config import Settings
from backend.live import LiveStore
from backend.processors import load_plugins
from backend.redisconn import connect
from backend.store import TaskRepository, make_engine
from backend.worker import make_app


@dataclass
class Backend:
    settings: Settings
    redis: redis.Redis
    live: LiveStore
    repository: TaskRepository
    celery: Celery
    token: str

    @classmethod
    def open(cls, settings: Settings) -> Backend:
        load_plugins(settings.plugin_modules)
        client = connect(settings)
        return cls(
            settings=settings,
            redis=client,
            live=LiveStore(client),
            repository=TaskRepository(make_engine(settings.effective_database_url)),
            celery=make_app(settings),
            token=load_or_create_token(settings),
        )

    def close(self) -> None:
        self.redis.close()


def get_backend(request: Request) -> Backend:
    return request.app.state.backend  # type: ignore[no-any-return]
