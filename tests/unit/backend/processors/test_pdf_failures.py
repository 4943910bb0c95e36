"""Failures that are not the PDF's fault (a missing file, an interruption mid-run)
must stay retryable and leave neither an open file nor a half-written result."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from backend.errors import PermanentError
from backend.processors.pdf import extract
from tests.pdfgen import make_pdf
from tests.unit.backend.processors.conftest import make_job


class Interrupted(BaseException):
    """Stands for Celery's SoftTimeLimitExceeded or a KeyboardInterrupt."""


def open_handles(path: Path) -> int:
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if os.path.realpath(fd) == str(path.resolve()))


def test_missing_file_is_not_permanent(tmp_path: Path) -> None:
    job, _ = make_job(tmp_path / "gone.pdf", tmp_path)
    with pytest.raises(OSError) as caught:  # any non-PermanentError is retried
        extract(job)
    assert not isinstance(caught.value, PermanentError)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_interruption_mid_loop_propagates_and_closes_the_pdf(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "long.pdf", 20)
    job, _ = make_job(path, tmp_path)
    calls: list[int] = []

    def report(done: int, total: int, stage: str | None) -> None:
        calls.append(done)
        if done == 5:
            raise Interrupted

    job._reporter = report
    with pytest.raises(Interrupted):
        extract(job)
    assert calls == [0, 1, 2, 3, 4, 5]
    assert open_handles(path) == 0
    assert not job.result_path.exists()


def test_interrupted_write_keeps_the_old_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_pdf(tmp_path / "doc.pdf", 3)
    job, _ = make_job(path, tmp_path)
    job.result_path.parent.mkdir(parents=True)
    job.result_path.write_text('{"old": true}')

    def fsync(fd: int) -> None:
        raise Interrupted

    monkeypatch.setattr("backend.processors.pdf.os.fsync", fsync)
    with pytest.raises(Interrupted):
        extract(job)
    assert json.loads(job.result_path.read_text()) == {"old": True}
    assert sorted(p.name for p in job.result_path.parent.iterdir()) == ["t-1.json"]
