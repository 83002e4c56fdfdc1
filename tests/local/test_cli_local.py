"""``rekseg detect --local FILE``: local detection from the command line, with a frames progress line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rekseg import SegmentDetectionResult

from .conftest import CLIP_23976_CUES, CLIP_23976_SHOTS


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-m", "rekseg", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_detect_local_writes_the_result_with_progress(clips: dict[str, Path], tmp_path: Path) -> None:
    """JSON on stdout is the file's detection; stderr shows frames, frames/s, without AWS credentials."""
    proc = _run(tmp_path, "detect", "--local", str(clips["23.976"]), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    result = SegmentDetectionResult.from_response(json.loads(proc.stdout))
    assert [s.start_frame_number for s in result.shots] == CLIP_23976_SHOTS
    cues = [(str(s.cue_type), s.start_frame_number, s.end_frame_number) for s in result.technical_cues]
    assert cues == CLIP_23976_CUES
    assert "175/175 frames" in proc.stderr
    assert "frames/s" in proc.stderr


def test_detect_local_takes_the_start_options(clips: dict[str, Path], tmp_path: Path) -> None:
    """--types and the filters reach the local detector: only cues, in a table."""
    proc = _run(tmp_path, "detect", "--local", str(clips["23.976"]), "--types", "technical-cue", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "0 shots, 4 technical cues" in proc.stdout
    assert proc.stderr == ""


def test_detect_local_names_a_missing_file(tmp_path: Path) -> None:
    """A missing file ends with exit code 1 and one line naming it, no traceback."""
    proc = _run(tmp_path, "detect", "--local", "absent.mp4")
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith("rekseg: absent.mp4: no such file")
    assert "Traceback" not in proc.stderr


def test_detect_needs_exactly_one_video(clips: dict[str, Path], tmp_path: Path) -> None:
    """Neither or both of the S3 video and --local is a usage error (exit 2)."""
    neither = _run(tmp_path, "detect")
    assert neither.returncode == 2
    assert "--local FILE" in neither.stderr
    both = _run(tmp_path, "detect", "s3://b/k.mp4", "--local", str(clips["25"]))
    assert both.returncode == 2
    assert "not both" in both.stderr
