"""Run the API alone (the supervisor does this): ``python -m backend.api``."""

from __future__ import annotations

import uvicorn

from backend.api.app import create_app
from backend.config import Settings


def main() -> None:
    settings = Settings()
    # host/port rather than an inherited fd: only then does asyncio set TCP_NODELAY,
    # without which small SSE writes wait for the client's delayed ACK.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=3,
    )


if __name__ == "__main__":
    main()
