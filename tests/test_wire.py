"""The bridge between botocore's response dicts and the models is lossless."""

from __future__ import annotations

import copy
import json
from typing import Any

import attrs
import botocore.parsers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import output_shape, response_dicts

from rekseg import (
    FrameRate,
    JobStatus,
    Segment,
    SegmentDetectionPage,
    SegmentDetectionResult,
    SegmentType,
    ShotSegment,
    TechnicalCueSegment,
    TechnicalCueType,
    VideoColorRange,
)
from rekseg._wire import _slot_setters, segment_from_wire

_EXAMPLES = settings(max_examples=200, deadline=None)


def _service_page() -> dict[str, Any]:
    """Return a page as the service sends it: every member present, both segment types."""
    return {
        "JobStatus": "SUCCEEDED",
        "VideoMetadata": [
            {
                "Codec": "h264",
                "DurationMillis": 63063,
                "Format": "QuickTime / MOV",
                "FrameRate": 29.970029830932617,
                "FrameHeight": 1080,
                "FrameWidth": 1920,
                "ColorRange": "LIMITED",
            }
        ],
        "AudioMetadata": [{"Codec": "aac", "DurationMillis": 63040, "SampleRate": 48000, "NumberOfChannels": 2}],
        "NextToken": "token-2",
        "Segments": [
            {
                "Type": "TECHNICAL_CUE",
                "StartTimestampMillis": 0,
                "EndTimestampMillis": 1968,
                "DurationMillis": 1968,
                "StartTimecodeSMPTE": "00:00:00;00",
                "EndTimecodeSMPTE": "00:00:01;29",
                "DurationSMPTE": "00:00:01;29",
                "TechnicalCueSegment": {"Type": "ColorBars", "Confidence": 97.5},
                "StartFrameNumber": 0,
                "EndFrameNumber": 59,
                "DurationFrames": 59,
            },
            {
                "Type": "SHOT",
                "StartTimestampMillis": 2002,
                "EndTimestampMillis": 5972,
                "DurationMillis": 3970,
                "StartTimecodeSMPTE": "00:00:02;00",
                "EndTimecodeSMPTE": "00:00:05;29",
                "DurationSMPTE": "00:00:03;29",
                "ShotSegment": {"Index": 0, "Confidence": 99.82},
                "StartFrameNumber": 60,
                "EndFrameNumber": 179,
                "DurationFrames": 119,
            },
        ],
        "SelectedSegmentTypes": [
            {"Type": "TECHNICAL_CUE", "ModelVersion": "2.0"},
            {"Type": "SHOT", "ModelVersion": "1.0"},
        ],
        "JobId": "a1b2c3d4e5",
        "Video": {"S3Object": {"Bucket": "my-bucket", "Name": "videos/trailer.mp4", "Version": "v3"}},
        "JobTag": "trailer:cut-1",
    }


@given(response_dicts())
@_EXAMPLES
def test_page_round_trips_any_valid_response(response: dict[str, Any]) -> None:
    """A page built from any valid response gives back exactly that response."""
    before = copy.deepcopy(response)

    assert SegmentDetectionPage.from_response(response).to_response() == response
    assert response == before


@given(response_dicts(with_next_token=False))
@_EXAMPLES
def test_result_round_trips_any_valid_complete_response(response: dict[str, Any]) -> None:
    """A result built from any valid response without NextToken gives back exactly that response."""
    assert SegmentDetectionResult.from_response(response).to_response() == response


@given(response_dicts(with_next_token=False))
@settings(max_examples=50, deadline=None)
def test_result_from_one_page_equals_result_from_response(response: dict[str, Any]) -> None:
    """Merging a single page gives the same result as reading the response directly."""
    assert SegmentDetectionResult.from_pages([response]) == SegmentDetectionResult.from_response(response)


@given(
    response_dicts(),
    st.dictionaries(st.text(min_size=1).filter(lambda k: k not in output_shape().members), st.integers()),
)
@settings(max_examples=50, deadline=None)
def test_unknown_top_level_keys_are_ignored(response: dict[str, Any], extra: dict[str, Any]) -> None:
    """Keys the model does not know are ignored without error and do not come back."""
    assert SegmentDetectionPage.from_response({**response, **extra}).to_response() == response


def test_unknown_nested_keys_are_ignored() -> None:
    """Unknown keys inside segments and metadata are ignored without error."""
    response = _service_page()
    noisy = copy.deepcopy(response)
    noisy["Segments"][0]["Brightness"] = 0.5
    noisy["Segments"][0]["TechnicalCueSegment"]["Region"] = "full"
    noisy["Segments"][1]["ShotSegment"]["Camera"] = "A"
    noisy["VideoMetadata"][0]["Rotation"] = 90
    noisy["AudioMetadata"][0]["Language"] = "en"
    noisy["Video"]["S3Object"]["Etag"] = "x"
    noisy["SelectedSegmentTypes"][0]["Extra"] = True

    assert SegmentDetectionPage.from_response(noisy).to_response() == response


def test_response_metadata_is_ignored() -> None:
    """The ResponseMetadata botocore adds is not part of the model and is dropped."""
    response = _service_page()
    with_meta = {**response, "ResponseMetadata": {"RequestId": "r-1", "HTTPStatusCode": 200, "RetryAttempts": 0}}

    assert SegmentDetectionPage.from_response(with_meta).to_response() == response


def test_absent_members_stay_absent() -> None:
    """An empty response becomes an all-None page and an empty dict again."""
    page = SegmentDetectionPage.from_response({})

    assert page == SegmentDetectionPage()
    assert page.to_response() == {}


def test_empty_containers_are_not_confused_with_absent_ones() -> None:
    """An empty list or structure comes back empty, not absent."""
    response: dict[str, Any] = {
        "Segments": [{"ShotSegment": {}, "TechnicalCueSegment": {}}],
        "VideoMetadata": [{}],
        "AudioMetadata": [],
        "SelectedSegmentTypes": [],
        "Video": {"S3Object": {}},
    }

    page = SegmentDetectionPage.from_response(response)

    assert page.audio_metadata == ()
    assert page.to_response() == response
    assert SegmentDetectionPage.from_response({"Video": {}}).to_response() == {"Video": {}}


def test_unknown_enum_values_parse_and_round_trip() -> None:
    """Values the release does not know parse into usable enum members and come back unchanged."""
    response = _service_page()
    response["JobStatus"] = "PAUSED"
    response["Segments"][0]["Type"] = "SCENE"
    response["Segments"][1]["TechnicalCueSegment"] = {"Type": "Intermission", "Confidence": 80.0}
    response["VideoMetadata"][0]["ColorRange"] = "HDR10"
    response["SelectedSegmentTypes"][0]["Type"] = "SCENE"

    page = SegmentDetectionPage.from_response(response)

    assert page.job_status == "PAUSED"
    assert not page.job_status.is_known  # type: ignore[union-attr]
    assert isinstance(page.job_status, JobStatus)
    assert page.segments is not None
    assert page.segments[0].type == SegmentType("SCENE")
    assert page.segments[1].cue_type == TechnicalCueType("Intermission")
    assert page.video_metadata is not None
    assert page.video_metadata[0].color_range == VideoColorRange("HDR10")
    assert page.to_response() == response


def test_known_enum_values_are_the_enum_members() -> None:
    """Known values parse to the very members users compare against."""
    page = SegmentDetectionPage.from_response(_service_page())

    assert page.job_status is JobStatus.SUCCEEDED
    assert page.segments is not None
    assert page.segments[0].type is SegmentType.TECHNICAL_CUE
    assert page.segments[0].cue_type is TechnicalCueType.COLOR_BARS
    assert page.segments[1].type is SegmentType.SHOT
    assert page.video_metadata is not None
    assert page.video_metadata[0].color_range is VideoColorRange.LIMITED


def test_segments_carry_the_page_frame_rate() -> None:
    """Segments parsed from a page know the video's exact frame rate, so timecode views work."""
    page = SegmentDetectionPage.from_response(_service_page())

    assert page.segments is not None
    assert {s.frame_rate for s in page.segments} == {page.frame_rate}
    assert page.segments[1].end_timecode is not None
    assert str(page.segments[1].end_timecode) == "00:00:05;29"


def _botocore_parse(body: bytes) -> dict[str, Any]:
    parser = botocore.parsers.create_parser("json")
    response = {"body": body, "headers": {"x-amzn-requestid": "req-1"}, "status_code": 200}
    parsed: dict[str, Any] = parser.parse(response, output_shape())
    return parsed


def test_botocore_parsed_response_round_trips() -> None:
    """A response parsed by botocore's own JSON parser round-trips, ResponseMetadata aside."""
    parsed = _botocore_parse(json.dumps(_service_page()).encode())
    assert "ResponseMetadata" in parsed
    expected = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}

    page = SegmentDetectionPage.from_response(parsed)

    assert expected == _service_page()
    assert page.to_response() == expected


@given(response_dicts())
@settings(max_examples=50, deadline=None)
def test_botocore_parsed_random_responses_round_trip(response: dict[str, Any]) -> None:
    """Whatever botocore's parser makes of a valid response body round-trips through a page."""
    parsed = _botocore_parse(json.dumps(response).encode())
    parsed.pop("ResponseMetadata")

    assert SegmentDetectionPage.from_response(parsed).to_response() == parsed


def test_result_from_response_rejects_a_next_token() -> None:
    """A response with NextToken is one page of several, so reading it as a whole result fails."""
    from rekseg import ValidationError

    with pytest.raises(ValidationError, match="from_pages") as info:
        SegmentDetectionResult.from_response(_service_page())
    assert info.value.field == "NextToken"


def test_a_zero_frame_rate_does_not_break_parsing() -> None:
    """A FrameRate of 0 from the service parses and round-trips; the exact rate is then unknown."""
    response = _service_page()
    response["VideoMetadata"][0]["FrameRate"] = 0.0

    page = SegmentDetectionPage.from_response(response)

    assert page.frame_rate is None
    assert page.to_response() == response
    assert page.segments is not None
    with pytest.raises(ValueError, match="frame_rate"):
        _ = page.segments[0].start_timecode


def _segment_by_init(d: dict[str, Any], rate: FrameRate | None) -> Segment:
    """The same segment built through the attrs constructors, member by member (the slow, obvious way)."""
    shot, cue = d.get("ShotSegment"), d.get("TechnicalCueSegment")
    kind, cue_type = d.get("Type"), None if cue is None else cue.get("Type")
    return Segment(
        type=None if kind is None else SegmentType(kind),
        start_timestamp_millis=d.get("StartTimestampMillis"),
        end_timestamp_millis=d.get("EndTimestampMillis"),
        duration_millis=d.get("DurationMillis"),
        start_timecode_smpte=d.get("StartTimecodeSMPTE"),
        end_timecode_smpte=d.get("EndTimecodeSMPTE"),
        duration_smpte=d.get("DurationSMPTE"),
        technical_cue_segment=None
        if cue is None
        else TechnicalCueSegment(
            type=None if cue_type is None else TechnicalCueType(cue_type), confidence=cue.get("Confidence")
        ),
        shot_segment=None if shot is None else ShotSegment(index=shot.get("Index"), confidence=shot.get("Confidence")),
        start_frame_number=d.get("StartFrameNumber"),
        end_frame_number=d.get("EndFrameNumber"),
        duration_frames=d.get("DurationFrames"),
        frame_rate=rate,
    )


@given(response_dicts(), st.sampled_from([None, FrameRate.from_float(29.97), FrameRate.from_float(25.0)]))
@_EXAMPLES
def test_segments_built_from_slots_equal_segments_built_by_their_constructors(
    response: dict[str, Any], rate: FrameRate | None
) -> None:
    """The hot path sets slots directly: the objects are the same as the constructors' (equal, same hash and repr)."""
    for d in response.get("Segments") or ():
        fast, slow = segment_from_wire(d, rate), _segment_by_init(d, rate)
        assert fast == slow
        assert hash(fast) == hash(slow)
        assert repr(fast) == repr(slow)
        assert attrs.asdict(fast, recurse=False) == attrs.asdict(slow, recurse=False)
        assert attrs.evolve(fast, duration_frames=1) == attrs.evolve(slow, duration_frames=1)


def test_the_slot_builder_refuses_a_model_whose_fields_changed() -> None:
    """A model given a validator or another field would no longer be built right from slots: import fails loudly."""

    @attrs.frozen(kw_only=True)
    class Checked:
        index: int | None = attrs.field(default=None, validator=attrs.validators.instance_of(int))

    @attrs.frozen(kw_only=True)
    class Grown:
        index: int | None = None
        extra: int | None = None

    with pytest.raises(RuntimeError, match="Checked"):
        _slot_setters(Checked, ("index",))
    with pytest.raises(RuntimeError, match="Grown"):
        _slot_setters(Grown, ("index",))
    assert len(_slot_setters(ShotSegment, ("index", "confidence"))) == 2
