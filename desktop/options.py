"""What the files added next are submitted with: processor, retries, time limits, OCR.

The analyst sets these in "Options…" (:mod:`desktop.optionsdialog`); the window
remembers them (:meth:`desktop.settings.Preferences.drop_options`) and sends them as
the batch form fields of ``POST /api/batches``. A value left unset is not sent, so the
backend's own default applies (``TASKDESK_MAX_RETRIES``, ``TASKDESK_TIME_LIMIT``, …)
and follows it when that changes. ``--processor`` on the command line overrides the
remembered processor for one run.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.processors import DEFAULT_OCR, DEFAULT_PROCESSOR


@dataclass(frozen=True)
class DropOptions:
    """The batch options of the next drop; None means "the backend's default"."""

    processor: str = DEFAULT_PROCESSOR
    max_retries: int | None = None
    soft_time_limit: float | None = None
    time_limit: float | None = None
    ocr: str = DEFAULT_OCR

    def form_fields(self) -> dict[str, str]:
        """The form fields to send: only what differs from the backend's defaults."""
        fields: dict[str, str] = {}
        if self.processor and self.processor != DEFAULT_PROCESSOR:
            fields["processor"] = self.processor
        if self.max_retries is not None:
            fields["max_retries"] = str(self.max_retries)
        if self.soft_time_limit is not None:
            fields["soft_time_limit"] = f"{self.soft_time_limit:g}"
        if self.time_limit is not None:
            fields["time_limit"] = f"{self.time_limit:g}"
        if self.ocr != DEFAULT_OCR:
            fields["ocr"] = self.ocr
        return fields

    def problem(self) -> str | None:
        """Why the backend would refuse these options, in the analyst's words, or None."""
        soft, hard = self.soft_time_limit, self.time_limit
        if soft is not None and hard is not None and soft >= hard:
            return "The soft time limit must be below the hard one."
        if not self.processor.strip():
            return "Name a processor."
        return None

    def summary(self) -> str:
        """One line for a tooltip: what the next drop uses."""
        parts = [self.processor, f"OCR {self.ocr}"]
        if self.max_retries is not None:
            parts.append(f"{self.max_retries} retries")
        if self.soft_time_limit is not None or self.time_limit is not None:
            soft = "default" if self.soft_time_limit is None else f"{self.soft_time_limit:g} s"
            hard = "default" if self.time_limit is None else f"{self.time_limit:g} s"
            parts.append(f"limits {soft} / {hard}")
        return ", ".join(parts)
