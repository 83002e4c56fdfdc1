"""examples/lambda_handler.py called as a plain function with SNS-trigger and SQS-trigger events."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import rekseg
from rekseg.testing import Emulator

from .conftest import ROLE_ARN, VIDEO, shots_only
from .forms import lambda_sns_event, lambda_sqs_event, rekognition_message, sns_envelope

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lambda_handler.py"
TOPIC = "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionJobs"


@pytest.fixture
def example(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, Emulator]]:
    """The example module, its rekseg.Client pointed at an emulator the way a deployment points it at AWS."""
    with Emulator(polls_to_complete=0) as em:
        em.add_video(VIDEO, shots_only(12))
        # botocore's own per-service endpoint variable: the example's plain rekseg.Client() honours it.
        monkeypatch.setenv("AWS_ENDPOINT_URL_REKOGNITION", em.endpoint_url)
        spec = importlib.util.spec_from_file_location("lambda_handler_example", EXAMPLE)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module, em


def finished_jobs(em: Emulator, count: int) -> list[dict[str, Any]]:
    """Start ``count`` jobs that notify a topic and return the completion messages the service sent."""
    rek = em.boto_client()
    for index in range(count):
        rek.start_segment_detection(
            Video={"S3Object": {"Bucket": "media-bucket", "Name": "episodes/s01e01.mp4"}},
            SegmentTypes=["SHOT"],
            NotificationChannel={"SNSTopicArn": TOPIC, "RoleArn": ROLE_ARN},
            JobTag=f"episode-{index}",
        )
    return em.notifications


def test_sns_trigger_event_summarises_each_job(example: tuple[ModuleType, Emulator]) -> None:
    """An SNS-trigger event of two finished jobs gives two summaries with the result's real counts."""
    module, em = example
    messages = finished_jobs(em, 2)
    answer = module.handler(lambda_sns_event(*messages), None)
    assert answer == {
        "jobs": [
            {
                "job_id": m["JobId"],
                "job_tag": m["JobTag"],
                "status": "SUCCEEDED",
                "shots": 12,
                "technical_cues": 0,
                "frame_rate": answer["jobs"][0]["frame_rate"],
                "video": VIDEO,
            }
            for m in messages
        ]
    }
    assert answer["jobs"][0]["frame_rate"] is not None
    assert em.count("GetSegmentDetection") == 2


def test_sqs_trigger_event_with_raw_and_enveloped_bodies(example: tuple[ModuleType, Emulator]) -> None:
    """An SQS-trigger event reads enveloped and raw bodies alike; a failed job and another API are not fetched."""
    module, em = example
    [message] = finished_jobs(em, 1)
    event = lambda_sqs_event(
        json.dumps(sns_envelope(message)),
        json.dumps(rekognition_message("job-that-failed", "FAILED")),
        json.dumps(rekognition_message("label-job", api="LABEL_DETECTION")),
    )
    answer = module.handler(event, None)
    assert [(j["job_id"], j["status"], j.get("shots")) for j in answer["jobs"]] == [
        (message["JobId"], "SUCCEEDED", 12),
        ("job-that-failed", "FAILED", None),
    ]
    assert em.count("GetSegmentDetection") == 1


def test_an_event_that_is_no_notification_fails_loudly(example: tuple[ModuleType, Emulator]) -> None:
    """A misrouted event (an S3 event) raises NotificationError naming the record, so the mistake shows."""
    module, _ = example
    with pytest.raises(rekseg.RekSegError, match=r"Records\[0\]"):
        module.handler({"Records": [{"eventSource": "aws:s3", "s3": {}}]}, None)
