"""Run every benchmark module (or those whose name contains a filter), print a report, fail on a missed target.

Usage: ``python -m benchmarks [--quick] [FILTER ...]``. Exit status 1 when any target is missed, 2 when a
filter matches no benchmark.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks._harness import QUICK_ENV, Result, format_report

PREFIX = "bench_"


def discover() -> list[str]:
    """Return the names of the benchmark modules (``bench_*.py``), sorted, without the prefix."""
    here = str(Path(__file__).parent)
    return sorted(m.name[len(PREFIX) :] for m in pkgutil.iter_modules([here]) if m.name.startswith(PREFIX))


def run_benchmark(name: str, *, quick: bool | None = None) -> list[Result]:
    """Import ``benchmarks.bench_<name>`` and return what its ``run()`` reports."""
    module = importlib.import_module(f"benchmarks.{PREFIX}{name}")
    results: list[Result] = module.run(quick=quick)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected benchmarks and print the report; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("filters", nargs="*", help="run only benchmarks whose name contains one of these")
    parser.add_argument("--quick", action="store_true", default=None, help=f"small sizes (same as {QUICK_ENV}=1)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    selected = [n for n in names if not args.filters or any(f in n for f in args.filters)]
    if not selected:
        print(f"no benchmark matches {' '.join(args.filters)!r}; have: {', '.join(names)}", file=sys.stderr)
        return 2

    sections: list[tuple[str, list[Result]]] = []
    for name in selected:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        results = run_benchmark(name, quick=args.quick)
        print(f"  done in {time.perf_counter() - start:.1f}s", file=sys.stderr, flush=True)
        sections.append((name, results))
    return report(sections)


def report(sections: Sequence[tuple[str, Sequence[Result]]]) -> int:
    """Print the report of every section and return the exit status: 1 if any target is missed, else 0."""
    print(format_report(sections))
    missed = [f"{name}: {r.name}" for name, results in sections for r in results if not r.ok]
    if missed:
        print(f"\n{len(missed)} target(s) missed: " + "; ".join(missed))
        return 1
    print("\nall targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
