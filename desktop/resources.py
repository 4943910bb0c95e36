"""Finding what ships in ``resources/`` from a checkout, an install or a frozen bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap


def resource_dir() -> Path | None:
    """``TASKDESK_RESOURCES``, the bundle's folder, or the checkout's ``resources/``."""
    candidates = []
    if os.environ.get("TASKDESK_RESOURCES"):
        candidates.append(Path(os.environ["TASKDESK_RESOURCES"]))
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources")
    candidates.append(Path(__file__).resolve().parents[1] / "resources")
    return next((path for path in candidates if path.is_dir()), None)


def app_icon() -> QIcon:
    """The app icon; drawn in code when the SVG is not around (a bare pip install)."""
    folder = resource_dir()
    if folder is not None and (folder / "taskdesk.svg").is_file():
        icon = QIcon(str(folder / "taskdesk.svg"))
        if not icon.isNull():
            return icon
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#1d4ed8"))
    painter.drawRoundedRect(QRectF(4, 4, 56, 56), 12, 12)
    painter.setBrush(QColor("white"))
    painter.drawRoundedRect(QRectF(16, 14, 32, 36), 3, 3)
    painter.end()
    return QIcon(pixmap)
