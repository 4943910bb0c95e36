"""The API's bearer token: random, made at first start, readable by its owner only."""

from __future__ import annotations

import secrets

from backend.config import Settings


def load_or_create_token(settings: Settings) -> str:
    path = settings.token_file
    if path.exists():
        return path.read_text().strip()
    settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(token)
    return token


def tokens_match(given: str, expected: str) -> bool:
    """Constant-time comparison, so response time says nothing about the token."""
    return secrets.compare_digest(given.encode(), expected.encode())
