"""Technical-cue exports of recorded-shape responses: shared boundary frames, missing rates, odd rates."""

from __future__ import annotations

import io
import itertools
from typing import Any

import pycmx
import pytest
from recorded import FPS24, NTSC, episode, float32

from rekseg import FrameRate, SegmentDetectionResult, Timecode, ValidationError, export


def text(result: SegmentDetectionResult, fmt: str, **options: Any) -> str:
    out = io.StringIO()
    export.write(result, fmt, out, **options)
    return out.getvalue()


def frames(label: str, rate: FrameRate) -> int:
    return Timecode.parse(label, rate).frame


@pytest.mark.parametrize(("rate", "drop"), [(FPS24, False), (NTSC, True)])
def test_cue_edl_events_meet_without_overlapping(rate: FrameRate, drop: bool) -> None:
    """Cues sharing a boundary frame give EDL events where each out point is the next in point."""
    result = SegmentDetectionResult.from_response(episode(rate, drop=drop))
    edl = text(result, "edl", events="technical_cues")
    edits = [e for event in pycmx.parse_cmx3600(io.StringIO(edl)).events for e in event.edits]
    spans = [(frames(e.source_in, rate), frames(e.source_out, rate)) for e in edits]
    assert spans == [(0, 100), (100, 200), (200, 300), (300, 450), (450, 600), (600, 750), (750, 900)]
    assert [e.clip_name for e in edits][3] == "Content"


def test_cue_chapters_tile_the_file() -> None:
    """FFMETADATA cue chapters and WebVTT cue times run end to start, covering the 900 frames once."""
    result = SegmentDetectionResult.from_response(episode())
    chapters = text(result, "ffmetadata", events="technical_cues")
    starts = [int(line[6:]) for line in chapters.splitlines() if line.startswith("START=")]
    ends = [int(line[4:]) for line in chapters.splitlines() if line.startswith("END=")]
    assert starts == [0, *ends[:-1]]
    assert ends[-1] == 900
    vtt = text(result, "vtt", events="technical_cues")
    times = [line.split(" --> ") for line in vtt.splitlines() if " --> " in line]
    assert all(a[1] == b[0] for a, b in itertools.pairwise(times))
    assert times[3] == ["00:00:12.500", "00:00:18.750"]


def test_shot_edl_keeps_uncovered_frames_out_of_every_event() -> None:
    """Frames no shot covers stay a hole in the shot EDL: shot 2 ends at 446, shot 3 starts at 450."""
    result = SegmentDetectionResult.from_response(episode())
    edl = text(result, "edl")
    edits = [e for event in pycmx.parse_cmx3600(io.StringIO(edl)).events for e in event.edits]
    assert [(frames(e.record_in, FPS24), frames(e.record_out, FPS24)) for e in edits][1:3] == [(300, 446), (450, 600)]


@pytest.mark.parametrize("fmt", ["edl", "vtt", "ffmetadata", "otio"])
def test_exports_of_a_response_without_video_metadata_say_how_to_give_the_rate(fmt: str) -> None:
    """Every frame-exact format refuses a rate-less result with the same error, and works once given the rate."""
    bare = SegmentDetectionResult.from_response(episode(metadata=False))
    with pytest.raises(ValidationError, match=r"with_frame_rate\(rate\)") as info:
        text(bare, fmt)
    assert info.value.field == "frame_rate"
    given = bare.with_frame_rate(24)
    assert text(given, fmt) == text(SegmentDetectionResult.from_response(episode()), fmt)


def test_edl_at_a_reported_rate_without_drop_frame_is_written_non_drop() -> None:
    """Drop-frame labels at a reported 29.5 fps (no drop-frame exists there) give a NON-DROP EDL, no error."""
    response = episode(FrameRate(59, 2))
    for segment in response["Segments"]:
        for key in ("StartTimecodeSMPTE", "EndTimecodeSMPTE"):
            segment[key] = segment[key][:8] + ";" + segment[key][9:]
    response["VideoMetadata"][0]["FrameRate"] = float32(29.5)
    edl = text(SegmentDetectionResult.from_response(response), "edl", events="technical_cues")
    assert "FCM: NON-DROP FRAME" in edl
    assert edl.count(" C ") == 7
