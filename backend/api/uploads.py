"""Receiving a batch: the multipart body parsed as it arrives, files written straight to disk.

Starlette's form parser would spool every file (in memory up to 1 MB each, all held until
the request ends) and we would then copy each again; here each file part goes into the
file store (:meth:`~backend.filestore.FileStore.receive`), chunk by chunk, as the bytes
arrive, and becomes its task's input by a rename, never a copy. Memory stays
at one chunk whatever the batch holds. The parser runs in a worker thread (file writes
never block the event loop), one hop per ~1 MiB of body.

While a file streams in, it is checked:

- **content, not name**: ``%PDF-`` must appear in its first 1024 bytes (where PDFium
  looks); otherwise it is refused, with what it looks like when that is recognisable;
- **size**: past ``TASKDESK_MAX_FILE_MB`` it is refused and its bytes are drained, not
  stored.

Each stored file is hashed (SHA-256) as its bytes go to disk, so a file submitted twice
is noticed without reading it again (the task's ``sha256`` and ``duplicate_of``).

A refused file costs its batch nothing: the other files go through. The uploaded name is
only a label (path parts, control and bidi-override characters removed, length capped),
never part of where the file is stored.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from backend.filestore import FileStore, IncomingFile
from backend.filetypes import HEAD_BYTES, is_pdf, looks_like

#: The multipart field that carries the files.
FILE_FIELD = "files"
#: Most files one batch may carry.
MAX_FILES = 1000
#: Longest value of a plain form field.
MAX_FIELD_BYTES = 1024
#: Longest label kept from an uploaded filename, in characters.
MAX_LABEL_CHARS = 255
#: Label for a file part sent without a usable name.
UNNAMED = "unnamed.pdf"

#: Characters that reorder text on screen ("gnp.exe" shown as "exe.png"): a label
#: must read as what it is.
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


class UploadError(Exception):
    """The body as a whole cannot be taken; ``status_code`` says why."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


@dataclass
class ReceivedFile:
    """One file part: received into the file store, or refused with a reason."""

    label: str
    #: The task whose input it became (:meth:`save_as`).
    task_id: str | None = None
    size: int = 0
    reason: str | None = None
    #: Whether the reason is its size (all refused for size → 413, else 415).
    too_large: bool = False
    _head: bytearray = field(default_factory=bytearray, repr=False)
    _digest: Any = field(default_factory=hashlib.sha256, repr=False)
    _incoming: IncomingFile | None = field(default=None, repr=False)

    @property
    def accepted(self) -> bool:
        return self.reason is None

    @property
    def sha256(self) -> str:
        """The hex SHA-256 of the bytes received (all of them, once the part ended)."""
        return str(self._digest.hexdigest())

    def save_as(self, task_id: str) -> int | None:
        """Make the received bytes the input of ``task_id``; returns its page count."""
        assert self._incoming is not None
        pages = self._incoming.save_as(task_id)
        self._incoming, self.task_id = None, task_id
        return pages

    def _refuse(self, reason: str, *, too_large: bool = False) -> None:
        self.reason, self.too_large = reason, too_large
        self._drop()

    def _drop(self) -> None:
        if self._incoming is not None:
            self._incoming.discard()
            self._incoming = None


@dataclass
class _Part:
    name: str = ""
    file: ReceivedFile | None = None
    value: bytearray = field(default_factory=bytearray)


class BatchReceiver:
    """Feeds a multipart body through the parser; each call may write files (use a thread).

    Raises:
        UploadError: the body is not multipart (415), is malformed or incomplete (400),
            carries too many files (413) or a file outside the ``files`` field or an
            overlong field (422).
        OSError: the disk refused a write (ENOSPC: full).
    """

    def __init__(self, content_type: str, files: FileStore, max_file_bytes: int) -> None:
        kind, params = parse_options_header(content_type)
        if kind != b"multipart/form-data":
            raise UploadError(415, "expected a multipart/form-data body with files in 'files'")
        boundary = params.get(b"boundary")
        if not boundary:
            raise UploadError(400, "the multipart body has no boundary")
        self.store = files
        self.max_file_bytes = max_file_bytes
        self.files: list[ReceivedFile] = []
        self.fields: dict[str, str] = {}
        self._part = _Part()
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._ended = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )

    # -- driving -----------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        try:
            self._parser.write(data)
        except FormParserError as exc:
            raise UploadError(400, f"malformed multipart body: {exc}") from None

    def finish(self) -> None:
        """Check the body ended where multipart says it must."""
        self._parser.finalize()
        if not self._ended:
            raise UploadError(400, "the multipart body ended early (no closing boundary)")

    def discard(self) -> None:
        """Drop every received file not yet saved as a task's input."""
        for received in self.files:
            received._drop()

    @property
    def accepted(self) -> list[ReceivedFile]:
        return [f for f in self.files if f.accepted]

    @property
    def rejected(self) -> list[ReceivedFile]:
        return [f for f in self.files if not f.accepted]

    # -- parser callbacks --------------------------------------------------------------

    def _on_part_begin(self) -> None:
        self._part = _Part()
        self._disposition = b""

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        if bytes(self._header_name).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise UploadError(400, "a multipart part has no name in its Content-Disposition")
        part = self._part
        part.name = _decode(options[b"name"])
        has_filename = b"filename" in options
        if part.name != FILE_FIELD:
            if has_filename:
                raise UploadError(
                    422, f"file sent in field {part.name!r}: send files in the field 'files'"
                )
            return
        if len(self.files) >= MAX_FILES:
            raise UploadError(413, f"too many files: a batch holds at most {MAX_FILES}")
        label = clean_label(_decode(options[b"filename"])) if has_filename else UNNAMED
        part.file = ReceivedFile(label)
        self.files.append(part.file)
        part.file._incoming = self.store.receive()

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        received = self._part.file
        if received is None:
            if len(self._part.value) + end - start > MAX_FIELD_BYTES:
                raise UploadError(
                    422, f"form field {self._part.name!r} is longer than {MAX_FIELD_BYTES} bytes"
                )
            self._part.value += data[start:end]
            return
        if not received.accepted:
            return  # drained, not stored
        received.size += end - start
        if received.size > self.max_file_bytes:
            received._refuse(
                f"larger than the limit of {_megabytes(self.max_file_bytes)} "
                "(TASKDESK_MAX_FILE_MB)",
                too_large=True,
            )
            return
        chunk = data[start:end]
        if len(received._head) < HEAD_BYTES:
            received._head += chunk[: HEAD_BYTES - len(received._head)]
            if len(received._head) >= HEAD_BYTES and not is_pdf(received._head):
                received._refuse(_not_a_pdf(received._head))
                return
        assert received._incoming is not None
        received._incoming.write(chunk)
        received._digest.update(chunk)

    def _on_part_end(self) -> None:
        part = self._part
        received = part.file
        if received is None:
            if part.name:
                self.fields[part.name] = _decode(bytes(part.value)).strip()
            return
        if not received.accepted:
            return
        if received.size == 0:
            received._refuse("empty file (0 bytes)")
        elif not is_pdf(received._head):
            received._refuse(_not_a_pdf(received._head))
        else:
            assert received._incoming is not None
            received._incoming.close()
            received._head = bytearray()

    def _on_end(self) -> None:
        self._ended = True


# -- checks and labels -----------------------------------------------------------------


def _not_a_pdf(head: bytes | bytearray) -> str:
    kind = looks_like(head)
    if kind:
        return f"not a PDF: it looks like {kind}"
    return f"not a PDF: no %PDF- header in its first {HEAD_BYTES} bytes"


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):g} MB"


def _decode(raw: bytes) -> str:
    # Browsers and httpx send UTF-8; very old clients may send Latin-1.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def readable_text(raw: str) -> str:
    """``raw`` without control, format-breaking and bidi-override characters, stripped:
    what any label the analyst sees must be (a file's, a batch's)."""
    text = "".join(ch for ch in raw if unicodedata.category(ch) not in ("Cc", "Cs", "Co"))
    return text.translate(_BIDI_CONTROLS).strip()


def clean_label(raw: str) -> str:
    """A display name from an uploaded filename; never used as a path.

    Keeps the last path component (``/`` or ``\\``), drops control, format-breaking and
    bidi-override characters, keeps every other character (any script), caps the length
    while keeping the extension.
    """
    name = readable_text(unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1])
    if name in ("", ".", ".."):
        return UNNAMED
    if len(name) > MAX_LABEL_CHARS:
        stem, dot, suffix = name.rpartition(".")
        if dot and 0 < len(suffix) <= 16:
            name = stem[: MAX_LABEL_CHARS - len(suffix) - 2] + "…." + suffix
        else:
            name = name[: MAX_LABEL_CHARS - 1] + "…"
    return name
