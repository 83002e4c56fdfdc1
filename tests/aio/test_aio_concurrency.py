"""Many jobs in one event loop, and cancellation: a cancelled wait or stream stops at once and leaves no socket open."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable

import pytest

import rekseg
from rekseg.aio._client import _bounded
from rekseg.testing import Emulator, Fault, SyntheticVideo

from .conftest import VIDEO, make_client, shots_only

JOBS = 50
POLLS = 2
PROMPT = 1.0
"""Seconds a cancellation may take to end a wait or stream on a loaded machine (alone: a few milliseconds)."""


async def _eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def test_fifty_jobs_started_and_awaited_concurrently_are_exact(aws_env: None) -> None:
    """50 jobs started and waited for at once in one loop: each result exact, Get calls = polls + pages - 1 each."""
    videos = {
        f"s3://media-bucket/many/{n}.mp4": SyntheticVideo(
            shots=20 + 10 * n + (1200 if n % 10 == 9 else 0), technical_cues=(), segment_types=("SHOT",), seed=n
        )
        for n in range(JOBS)
    }
    with Emulator(polls_to_complete=POLLS, job_limit=JOBS + 10) as em:
        for uri, video in videos.items():
            em.add_video(uri, video)
        client = make_client(em)

        async def one(uri: str) -> rekseg.SegmentDetectionResult:
            job = await client.start(uri, segment_types=["SHOT"])
            return await job.wait(timeout=60)

        results = await asyncio.gather(*(one(uri) for uri in videos))

        assert em.count("StartSegmentDetection") == JOBS
        pages = sum(-(-len(video.result().segments or ()) // 1000) for video in videos.values())
        assert em.count("GetSegmentDetection") == JOBS * (POLLS + 1) + pages - JOBS
    for result, video in zip(results, videos.values(), strict=True):
        expected = video.result()
        assert [s.to_response() for s in result.segments or ()] == [s.to_response() for s in expected.segments or ()]
    assert len({r.job_id for r in results}) == JOBS


async def test_cancelled_wait_stops_at_once_and_drops_the_request_in_flight(aws_env: None) -> None:
    """task.cancel() during a status call that hangs ends the wait at once and closes that connection."""
    with Emulator(polls_to_complete=10_000) as em:
        em.add_video(VIDEO, shots_only(3))
        client = make_client(em)
        job = await client.start(VIDEO)
        em.inject(Fault.SLOW, operation="GetSegmentDetection", times=None, delay=1.5)
        task = asyncio.create_task(job.wait(timeout=60))
        assert await _eventually(lambda: em.count("GetSegmentDetection") == 1)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < PROMPT
        assert await _eventually(lambda: em.open_connections == 0)
        assert em.count("GetSegmentDetection") == 1


async def test_cancelled_wait_between_polls_sends_nothing_more(aws_env: None) -> None:
    """task.cancel() while a wait sleeps between polls ends it at once; no further status call is made."""
    slow_polls = rekseg.PollPolicy(wait_initial=5.0, wait_max=5.0, wait_jitter=0.0)
    with Emulator(polls_to_complete=10_000) as em:
        em.add_video(VIDEO, shots_only(3))
        client = make_client(em, polling=slow_polls)
        job = await client.start(VIDEO)
        task = asyncio.create_task(job.wait())
        assert await _eventually(lambda: em.count("GetSegmentDetection") == 1)
        await asyncio.sleep(0.1)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < PROMPT
        await asyncio.sleep(0.2)
        assert em.count("GetSegmentDetection") == 1


async def test_cancelled_detect_names_the_started_job(aws_env: None) -> None:
    """A detect() cancelled after its Start carries the job id in a note (Python 3.11+): the job keeps running."""
    with Emulator(polls_to_complete=10_000) as em:
        em.add_video(VIDEO, shots_only(3))
        client = make_client(em)
        task = asyncio.create_task(client.detect(VIDEO))
        assert await _eventually(lambda: em.count("GetSegmentDetection") >= 1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as info:
            await task
        (job_id,) = em.jobs
        if sys.version_info >= (3, 11):
            assert any(job_id in note for note in info.value.__notes__)


async def test_a_cancellation_landing_with_the_answer_is_not_lost() -> None:
    """A cancel that arrives in the same loop step as a call's answer still cancels (asyncio.wait_for lost it).

    This race let a cancelled detect() with zero poll delays go on polling until its timeout.
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[dict[str, object]] = loop.create_future()
    task = asyncio.create_task(_bounded(answer, time.monotonic() + 60, "GetSegmentDetection", "job"))
    await asyncio.sleep(0)  # the call is now awaiting its answer
    answer.set_result({})
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_call_past_its_deadline_is_a_transport_error_and_is_cancelled() -> None:
    """The deadline cuts the call off as a lost answer would be (a retried TransportError); the call is cancelled."""
    loop = asyncio.get_running_loop()
    never: asyncio.Future[dict[str, object]] = loop.create_future()
    with pytest.raises(rekseg.TransportError, match="no answer within"):
        await _bounded(never, time.monotonic() + 0.05, "GetSegmentDetection", "job")
    assert never.cancelled()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.timeout is Python 3.11+")
async def test_asyncio_timeout_stops_a_stream_promptly_with_no_connection_left(aws_env: None) -> None:
    """asyncio.timeout around `async for` over segments() ends it at the timeout, mid-request, closing the socket."""
    with Emulator(polls_to_complete=0) as em:
        em.add_video(VIDEO, shots_only(2500))
        client = make_client(em)
        job = await client.start(VIDEO, segment_types=["SHOT"])
        em.clear_requests()
        seen: list[int | None] = []

        def stall_after_first_page(request: rekseg.testing.RecordedRequest) -> None:
            if request.operation == "GetSegmentDetection" and em.count("GetSegmentDetection") == 1:
                em.inject(Fault.SLOW, operation="GetSegmentDetection", times=None, delay=1.5)

        em.on_request = stall_after_first_page

        async def read_for_half_a_second() -> None:
            async with asyncio.timeout(0.5):
                async for segment in client.segments(job.job_id):
                    seen.append(segment.shot_index)

        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await read_for_half_a_second()
        took = time.monotonic() - started
        assert 0.5 <= took < 0.5 + PROMPT
        assert seen == list(range(1000))
        assert await _eventually(lambda: em.open_connections == 0)


async def test_closing_the_client_closes_every_pooled_connection(aws_env: None) -> None:
    """Leaving `async with AsyncClient(...)` after concurrent calls leaves no connection open."""
    with Emulator(polls_to_complete=0, job_limit=20) as em:
        em.add_video(VIDEO, shots_only(5))
        async with make_client(em) as client:
            jobs = await asyncio.gather(*(client.start(VIDEO) for _ in range(8)))
            await asyncio.gather(*(job.wait() for job in jobs))
            assert em.open_connections >= 1
        assert client.closed
        assert await _eventually(lambda: em.open_connections == 0)
