"""The GUI-thread collector: off for Python, on for the GUI thread, back at stop."""

from __future__ import annotations

import gc

from pytestqt.qtbot import QtBot

from desktop.gcguard import GuiThreadCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_collects_on_its_timer_and_gives_collection_back(qtbot: QtBot) -> None:
    collector = GuiThreadCollector()  # nested in the autouse one: both leave it disabled
    assert not gc.isenabled()
    gc.collect()
    for _ in range(gc.get_threshold()[0] + 10):
        _Cycle()
    assert gc.get_count()[0] > gc.get_threshold()[0], "no automatic collection meanwhile"
    qtbot.waitUntil(lambda: gc.get_count()[0] < gc.get_threshold()[0], timeout=3000)
    collector.stop()
    assert gc.isenabled()
    gc.disable()  # the autouse collector of this test still owns collection
