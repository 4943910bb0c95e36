"""The "Connect to server…" dialog: a remote backend's URL and token, or the local one."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)


class ConnectDialog(QDialog):
    """Asks where the backend is; :meth:`choice` returns (url, token) or None for local."""

    def __init__(
        self, current: tuple[str, str] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to server")
        self.local = QRadioButton("Local backend on this computer (started when needed)", self)
        self.remote = QRadioButton("Remote backend", self)
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("http://host:port")
        self.token = QLineEdit(self)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("the backend's token file")
        form = QFormLayout()
        form.addRow("URL:", self.url)
        form.addRow("Token:", self.token)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.local)
        layout.addWidget(self.remote)
        layout.addLayout(form)
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
        valid = url.startswith(("http://", "https://")) and bool(self.token.text().strip())
        self._ok.setEnabled(not remote or valid)

    def choice(self) -> tuple[str, str] | None:
        if self.local.isChecked():
            return None
        return self.url.text().strip().rstrip("/"), self.token.text().strip()
