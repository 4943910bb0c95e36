"""A batch's options from its form fields: defaults, limits, and refusals that say why."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from backend.api.routes.batches import MAX_RETRIES_LIMIT, BatchOptions, batch_options
from backend.config import Settings
from backend.processors import DEFAULT_PROCESSOR, load_plugins


@pytest.fixture(scope="module", autouse=True)
def builtin_processors() -> None:
    load_plugins()


@pytest.fixture
def settings() -> Settings:
    return Settings(max_retries=3, soft_time_limit=270, time_limit=300)


def refusal(fields: dict[str, str], settings: Settings) -> str:
    with pytest.raises(HTTPException) as caught:
        batch_options(fields, settings)
    assert caught.value.status_code == 422
    return str(caught.value.detail)


def test_no_fields_means_the_installations_defaults(settings: Settings) -> None:
    assert batch_options({}, settings) == BatchOptions(DEFAULT_PROCESSOR, 3, 270, 300)


def test_an_empty_value_means_the_default(settings: Settings) -> None:
    fields = {"processor": "", "max_retries": "", "soft_time_limit": "", "time_limit": ""}
    assert batch_options(fields, settings) == batch_options({}, settings)


def test_every_option_given(settings: Settings) -> None:
    fields = {
        "processor": DEFAULT_PROCESSOR,
        "max_retries": "0",
        "soft_time_limit": "5.5",
        "time_limit": "6",
    }
    assert batch_options(fields, settings) == BatchOptions(DEFAULT_PROCESSOR, 0, 5.5, 6.0)


def test_a_lower_hard_limit_alone_brings_the_soft_one_below_it(settings: Settings) -> None:
    assert batch_options({"time_limit": "100"}, settings).soft_time_limit == 90
    # The installation's soft limit stays when it is already below the batch's hard one.
    assert batch_options({"time_limit": "280"}, settings).soft_time_limit == 270


def test_a_misspelt_field_is_named(settings: Settings) -> None:
    detail = refusal({"max_retry": "2", "zzz": ""}, settings)
    assert detail.startswith("unknown form field(s) max_retry, zzz; expected files, processor")


def test_an_unknown_processor_lists_the_known_ones(settings: Settings) -> None:
    detail = refusal({"processor": "ocr"}, settings)
    assert detail.startswith("unknown processor 'ocr'; known processors: ")
    assert DEFAULT_PROCESSOR in detail


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("two", "max_retries must be a whole number"),
        ("1.5", "max_retries must be a whole number"),
        ("-1", f"max_retries must be between 0 and {MAX_RETRIES_LIMIT}"),
        (str(MAX_RETRIES_LIMIT + 1), f"max_retries must be between 0 and {MAX_RETRIES_LIMIT}"),
    ],
)
def test_max_retries_must_be_a_whole_number_in_range(
    settings: Settings, value: str, expected: str
) -> None:
    assert refusal({"max_retries": value}, settings) == expected


def test_max_retries_at_its_limit_is_taken(settings: Settings) -> None:
    fields = {"max_retries": str(MAX_RETRIES_LIMIT)}
    assert batch_options(fields, settings).max_retries == MAX_RETRIES_LIMIT


@pytest.mark.parametrize("name", ["time_limit", "soft_time_limit"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("soon", "must be a number of seconds"),
        ("0", "must be a positive number of seconds"),
        ("-3", "must be a positive number of seconds"),
        ("nan", "must be a positive number of seconds"),
        ("inf", "must be a positive number of seconds"),
    ],
)
def test_limits_must_be_positive_seconds(
    settings: Settings, name: str, value: str, expected: str
) -> None:
    assert refusal({name: value}, settings) == f"{name} {expected}"


def test_a_batch_may_not_raise_the_installations_hard_limit(settings: Settings) -> None:
    detail = refusal({"time_limit": "301"}, settings)
    assert detail == (
        "time_limit 301 s is above this installation's limit of 300 s (TASKDESK_TIME_LIMIT)"
    )


@pytest.mark.parametrize(
    "fields",
    [{"soft_time_limit": "300"}, {"soft_time_limit": "20", "time_limit": "10"}],
)
def test_the_soft_limit_must_be_below_the_hard_one(
    settings: Settings, fields: dict[str, str]
) -> None:
    assert "must be below time_limit" in refusal(fields, settings)
