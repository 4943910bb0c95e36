"""Processors: named functions that turn one stored file into a result.

A processor is registered by name with :func:`processor` and receives a :class:`Job`::

    @processor("demo.flaky")
    def flaky(job: Job) -> dict:
        job.progress(done, total, stage="reading")   # cheap to call often
        raise TransientError("share not mounted")     # retried with backoff
        raise PermanentError("not a PDF")             # failed at once
        return {"pages": total}                        # JSON-able summary

Extra processors live in modules named by ``TASKDESK_PLUGINS``; :func:`load_plugins`
imports them in the API (to validate names) and in every worker (to run them).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

DEFAULT_PROCESSOR = "pdf.extract"
#: The batch option ``ocr``: OCR the pages that need it, every page, or none.
OCR_MODES = ("auto", "always", "never")
DEFAULT_OCR = "auto"

#: Modules that register the processors shipped with Taskdesk.
BUILTIN_MODULES = ("backend.processors.pdf",)


class ProgressReporter(Protocol):
    def __call__(self, done: int, total: int, stage: str | None) -> None: ...


@dataclass
class Job:
    """What a processor may know about the task it runs."""

    task_id: str
    #: The stored input file (its name is ours, not the uploaded one).
    path: Path
    #: Where the processor writes its full result (a JSON file).
    result_path: Path
    #: Per-batch options from the submission.
    options: dict[str, Any] = field(default_factory=dict)
    #: 1 for the first submission, +1 for every manual retry.
    attempt: int = 1
    #: Automatic retries already used in this attempt.
    retries: int = 0
    #: Refuse documents with more pages than this.
    max_pages: int = 10_000
    _reporter: ProgressReporter | None = field(default=None, repr=False)

    def progress(self, done: int, total: int, stage: str | None = None) -> None:
        """Report ``done`` of ``total`` steps; coalesced downstream, so call it freely."""
        if self._reporter is not None:
            self._reporter(done, total, stage)


ProcessorFunc = Callable[[Job], dict[str, Any]]

_registry: dict[str, ProcessorFunc] = {}


def processor(name: str) -> Callable[[ProcessorFunc], ProcessorFunc]:
    """Register the decorated function as the processor called ``name``."""

    def register(func: ProcessorFunc) -> ProcessorFunc:
        _registry[name] = func
        return func

    return register


def get_processor(name: str) -> ProcessorFunc:
    """The processor called ``name``; KeyError when none is registered."""
    return _registry[name]


def processor_names() -> list[str]:
    return sorted(_registry)


def load_plugins(modules: Iterable[str] = ()) -> None:
    """Import the built-in processors and the plugin modules, registering theirs."""
    for module in (*BUILTIN_MODULES, *modules):
        importlib.import_module(module)
