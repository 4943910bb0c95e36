"""The "Connect to server…" dialog: a remote backend's URL and token, or the local one.

It refuses, with the reason under the fields, a plain ``http://`` URL to another machine
(the token would cross the network in clear). For ``https://`` it looks at the server's
certificate before it accepts (on a thread: the server may be slow to answer): one the
system trusts, or the one pinned for that URL, goes through; any other is shown by its
SHA-256 fingerprint, and the user pins it or goes back (:mod:`desktop.tls`).
"""

from __future__ import annotations

from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.tls import Certificate, CertificatePins, plain_http_refusal, probe


class CertificateProbe(QThread):
    """Fetches a server's certificate (:func:`desktop.tls.probe`) off the GUI thread."""

    #: The certificate the server presented.
    presented = Signal(object)  # Certificate
    #: No TLS server answered there; why.
    failed = Signal(str)

    def __init__(self, url: str) -> None:
        super().__init__()
        self.setObjectName("taskdesk-certificate-probe")
        self._url = url

    def run(self) -> None:
        try:
            certificate = probe(self._url)
        except OSError as exc:
            self.failed.emit(str(exc) or type(exc).__name__)
            return
        self.presented.emit(certificate)


class ConnectDialog(QDialog):
    """Asks where the backend is; :meth:`choice` returns (url, token) or None for local."""

    def __init__(
        self,
        current: tuple[str, str] | None = None,
        parent: QWidget | None = None,
        *,
        pins: CertificatePins | None = None,
        token_kept: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to server")
        self._pins = pins
        self._probe: CertificateProbe | None = None
        self.local = QRadioButton("Local backend on this computer (started when needed)", self)
        self.remote = QRadioButton("Remote backend", self)
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("https://host:port")
        self.token = QLineEdit(self)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("the backend's token file")
        form = QFormLayout()
        form.addRow("URL:", self.url)
        form.addRow("Token:", self.token)
        #: Why the URL cannot be used, or what the dialog is doing.
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.hide()
        #: Where the token is kept, when that is not the system keyring.
        self.keyring_note = QLabel(
            "No system keyring is available: the token is kept for this session only, "
            "and asked again next time.",
            self,
        )
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setVisible(not token_kept)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.local)
        layout.addWidget(self.remote)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.keyring_note)
        layout.addWidget(buttons)
        for signal in (self.remote.toggled, self.url.textChanged, self.token.textChanged):
            signal.connect(self._update)
        if current:
            self.remote.setChecked(True)
            self.url.setText(current[0])
            self.token.setText(current[1])
        else:
            self.local.setChecked(True)
        self._update()

    def _update(self, *_args: object) -> None:
        remote = self.remote.isChecked()
        self.url.setEnabled(remote)
        self.token.setEnabled(remote)
        url = self.url.text().strip()
        refusal = plain_http_refusal(url) if remote else None
        self._say(refusal)
        valid = url.startswith(("http://", "https://")) and bool(self.token.text().strip())
        self._ok.setEnabled(not remote or (valid and refusal is None))

    def _say(self, text: str | None) -> None:
        self.message.setText(text or "")
        self.message.setVisible(bool(text))

    def choice(self) -> tuple[str, str] | None:
        if self.local.isChecked():
            return None
        return self.url.text().strip().rstrip("/"), self.token.text().strip()

    # -- accepting: an https URL's certificate first ---------------------------------------

    def _on_buttons_accepted(self) -> None:
        choice = self.choice()
        if choice is None or not choice[0].startswith("https://"):
            self.accept()
            return
        self._ok.setEnabled(False)
        self._say("Checking the server's certificate…")
        self._probe = CertificateProbe(choice[0])
        self._probe.presented.connect(self.on_probe_presented)
        self._probe.failed.connect(self.on_probe_failed)
        self._probe.start()

    def on_probe_failed(self, reason: str) -> None:
        self._update()
        self._say(f"No HTTPS server answered there: {reason}")

    def on_probe_presented(self, certificate: Certificate) -> None:
        self._update()
        url = self.choice()
        if url is None:
            return
        pinned = self._pins.get(url[0]) if self._pins is not None else None
        if certificate.trusted or (pinned is not None and _same(pinned, certificate.pem)):
            self.accept()
            return
        if self._confirm_pin(certificate, changed=pinned is not None):
            if self._pins is not None:
                self._pins.pin(url[0], certificate.pem)
            self.accept()
        else:
            self._say("Not connected: the server's certificate was not trusted.")

    def _confirm_pin(self, certificate: Certificate, *, changed: bool) -> bool:
        if changed:
            intro = (
                "The server presents a different certificate from the one trusted before. "
                "If it was not replaced on purpose, someone may be intercepting the "
                "connection."
            )
        else:
            intro = "No authority this computer trusts has signed the server's certificate."
        box = QMessageBox(
            QMessageBox.Icon.Warning if changed else QMessageBox.Icon.Question,
            "Trust this certificate?",
            f"{intro}\n\nSHA-256 fingerprint:\n{certificate.fingerprint}\n\n"
            "Compare it with the server's (openssl x509 -noout -fingerprint -sha256 "
            "-in the certificate file). Trust this certificate for this URL from now on?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def done(self, result: int) -> None:
        # A probe still running when the dialog goes would abort the process.
        if self._probe is not None:
            self._probe.wait()
        super().done(result)


def _same(pem_a: str, pem_b: str) -> bool:
    return pem_a.strip() == pem_b.strip()
