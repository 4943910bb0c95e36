"""The supervisor's log: children's lines through pipes, one file, rotated and reopened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from backend.config import Settings
from backend.logs import LINE
from backend.logsink import LogSink, in_stack_format

CHILD = """
import logging, sys
from backend import logs
logs.configure("recorder")
logging.getLogger("taskdesk.recorder").info("formatted by the child")
print("a plain print", flush=True)
sys.stderr.write("a plain complaint\\n")
"""


def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(home=tmp_path, log_file=tmp_path / "backend.log", **values)


def _start(sink: LogSink, name: str, code: str) -> subprocess.Popen[bytes]:
    return sink.start_child(
        name,
        lambda out, err: subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=err),
    )


def test_children_lines_land_in_the_file_in_one_format(tmp_path: Path) -> None:
    sink = LogSink(_settings(tmp_path))
    _start(sink, "recorder", CHILD).wait()
    sink.close()
    lines = (tmp_path / "backend.log").read_text().splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    found = {(p["level"], p["process"], p["message"]) for p in parsed if p}
    assert found == {
        ("INFO", "recorder", "formatted by the child"),
        ("INFO", "recorder", "a plain print"),
        ("WARNING", "recorder", "a plain complaint"),
    }


def test_redis_keeps_its_level() -> None:
    line = in_stack_format(
        "4242:M 01 Dec 2026 13:11:49.074 # User requested shutdown...", "redis", 4242, "INFO"
    )
    parsed = LINE.match(line)
    assert parsed is not None
    assert (parsed["level"], parsed["process"], parsed["pid"]) == ("WARNING", "redis", "4242")
    assert parsed["message"] == "User requested shutdown..."


def test_reopen_writes_a_new_file_after_the_old_one_was_moved(tmp_path: Path) -> None:
    sink = LogSink(_settings(tmp_path))
    sink.write("before")
    (tmp_path / "backend.log").rename(tmp_path / "backend.log.moved")
    sink.reopen()
    sink.write("after")
    sink.close()
    assert (tmp_path / "backend.log.moved").read_text() == "before\n"
    assert (tmp_path / "backend.log").read_text() == "after\n"


def test_the_file_rotates_by_size(tmp_path: Path) -> None:
    sink = LogSink(_settings(tmp_path, log_max_mb=0.001, log_backups=2))
    for number in range(100):
        sink.write(f"line {number:03d} " + "x" * 40)
    sink.close()
    names = sorted(path.name for path in tmp_path.glob("backend.log*"))
    assert names == ["backend.log", "backend.log.1", "backend.log.2"]
    assert (tmp_path / "backend.log").read_text().splitlines()[-1].startswith("line 099")
    assert (tmp_path / "backend.log").stat().st_size <= 1000
