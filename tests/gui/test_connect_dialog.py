"""The "Connect to server…" dialog: a URL and token, or the local backend; never the token
in clear to another machine; a self-signed certificate pinned after its fingerprint."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.connectdialog import ConnectDialog
from desktop.tls import CertificatePins
from tests.certs import self_signed, serve_health

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
    dialog = ConnectDialog(("https://10.0.0.5:8000", "tok"))
    qtbot.addWidget(dialog)
    assert dialog.remote.isChecked()
    assert dialog.choice() == ("https://10.0.0.5:8000", "tok")


def test_plain_http_to_another_machine_is_refused_with_the_reason(qtbot: Any) -> None:
    dialog = ConnectDialog(("http://10.0.0.5:8000", "tok"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog._ok.isEnabled()
    assert dialog.message.isVisible()
    assert "plain HTTP to 10.0.0.5" in dialog.message.text()
    dialog.url.setText("http://127.0.0.1:8000")
    assert dialog._ok.isEnabled()
    assert not dialog.message.isVisible()


def test_without_a_keyring_it_says_the_token_lasts_the_session(qtbot: Any) -> None:
    dialog = ConnectDialog(token_kept=False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.keyring_note.isVisible()


def _answer_trust_box(button: QMessageBox.StandardButton, seen: list[str]) -> QTimer:
    """Answer the question box once it shows: it runs a modal loop of its own, so the
    answer must come from a timer inside that loop."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            timer.stop()
            seen.append(box.text())
            box.button(button).click()

    timer = QTimer()
    timer.timeout.connect(answer)
    timer.start(20)
    return timer


def test_a_self_signed_certificate_is_pinned_after_its_fingerprint_is_shown(
    qtbot: Any, tmp_path: Path
) -> None:
    certificate = self_signed(tmp_path)
    pins = CertificatePins(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat))
    with serve_health(certificate) as url:
        dialog = ConnectDialog((url, "tok"), pins=pins)
        qtbot.addWidget(dialog)
        dialog.show()
        seen: list[str] = []
        answering = _answer_trust_box(QMessageBox.StandardButton.Yes, seen)
        with qtbot.wait_signal(dialog.accepted, timeout=10_000):
            dialog._ok.click()
        assert not answering.isActive()
        assert certificate.fingerprint in seen[0]
        assert pins.get(url) == ssl.DER_cert_to_PEM_cert(ssl.PEM_cert_to_DER_cert(certificate.pem))

        # Pinned: the next connect goes through without a question.
        again = ConnectDialog((url, "tok"), pins=pins)
        qtbot.addWidget(again)
        with qtbot.wait_signal(again.accepted, timeout=10_000):
            again._ok.click()


def test_a_certificate_not_trusted_leaves_the_dialog_open(qtbot: Any, tmp_path: Path) -> None:
    pins = CertificatePins(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat))
    with serve_health(self_signed(tmp_path)) as url:
        dialog = ConnectDialog((url, "tok"), pins=pins)
        qtbot.addWidget(dialog)
        dialog.show()
        seen: list[str] = []
        answering = _answer_trust_box(QMessageBox.StandardButton.No, seen)
        dialog._ok.click()
        qtbot.wait_until(lambda: "not trusted" in dialog.message.text(), timeout=10_000)
        assert seen and not answering.isActive()
        assert dialog.result() == 0 and dialog.isVisible()
        assert pins.get(url) is None
