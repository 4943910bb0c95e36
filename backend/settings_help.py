"""The settings part of ``taskdesk-backend --help``, read off :class:`~backend.config.Settings`.

Generated, not written: a field added to the class shows up here with its variable, its
default and its ``Field(description=...)``, so the help cannot fall behind the code.
"""

from __future__ import annotations

import textwrap
from typing import Any

from pydantic import AliasChoices
from pydantic.fields import FieldInfo

from backend.config import Settings

_INDENT = " " * 6


def variable_names(name: str, field: FieldInfo) -> list[str]:
    """The environment variables that set a field, the one to use first."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    if isinstance(alias, str):
        return [alias]
    return [f"{Settings.model_config.get('env_prefix', '')}{name}".upper()]


def default_text(field: FieldInfo) -> str:
    """The default as one would type it; a computed one as computed here."""
    value: Any = field.get_default(call_default_factory=True, validated_data={})
    if value is None or value == "":
        return "unset"
    return str(value)


def settings_help(width: int = 79) -> str:
    """One entry per setting: ``VARIABLE (default: X)`` and its description below."""
    entries = []
    for name, field in Settings.model_fields.items():
        first, *others = variable_names(name, field)
        head = f"  {first} (default: {default_text(field)})"
        if others:
            head += f"; also {', '.join(others)}"
        body = textwrap.fill(
            field.description or "",
            width=width,
            initial_indent=_INDENT,
            subsequent_indent=_INDENT,
        )
        entries.append(f"{head}\n{body}" if body else head)
    return "settings (environment variables):\n" + "\n".join(entries)
