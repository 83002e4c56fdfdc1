"""Waiting on SQS with asyncio, end to end: emulator -> moto SNS -> moto SQS -> AsyncSqsListener -> AsyncClient.wait.

The async twin of tests/notifications/test_wait.py and test_sqs.py: the same rules, over real sockets.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator

import pytest
from notifications.conftest import REGION, Channel, moto_url, shots_only, stalled_endpoint

import rekseg
from rekseg.aio import AsyncClient, AsyncSqsListener
from rekseg.notifications import SqsListener
from rekseg.notifications._inbox import FOREIGN_VISIBILITY_MAX, REREPORT_AFTER
from rekseg.testing import Emulator, Fault

from .conftest import FAST_POLL, FAST_RETRY, VIDEO, aws_env

__all__ = ["aws_env", "moto_url"]  # fixtures, used by name

GET = "GetSegmentDetection"
START = "StartSegmentDetection"
PROMPT = 1.0
"""Seconds a cancellation may take on a loaded machine."""


@pytest.fixture
def em(moto_url: str) -> Iterator[Emulator]:
    """An emulator publishing completions to moto; jobs end 0.2 s after Start, without being polled."""
    with Emulator(sns_endpoint_url=moto_url, seconds_to_complete=0.2) as emulator:
        emulator.add_video(VIDEO, shots_only(40))
        yield emulator


def client_for(em: Emulator) -> AsyncClient:
    return AsyncClient(endpoint_url=em.endpoint_url, region_name=REGION, retry=FAST_RETRY, polling=FAST_POLL)


def listener_for(channel: Channel, moto_url: str) -> AsyncSqsListener:
    return AsyncSqsListener(channel.queue_url, endpoint_url=moto_url, region_name=REGION)


async def until(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "gave up waiting"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("raw", [False, True], ids=["enveloped", "raw"])
async def test_listener_wait_costs_start_plus_one_get_per_thousand_segments(
    em: Emulator, moto_url: str, aws_env: None, raw: bool
) -> None:
    """With a listener a job of N segments costs Start + ceil(N/1000) Get calls: no status polling at all."""
    em.add_video(VIDEO, shots_only(2500))
    channel = Channel(moto_url, raw=raw)
    async with client_for(em) as client, listener_for(channel, moto_url) as listener:
        job = await client.start(VIDEO, notification_channel=channel.notification_channel)
        result = await job.wait(timeout=20, listener=listener, fallback_after=15)

    assert len(result.segments or ()) == 2500
    assert (em.count(START), em.count(GET)) == (1, math.ceil(2500 / 1000))
    assert [r.params.get("NextToken") is None for r in em.requests if r.operation == GET] == [True, False, False]
    assert channel.in_queue() == 0, "the notification is deleted once the result is fetched"


async def test_client_wait_and_detect_take_a_listener(em: Emulator, moto_url: str, aws_env: None) -> None:
    """AsyncClient.wait(job_id, listener=) and detect(listener=) wait on the queue the same way."""
    channel = Channel(moto_url)
    async with client_for(em) as client, listener_for(channel, moto_url) as listener:
        job = await client.start(VIDEO, notification_channel=channel.notification_channel)
        assert len((await client.wait(job.job_id, timeout=20, listener=listener)).segments or ()) == 40
        result = await client.detect(
            VIDEO, timeout=20, notification_channel=channel.notification_channel, listener=listener
        )
    assert len(result.segments or ()) == 40
    assert (em.count(START), em.count(GET)) == (2, 2)
    assert channel.in_queue() == 0


async def test_lost_notification_is_found_by_the_fallback_poll(em: Emulator, moto_url: str, aws_env: None) -> None:
    """When no message ever arrives (the queue is not subscribed), one poll after fallback_after finds the job."""
    channel = Channel(moto_url, subscribe=False)
    seen: list[rekseg.WaitProgress] = []
    async with client_for(em) as client, listener_for(channel, moto_url) as listener:
        job = await client.start(VIDEO, notification_channel=channel.notification_channel)
        started = time.monotonic()
        result = await job.wait(timeout=20, listener=listener, fallback_after=0.6, progress=seen.append)
    assert len(result.segments or ()) == 40
    assert time.monotonic() - started >= 0.6
    assert em.count(GET) == 1, "the fallback poll is page 1 of the result"
    assert [(p.status, p.polls, p.next_delay) for p in seen] == [(rekseg.JobStatus.SUCCEEDED, 1, None)]


async def test_duplicate_delivery_is_acted_on_once_and_every_copy_deleted(
    em: Emulator, moto_url: str, aws_env: None
) -> None:
    """SNS delivering the completion twice costs no second Get, and both copies leave the queue."""
    channel = Channel(moto_url)
    async with client_for(em) as client, listener_for(channel, moto_url) as listener:
        job = await client.start(VIDEO, notification_channel=channel.notification_channel)
        await until(lambda: channel.in_queue() == 1)
        channel.republish(em.notifications[0])
        assert channel.in_queue() == 2
        await job.wait(timeout=20, listener=listener, fallback_after=15)
    assert em.count(GET) == 1
    assert channel.in_queue() == 0


async def test_shared_queue_leaves_other_jobs_and_other_messages_visible(
    em: Emulator, moto_url: str, aws_env: None
) -> None:
    """Another job's notification and a message that is no notification stay in the queue, visible to others."""
    channel = Channel(moto_url)
    async with client_for(em) as client, listener_for(channel, moto_url) as listener:
        other = await client.start(VIDEO, notification_channel=channel.notification_channel, job_tag="not-mine")
        channel.sqs.send_message(QueueUrl=channel.queue_url, MessageBody="hello from another application")
        await until(lambda: channel.in_queue() == 2)
        mine = await client.start(VIDEO, notification_channel=channel.notification_channel)
        await mine.wait(timeout=20, listener=listener, fallback_after=15)
    await asyncio.sleep(FOREIGN_VISIBILITY_MAX + 0.5)  # handed back hidden a few seconds, so others are reached
    bodies = channel.visible_bodies()
    assert len(bodies) == 2
    assert "hello from another application" in bodies
    assert any(other.job_id in body for body in bodies)
    assert not any(mine.job_id in body for body in bodies)


async def test_failed_job_raises_job_failed_with_the_service_reason(em: Emulator, moto_url: str, aws_env: None) -> None:
    """A FAILED notification ends the wait with JobFailedError carrying the job id and the StatusMessage."""
    channel = Channel(moto_url)
    async with client_for(em) as client, listener_for(channel, moto_url) as listener:
        job = await client.start(VIDEO, notification_channel=channel.notification_channel)
        em.fail_job(job.job_id, "Unsupported codec")
        with pytest.raises(rekseg.JobFailedError) as info:
            await job.wait(timeout=20, listener=listener, fallback_after=15)
    assert (info.value.job_id, info.value.status_message) == (job.job_id, "Unsupported codec")
    assert em.count(GET) == 1
    assert channel.in_queue() == 0


async def test_timeout_is_a_deadline_with_one_last_look(moto_url: str, aws_env: None) -> None:
    """A job that does not end raises WaitTimeoutError at the deadline, after one last poll, reported too."""
    channel = Channel(moto_url)
    seen: list[rekseg.WaitProgress] = []
    with Emulator(sns_endpoint_url=moto_url, seconds_to_complete=600) as em:
        em.add_video(VIDEO, shots_only(3))
        async with client_for(em) as client, listener_for(channel, moto_url) as listener:
            job = await client.start(VIDEO, notification_channel=channel.notification_channel)
            started = time.monotonic()
            with pytest.raises(rekseg.WaitTimeoutError) as info:
                await job.wait(timeout=1.5, listener=listener, fallback_after=60, progress=seen.append)
            took = time.monotonic() - started
        assert 1.5 <= took < 4
        assert (info.value.last_status, info.value.polls, em.count(GET)) == ("IN_PROGRESS", 1, 1)
        assert len(seen) == 1


async def test_cancelling_a_listening_wait_stops_it_at_once(em: Emulator, moto_url: str, aws_env: None) -> None:
    """task.cancel() during a 20-second long poll ends the wait promptly; the message stays for a later wait."""
    channel = Channel(moto_url, subscribe=False)
    async with client_for(em) as client, listener_for(channel, moto_url) as listener:
        job = await client.start(VIDEO, notification_channel=channel.notification_channel)
        task = asyncio.create_task(job.wait(timeout=60, listener=listener, fallback_after=50))
        await asyncio.sleep(0.5)  # inside the long poll by now
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < PROMPT
    assert em.count(GET) == 0


async def test_bad_arguments_are_refused_before_any_request(em: Emulator, moto_url: str, aws_env: None) -> None:
    """fallback_after, a missing notification channel and a bad job id are refused; nothing is sent or listened."""
    async with client_for(em) as client:
        listener = AsyncSqsListener("http://127.0.0.1:9/123456789012/never-called", region_name=REGION)
        for bad in (0, float("nan"), "soon"):
            with pytest.raises(rekseg.ValidationError, match="fallback_after"):
                await client.wait("job-1", listener=listener, fallback_after=bad)  # type: ignore[arg-type]
        with pytest.raises(rekseg.ValidationError, match="needs notification_channel"):
            await client.detect(VIDEO, listener=listener)
        with pytest.raises(rekseg.ValidationError, match="job_id"):
            await client.wait("not a job id!", listener=listener)
        await listener.close()
    assert em.count() == 0
    assert listener.sqs_client is None, "the listener never even built its client"


async def test_completions_yield_each_job_once_and_delete_after_acting(
    em: Emulator, moto_url: str, aws_env: None
) -> None:
    """completions() yields every job's notification once, despite a duplicate, and empties the queue."""
    channel = Channel(moto_url)
    async with client_for(em) as client, listener_for(channel, moto_url) as listener:
        jobs = [
            await client.start(VIDEO, notification_channel=channel.notification_channel, job_tag=f"n{n}")
            for n in range(3)
        ]
        await until(lambda: channel.in_queue() == 3)
        channel.republish(em.notifications[0])
        got = [n.job_id async for n in listener.completions([j.job_id for j in jobs], timeout=20)]
        await until(lambda: channel.in_queue() == 0)
    assert sorted(got) == sorted(j.job_id for j in jobs)


async def test_listener_arguments_and_lifecycle() -> None:
    """The listener checks its arguments as the sync one does, and refuses use after close."""
    with pytest.raises(rekseg.ValidationError, match="queue_url"):
        AsyncSqsListener("not-a-url")
    with pytest.raises(rekseg.ValidationError, match="wait_time_seconds"):
        AsyncSqsListener("https://sqs.eu-west-1.amazonaws.com/1/q", wait_time_seconds=21)
    listener = AsyncSqsListener("https://sqs.eu-west-1.amazonaws.com/1/q")
    with pytest.raises(rekseg.ValidationError, match="wait"):
        await listener.receive(["job-1"], wait=-1)
    with pytest.raises(rekseg.ValidationError, match="job_ids"):
        await listener.receive("job-1", wait=1)
    await listener.close()
    with pytest.raises(rekseg.ClientClosedError):
        await listener.receive(["job-1"], wait=1)


async def test_a_listener_of_the_other_colour_is_refused_before_any_request(
    em: Emulator, moto_url: str, aws_env: None
) -> None:
    """A sync SqsListener given to AsyncClient (or an async one to Client) is refused by name; nothing is sent."""
    channel = Channel(moto_url)
    sync_listener = SqsListener(channel.queue_url, endpoint_url=moto_url, region_name=REGION)
    async_listener = listener_for(channel, moto_url)
    async with client_for(em) as client:
        with pytest.raises(rekseg.ValidationError, match="must be an async listener"):
            await client.wait("job-1", listener=sync_listener)  # type: ignore[arg-type]
        with pytest.raises(rekseg.ValidationError, match="must be an async listener"):
            await client.detect(
                VIDEO,
                notification_channel=channel.notification_channel,
                listener=sync_listener,  # type: ignore[arg-type]
            )
    sync_client = rekseg.Client(endpoint_url=em.endpoint_url, region_name=REGION)
    with pytest.raises(rekseg.ValidationError, match="is an async listener"):
        sync_client.wait("job-1", listener=async_listener)  # type: ignore[arg-type]
    with pytest.raises(rekseg.ValidationError, match="is an async listener"):
        sync_client.detect(
            VIDEO,
            notification_channel=channel.notification_channel,
            listener=async_listener,  # type: ignore[arg-type]
        )
    await async_listener.close()
    assert em.count() == 0
    assert channel.in_queue() == 0


async def test_a_stalled_sqs_does_not_hold_the_wait_past_its_timeout(aws_env: None) -> None:
    """SQS accepting connections and never answering: wait(timeout=3) ends near 3 s, not after minutes."""
    with stalled_endpoint() as sqs_url, Emulator(seconds_to_complete=3600) as em:
        em.add_video(VIDEO, shots_only(5))
        async with (
            client_for(em) as client,
            AsyncSqsListener(f"{sqs_url}/123456789012/q", endpoint_url=sqs_url, region_name=REGION) as listener,
        ):
            job = await client.start(VIDEO)
            started = time.monotonic()
            with pytest.raises(rekseg.WaitTimeoutError):
                await asyncio.wait_for(job.wait(timeout=3, listener=listener), 30)
            assert time.monotonic() - started < 5


async def test_a_cancelled_wait_leaves_the_notification_for_a_later_wait(
    em: Emulator, moto_url: str, aws_env: None
) -> None:
    """A wait cancelled after hearing its notification: a later wait with the same listener hears it again."""
    channel = Channel(moto_url)
    channel.sqs.set_queue_attributes(QueueUrl=channel.queue_url, Attributes={"VisibilityTimeout": "2"})
    async with (
        client_for(em) as client,
        AsyncSqsListener(channel.queue_url, endpoint_url=moto_url, region_name=REGION, wait_time_seconds=1) as listener,
    ):
        job = await client.start(VIDEO, notification_channel=channel.notification_channel)
        em.inject(Fault.SLOW, operation=GET, delay=3)  # the confirm poll is slow: cancel during it
        task = asyncio.create_task(job.wait(timeout=30, listener=listener, fallback_after=100))
        await until(lambda: em.count(GET) > 0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        em.clear_requests()
        started = time.monotonic()
        result = await job.wait(timeout=20, listener=listener, fallback_after=100)
        assert result.job_status is rekseg.JobStatus.SUCCEEDED
        assert time.monotonic() - started < REREPORT_AFTER + 3, "heard, not found by the last look at the deadline"
    assert channel.in_queue() == 0
