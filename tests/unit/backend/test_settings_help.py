"""``taskdesk-backend --help`` lists every setting, read off the settings class."""

from __future__ import annotations

import subprocess
import sys

from backend.config import Settings
from backend.settings_help import variable_names


def _help() -> str:
    return subprocess.run(
        [sys.executable, "-m", "backend.supervisor", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_every_setting_is_in_the_help_with_its_default_and_why() -> None:
    text = " ".join(_help().split())  # descriptions are wrapped
    for name, field in Settings.model_fields.items():
        variable = variable_names(name, field)[0]
        assert f"{variable} (default: " in text, variable
        assert " ".join((field.description or "").split()) in text, variable


def test_every_setting_says_why() -> None:
    undocumented = [name for name, field in Settings.model_fields.items() if not field.description]
    assert not undocumented, "give these Field(description=...): " + ", ".join(undocumented)


def test_names_and_defaults() -> None:
    text = _help()
    assert "TASKDESK_MAX_RETRIES (default: 3)" in text
    assert "REDIS_URL (default: unset); also TASKDESK_REDIS_URL" in text
    assert "TASKDESK_TLS_CERT (default: unset)" in text
