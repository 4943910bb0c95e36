"""Inputs and results in an S3-compatible object store, which every host can reach.

``TASKDESK_STORAGE_URL=s3://bucket/prefix`` names where; the objects are the data
folder's layout under the prefix (``<prefix>/files/<id>.pdf``, ``<prefix>/results/<id>.json``).
Nothing crosses the network whole in memory: an upload arrives in a local spool file (the
data folder's ``files/.upload-*.part``, as without S3) and goes up in parts; a run
downloads its input to a scratch file in this host's ``TASKDESK_HOME`` and uploads its
result, and both scratch files go when the run ends; the API reads a result as a stream.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from backend.errors import PermanentError
from backend.filestore import FileStore, StoredResult, Workspace

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from backend.config import Settings

#: Parts of 8 MB, two at a time: what an upload or download holds in memory is bounded.
TRANSFER = TransferConfig(multipart_chunksize=8 << 20, max_concurrency=2)
#: Checksums only where S3 requires them: S3-compatible servers refuse some of the
#: newer default ones (CRC trailers on streamed uploads).
CLIENT_CONFIG = Config(
    request_checksum_calculation="when_required",
    response_checksum_validation="when_required",
    retries={"mode": "standard", "max_attempts": 3},
)
_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Store(FileStore):
    """The tasks' inputs and results in one bucket, under one prefix."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        assert settings.storage_url is not None
        bucket, _, prefix = settings.storage_url.removeprefix("s3://").partition("/")
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.scratch_dir = settings.home / "scratch"
        self.client: S3Client = boto3.session.Session().client(
            "s3", endpoint_url=settings.s3_endpoint_url, config=CLIENT_CONFIG
        )

    @property
    def folders(self) -> tuple[Path, ...]:
        return self.files_dir, self.scratch_dir

    def input_key(self, task_id: str) -> str:
        return f"{self.prefix}files/{task_id}.pdf"

    def result_key(self, task_id: str) -> str:
        return f"{self.prefix}results/{task_id}.json"

    def save_input(self, received: Path, task_id: str) -> None:
        self.client.upload_file(
            str(received), self.bucket, self.input_key(task_id), Config=TRANSFER
        )
        received.unlink()

    @contextlib.contextmanager
    def workspace(self, task_id: str) -> Iterator[Workspace]:
        # Named for the task, so a run whose process was killed leaves nothing behind for
        # long: the task's next run here clears it (only one run of a task is ever live).
        folder = self.scratch_dir / task_id
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, mode=0o700)
        try:
            workspace = Workspace(folder / "input.pdf", folder / "result.json")
            try:
                self.client.download_file(
                    self.bucket, self.input_key(task_id), str(workspace.input), Config=TRANSFER
                )
            except ClientError as exc:
                if _missing(exc):
                    raise PermanentError("the task's input is not in the storage") from None
                raise
            yield workspace
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def keep_result(self, task_id: str, workspace: Workspace) -> None:
        if workspace.result.exists():
            self.client.upload_file(
                str(workspace.result), self.bucket, self.result_key(task_id), Config=TRANSFER
            )

    def result(self, task_id: str) -> StoredResult | None:
        key = self.result_key(task_id)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

        def body() -> BinaryIO:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
            return cast(BinaryIO, response["Body"])

        return StoredResult(head["ETag"], head["ContentLength"], body)

    def delete(self, task_id: str) -> None:
        keys = (self.input_key(task_id), self.result_key(task_id))
        self.client.delete_objects(
            Bucket=self.bucket,
            Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
        )


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in _MISSING
