"""Emulator: completion notifications published to SNS (moto's server), read back through SQS."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from rekseg.testing import Emulator, SyntheticVideo

moto_server = pytest.importorskip("moto.server")

VIDEO = "s3://media-bucket/episodes/s01e01.mp4"
S3 = {"Bucket": "media-bucket", "Name": "episodes/s01e01.mp4"}
ROLE = "arn:aws:iam::123456789012:role/RekognitionRole"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """The moto server, in this process, for the whole module."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _moto_client(service: str, url: str) -> Any:
    return botocore.session.get_session().create_client(
        service, "us-east-1", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


class Inbox:
    """An SNS topic subscribed by an SQS queue, in moto."""

    def __init__(self, url: str) -> None:
        self.sns = _moto_client("sns", url)
        self.sqs = _moto_client("sqs", url)
        name = f"AmazonRekognition-{uuid.uuid4().hex[:12]}"
        self.topic_arn: str = self.sns.create_topic(Name=name)["TopicArn"]
        self.queue_url: str = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])
        self.sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])

    def receive(self, wait: int = 1) -> list[dict[str, Any]]:
        """Return the notifications waiting in the queue, decoded twice (SQS body, then SNS Message)."""
        got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
        return [json.loads(json.loads(m["Body"])["Message"]) for m in got.get("Messages", [])]


@pytest.fixture
def em(moto_url: str) -> Iterator[Emulator]:
    """An emulator publishing to moto, jobs IN_PROGRESS for one poll."""
    with Emulator(sns_endpoint_url=moto_url) as emulator:
        emulator.add_video(VIDEO, SyntheticVideo(shots=3, technical_cues=(), segment_types=["SHOT"]))
        yield emulator


@pytest.fixture
def inbox(moto_url: str) -> Inbox:
    """A fresh topic and queue."""
    return Inbox(moto_url)


def start(rek: Any, topic_arn: str, **params: Any) -> str:
    """Start a job that notifies ``topic_arn`` and return its JobId."""
    job_id: str = rek.start_segment_detection(
        Video={"S3Object": S3},
        SegmentTypes=["SHOT"],
        NotificationChannel={"SNSTopicArn": topic_arn, "RoleArn": ROLE},
        **params,
    )["JobId"]
    return job_id


def test_completion_message_is_published_when_the_job_ends(em: Emulator, inbox: Inbox) -> None:
    """The service's completion message reaches the topic once, when Get first sees the job end."""
    rek = em.boto_client()
    before = int(time.time() * 1000)
    job_id = start(rek, inbox.topic_arn, JobTag="ep-1")
    rek.get_segment_detection(JobId=job_id)
    assert inbox.receive(wait=0) == []
    rek.get_segment_detection(JobId=job_id)
    rek.get_segment_detection(JobId=job_id)
    [message] = inbox.receive()
    assert message == {
        "JobId": job_id,
        "Status": "SUCCEEDED",
        "API": "StartSegmentDetection",
        "JobTag": "ep-1",
        "Timestamp": message["Timestamp"],
        "Video": {"S3ObjectName": S3["Name"], "S3Bucket": S3["Bucket"]},
    }
    assert before <= message["Timestamp"] <= int(time.time() * 1000)
    assert em.notifications == [message]
    assert em.publish_errors == []
    assert inbox.receive(wait=0) == []


def test_failed_job_publishes_failed(em: Emulator, inbox: Inbox) -> None:
    """A job ended by fail_job publishes Status FAILED, without a JobTag when none was given."""
    job_id = start(em.boto_client(), inbox.topic_arn)
    em.fail_job(job_id, "Unsupported codec")
    [message] = inbox.receive()
    assert (message["JobId"], message["Status"]) == (job_id, "FAILED")
    assert "JobTag" not in message


def test_idempotent_start_publishes_no_second_message(em: Emulator, inbox: Inbox) -> None:
    """Repeating a Start by its ClientRequestToken returns the same job and publishes nothing new."""
    rek = em.boto_client()
    job_id = start(rek, inbox.topic_arn, ClientRequestToken="once")
    em.complete_job(job_id)
    assert start(rek, inbox.topic_arn, ClientRequestToken="once") == job_id
    rek.get_segment_detection(JobId=job_id)
    assert len(inbox.receive()) == 1
    assert inbox.receive(wait=0) == []
    assert len(em.notifications) == 1


def test_job_without_channel_publishes_nothing(em: Emulator, inbox: Inbox) -> None:
    """A job started without a NotificationChannel publishes nothing when it ends."""
    rek = em.boto_client()
    job_id = rek.start_segment_detection(Video={"S3Object": S3}, SegmentTypes=["SHOT"])["JobId"]
    em.complete_job(job_id)
    assert em.notifications == []
    assert inbox.receive(wait=0) == []


def test_timed_job_publishes_without_being_polled(moto_url: str) -> None:
    """With seconds_to_complete the message is published when the time is up, with no Get at all."""
    with Emulator(sns_endpoint_url=moto_url, seconds_to_complete=0.2) as em:
        em.add_video(VIDEO, SyntheticVideo(shots=3, technical_cues=(), segment_types=["SHOT"]))
        inbox = Inbox(moto_url)
        job_id = start(em.boto_client(), inbox.topic_arn)
        [message] = inbox.receive(wait=3)
        assert message["JobId"] == job_id
        assert em.count("GetSegmentDetection") == 0


def test_without_sns_endpoint_messages_are_only_recorded() -> None:
    """Without sns_endpoint_url the message is recorded in notifications and nothing is sent."""
    with Emulator(polls_to_complete=0) as em:
        em.add_video(VIDEO, SyntheticVideo(shots=3, technical_cues=(), segment_types=["SHOT"]))
        job_id = start(em.boto_client(), "arn:aws:sns:eu-west-1:123456789012:AmazonRekognitionTopic")
        assert [m["JobId"] for m in em.notifications] == [job_id]
        assert em.publish_errors == []


def test_publish_failure_is_kept_not_raised(moto_url: str) -> None:
    """A topic that does not exist makes the publish fail; the error is kept and the job still ends."""
    with Emulator(sns_endpoint_url=moto_url, polls_to_complete=0) as em:
        em.add_video(VIDEO, SyntheticVideo(shots=3, technical_cues=(), segment_types=["SHOT"]))
        rek = em.boto_client()
        job_id = start(rek, "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionMissing")
        assert rek.get_segment_detection(JobId=job_id)["JobStatus"] == "SUCCEEDED"
        assert len(em.publish_errors) == 1
