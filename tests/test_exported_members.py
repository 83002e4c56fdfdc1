"""The package's public surface is exactly what `__all__` says, and `import rekseg` stays light."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from importlib.metadata import version

import rekseg

PUBLIC_SUBPACKAGES = {"analysis", "export", "testing", "notifications", "batch", "aio", "local"}


def test_every_public_attribute_is_exported() -> None:
    """Every public attribute of `rekseg` is in `__all__` or is a public submodule, and vice versa."""
    public = {name for name in dir(rekseg) if not name.startswith("_")}
    modules = {name for name in public if isinstance(getattr(rekseg, name), types.ModuleType)}
    assert modules <= PUBLIC_SUBPACKAGES
    assert public - modules == set(rekseg.__all__) - {"__version__"}


def test_version_comes_from_the_installed_metadata() -> None:
    """`rekseg.__version__` is the installed distribution's version, not a second literal."""
    assert rekseg.__version__ == version("rekseg")


def test_import_loads_no_optional_package_nor_capability() -> None:
    """`import rekseg` imports no optional dependency, no capability subpackage and not the CLI."""
    code = "import json, sys, rekseg; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout))
    forbidden = {
        "opentimelineio",
        "aiobotocore",
        "aiohttp",
        "av",
        "scenedetect",
        "rekseg.aio",
        "rekseg.batch",
        "rekseg.notifications",
        "rekseg.local",
        "rekseg.testing",
        "rekseg._cli",
        "sqlite3",
    }
    assert not (loaded & forbidden), sorted(loaded & forbidden)
