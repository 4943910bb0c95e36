"""Times as the API carries them: ISO 8601 in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(utcnow())


def iso_in(seconds: float) -> str:
    """The time ``seconds`` from now, for ``next_retry_at``."""
    return iso(utcnow() + timedelta(seconds=seconds))
