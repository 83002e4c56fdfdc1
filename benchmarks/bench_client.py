"""The client against a hand-written NextToken loop, streaming memory, and the cost of a waited job in calls.

The throughput comparison runs twice: with the emulator in a separate process (serving pages does not compete
with the client for this process's interpreter, so the ratio is the client's own cost) and in this process.
Both sides fetch the same job in the same run, rounds interleaved. The rekseg client is one rekseg builds (the
fast response path); the hand loop uses a plain botocore client.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import botocore.config
import botocore.session

import rekseg
from benchmarks._harness import Result, best_of, current_rss_bytes, is_quick, ratio, served_emulator
from rekseg.testing import Emulator, SyntheticVideo

TARGET_RATIO = 0.80
"""client.segments() / hand loop, emulator in a separate process."""
TARGET_RATIO_IN_PROCESS = 0.90
"""client.segments() / hand loop, emulator in this process."""
TARGET_GROWTH_MIB = 50.0
VIDEO = "s3://bench/video.mp4"


def _video_args(shots: int) -> list[str]:
    return ["--synthetic", VIDEO, "--shots", str(shots), "--seed", "1"]


def _served(shots: int) -> AbstractContextManager[str]:
    """Serve one synthetic shots-only video from ``python -m rekseg.testing`` in a subprocess."""
    return served_emulator("--polls", "0", *_video_args(shots))


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


def _rekseg(url: str) -> rekseg.Client:
    """A client rekseg builds for ``url`` (the fast path), with the benchmark's credentials."""
    session = botocore.session.Session()
    session.set_credentials("bench", "bench")
    return rekseg.Client(session=session, endpoint_url=url, region_name="us-east-1", retry=rekseg.RetryPolicy.none())


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


@contextmanager
def _in_process(shots: int) -> Iterator[str]:
    """Serve the same synthetic video from an `Emulator` in this process; yield its URL."""
    with Emulator(polls_to_complete=0) as emulator:
        emulator.add_video(VIDEO, SyntheticVideo(shots=shots, technical_cues=(), segment_types=("SHOT",), seed=1))
        yield emulator.endpoint_url


def _throughput(shots: int, repeat: int, *, in_process: bool) -> list[Result]:
    where = "emulator in-process" if in_process else "emulator in a subprocess"
    with (_in_process if in_process else _served)(shots) as url:
        rek = _boto(url)
        job_id = rek.start_segment_detection(
            Video={"S3Object": {"Bucket": "bench", "Name": "video.mp4"}}, SegmentTypes=["SHOT"]
        )["JobId"]
        client = _rekseg(url)
        assert _hand_loop(rek, job_id) == shots
        assert sum(1 for _ in client.segments(job_id)) == shots
        assert len(client.get(job_id).segments or ()) == shots
        # Interleaved rounds, best of each: a busy moment on the machine then hits every side alike.
        baseline = ours = whole = math.inf
        for _ in range(repeat):
            baseline = min(baseline, best_of(lambda: _hand_loop(rek, job_id), repeat=1))
            ours = min(ours, best_of(lambda: sum(1 for _ in client.segments(job_id)), repeat=1))
            whole = min(whole, best_of(lambda: client.get(job_id), repeat=1))
        client.close()
    target = TARGET_RATIO_IN_PROCESS if in_process else TARGET_RATIO
    note = "machine shared with other jobs"
    return [
        Result.at_most(f"fetch {shots:,}, {where}: boto3 NextToken loop (dicts)", baseline * 1000, None, "ms"),
        Result.at_most(f"fetch {shots:,}, {where}: client.segments() (Segment models)", ours * 1000, None, "ms"),
        Result.at_most(f"fetch {shots:,}, {where}: client.get() (one merged result)", whole * 1000, None, "ms"),
        Result.at_most(f"{where}: client.segments() / hand loop", ratio(ours, baseline), target, "x", note),
        Result.at_most(f"{where}: client.get() / hand loop", ratio(whole, baseline), None, "x", note),
    ]


def _streaming_memory(shots: int) -> list[Result]:
    with _served(shots) as url:
        rek = _boto(url)
        job_id = rek.start_segment_detection(
            Video={"S3Object": {"Bucket": "bench", "Name": "video.mp4"}}, SegmentTypes=["SHOT"]
        )["JobId"]
        client = _rekseg(url)
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
    shots, repeat = (2_000, 1) if quick else (100_000, 5)
    results = _throughput(shots, repeat, in_process=False)
    results += _throughput(shots, repeat, in_process=True)
    results += _streaming_memory(5_000 if quick else 1_000_000)
    results += _call_count(2_500, 3)
    results.append(Result("bench_client wall time", time.perf_counter() - started, None, "s", True))
    return results
