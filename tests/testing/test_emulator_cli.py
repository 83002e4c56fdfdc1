"""``python -m rekseg.testing``: the emulator in the foreground, for other processes."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import botocore.config
import botocore.session
import pytest

from rekseg.testing import SyntheticVideo
from rekseg.testing.__main__ import main, serve

S3 = {"Bucket": "media-bucket", "Name": "episode.mp4"}


def client(url: str) -> Any:
    """A botocore client for ``url``."""
    return botocore.session.get_session().create_client(
        "rekognition",
        "us-east-1",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )


def test_module_prints_the_url_serves_and_stops_on_sigterm() -> None:
    """The first line is the endpoint URL; the preloaded synthetic video is served; SIGTERM exits 0."""
    command = [
        *(sys.executable, "-m", "rekseg.testing", "--port", "0", "--polls", "0", "--quiet"),
        *("--synthetic", "s3://media-bucket/episode.mp4", "--minutes", "10", "--rate", "25", "--shots", "40"),
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            rek = client(url)
            job_id = rek.start_segment_detection(Video={"S3Object": S3}, SegmentTypes=["SHOT"])["JobId"]
            page = rek.get_segment_detection(JobId=job_id)
            assert len(page["Segments"]) == 40
            assert page["VideoMetadata"][0]["FrameRate"] == 25
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0


def test_serve_logs_requests_and_stops_when_told() -> None:
    """serve() prints the URL first, then one line per request, and returns 0 once ``stop`` is set."""
    out = io.StringIO()
    stop = threading.Event()
    videos = {"s3://media-bucket/episode.mp4": SyntheticVideo(shots=5)}
    status: list[int] = []
    thread = threading.Thread(
        target=lambda: status.append(serve("127.0.0.1", 0, quiet=False, videos=videos, stop=stop, out=out))
    )
    thread.start()
    try:
        for _ in range(500):
            if out.getvalue().count("\n") >= 2:
                break
            time.sleep(0.01)
        url, video = out.getvalue().splitlines()[:2]
        assert video == "video s3://media-bucket/episode.mp4"
        rek = client(url)
        with pytest.raises(rek.exceptions.ResourceNotFoundException):
            rek.get_segment_detection(JobId="nope")
    finally:
        stop.set()
        thread.join(timeout=10)
    assert status == [0]
    assert out.getvalue().splitlines()[2].startswith("GetSegmentDetection 400 ResourceNotFoundException ")


def test_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A frame rate that does not parse exits with usage status 2 and a message."""
    with pytest.raises(SystemExit) as info:
        main(["--synthetic", "s3://media-bucket/episode.mp4", "--rate", "fast"])
    assert info.value.code == 2
    assert "fast" in capsys.readouterr().err
