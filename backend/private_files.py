"""Files only their owner may read: the API token, the Redis password and its config,
the runtime file that carries both.

Each is written whole under a temporary name created ``0600`` (``O_EXCL``, whatever the
umask) and then renamed into place, so no other local user can read it even for a
moment, and a reader never sees it half written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``, readable and writable by its owner only."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read_or_create_secret(path: Path) -> str:
    """The secret kept in ``path``; a new random one, stored owner-only, if there is none.

    An empty file counts as none, so a write cut short before the rename of older
    versions cannot leave an installation with an empty password.
    """
    with contextlib.suppress(FileNotFoundError):
        secret = path.read_text(encoding="utf-8").strip()
        if secret:
            return secret
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_urlsafe(32)
    write_private(path, secret)
    return secret
