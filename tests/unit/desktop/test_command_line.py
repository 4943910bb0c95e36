"""``taskdesk [PDF...] [--server URL --token TOKEN] [--processor NAME] [--version]``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__
from desktop.app import parse_args


def test_pdfs_and_a_remote_server() -> None:
    args = parse_args(["a.pdf", "b.pdf", "--server", "http://host:8000", "--token", "t0k"])
    assert args.pdfs == [Path("a.pdf"), Path("b.pdf")]
    assert (args.server, args.token) == ("http://host:8000", "t0k")


@pytest.mark.parametrize("argv", [["--server", "http://x"], ["--token", "t"]])
def test_server_and_token_go_together(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    assert "--server" in capsys.readouterr().err


def test_version_needs_no_display() -> None:
    # Run as the gui-script would, in a fresh interpreter without Qt set up.
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert out.returncode == 0
    assert out.stdout.strip() == f"taskdesk {__version__}"
