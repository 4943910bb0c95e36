"""Render the window with made-up rows (every state) and save a PNG, for people to look at.

Run it under a real X server to see real fonts and the platform style::

    xvfb-run -a python -m tests.gui.screenshot build/screenshots/demo.png [--dark]

The test ``test_screenshot.py`` runs the same function offscreen.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop.mainwindow import MainWindow
from desktop.records import ConnectionState, ConnectionStatus, Health, TaskStatus
from desktop.resources import app_icon
from desktop.settings import Preferences
from desktop.tasks import TaskTableModel
from tests.gui.fakes import demo_detail, demo_rows


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in {
        QPalette.ColorRole.Window: "#1f2125",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#16181b",
        QPalette.ColorRole.AlternateBase: "#1d2024",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#2a2d32",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#2f6fd6",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#8a8f98",
        QPalette.ColorRole.ToolTipBase: "#2a2d32",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
    }.items():
        palette.setColor(role, QColor(color))
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(disabled, role, QColor("#6b7078"))
    return palette


def render_demo_window(path: Path, *, dark: bool = False, width: int = 1360) -> MainWindow:
    """Build a populated window, save its screenshot to ``path``, return the window."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    if dark:
        app.setStyle("Fusion")
        QGuiApplication.setPalette(dark_palette())
    settings_file = Path(tempfile.mkdtemp(prefix="taskdesk-shot-")) / "taskdesk.ini"
    prefs = Preferences(QSettings(str(settings_file), QSettings.Format.IniFormat))
    prefs.set_close_notice_shown()
    model = TaskTableModel()
    window = MainWindow(model, prefs, icon=app_icon())
    window.resize(width, 780)
    rows = demo_rows()
    model.apply_rows(rows)
    model.flush()
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.CONNECTED))
    window.on_health_changed(Health(status="ok", workers=4, queued=2))
    window.show()
    retrying = next(row for row in rows if row.status is TaskStatus.RETRYING)
    window.view.select_task(retrying.id)
    window.on_commands_detail_loaded(demo_detail(retrying))
    for _ in range(5):
        app.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    return window


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("png", type=Path)
    parser.add_argument("--dark", action="store_true", help="use a dark palette")
    args = parser.parse_args(argv)
    window = render_demo_window(args.png, dark=args.dark)
    window.deleteLater()
    print(args.png)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
