"""Nobody but the user reaches the backend: another local user, and other machines.

The API tests check the token on every endpoint and the token file's mode; here a
second local user (``nobody``, through ``runuser``, where the machine allows) tries the
data folder, Redis and the API, and the listening sockets are checked to be loopback.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess

import psutil
import pytest

from tests.faults.helpers import child
from tests.stack import Stack

pytestmark = pytest.mark.slow

#: Run as another user: every step prints what it got, and nothing may succeed.
INTRUDER = """
import socket, sys, urllib.request, urllib.error
home, redis_port, api_url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for name in ("token", "taskdesk.db", "redis/password", "redis/appendonly.aof", "runtime.json"):
    try:
        open(f"{home}/{name}", "rb").read(1)
        print("READ", name)
    except PermissionError:
        print("denied", name)
with socket.create_connection(("127.0.0.1", redis_port), timeout=5) as sock:
    sock.sendall(b"LPUSH celery x\\r\\n")
    print("redis", sock.recv(200).decode().strip())
request = urllib.request.Request(f"{api_url}/api/batches", data=b"x", method="POST")
try:
    urllib.request.urlopen(request, timeout=5)
    print("api accepted")
except urllib.error.HTTPError as exc:
    print("api", exc.code)
"""


def test_another_local_user_can_read_nothing_and_enqueue_nothing(stack: Stack) -> None:
    if os.geteuid() != 0 or not shutil.which("runuser"):
        pytest.skip("needs root and runuser to act as a second user")
    redis_port = stack.runtime["redis_url"].rsplit(":", 1)[1].split("/")[0]
    done = subprocess.run(
        [
            "runuser",
            "-u",
            "nobody",
            "--",
            "python3",
            "-c",
            INTRUDER,
            str(stack.home),
            redis_port,
            stack.runtime["url"],
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert not [line for line in lines if line.startswith("READ")], lines
    assert any(line.startswith("redis -NOAUTH") for line in lines), lines
    assert "api 401" in lines, lines
    assert stat.S_IMODE(stack.home.stat().st_mode) == 0o700
    # Owner-only in themselves too, not only through the folder around them.
    for name in ("token", "taskdesk.db", "redis/password", "redis/appendonly.aof"):
        mode = stat.S_IMODE((stack.home / name).stat().st_mode)
        assert mode & 0o077 == 0, f"{name} is {oct(mode)}"


def test_redis_and_the_api_listen_on_loopback_only(stack: Stack) -> None:
    for marker in ("redis-server", "backend.api"):
        listening = [
            c.laddr.ip
            for c in child(stack, marker).net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        ]
        assert listening and set(listening) <= {"127.0.0.1", "::1"}, (marker, listening)
