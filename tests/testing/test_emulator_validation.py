"""Emulator: the service's input rules, each answered with the modeled botocore exception."""

from __future__ import annotations

from typing import Any

import botocore.config
import pytest

from rekseg.testing import Emulator, SyntheticVideo

VIDEO = "s3://media-bucket/episodes/s01e01.mp4"
S3 = {"Bucket": "media-bucket", "Name": "episodes/s01e01.mp4"}
TOPIC = "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionTopic"
ROLE = "arn:aws:iam::123456789012:role/RekognitionRole"
# botocore's own checks are off so that bad input reaches the emulator, as it would reach the service.
UNCHECKED = botocore.config.Config(parameter_validation=False, retries={"total_max_attempts": 1})


@pytest.fixture
def raw(emulator: Emulator) -> Any:
    """A botocore client that sends whatever it is given."""
    emulator.add_video(VIDEO, SyntheticVideo(shots=3))
    return emulator.boto_client(config=UNCHECKED)


def good_start(**changes: Any) -> dict[str, Any]:
    """Valid StartSegmentDetection parameters with ``changes`` applied (None removes a key)."""
    params: dict[str, Any] = {
        "Video": {"S3Object": dict(S3)},
        "SegmentTypes": ["TECHNICAL_CUE", "SHOT"],
        "ClientRequestToken": "token-1",
        "NotificationChannel": {"SNSTopicArn": TOPIC, "RoleArn": ROLE},
        "JobTag": "ep-1",
        "Filters": {
            "TechnicalCueFilter": {
                "MinSegmentConfidence": 80,
                "BlackFrame": {"MaxPixelThreshold": 0.2, "MinCoveragePercentage": 99},
            },
            "ShotFilter": {"MinSegmentConfidence": 70},
        },
    }
    for key, value in changes.items():
        if value is None:
            params.pop(key)
        else:
            params[key] = value
    return params


def cue_filter(**values: Any) -> dict[str, Any]:
    """Filters with the given TechnicalCueFilter."""
    return {"TechnicalCueFilter": values}


BAD_STARTS = {
    "no-video": good_start(Video=None),
    "no-s3-object": good_start(Video={}),
    "short-bucket": good_start(Video={"S3Object": {"Bucket": "ab", "Name": "k.mp4"}}),
    "bucket-pattern": good_start(Video={"S3Object": {"Bucket": "bad/bucket", "Name": "k.mp4"}}),
    "no-bucket": good_start(Video={"S3Object": {"Name": "k.mp4"}}),
    "empty-name": good_start(Video={"S3Object": {"Bucket": "media-bucket", "Name": ""}}),
    "long-name": good_start(Video={"S3Object": {"Bucket": "media-bucket", "Name": "k" * 1025}}),
    "empty-version": good_start(Video={"S3Object": {**S3, "Version": ""}}),
    "token-pattern": good_start(ClientRequestToken="has space"),
    "token-length": good_start(ClientRequestToken="t" * 65),
    "empty-token": good_start(ClientRequestToken=""),
    "channel-without-role": good_start(NotificationChannel={"SNSTopicArn": TOPIC}),
    "channel-without-topic": good_start(NotificationChannel={"RoleArn": ROLE}),
    "topic-arn": good_start(NotificationChannel={"SNSTopicArn": "arn:aws:sqs:us-east-1:1:q", "RoleArn": ROLE}),
    "role-arn": good_start(NotificationChannel={"SNSTopicArn": TOPIC, "RoleArn": "arn:aws:iam::1:user/x"}),
    "empty-tag": good_start(JobTag=""),
    "tag-pattern": good_start(JobTag="a b"),
    "tag-length": good_start(JobTag="t" * 1025),
    "shot-confidence-low": good_start(Filters={"ShotFilter": {"MinSegmentConfidence": 49.9}}),
    "shot-confidence-high": good_start(Filters={"ShotFilter": {"MinSegmentConfidence": 100.5}}),
    "cue-confidence-low": good_start(Filters=cue_filter(MinSegmentConfidence=10)),
    "pixel-threshold-high": good_start(Filters=cue_filter(BlackFrame={"MaxPixelThreshold": 1.1})),
    "pixel-threshold-negative": good_start(Filters=cue_filter(BlackFrame={"MaxPixelThreshold": -0.1})),
    "coverage-high": good_start(Filters=cue_filter(BlackFrame={"MinCoveragePercentage": 100.1})),
    "coverage-negative": good_start(Filters=cue_filter(BlackFrame={"MinCoveragePercentage": -1})),
    "no-segment-types": good_start(SegmentTypes=None),
    "empty-segment-types": good_start(SegmentTypes=[]),
    "unknown-segment-type": good_start(SegmentTypes=["SHOT", "FACES"]),
}


@pytest.mark.parametrize("params", BAD_STARTS.values(), ids=BAD_STARTS.keys())
def test_start_rejects_invalid_parameters(emulator: Emulator, raw: Any, params: dict[str, Any]) -> None:
    """Each broken Start rule raises InvalidParameterException (HTTP 400) and starts no job."""
    with pytest.raises(raw.exceptions.InvalidParameterException) as info:
        raw.start_segment_detection(**params)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert info.value.response["ResponseMetadata"]["RequestId"] == emulator.requests[-1].request_id
    assert emulator.requests[-1].error_code == "InvalidParameterException"
    assert emulator.jobs == {}


def test_start_accepts_every_field_at_its_limits(emulator: Emulator, raw: Any) -> None:
    """The boundary values of every rule are accepted."""
    params = good_start(
        ClientRequestToken="t" * 64,
        JobTag="a-Z_0.9:+=/" * 93,
        Filters={
            "TechnicalCueFilter": {
                "MinSegmentConfidence": 50,
                "BlackFrame": {"MaxPixelThreshold": 1, "MinCoveragePercentage": 0},
            },
            "ShotFilter": {"MinSegmentConfidence": 100},
        },
    )
    assert raw.start_segment_detection(**params)["JobId"] in emulator.jobs


def test_message_names_the_field(raw: Any) -> None:
    """The error message names the parameter that broke a rule."""
    with pytest.raises(raw.exceptions.InvalidParameterException) as info:
        raw.start_segment_detection(**good_start(JobTag="a b"))
    assert "JobTag" in info.value.response["Error"]["Message"]


def test_unknown_video_is_invalid_s3_object(raw: Any) -> None:
    """Starting on a video that was never registered raises InvalidS3ObjectException."""
    other = {"Video": {"S3Object": {"Bucket": "media-bucket", "Name": "missing.mp4"}}}
    with pytest.raises(raw.exceptions.InvalidS3ObjectException):
        raw.start_segment_detection(**good_start(**other))


BAD_GETS = {
    "empty-job-id": {"JobId": ""},
    "job-id-pattern": {"JobId": "bad id!"},
    "job-id-length": {"JobId": "j" * 65},
    "no-job-id": {},
    "max-results-zero": {"JobId": "job", "MaxResults": 0},
    "max-results-negative": {"JobId": "job", "MaxResults": -5},
    "long-next-token": {"JobId": "job", "NextToken": "n" * 256},
}


@pytest.mark.parametrize("params", BAD_GETS.values(), ids=BAD_GETS.keys())
def test_get_rejects_invalid_parameters(raw: Any, params: dict[str, Any]) -> None:
    """Each broken Get rule raises InvalidParameterException."""
    with pytest.raises(raw.exceptions.InvalidParameterException):
        raw.get_segment_detection(**params)


def test_unknown_job_is_resource_not_found(raw: Any) -> None:
    """A well-formed JobId that was never issued raises ResourceNotFoundException."""
    with pytest.raises(raw.exceptions.ResourceNotFoundException):
        raw.get_segment_detection(JobId="a" * 64)
