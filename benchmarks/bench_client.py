"""The client against a hand-written NextToken loop, streaming memory, and the cost of a waited job in calls.

The emulator runs in a separate process for the two HTTP benchmarks, so that serving pages does not compete with
the client for this process's interpreter; both sides of each comparison fetch the same job from it in the same run.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.config
import botocore.session

import rekseg
from benchmarks._harness import Result, best_of, current_rss_bytes, is_quick, ratio
from rekseg.testing import Emulator, SyntheticVideo

TARGET_RATIO = 1.15
TARGET_GROWTH_MIB = 50.0
VIDEO = "s3://bench/video.mp4"


def _video_args(shots: int) -> list[str]:
    return ["--synthetic", VIDEO, "--shots", str(shots), "--seed", "1"]


@contextmanager
def _served(shots: int) -> Iterator[str]:
    """Serve one synthetic shots-only video from ``python -m rekseg.testing`` in a subprocess; yield its URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "rekseg.testing", "--port", "0", "--quiet", "--polls", "0", *_video_args(shots)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip().split()[-1]
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()


def _boto(url: str) -> Any:
    session = botocore.session.get_session()
    return session.create_client(
        "rekognition",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )


def _hand_loop(rek: Any, job_id: str) -> int:
    """The loop users write with boto3: follow NextToken, collect dicts."""
    segments: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"JobId": job_id, "MaxResults": 1000}
    while True:
        response = rek.get_segment_detection(**kwargs)
        segments.extend(response["Segments"])
        token = response.get("NextToken")
        if not token:
            return len(segments)
        kwargs["NextToken"] = token


def _throughput(shots: int, repeat: int) -> list[Result]:
    with _served(shots) as url:
        rek = _boto(url)
        job_id = rek.start_segment_detection(
            Video={"S3Object": {"Bucket": "bench", "Name": "video.mp4"}}, SegmentTypes=["SHOT"]
        )["JobId"]
        client = rekseg.Client(boto_client=rek, retry=rekseg.RetryPolicy.none())
        assert _hand_loop(rek, job_id) == shots
        assert sum(1 for _ in client.segments(job_id)) == shots
        # Interleaved rounds, best of each: a busy moment on the machine then hits both sides alike.
        baseline = ours = math.inf
        for _ in range(repeat):
            baseline = min(baseline, best_of(lambda: _hand_loop(rek, job_id), repeat=1))
            ours = min(ours, best_of(lambda: sum(1 for _ in client.segments(job_id)), repeat=1))
    return [
        Result.at_most(f"fetch {shots:,}: boto3 NextToken loop (dicts)", baseline * 1000, None, "ms"),
        Result.at_most(f"fetch {shots:,}: client.segments() (Segment models)", ours * 1000, None, "ms"),
        Result.at_most("client.segments() / hand loop", ratio(ours, baseline), TARGET_RATIO, "x"),
    ]


def _streaming_memory(shots: int) -> list[Result]:
    with _served(shots) as url:
        rek = _boto(url)
        job_id = rek.start_segment_detection(
            Video={"S3Object": {"Bucket": "bench", "Name": "video.mp4"}}, SegmentTypes=["SHOT"]
        )["JobId"]
        client = rekseg.Client(boto_client=rek, retry=rekseg.RetryPolicy.none())
        next(client.pages(job_id, max_pages=1))  # warm up connections and caches before the baseline
        start = current_rss_bytes()
        if start is None:
            return [Result("stream: RSS growth", 0.0, None, "MiB", True, "no /proc here; not measured")]
        peak = start
        count = 0
        for count, _ in enumerate(client.segments(job_id), 1):
            if count % 1000 == 0:
                peak = max(peak, current_rss_bytes() or 0)
        assert count == shots
    growth = (peak - start) / 2**20
    return [Result.at_most(f"stream {shots:,} segments: RSS growth", growth, TARGET_GROWTH_MIB, "MiB")]


def _call_count(shots: int, polls_to_complete: int) -> list[Result]:
    with Emulator(polls_to_complete=polls_to_complete) as emulator:
        emulator.add_video(VIDEO, SyntheticVideo(shots=shots, technical_cues=(), segment_types=("SHOT",), seed=2))
        policy = rekseg.PollPolicy(wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)
        client = rekseg.Client(boto_client=emulator.boto_client(), polling=policy)
        client.detect(VIDEO, segment_types=["SHOT"])
        calls = emulator.count()
    polls = polls_to_complete + 1
    expected = 1 + polls + math.ceil(shots / 1000) - 1
    return [
        Result(
            f"waited job of {shots:,} segments, {polls} polls: requests",
            calls,
            expected,
            "calls",
            calls == expected,
            "Start + polls + ceil(N/1000) - 1",
        )
    ]


def run(quick: bool | None = None) -> list[Result]:
    """Compare fetching with a hand loop, measure streaming memory, and count a waited job's calls."""
    quick = is_quick(quick)
    started = time.perf_counter()
    results = _throughput(2_000 if quick else 100_000, 1 if quick else 5)
    results += _streaming_memory(5_000 if quick else 1_000_000)
    results += _call_count(2_500, 3)
    results.append(Result("bench_client wall time", time.perf_counter() - started, None, "s", True))
    return results
