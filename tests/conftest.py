"""Fixtures shared by the whole suite: a running emulator and a botocore client for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rekseg.testing import Emulator


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
