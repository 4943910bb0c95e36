"""The save dialog's answer read into a format and a path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtTest import QSignalSpy
from PySide6.QtWidgets import QFileDialog, QWidget

from backend.export import ExportFormat as BackendExportFormat
from backend.formats import ResultFormat
from desktop.export import FILTERS, MAX_SELECTED, Exporter, chosen_format
from desktop.records import TaskRow
from desktop.search.records import MANY_TASKS, ONE_TASK, ExportFormat

F = ExportFormat


def test_the_window_offers_exactly_the_backends_formats() -> None:
    assert {f.value for f in ONE_TASK} == {f.value for f in ResultFormat}
    assert {f.value for f in MANY_TASKS} == {f.value for f in BackendExportFormat}
    assert set(FILTERS) == set(ExportFormat)


@pytest.mark.parametrize(
    ("name", "selected", "expected"),
    [
        ("/x/report.txt", FILTERS[F.TXT], (F.TXT, "/x/report.txt")),
        ("/x/report", FILTERS[F.MD], (F.MD, "/x/report.md")),
        ("/x/report.JSON", FILTERS[F.TXT], (F.JSON, "/x/report.JSON")),  # typed wins
        ("/x/report.v2", FILTERS[F.JSON], (F.JSON, "/x/report.v2.json")),
        ("/x/report", "a filter of no format", (F.TXT, "/x/report.txt")),
    ],
)
def test_the_format_is_the_extension_typed_else_the_filter(
    name: str, selected: str, expected: tuple[ExportFormat, str]
) -> None:
    fmt, path = chosen_format(name, selected, (F.TXT, F.MD, F.JSON))
    assert (fmt, path) == (expected[0], Path(expected[1]))


def test_an_extension_of_a_format_not_offered_gets_the_filters() -> None:
    assert chosen_format("/x/a.csv", FILTERS[F.ZIP], (F.ZIP, F.JSONL)) == (
        F.ZIP,
        Path("/x/a.csv.zip"),
    )


def test_a_selection_past_the_apis_limit_is_refused_in_the_status_bar(
    qtbot: Any, row: Callable[..., TaskRow], monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    said: list[str] = []
    exporter = Exporter(parent, lambda message, _ms: said.append(message))
    asked = QSignalSpy(exporter.export_requested)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: ("/x/a.zip", FILTERS[F.ZIP]))
    exporter.export_tasks([row(f"t{i}") for i in range(MAX_SELECTED + 1)])
    assert asked.count() == 0 and "at most 10,000 tasks" in said[0]
    exporter.export_tasks([row(f"t{i}") for i in range(MAX_SELECTED)])
    assert asked.count() == 1 and len(asked.at(0)[0].ids) == MAX_SELECTED


def test_a_batch_is_saved_under_its_name_where_it_has_one(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    exporter = Exporter(parent, lambda _message, _ms: None)
    suggested: list[str] = []

    def dialog(_parent: QWidget, _title: str, name: str, _filters: str) -> tuple[str, str]:
        suggested.append(Path(name).name)
        return name, FILTERS[F.ZIP]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    requested = QSignalSpy(exporter.export_requested)
    exporter.export_batch(["18ed4d74-aaaa"], "Q3/board: report.pdf + 3 more")
    exporter.export_batch(["18ed4d74-aaaa", "29fe5e85-bbbb"])
    assert suggested == ["Q3_board_ report.pdf + 3 more.zip", "batch-18ed4d74.zip"]
    assert requested.at(0)[0].label == "Q3/board: report.pdf + 3 more"
