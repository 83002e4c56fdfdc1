"""Waiting with a listener, end to end over HTTP: emulator -> moto SNS -> moto SQS -> SqsListener -> Client.wait."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import pytest

import rekseg
from rekseg.notifications import SqsListener
from rekseg.notifications._inbox import FOREIGN_VISIBILITY_MAX
from rekseg.testing import Emulator

from .conftest import REGION, VIDEO, Channel, shots_only

GET = "GetSegmentDetection"
START = "StartSegmentDetection"


def gets(em: Emulator) -> int:
    return em.count(GET)


def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait (bounded) for something another thread does, such as the emulator publishing."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


@pytest.mark.parametrize("raw", [False, True], ids=["enveloped", "raw"])
def test_listener_wait_costs_start_plus_one_get_per_thousand_segments(
    em: Emulator, client: rekseg.Client, moto_url: str, aws_env: None, raw: bool
) -> None:
    """With a listener a job of N segments costs Start + ceil(N/1000) Get calls: no status polling at all."""
    em.add_video(VIDEO, shots_only(2500))
    channel = Channel(moto_url, raw=raw)
    listener = SqsListener(channel.queue_url, endpoint_url=moto_url, region_name=REGION)
    job = client.start(VIDEO, notification_channel=channel.notification_channel)

    result = job.wait(timeout=20, listener=listener, fallback_after=15)

    assert len(result.segments or ()) == 2500
    assert result.job_status == rekseg.JobStatus.SUCCEEDED
    assert (em.count(START), gets(em)) == (1, math.ceil(2500 / 1000))
    assert [r.params.get("NextToken") is None for r in em.requests if r.operation == GET] == [True, False, False]
    assert channel.in_queue() == 0, "the notification is deleted once the result is fetched"


def test_client_wait_and_detect_take_a_listener(
    em: Emulator, client: rekseg.Client, channel: Channel, listener: SqsListener
) -> None:
    """Client.wait(job_id, listener=) and Client.detect(listener=) wait on the queue the same way."""
    job = client.start(VIDEO, notification_channel=channel.notification_channel)
    assert len(client.wait(job.job_id, timeout=20, listener=listener).segments or ()) == 40
    result = client.detect(VIDEO, timeout=20, notification_channel=channel.notification_channel, listener=listener)
    assert len(result.segments or ()) == 40
    assert (em.count(START), gets(em)) == (2, 2)
    assert channel.in_queue() == 0


def test_lost_notification_is_found_by_the_fallback_poll(
    moto_url: str, aws_env: None, em: Emulator, client: rekseg.Client
) -> None:
    """When no message ever arrives (the queue is not subscribed), one poll after fallback_after finds the job."""
    channel = Channel(moto_url, subscribe=False)
    listener = SqsListener(channel.queue_url, endpoint_url=moto_url, region_name=REGION)
    job = client.start(VIDEO, notification_channel=channel.notification_channel)
    seen: list[rekseg.WaitProgress] = []
    started = time.monotonic()

    result = job.wait(timeout=20, listener=listener, fallback_after=0.6, progress=seen.append)

    assert len(result.segments or ()) == 40
    assert time.monotonic() - started >= 0.6
    assert gets(em) == 1, "the fallback poll is page 1 of the result"
    assert [(p.status, p.polls, p.next_delay) for p in seen] == [(rekseg.JobStatus.SUCCEEDED, 1, None)]


def test_reused_client_request_token_does_not_hang(
    em: Emulator, client: rekseg.Client, channel: Channel, listener: SqsListener
) -> None:
    """A Start repeated with its ClientRequestToken publishes nothing new; the fallback poll ends the second wait."""
    first = client.start(VIDEO, notification_channel=channel.notification_channel, client_request_token="once")
    first.wait(timeout=20, listener=listener, fallback_after=15)
    em.clear_requests()

    again = client.start(VIDEO, notification_channel=channel.notification_channel, client_request_token="once")
    assert again.job_id == first.job_id
    result = again.wait(timeout=20, listener=listener, fallback_after=0.6)

    assert len(result.segments or ()) == 40
    assert (em.count(START), gets(em)) == (1, 1)
    assert len(em.notifications) == 1


def test_duplicate_delivery_is_acted_on_once_and_every_copy_deleted(
    em: Emulator, client: rekseg.Client, channel: Channel, listener: SqsListener
) -> None:
    """SNS delivering the completion twice costs no second Get, and both copies leave the queue."""
    job = client.start(VIDEO, notification_channel=channel.notification_channel)
    until(lambda: channel.in_queue() == 1)
    channel.republish(em.notifications[0])
    assert channel.in_queue() == 2

    job.wait(timeout=20, listener=listener, fallback_after=15)

    assert gets(em) == 1
    assert channel.in_queue() == 0


def test_shared_queue_leaves_other_jobs_and_other_messages_visible(
    em: Emulator, client: rekseg.Client, channel: Channel, listener: SqsListener
) -> None:
    """Another job's notification and a message that is no notification stay in the queue, visible to others."""
    other = client.start(VIDEO, notification_channel=channel.notification_channel, job_tag="not-mine")
    channel.sqs.send_message(QueueUrl=channel.queue_url, MessageBody="hello from another application")
    until(lambda: channel.in_queue() == 2)
    mine = client.start(VIDEO, notification_channel=channel.notification_channel)

    mine.wait(timeout=20, listener=listener, fallback_after=15)
    time.sleep(FOREIGN_VISIBILITY_MAX + 0.5)  # handed back hidden a few seconds, so that others are reached

    bodies = channel.visible_bodies()
    assert len(bodies) == 2
    assert "hello from another application" in bodies
    assert any(other.job_id in body for body in bodies)
    assert not any(mine.job_id in body for body in bodies)


def test_failed_job_raises_job_failed_with_the_service_reason(
    em: Emulator, client: rekseg.Client, channel: Channel, listener: SqsListener
) -> None:
    """A FAILED notification ends the wait with JobFailedError carrying the job id and the StatusMessage."""
    job = client.start(VIDEO, notification_channel=channel.notification_channel)
    em.fail_job(job.job_id, "Unsupported codec")

    with pytest.raises(rekseg.JobFailedError) as info:
        job.wait(timeout=20, listener=listener, fallback_after=15)

    assert (info.value.job_id, info.value.status_message) == (job.job_id, "Unsupported codec")
    assert gets(em) == 1
    assert channel.in_queue() == 0


def test_timeout_is_a_deadline_with_one_last_look(
    moto_url: str, aws_env: None, channel: Channel, listener: SqsListener
) -> None:
    """A job that does not end raises WaitTimeoutError at the deadline, after one last poll and no other."""
    with Emulator(sns_endpoint_url=moto_url, seconds_to_complete=600) as em:
        em.add_video(VIDEO, shots_only(3))
        client = rekseg.Client(endpoint_url=em.endpoint_url, region_name=REGION)
        job = client.start(VIDEO, notification_channel=channel.notification_channel)
        started = time.monotonic()
        with pytest.raises(rekseg.WaitTimeoutError) as info:
            job.wait(timeout=1.5, listener=listener, fallback_after=60)
        took = time.monotonic() - started
        assert 1.5 <= took < 4
        assert (info.value.last_status, info.value.polls, gets(em)) == ("IN_PROGRESS", 1, 1)


@pytest.mark.parametrize("fallback_after", [0, float("nan"), "soon"])
def test_bad_fallback_after_is_refused_before_any_request(
    em: Emulator, client: rekseg.Client, fallback_after: object
) -> None:
    """fallback_after must be a positive number of seconds; nothing is sent otherwise."""
    listener = SqsListener("http://127.0.0.1:9/123456789012/never-called", region_name=REGION)
    with pytest.raises(rekseg.ValidationError, match="fallback_after"):
        client.wait("job-1", listener=listener, fallback_after=fallback_after)  # type: ignore[arg-type]
    assert em.count() == 0


def test_detect_with_a_listener_needs_a_notification_channel(
    em: Emulator, client: rekseg.Client, listener: SqsListener
) -> None:
    """detect(listener=) without notification_channel= would wait for a message never sent: refused, no request."""
    with pytest.raises(rekseg.ValidationError, match="needs notification_channel"):
        client.detect(VIDEO, listener=listener)
    assert em.count() == 0


def test_bad_job_id_is_refused_before_listening(
    em: Emulator, client: rekseg.Client, channel: Channel, listener: SqsListener
) -> None:
    """A malformed job id raises ValidationError naming job_id before the queue or the service is called."""
    with pytest.raises(rekseg.ValidationError, match="job_id"):
        client.wait("not a job id!", listener=listener)
    assert em.count() == 0


class QueueDeletedBeforeAcknowledge(SqsListener):
    """A real SqsListener whose queue is deleted just before it acknowledges: the delete then really fails."""

    def acknowledge(self, job_id: str) -> None:
        self.sqs_client.delete_queue(QueueUrl=self.queue_url)  # type: ignore[attr-defined]
        super().acknowledge(job_id)


def test_a_failed_delete_after_acting_does_not_lose_the_result(
    em: Emulator, client: rekseg.Client, channel: Channel, moto_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """When deleting the acted-on message fails, wait still returns the fetched result and logs a warning."""
    listener = QueueDeletedBeforeAcknowledge(channel.queue_url, endpoint_url=moto_url, region_name=REGION)
    job = client.start(VIDEO, notification_channel=channel.notification_channel)

    result = job.wait(timeout=20, listener=listener, fallback_after=15)

    assert len(result.segments or ()) == 40
    assert any("could not delete the notification" in r.getMessage() for r in caplog.records)
