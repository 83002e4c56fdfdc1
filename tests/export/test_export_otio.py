"""OpenTimelineIO timelines, written to .otio and loaded back with opentimelineio."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from rekseg import SegmentDetectionResult, ValidationError, export
from rekseg.testing import synthetic_result

otio = pytest.importorskip("opentimelineio", reason="needs the otio extra")


@pytest.mark.parametrize(
    ("rate", "drop"),
    [
        ("24000/1001", False),
        (24, False),
        (25, False),
        ("30000/1001", True),
        ("30000/1001", False),
        ("60000/1001", True),
    ],
)
def test_otio_clips_have_each_shots_frame_count(rate: str | int, drop: bool, tmp_path: Path) -> None:
    """Loaded back, the timeline has one clip per shot at its frame, as many frames long as the shot."""
    result = synthetic_result(frame_rate=rate, drop_frame=drop, duration=11 * 60, shots=40, seed=31)
    fps = result.frame_rate
    assert fps is not None
    path = tmp_path / "shots.otio"
    export.write(result, "otio", path, title="Episode 31")
    timeline = otio.adapters.read_from_file(str(path))
    assert timeline.name == "Episode 31"
    (track,) = timeline.tracks
    clips = list(track)
    shots = result.shots
    assert len(clips) == len(shots)
    for clip, shot in zip(clips, shots, strict=True):
        assert clip.name == f"Shot {(shot.shot_index or 0) + 1}"
        assert clip.source_range.duration.rate == float(fps)
        assert clip.source_range.duration.value == shot.frame_count
        assert clip.source_range.duration.to_frames() == shot.frame_count
        assert clip.source_range.start_time.to_frames() == shot.start_frame_number
        assert clip.range_in_parent().start_time.to_frames() == shot.start_frame_number
        assert clip.metadata["rekseg"]["ShotSegment"]["Index"] == shot.shot_index
        assert clip.metadata["rekseg"]["StartTimecodeSMPTE"] == shot.start_timecode_smpte
    assert track.duration().to_frames() == (shots[-1].end_frame_number or 0) + 1


def test_otio_technical_cues_are_markers_with_metadata() -> None:
    """Each technical cue is a marker over its frames, named in words, carrying the service's segment."""
    result = synthetic_result(shots=20, seed=32)
    timeline = export.to_otio_timeline(result)
    markers = list(timeline.tracks[0].markers)
    cues = result.technical_cues
    assert [m.name for m in markers][:4] == ["Color bars", "Slate", "Studio logo", "Opening credits"]
    assert [(m.marked_range.start_time.to_frames(), m.marked_range.duration.to_frames()) for m in markers] == [
        (c.start_frame_number, c.frame_count) for c in cues
    ]
    assert [m.metadata["rekseg"]["TechnicalCueSegment"]["Type"] for m in markers] == [str(c.cue_type) for c in cues]
    assert {m.color for m in markers if m.name == "Black frames"} == {otio.schema.MarkerColor.BLACK}


def test_otio_fills_uncovered_frames_with_gaps_and_sets_the_start() -> None:
    """Shots kept from a window stay at their frames (a gap before them); the start timecode is the global start."""
    result = synthetic_result(frame_rate="30000/1001", shots=30, seed=33)
    window = result.filter(types="SHOT", start=timedelta(seconds=60), end=timedelta(seconds=90))
    timeline = export.to_otio_timeline(window, start_timecode="01:00:00:00")
    children = list(timeline.tracks[0])
    assert isinstance(children[0], otio.schema.Gap)
    first = window.shots[0]
    assert children[0].duration().to_frames() == first.start_frame_number
    assert children[1].range_in_parent().start_time.to_frames() == first.start_frame_number
    # 01:00:00;00 in drop-frame counting is frame 107892.
    assert timeline.global_start_time.to_frames() == 107892


def test_otio_refuses_overlapping_shots() -> None:
    """Two shots sharing frames cannot sit on one track."""
    segments = [
        {"Type": "SHOT", "StartFrameNumber": 0, "EndFrameNumber": 10, "ShotSegment": {"Index": 0}},
        {"Type": "SHOT", "StartFrameNumber": 5, "EndFrameNumber": 20, "ShotSegment": {"Index": 1}},
    ]
    result = SegmentDetectionResult.from_response({"VideoMetadata": [{"FrameRate": 25.0}], "Segments": segments})
    with pytest.raises(ValidationError, match="overlap"):
        export.to_otio_timeline(result)


def test_otio_clips_reference_the_video() -> None:
    """When the result names its S3 object, every clip points at it."""
    result = synthetic_result(shots=3, seed=34)
    named = SegmentDetectionResult.from_response(
        {**result.to_response(), "Video": {"S3Object": {"Bucket": "media", "Name": "shows/ep34.mp4"}}}
    )
    timeline = export.to_otio_timeline(named)
    assert timeline.name == "ep34.mp4"
    assert {clip.media_reference.target_url for clip in timeline.tracks[0]} == {"s3://media/shows/ep34.mp4"}
