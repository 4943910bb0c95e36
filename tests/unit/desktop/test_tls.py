"""HTTPS to a remote backend: verified, or pinned after its fingerprint was shown; never
the token over plain HTTP to another machine.

The server is a real uvicorn serving HTTPS with a certificate made in the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from desktop.client import ApiClient, BackendUnavailable, InsecureConnection
from desktop.records import Endpoint
from desktop.tls import is_loopback, origin, plain_http_refusal, probe
from tests.certs import HEALTH, SelfSigned, self_signed, serve_health


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> SelfSigned:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def https_url(certificate: SelfSigned) -> Iterator[str]:
    with serve_health(certificate) as url:
        yield url


def _health(url: str, certificate: str | None) -> str:
    api = ApiClient(Endpoint(url, "t0ken", local=False, certificate=certificate))
    try:
        return api.health().status
    finally:
        api.close()


def test_first_connect_shows_the_fingerprint_of_an_untrusted_certificate(
    https_url: str, certificate: SelfSigned
) -> None:
    presented = probe(https_url)
    assert not presented.trusted
    assert presented.fingerprint == certificate.fingerprint
    assert presented.pem.strip() == certificate.pem.strip()


def test_the_pinned_certificate_is_accepted(https_url: str, certificate: SelfSigned) -> None:
    assert _health(https_url, probe(https_url).pem) == "ok"
    # By any name of the same server: the pin is its identity.
    assert _health(https_url.replace("127.0.0.1", "localhost"), certificate.pem) == "ok"


def test_unpinned_self_signed_is_refused(https_url: str) -> None:
    with pytest.raises(BackendUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
        _health(https_url, None)


def test_a_different_certificate_than_the_pinned_one_is_refused(
    https_url: str, tmp_path: Path
) -> None:
    other = self_signed(tmp_path, "impostor")
    with pytest.raises(BackendUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
        _health(https_url, other.pem)


def test_plain_http_to_another_machine_is_refused_before_any_request() -> None:
    sent: list[httpx.Request] = []

    def transport(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=HEALTH)

    api = ApiClient(
        Endpoint("http://10.1.2.3:8765", "t0ken", local=False),
        transport=httpx.MockTransport(transport),
    )
    with pytest.raises(InsecureConnection, match="plain HTTP to 10.1.2.3"):
        api.health()
    assert sent == []
    api.close()

    loopback = ApiClient(
        Endpoint("http://127.0.0.1:8765", "t0ken"), transport=httpx.MockTransport(transport)
    )
    assert loopback.health().status == "ok"
    assert len(sent) == 1
    loopback.close()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("[::1]", True),
        ("10.0.0.5", False),
        ("192.168.1.2", False),
        ("myserver", False),  # not resolved: DNS could lie
        ("localhost.example.com", False),
    ],
)
def test_what_counts_as_this_machine(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert (plain_http_refusal(f"http://{host}:80/") is None) is loopback
    assert plain_http_refusal(f"https://{host}:80/") is None


def test_origin_names_scheme_host_and_port() -> None:
    assert origin("https://Host.example/api") == "https://host.example:443"
    assert origin("http://[::1]:8000/") == "http://[::1]:8000"
