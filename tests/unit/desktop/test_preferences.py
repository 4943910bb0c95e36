"""What the desktop remembers stays the user's own (the token itself: test_credentials.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from desktop.options import DropOptions
from desktop.settings import Preferences


def test_the_settings_file_is_readable_by_its_owner_only(prefs: Preferences) -> None:
    prefs.save_filter(set(), "reports")
    prefs.sync()  # QSettings makes the file as the umask says (usually for all to read)
    path = Path(prefs.settings.fileName())

    prefs.set_remote_server("http://10.0.0.5:8765", "s3cret")
    assert path.stat().st_mode & 0o777 == 0o600
    # Later writes (the window's layout at every close) keep it so.
    prefs.save_layout(
        geometry=QByteArray(b"g"),
        window_state=QByteArray(b"w"),
        splitter=QByteArray(b"s"),
        header=QByteArray(b"h"),
        columns=9,
    )
    prefs.sync()
    assert path.stat().st_mode & 0o777 == 0o600
    assert prefs.remote_server() == ("http://10.0.0.5:8765", "s3cret")

    prefs.set_remote_server(None)
    assert prefs.remote_server() is None


def test_drop_options_survive_a_restart_and_junk_falls_back(prefs: Preferences) -> None:
    assert prefs.drop_options() == DropOptions()
    chosen = DropOptions(
        "demo.script", max_retries=0, soft_time_limit=8, time_limit=12, ocr="never"
    )
    prefs.set_drop_options(chosen)
    prefs.sync()
    assert (
        Preferences(QSettings(prefs.settings.fileName(), QSettings.Format.IniFormat)).drop_options()
        == chosen
    )
    prefs.set_drop_options(DropOptions())
    assert prefs.drop_options() == DropOptions()
    for key, junk in (("drop/max_retries", "many"), ("drop/time_limit", "inf"), ("drop/ocr", "x")):
        prefs.settings.setValue(key, junk)
    assert prefs.drop_options() == DropOptions()
