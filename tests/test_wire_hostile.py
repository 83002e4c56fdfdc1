"""page_from_wire refuses members of the wrong JSON type with a ValidationError naming their path."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

import rekseg
from rekseg._results import page_from_wire
from rekseg._wire import _SEGMENT_SHAPE, segment_from_wire

GOOD_SEGMENT: dict[str, Any] = {
    "Type": "TECHNICAL_CUE",
    "StartTimestampMillis": 0,
    "EndTimestampMillis": 1000,
    "DurationMillis": 1000,
    "StartTimecodeSMPTE": "00:00:00:00",
    "EndTimecodeSMPTE": "00:00:01:00",
    "DurationSMPTE": "00:00:01:00",
    "TechnicalCueSegment": {"Type": "BlackFrames", "Confidence": 99.5},
    "ShotSegment": {"Index": 0, "Confidence": 100},
    "StartFrameNumber": 0,
    "EndFrameNumber": 25,
    "DurationFrames": 25,
}
GOOD_PAGE: dict[str, Any] = {
    "JobStatus": "SUCCEEDED",
    "StatusMessage": "ok",
    "VideoMetadata": [
        {"Codec": "h264", "DurationMillis": 5000, "FrameRate": 25, "FrameHeight": 720, "FrameWidth": 1280}
    ],
    "AudioMetadata": [{"Codec": "aac", "DurationMillis": 5000, "SampleRate": 48000, "NumberOfChannels": 2}],
    "Segments": [copy.deepcopy(GOOD_SEGMENT), copy.deepcopy(GOOD_SEGMENT)],
    "SelectedSegmentTypes": [{"Type": "SHOT", "ModelVersion": "1.0"}],
    "JobId": "job-1",
    "Video": {"S3Object": {"Bucket": "media-bucket", "Name": "key.mp4"}},
    "JobTag": "tag",
}


def _with(path: tuple[Any, ...], value: object) -> dict[str, Any]:
    page = copy.deepcopy(GOOD_PAGE)
    node: Any = page
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return page


def test_good_page_parses() -> None:
    """A well-formed page with every member parses (ints where floats belong are fine)."""
    page = page_from_wire(GOOD_PAGE)
    assert len(page.segments or ()) == 2
    assert page.video_metadata is not None
    assert page.video_metadata[0].frame_rate == 25


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        (key, bad)
        for key in sorted(_SEGMENT_SHAPE)
        for bad in ("12", 12, True, 1.5, [1], {"a": 1})
        if type(bad) not in _SEGMENT_SHAPE[key]
    ],
)
def test_every_segment_member_is_type_checked(key: str, bad: object) -> None:
    """A segment member of any wrong JSON type raises, naming Segments[i].Member."""
    with pytest.raises(rekseg.ValidationError) as info:
        page_from_wire(_with(("Segments", 1, key), bad))
    assert info.value.field == f"Segments[1].{key}"
    assert info.value.rule.startswith("must be")


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("Segments",), "oops", "Segments"),
        (("Segments",), {"Type": "SHOT"}, "Segments"),
        (("Segments", 0), None, "Segments[0]"),
        (("Segments", 1), "x", "Segments[1]"),
        (("Segments", 0, "ShotSegment", "Index"), 1.5, "Segments[0].ShotSegment.Index"),
        (("Segments", 0, "ShotSegment", "Confidence"), "high", "Segments[0].ShotSegment.Confidence"),
        (("Segments", 0, "TechnicalCueSegment", "Type"), 3, "Segments[0].TechnicalCueSegment.Type"),
        (("Segments", 0, "TechnicalCueSegment", "Confidence"), False, "Segments[0].TechnicalCueSegment.Confidence"),
        (("VideoMetadata",), {"FrameRate": 25}, "VideoMetadata"),
        (("VideoMetadata", 0), None, "VideoMetadata[0]"),
        (("VideoMetadata", 0, "FrameRate"), "25", "VideoMetadata[0].FrameRate"),
        (("AudioMetadata", 0, "SampleRate"), "48k", "AudioMetadata[0].SampleRate"),
        (("SelectedSegmentTypes", 0, "Type"), ["SHOT"], "SelectedSegmentTypes[0].Type"),
        (("Video", "S3Object"), "b/k", "Video.S3Object"),
        (("Video", "S3Object", "Name"), 7, "Video.S3Object.Name"),
        (("JobStatus",), 5, "JobStatus"),
        (("NextToken",), 5, "NextToken"),
        (("JobTag",), ["t"], "JobTag"),
    ],
)
def test_hostile_members_name_their_path(path: tuple[Any, ...], value: object, field: str) -> None:
    """Wrong types anywhere in a page raise a ValidationError whose field is the member's path."""
    with pytest.raises(rekseg.ValidationError) as info:
        page_from_wire(_with(path, value))
    assert info.value.field == field


@pytest.mark.parametrize("body", [[1, 2], "text", None, 5])
def test_a_page_that_is_not_an_object_is_refused(body: Any) -> None:
    """A response that is not an object at all raises ValidationError, not AttributeError."""
    with pytest.raises(rekseg.ValidationError):
        page_from_wire(body)


def test_segment_from_wire_checks_alone() -> None:
    """segment_from_wire on its own also refuses a wrong type, naming the member."""
    with pytest.raises(rekseg.ValidationError) as info:
        segment_from_wire({**GOOD_SEGMENT, "DurationFrames": "25"})
    assert info.value.field == "DurationFrames"


def test_saved_result_with_wrong_types_is_refused() -> None:
    """SegmentDetectionResult.from_response refuses a saved response of the wrong shape the same way."""
    with pytest.raises(rekseg.ValidationError, match=r"Segments\[0\]\.EndTimestampMillis"):
        rekseg.SegmentDetectionResult.from_response(_with(("Segments", 0, "EndTimestampMillis"), "1000"))


HUGE = 10**400
"""An int Python's json reads from 401 digits; as a float it would overflow."""


@pytest.mark.parametrize(
    ("path", "value", "field", "rule"),
    [
        *(
            (("Segments", 1, key), HUGE, f"Segments[1].{key}", "must be an int of fewer than 128 bits")
            for key in sorted(k for k, allowed in _SEGMENT_SHAPE.items() if int in allowed)
        ),
        (("Segments", 1, "StartFrameNumber"), -HUGE, "Segments[1].StartFrameNumber", "fewer than 128 bits"),
        (("Segments", 0, "ShotSegment", "Index"), HUGE, "Segments[0].ShotSegment.Index", "fewer than 128 bits"),
        (("Segments", 0, "ShotSegment", "Confidence"), HUGE, "Segments[0].ShotSegment.Confidence", "128 bits"),
        (("Segments", 0, "ShotSegment", "Confidence"), math.nan, "Segments[0].ShotSegment.Confidence", "finite"),
        (
            ("Segments", 0, "TechnicalCueSegment", "Confidence"),
            math.inf,
            "Segments[0].TechnicalCueSegment.Confidence",
            "finite",
        ),
        (
            ("Segments", 0, "TechnicalCueSegment", "Confidence"),
            -math.inf,
            "Segments[0].TechnicalCueSegment.Confidence",
            "finite",
        ),
        (("VideoMetadata", 0, "FrameRate"), HUGE, "VideoMetadata[0].FrameRate", "fewer than 128 bits"),
        (("VideoMetadata", 0, "FrameRate"), math.nan, "VideoMetadata[0].FrameRate", "must be a finite number"),
        (("VideoMetadata", 0, "DurationMillis"), HUGE, "VideoMetadata[0].DurationMillis", "fewer than 128 bits"),
        (("AudioMetadata", 0, "SampleRate"), -HUGE, "AudioMetadata[0].SampleRate", "fewer than 128 bits"),
    ],
)
def test_numbers_out_of_range_name_their_path(path: tuple[Any, ...], value: object, field: str, rule: str) -> None:
    """NaN, infinities and ints too large for a float (all of which json reads) are refused, naming the member."""
    with pytest.raises(rekseg.ValidationError) as info:
        page_from_wire(_with(path, value))
    assert info.value.field == field
    assert rule in info.value.rule


def test_numbers_at_the_models_limits_are_kept() -> None:
    """The extremes of the model's 64-bit Long and ULong are kept as they are."""
    page = _with(("Segments", 0, "StartTimestampMillis"), -(2**63))
    page["Segments"][1]["EndFrameNumber"] = 2**64 - 1
    segments = page_from_wire(page).segments or ()
    assert segments[0].start_timestamp_millis == -(2**63)
    assert segments[1].end_frame_number == 2**64 - 1
