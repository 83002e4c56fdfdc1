"""Several `rekseg batch` workers on one DynamoDB batch (moto's server), each named as on its own machine.

No video is started twice, and a dead worker's videos are taken over once its lease ends.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from rekseg.batch import DynamoDBStore, ItemState
from rekseg.testing import Emulator

from .conftest import add_catalog, moto_client, videos

pytest.importorskip("moto.server")

START = "StartSegmentDetection"


def worker(manifest: Path, out: Path, endpoint: str, moto_url: str, table: str, name: str) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "rekseg", "batch", str(manifest), "--out", str(out),
        "--store", f"dynamodb://{table}/catalog", "--create-table", "--dynamodb-endpoint-url", moto_url,
        "--endpoint-url", endpoint, "--region", "us-east-1", "--types", "shot", "--max-jobs", "4",
        "--poll-interval", "0.05", "--poll-rate", "200", "--lease", "1.5", "--worker-id", name, "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> None:
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_share_a_batch_without_starting_a_video_twice(workers: int, moto_url: str, tmp_path: Path) -> None:
    """Two or three workers on one batch: every video done, exactly one job each."""
    uris = videos(24)
    manifest = tmp_path / "catalog.txt"
    manifest.write_text("\n".join(uris), encoding="utf-8")
    table = f"rekseg-{uuid.uuid4().hex[:8]}"
    with Emulator(seconds_to_complete=0.2) as em:
        add_catalog(em, uris)
        running = [
            worker(manifest, tmp_path / f"out{n}", em.endpoint_url, moto_url, table, f"host-{n}/{n}/w")
            for n in range(workers)
        ]
        for process in running:
            finish(process)
        per_video = collections.Counter(job.video for job in em.jobs.values())
    assert per_video == dict.fromkeys(uris, 1)
    store = DynamoDBStore(table, batch="catalog", dynamodb_client=moto_client("dynamodb", moto_url))
    assert {r.key: r.state for r in store.records()} == dict.fromkeys(uris, ItemState.DONE)
    written = {p.name for n in range(workers) for p in (tmp_path / f"out{n}").rglob("ep*.mp4.json")}
    assert len(written) == len(uris)


def test_a_killed_workers_videos_are_finished_by_the_others_after_its_lease(moto_url: str, tmp_path: Path) -> None:
    """A worker killed while holding running jobs: the others take its videos after the lease, starting none twice."""
    uris = videos(20)
    manifest = tmp_path / "catalog.txt"
    manifest.write_text("\n".join(uris), encoding="utf-8")
    table = f"rekseg-{uuid.uuid4().hex[:8]}"
    with Emulator(seconds_to_complete=1.0) as em:
        add_catalog(em, uris)
        doomed = worker(manifest, tmp_path / "a", em.endpoint_url, moto_url, table, "host-a/1/a")
        deadline = time.monotonic() + 60
        while em.count(START) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        doomed.send_signal(signal.SIGKILL)
        doomed.communicate(timeout=30)
        store = DynamoDBStore(table, batch="catalog", dynamodb_client=moto_client("dynamodb", moto_url))
        orphaned = {r.key for r in store.records() if r.owner == "host-a/1/a"}
        assert orphaned, "the killed worker should have held videos"
        others = [
            worker(manifest, tmp_path / n, em.endpoint_url, moto_url, table, f"host-{n}/2/{n}") for n in ("b", "c")
        ]
        for process in others:
            finish(process)
        per_video = collections.Counter(job.video for job in em.jobs.values())
    assert per_video == dict.fromkeys(uris, 1)
    records = {r.key: r for r in store.records()}
    assert {k: r.state for k, r in records.items()} == dict.fromkeys(uris, ItemState.DONE)
    taken_over = [k for k in orphaned if (tmp_path / "b" / k[5:]).with_suffix(".mp4.json").exists()
                  or (tmp_path / "c" / k[5:]).with_suffix(".mp4.json").exists()]  # fmt: skip
    assert sorted(taken_over) == sorted(orphaned)
