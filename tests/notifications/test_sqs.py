"""SqsListener on moto's SQS: many jobs at once, each once, duplicates deleted, errors typed, arguments checked."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

import rekseg
from rekseg.notifications import SqsListener
from rekseg.notifications._inbox import FOREIGN_VISIBILITY_MAX, REREPORT_AFTER
from rekseg.testing import Emulator, SyntheticVideo

from .conftest import REGION, Channel, moto_client, stalled_endpoint
from .forms import rekognition_message


def publish(channel: Channel, *job_ids: str, status: str = "SUCCEEDED") -> None:
    for job_id in job_ids:
        channel.republish(rekognition_message(job_id, status))


def test_completions_yields_each_job_once_despite_duplicates_and_deletes_after_acting(
    channel: Channel, listener: SqsListener
) -> None:
    """completions() yields every job once, in spite of a duplicate, and empties the queue of them as it goes."""
    publish(channel, "job-a", "job-b", "job-a")
    publish(channel, "job-c", status="FAILED")
    got = []
    in_queue_while_acting = []
    for note in listener.completions(["job-a", "job-b", "job-c"], timeout=10):
        got.append((note.job_id, str(note.status)))
        in_queue_while_acting.append(channel.in_queue())
    assert sorted(got) == [("job-a", "SUCCEEDED"), ("job-b", "SUCCEEDED"), ("job-c", "FAILED")]
    assert in_queue_while_acting[0] >= 2, "nothing is deleted before the loop body has run"
    assert channel.in_queue() == 0


def test_stopping_early_deletes_nothing_unacted(channel: Channel, moto_url: str, aws_env: None) -> None:
    """Breaking out of completions() before acting leaves the message in the queue for a later reader."""
    publish(channel, "job-a")
    listener = SqsListener(channel.queue_url, endpoint_url=moto_url, region_name=REGION)
    for note in listener.completions(["job-a"], timeout=10):
        assert note.job_id == "job-a"
        break
    assert channel.in_queue() == 1


def test_completions_ends_at_its_timeout_with_the_missing_jobs_not_yielded(
    channel: Channel, listener: SqsListener
) -> None:
    """With one job silent, completions() yields the others and ends when the timeout passes."""
    publish(channel, "job-a")
    started = time.monotonic()
    got = [n.job_id for n in listener.completions(["job-a", "job-silent"], timeout=1.5)]
    assert got == ["job-a"]
    assert 1.5 <= time.monotonic() - started < 4


def test_messages_of_other_jobs_and_foreign_messages_are_handed_back(channel: Channel, listener: SqsListener) -> None:
    """receive() returns only the wanted jobs; the rest is visible again for its owner a few seconds later."""
    publish(channel, "someone-elses-job")
    channel.sqs.send_message(QueueUrl=channel.queue_url, MessageBody=json.dumps({"order": 17}))
    publish(channel, "job-a")
    notes = listener.receive(["job-a"], wait=5)
    assert [n.job_id for n in notes] == ["job-a"]
    time.sleep(FOREIGN_VISIBILITY_MAX + 0.5)
    bodies = channel.visible_bodies()
    assert len(bodies) == 2
    assert any("someone-elses-job" in body for body in bodies)


def test_receive_waits_no_longer_than_asked(channel: Channel, listener: SqsListener) -> None:
    """A receive with nothing for it returns empty within its wait, short waits included."""
    for wait in (0.3, 1.2):
        started = time.monotonic()
        assert listener.receive(["job-a"], wait=wait) == []
        assert wait <= time.monotonic() - started < wait + 1.5


def test_missing_queue_is_a_service_error_with_code_and_request_id(moto_url: str, aws_env: None) -> None:
    """SQS refusing the call raises a typed ServiceError naming the code, operation and request id."""
    listener = SqsListener(f"{moto_url}/123456789012/no-such-queue", endpoint_url=moto_url, region_name=REGION)
    with pytest.raises(rekseg.ServiceError) as info:
        listener.receive(["job-a"], wait=0)
    assert "NonExistentQueue" in info.value.code
    assert info.value.operation == "ReceiveMessage"
    assert info.value.request_id


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"queue_url": "my-queue"}, "queue_url"),
        ({"wait_time_seconds": 0}, "wait_time_seconds"),
        ({"wait_time_seconds": 21}, "wait_time_seconds"),
        ({"sqs_client": object(), "region_name": REGION}, "sqs_client"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, Any], field: str) -> None:
    """Bad constructor arguments raise ValidationError naming the field."""
    kwargs = {"queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/q", **kwargs}
    with pytest.raises(rekseg.ValidationError) as info:
        SqsListener(**kwargs)
    assert info.value.field == field


def test_bad_waits_are_refused(listener: SqsListener) -> None:
    """receive(wait=) and completions(timeout=) take finite non-negative (positive) seconds only."""
    with pytest.raises(rekseg.ValidationError, match="wait"):
        listener.receive(["j"], wait=-1)
    with pytest.raises(rekseg.ValidationError, match="timeout"):
        listener.completions(["j"], timeout=0)


def test_region_is_taken_from_the_queue_url() -> None:
    """Without region_name the client is made for the region in the queue URL."""
    listener = SqsListener("https://sqs.eu-west-1.amazonaws.com/123456789012/q")
    assert listener.sqs_client.meta.region_name == "eu-west-1"  # type: ignore[attr-defined]


def test_an_injected_client_is_used(channel: Channel, moto_url: str) -> None:
    """A botocore sqs client passed in is the one that talks to the queue."""
    sqs = moto_client("sqs", moto_url)
    publish(channel, "job-a")
    listener = SqsListener(channel.queue_url, sqs_client=sqs)
    assert listener.sqs_client is sqs
    assert [n.job_id for n in listener.receive(["job-a"], wait=5)] == ["job-a"]


def test_one_string_is_not_a_collection_of_job_ids(listener: SqsListener) -> None:
    """receive('job-1') would listen for 'j', 'o', 'b'...: it is refused, naming job_ids."""
    with pytest.raises(rekseg.ValidationError) as info:
        listener.receive("job-1", wait=0)
    assert info.value.field == "job_ids"
    with pytest.raises(rekseg.ValidationError, match="job_ids"):
        listener.completions(["bad id!"], timeout=1)


def test_a_queue_full_of_others_messages_does_not_hide_ours(channel: Channel, listener: SqsListener) -> None:
    """Twelve notifications of other jobs ahead of ours: receive() reaches ours within seconds, not never."""
    publish(channel, *(f"other-{n}" for n in range(12)))
    publish(channel, "job-mine")
    started = time.monotonic()
    assert [n.job_id for n in listener.receive(["job-mine"], wait=15)] == ["job-mine"]
    assert time.monotonic() - started < 10
    assert channel.in_queue() == 13, "others' messages are handed back, not deleted"


def test_a_hostile_timestamp_strands_nothing(channel: Channel, listener: SqsListener) -> None:
    """A message whose Timestamp has 5000 digits is handed back; the batch's own notification is still heard."""
    channel.republish(rekognition_message("other-job", Timestamp="9" * 5000))
    publish(channel, "job-a")
    assert [n.job_id for n in listener.receive(["job-a"], wait=5)] == ["job-a"]
    listener.acknowledge("job-a")
    assert channel.in_queue() == 1


def test_a_notification_not_acted_on_is_heard_again_by_the_same_listener(
    channel: Channel, moto_url: str, aws_env: None
) -> None:
    """A job yielded by completions() whose loop body raised is yielded again by a later completions()."""
    channel.sqs.set_queue_attributes(QueueUrl=channel.queue_url, Attributes={"VisibilityTimeout": "2"})
    publish(channel, "job-a")
    listener = SqsListener(channel.queue_url, endpoint_url=moto_url, region_name=REGION, wait_time_seconds=1)

    def act_and_fail() -> None:
        for _ in listener.completions(["job-a"], timeout=5):
            raise RuntimeError("fetching the result failed")

    with pytest.raises(RuntimeError):
        act_and_fail()
    started = time.monotonic()
    got = [n.job_id for n in listener.completions(["job-a"], timeout=REREPORT_AFTER + 5)]
    assert got == ["job-a"]
    assert time.monotonic() - started < REREPORT_AFTER + 3
    assert channel.in_queue() == 0


def test_a_held_message_that_keeps_coming_back_is_not_spun_on(channel: Channel, moto_url: str, aws_env: None) -> None:
    """On a queue with VisibilityTimeout=0, a reported job's message returns at once: receive() pauses, not spins."""
    channel.sqs.set_queue_attributes(QueueUrl=channel.queue_url, Attributes={"VisibilityTimeout": "0"})
    publish(channel, "job-a")
    sqs = moto_client("sqs", moto_url)
    calls = []
    sqs.meta.events.register("before-call.sqs.ReceiveMessage", lambda **kwargs: calls.append(1))
    listener = SqsListener(channel.queue_url, sqs_client=sqs)
    assert [n.job_id for n in listener.receive(["job-a"], wait=5)] == ["job-a"]
    calls.clear()
    assert listener.receive(["job-a"], wait=3) == []
    assert len(calls) <= 6


def test_a_stalled_sqs_does_not_hold_the_wait_past_its_timeout(aws_env: None) -> None:
    """SQS accepting connections and never answering: wait(timeout=3) ends near 3 s, not after minutes."""
    with stalled_endpoint() as sqs_url, Emulator(seconds_to_complete=3600) as em:
        em.add_video("s3://media-bucket/v.mp4", SyntheticVideo(shots=5))
        client = rekseg.Client(endpoint_url=em.endpoint_url, region_name=REGION)
        job = client.start("s3://media-bucket/v.mp4")
        listener = SqsListener(f"{sqs_url}/123456789012/q", endpoint_url=sqs_url, region_name=REGION)
        started = time.monotonic()
        with pytest.raises(rekseg.WaitTimeoutError):
            job.wait(timeout=3, listener=listener)
        assert time.monotonic() - started < 5
