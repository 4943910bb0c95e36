"""Inputs and results in an S3-compatible object store, which every host can reach.

``TASKDESK_STORAGE_URL=s3://bucket/prefix`` names where; the objects keep the data
folder's layout under the prefix (``<prefix>/files/<id>.pdf``, ``…/results/<id>.json``).
Nothing crosses the network whole in memory: an upload arrives in a local spool file
(the data folder's ``files/.upload-*.part``, as without S3) and goes up, in parts when
large; a run downloads its input to a scratch folder in this host's ``TASKDESK_HOME``
and uploads its result, and the folder goes when the run ends; the API reads a result
as a stream.
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
from backend.filestore import CHUNK_BYTES, FileStore, StoredResult, Workspace

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from backend.config import Settings

#: Parts of 8 MB, two at a time, above 8 MB: what an upload holds in memory is bounded.
#: (A download is one streamed response, copied to its file a chunk at a time.)
TRANSFER = TransferConfig(
    multipart_threshold=8 << 20, multipart_chunksize=8 << 20, max_concurrency=2
)
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
        self._put(received, self.input_key(task_id))
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
                response = self.client.get_object(Bucket=self.bucket, Key=self.input_key(task_id))
            except ClientError as exc:
                if _missing(exc):
                    raise PermanentError("the task's input is not in the storage") from None
                raise
            with contextlib.closing(response["Body"]), workspace.input.open("wb") as out:
                shutil.copyfileobj(response["Body"], out, CHUNK_BYTES)
            yield workspace
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def keep_result(self, task_id: str, workspace: Workspace) -> None:
        if workspace.result.exists():
            self._put(workspace.result, self.result_key(task_id))

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

    def _put(self, path: Path, key: str) -> None:
        """One request for a file under a part's size (most are), read as it is sent;
        parts, two at a time, above it."""
        if path.stat().st_size <= TRANSFER.multipart_threshold:
            with path.open("rb") as body:
                self.client.put_object(Bucket=self.bucket, Key=key, Body=body)
        else:
            self.client.upload_file(str(path), self.bucket, key, Config=TRANSFER)

    def delete(self, task_id: str) -> None:
        keys = (self.input_key(task_id), self.result_key(task_id))
        self.client.delete_objects(
            Bucket=self.bucket,
            Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
        )


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in _MISSING
