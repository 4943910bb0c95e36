"""The "Connect to server…" dialog accepts a URL and token, or the local backend."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.connectdialog import ConnectDialog

pytestmark = pytest.mark.gui


def test_remote_needs_an_http_url_and_a_token(qtbot: Any) -> None:
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    assert dialog.local.isChecked()
    assert dialog._ok.isEnabled()
    assert dialog.choice() is None
    dialog.remote.setChecked(True)
    assert not dialog._ok.isEnabled()
    dialog.url.setText("host:8000")
    dialog.token.setText("secret")
    assert not dialog._ok.isEnabled(), "a URL without a scheme is refused"
    dialog.url.setText("https://host:8000/ ")
    assert dialog._ok.isEnabled()
    assert dialog.choice() == ("https://host:8000", "secret")


def test_opens_on_the_remembered_server(qtbot: Any) -> None:
    dialog = ConnectDialog(("http://10.0.0.5:8000", "tok"))
    qtbot.addWidget(dialog)
    assert dialog.remote.isChecked()
    assert dialog.choice() == ("http://10.0.0.5:8000", "tok")
