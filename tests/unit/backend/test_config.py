"""Settings: the contract's variable names, backoff, and the visibility timeout."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.config import Settings
from backend.worker import make_app


def test_contract_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    values = {
        "TASKDESK_HOME": str(tmp_path),
        "TASKDESK_PORT": "8123",
        "TASKDESK_WORKERS": "3",
        "TASKDESK_MAX_RETRIES": "5",
        "TASKDESK_RETRY_BASE_SECONDS": "0.5",
        "TASKDESK_RETRY_MAX_SECONDS": "30",
        "TASKDESK_SOFT_TIME_LIMIT": "10",
        "TASKDESK_TIME_LIMIT": "12",
        "TASKDESK_MAX_FILE_MB": "7",
        "TASKDESK_PLUGINS": "a.b, c",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/db",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.home == tmp_path
    assert (settings.port, settings.workers, settings.max_retries) == (8123, 3, 5)
    assert (settings.retry_base_seconds, settings.retry_max_seconds) == (0.5, 30)
    assert (settings.soft_time_limit, settings.time_limit) == (10, 12)
    assert settings.max_file_mb == 7
    assert settings.plugin_modules == ["a.b", "c"]
    assert settings.redis_url == values["REDIS_URL"]
    assert settings.effective_database_url == values["DATABASE_URL"]


def test_defaults_serve_one_analyst(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TASKDESK_HOME", "REDIS_URL", "DATABASE_URL", "TASKDESK_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.home.name == "taskdesk"
    assert settings.port == 0 and settings.max_retries == 3
    assert (settings.soft_time_limit, settings.time_limit) == (270, 300)
    assert settings.effective_database_url.endswith("taskdesk.db")


def test_visibility_timeout_covers_the_longest_task_and_wait_but_little_more() -> None:
    settings = Settings(redis_url="redis://127.0.0.1:1/0")
    timeout = settings.visibility_timeout
    # The longest task is a long document's, at the ceiling of scaled limits.
    longest = settings.max_time_limit + settings.retry_max_seconds
    assert longest < timeout < longest + 120
    options = make_app(settings).conf.broker_transport_options
    assert options["visibility_timeout"] == timeout


def test_visibility_timeout_follows_a_base_limit_above_the_ceiling() -> None:
    settings = Settings(time_limit=5000, max_time_limit=3600, retry_max_seconds=0)
    assert settings.visibility_timeout > 5000
