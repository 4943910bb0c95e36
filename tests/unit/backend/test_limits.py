"""Time limits that grow with a document's pages, up to the ceiling."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.config import Settings
from backend.limits import TimeLimits, count_pages, scaled_limits
from tests.pdfgen import make_pdf

DEFAULTS = Settings()


@pytest.mark.parametrize(
    ("pages", "soft", "hard"),
    [(1, 274, 304), (100, 670, 700), (300, 1470, 1500), (1725, 7170, 7200), (10_000, 7170, 7200)],
)
def test_default_limits_grow_four_seconds_a_page_up_to_two_hours(
    pages: int, soft: float, hard: float
) -> None:
    limits = scaled_limits(DEFAULTS.soft_time_limit, DEFAULTS.time_limit, pages, DEFAULTS)
    assert limits == TimeLimits(soft, hard, pages)


def test_a_300_page_scan_of_dense_pages_on_a_busy_core_fits() -> None:
    limits = scaled_limits(DEFAULTS.soft_time_limit, DEFAULTS.time_limit, 300, DEFAULTS)
    # 3.6 s of CPU a page: bench.ocr's real scan of 700 words, on a shared machine.
    assert 300 * 3.6 < limits.soft


def test_uncounted_pages_keep_the_batch_limits() -> None:
    assert scaled_limits(10, 20, None, DEFAULTS) == TimeLimits(10, 20, None)


def test_the_ceiling_keeps_the_time_between_soft_and_hard() -> None:
    settings = Settings(time_limit_per_page=1, max_time_limit=100)
    assert scaled_limits(50, 60, 500, settings) == TimeLimits(90, 100, 500)


def test_a_batch_limit_above_the_ceiling_is_not_lowered() -> None:
    settings = Settings(time_limit_per_page=1, max_time_limit=100)
    assert scaled_limits(150, 200, 5, settings) == TimeLimits(150, 200, 5)


def test_fractions_of_a_second_a_page_stay_readable() -> None:
    settings = Settings(time_limit_per_page=0.1)
    assert scaled_limits(270, 300, 3, settings) == TimeLimits(270.3, 300.3, 3)


def test_count_pages_reads_the_page_tree(tmp_path: Path) -> None:
    assert count_pages(make_pdf(tmp_path / "five.pdf", 5)) == 5


@pytest.mark.parametrize("content", [b"", b"%PDF-1.4\n{}", b"not a pdf at all"])
def test_count_pages_is_none_for_what_pdfium_cannot_open(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    assert count_pages(path) is None
