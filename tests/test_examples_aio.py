"""examples/async_many_jobs.py runs on a fresh machine (the built-in emulator) and prints every job's result."""

from __future__ import annotations

from pathlib import Path

from test_examples import load, run


def test_async_many_jobs_reports_every_episode_in_order(tmp_path: Path) -> None:
    """async_many_jobs.py waits for all twelve jobs at once and prints each video's exact shot count, in order."""
    episodes = load("async_many_jobs").EPISODES
    expected = [f"{uri}: {len(video.result().shots)} shots" for uri, video in episodes.items()]

    out = run("async_many_jobs", cwd=tmp_path).stdout.splitlines()

    assert out[:-1] == expected
    total = sum(len(video.result().shots) for video in episodes.values())
    assert out[-1] == f"{len(episodes)} jobs, {total} shots in all"
