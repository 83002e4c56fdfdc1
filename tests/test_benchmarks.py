"""The benchmarks run and report sane numbers (quick sizes; no timing is asserted)."""

from __future__ import annotations

import math
import mmap
import sys
from pathlib import Path

import pytest

# The benchmarks live next to tests/, not in the installed package; appended so an installed rekseg still wins.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.append(_ROOT)

from benchmarks import __main__ as bench_main  # noqa: E402
from benchmarks import _harness  # noqa: E402
from benchmarks._harness import Result  # noqa: E402

BENCHMARKS = bench_main.discover()


def test_the_benchmarks_are_discovered() -> None:
    """Every bench_*.py module is found, the parse and import benchmarks among them."""
    assert {"import", "parse"} <= set(BENCHMARKS)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_each_benchmark_reports_sane_results(name: str) -> None:
    """In quick mode each benchmark returns named, finite, non-negative results whose ok flag matches its target."""
    results = bench_main.run_benchmark(name, quick=True)

    assert results
    assert all(isinstance(r, Result) for r in results)
    assert len({r.name for r in results}) == len(results)
    for result in results:
        assert result.name
        assert result.unit
        assert math.isfinite(result.value), result
        # Times and ratios are positive; a memory growth may honestly be zero.
        assert result.value > 0 or (result.value == 0 and result.unit == "MiB"), result
        if result.target is None:
            assert result.ok
        else:
            assert result.ok == (result.value <= result.target), result
    assert any(r.target is not None for r in results)


def test_parse_benchmark_compares_the_same_page() -> None:
    """The parse benchmark reports both times, their ratio against the 0.35 target, and the decoding's share."""
    from benchmarks import bench_parse

    rekseg_ms, botocore_ms, ratio, decoding = bench_parse.run(quick=True)

    assert ratio.value == pytest.approx(rekseg_ms.value / botocore_ms.value)
    assert ratio.target == 0.35
    # Decoding is part of both sides' work, so it cannot take longer than botocore's whole parse.
    assert decoding.target is None
    assert 0 < decoding.value < 1
    assert len(bench_parse.make_page(12)["Segments"]) == 12


def test_quick_mode_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """An explicit quick argument wins; otherwise REKSEG_BENCH_QUICK decides."""
    monkeypatch.setenv(_harness.QUICK_ENV, "1")
    assert _harness.is_quick()
    assert not _harness.is_quick(False)
    monkeypatch.setenv(_harness.QUICK_ENV, "0")
    assert not _harness.is_quick()
    assert _harness.is_quick(True)


def test_best_of_times_every_call() -> None:
    """best_of calls the function repeat x number times and returns a positive per-call time."""
    calls: list[int] = []

    seconds = _harness.best_of(lambda: calls.append(1), repeat=3, number=4)

    assert len(calls) == 12
    assert 0 < seconds < 1


def test_ratio_and_at_most() -> None:
    """Dividing gives infinity for a zero denominator; at_most is ok exactly when the value is within the target."""
    assert _harness.ratio(1, 4) == 0.25
    assert _harness.ratio(1, 0) == math.inf
    assert Result.at_most("a", 0.35, 0.35, "x").ok
    assert not Result.at_most("a", 0.36, 0.35, "x").ok
    assert not Result.at_most("a", math.inf, 0.35, "x").ok
    assert Result.at_most("a", 99, None, "ms").ok


def test_memory_helpers_see_an_allocation() -> None:
    """traced_peak sees a 4 MiB allocation; RSS readings are positive and the peak is at least the current."""
    result, peak = _harness.traced_peak(lambda: len(bytearray(4 * 1024 * 1024)))

    assert result == 4 * 1024 * 1024
    assert peak >= 4 * 1024 * 1024
    before = _harness.current_rss_bytes()
    if sys.platform.startswith("linux"):
        assert before is not None
        assert before > 0
        block = bytearray(64 * 1024 * 1024)
        block[:: mmap.PAGESIZE] = b"\x01" * len(range(0, len(block), mmap.PAGESIZE))  # every page resident
        current = _harness.current_rss_bytes()
        assert current is not None
        assert current - before >= 60 * 1024 * 1024
        assert _harness.peak_rss_bytes() >= current
        del block


def test_report_marks_missed_targets_and_sets_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    """A missed target is printed as MISSED and makes the exit status 1; met targets give 0."""
    met = [Result.at_most("fast thing", 1.0, 2.0, "ms"), Result.at_most("info", 3.0, None, "ms", "a note")]
    missed = [Result.at_most("slow thing", 3.0, 2.0, "ms")]

    assert bench_main.report([("demo", met)]) == 0
    out = capsys.readouterr().out
    assert "[demo]" in out
    assert "a note" in out
    assert "all targets met" in out
    assert bench_main.report([("demo", met), ("other", missed)]) == 1
    out = capsys.readouterr().out
    assert "MISSED" in out
    assert "other: slow thing" in out


def test_main_filters_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    """The name filter selects benchmarks; a filter matching none exits 2; --list lists them."""
    assert bench_main.main(["--quick", "pars"]) in (0, 1)
    out = capsys.readouterr().out
    assert "[parse]" in out
    assert "[import]" not in out
    assert bench_main.main(["no-such-benchmark"]) == 2
    assert bench_main.main(["--list"]) == 0
    assert capsys.readouterr().out.split() == BENCHMARKS
