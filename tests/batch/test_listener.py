"""With a listener, the batch hears completions (SNS -> SQS on moto's server) instead of polling.

Runs when ``rekseg.notifications`` (SqsListener) is present; the batch uses it only through ``completions``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

import rekseg
from rekseg import NotificationChannel, batch
from rekseg.testing import Emulator

from .conftest import add_catalog, moto_client, videos

notifications = pytest.importorskip("rekseg.notifications")

ROLE = "arn:aws:iam::123456789012:role/RekognitionPublish"
GET = "GetSegmentDetection"


def test_completions_replace_polling(moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every video is fetched when its notification arrives: one Get per video, no status polling."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    sns, sqs = moto_client("sns", moto_url), moto_client("sqs", moto_url)
    name = f"AmazonRekognition-{uuid.uuid4().hex[:8]}"
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    uris = videos(6)
    with Emulator(seconds_to_complete=0.3, sns_endpoint_url=moto_url) as em:
        add_catalog(em, uris)
        client = rekseg.Client(boto_client=em.boto_client(), polling=rekseg.PollPolicy(wait_initial=0.01))
        listener = notifications.SqsListener(queue, endpoint_url=moto_url, region_name="us-east-1", wait_time_seconds=1)

        report = batch.run(
            uris,
            output=tmp_path,
            client=client,
            listener=listener,
            options={"notification_channel": NotificationChannel(sns_topic_arn=topic, role_arn=ROLE)},
            timeout=60,
        )

        assert report.ok
        assert em.count(GET) == len(uris)
        assert len(em.notifications) == len(uris)
