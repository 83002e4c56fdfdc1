"""Crash safety: `rekseg batch` killed with SIGKILL at random points, restarted each time, ends with one job per video.

The emulator runs in this (the test's) process and the batch in a child process, so every kill hits the batch
alone while the service keeps its jobs, its request log and its idempotency tokens.
"""

from __future__ import annotations

import collections
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rekseg import SegmentDetectionResult, export
from rekseg.testing import Emulator

from .conftest import add_catalog, videos

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

VIDEOS = 200
KILLS = 20
SEED = 20240612
START = "StartSegmentDetection"


def batch_command(manifest: Path, out: Path, endpoint: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "rekseg",
        "batch",
        str(manifest),
        "--out",
        str(out),
        "--endpoint-url",
        endpoint,
        "--region",
        "us-east-1",
        "--types",
        "shot",
        "--format",
        "json,edl",
        "--poll-interval",
        "0.05",
        "--poll-rate",
        "500",
        "--quiet",
    ]


def test_sigkill_at_random_points_loses_nothing_and_duplicates_no_job(tmp_path: Path) -> None:
    """20 seeded SIGKILLs over 200 videos: one job per video, one whole result per video, no temporary file left."""
    uris = videos(VIDEOS)
    manifest = tmp_path / "catalog.txt"
    manifest.write_text("\n".join(uris) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    rng = random.Random(SEED)
    killed_mid_batch = 0
    with Emulator(seconds_to_complete=0.05, request_log_size=None) as em:
        add_catalog(em, uris)
        command = batch_command(manifest, out, em.endpoint_url)
        for _ in range(KILLS):
            child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # Kill once the child is at work (a random number of its requests in, plus a random instant), so the
            # kills land among Starts, polls, result writes and store commits rather than in interpreter start-up.
            seen, wanted = em.count(), rng.randint(1, 40)
            give_up = time.monotonic() + 30
            while em.count() < seen + wanted and child.poll() is None and time.monotonic() < give_up:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.03))
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                killed_mid_batch += em.count() > seen
            child.wait(timeout=30)
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
        jobs = dict(em.jobs)
        starts = [r for r in em.requests if r.operation == START]

    assert final.returncode == 0, final.stderr
    # The kills landed while the batch was at work, not before it began or after it ended.
    assert killed_mid_batch >= 20
    per_video = collections.Counter(job.video for job in jobs.values())
    assert per_video == dict.fromkeys(uris, 1), "a video got a second job"
    # Every Start of a video carried the same token, so a repeated Start re-attached instead of paying again.
    tokens: dict[str, set[str]] = collections.defaultdict(set)
    for request in starts:
        if "Video" not in request.params:
            continue  # cut off mid-body by a kill: the emulator refused it unread
        s3 = request.params["Video"]["S3Object"]
        tokens[f"s3://{s3['Bucket']}/{s3['Name']}"].add(request.params["ClientRequestToken"])
    assert all(len(t) == 1 for t in tokens.values())
    job_of = {job.video: job.job_id for job in jobs.values()}
    for uri in uris:
        stem = out / uri[len("s3://") :]
        data = json.loads(stem.with_name(stem.name + ".json").read_text(encoding="utf-8"))
        assert data["JobId"] == job_of[uri]
        assert len(data["Segments"]) == 3
        edl = io.StringIO()
        export.write(SegmentDetectionResult.from_response(data), "edl", edl)
        assert stem.with_name(stem.name + ".edl").read_text(encoding="utf-8") == edl.getvalue()
    assert not list(out.rglob("*.rekseg-tmp"))
    report = [json.loads(line) for line in (out / "report.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["video"], r["state"], r["job_id"]) for r in report] == [(u, "done", job_of[u]) for u in uris]
