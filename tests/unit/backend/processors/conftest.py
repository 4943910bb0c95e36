"""What the ``test_pdf*`` modules share: ``pdf.extract`` run on a Job as a worker runs it,
but in the test process, so a test sees every progress call and the result file; and
the hostile corpus, written once for each module that reads it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backend.processors import Job
from backend.processors.pdf import extract
from tests.hostile_pdfs import hostile_corpus

#: One call of a job's progress reporter: pages done, pages in all, stage.
Call = tuple[int, int, str | None]


def make_job(path: Path, tmp_path: Path, **kwargs: Any) -> tuple[Job, list[Call]]:
    calls: list[Call] = []
    job = Job(
        task_id="t-1",
        path=path,
        result_path=tmp_path / "results" / "t-1.json",
        _reporter=lambda done, total, stage: calls.append((done, total, stage)),
        **kwargs,
    )
    return job, calls


def run(
    path: Path, tmp_path: Path, **kwargs: Any
) -> tuple[dict[str, Any], dict[str, Any], list[Call]]:
    """Extract ``path``; return the summary, the result file's content and progress calls."""
    job, calls = make_job(path, tmp_path, **kwargs)
    summary = extract(job)
    return summary, json.loads(job.result_path.read_text(encoding="utf-8")), calls


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return hostile_corpus(tmp_path_factory.mktemp("hostile"))
