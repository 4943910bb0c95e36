"""Settings for every backend process, read from ``TASKDESK_*`` variables.

The names are part of the contract in DESIGN.md: scripts and tests outside the code set
them. Defaults serve a single analyst with no set-up. Build one :class:`Settings` at an
entry point and pass it down; nothing here is read at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.filestore import open_store
from backend.paths import data_folder, data_home
from backend.runtime import RUNTIME_FILE


class Settings(BaseSettings):
    """Everything a backend process needs to know about its installation."""

    model_config = SettingsConfigDict(env_prefix="TASKDESK_", extra="ignore", populate_by_name=True)

    home: Path = Field(
        default_factory=data_home,
        description="Everything the backend keeps: Redis AOF, database, files, results, "
        "runtime file, logs.",
    )
    host: str = Field(
        default="127.0.0.1",
        description="The address the API listens on; another than loopback lets other "
        "machines in (give it TLS_CERT and TLS_KEY then).",
    )
    port: int = Field(default=0, description="The API's port; 0 picks a free one.")
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="Processes of the bundled worker (tasks run at once); default: the cores.",
    )
    max_retries: int = Field(default=3, ge=0, description="Automatic retries of a transient error.")
    retry_base_seconds: float = Field(
        default=60.0, ge=0, description="Backoff base: retry n waits base x 2^(n-1)."
    )
    retry_max_seconds: float = Field(
        default=600.0,
        ge=0,
        description="Cap on one backoff wait (keeps countdowns under the visibility timeout).",
    )
    soft_time_limit: float = Field(
        default=270.0,
        gt=0,
        description="Seconds a task may run before it is asked to stop (ends timed_out).",
    )
    time_limit: float = Field(
        default=300.0,
        gt=0,
        description="Seconds a task may run before its process is killed (ends timed_out).",
    )
    max_file_mb: float = Field(default=200.0, gt=0, description="Larger uploads are refused (413).")
    max_pages: int = Field(
        default=10_000, ge=1, description="PDFs with more pages fail at once (permanent)."
    )
    plugins: str = Field(
        default="",
        description="Comma-separated modules the API and the workers import at start, to "
        "register processors.",
    )
    #: Seconds a stopping worker lets running tasks finish before it requeues them.
    shutdown_grace_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Seconds a stopping worker lets running tasks finish before it requeues them.",
    )
    #: Events older than this (and already in the database) may be trimmed from Redis.
    event_retention_seconds: float = Field(
        default=24 * 3600.0,
        ge=0,
        description="Events older than this (and recorded) may be trimmed from Redis; a "
        "client behind that reloads.",
    )
    #: Address space (MB) one worker process may use; 0 means no cap. A backstop for
    #: what pdf.extract's pre-scan cannot catch (a decompression bomb behind a filter
    #: chain): past it the process dies, which counts as a lost run, and after the
    #: automatic retries the task fails. An idle worker process uses about 80 MB.
    worker_memory_mb: int = Field(
        default=4096,
        ge=0,
        description="Address space (MB) one worker process may use; 0: no cap.",
    )
    #: How often the watchdog looks for tasks whose queue message was lost (a worker
    #: killed while taking it, a run ended while Redis was away), and how long a task
    #: must look lost before it is queued again (backend/watchdog/).
    watchdog_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the watchdog looks for tasks whose queue message was lost.",
    )
    #: Time limits that fit long documents (backend/limits.py): both limits grow by this
    #: many seconds per page of the document, up to the ceiling, which also sets the
    #: broker's visibility timeout.
    time_limit_per_page: float = Field(
        default=4.0,
        ge=0,
        description="Seconds both time limits grow by for each page of a document.",
    )
    max_time_limit: float = Field(
        default=2 * 3600.0,
        gt=0,
        description="The ceiling of a long document's scaled hard time limit (seconds); "
        "the broker's visibility timeout follows it.",
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_URL", "TASKDESK_REDIS_URL"),
        description="An external Redis instead of the embedded one.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "TASKDESK_DATABASE_URL"),
        description="An external database (PostgreSQL at scale) instead of SQLite in HOME.",
    )
    # Storage any host can reach (DESIGN.md, "Storage and several machines"): unset, the
    # data folder; ``s3://bucket/prefix``, an S3-compatible object store, reached with the
    # standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION variables.
    storage_url: str | None = Field(
        default=None,
        pattern=r"^s3://[^/]+(/.*)?$",
        description="Where inputs and results live: unset, the data folder; "
        "s3://bucket/prefix, an S3-compatible object store (credentials: AWS_* variables).",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="The object store's address when it is not AWS (SeaweedFS, MinIO, ...).",
    )
    # Running a server: logs and HTTPS (backend/logs.py, backend/api/__main__.py)
    log_file: Path | None = Field(
        default=None,
        description="Write the whole stack's log to this file, rotated by size (the desktop "
        "sets HOME/backend.log); unset: standard error. SIGHUP reopens it.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="The least level logged: DEBUG, INFO, WARNING or ERROR."
    )
    log_max_mb: float = Field(
        default=10.0, gt=0, description="The log file's size (MB) at which it is rotated."
    )
    log_backups: int = Field(
        default=5, ge=0, description="Rotated log files kept (backend.log.1 ... .N)."
    )
    tls_cert: Path | None = Field(
        default=None,
        description="PEM certificate (chain) the API serves HTTPS with; needs TLS_KEY.",
    )
    tls_key: Path | None = Field(
        default=None, description="PEM private key of TLS_CERT (keep it owner-only)."
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_name(cls, level: str) -> str:
        return level.upper() if isinstance(level, str) else level

    @field_validator("log_file", "tls_cert", "tls_key", mode="before")
    @classmethod
    def _empty_path_is_unset(cls, path: str | Path | None) -> str | Path | None:
        # pydantic would read an empty variable as the working folder.
        return path or None

    # Retention (issue 13): finished tasks older than this many days (by finished_at)
    # are deleted as by the API, files, result, index and rows; 0 keeps them for ever.
    retention_days: float = Field(
        default=0.0,
        ge=0,
        description="Delete finished tasks (files, result, index, rows) older than this "
        "many days; 0 keeps them for ever.",
    )
    # Celery task events (issue 14): whether the worker sends them from its start. They
    # cost its main process about 1.7 ms of CPU per task (bench.overhead), so they wait
    # for a watcher: Flower and ``celery control enable_events`` switch them on.
    task_events: bool = Field(
        default=False,
        description="Send Celery task events from the start; off, Flower or "
        "'celery control enable_events' switch them on when they watch.",
    )

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
        return self.home / RUNTIME_FILE

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

        Above the longest hard limit a long document may get (the ceiling) plus the
        longest backoff wait, so a healthy task is never run twice; the supervisor gives
        a dead local worker's messages back at once, without waiting for it.
        """
        longest = max(self.time_limit, self.max_time_limit)
        return int(longest + self.retry_max_seconds + 60)

    def ensure_home(self) -> None:
        """Create the data folder tree, readable by its owner only."""
        for folder in (self.home, *open_store(self).folders, self.redis_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.home.chmod(0o700)
