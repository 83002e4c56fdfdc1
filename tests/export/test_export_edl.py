"""CMX 3600 EDLs, checked by two readers nobody here wrote: OpenTimelineIO's cmx_3600 adapter and pycmx."""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

import pycmx
import pytest

from rekseg import FrameRate, SegmentDetectionResult, Timecode, TimecodeError, ValidationError, export
from rekseg.testing import synthetic_result

otio = pytest.importorskip("opentimelineio", reason="needs the otio extra")

RATES = [
    pytest.param("24000/1001", False, id="23.976"),
    pytest.param(24, False, id="24"),
    pytest.param(25, False, id="25"),
    pytest.param("30000/1001", True, id="29.97DF"),
    pytest.param("30000/1001", False, id="29.97NDF"),
    pytest.param("60000/1001", True, id="59.94DF"),
]


def edl_text(result: SegmentDetectionResult, **options: Any) -> str:
    out = io.StringIO()
    export.write_edl(result, out, **options)
    return out.getvalue()


def frames(label: str, rate: FrameRate) -> int:
    """Frame of a label, by OpenTimelineIO's own timecode arithmetic."""
    frame: int = otio.opentime.from_timecode(label, float(rate)).to_frames()
    return frame


@pytest.mark.parametrize(("rate", "drop"), RATES)
def test_edl_read_by_opentimelineio(rate: str | int, drop: bool) -> None:
    """OTIO's adapter sees one clip per shot at its frame, each as long as the shot, totalling the video."""
    result = synthetic_result(frame_rate=rate, drop_frame=drop, duration=11 * 60, shots=40, seed=7)
    fps = result.frame_rate
    assert fps is not None
    timeline = otio.adapters.read_from_string(edl_text(result, title="Episode 7"), "cmx_3600", rate=float(fps))
    assert timeline.name == "Episode 7"
    clips = list(timeline.tracks[0])
    shots = result.shots
    assert [type(c).__name__ for c in clips] == ["Clip"] * len(shots)
    for clip, shot in zip(clips, shots, strict=True):
        assert clip.name == f"Shot {(shot.shot_index or 0) + 1}"
        assert clip.source_range.start_time.to_frames() == shot.start_frame_number
        assert clip.source_range.duration.to_frames() == shot.frame_count
        assert clip.range_in_parent().start_time.to_frames() == shot.start_frame_number
    assert timeline.tracks[0].duration().to_frames() == (shots[-1].end_frame_number or 0) + 1


@pytest.mark.parametrize(("rate", "drop"), RATES)
def test_edl_read_by_pycmx(rate: str | int, drop: bool) -> None:
    """Pycmx reads every line; events are contiguous, in = the service's label, out = last frame + 1."""
    result = synthetic_result(frame_rate=rate, drop_frame=drop, duration=11 * 60, shots=40, seed=8)
    fps = result.frame_rate
    assert fps is not None
    text = edl_text(result)
    assert text.splitlines()[1] == ("FCM: DROP FRAME" if drop else "FCM: NON-DROP FRAME")
    edl = pycmx.parse_cmx3600(io.StringIO(text))
    assert edl.format == "3600"
    assert list(edl.unrecognized_statements) == []
    edits = [edit for event in edl.events for edit in event.edits]
    shots = result.shots
    assert len(edits) == len(shots)
    for edit, shot in zip(edits, shots, strict=True):
        assert edit.source == "AX"
        assert edit.source_in == shot.start_timecode_smpte == edit.record_in
        assert frames(edit.source_out, fps) == (shot.end_frame_number or 0) + 1
        assert edit.clip_name == f"Shot {(shot.shot_index or 0) + 1}"
        assert (";" in edit.record_out) == drop
    for before, after in itertools.pairwise(edits):
        assert before.record_out == after.record_in
    assert frames(edits[-1].record_out, fps) - frames(edits[0].record_in, fps) == sum(s.frame_count or 0 for s in shots)


@pytest.mark.parametrize(
    ("rate", "drop", "start", "first_record"),
    [
        ("30000/1001", True, "01:00:00:00", "01:00:00;00"),
        ("30000/1001", False, "01:00:00:00", "01:00:00:00"),
        (25, False, "10:00:00:00", "10:00:00:00"),
    ],
)
def test_edl_start_timecode_moves_record_times(rate: str | int, drop: bool, start: str, first_record: str) -> None:
    """Record times start at the given timecode (in the EDL's counting); source times stay the video's."""
    result = synthetic_result(frame_rate=rate, drop_frame=drop, shots=20, seed=9)
    fps = result.frame_rate
    assert fps is not None
    edits = [
        e for ev in pycmx.parse_cmx3600(io.StringIO(edl_text(result, start_timecode=start))).events for e in ev.edits
    ]
    assert edits[0].record_in == first_record
    assert edits[0].source_in == result.shots[0].start_timecode_smpte
    offset = frames(first_record, fps)
    for edit in edits:
        assert frames(edit.record_in, fps) - offset == frames(edit.source_in, fps)
        assert frames(edit.record_out, fps) - offset == frames(edit.source_out, fps)
    as_timecode = edl_text(result, start_timecode=Timecode.parse(first_record, fps))
    assert as_timecode == edl_text(result, start_timecode=start)


def test_edl_single_frame_shot_has_a_one_frame_event() -> None:
    """A one-frame shot (first == last) still gets an event one frame long: out is exclusive."""
    segments = [
        {"Type": "SHOT", "StartFrameNumber": 0, "EndFrameNumber": 0, "ShotSegment": {"Index": 0, "Confidence": 99.0}},
        {"Type": "SHOT", "StartFrameNumber": 1, "EndFrameNumber": 24, "ShotSegment": {"Index": 1, "Confidence": 98.5}},
    ]
    result = SegmentDetectionResult.from_response({"VideoMetadata": [{"FrameRate": 24.0}], "Segments": segments})
    lines = edl_text(result, title="one").splitlines()
    assert lines == [
        "TITLE: one",
        "FCM: NON-DROP FRAME",
        "001  AX       V     C        00:00:00:00 00:00:00:01 00:00:00:00 00:00:00:01",
        "* FROM CLIP NAME: Shot 1",
        "* COMMENT: SHOT INDEX 0 CONFIDENCE 99.0",
        "002  AX       V     C        00:00:00:01 00:00:01:01 00:00:00:01 00:00:01:01",
        "* FROM CLIP NAME: Shot 2",
        "* COMMENT: SHOT INDEX 1 CONFIDENCE 98.5",
    ]


def test_edl_of_technical_cues_names_them_with_confidence() -> None:
    """With events="technical_cues" each cue is an event named in words, with its type and confidence."""
    result = synthetic_result(shots=20, seed=10)
    fps = result.frame_rate
    assert fps is not None
    text = edl_text(result, events="technical_cues", reel="CAM_A01")
    edits = [e for ev in pycmx.parse_cmx3600(io.StringIO(text)).events for e in ev.edits]
    cues = result.technical_cues
    assert [e.clip_name for e in edits][:4] == ["Color bars", "Slate", "Studio logo", "Opening credits"]
    assert {e.source for e in edits} == {"CAM_A01"}
    timeline = otio.adapters.read_from_string(text, "cmx_3600", rate=float(fps))
    comments = [list(clip.metadata["cmx_3600"]["comments"]) for clip in timeline.tracks[0]]
    assert comments == [[f"COMMENT: TECHNICAL CUE {c.cue_type} CONFIDENCE {c.confidence}"] for c in cues]
    assert [c.source_range.duration.to_frames() for c in timeline.tracks[0]] == [c.frame_count for c in cues]


def test_edl_title_is_one_line_and_defaults_to_the_video() -> None:
    """A title with line breaks stays on the TITLE line; without one the video's file name is used."""
    result = synthetic_result(shots=5, seed=1)
    assert edl_text(result, title="Episode\n7\r\n  final").splitlines()[0] == "TITLE: Episode 7 final"
    named = SegmentDetectionResult.from_response(
        {**result.to_response(), "Video": {"S3Object": {"Bucket": "media", "Name": "shows/ep7.mp4"}}}
    )
    assert edl_text(named).splitlines()[0] == "TITLE: ep7.mp4"


@pytest.mark.parametrize("reel", ["", "REEL_NAME_9", "A B", "A\n"])
def test_edl_refuses_bad_reel_names(reel: str) -> None:
    """Reel names are 1-8 characters without spaces, as CMX 3600 allows."""
    with pytest.raises(ValidationError, match="reel"):
        edl_text(synthetic_result(shots=5), reel=reel)


def test_edl_refuses_bad_start_timecodes() -> None:
    """A start at another rate, or a label that is not a timecode, raises."""
    result = synthetic_result(shots=5)
    with pytest.raises(ValidationError, match="start_timecode"):
        edl_text(result, start_timecode=Timecode(0, FrameRate(25)))
    with pytest.raises(TimecodeError):
        edl_text(result, start_timecode="1 hour")


def test_edl_passing_24_hours_writes_nothing_and_names_start_timecode(tmp_path: Path) -> None:
    """Record times past 24 hours raise on ``start_timecode`` before the file is opened: no truncated EDL."""
    result = synthetic_result(frame_rate=25, shots=40, duration=200)
    path = tmp_path / "late.edl"
    with pytest.raises(TimecodeError, match="past 24 hours") as info:
        export.write_edl(result, path, start_timecode="23:59:00:00")
    assert info.value.field == "start_timecode"
    assert not path.exists()
    kept = tmp_path / "kept.edl"
    kept.write_text("an earlier EDL\n", encoding="utf-8")
    with pytest.raises(TimecodeError):
        export.write_edl(result, kept, start_timecode="23:59:00:00")
    assert kept.read_text(encoding="utf-8") == "an earlier EDL\n"
    # The latest start the message offers fits: its last record out is the clock's last frame.
    latest = str(info.value).split("start at ")[1].split(" ")[0]
    events = list(pycmx.parse_cmx3600(io.StringIO(edl_text(result, start_timecode=latest))).events)
    assert len(events) == len(result.shots)
    assert events[-1].edits[0].record_out == "23:59:59:24"


def test_edl_start_timecode_frames_the_rate_lacks_are_named_start_timecode() -> None:
    """A label whose frames the video's rate does not have raises on ``start_timecode``, the option given."""
    with pytest.raises(TimecodeError, match="frames must be below 25") as info:
        edl_text(synthetic_result(frame_rate=25, shots=5), start_timecode="01:00:00:25")
    assert info.value.field == "start_timecode"


def test_edl_needs_the_frame_rate() -> None:
    """Without a frame rate no frame-exact event can be written."""
    result = SegmentDetectionResult.from_response({"Segments": [{"Type": "SHOT", "StartFrameNumber": 0}]})
    with pytest.raises(ValidationError, match="frame_rate"):
        edl_text(result)
