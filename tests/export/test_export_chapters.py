"""Chapters: WebVTT read back by webvtt-py, FFMETADATA1 read by ffprobe (from the file and from a muxed MP4)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import webvtt

from rekseg import FrameRate, SegmentDetectionResult, ValidationError, export
from rekseg.analysis import segment_range
from rekseg.testing import synthetic_result


def stop_millis(segment: Any) -> int:
    span = segment_range(segment)
    assert span is not None
    return span.stop_millis


# -- WebVTT ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "drop"),
    [
        ("24000/1001", False),
        (25, False),
        ("30000/1001", True),
        ("60000/1001", True),
    ],
)
def test_vtt_cues_match_the_shots(rate: str | int, drop: bool) -> None:
    """webvtt-py reads one cue per shot, from its first frame's start to its last frame's end, meeting exactly."""
    result = synthetic_result(frame_rate=rate, drop_frame=drop, shots=30, seed=21)
    out = io.StringIO()
    export.write_vtt(result, out, title="Episode 21")
    vtt = webvtt.from_string(out.getvalue(), strict=True)
    assert vtt.header_text == "Episode 21"
    shots = result.shots
    assert len(vtt.captions) == len(shots)
    for caption, shot in zip(vtt.captions, shots, strict=True):
        assert caption.text == f"Shot {(shot.shot_index or 0) + 1}"
        assert caption.start_time.in_milliseconds() == shot.start_timestamp_millis
        assert caption.end_time.in_milliseconds() == stop_millis(shot)
    for before, after in zip(vtt.captions, vtt.captions[1:], strict=False):
        assert before.end == after.start


def test_vtt_chapters_of_technical_cues_have_readable_titles() -> None:
    """Cue chapters are named in words, an unknown cue type too; markup characters are escaped."""
    result = synthetic_result(shots=10, seed=4, technical_cues=["OpeningCredits", "Content", "EndCredits", "NewCue"])
    out = io.StringIO()
    export.write_vtt(result, out, events="technical_cues")
    vtt = webvtt.from_string(out.getvalue(), strict=True)
    assert [c.text for c in vtt.captions] == [
        "Opening credits",
        "Content",
        "Content",
        "Content",
        "New cue",
        "End credits",
    ]
    assert [c.start_time.in_milliseconds() for c in vtt.captions] == [
        c.start_timestamp_millis for c in sorted(result.technical_cues, key=lambda c: c.start_frame_number or 0)
    ]


def test_vtt_header_and_cue_text_stay_well_formed() -> None:
    """A multi-line title stays on the header line; a title with markup characters is escaped in cue text."""
    out = io.StringIO()
    export.write_vtt(synthetic_result(shots=3), out, title="A --> B\nC")
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["WEBVTT A -> B C", ""]
    assert webvtt.from_string(out.getvalue(), strict=True).captions[0].text == "Shot 1"


def test_vtt_without_title_is_bare_webvtt() -> None:
    """Without a title the first line is exactly WEBVTT."""
    out = io.StringIO()
    export.write_vtt(synthetic_result(shots=3), out)
    assert out.getvalue().splitlines()[0] == "WEBVTT"


# -- FFMETADATA1 -----------------------------------------------------------------------------------------------


def test_ffmetadata_text_is_frame_exact_and_escaped() -> None:
    """TIMEBASE is one frame of the exact rate; START/END are first frame and last + 1; specials escaped."""
    result = synthetic_result(frame_rate="24000/1001", shots=3, seed=1)
    out = io.StringIO()
    export.write_ffmetadata(result, out, title="Pilot = 1; #2 \\ done\nnext")
    lines = out.getvalue().splitlines()
    assert lines[:2] == [";FFMETADATA1", "title=Pilot \\= 1\\; \\#2 \\\\ done\\"]
    assert lines[2] == "next"
    first = result.shots[0]
    assert lines[3:9] == [
        "",
        "[CHAPTER]",
        "TIMEBASE=1001/24000",
        f"START={first.start_frame_number}",
        f"END={(first.end_frame_number or 0) + 1}",
        "title=Shot 1",
    ]


def test_ffmetadata_needs_the_frame_rate() -> None:
    """Without a frame rate there is no time base."""
    result = SegmentDetectionResult.from_response({"Segments": [{"Type": "SHOT", "StartFrameNumber": 0}]})
    with pytest.raises(ValidationError, match="frame_rate"):
        export.write_ffmetadata(result, io.StringIO())


def ffprobe_chapters(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", *args, "-show_chapters", "-show_format", "-of", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.parametrize("rate", ["30000/1001", "24000/1001"])
def test_ffprobe_reads_the_chapters_from_a_muxed_mp4(rate: str, tmp_path: Path) -> None:
    """Ffprobe reads the file exactly, and from an MP4 muxed with it each chapter lands on its shot's frame."""
    if shutil.which("ffprobe") is None or shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg/ffprobe are not installed (apt-get install ffmpeg); not faking their verdict")
    result = synthetic_result(frame_rate=rate, duration=20, shots=6, seed=2)
    fps = FrameRate.coerce(rate)
    shots = result.shots
    frames = (shots[-1].end_frame_number or 0) + 1
    meta = tmp_path / "meta.txt"
    title = "Pilot = 1; #2 \\ done"
    export.write(result, "ffmetadata", meta, title=title)

    direct = ffprobe_chapters("-f", "ffmetadata", "-i", str(meta))
    assert [(c["time_base"], c["start"], c["end"]) for c in direct["chapters"]] == [
        (f"{fps.denominator}/{fps.numerator}", s.start_frame_number, (s.end_frame_number or 0) + 1) for s in shots
    ]

    video, muxed = tmp_path / "video.mp4", tmp_path / "muxed.mp4"
    source = f"color=c=black:s=32x32:r={rate}"
    ffmpeg = ["ffmpeg", "-v", "error", "-y"]
    subprocess.run(
        [*ffmpeg, "-f", "lavfi", "-i", source, "-frames:v", str(frames), "-c:v", "mpeg4", str(video)], check=True
    )
    mux = ["-i", str(video), "-i", str(meta), "-map_metadata", "1", "-map_chapters", "1", "-c", "copy", str(muxed)]
    subprocess.run([*ffmpeg, *mux], check=True)
    probed = ffprobe_chapters(str(muxed))
    assert probed["format"]["tags"]["title"] == title
    chapters = probed["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [f"Shot {i + 1}" for i in range(len(shots))]
    # MP4 keeps chapter times in milliseconds: each must still round to its shot's first frame.
    rate_f = float(fps)
    assert [round(float(c["start_time"]) * rate_f) for c in chapters] == [s.start_frame_number for s in shots]
    assert [round(float(c["end_time"]) * rate_f) for c in chapters] == [(s.end_frame_number or 0) + 1 for s in shots]
