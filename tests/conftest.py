"""Fixtures shared by the whole suite: a running emulator and a botocore client for it."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest

from rekseg.testing import Emulator

HAVE_OTIO = importlib.util.find_spec("opentimelineio") is not None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the cases parametrized with the ``otio`` format where the otio extra is not installed."""
    if HAVE_OTIO:
        return
    skip = pytest.mark.skip(reason="needs the otio extra (OpenTimelineIO)")
    for item in items:
        params = getattr(item, "callspec", None)
        if params is not None and "otio" in params.params.values():
            item.add_marker(skip)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A started emulator (jobs IN_PROGRESS for one poll), closed after the test."""
    with Emulator() as em:
        yield em


@pytest.fixture
def rek(emulator: Emulator) -> Any:
    """A plain botocore ``rekognition`` client for the ``emulator`` fixture, with botocore's own retries off."""
    import botocore.config

    return emulator.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 1}))
