"""Settings for every backend process, read from ``TASKDESK_*`` variables.

The names are part of the contract in DESIGN.md: scripts and tests outside the code set
them. Defaults serve a single analyst with no set-up. Build one :class:`Settings` at an
entry point and pass it down; nothing here is read at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.filestore import FileStore
from backend.paths import data_folder, data_home


class Settings(BaseSettings):
    """Everything a backend process needs to know about its installation."""

    model_config = SettingsConfigDict(env_prefix="TASKDESK_", extra="ignore", populate_by_name=True)

    home: Path = Field(default_factory=data_home)
    host: str = "127.0.0.1"
    port: int = 0
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    max_retries: int = Field(default=3, ge=0)
    retry_base_seconds: float = Field(default=60.0, ge=0)
    retry_max_seconds: float = Field(default=600.0, ge=0)
    soft_time_limit: float = Field(default=270.0, gt=0)
    time_limit: float = Field(default=300.0, gt=0)
    max_file_mb: float = Field(default=200.0, gt=0)
    max_pages: int = Field(default=10_000, ge=1)
    plugins: str = ""
    #: Seconds a stopping worker lets running tasks finish before it requeues them.
    shutdown_grace_seconds: float = Field(default=10.0, ge=0)
    #: Events older than this (and already in the database) may be trimmed from Redis.
    event_retention_seconds: float = Field(default=24 * 3600.0, ge=0)
    #: Address space (MB) one worker process may use; 0 means no cap. A backstop for
    #: what pdf.extract's pre-scan cannot catch (a decompression bomb behind a filter
    #: chain): past it the process dies, which counts as a lost run, and after the
    #: automatic retries the task fails. An idle worker process uses about 80 MB.
    worker_memory_mb: int = Field(default=4096, ge=0)
    #: How often the watchdog looks for tasks whose queue message was lost (a worker
    #: killed while taking it, a run ended while Redis was away), and how long a task
    #: must look lost before it is queued again (backend/watchdog/).
    watchdog_seconds: float = Field(default=60.0, gt=0)
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "TASKDESK_REDIS_URL")
    )
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "TASKDESK_DATABASE_URL")
    )
    # Celery task events (issue 14): whether the worker sends them from its start, for
    # celery events, Flower and exporters. They cost its main process about 1.7 ms of CPU
    # per task (bench.overhead); off, ``celery control enable_events`` still turns them on.
    task_events: bool = True

    @field_validator("home", mode="before")
    @classmethod
    def _absolute_home(cls, home: str | Path) -> Path:
        # Before pydantic's own parsing, so an empty TASKDESK_HOME means the default
        # here as it does for the desktop (pydantic would make it the working folder).
        return data_folder(home)

    # -- derived locations -------------------------------------------------------------

    @property
    def redis_dir(self) -> Path:
        return self.home / "redis"

    @property
    def runtime_file(self) -> Path:
        return self.home / "runtime.json"

    @property
    def token_file(self) -> Path:
        return self.home / "token"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'taskdesk.db'}"

    @property
    def plugin_modules(self) -> list[str]:
        return [name.strip() for name in self.plugins.split(",") if name.strip()]

    @property
    def visibility_timeout(self) -> int:
        """Seconds before Redis redelivers an unacknowledged message.

        Above the longest hard limit plus the longest backoff wait, so a healthy task is
        never run twice, yet far below the default hour, so a killed worker's task is
        picked up again soon.
        """
        return int(self.time_limit + self.retry_max_seconds + 60)

    def backoff_seconds(self, retry_number: int) -> float:
        """Wait before automatic retry ``retry_number`` (1-based): base × 2^(n-1), capped."""
        return min(self.retry_base_seconds * 2.0 ** (retry_number - 1), self.retry_max_seconds)

    def ensure_home(self) -> None:
        """Create the data folder tree, readable by its owner only."""
        for folder in (self.home, *FileStore(self).folders, self.redis_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.home.chmod(0o700)
