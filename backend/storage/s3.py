"""Inputs and results in an S3-compatible object store, which every host can reach.

``TASKDESK_STORAGE_URL=s3://bucket/prefix`` names where; the objects keep the data
folder's layout under the prefix (``<prefix>/files/<id>.pdf``, ``…/results/<id>.json``).
Nothing crosses the network whole in memory: an upload arrives in a local spool file
(the data folder's ``files/.upload-*.part``, as without S3) and goes up, in parts when
large; a run downloads its input to a scratch folder in this host's ``TASKDESK_HOME``
and uploads its result, and the folder goes when the run ends; the API reads a result
or an input as a stream.

The client is obstore (Rust's ``object_store``), not boto3: a worker and the recorder
make a request or two for every task, and boto3 spent more CPU on each than bare Celery
spends on a whole task. Measured against SeaweedFS on a loaded machine, CPU in the
calling process per call: storing an input 0.67 ms (boto3 2.47), a run's download to
its scratch folder 0.88 ms (3.67), looking for a result 0.27 ms (1.92). Credentials and
region come from the standard ``AWS_*`` variables, as for any S3 client.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

import obstore
from obstore.store import S3Store as ObjectStore

from backend.errors import PermanentError
from backend.filestore import CHUNK_BYTES, FileStore, StoredFile, Workspace

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from obstore import ReadableFile

    from backend.config import Settings

#: Parts of 8 MB, two at a time, above 8 MB: what an upload holds in memory is bounded.
PART_BYTES = 8 << 20
PARTS_AT_ONCE = 2
#: A result is read in requests of this many bytes (the reader buffers one).
READ_BYTES = PART_BYTES


class S3Store(FileStore):
    """The tasks' inputs and results in one bucket, under one prefix."""

    #: Each input stored is a request that mostly waits on the network: 3,000 one after
    #: another took 26 s. (PDFium counts their pages one at a time all the same.)
    saves_at_once = 8

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        assert settings.storage_url is not None
        bucket, _, prefix = settings.storage_url.removeprefix("s3://").partition("/")
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.scratch_dir = settings.home / "scratch"
        endpoint = settings.s3_endpoint_url
        self.store = ObjectStore(
            bucket,
            endpoint=endpoint,
            # A server of one's own (SeaweedFS, MinIO) on a LAN may speak plain HTTP.
            client_options={"allow_http": bool(endpoint and endpoint.startswith("http:"))},
            retry_config={"max_retries": 2},
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
                response = obstore.get(self.store, self.input_key(task_id))
            except FileNotFoundError:  # obstore's for a missing object
                raise PermanentError("the task's input is not in the storage") from None
            with workspace.input.open("wb") as out:
                for chunk in response.stream(min_chunk_size=CHUNK_BYTES):
                    out.write(chunk)
            yield workspace
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def keep_result(self, task_id: str, workspace: Workspace) -> None:
        if workspace.result.exists():
            self._put(workspace.result, self.result_key(task_id))

    def stored_input(self, task_id: str) -> StoredFile | None:
        return self._stored(self.input_key(task_id))

    def result(self, task_id: str) -> StoredFile | None:
        return self._stored(self.result_key(task_id))

    def _stored(self, key: str) -> StoredFile | None:
        try:
            head = obstore.head(self.store, key)
        except FileNotFoundError:  # obstore's for a missing object
            return None
        size = head["size"]
        version = head["e_tag"] or head["last_modified"].isoformat()

        def body() -> BinaryIO:
            # A request for every READ_BYTES: one for most files. At CHUNK_BYTES, a
            # 300 kB result took five; one streamed GET would be cut off by the client's
            # 30 s timeout while a slow reader drains a large file.
            reader = obstore.open_reader(self.store, key, buffer_size=READ_BYTES, size=size)
            return cast(BinaryIO, _Reader(reader))

        return StoredFile(version, size, body)

    def result_bytes(self, task_id: str) -> bytes | None:
        try:
            return obstore.get(self.store, self.result_key(task_id)).bytes().to_bytes()
        except FileNotFoundError:  # obstore's for a missing object
            return None

    def _put(self, path: Path, key: str) -> None:
        """One request for a file under a part's size (most are), parts above it."""
        obstore.put(
            self.store,
            key,
            path,
            use_multipart=path.stat().st_size > PART_BYTES,
            chunk_size=PART_BYTES,
            max_concurrency=PARTS_AT_ONCE,
        )

    def delete(self, task_id: str) -> None:
        obstore.delete(self.store, [self.input_key(task_id), self.result_key(task_id)])


class _Reader(io.RawIOBase):
    """A stored object as the binary file the readers of a result expect (bytes, not
    obstore's buffers)."""

    def __init__(self, file: ReadableFile) -> None:
        self._file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        target = memoryview(buffer).cast("B")
        data = memoryview(self._file.read(len(target)))
        target[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()
