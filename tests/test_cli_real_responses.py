"""``rekseg export`` and ``rekseg markers`` on real saved output: several page files, and no VideoMetadata.

Pages are fetched from the emulator over HTTP with a small MaxResults and saved as users save them (the raw
botocore response, ResponseMetadata and all); the CLI runs in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.config
import pytest
from recorded import episode

from rekseg import SegmentDetectionResult
from rekseg.testing import Emulator

VIDEO = "s3://recorded/episode.mp4"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m rekseg ARGS`` offline (no credentials, no region) and capture its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = str(tmp_path / "no-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "no-credentials")
    return subprocess.run(
        [sys.executable, "-m", "rekseg", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The recorded episode's job fetched 5 segments a page: 3 pages, as botocore returned them."""
    with Emulator(polls_to_complete=0) as em:
        em.add_video(VIDEO, episode())
        rek = em.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 1}))
        job_id = rek.start_segment_detection(
            Video={"S3Object": {"Bucket": "recorded", "Name": "episode.mp4"}}, SegmentTypes=["TECHNICAL_CUE", "SHOT"]
        )["JobId"]
        out = [rek.get_segment_detection(JobId=job_id, MaxResults=5)]
        while out[-1].get("NextToken"):
            out.append(rek.get_segment_detection(JobId=job_id, MaxResults=5, NextToken=out[-1]["NextToken"]))
    assert len(out) == 3
    return out


def save(tmp_path: Path, *responses: dict[str, Any]) -> list[str]:
    names = []
    for i, response in enumerate(responses, 1):
        name = f"page-{i}.json"
        (tmp_path / name).write_text(json.dumps(response, default=str), encoding="utf-8")
        names.append(name)
    return names


def test_export_merges_every_page_in_order(pages: list[dict[str, Any]], tmp_path: Path) -> None:
    """Three page files given in order export as the whole result, segment for segment."""
    proc = run(tmp_path, "export", *save(tmp_path, *pages), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    merged = SegmentDetectionResult.from_response(json.loads(proc.stdout))
    assert merged.segments == SegmentDetectionResult.from_response(episode()).segments


def test_markers_of_page_files_match_the_whole_result(pages: list[dict[str, Any]], tmp_path: Path) -> None:
    """Markers read from the page files give the runtime of the whole result (300 frames, not 302)."""
    proc = run(tmp_path, "markers", *save(tmp_path, *pages), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["program"]["runtime_frames"] == 300


@pytest.mark.parametrize(
    ("order", "strip", "message"),
    [
        pytest.param((0,), False, "page after it is missing", id="only-page-1"),
        pytest.param((0, 1), False, "page after it is missing", id="last-page-missing"),
        pytest.param((0, 1, 2, 2), False, "no NextToken, so it is the job's last page", id="last-page-twice"),
        pytest.param((0, 0, 1, 2), False, "same NextToken", id="first-page-twice"),
        pytest.param((1, 0, 2), False, "page-2.json does not follow page-1.json", id="out-of-order"),
        pytest.param((0, 2), False, "shots 0 to 2 are missing before page-2.json", id="middle-page-missing"),
        pytest.param((0, 2), True, "shots 0 to 2 are missing", id="middle-page-missing-tokens-not-saved"),
        pytest.param((0, 1, 1, 2), True, "page-3.json does not follow page-2.json", id="page-twice-tokens-not-saved"),
    ],
)
def test_missing_repeated_or_misordered_pages_exit_2(
    pages: list[dict[str, Any]], tmp_path: Path, order: tuple[int, ...], strip: bool, message: str
) -> None:
    """A page missing, saved twice or out of order is one clear line and exit 2; nothing is written."""
    chosen = [{k: v for k, v in pages[i].items() if not (strip and k == "NextToken")} for i in order]
    proc = run(tmp_path, "export", *save(tmp_path, *chosen), "--format", "edl", "-o", "out.edl")
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out.edl").exists()


def test_pages_of_two_jobs_exit_2(pages: list[dict[str, Any]], tmp_path: Path) -> None:
    """A page of another job among the files is refused, naming both jobs."""
    other = {**pages[2], "JobId": "another-job"}
    proc = run(tmp_path, "markers", *save(tmp_path, pages[0], pages[1], other))
    assert proc.returncode == 2
    assert "another-job" in proc.stderr
    assert pages[0]["JobId"] in proc.stderr


def test_frame_rate_option_exports_a_result_saved_without_video_metadata(tmp_path: Path) -> None:
    """Without VideoMetadata, export and markers exit 2 naming --frame-rate; with it they match the real rate."""
    (tmp_path / "bare.json").write_text(json.dumps(episode(metadata=False)), encoding="utf-8")
    (tmp_path / "full.json").write_text(json.dumps(episode()), encoding="utf-8")
    for command in (("export", "bare.json", "--format", "edl"), ("markers", "bare.json")):
        refused = run(tmp_path, *command)
        assert refused.returncode == 2, refused.stderr
        assert "--frame-rate" in refused.stderr
    given = run(tmp_path, "export", "bare.json", "--format", "edl", "--frame-rate", "24")
    assert given.returncode == 0, given.stderr
    assert given.stdout == run(tmp_path, "export", "full.json", "--format", "edl").stdout
    markers = run(tmp_path, "markers", "bare.json", "--frame-rate", "24/1", "--format", "json")
    assert json.loads(markers.stdout)["program"]["runtime_frames"] == 300


@pytest.mark.parametrize(("rate", "message"), [("fast", "frame rate such as"), ("25", "VideoMetadata")])
def test_bad_or_contradicting_frame_rate_exits_2(tmp_path: Path, rate: str, message: str) -> None:
    """A --frame-rate that is not a rate, or contradicts the saved VideoMetadata, exits 2 saying so."""
    (tmp_path / "full.json").write_text(json.dumps(episode()), encoding="utf-8")
    proc = run(tmp_path, "markers", "full.json", "--frame-rate", rate)
    assert proc.returncode == 2
    assert message in proc.stderr
