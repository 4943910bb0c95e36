"""The Celery app's configuration, as the settings shape it."""

from __future__ import annotations

from pathlib import Path

from backend.config import Settings
from backend.worker.celeryapp import app_settings, make_app


def test_task_events_wait_for_a_watcher_unless_switched_on(tmp_path: Path) -> None:
    off = Settings(home=tmp_path, redis_url="redis://localhost:1/0")
    on = off.model_copy(update={"task_events": True})
    assert make_app(off).conf.worker_send_task_events is False
    assert make_app(on).conf.worker_send_task_events is True


def test_the_settings_are_the_apps_but_not_in_its_conf(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, redis_url="redis://:Pw-4a7f2c@localhost:1/0")
    app = make_app(settings)
    assert app_settings(app) is settings
    assert "Pw-4a7f2c" not in repr(dict(app.conf.table(with_defaults=True, censored=True)))
