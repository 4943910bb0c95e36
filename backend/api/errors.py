"""Errors as the API sends them: JSON ``{"detail": "..."}`` with the status that fits.

Bad input is the client's to fix and gets a 4xx that says what was wrong; it never
reaches a 500. Outages are the server's and become 503 with ``Retry-After`` (the broker
or the database is down) or 507 (the disk is full)::

    400  malformed request: a bad cursor, a malformed Last-Event-ID, a broken upload
    401  no token, a malformed Authorization header, or a wrong token
    404  no such task (or no result file for a completed task)
    409  the task's state does not allow it (retry a completed task, cancel a finished one)
    413  every file of a batch is over TASKDESK_MAX_FILE_MB, or too many files
    415  the body is not multipart/form-data, or no file of a batch is a PDF
    422  a form field or query parameter out of range (unknown processor, limits, status)
    503  Redis or the database is unreachable; try again shortly
    507  no space left to store an upload
"""

from __future__ import annotations

import logging
from typing import Any

import kombu.exceptions
import redis.exceptions
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

log = logging.getLogger("taskdesk.api")

#: Seconds a client is told to wait before trying again after a 503.
RETRY_AFTER_SECONDS = 5


class ErrorBody(BaseModel):
    """Every error the API sends on purpose.

    ``detail`` is a sentence, except for a request that fails validation of its
    parameters (422), where it is FastAPI's list of what is wrong with which field.
    """

    detail: str | list[dict[str, Any]]


_DESCRIPTIONS = {
    400: "Malformed request (bad cursor, malformed Last-Event-ID, broken multipart body).",
    401: "Missing, malformed or wrong bearer token.",
    404: "No such task.",
    409: "The task's state does not allow this.",
    413: "Too large: every file is over TASKDESK_MAX_FILE_MB, or too many files.",
    415: "Not multipart/form-data, or no file of the batch is a PDF.",
    422: "A parameter or form field is invalid.",
    503: "Redis or the database is unavailable; retry after a few seconds.",
    507: "No space left on the server's disk.",
}


def responses(*codes: int, **models: Any) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route may send.

    ``models`` maps ``"s413"``-style names to another body model for that status.
    """
    return {
        code: {"model": models.get(f"s{code}", ErrorBody), "description": _DESCRIPTIONS[code]}
        for code in codes
    }


def _unavailable(what: str):  # type: ignore[no-untyped-def]
    async def handler(_request: Request, exc: Exception) -> JSONResponse:
        log.warning("%s unavailable: %s", what, exc)
        return JSONResponse(
            {"detail": f"{what} is unavailable; try again shortly"},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    return handler


async def _internal(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return JSONResponse({"detail": f"internal error: {type(exc).__name__}"}, status_code=500)


def install_handlers(app: FastAPI) -> None:
    """Map outages to 503 and anything unforeseen to a JSON 500."""
    broker = _unavailable("the task broker (Redis)")
    app.add_exception_handler(redis.exceptions.ConnectionError, broker)
    app.add_exception_handler(redis.exceptions.TimeoutError, broker)
    app.add_exception_handler(kombu.exceptions.OperationalError, broker)
    app.add_exception_handler(sqlalchemy.exc.OperationalError, _unavailable("the task database"))
    app.add_exception_handler(Exception, _internal)
