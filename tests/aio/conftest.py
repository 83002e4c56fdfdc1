"""Fixtures for the async client's end-to-end tests, and a runner for ``async def`` tests (no plugin needed).

The emulator runs on a real socket in a thread; each ``async def`` test runs in a fresh event loop of its own,
and every `AsyncClient` made by `make_client` is closed in that loop when the test ends.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import botocore.config
import pytest
from client.conftest import FAST_POLL, FAST_RETRY, VIDEO, aws_env, empty_result, shots_only

import rekseg
from rekseg.aio import AsyncClient
from rekseg.testing import Emulator

__all__ = ["FAST_POLL", "FAST_RETRY", "VIDEO", "aio_boto", "aws_env", "empty_result", "make_client", "shots_only"]

_MADE: list[AsyncClient] = []


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an ``async def`` test in a new event loop, then close the clients it made there."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}

    async def body() -> None:
        try:
            await pyfuncitem.obj(**kwargs)
        finally:
            made = [*_MADE, *(v for v in kwargs.values() if isinstance(v, AsyncClient))]
            _MADE.clear()
            for client in made:
                await client.close()

    asyncio.run(body())
    return True


@pytest.fixture
def em() -> Iterator[Emulator]:
    """An emulator whose jobs report IN_PROGRESS for two polls, then end."""
    with Emulator(polls_to_complete=2) as emulator:
        yield emulator


def make_client(
    emulator: Emulator | str,
    *,
    retry: rekseg.RetryPolicy = FAST_RETRY,
    polling: rekseg.PollPolicy = FAST_POLL,
    read_timeout: float | None = None,
) -> AsyncClient:
    """Build an async client the way users do (rekseg makes the aiobotocore client); closed after the test."""
    config = None if read_timeout is None else botocore.config.Config(read_timeout=read_timeout, connect_timeout=2)
    url = emulator if isinstance(emulator, str) else emulator.endpoint_url
    client = AsyncClient(
        endpoint_url=url, region_name="us-east-1", botocore_config=config, retry=retry, polling=polling
    )
    _MADE.append(client)
    return client


@pytest.fixture
def client(em: Emulator, aws_env: None) -> AsyncClient:
    """An async client for the emulator with zero waits between polls and retries."""
    return make_client(em)


@asynccontextmanager
async def aio_boto(emulator: Emulator, config: botocore.config.Config | None = None) -> AsyncIterator[Any]:
    """An aiobotocore ``rekognition`` client for the emulator, one request per call unless ``config`` says more."""
    from aiobotocore.session import AioSession

    config = config or botocore.config.Config(retries={"total_max_attempts": 1})
    async with AioSession().create_client(
        "rekognition",
        region_name="us-east-1",
        endpoint_url=emulator.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
    ) as rek:
        yield rek
