"""Timing and memory helpers shared by the benchmark modules, and the `Result` every benchmark reports."""

from __future__ import annotations

import gc
import math
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import attrs

__all__ = [
    "QUICK_ENV",
    "Result",
    "best_of",
    "current_rss_bytes",
    "format_report",
    "is_quick",
    "peak_rss_bytes",
    "ratio",
    "served_emulator",
    "traced_peak",
]

QUICK_ENV = "REKSEG_BENCH_QUICK"
"""Set to ``1`` to run every benchmark at small sizes: a smoke test of the machinery, not a measurement."""

_T = TypeVar("_T")


@attrs.frozen
class Result:
    """One reported number.

    Attributes:
        name: What was measured, e.g. ``parse: rekseg / botocore``.
        value: The measurement.
        target: The bound the value must not exceed, or ``None`` for a number that is only reported.
        unit: Unit of ``value`` and ``target`` (``ms``, ``x``, ``MiB``...).
        ok: Whether the target is met (always true without a target).
        note: A short explanation printed next to the number.
    """

    name: str
    value: float
    target: float | None
    unit: str
    ok: bool
    note: str = ""

    @classmethod
    def at_most(cls, name: str, value: float, target: float | None, unit: str, note: str = "") -> Result:
        """Make a result that is ok when ``value <= target`` (or when there is no target)."""
        ok = target is None or (math.isfinite(value) and value <= target)
        return cls(name, value, target, unit, ok, note)


def is_quick(quick: bool | None = None) -> bool:
    """Resolve a benchmark's ``quick`` argument: an explicit value wins, else the `QUICK_ENV` variable."""
    if quick is not None:
        return quick
    return os.environ.get(QUICK_ENV, "").strip().lower() in {"1", "true", "yes"}


def best_of(func: Callable[[], object], *, repeat: int = 7, number: int = 1) -> float:
    """Return the best time in seconds of one call to ``func``: the minimum over ``repeat`` rounds of ``number`` calls.

    The minimum is the least disturbed by whatever else the machine is doing; the garbage collector is paused
    during each round so one side does not pay for the other's garbage.
    """
    best = math.inf
    enabled = gc.isenabled()
    try:
        for _ in range(repeat):
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            for _ in range(number):
                func()
            elapsed = time.perf_counter() - start
            if enabled:
                gc.enable()
            best = min(best, elapsed / number)
    finally:
        if enabled:
            gc.enable()
    return best


def ratio(numerator: float, denominator: float) -> float:
    """Return ``numerator / denominator``, or infinity when the denominator is zero."""
    return numerator / denominator if denominator else math.inf


def traced_peak(func: Callable[[], _T]) -> tuple[_T, int]:
    """Call ``func`` under tracemalloc; return its result and the peak of Python allocations during it, in bytes."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    try:
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return result, max(0, peak - base)


def current_rss_bytes() -> int | None:
    """Return this process's resident set size in bytes, or ``None`` where ``/proc`` is not available."""
    statm = Path("/proc/self/statm")
    try:
        pages = int(statm.read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    """Return the peak resident set size of this process so far, in bytes (never below the current one).

    Linux updates the high-water mark ``getrusage`` reads from per-thread counters it folds in lazily, so it can
    trail the current RSS by a few dozen pages; the current reading is a floor for the peak.
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    peak = peak if sys.platform == "darwin" else peak * 1024
    return max(peak, current_rss_bytes() or 0)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if math.isinf(value):
        return "inf"
    digits = 3 if unit == "x" else 2
    return f"{value:.{digits}f} {unit}"


def format_report(sections: Iterable[tuple[str, Sequence[Result]]]) -> str:
    """Render results as an aligned plain-text table, one section per benchmark module."""
    rows: list[tuple[str, str, str, str, str]] = []
    for module, results in sections:
        rows.append((f"[{module}]", "", "", "", ""))
        for result in results:
            status = "" if result.target is None else ("ok" if result.ok else "MISSED")
            target = "" if result.target is None else f"<= {_number(result.target, result.unit)}"
            rows.append((f"  {result.name}", _number(result.value, result.unit), target, status, result.note))
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].ljust(widths[2]), row[3].ljust(widths[3])]
        line = "  ".join(cells)
        if row[4]:
            line += f"  {row[4]}"
        lines.append(line.rstrip())
    return "\n".join(lines)


@contextmanager
def served_emulator(*args: str) -> Iterator[str]:
    """Run ``python -m rekseg.testing`` with ``args`` in its own process; yield its endpoint URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "rekseg.testing", "--port", "0", "--quiet", *args], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip().split()[-1]
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()
