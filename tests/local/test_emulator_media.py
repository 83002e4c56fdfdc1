"""`Emulator.add_media` and ``rekseg emulator --media DIR``: jobs on a real file answer with its local detection."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from rekseg import Client, JobFailedError, PollPolicy, RetryPolicy, SegmentType, ShotFilter
from rekseg._cli.emulator import media_files
from rekseg.local import MediaError, detect_file
from rekseg.testing import Emulator, Fault

from .conftest import CLIP_23976_SHOTS

VIDEO = "s3://media/clips/clip.mp4"
ROLE = "arn:aws:iam::123456789012:role/RekognitionRole"


def _client(em: Emulator) -> Client:
    return Client(
        boto_client=em.boto_client(),
        retry=RetryPolicy(attempts=3, wait_initial=0.01, wait_max=0.02),
        polling=PollPolicy(wait_initial=0.01, wait_max=0.02, timeout=60),
    )


@pytest.fixture
def em() -> Iterator[Emulator]:
    """An emulator whose jobs end on the first poll."""
    with Emulator(polls_to_complete=1) as emulator:
        yield emulator


def test_a_job_on_media_answers_with_its_local_detection(em: Emulator, clips: dict[str, Path]) -> None:
    """Paged through 2-segment pages after a throttled page, the job's result is the file's detection."""
    em.add_media(VIDEO, clips["23.976"])
    em.inject(Fault.THROTTLE_400, operation="GetSegmentDetection")
    result = _client(em).detect(VIDEO, page_size=2)
    local = detect_file(clips["23.976"])
    assert result.segments == local.segments
    assert result.video_metadata == local.video_metadata
    assert em.count("GetSegmentDetection") > 5


def test_jobs_get_their_types_and_filters(em: Emulator, clips: dict[str, Path]) -> None:
    """A SHOT-only job with a confidence floor gets only the shots of the file at or above it."""
    em.add_media(VIDEO, clips["25"])
    local = detect_file(clips["25"])
    floor = max(s.confidence or 0 for s in local.shots if (s.confidence or 0) < 100) + 0.001
    result = _client(em).detect(
        VIDEO, segment_types=[SegmentType.SHOT], shot_filter=ShotFilter(min_segment_confidence=floor)
    )
    assert result.segments == tuple(s for s in local.shots if (s.confidence or 0) >= floor)
    assert 0 < len(result.shots) < len(local.shots)


def test_the_detection_is_computed_once_and_cached(em: Emulator, clips: dict[str, Path], tmp_path: Path) -> None:
    """A second job on the file is served from the cache, even once the file is gone."""
    path = tmp_path / "copy.mp4"
    path.write_bytes(clips["23.976"].read_bytes())
    em.add_media(VIDEO, path)
    client = _client(em)
    first = client.detect(VIDEO)
    path.unlink()
    second = client.detect(VIDEO)
    assert second.segments == first.segments
    assert first.job_id != second.job_id


def test_a_file_that_is_not_a_video_fails_its_jobs(em: Emulator, tmp_path: Path) -> None:
    """Jobs on a file that cannot be decoded end FAILED, the StatusMessage naming the file."""
    path = tmp_path / "notes.mp4"
    path.write_text("not a video\n" * 20)
    em.add_media(VIDEO, path)
    with pytest.raises(JobFailedError) as info:
        _client(em).detect(VIDEO)
    assert str(path) in str(info.value)


def test_add_media_refuses_a_missing_file_and_a_bad_uri(em: Emulator, tmp_path: Path) -> None:
    """A path that is not a file raises MediaError at once; a URI that is not s3://bucket/key, ValueError."""
    with pytest.raises(MediaError):
        em.add_media(VIDEO, tmp_path / "absent.mp4")
    with pytest.raises(ValueError, match="s3://bucket/key"):
        em.add_media("clip.mp4", tmp_path)


def test_jobs_on_media_notify_sns(clips: dict[str, Path]) -> None:
    """A job on a media file publishes its completion notification to SNS (moto's server), read back via SQS."""
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        session = botocore.session.get_session()
        kw: dict[str, Any] = {"endpoint_url": url, "aws_access_key_id": "t", "aws_secret_access_key": "t"}
        sns = session.create_client("sns", "us-east-1", **kw)
        sqs = session.create_client("sqs", "us-east-1", **kw)
        name = f"AmazonRekognition-{uuid.uuid4().hex[:12]}"
        topic = sns.create_topic(Name=name)["TopicArn"]
        queue = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        with Emulator(polls_to_complete=0, sns_endpoint_url=url) as em:
            em.add_media(VIDEO, clips["23.976"])
            rek = em.boto_client()
            job_id = rek.start_segment_detection(
                Video={"S3Object": {"Bucket": "media", "Name": "clips/clip.mp4"}},
                SegmentTypes=["SHOT"],
                NotificationChannel={"SNSTopicArn": topic, "RoleArn": ROLE},
            )["JobId"]
            deadline = time.monotonic() + 10
            messages: list[dict[str, Any]] = []
            while not messages and time.monotonic() < deadline:
                got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)
                messages = [json.loads(json.loads(m["Body"])["Message"]) for m in got.get("Messages", [])]
        assert [(m["JobId"], m["Status"]) for m in messages] == [(job_id, "SUCCEEDED")]
    finally:
        server.stop()


def test_media_files_maps_bucket_folders_to_s3_uris(tmp_path: Path) -> None:
    """DIR/BUCKET/KEY becomes s3://BUCKET/KEY; loose files at the top and hidden files are left out."""
    (tmp_path / "shows" / "s01").mkdir(parents=True)
    (tmp_path / "shows" / "s01" / "e01.mp4").write_bytes(b"x")
    (tmp_path / "shows" / ".hidden.mp4").write_bytes(b"x")
    (tmp_path / "loose.mp4").write_bytes(b"x")
    assert media_files(tmp_path) == {"s3://shows/s01/e01.mp4": tmp_path / "shows" / "s01" / "e01.mp4"}


def test_emulator_command_serves_a_media_folder(clips: dict[str, Path], tmp_path: Path) -> None:
    """``rekseg emulator --media DIR`` serves DIR/BUCKET/KEY at s3://BUCKET/KEY with its local detection."""
    (tmp_path / "media" / "clips").mkdir(parents=True)
    (tmp_path / "media" / "clips" / "clip.mp4").write_bytes(clips["23.976"].read_bytes())
    proc = subprocess.Popen(
        [sys.executable, "-m", "rekseg", "emulator", "--polls", "0", "--media", str(tmp_path / "media")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://")
        rek = botocore.session.get_session().create_client(
            "rekognition", "us-east-1", endpoint_url=url, aws_access_key_id="t", aws_secret_access_key="t"
        )
        client = Client(boto_client=rek, polling=PollPolicy(wait_initial=0.01, wait_max=0.02, timeout=60))
        result = client.detect("s3://clips/clip.mp4")
        assert [s.start_frame_number for s in result.shots] == CLIP_23976_SHOTS
    finally:
        proc.terminate()
        proc.wait(timeout=10)
