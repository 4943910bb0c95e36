"""The multipart receiver fed by hand, and the labels it makes of uploaded names."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

import pytest

from backend.api import uploads
from backend.api.uploads import (
    MAX_FIELD_BYTES,
    MAX_LABEL_CHARS,
    UNNAMED,
    BatchReceiver,
    UploadError,
    clean_label,
)
from backend.config import Settings
from backend.filestore import FileStore

BOUNDARY = "x-boundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
PDF = b"%PDF-1.7\n" + b"0" * 3000 + b"\n%%EOF\n"


@pytest.fixture
def files(tmp_path: Path) -> FileStore:
    return FileStore(Settings(home=tmp_path))


def part(name: str, data: bytes, filename: str | bytes | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'.encode()
    if filename is not None:
        raw = filename.encode() if isinstance(filename, str) else filename
        disposition += b'; filename="' + raw + b'"'
    return (
        f"--{BOUNDARY}\r\n".encode()
        + b"Content-Disposition: "
        + disposition
        + b"\r\nContent-Type: application/octet-stream\r\n\r\n"
        + data
        + b"\r\n"
    )


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def receive(
    files: FileStore, data: bytes, *, chunk: int = 1 << 16, max_bytes: int = 1 << 20
) -> BatchReceiver:
    receiver = BatchReceiver(CONTENT_TYPE, files, max_bytes)
    for start in range(0, len(data), chunk):
        receiver.feed(data[start : start + chunk])
    receiver.finish()
    return receiver


def stored(files: FileStore) -> list[str]:
    return sorted(os.listdir(files.files_dir)) if files.files_dir.exists() else []


@pytest.mark.parametrize("chunk", [1, 7, 1024, 1 << 20], ids=lambda n: f"chunks-of-{n}")
def test_files_and_fields_arrive_whatever_the_chunking(files: FileStore, chunk: int) -> None:
    data = body(
        part("processor", b" pdf.extract "),
        part("files", PDF, "a.pdf"),
        part("files", PDF, "b.pdf"),
    )
    receiver = receive(files, data, chunk=chunk)
    assert receiver.fields == {"processor": "pdf.extract"}
    assert [(f.label, f.size, f.accepted) for f in receiver.files] == [
        ("a.pdf", len(PDF), True),
        ("b.pdf", len(PDF), True),
    ]
    assert [f.sha256 for f in receiver.files] == [hashlib.sha256(PDF).hexdigest()] * 2
    receiver.files[0].save_as("t1")
    assert files.input_path("t1").read_bytes() == PDF
    assert receiver.files[0].task_id == "t1"
    receiver.discard()  # drops b.pdf, never saved; keeps t1
    assert stored(files) == ["t1.pdf"]


def test_a_file_not_a_pdf_is_refused_with_what_it_looks_like(files: FileStore) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(5000)
    text = b"just text\n" * 20
    receiver = receive(
        files,
        body(
            part("files", png, "photo.pdf"),
            part("files", text, "n.pdf"),
            part("files", PDF, "ok.pdf"),
        ),
        chunk=100,
    )
    assert [f.reason for f in receiver.rejected] == [
        "not a PDF: it looks like a PNG image",
        "not a PDF: no %PDF- header in its first 1024 bytes",
    ]
    assert [f.label for f in receiver.accepted] == ["ok.pdf"]
    assert len(stored(files)) == 1  # only the accepted file's bytes are kept


def test_an_empty_file_is_refused(files: FileStore) -> None:
    receiver = receive(files, body(part("files", b"", "empty.pdf")))
    assert [f.reason for f in receiver.files] == ["empty file (0 bytes)"]
    assert stored(files) == []


def test_a_file_over_the_limit_is_drained_not_stored(files: FileStore) -> None:
    big = PDF + bytes(10_000)
    receiver = receive(
        files, body(part("files", big, "big.pdf"), part("files", PDF, "ok.pdf")), max_bytes=8000
    )
    (refused,) = receiver.rejected
    assert refused.too_large and refused.reason is not None
    assert refused.reason.startswith("larger than the limit of ")
    assert [f.label for f in receiver.accepted] == ["ok.pdf"]
    assert len(stored(files)) == 1


def test_a_part_without_a_filename_gets_a_placeholder_label(files: FileStore) -> None:
    receiver = receive(files, body(part("files", PDF)))
    assert [f.label for f in receiver.files] == [UNNAMED]


def test_a_latin_1_filename_is_still_read(files: FileStore) -> None:
    receiver = receive(files, body(part("files", PDF, "caf\xe9.pdf".encode("latin-1"))))
    assert [f.label for f in receiver.files] == ["café.pdf"]


@pytest.mark.parametrize(
    ("content_type", "status"),
    [("application/json", 415), ("multipart/form-data", 400)],
)
def test_a_body_that_is_not_multipart_with_a_boundary_is_refused(
    files: FileStore, content_type: str, status: int
) -> None:
    with pytest.raises(UploadError) as caught:
        BatchReceiver(content_type, files, 1 << 20)
    assert caught.value.status_code == status


def test_a_body_cut_short_is_refused_and_leaves_nothing(files: FileStore) -> None:
    receiver = BatchReceiver(CONTENT_TYPE, files, 1 << 20)
    receiver.feed(body(part("files", PDF, "a.pdf"))[:-200])
    with pytest.raises(UploadError) as caught:
        receiver.finish()
    assert caught.value.status_code == 400
    receiver.discard()
    assert stored(files) == []


def test_a_file_in_another_field_is_refused(files: FileStore) -> None:
    with pytest.raises(UploadError) as caught:
        receive(files, body(part("document", PDF, "a.pdf")))
    assert caught.value.status_code == 422
    assert "send files in the field 'files'" in caught.value.detail


def test_an_overlong_field_is_refused(files: FileStore) -> None:
    with pytest.raises(UploadError) as caught:
        receive(files, body(part("processor", b"p" * (MAX_FIELD_BYTES + 1))))
    assert caught.value.status_code == 422


def test_a_part_without_a_name_is_malformed(files: FileStore) -> None:
    data = (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--{BOUNDARY}--\r\n"
    ).encode()
    with pytest.raises(UploadError) as caught:
        receive(files, data)
    assert caught.value.status_code == 400


def test_too_many_files_is_refused(files: FileStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_FILES", 2)
    receiver = BatchReceiver(CONTENT_TYPE, files, 1 << 20)
    with pytest.raises(UploadError) as caught:
        receiver.feed(body(*(part("files", PDF, f"{i}.pdf") for i in range(3))))
    assert caught.value.status_code == 413
    receiver.discard()
    assert stored(files) == []


# -- labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\scan.pdf", "scan.pdf"),
        ("dir/", UNNAMED),
        ("..", UNNAMED),
        ("  ", UNNAMED),
        ("tab\there\n.pdf", "tabhere.pdf"),
        ("gnp\u202eexe.pdf", "gnpexe.pdf"),
        ("\u2066isolated\u2069.pdf", "isolated.pdf"),
        ("年度報告.pdf", "年度報告.pdf"),
        ("bad\udcffbyte.pdf", "badbyte.pdf"),
    ],
)
def test_a_label_keeps_the_last_name_and_drops_what_misleads(raw: str, label: str) -> None:
    assert clean_label(raw) == label


def test_a_decomposed_accent_is_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "café.pdf")
    assert decomposed != "café.pdf" and clean_label(decomposed) == "café.pdf"


def test_a_long_label_is_capped_and_keeps_its_extension() -> None:
    label = clean_label("x" * 1000 + ".pdf")
    assert len(label) <= MAX_LABEL_CHARS and label.endswith("….pdf")
    no_extension = clean_label("y" * 1000)
    assert len(no_extension) == MAX_LABEL_CHARS and no_extension.endswith("…")
