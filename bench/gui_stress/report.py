"""The figure lines printed from both sides' results, and the targets that set the exit code."""

from __future__ import annotations

from typing import Any

from bench.gui_stress.workload import EVENTS, PER_READ

TARGET_STALL_MS = 50.0
TARGET_RSS_MB = 500.0


def compared(ours: float, naive: float) -> str:
    """Says "N× better than" or "N× worse than", for figures where less is better."""
    if ours <= naive:
        return f"{naive / max(ours, 1e-9):.1f}× better than"
    return f"{ours / max(naive, 1e-9):.1f}× worse than"


def print_figures(ours: dict[str, Any], naive: dict[str, Any]) -> None:
    rate = ours["received"] / ours["send_seconds"]
    print(
        f"gui_stress_stall: {ours['worst_ms']:.1f} ms worst heartbeat lateness, "
        f"p99 {ours['p99_ms']:.1f} ms ({compared(ours['worst_ms'], naive['worst_ms'])} "
        f"naive QTableWidget: {naive['worst_ms']:.1f} ms, p99 {naive['p99_ms']:.1f} ms)"
    )
    print(
        f"gui_stress_gui_busy: {100 * ours['gui_busy']:.0f} % of the GUI thread's time "
        f"while streaming ({compared(ours['gui_busy'], naive['gui_busy'])} naive "
        f"QTableWidget: {100 * naive['gui_busy']:.0f} %)"
    )
    print(
        f"gui_stress_rss: {ours['peak_rss_mb']:.0f} MB peak "
        f"({compared(ours['peak_rss_mb'], naive['peak_rss_mb'])} naive QTableWidget: "
        f"{naive['peak_rss_mb']:.0f} MB)"
    )
    print(
        f"gui_stress_applied: {ours['applied']} of {EVENTS} events "
        f"({rate:.0f}/s over {ours['send_seconds']:.1f} s in {ours['signals']} signals of "
        f"{PER_READ}; naive QTableWidget: {naive['applied']} of {EVENTS})"
    )


def targets_met(ours: dict[str, Any]) -> bool:
    return bool(
        ours["worst_ms"] < TARGET_STALL_MS
        and ours["peak_rss_mb"] < TARGET_RSS_MB
        and ours["applied"] == EVENTS
    )
