"""Fixtures for notifications end to end: moto's server as SNS, SQS and IAM, and the emulator publishing to it."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest

import rekseg
from rekseg.testing import Emulator, SyntheticVideo

pytest.importorskip("moto.server")

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/RekognitionNotify"
VIDEO = "s3://media-bucket/episodes/s01e01.mp4"
FAST_POLL = rekseg.PollPolicy(wait_initial=0.0, wait_max=0.0, wait_jitter=0.0, timeout=30.0)
FAST_RETRY = rekseg.RetryPolicy(attempts=3, timeout=10.0, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """The moto server (SNS, SQS and IAM with AWS's managed policies) in a subprocess, on a real local socket.

    A subprocess rather than moto's in-process thread: moto's work then cannot disturb this process's memory
    readings (tests/test_benchmarks.py compares its peak and current RSS).
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto's server did not start (exit code {server.poll()})")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@contextlib.contextmanager
def stalled_endpoint() -> Iterator[str]:
    """An endpoint that accepts connections and never answers (a stalled load balancer, a half-open link)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                held.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()
        for connection in held:
            connection.close()


def moto_client(service: str, url: str, region: str = REGION) -> Any:
    """A botocore client for moto with dummy credentials."""
    return botocore.session.get_session().create_client(
        service, region, endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials and region, isolated from the machine's own AWS configuration."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def queue_policy(queue_arn: str, topic_arn: str) -> str:
    """The queue policy that lets one topic send to the queue."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }
    )


class Channel:
    """An SNS topic and an SQS queue in moto, the queue subscribed (raw or enveloped) and allowed to receive."""

    def __init__(
        self, url: str, *, raw: bool = False, subscribe: bool = True, prefix: str = "AmazonRekognition"
    ) -> None:
        self.sns = moto_client("sns", url)
        self.sqs = moto_client("sqs", url)
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.topic_arn: str = self.sns.create_topic(Name=name)["TopicArn"]
        self.queue_url: str = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])
        self.queue_arn: str = attributes["Attributes"]["QueueArn"]
        self.sqs.set_queue_attributes(
            QueueUrl=self.queue_url, Attributes={"Policy": queue_policy(self.queue_arn, self.topic_arn)}
        )
        self.subscription_arn: str | None = None
        if subscribe:
            self.subscription_arn = self.sns.subscribe(
                TopicArn=self.topic_arn,
                Protocol="sqs",
                Endpoint=self.queue_arn,
                Attributes={"RawMessageDelivery": "true" if raw else "false"},
            )["SubscriptionArn"]

    @property
    def notification_channel(self) -> rekseg.NotificationChannel:
        """The channel to start jobs with."""
        return rekseg.NotificationChannel(sns_topic_arn=self.topic_arn, role_arn=ROLE_ARN)

    def republish(self, message: dict[str, Any]) -> None:
        """Publish a message to the topic again, as SNS's at-least-once delivery sometimes does."""
        self.sns.publish(TopicArn=self.topic_arn, Message=json.dumps(message))

    def in_queue(self) -> int:
        """Messages in the queue, visible or not."""
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def visible_bodies(self) -> list[str]:
        """The bodies of the messages visible now (received once, then handed back)."""
        got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = got.get("Messages", [])
        for message in messages:
            self.sqs.change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        return sorted(m["Body"] for m in messages)


@pytest.fixture
def channel(moto_url: str) -> Channel:
    """A fresh enveloped (standard) channel."""
    return Channel(moto_url)


def shots_only(shots: int) -> SyntheticVideo:
    """A synthetic video whose shot-only job returns exactly ``shots`` segments."""
    return SyntheticVideo(shots=shots, technical_cues=(), segment_types=("SHOT",), seed=7)


@pytest.fixture
def em(moto_url: str) -> Iterator[Emulator]:
    """An emulator publishing completions to moto; jobs end 0.2 s after Start, without being polled."""
    with Emulator(sns_endpoint_url=moto_url, seconds_to_complete=0.2) as emulator:
        emulator.add_video(VIDEO, shots_only(40))
        yield emulator


@pytest.fixture
def client(em: Emulator, aws_env: None) -> rekseg.Client:
    """A client for the emulator with zero waits between retries."""
    return rekseg.Client(endpoint_url=em.endpoint_url, region_name=REGION, retry=FAST_RETRY, polling=FAST_POLL)


@pytest.fixture
def listener(channel: Channel, moto_url: str, aws_env: None) -> Any:
    """An SqsListener on the channel's queue."""
    from rekseg.notifications import SqsListener

    return SqsListener(channel.queue_url, endpoint_url=moto_url, region_name=REGION)
