"""The API's bearer token: random, made at first start, readable by its owner only."""

from __future__ import annotations

import secrets

from backend.config import Settings
from backend.private_files import read_or_create_secret


def load_or_create_token(settings: Settings) -> str:
    return read_or_create_secret(settings.token_file)


def tokens_match(given: str, expected: str) -> bool:
    """Constant-time comparison, so response time says nothing about the token."""
    return secrets.compare_digest(given.encode(), expected.encode())
