"""Hostile input through the real stack: bad files, bad names, a bomb the pre-scan misses.

Each file of the hostile corpus must end as :data:`~tests.hostile_pdfs.HOSTILE`
says (failed for good with a reason an analyst can read, or completed), without killing
a worker process; names are only labels, so nothing may be written outside
``TASKDESK_HOME`` whatever they say.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.faults.helpers import (
    LOST,
    child,
    evading_bomb,
    events_by_task,
    submit_labelled,
    wait_all,
    worker_pids,
)
from tests.hostile_pdfs import COMPLETES, HOSTILE, HOSTILE_MAX_PAGES, hostile_corpus
from tests.pdfgen import make_pdf
from tests.stack import REPO_ROOT, Row, Stack

pytestmark = pytest.mark.slow

#: What TASKDESK_HOME may hold after any amount of work (paths relative to it).
EXPECTED_IN_HOME = re.compile(
    r"(files/[0-9a-f]{32}\.pdf|files/\.upload-\w+\.part|results/[0-9a-f]{32}\.json"
    r"|redis/(password|redis\.conf|redis\.log|appendonly\.aof|temp-[\w-]+\.(aof|rdb))"
    r"|taskdesk\.db(-wal|-shm|-journal)?|token|runtime\.json|supervisor\.lock)"
)


def _result(stack: Stack, row: Row) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((stack.home / "results" / f"{row['id']}.json").read_text())
    return result


def _assert_as_expected(stack: Stack, name: str, row: Row) -> None:
    expected = HOSTILE[name]
    if expected.outcome == COMPLETES:
        assert row["status"] == "completed", (name, row["error"])
        assert expected.text in _result(stack, row)["pages"][0]["text"], name
        return
    assert (row["status"], row["error_kind"]) == ("failed", "permanent"), (name, row)
    assert row["retries"] == 0, name
    message = row["error"].lower()
    assert all(word in message for word in expected.message), (name, row["error"])
    assert "traceback" not in message and "pdfium" not in message, (name, row["error"])


def test_every_hostile_file_ends_as_expected_without_losing_a_worker(
    stack: Stack, tmp_path: Path
) -> None:
    assert stack.settings.max_pages == HOSTILE_MAX_PAGES
    corpus = hostile_corpus(tmp_path / "corpus")
    assert len(corpus) >= 20
    workers = worker_pids(stack)

    rows = stack.submit(corpus.values())
    done = wait_all(stack, [r["id"] for r in rows], timeout=120)

    for name, row in zip(corpus, rows, strict=True):
        _assert_as_expected(stack, name, done[row["id"]])
    # A lost worker process would show as a retry ("the worker ... was killed").
    for events in events_by_task(stack, done).values():
        assert "retrying" not in {e["status"] for e in events}
    assert worker_pids(stack) == workers, "a worker process died on hostile input"

    (good,) = stack.submit([make_pdf(tmp_path / "after.pdf", 3)])
    assert wait_all(stack, [good["id"]])[good["id"]]["status"] == "completed"


#: Labels no file could carry, or that mean harm if used as paths. ``{t}`` is a token
#: that also marks any file a label would have created.
HOSTILE_LABELS = {
    "parent_dirs": "../../../../../tmp/{t}-escape.pdf",
    "absolute": "/etc/{t}-escape.pdf",
    "windows_parents": "..\\..\\{t}-escape.pdf",
    "nul": "report\x00{t}.pdf",
    "long": "{t}" + "x" * 300 + ".pdf",
    "rtl_override": "invoice-{t}\u202efdp.exe",
    "rtl_marks": "\u200f\u05d3\u05d5\u05d7-{t}\u200e.pdf",
    "emoji": "\U0001f4c4\U0001f525 {t} \U0001f469\u200d\U0001f469\u200d\U0001f467.pdf",
    "controls": "line\nbreak\t{t}\x1b[31m\r.pdf",
    "lone_surrogate": "caf\udce9-{t}.pdf",  # how Python decodes a non-UTF-8 file name
    "dots": "..",
    "empty": "",
}


def _stored_label(label: str) -> str:
    """What the stores may hold: the label, with what no store can keep made U+FFFD."""
    return re.sub("[\x00\ud800-\udfff]", "\ufffd", label)


def test_hostile_labels_are_only_labels(stack: Stack, tmp_path: Path) -> None:
    token = f"hostile{tmp_path.name[-6:].replace('_', '')}"
    pdf = make_pdf(tmp_path / "plain.pdf", 2)
    labels = {case: label.format(t=token) for case, label in HOSTILE_LABELS.items()}
    rows = submit_labelled(stack, [(label, pdf) for label in labels.values()])
    done = wait_all(stack, [r["id"] for r in rows], timeout=60)

    stack.wait_recorded()
    repository = stack.repository
    for (case, label), row in zip(labels.items(), rows, strict=True):
        finished = done[row["id"]]
        assert finished["status"] == "completed", (case, finished["error"])
        assert finished["filename"] == _stored_label(label), case
        # Every store and every client can take the row: valid UTF-8, no NUL.
        json.dumps(finished, ensure_ascii=False).encode("utf-8")
        assert repository.get(row["id"]) == finished, case
        assert (stack.home / "files" / f"{row['id']}.pdf").is_file(), case

    unexpected = [
        str(path.relative_to(stack.home))
        for path in stack.home.rglob("*")
        if path.is_file() and not EXPECTED_IN_HOME.fullmatch(str(path.relative_to(stack.home)))
    ]
    assert not unexpected, unexpected
    assert not _files_named(token), "a label was used as a path"


def _files_named(token: str) -> list[str]:
    """Files anywhere on this machine's root file system (and the repo) named with ``token``."""
    found = subprocess.run(
        [
            "find",
            "/",
            str(REPO_ROOT),
            "-xdev",
            "(",
            "-path",
            "/proc",
            "-o",
            "-path",
            "/sys",
            ")",
            "-prune",
            "-o",
            "-name",
            f"*{token}*",
            "-print",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    return found.split()


def test_bomb_the_prescan_misses_costs_one_process_and_fails_the_task(
    stack: Stack, tmp_path: Path
) -> None:
    """Behind /ASCIIHexDecode the pre-scan cannot measure the stream; the memory cap
    (TASKDESK_WORKER_MEMORY_MB) ends the process instead of the machine."""
    bomb = evading_bomb(tmp_path / "bomb.pdf", inflated_mib=2048)
    assert bomb.stat().st_size < 8 << 20
    main = child(stack, "celery").pid

    (row,) = stack.submit([bomb], max_retries=1)
    done = wait_all(stack, [row["id"]], timeout=90)[row["id"]]
    assert (done["status"], done["error_kind"]) == ("failed", "retries_exhausted"), done
    assert done["retries"] == done["max_retries"] == 1
    assert LOST in done["error"]

    (good,) = stack.submit([make_pdf(tmp_path / "after.pdf", 3)])
    assert wait_all(stack, [good["id"]])[good["id"]]["status"] == "completed"
    # The pool lost a process per run and replaced it; the worker itself lived on.
    assert child(stack, "celery").pid == main


def test_every_hostile_file_uploaded_is_refused_with_a_reason_or_ends_as_expected(
    stack: Stack, tmp_path: Path
) -> None:
    """Through POST /api/batches, as the desktop sends them: the upload refuses what is
    plainly no PDF (by content), and the rest ends as HOSTILE says."""
    corpus = hostile_corpus(tmp_path / "corpus")
    files = [
        ("files", (path.name, path.read_bytes(), "application/pdf")) for path in corpus.values()
    ]
    answer = stack.http.post("/api/batches", files=files)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    refused = {r["filename"].removesuffix(".pdf"): r["reason"] for r in body["rejected"]}
    accepted = {t["filename"].removesuffix(".pdf"): t for t in body["tasks"]}
    assert set(refused) | set(accepted) == set(HOSTILE) and not set(refused) & set(accepted)
    for name, reason in refused.items():
        assert HOSTILE[name].outcome != COMPLETES, f"{name} is readable, yet refused"
        assert reason and "traceback" not in reason.lower(), (name, reason)

    done = wait_all(stack, [t["id"] for t in accepted.values()], timeout=120)
    for name, task in accepted.items():
        _assert_as_expected(stack, name, done[task["id"]])
