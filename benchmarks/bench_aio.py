"""The async client against a hand-written aiobotocore NextToken loop, and 50 concurrent waits against 50 threads.

The emulator runs in a separate process (``python -m rekseg.testing``), so that serving pages does not compete with
the clients for this process's interpreter; both sides of each comparison talk to the same server in the same run.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, cast

import botocore.config

import rekseg
from benchmarks._harness import Result, is_quick, ratio, served_emulator
from rekseg.aio import AsyncClient

TARGET_RATIO = 1.25
"""AsyncClient.segments() (typed, checked Segment models) may take at most this much longer than a bare loop."""
VIDEO = "s3://bench/video.mp4"
KEYS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
ONCE = botocore.config.Config(retries={"total_max_attempts": 1})


def _aio_session() -> Any:
    from aiobotocore.session import AioSession

    return AioSession()


async def _hand_loop(rek: Any, job_id: str) -> int:
    """The loop users write with aiobotocore: follow NextToken, collect dicts."""
    segments: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"JobId": job_id, "MaxResults": 1000}
    while True:
        response = await rek.get_segment_detection(**kwargs)
        segments.extend(response["Segments"])
        token = response.get("NextToken")
        if not token:
            return len(segments)
        kwargs["NextToken"] = token


async def _count(client: AsyncClient, job_id: str) -> int:
    return sum([1 async for _ in client.segments(job_id)])


async def _timed(coro: Any) -> float:
    started = time.perf_counter()
    await coro
    return time.perf_counter() - started


async def _throughput(url: str, shots: int, repeat: int) -> list[Result]:
    async with _aio_session().create_client(
        "rekognition", region_name="us-east-1", endpoint_url=url, config=ONCE, **KEYS
    ) as rek:
        started = await rek.start_segment_detection(
            Video={"S3Object": {"Bucket": "bench", "Name": "video.mp4"}}, SegmentTypes=["SHOT"]
        )
        job_id = started["JobId"]
        client = AsyncClient(boto_client=rek, retry=rekseg.RetryPolicy.none())
        with _bench_credentials():
            built = AsyncClient(endpoint_url=url, region_name="us-east-1", retry=rekseg.RetryPolicy.none())
            async with built:
                assert await _hand_loop(rek, job_id) == shots
                assert await _count(client, job_id) == shots
                assert await _count(built, job_id) == shots
                # Interleaved rounds, best of each: a busy moment on the machine then hits every side alike.
                baseline = ours = fast = math.inf
                for _ in range(repeat):
                    baseline = min(baseline, await _timed(_hand_loop(rek, job_id)))
                    ours = min(ours, await _timed(_count(client, job_id)))
                    fast = min(fast, await _timed(_count(built, job_id)))
    return [
        Result.at_most(f"fetch {shots:,}: aiobotocore NextToken loop (dicts)", baseline * 1000, None, "ms"),
        Result.at_most(f"fetch {shots:,}: AsyncClient.segments() (Segment models)", ours * 1000, None, "ms"),
        Result.at_most("AsyncClient.segments() / aiobotocore loop", ratio(ours, baseline), TARGET_RATIO, "x"),
        Result.at_most(
            "AsyncClient rekseg builds (fast path) / aiobotocore loop",
            ratio(fast, baseline),
            None,
            "x",
            "report only",
        ),
    ]


@contextmanager
def _bench_credentials() -> Iterator[None]:
    """Dummy credentials in the environment for the client rekseg builds, the variables restored after."""
    names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(dict(zip(names, ("bench", "bench"), strict=True)))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


async def _async_waits(url: str, jobs: int, polling: rekseg.PollPolicy) -> float:
    config = botocore.config.Config(retries={"total_max_attempts": 1}, max_pool_connections=jobs)
    async with _aio_session().create_client(
        "rekognition", region_name="us-east-1", endpoint_url=url, config=config, **KEYS
    ) as rek:
        client = AsyncClient(boto_client=rek, polling=polling)
        started = time.perf_counter()
        handles = await asyncio.gather(*(client.start(VIDEO, segment_types=["SHOT"]) for _ in range(jobs)))
        results = await asyncio.gather(*(job.wait(timeout=120) for job in handles))
        took = time.perf_counter() - started
    assert len({r.job_id for r in results}) == jobs
    return took


def _threaded_waits(url: str, jobs: int, polling: rekseg.PollPolicy) -> float:
    import botocore.session

    config = botocore.config.Config(retries={"total_max_attempts": 1}, max_pool_connections=jobs)
    rek = botocore.session.get_session().create_client(
        "rekognition",
        region_name="us-east-1",
        endpoint_url=url,
        config=config,
        aws_access_key_id=KEYS["aws_access_key_id"],
        aws_secret_access_key=KEYS["aws_secret_access_key"],
    )
    client = rekseg.Client(boto_client=cast("rekseg.RekognitionAPI", rek), polling=polling)

    def one(_: int) -> str:
        return client.start(VIDEO, segment_types=["SHOT"]).wait(timeout=120).job_id or ""

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        ids = set(pool.map(one, range(jobs)))
    took = time.perf_counter() - started
    rek.close()
    assert len(ids) == jobs
    return took


def _waits(jobs: int, seconds: float) -> list[Result]:
    polling = rekseg.PollPolicy(wait_initial=0.1, wait_max=0.2, wait_jitter=0.05)
    args = ["--seconds", str(seconds), "--job-limit", str(2 * jobs), "--synthetic", VIDEO, "--shots", "200"]
    with served_emulator(*args) as url:
        ours = asyncio.run(_async_waits(url, jobs, polling))
        threads = _threaded_waits(url, jobs, polling)
    return [
        Result.at_most(f"{jobs} concurrent waits of {seconds:g}s jobs: AsyncClient + gather", ours * 1000, None, "ms"),
        Result.at_most(
            f"{jobs} concurrent waits of {seconds:g}s jobs: Client + {jobs} threads", threads * 1000, None, "ms"
        ),
        Result.at_most(f"{jobs} waits: AsyncClient / {jobs} threads", ratio(ours, threads), None, "x"),
    ]


def run(quick: bool | None = None) -> list[Result]:
    """Compare the async client with an aiobotocore loop, and concurrent async waits with threaded sync ones."""
    quick = is_quick(quick)
    started = time.perf_counter()
    shots = 2_000 if quick else 100_000
    with served_emulator("--polls", "0", "--synthetic", VIDEO, "--shots", str(shots), "--seed", "1") as url:
        results = asyncio.run(_throughput(url, shots, 1 if quick else 3))
    results += _waits(10 if quick else 50, 0.5 if quick else 2.0)
    results.append(Result("bench_aio wall time", time.perf_counter() - started, None, "s", True))
    return results
