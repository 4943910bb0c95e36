"""What the desktop remembers stays the user's own (the token itself: test_credentials.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray

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
    )
    prefs.sync()
    assert path.stat().st_mode & 0o777 == 0o600
    assert prefs.remote_server() == ("http://10.0.0.5:8765", "s3cret")

    prefs.set_remote_server(None)
    assert prefs.remote_server() is None
