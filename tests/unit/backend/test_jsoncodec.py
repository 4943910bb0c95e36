"""The hot paths' JSON: orjson's speed, and what only the standard library handles."""

from __future__ import annotations

import json
import math

import pytest

from backend import jsoncodec


def test_compact_and_as_written() -> None:
    value = {"name": "café ✓", "n": 1, "x": 0.1, "none": None, "list": [1, "two"]}
    text = jsoncodec.dumps(value)
    assert text == '{"name":"café ✓","n":1,"x":0.1,"none":null,"list":[1,"two"]}'
    assert jsoncodec.loads(text) == value == jsoncodec.loads(text.encode())


def test_keys_that_are_not_strings_become_strings_as_json_makes_them() -> None:
    assert jsoncodec.loads(jsoncodec.dumps({1: "a", 2.5: "b"})) == json.loads(
        json.dumps({1: "a", 2.5: "b"})
    )


def test_a_nul_is_escaped_so_a_nul_separated_list_of_values_holds() -> None:
    assert "\0" not in jsoncodec.dumps({"text": "a\0b"})


def test_what_orjson_refuses_goes_through_the_standard_library() -> None:
    lone = "file\udc80.pdf"  # a name the file system could not decode
    assert jsoncodec.loads(jsoncodec.dumps({"name": lone})) == {"name": lone}
    assert jsoncodec.loads(json.dumps({"name": lone})) == {"name": lone}
    assert jsoncodec.loads(jsoncodec.dumps(2**70)) == 2**70
    assert math.isnan(jsoncodec.loads('{"x": NaN}')["x"])


def test_what_is_not_json_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        jsoncodec.loads(b"{not json")
    with pytest.raises(TypeError):
        jsoncodec.dumps({"x": object()})
