"""JSON for the paths every task's events take: orjson, with the standard library behind it.

Each event is decoded and encoded several times on its way (the runner's fields, the
recorder's rows and history, a result's pages for the index), and orjson does either
three to five times faster than :mod:`json`. What orjson refuses, :mod:`json` still
handles as it always has: lone surrogates (a file name the operating system could not
decode), integers past 64 bits, and ``NaN`` read back from rows written before.
Keys that are not strings (a plugin's summary may hold some) become strings, as
:func:`json.dumps` makes them.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    """``value`` as compact JSON, non-ASCII characters as they are (UTF-8 once encoded)."""
    try:
        return orjson.dumps(value, option=_OPTIONS).decode()
    except TypeError:  # orjson's refusal; json raises the same for what neither writes
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(data: str | bytes) -> Any:
    """The value of a JSON text; raises :class:`ValueError` where it is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
