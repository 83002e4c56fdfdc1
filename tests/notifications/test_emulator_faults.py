"""The emulator's notification faults: a completion message published twice, or never, to moto's SNS."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

import rekseg
from rekseg.notifications import SqsListener
from rekseg.testing import Emulator, Fault

from .conftest import FAST_RETRY, REGION, VIDEO, Channel, shots_only

Setup = tuple[Emulator, rekseg.Client, Channel, SqsListener]


@pytest.fixture
def setup(moto_url: str, aws_env: None) -> Iterator[Setup]:
    """An emulator whose jobs end on their own, a client, a channel and a listener on its queue."""
    with Emulator(sns_endpoint_url=moto_url, seconds_to_complete=0.2) as em:
        em.add_video(VIDEO, shots_only(5))
        channel = Channel(moto_url)
        client = rekseg.Client(endpoint_url=em.endpoint_url, region_name=REGION, retry=FAST_RETRY)
        yield em, client, channel, SqsListener(channel.queue_url, endpoint_url=moto_url, region_name=REGION)


def until(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def test_duplicate_notification_fault_publishes_the_message_twice(
    setup: Setup,
) -> None:
    """Fault.DUPLICATE_NOTIFICATION delivers two copies; a listener wait acts once and deletes both."""
    em, client, channel, listener = setup
    rule = em.inject(Fault.DUPLICATE_NOTIFICATION)
    job = client.start(VIDEO, notification_channel=channel.notification_channel)
    until(lambda: channel.in_queue() == 2)
    assert rule.fired == 1
    assert len(em.notifications) == 1
    job.wait(timeout=20, listener=listener, fallback_after=15)
    assert em.count("GetSegmentDetection") == 1
    assert channel.in_queue() == 0


def test_lost_notification_fault_publishes_nothing(setup: Setup) -> None:
    """Fault.LOST_NOTIFICATION publishes nothing (the message is still recorded); the fallback poll ends the wait."""
    em, client, channel, listener = setup
    em.inject(Fault.LOST_NOTIFICATION)
    job = client.start(VIDEO, notification_channel=channel.notification_channel)
    until(lambda: len(em.notifications) == 1)
    result = job.wait(timeout=20, listener=listener, fallback_after=0.6)
    assert len(result.segments or ()) == 5
    assert channel.in_queue() == 0
    assert em.count("GetSegmentDetection") == 1


def test_notification_faults_leave_requests_alone(setup: Setup) -> None:
    """A notification fault is not used up by Start or Get requests, and request faults are not used by publishes."""
    em, client, channel, _ = setup
    lost = em.inject(Fault.LOST_NOTIFICATION)
    throttle = em.inject(Fault.THROTTLE_400, operation=None)
    job = client.start(VIDEO, notification_channel=channel.notification_channel)
    until(lambda: len(em.notifications) == 1)
    assert (lost.fired, throttle.fired) == (1, 1)
    assert job.status() == rekseg.JobStatus.SUCCEEDED
    assert channel.in_queue() == 0


def test_status_call_throttled_past_its_retries_does_not_end_the_wait(setup: Setup) -> None:
    """A fallback poll that fails for a passing reason (throttled past the retry budget) is retried later."""
    em, client, channel, listener = setup
    em.inject(Fault.LOST_NOTIFICATION)
    job = client.start(VIDEO, notification_channel=channel.notification_channel)
    until(lambda: len(em.notifications) == 1)
    throttle = em.inject(Fault.THROTTLE_400, operation="GetSegmentDetection", times=FAST_RETRY.attempts)

    result = job.wait(timeout=20, listener=listener, fallback_after=0.5)

    assert len(result.segments or ()) == 5
    assert throttle.fired == FAST_RETRY.attempts
    assert em.count("GetSegmentDetection") == FAST_RETRY.attempts + 1
