"""The async client's fast response path: which clients take it, and that it reads every page as aiobotocore does."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiobotocore.parsers import AioResponseParserFactory
from aiobotocore.session import AioSession
from client.scripted_server import Reply, scripted
from hypothesis import given, settings
from strategies import output_shape
from test_fastparse import _bodies, _http, _outcome

import rekseg
from rekseg import SegmentDetectionPage
from rekseg.aio import AsyncClient
from rekseg.aio._fastparse import AioFastResponseParserFactory

from .conftest import aws_env

__all__ = ["aws_env"]  # a fixture, used by name

JOB = "job-0123456789"
NOVEL = {"JobStatus": "SUCCEEDED", "Segments": [], "NovelMember": 1}


async def _raw(client: AsyncClient) -> dict[str, Any]:
    boto: Any = await client._api()
    raw: dict[str, Any] = await boto.get_segment_detection(JobId=JOB)
    return raw


async def test_rekseg_built_async_client_takes_the_fast_path(aws_env: None) -> None:
    """An AsyncClient rekseg builds hands back GetSegmentDetection's body as sent, request id included."""
    with scripted([], then=Reply(200, NOVEL)) as server:
        async with AsyncClient(endpoint_url=server.endpoint_url, region_name="us-east-1") as client:
            raw = await _raw(client)
            page = await client.get(JOB)
    assert raw["NovelMember"] == 1
    assert raw["ResponseMetadata"]["RequestId"] == "req-1"
    assert page.job_status == rekseg.JobStatus.SUCCEEDED


async def test_handed_in_aiobotocore_client_keeps_the_shape_walk(aws_env: None) -> None:
    """A handed-in aiobotocore client is used as it is: aiobotocore's parser drops members it does not know."""
    with scripted([], then=Reply(200, NOVEL)) as server:
        async with AioSession().create_client(
            "rekognition", region_name="us-east-1", endpoint_url=server.endpoint_url
        ) as handed:
            raw = await _raw(AsyncClient(boto_client=handed))
    assert "NovelMember" not in raw
    assert raw["ResponseMetadata"]["RequestId"] == "req-1"


def _parse(parser: Any, raw: bytes) -> Any:
    async def parse() -> Any:
        return await parser.parse(_http(raw), output_shape())

    return asyncio.run(parse())


_SLOW = AioResponseParserFactory().create_parser("json")
_FAST = AioFastResponseParserFactory().create_parser("json")


def _outcomes(raw: bytes) -> tuple[object, object]:
    """What the async client makes of ``raw`` on aiobotocore's path and on the fast one."""
    return _outcome(lambda r: _parse(_SLOW, r), raw), _outcome(lambda r: _parse(_FAST, r), raw)


@settings(max_examples=60, deadline=None)
@given(_bodies())
def test_async_fast_path_and_aiobotocore_build_equal_pages(body: dict[str, Any]) -> None:
    """For any valid response (unknown members and nulls included) both async paths give equal pages and metadata."""
    raw = json.dumps(body).encode()
    slow_page, fast_page = _outcomes(raw)
    assert isinstance(fast_page, SegmentDetectionPage)
    assert fast_page == slow_page
    assert _parse(_FAST, raw)["ResponseMetadata"] == _parse(_SLOW, raw)["ResponseMetadata"]


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"\xff\xfe", b'"text"'])
def test_garbled_bodies_parse_as_aiobotocore_parses_them(raw: bytes) -> None:
    """A body that is not a JSON object takes aiobotocore's own path on the fast parser too."""
    slow_page, fast_page = _outcomes(raw)
    assert fast_page == slow_page
