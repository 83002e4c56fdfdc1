"""The scripts in examples/ run on a fresh machine (the built-in emulator) and print what they promise."""

from __future__ import annotations

import importlib.util
import itertools
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pycmx

from rekseg import SegmentDetectionResult, Timecode, export

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TIMEOUT = 120


def load(name: str) -> ModuleType:
    """Import an example as a module, for its constants (its main() only runs as a script)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run an example as a script in a fresh interpreter and return what it printed; it must exit 0."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{name} exited {done.returncode}:\n{done.stderr}"
    return done


def episode(module: ModuleType) -> SegmentDetectionResult:
    """Return the whole synthetic result the example's emulator serves."""
    result = module.EPISODE.result()
    assert isinstance(result, SegmentDetectionResult)
    return result


def test_quickstart_prints_the_counts_and_every_cue_of_the_video(tmp_path: Path) -> None:
    """quickstart.py reports the segment counts and each cue's first frame, last frame and frame count."""
    expected = episode(load("quickstart"))

    out = run("quickstart", cwd=tmp_path).stdout.splitlines()

    assert out[0].startswith("started job ")
    summary = (
        f"{len(expected.segments or ())} segments: {len(expected.shots)} shots and "
        f"{len(expected.technical_cues)} technical cues at 29.97 fps"
    )
    assert summary in out
    cues = out[out.index("technical cues (first frame, last frame inclusive, frame count):") + 1 :][
        : len(expected.technical_cues)
    ]
    assert cues == [
        f"  {cue.cue_type} {cue.start_timecode} {cue.end_timecode} {cue.frame_count}" for cue in expected.technical_cues
    ]
    assert out[-5] == f"  shot 0 {expected.shots[0].start_timecode} {expected.shots[0].end_timecode} " + str(
        expected.shots[0].frame_count
    )
    assert any("SUCCEEDED after" in line for line in out)


def test_stream_to_jsonl_writes_every_segment_once_in_service_order(tmp_path: Path) -> None:
    """stream_to_jsonl.py writes one JSON line per segment of a three-page result, shots first, none repeated."""
    expected = episode(load("stream_to_jsonl"))
    assert len(expected.segments or ()) > 2000, "the demo video should need several pages"
    target = tmp_path / "segments.jsonl"

    done = run("stream_to_jsonl", "-o", str(target), cwd=tmp_path)

    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(expected.segments or ())
    written = [s.to_response() for s in export.read_jsonl(target)]
    # The client asks for shots first, then technical cues: the service's order is by requested type, then start.
    assert written == [s.to_response() for s in (*expected.shots, *expected.technical_cues)]
    assert f"wrote {len(lines)} segments to {target}" in done.stderr
    assert done.stdout == ""


def test_stream_to_jsonl_writes_to_stdout_without_output_file(tmp_path: Path) -> None:
    """Without -o the JSON lines go to stdout and progress to stderr, never mixed."""
    expected = episode(load("stream_to_jsonl"))

    done = run("stream_to_jsonl", cwd=tmp_path)

    lines = done.stdout.splitlines()
    assert len(lines) == len(expected.segments or ())
    assert all(isinstance(json.loads(line), dict) for line in lines)
    assert "SUCCEEDED" in done.stderr


def test_binge_markers_match_the_analysis_of_the_same_result(tmp_path: Path) -> None:
    """binge_markers.py --json prints the intro, next-episode point and ad breaks the analysis API finds."""
    module = load("binge_markers")
    expected = episode(module)
    binge = expected.binge_markers()
    assert binge.intro is not None
    assert binge.next_episode is not None

    found = json.loads(run("binge_markers", "--json", cwd=tmp_path).stdout)

    assert found["skip_intro"]["from"] == str(binge.intro.start)
    assert found["skip_intro"]["resume_at"] == str(binge.intro.end + 1)
    assert found["skip_intro"]["millis"] == [binge.intro.start.to_millis(), (binge.intro.end + 1).to_millis()]
    assert found["next_episode"] == {"at": str(binge.next_episode), "millis": binge.next_episode.to_millis()}
    breaks = expected.ad_breaks(min_spacing=module.AD_BREAK_SPACING)
    assert breaks, "the demo episode should have ad-break candidates"
    assert [(b["at"], b["reason"]) for b in found["ad_breaks"]] == [(str(c.at), c.reason.value) for c in breaks]
    assert found["runtime_millis"] == expected.program().runtime_millis


def test_binge_markers_prints_readable_lines(tmp_path: Path) -> None:
    """Without --json the same markers are printed one per line."""
    module = load("binge_markers")
    expected = episode(module)
    binge = expected.binge_markers()
    assert binge.intro is not None

    out = run("binge_markers", cwd=tmp_path).stdout.splitlines()

    assert f"skip intro: from {binge.intro.start}, resume at {binge.intro.stop}" in out
    assert f"next episode: at {binge.next_episode}" in out
    breaks = expected.ad_breaks(min_spacing=module.AD_BREAK_SPACING)
    assert [line for line in out if line.startswith("ad break: ")] == [
        f"ad break: at {c.at} ({c.reason.value}, score {round(c.score, 3)})" for c in breaks
    ]
    assert out[0] == f"program runtime: {timedelta(milliseconds=expected.program().runtime_millis)}"


def test_edl_for_editor_writes_contiguous_drop_frame_events_from_one_hour(tmp_path: Path) -> None:
    """edl_for_editor.py writes one event per shot; out points are the frame after each shot's last frame."""
    expected = episode(load("edl_for_editor"))
    shots = expected.shots
    target = tmp_path / "shots.edl"

    done = run("edl_for_editor", "-o", str(target), cwd=tmp_path)

    text = target.read_text(encoding="utf-8")
    assert "FCM: DROP FRAME" in text
    with target.open(encoding="utf-8") as stream:
        edits = [event.edits[0] for event in pycmx.parse_cmx3600(stream).events]
    assert len(edits) == len(shots) == 300
    rate = expected.frame_rate
    assert rate is not None
    hour = Timecode.parse("01:00:00;00", rate)
    for edit, shot in zip(edits, shots, strict=True):
        first, last = shot.start_timecode, shot.end_timecode
        assert first is not None
        assert last is not None
        assert (edit.source_in, edit.source_out) == (str(first), str(last + 1))
        assert (edit.record_in, edit.record_out) == (str(hour + first.frame), str(hour + last.frame + 1))
    assert all(a.record_out == b.record_in for a, b in itertools.pairwise(edits))
    assert f"wrote {len(shots)} events" in done.stderr


def test_testing_your_code_passes_under_pytest() -> None:
    """examples/testing_your_code.py is a working pytest module: all its tests pass against the emulator."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(EXAMPLES / "testing_your_code.py"), "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout
