"""The About box: what this is, which version, and where its data and backend are."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop import __version__
from desktop.resources import app_icon


def about_text(backend_url: str | None) -> str:
    backend = backend_url or "not connected"
    return (
        f"<h3>Taskdesk {__version__}</h3>"
        "<p>Runs long batches of PDF work on a bundled Celery backend and shows every "
        "task live.</p>"
        f"<p>Backend: {backend}</p>"
    )


def show_about(parent: QWidget, backend_url: str | None) -> QMessageBox:
    """Open the About box without blocking (the feed keeps flowing behind it)."""
    box = QMessageBox(parent)
    box.setWindowTitle("About Taskdesk")
    box.setIconPixmap(app_icon().pixmap(64, 64))
    box.setText(about_text(backend_url))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
    return box
