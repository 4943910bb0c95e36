"""PDF dates as ISO 8601 and permission bits by name."""

from __future__ import annotations

import pytest

from backend.processors.metadata import PERMISSION_BITS, iso_date, permission_names


@pytest.mark.parametrize(
    ("pdf", "iso"),
    [
        ("D:20160503102030+02'00'", "2016-05-03T10:20:30+02:00"),
        ("D:20160503102030-05'30", "2016-05-03T10:20:30-05:30"),
        ("D:20160503102030Z", "2016-05-03T10:20:30Z"),
        ("D:20160503102030Z00'00'", "2016-05-03T10:20:30Z"),
        ("D:201605031020", "2016-05-03T10:20:00"),
        ("D:20160503", "2016-05-03"),
        ("D:2016", "2016"),
        ("D:20160503102030+02", "2016-05-03T10:20:30+02:00"),
        ("3 May 2016", "3 May 2016"),  # not a PDF date: kept as written
        ("D:16", "D:16"),
    ],
)
def test_iso_date(pdf: str, iso: str) -> None:
    assert iso_date(pdf) == iso


def test_permission_names() -> None:
    assert permission_names(0xFFFFFFFF) == dict.fromkeys(PERMISSION_BITS, True)
    no_copy = permission_names(0xFFFFFFFF & ~(1 << 4))
    assert [name for name, allowed in no_copy.items() if not allowed] == ["copy"]
    assert not any(permission_names(0).values())
