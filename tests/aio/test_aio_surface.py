"""rekseg.aio's public surface: what __all__ says, the same methods and parameters as the sync client, lazy imports."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest

import rekseg
import rekseg.aio
from rekseg.notifications import SqsListener


def test_every_public_attribute_is_exported() -> None:
    """Every public attribute of `rekseg.aio` is in its `__all__`, and vice versa."""
    public = {name for name in dir(rekseg.aio) if not name.startswith("_")}
    assert public == set(rekseg.aio.__all__)
    assert rekseg.aio.__all__ == sorted(rekseg.aio.__all__)


@pytest.mark.parametrize(
    ("sync", "async_"),
    [
        (rekseg.Client, rekseg.aio.AsyncClient),
        (rekseg.Job, rekseg.aio.AsyncJob),
        (SqsListener, rekseg.aio.AsyncSqsListener),
    ],
)
def test_async_twins_have_the_same_methods_and_parameters(sync: type, async_: type) -> None:
    """AsyncClient, AsyncJob and AsyncSqsListener offer each public method of their sync twin, same parameters."""
    for name, member in inspect.getmembers(sync):
        if name.startswith("_") or not callable(member):
            continue
        twin = getattr(async_, name)
        ours = inspect.signature(member).parameters
        theirs = inspect.signature(twin).parameters
        assert [(p.name, p.kind, p.default) for p in ours.values()] == [
            (p.name, p.kind, p.default) for p in theirs.values()
        ], name


def test_importing_rekseg_aio_loads_no_aiobotocore_until_a_client_is_built() -> None:
    """`import rekseg.aio` loads neither aiobotocore nor aiohttp: only building a client does."""
    code = "import json, sys, rekseg.aio; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout))
    assert not {"aiobotocore", "aiohttp"} & loaded
