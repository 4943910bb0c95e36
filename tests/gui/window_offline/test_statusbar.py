"""The status bar's connection, workers and counts: it must never claim more than the
window knows, least of all workers online while the backend is out of reach."""

from __future__ import annotations

import pytest

from desktop.client import _parse
from desktop.mainwindow import MainWindow
from desktop.records import ConnectionState, ConnectionStatus, Health
from tests.gui.fakes import demo_rows
from tests.gui.window_offline.conftest import load

pytestmark = pytest.mark.gui


def test_status_bar_shows_connection_workers_and_counts(window: MainWindow) -> None:
    load(window, demo_rows())
    label = window.status_panel.connection
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.RECONNECTING, retry_in=3))
    assert label.plain_text() == "Reconnecting in 3 s"
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.DOWN, retry_in=10))
    assert label.plain_text() == "Backend down · retrying in 10 s"
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.CONNECTED))
    assert label.plain_text() == "Connected"
    window.on_health_changed(Health(status="ok", workers=4))
    assert window.status_panel.workers.text() == "4 workers online"
    degraded = {"status": "degraded", "workers": 4, "queued": None, "redis": True, "database": True}
    for health, says in [
        ({**degraded, "redis": False, "workers": None}, "Redis down"),
        ({**degraded, "redis": False, "queued": 7}, "Redis refuses changes (disk full?)"),
        ({**degraded, "database": False}, "database down"),
    ]:
        window.on_health_changed(_parse.health(health))
        assert says in window.status_panel.workers.text()
    window.on_health_changed(Health(status="ok", workers=4))
    counts = window.status_panel.counts.text()
    for expected in ("3</span> running", "2</span> pending", "1</span> failed"):
        assert expected in counts


def test_no_workers_are_claimed_while_disconnected(window: MainWindow) -> None:
    workers = window.status_panel.workers
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.CONNECTED))
    window.on_health_changed(Health(status="ok", workers=2))
    assert workers.text() == "2 workers online"
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.DOWN, retry_in=30))
    assert workers.text() == "Workers: unknown"
    window.on_health_changed(Health(status="ok", workers=2))  # an answer from before
    assert workers.text() == "Workers: unknown"
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.CONNECTED))
    window.on_health_changed(Health(status="ok", workers=1))
    assert workers.text() == "1 worker online"
