"""The batch option ``ocr`` through the real stack: form field → row → worker → result."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import Upload
from tests.pdfgen import make_pdf, make_scan
from tests.stack import Stack


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("scan")
    return make_scan(folder / "scan.pdf", make_pdf(folder / "text.pdf", 2)).read_bytes()


@pytest.mark.slow
def test_a_scan_is_read_by_ocr_unless_the_batch_says_never(
    stack: Stack, upload: Upload, scan: bytes
) -> None:
    auto = upload([("scan.pdf", scan)]).json()["tasks"][0]
    never = upload([("scan.pdf", scan)], ocr="never").json()["tasks"][0]
    assert (auto["ocr"], never["ocr"]) == ("auto", "never")

    done = stack.wait_until([auto["id"], never["id"]])
    read, left = done[auto["id"]], done[never["id"]]
    assert read["status"] == left["status"] == "completed"
    assert read["result"]["ocr_pages"] == 2 and read["result"]["chars"] > 100
    assert read["result"]["warnings"] == ["2 of 2 pages were read by OCR."]
    assert "ocr" in {row["stage"] for row in stack.events(auto["id"])}
    assert left["result"]["empty_pages"] == 2
    assert left["result"]["warnings"][0].startswith("No page has any text (OCR was off")

    page = stack.http.get(f"/api/tasks/{auto['id']}/result").json()["pages"][1]
    assert page["source"] == "ocr" and "End of page 2." in page["text"]


def test_an_unknown_ocr_mode_is_refused(upload: Upload, scan: bytes) -> None:
    response = upload([("scan.pdf", scan)], ocr="sometimes")
    assert response.status_code == 422
    assert "ocr must be one of auto, always, never" in response.text
