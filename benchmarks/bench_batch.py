"""A catalog through ``rekseg.batch.run`` on the emulator with instant jobs: wall time, calls, store cost, memory.

The ideal number of requests for a video is one Start, ceil(N/1000) Gets for its N segments, plus one Get per
look that still found the job running; with instant jobs that is 2 per video, and the batch must not exceed it.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path

import attrs

import rekseg
from benchmarks._harness import Result, is_quick, traced_peak
from rekseg import batch
from rekseg.batch import BatchItem, ItemRecord, SqliteStore
from rekseg.testing import Emulator, SyntheticVideo

SHOTS = 40
TARGET_SAVE_MS = 2.0
TARGET_PEAK_MIB = 64.0


def _catalog(count: int) -> list[str]:
    return [f"s3://bench/catalog/ep{i:05d}.mp4" for i in range(count)]


def _run(count: int) -> tuple[float, int, int]:
    """Run a batch of ``count`` videos; return wall seconds, requests made and videos done."""
    uris = _catalog(count)
    video = SyntheticVideo(shots=SHOTS, technical_cues=(), segment_types=("SHOT",), seed=3)
    with Emulator(polls_to_complete=0, request_log_size=0) as emulator, tempfile.TemporaryDirectory() as out:
        for uri in uris:
            emulator.add_video(uri, video)
        policy = rekseg.PollPolicy(wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)
        client = rekseg.Client(boto_client=emulator.boto_client(), polling=policy)
        started = time.perf_counter()
        report = batch.run(uris, output=out, client=client, poll_rate=1e6, options={"segment_types": ["SHOT"]})
        wall = time.perf_counter() - started
        calls = emulator.count()
    return wall, calls, report.counts.done


def _store_cost(changes: int) -> float:
    """Mean milliseconds of one state change (a conditional UPDATE committed in WAL mode)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "state.sqlite")
        items = [BatchItem(uri) for uri in _catalog(changes)]
        store.add(ItemRecord.new(i.key, i.fingerprint) for i in items)
        records = list(store.records())
        started = time.perf_counter()
        for record in records:
            store.save(attrs.evolve(record, attempts=1))
        elapsed = time.perf_counter() - started
        store.close()
    return elapsed / changes * 1000


def run(quick: bool | None = None) -> list[Result]:
    """Run the catalog, count its requests against the ideal, time store writes and measure peak memory."""
    quick = is_quick(quick)
    count = 60 if quick else 2_000
    wall, calls, done = _run(count)
    ideal = count * (1 + math.ceil(SHOTS / 1000))
    (_, _, traced_done), peak = traced_peak(lambda: _run(count))
    assert done == traced_done == count, (done, traced_done)
    return [
        Result.at_most(f"{count:,} videos, instant jobs: wall time", wall, None, "s"),
        Result.at_most("throughput", count / wall, None, "videos/s"),
        Result(
            "requests per video",
            calls / count,
            ideal / count,
            "calls",
            calls <= ideal,
            "ideal: Start + ceil(N/1000) Get + looks at running jobs (none here)",
        ),
        Result.at_most("SQLite store: one state change", _store_cost(200 if quick else 2_000), TARGET_SAVE_MS, "ms"),
        Result.at_most(
            f"peak traced memory, {count:,} videos", peak / 2**20, TARGET_PEAK_MIB, "MiB", "tracemalloc, whole run"
        ),
    ]
