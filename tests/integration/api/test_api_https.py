"""The API serves HTTPS when given a certificate and key (TASKDESK_TLS_CERT / _KEY)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from desktop.client import ApiClient, answers, read_runtime
from desktop.records import Endpoint
from desktop.tls import probe, ssl_context
from tests.certs import SelfSigned, self_signed
from tests.stack import Stack, running_stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> SelfSigned:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def https_stack(
    tmp_path_factory: pytest.TempPathFactory, certificate: SelfSigned
) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("https") / "home"
    with running_stack(
        home, TASKDESK_TLS_CERT=str(certificate.cert), TASKDESK_TLS_KEY=str(certificate.key)
    ) as running:
        yield running


def test_the_runtime_file_names_an_https_url(https_stack: Stack) -> None:
    assert https_stack.runtime["url"].startswith("https://127.0.0.1:")
    # The desktop on the same machine finds its backend, certificate included.
    endpoint = read_runtime(https_stack.home)
    assert endpoint is not None and answers(endpoint)


def test_a_desktop_that_pinned_the_certificate_gets_in(
    https_stack: Stack, certificate: SelfSigned
) -> None:
    url, token = https_stack.runtime["url"], https_stack.runtime["token"]
    assert probe(url).fingerprint == certificate.fingerprint
    api = ApiClient(Endpoint(url, token, local=False, certificate=certificate.pem))
    try:
        assert api.health().status == "ok"
        assert api.snapshot().rows == ()
    finally:
        api.close()


def test_no_plain_http_on_the_port(https_stack: Stack, certificate: SelfSigned) -> None:
    plain = https_stack.runtime["url"].replace("https://", "http://")
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{plain}/api/health", timeout=5)
    reply = httpx.get(
        f"{https_stack.runtime['url']}/api/health", verify=ssl_context(certificate.pem), timeout=5
    )
    assert reply.status_code == 200
