"""Import time of ``import rekseg`` next to ``import botocore.session``, each in a fresh interpreter.

rekseg needs botocore anyway, so what it costs on top is what matters. The target bounds rekseg's own modules:
imported with its dependencies (botocore.session, attrs, tenacity, typing_extensions) already loaded, rekseg may
take at most `TARGET_OWN_RATIO` of the time ``import botocore.session`` takes. The full ``import rekseg`` (its
dependencies included) is reported next to botocore's without a target.

Both sides are timed from bytecode, as users run them: pip compiles an installed package to ``.pyc`` files. A
source checkout run with ``PYTHONDONTWRITEBYTECODE=1`` (as on some CI machines) would otherwise compile rekseg
from source on every run while botocore loads its installed ``.pyc``. So every interpreter here writes and reads
its bytecode under one temporary ``PYTHONPYCACHEPREFIX``, a warm-up import fills it, and the timed rounds of the
three imports are interleaved.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

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


def _interpreter_env(cache: str) -> dict[str, str]:
    """Return the environment of a timed interpreter: bytecode written and read under ``cache``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def time_import(module: str, *, before: str = "", env: dict[str, str] | None = None) -> float:
    """Return the time in seconds of ``import module`` in a fresh interpreter, after running ``before``."""
    code = _TIMED.format(module=module, before=before)
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120, env=env
    )
    return float(completed.stdout.strip().splitlines()[-1])


def time_imports(repeat: int) -> tuple[float, float, float]:
    """Return the best seconds of ``import botocore.session``, ``import rekseg`` and rekseg's own modules.

    All three from bytecode (see the module's docstring), rounds interleaved so that a busy moment of a shared
    machine weighs on each side alike.
    """
    with tempfile.TemporaryDirectory(prefix="rekseg-bench-pyc-") as cache:
        env = _interpreter_env(cache)
        time_import("rekseg", before=f"import {DEPENDENCIES}", env=env)  # warm-up: writes every .pyc needed
        best = [float("inf")] * 3
        for _ in range(repeat):
            timed = (
                time_import("botocore.session", env=env),
                time_import("rekseg", env=env),
                time_import("rekseg", before=f"import {DEPENDENCIES}", env=env),
            )
            best = [min(b, t) for b, t in zip(best, timed, strict=True)]
    return best[0], best[1], best[2]


def run(quick: bool | None = None) -> list[Result]:
    """Time the three imports and report them with the ratios."""
    repeat = 1 if is_quick(quick) else 7
    botocore_seconds, rekseg_seconds, own_seconds = time_imports(repeat)
    return [
        Result.at_most(
            "import botocore.session", botocore_seconds * 1e3, None, "ms", "fresh interpreter, from bytecode"
        ),
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
