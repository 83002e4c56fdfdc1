"""Import time of ``import rekseg`` next to ``import botocore.session``, each in a fresh interpreter.

rekseg needs botocore anyway, so what it costs on top is what matters. The target bounds rekseg's own modules:
imported with its dependencies (botocore.session, attrs, tenacity, typing_extensions) already loaded, rekseg may
take at most `TARGET_OWN_RATIO` of the time ``import botocore.session`` takes. The full ``import rekseg`` (its
dependencies included) is reported next to botocore's without a target.
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks._harness import Result, is_quick, ratio

TARGET_OWN_RATIO = 0.3
DEPENDENCIES = "botocore.session, attrs, tenacity, typing_extensions"

_TIMED = """\
import time
{before}
start = time.perf_counter()
import {module}
print(time.perf_counter() - start)
"""


def time_import(module: str, *, before: str = "", repeat: int = 5) -> float:
    """Return the best time in seconds of ``import module`` in a fresh interpreter, after running ``before``."""
    code = _TIMED.format(module=module, before=before)
    best = float("inf")
    for _ in range(repeat):
        completed = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
        )
        best = min(best, float(completed.stdout.strip().splitlines()[-1]))
    return best


def run(quick: bool | None = None) -> list[Result]:
    """Time the three imports and report them with the ratios."""
    repeat = 1 if is_quick(quick) else 7
    botocore_seconds = time_import("botocore.session", repeat=repeat)
    rekseg_seconds = time_import("rekseg", repeat=repeat)
    own_seconds = time_import("rekseg", before=f"import {DEPENDENCIES}", repeat=repeat)
    return [
        Result.at_most("import botocore.session", botocore_seconds * 1e3, None, "ms", "fresh interpreter"),
        Result.at_most("import rekseg", rekseg_seconds * 1e3, None, "ms", "fresh interpreter, dependencies included"),
        Result.at_most("import rekseg, dependencies preloaded", own_seconds * 1e3, None, "ms", "rekseg's own modules"),
        Result.at_most(
            "import ratio rekseg / botocore.session",
            ratio(rekseg_seconds, botocore_seconds),
            None,
            "x",
            "whole import, report only",
        ),
        Result.at_most(
            "import ratio rekseg own / botocore.session",
            ratio(own_seconds, botocore_seconds),
            TARGET_OWN_RATIO,
            "x",
            "what rekseg adds on top of the botocore it needs",
        ),
    ]
