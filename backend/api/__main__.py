"""Run the API alone (the supervisor does this): ``python -m backend.api``.

With ``TASKDESK_TLS_CERT`` and ``TASKDESK_TLS_KEY`` it serves HTTPS only: the token that
every call carries must not cross a network in clear text.
"""

from __future__ import annotations

import logging

import uvicorn

from backend import logs
from backend.api.app import create_app
from backend.config import Settings

log = logging.getLogger("taskdesk.api")


def main() -> None:
    settings = Settings()
    logs.configure("api", settings.log_level)
    if (settings.tls_cert is None) != (settings.tls_key is None):
        raise SystemExit("TASKDESK_TLS_CERT and TASKDESK_TLS_KEY go together")
    scheme = "https" if settings.tls_cert else "http"
    log.info("serving %s on %s port %d", scheme, settings.host, settings.port)
    # host/port rather than an inherited fd: only then does asyncio set TCP_NODELAY,
    # without which small SSE writes wait for the client's delayed ACK.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        ssl_certfile=settings.tls_cert,
        ssl_keyfile=settings.tls_key,
        # uvicorn's loggers go through ours (one format for the stack).
        log_config=None,
        log_level="warning",
        timeout_graceful_shutdown=3,
    )


if __name__ == "__main__":
    main()
