"""The options of the next drop: what is sent, and what the backend would refuse."""

from __future__ import annotations

from desktop.options import DropOptions


def test_defaults_send_nothing_so_the_backend_decides() -> None:
    assert DropOptions().form_fields() == {}
    assert DropOptions().problem() is None


def test_chosen_values_become_the_batch_form_fields() -> None:
    options = DropOptions(
        "demo.script", max_retries=0, soft_time_limit=8, time_limit=12.5, ocr="always"
    )
    assert options.form_fields() == {
        "processor": "demo.script",
        "max_retries": "0",
        "soft_time_limit": "8",
        "time_limit": "12.5",
        "ocr": "always",
    }
    assert options.summary() == "demo.script, OCR always, 0 retries, limits 8 s / 12.5 s"


def test_a_soft_limit_not_below_the_hard_one_or_no_processor_is_a_problem() -> None:
    assert DropOptions(soft_time_limit=12, time_limit=12).problem() is not None
    assert DropOptions(soft_time_limit=12).problem() is None  # the backend's hard limit
    assert DropOptions(processor=" ").problem() == "Name a processor."
