"""Drag-and-drop events as a file manager would deliver them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent


def urls_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    return mime


def drag_event(event_type: type[QDropEvent], mime: QMimeData, at: QPointF) -> QDropEvent:
    """A drag event (the caller keeps ``mime`` alive).

    PySide6 before 6.12 takes a QPoint for drag-enter and drag-move, a QPointF for drop.
    """
    rest = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    try:
        return event_type(at, *rest)
    except TypeError:
        return event_type(at.toPoint(), *rest)
