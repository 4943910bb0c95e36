"""How the desktop trusts a backend it reaches over the network.

Every call carries the backend's bearer token, so:

- plain HTTP goes only to a loopback address (``localhost``, ``127.0.0.0/8``, ``::1``),
  judged from the URL alone, before any socket opens: a name is not resolved, since
  an attacker on the network could answer that lookup too;
- HTTPS is verified against the system's certificate store, or, for a certificate no
  authority signed (a self-signed one, usual on a private server), against the one
  certificate the user trusted for that URL after comparing its SHA-256 fingerprint.
  A pinned certificate is the server's identity: a different one is refused, whatever
  signed it, and its name need not match the URL (an address, or a name the
  certificate was not made for, reaches the same server).

The pins live in QSettings (``connection/certificates``: one PEM per origin); they are
public data, unlike the token (:mod:`desktop.credentials`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from PySide6.QtCore import QSettings

#: Seconds a certificate probe waits for the connection and the handshake.
PROBE_TIMEOUT = 5.0
_PINS_KEY = "connection/certificates"


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url``: what a pin (and a stored token) belongs to."""
    parts = urlsplit(url.strip())
    default = 443 if parts.scheme == "https" else 80
    host = parts.hostname or ""
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}:{parts.port or default}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (from a URL, unresolved) names this machine."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_refusal(url: str) -> str | None:
    """Why a token must not go to ``url``, or None when it may."""
    parts = urlsplit(url.strip())
    if parts.scheme != "http" or is_loopback(parts.hostname or ""):
        return None
    return (
        f"Refusing to send the token over plain HTTP to {parts.hostname}, which is not this "
        "computer: anyone on the network could read it. Use https:// (the backend serves "
        "HTTPS with TASKDESK_TLS_CERT and TASKDESK_TLS_KEY)."
    )


def fingerprint(der: bytes) -> str:
    """SHA-256 of a certificate, as ``openssl x509 -fingerprint -sha256`` shows it."""
    return ":".join(f"{byte:02X}" for byte in hashlib.sha256(der).digest())


def ssl_context(pinned_pem: str | None = None) -> ssl.SSLContext:
    """The context a client verifies a backend with: the system store, or only the pin."""
    if pinned_pem is None:
        return ssl.create_default_context()
    context = ssl.create_default_context(cadata=pinned_pem)
    # The pin is the identity, whatever name or address the URL uses.
    context.check_hostname = False
    # A pinned leaf is trusted as it is, even when an unknown authority signed it.
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


@dataclass(frozen=True)
class Certificate:
    """What a backend presented, and whether this computer already trusts it."""

    der: bytes
    #: Verified against the system store (nothing to ask the user).
    trusted: bool

    @property
    def pem(self) -> str:
        return ssl.DER_cert_to_PEM_cert(self.der)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.der)


def probe(url: str, timeout: float = PROBE_TIMEOUT) -> Certificate:
    """The certificate ``url``'s server presents; blocking, so call it off the GUI thread.

    Raises ``OSError`` (``ssl.SSLError`` among them) when there is no TLS server there.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    try:
        return Certificate(_handshake(host, port, ssl.create_default_context(), timeout), True)
    except ssl.SSLCertVerificationError:
        pass
    # Not trusted here: fetch it only to show its fingerprint; nothing is sent.
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    return Certificate(_handshake(host, port, unverified, timeout), False)


def _handshake(host: str, port: int, context: ssl.SSLContext, timeout: float) -> bytes:
    with (
        socket.create_connection((host, port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    if der is None:
        raise ssl.SSLError("the server sent no certificate")
    return der


class CertificatePins:
    """The certificates the user trusted, one per origin, in QSettings."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def _all(self) -> dict[str, str]:
        try:
            pins = json.loads(str(self._settings.value(_PINS_KEY, "{}") or "{}"))
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in pins.items()} if isinstance(pins, dict) else {}

    def get(self, url: str) -> str | None:
        """The pinned PEM for ``url``'s origin, if the user trusted one."""
        return self._all().get(origin(url))

    def pin(self, url: str, pem: str) -> None:
        pins = self._all()
        pins[origin(url)] = pem
        self._settings.setValue(_PINS_KEY, json.dumps(pins))
        self._settings.sync()
