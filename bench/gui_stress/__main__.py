"""``python -m bench.gui_stress``: run each side in a fresh process, then print the figures.

``--side NAME`` (internal) is that fresh process: it runs one side and prints its result
as JSON on its last stdout line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from PySide6.QtWidgets import QApplication

import bench.gui_stress
from bench.gui_stress.naive import NaiveSide
from bench.gui_stress.report import print_figures, targets_met
from bench.gui_stress.side import Side
from bench.gui_stress.taskdesk import TaskdeskSide
from bench.gui_stress.workload import make_workload

SIDES: dict[str, type[Side]] = {"taskdesk": TaskdeskSide, "naive": NaiveSide}


def run_side(name: str) -> dict[str, Any]:
    workload = make_workload()
    app = QApplication(sys.argv[:1])
    return SIDES[name](app, workload).run()


def measure_side(name: str) -> dict[str, Any]:
    """Run one side in a fresh process; its last stdout line is its result as JSON."""
    run = subprocess.run(
        [sys.executable, "-m", "bench.gui_stress", "--side", name],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=300,
    )
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    description = (bench.gui_stress.__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--side", choices=sorted(SIDES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(run_side(args.side)), flush=True)
        return 0
    ours, naive = measure_side("taskdesk"), measure_side("naive")
    print_figures(ours, naive)
    return 0 if targets_met(ours) else 1


if __name__ == "__main__":
    sys.exit(main())
