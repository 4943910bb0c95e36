"""A second host for tests and benchmarks: a network namespace with its own address.

:func:`second_host` makes a namespace joined to this one by a veth pair
(``10.231.N.1`` here, ``10.231.N.2`` there, ``N`` from our pid, or the next one free when
a test running in parallel holds it) and removes it afterwards; a process run with
:meth:`Host.command` sees only that network: it reaches host 1's servers at
:attr:`Host.peer`, as a machine on a LAN would.
:func:`lan_redis` is a Redis for both hosts: the bundled binary, on the veth address,
with a password. Both skip (with the reason) when not root or ``ip`` is missing.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from backend.children import free_port
from backend.redis_server import redis_server_binary


@dataclass(frozen=True)
class Host:
    """The namespace ``name``; host 1 is :attr:`peer` from inside it."""

    name: str
    address: str
    peer: str

    def command(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.name, *args]


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@contextmanager
def second_host() -> Iterator[Host]:
    if os.geteuid() != 0:
        pytest.skip("a second host is a network namespace, which needs root")
    if shutil.which("ip") is None:
        pytest.skip("a second host needs iproute2's `ip`")
    name = f"taskdesk-h2-{os.getpid()}"
    tag = _free_link_tag()
    outside, inside = f"tdh{tag}a", f"tdh{tag}b"
    host = Host(name, f"10.231.{tag}.2", f"10.231.{tag}.1")
    try:
        _ip("netns", "add", name)
        _ip("link", "set", inside, "netns", name)
        _ip("addr", "add", f"{host.peer}/24", "dev", outside)
        _ip("link", "set", outside, "up")
        _ip("-n", name, "addr", "add", f"{host.address}/24", "dev", inside)
        _ip("-n", name, "link", "set", inside, "up")
        _ip("-n", name, "link", "set", "lo", "up")
        yield host
    finally:
        subprocess.run(["ip", "link", "del", outside], capture_output=True)
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def _free_link_tag() -> int:
    """A tag whose veth pair this call made (its subnet is then ours): tests running in
    parallel, each from its own pid, may start from the same one."""
    for offset in range(250):
        tag = (os.getpid() + offset) % 250
        made = subprocess.run(
            ["ip", "link", "add", f"tdh{tag}a", "type", "veth", "peer", "name", f"tdh{tag}b"],
            capture_output=True,
        )
        if made.returncode == 0:
            return tag
    raise RuntimeError("no free veth name for a second host")


@contextmanager
def lan_redis(folder: Path, address: str) -> Iterator[str]:
    """A Redis on ``address`` only, with a password; yields its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    password, port = secrets.token_urlsafe(24), free_port()
    config = folder / "redis.conf"
    config.write_text(
        "\n".join(
            [
                f"bind {address}",
                f"port {port}",
                f"requirepass {password}",
                f"dir {folder}",
                'save ""',
                "appendonly no",
                f"logfile {folder / 'redis.log'}",
            ]
        )
        + "\n"
    )
    config.chmod(0o600)
    process = subprocess.Popen([str(redis_server_binary()), str(config)])
    url = f"redis://:{password}@{address}:{port}/0"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if process.poll() is not None:
                    raise RuntimeError(f"redis-server exited: {process.returncode}") from None
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait()
