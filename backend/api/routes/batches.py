"""``POST /api/batches``: store the files, create the tasks, queue them, answer at once.

Decisions (DESIGN.md leaves them open):

- A batch is all-or-nothing at the body level: tasks are created only after the whole
  body arrived and its fields validated, so a broken upload, an unknown processor or a
  full disk (507) leaves no task and no stray file behind. File by file it is not: a
  refused file is listed in ``rejected`` while the good ones go through.
- When no file at all is accepted the answer is an error with the same ``rejected``
  list beside ``detail``: 413 when every file was too large, else 415.
- Form fields other than ``processor``, ``ocr``, ``max_retries``, ``soft_time_limit``,
  ``time_limit`` and ``batch_name`` are refused (422), so a misspelt option is not
  silently ignored; an empty value means "the default".
- ``batch_name`` is a label like a file's name: cleaned as labels are, cut to
  :data:`MAX_BATCH_NAME_CHARS`; blank means none. A client that splits one drop into
  several requests sends the same name with each, so the drop reads as one.
- Per-batch time limits are per document and may lower the installation's
  (``TASKDESK_TIME_LIMIT``), never raise them. Each task's then grow with its page count
  up to ``TASKDESK_MAX_TIME_LIMIT`` (:mod:`backend.limits`), the bound the broker's
  visibility timeout is set from, so no task is delivered twice. Given only
  ``time_limit``, the soft limit is the installation's when that is lower, else 90 % of it.
"""

from __future__ import annotations

import errno
import logging
import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy.exc
from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from backend import commands
from backend.api.deps import Backend, BackendDep
from backend.api.errors import responses
from backend.api.schemas import BatchCreated, BatchRefused, encoded
from backend.api.uploads import (
    FILE_FIELD,
    MAX_FILES,
    BatchReceiver,
    ReceivedFile,
    UploadError,
    readable_text,
)
from backend.config import Settings
from backend.processors import DEFAULT_OCR, DEFAULT_PROCESSOR, OCR_MODES, processor_names
from backend.rows import new_id

log = logging.getLogger("taskdesk.api")

router = APIRouter(tags=["batches"])

#: Body bytes gathered before one hop to the parsing thread.
FEED_BYTES = 1 << 20
#: Highest ``max_retries`` a batch may ask for.
MAX_RETRIES_LIMIT = 100
#: Longest batch name kept, in characters.
MAX_BATCH_NAME_CHARS = 200
#: Room for multipart headers and boundaries per file, for the Content-Length sanity check.
_PART_OVERHEAD = 16 * 1024

_OPTION_FIELDS = (
    "processor",
    "ocr",
    "max_retries",
    "soft_time_limit",
    "time_limit",
    "batch_name",
)

UPLOAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [FILE_FIELD],
    "properties": {
        FILE_FIELD: {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "description": "One or more PDFs (checked by content; the name is only a label).",
        },
        "processor": {
            "type": "string",
            "default": DEFAULT_PROCESSOR,
            "description": "The processor to run on every file of the batch.",
        },
        "ocr": {
            "type": "string",
            "enum": list(OCR_MODES),
            "default": DEFAULT_OCR,
            "description": "auto: OCR the pages without a usable text layer; always: every "
            "page; never: none.",
        },
        "max_retries": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_RETRIES_LIMIT,
            "description": "Automatic retries of a transient error (default TASKDESK_MAX_RETRIES).",
        },
        "soft_time_limit": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Seconds before the task is asked to stop (ends timed_out), "
            "per document (each page adds TASKDESK_TIME_LIMIT_PER_PAGE); below time_limit.",
        },
        "time_limit": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Seconds before the task's process is killed (ends timed_out), "
            "per document (each page adds TASKDESK_TIME_LIMIT_PER_PAGE); at most the "
            "installation's TASKDESK_TIME_LIMIT.",
        },
        "batch_name": {
            "type": "string",
            "maxLength": MAX_BATCH_NAME_CHARS,
            "description": "What the batch is called (what was dropped), carried by every "
            "task's row as batch_name; longer names are cut.",
        },
    },
}


@dataclass(frozen=True)
class BatchOptions:
    processor: str
    max_retries: int
    soft_time_limit: float
    time_limit: float
    ocr: str = DEFAULT_OCR
    batch_name: str | None = None


@router.post(
    "/batches",
    status_code=202,
    response_model=BatchCreated,
    summary="Submit a batch of PDFs",
    responses=responses(400, 413, 415, 422, 503, 507, s413=BatchRefused, s415=BatchRefused),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": UPLOAD_SCHEMA}},
        }
    },
)
async def create_batch(request: Request, backend: BackendDep) -> Any:
    """Store each file, create its task ``pending`` and queue it; returns 202 at once.

    Files go to disk as they arrive, never whole in memory. A file that is not a PDF
    (by content) or is over TASKDESK_MAX_FILE_MB is listed in ``rejected`` with the
    reason while the good files of the batch go through; ``tasks`` are in upload order.
    """
    settings = backend.settings
    max_file_bytes = int(settings.max_file_mb * (1 << 20))
    _check_length(request, max_file_bytes)
    try:
        receiver = BatchReceiver(
            request.headers.get("content-type", ""), backend.files, max_file_bytes
        )
    except UploadError as exc:
        raise HTTPException(exc.status_code, exc.detail) from None
    try:
        await _receive(request, receiver)
        if not receiver.files:
            raise HTTPException(422, f"no files: send one or more PDFs in the field {FILE_FIELD!r}")
        options = batch_options(receiver.fields, settings)
        if not receiver.accepted:
            return _refused(receiver.files)
        batch_id = new_id()
        rows = await run_in_threadpool(_submit, backend, batch_id, receiver.accepted, options)
        body = {"batch_id": batch_id, "tasks": rows, "rejected": _rejections(receiver.files)}
    except UploadError as exc:
        raise HTTPException(exc.status_code, exc.detail) from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise HTTPException(507, "no space left on the server to store the files") from None
        raise
    finally:
        await run_in_threadpool(receiver.discard)
    return await run_in_threadpool(encoded, body, 202)


def _check_length(request: Request, max_file_bytes: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FILES * (max_file_bytes + _PART_OVERHEAD):
        raise HTTPException(413, f"request too large for {MAX_FILES} files of the size limit")


async def _receive(request: Request, receiver: BatchReceiver) -> None:
    """Stream the body through the parser, in ~1 MiB hops to a worker thread."""
    pending: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            pending.append(chunk)
            size += len(chunk)
            if size >= FEED_BYTES:
                await run_in_threadpool(receiver.feed, b"".join(pending))
                pending.clear()
                size = 0
    except ClientDisconnect:
        raise HTTPException(400, "the upload was interrupted") from None
    if pending:
        await run_in_threadpool(receiver.feed, b"".join(pending))
    await run_in_threadpool(receiver.finish)


def _submit(
    backend: Backend, batch_id: str, files: list[ReceivedFile], options: BatchOptions
) -> list[dict[str, Any]]:
    earlier = _earlier_tasks(backend, files)
    uploads = [
        commands.Upload(f.label, f.save_as, f.sha256, earlier.get(f.sha256), f.size) for f in files
    ]
    try:
        return commands.submit(
            backend.settings,
            backend.live,
            backend.celery,
            uploads,
            batch_id=batch_id,
            processor=options.processor,
            max_retries=options.max_retries,
            soft_time_limit=options.soft_time_limit,
            time_limit=options.time_limit,
            ocr=options.ocr,
            batch_name=options.batch_name,
        )
    except commands.SubmitInterrupted as stop:
        log.warning("batch %s: %s", batch_id, stop)
        for received in files[len(stop.created) :]:
            _drop_orphan(backend, received)
            received.reason = "the server could not store it; submit it again"
        return stop.created
    except Exception:
        for received in files:
            _drop_orphan(backend, received)
        raise


def _earlier_tasks(backend: Backend, files: list[ReceivedFile]) -> dict[str, str]:
    """The earliest stored task for each file's bytes; a batch never waits on the
    database otherwise, so a database away costs only the duplicate notice."""
    try:
        return backend.repository.earliest_with({f.sha256 for f in files})
    except sqlalchemy.exc.OperationalError as exc:
        log.warning("no duplicate check for batch (database unavailable: %s)", exc.orig)
        return {}


def _drop_orphan(backend: Backend, received: ReceivedFile) -> None:
    """Remove a stored input whose task could not be created (Redis went away)."""
    if received.task_id is None:
        return
    try:
        created = backend.live.get(received.task_id) is not None
    except Exception:
        created = False
    if not created:
        backend.files.delete(received.task_id)


def _rejections(files: list[ReceivedFile]) -> list[dict[str, Any]]:
    """The refused files of the request's ``files``, each with its position there: a
    client pairs its files with the tasks by position, as labels are cleaned names."""
    return [
        {"index": index, "filename": f.label, "reason": str(f.reason)}
        for index, f in enumerate(files)
        if not f.accepted
    ]


def _refused(files: list[ReceivedFile]) -> JSONResponse:
    status = 413 if all(f.too_large for f in files) else 415
    reasons = "; ".join(f"{f.label}: {f.reason}" for f in files)
    return JSONResponse(
        {"detail": f"no file was accepted ({reasons})", "rejected": _rejections(files)},
        status_code=status,
    )


# -- options -------------------------------------------------------------------------


def batch_options(fields: dict[str, str], settings: Settings) -> BatchOptions:
    """The batch's options from its form fields; HTTPException(422) naming what is wrong."""
    unknown = sorted(set(fields) - set(_OPTION_FIELDS))
    if unknown:
        expected = ", ".join((FILE_FIELD, *_OPTION_FIELDS))
        raise HTTPException(422, f"unknown form field(s) {', '.join(unknown)}; expected {expected}")
    values = {name: value for name, value in fields.items() if value != ""}

    processor = values.get("processor", DEFAULT_PROCESSOR)
    known = processor_names()
    if processor not in known:
        raise HTTPException(
            422, f"unknown processor {processor!r}; known processors: {', '.join(known)}"
        )

    max_retries = settings.max_retries
    if "max_retries" in values:
        try:
            max_retries = int(values["max_retries"])
        except ValueError:
            raise HTTPException(422, "max_retries must be a whole number") from None
        if not 0 <= max_retries <= MAX_RETRIES_LIMIT:
            raise HTTPException(422, f"max_retries must be between 0 and {MAX_RETRIES_LIMIT}")

    ceiling = settings.time_limit
    hard = _seconds(values, "time_limit")
    soft = _seconds(values, "soft_time_limit")
    if hard is None:
        hard = ceiling
    elif hard > ceiling:
        raise HTTPException(
            422,
            f"time_limit {hard:g} s is above this installation's limit of {ceiling:g} s "
            "(TASKDESK_TIME_LIMIT)",
        )
    if soft is None:
        soft = settings.soft_time_limit if settings.soft_time_limit < hard else hard * 0.9
    if soft >= hard:
        raise HTTPException(
            422, f"soft_time_limit ({soft:g} s) must be below time_limit ({hard:g} s)"
        )
    ocr = values.get("ocr", DEFAULT_OCR)
    if ocr not in OCR_MODES:
        raise HTTPException(422, f"ocr must be one of {', '.join(OCR_MODES)}")
    return BatchOptions(processor, max_retries, soft, hard, ocr, clean_batch_name(values))


def clean_batch_name(values: dict[str, str]) -> str | None:
    """The batch's name as a label (None when blank), at most MAX_BATCH_NAME_CHARS."""
    name = readable_text(values.get("batch_name", ""))
    if not name:
        return None
    if len(name) > MAX_BATCH_NAME_CHARS:
        name = name[: MAX_BATCH_NAME_CHARS - 1] + "…"
    return name


def _seconds(values: dict[str, str], name: str) -> float | None:
    if name not in values:
        return None
    try:
        seconds = float(values[name])
    except ValueError:
        raise HTTPException(422, f"{name} must be a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise HTTPException(422, f"{name} must be a positive number of seconds")
    return seconds


def document(openapi: dict[str, Any], settings: Settings) -> None:
    """Fill the upload schema with what is known only at run time."""
    try:
        body = openapi["paths"]["/api/batches"]["post"]["requestBody"]
        properties = body["content"]["multipart/form-data"]["schema"]["properties"]
    except KeyError:
        return
    properties["processor"]["enum"] = processor_names()
    properties["max_retries"]["default"] = settings.max_retries
    properties["time_limit"]["maximum"] = settings.time_limit
    properties["time_limit"]["default"] = settings.time_limit
    properties["soft_time_limit"]["default"] = settings.soft_time_limit
