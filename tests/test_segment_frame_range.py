"""Segment.frame_range(): the frame view that is never None, for strict typing."""

from __future__ import annotations

import pytest

import rekseg
from rekseg import FrameRate, Segment, SegmentType, ShotSegment, Timecode

GUIDE_PAGE = {
    "JobStatus": "SUCCEEDED",
    "VideoMetadata": [{"FrameRate": 24.0, "DurationMillis": 60000}],
    "Segments": [
        {
            "Type": "SHOT",
            "StartTimestampMillis": 0,
            "EndTimestampMillis": 29041,
            "DurationMillis": 29041,
            "StartTimecodeSMPTE": "00:00:00:00",
            "EndTimecodeSMPTE": "00:00:29:01",
            "DurationSMPTE": "00:00:29:01",
            "ShotSegment": {"Index": 0, "Confidence": 99.9},
        }
    ],
}


def test_frame_range_of_the_guide_shot_ends_inclusive_and_stops_on_the_frame_after() -> None:
    """The developer guide's shot 0 spans frames 0-697 (698 frames) and stops at 00:00:29:02."""
    shot = rekseg.SegmentDetectionResult.from_response(GUIDE_PAGE).shots[0]

    span = shot.frame_range()

    assert (span.first_frame, span.last_frame, span.frame_count) == (0, 697, 698)
    assert span.end == shot.end_timecode
    assert span.stop == Timecode.parse("00:00:29:02", 24)


def test_frame_range_reads_millis_when_frame_numbers_are_absent_at_drop_frame() -> None:
    """Without frame numbers the range comes from the millis, like first_frame and last_frame."""
    rate = FrameRate(30000, 1001)
    shot = Segment(
        type=SegmentType.SHOT,
        start_timestamp_millis=100,
        end_timestamp_millis=60060,
        start_timecode_smpte="00:00:00;03",
        shot_segment=ShotSegment(index=0),
        frame_rate=rate,
    )

    span = shot.frame_range()

    assert (span.first_frame, span.last_frame) == (shot.first_frame, shot.last_frame) == (3, 1800)
    assert str(span.end) == "00:01:00;02"


def test_frame_range_without_a_frame_rate_names_the_field() -> None:
    """A segment that does not know its frame rate raises ValidationError on Segment.frame_rate."""
    shot = Segment(type=SegmentType.SHOT, start_timestamp_millis=0, end_timestamp_millis=1000)

    with pytest.raises(rekseg.ValidationError) as caught:
        shot.frame_range()

    assert caught.value.field == "Segment.frame_rate"
    assert "with_frame_rate" in caught.value.rule


def test_frame_range_without_an_end_names_the_position() -> None:
    """A segment with a start but no end anywhere raises ValidationError on Segment.position, never None."""
    shot = Segment(type=SegmentType.SHOT, start_frame_number=10, frame_rate=FrameRate(25, 1))
    assert shot.last_frame is None

    with pytest.raises(rekseg.ValidationError) as caught:
        shot.frame_range()

    assert caught.value.field == "Segment.position"
    assert "start and an end" in caught.value.rule
