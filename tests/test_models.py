"""Models: everyday conveniences, frame-exact views, request validation, open enums, merging pages.

The wire round trip of arbitrary responses is tested in test_wire.py; here the models are checked on realistic
results and on the developer guide's own example.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import attrs
import pytest

from rekseg import (
    AudioMetadata,
    BlackFrame,
    FrameRate,
    JobStatus,
    NotificationChannel,
    S3Object,
    Segment,
    SegmentDetectionPage,
    SegmentDetectionResult,
    SegmentType,
    SegmentTypeInfo,
    ShotFilter,
    ShotSegment,
    TechnicalCueFilter,
    TechnicalCueSegment,
    TechnicalCueType,
    Timecode,
    ValidationError,
    Video,
    VideoColorRange,
    VideoMetadata,
)
from rekseg.testing import synthetic_result

TOPIC = "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionSegments"
ROLE = "arn:aws:iam::123456789012:role/RekognitionPublish"

# (frame rate, drop-frame) of the realistic results the views are checked on.
SYNTHETIC_CLOCKS = [("24", False), ("25", False), ("24000/1001", False), ("30000/1001", True), ("30000/1001", False)]
SYNTHETIC_CLOCKS += [("60000/1001", True), ("50", False)]


def guide_example() -> dict[str, Any]:
    """Return a response shaped on the developer guide's 24 fps example (facts file, "Results").

    Shot 0 runs 00:00:00:00-00:00:29:01 (0-29041 ms) with DurationSMPTE 00:00:29:01; shot 1 starts at
    00:00:29:02 (29083 ms).
    """
    return {
        "JobStatus": "SUCCEEDED",
        "VideoMetadata": [
            {
                "Codec": "h264",
                "DurationMillis": 478145,
                "Format": "QuickTime / MOV",
                "FrameRate": 24.0,
                "FrameHeight": 360,
                "FrameWidth": 636,
                "ColorRange": "LIMITED",
            }
        ],
        "AudioMetadata": [{"Codec": "aac", "DurationMillis": 478214, "SampleRate": 44100, "NumberOfChannels": 2}],
        "Segments": [
            {
                "Type": "SHOT",
                "StartTimestampMillis": 0,
                "EndTimestampMillis": 29041,
                "DurationMillis": 29041,
                "StartTimecodeSMPTE": "00:00:00:00",
                "EndTimecodeSMPTE": "00:00:29:01",
                "DurationSMPTE": "00:00:29:01",
                "ShotSegment": {"Index": 0, "Confidence": 87.50452423095703},
                "StartFrameNumber": 0,
                "EndFrameNumber": 697,
                "DurationFrames": 697,
            },
            {
                "Type": "SHOT",
                "StartTimestampMillis": 29083,
                "EndTimestampMillis": 40041,
                "DurationMillis": 10958,
                "StartTimecodeSMPTE": "00:00:29:02",
                "EndTimecodeSMPTE": "00:00:40:01",
                "DurationSMPTE": "00:00:10:23",
                "ShotSegment": {"Index": 1, "Confidence": 99.9},
                "StartFrameNumber": 698,
                "EndFrameNumber": 961,
                "DurationFrames": 263,
            },
        ],
        "SelectedSegmentTypes": [{"Type": "SHOT", "ModelVersion": "1.0"}],
        "JobId": "6f5a8c1bd1e4f2e8a5f0b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3",
        "Video": {"S3Object": {"Bucket": "media-bucket", "Name": "episodes/ep01.mov"}},
        "JobTag": "ep01",
    }


def _paged(result: SegmentDetectionResult, page_size: int) -> list[dict[str, Any]]:
    """Split a result into response dicts as the service would send them, tokens included."""
    pages = [page.to_response() for page in result.to_pages(page_size)]
    for number, page in enumerate(pages[:-1], start=1):
        page["NextToken"] = f"token-{number}"
    return pages


# -- Segment conveniences -------------------------------------------------------------------------------------


def test_confidence_comes_from_whichever_sub_shape_holds_it() -> None:
    """Segment.confidence reads the shot's or the cue's confidence, and is None when neither has one."""
    shot = Segment(type=SegmentType.SHOT, shot_segment=ShotSegment(index=3, confidence=91.5))
    cue = Segment(
        type=SegmentType.TECHNICAL_CUE,
        technical_cue_segment=TechnicalCueSegment(type=TechnicalCueType.SLATE, confidence=77.0),
    )
    shot_without = Segment(
        shot_segment=ShotSegment(index=0), technical_cue_segment=TechnicalCueSegment(confidence=60.0)
    )

    assert shot.confidence == 91.5
    assert cue.confidence == 77.0
    assert shot_without.confidence == 60.0
    assert Segment(shot_segment=ShotSegment(index=0)).confidence is None
    assert Segment().confidence is None


def test_kind_helpers() -> None:
    """is_shot, is_technical_cue, cue_type and shot_index describe the segment, None where not applicable."""
    shot = Segment(type=SegmentType.SHOT, shot_segment=ShotSegment(index=3, confidence=91.5))
    cue = Segment(
        type=SegmentType.TECHNICAL_CUE, technical_cue_segment=TechnicalCueSegment(type=TechnicalCueType.END_CREDITS)
    )

    assert (shot.is_shot, shot.is_technical_cue, shot.shot_index, shot.cue_type) == (True, False, 3, None)
    assert (cue.is_shot, cue.is_technical_cue, cue.shot_index, cue.cue_type) == (False, True, None, "EndCredits")
    assert not Segment().is_shot
    assert not Segment().is_technical_cue


@pytest.mark.parametrize(("rate", "drop"), SYNTHETIC_CLOCKS)
def test_frame_views_agree_with_the_service_numbers(rate: str, drop: bool) -> None:
    """On a realistic result, timecode views reproduce the service's labels, frames and ms; frame_count is one more."""
    result = synthetic_result(frame_rate=rate, drop_frame=drop, shots=40, seed=7)
    assert result.segments

    for segment in result.segments:
        assert segment.frame_rate == FrameRate.coerce(rate)
        assert segment.drop_frame is drop
        start, end, duration = segment.start_timecode, segment.end_timecode, segment.duration_timecode
        assert start is not None
        assert end is not None
        assert duration is not None
        assert (str(start), str(end), str(duration)) == (
            segment.start_timecode_smpte,
            segment.end_timecode_smpte,
            segment.duration_smpte,
        )
        assert (segment.first_frame, segment.last_frame) == (segment.start_frame_number, segment.end_frame_number)
        assert (start.frame, end.frame) == (segment.start_frame_number, segment.end_frame_number)
        assert (start.to_millis(), end.to_millis()) == (segment.start_timestamp_millis, segment.end_timestamp_millis)
        assert segment.duration_frames is not None
        assert segment.frame_count == segment.duration_frames + 1 == end - start + 1


def test_guide_example_views() -> None:
    """The guide's shot 0 spans 698 frames while the service reports a duration of 697; shot 1 starts one later."""
    first, second = SegmentDetectionResult.from_response(guide_example()).shots

    assert first.frame_count == 698
    assert first.duration_frames == 697
    assert str(first.duration_timecode) == first.duration_smpte == "00:00:29:01"
    assert first.end_timecode is not None
    assert first.end_timecode.to_millis() == first.end_timestamp_millis == 29041
    assert second.start_timecode == first.end_timecode + 1
    assert second.first_frame == first.last_frame + 1  # type: ignore[operator]
    assert second.start_timecode is not None
    assert second.start_timecode.to_millis() == 29083


def test_views_work_from_labels_alone() -> None:
    """Older responses carry no frame numbers: frames are derived from the SMPTE labels, drop-frame included."""
    segment = Segment(
        start_timecode_smpte="00:00:59;29",
        end_timecode_smpte="00:01:00;03",
        frame_rate=FrameRate(30000, 1001),
    )

    assert segment.drop_frame
    assert (segment.first_frame, segment.last_frame, segment.frame_count) == (1799, 1801, 3)
    assert str(segment.duration_timecode) == "00:00:00;02"


def test_views_work_from_frame_numbers_alone() -> None:
    """Without labels, timecodes are built from the frame numbers, non-drop since no ';' says otherwise."""
    segment = Segment(start_frame_number=1799, end_frame_number=1801, frame_rate=FrameRate(30000, 1001))

    assert not segment.drop_frame
    assert str(segment.start_timecode) == "00:00:59:29"
    assert str(segment.end_timecode) == "00:01:00:01"
    assert segment.frame_count == 3


def test_views_are_none_when_the_fields_are_absent() -> None:
    """Nothing is invented: with no frame number, millis or label every view is None."""
    segment = Segment(duration_millis=1000, duration_frames=25, frame_rate=FrameRate(25))

    assert segment.start_timecode is None
    assert segment.end_timecode is None
    assert segment.duration_timecode is None
    assert segment.first_frame is None
    assert segment.last_frame is None
    assert segment.frame_count is None
    assert Segment(start_frame_number=5, frame_rate=FrameRate(25)).frame_count is None


def test_timecode_views_need_a_frame_rate() -> None:
    """A hand-built segment without a rate says so, naming the field; with_frame_rate supplies it."""
    segment = Segment(start_timecode_smpte="00:00:01:00", end_timecode_smpte="00:00:01:12")

    with pytest.raises(ValidationError, match="with_frame_rate") as info:
        _ = segment.start_timecode
    assert info.value.field == "Segment.frame_rate"
    assert segment.with_frame_rate(24).start_timecode == Timecode(24, 24)
    assert segment.with_frame_rate(25.0).frame_count == 13
    assert segment.with_frame_rate(29.970029830932617).frame_rate == FrameRate(30000, 1001)
    assert segment.with_frame_rate(FrameRate(24)).with_frame_rate(None).frame_rate is None
    assert segment.frame_rate is None


def test_frame_rate_is_not_part_of_the_wire_shape() -> None:
    """A segment's frame_rate never appears in its response dict, and is left out of its repr."""
    segment = Segment(type=SegmentType.SHOT, start_frame_number=0, frame_rate=FrameRate(25))

    assert segment.to_response() == {"Type": "SHOT", "StartFrameNumber": 0}
    assert "frame_rate" not in repr(segment)


def test_impossible_labels_from_the_service_neither_raise_nor_mix_with_frame_numbers() -> None:
    """A response with a label the rate cannot have parses, and every view reads its frame numbers instead."""
    response = guide_example()
    response["Segments"][0]["EndTimecodeSMPTE"] = "00:00:29:24"  # 24 fps has frames 00-23

    page = SegmentDetectionPage.from_response(response)

    assert page.to_response() == response
    assert page.segments is not None
    assert page.segments[0].last_frame == 697  # the frame number wins
    end = page.segments[0].end_timecode
    assert end is not None
    assert end.frame == 697


# -- metadata and the video --------------------------------------------------------------------------------


def test_video_metadata_rational_frame_rate() -> None:
    """The float the service reports becomes the exact rate; an absent rate stays None."""
    assert VideoMetadata(frame_rate=29.970029830932617).rational_frame_rate == FrameRate(30000, 1001)
    assert VideoMetadata(frame_rate=25.0).rational_frame_rate == FrameRate(25)
    assert VideoMetadata().rational_frame_rate is None


def test_s3_object_uri() -> None:
    """S3Object.uri is s3://bucket/key, with the version id when there is one."""
    assert S3Object(bucket="media", name="a/b.mp4").uri == "s3://media/a/b.mp4"
    assert S3Object(bucket="media", name="a/b.mp4", version="v1").uri == "s3://media/a/b.mp4?versionId=v1"


# -- request-side validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field", "rule"),
    [
        (lambda v: ShotFilter(min_segment_confidence=v), "ShotFilter.min_segment_confidence", "between 50 and 100"),
        (
            lambda v: TechnicalCueFilter(min_segment_confidence=v),
            "TechnicalCueFilter.min_segment_confidence",
            "between 50 and 100",
        ),
    ],
    ids=["ShotFilter", "TechnicalCueFilter"],
)
@pytest.mark.parametrize("value", [49.999, -1, 100.001, 1000, -math.inf, math.inf])
def test_confidence_filters_reject_out_of_range(build: Any, field: str, rule: str, value: float) -> None:
    """Minimum confidences outside 50-100 raise ValidationError naming the field and the rule."""
    with pytest.raises(ValidationError) as info:
        build(value)

    assert info.value.field == field
    assert rule in info.value.rule
    assert info.value.value == value
    assert field in str(info.value)
    assert rule in str(info.value)


@pytest.mark.parametrize("value", [50, 50.0, 75.5, 100, 100.0, None])
def test_confidence_filters_accept_the_boundaries(value: float | None) -> None:
    """50 and 100 themselves, anything between, and None (the service default) are accepted."""
    assert ShotFilter(min_segment_confidence=value).min_segment_confidence == value
    assert TechnicalCueFilter(min_segment_confidence=value).min_segment_confidence == value


@pytest.mark.parametrize("value", [math.nan, True, "80", [80]])
def test_filters_reject_non_numbers(value: Any) -> None:
    """NaN, booleans and non-numbers are refused as confidences: the rule says a number."""
    with pytest.raises(ValidationError, match="must be a number") as info:
        ShotFilter(min_segment_confidence=value)
    assert info.value.field == "ShotFilter.min_segment_confidence"


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"max_pixel_threshold": -0.01}, "BlackFrame.max_pixel_threshold", "between 0 and 1"),
        ({"max_pixel_threshold": 1.01}, "BlackFrame.max_pixel_threshold", "between 0 and 1"),
        ({"min_coverage_percentage": -0.5}, "BlackFrame.min_coverage_percentage", "between 0 and 100"),
        ({"min_coverage_percentage": 100.5}, "BlackFrame.min_coverage_percentage", "between 0 and 100"),
    ],
)
def test_black_frame_rejects_out_of_range(kwargs: dict[str, float], field: str, rule: str) -> None:
    """BlackFrame thresholds outside their ranges raise ValidationError naming field and rule."""
    with pytest.raises(ValidationError) as info:
        BlackFrame(**kwargs)
    assert (info.value.field, info.value.rule) == (field, f"must be {rule}")


@pytest.mark.parametrize(("threshold", "coverage"), [(0, 0), (1, 100), (0.2, 99), (None, None), (0.0, 100.0)])
def test_black_frame_accepts_the_boundaries(threshold: float | None, coverage: float | None) -> None:
    """The range ends and None are accepted, and nest into a TechnicalCueFilter."""
    black = BlackFrame(max_pixel_threshold=threshold, min_coverage_percentage=coverage)
    assert TechnicalCueFilter(black_frame=black).black_frame == black


def test_notification_channel_accepts_real_arns() -> None:
    """A topic ARN and a role ARN in the service's patterns are accepted."""
    channel = NotificationChannel(sns_topic_arn=TOPIC, role_arn=ROLE)
    assert (channel.sns_topic_arn, channel.role_arn) == (TOPIC, ROLE)
    NotificationChannel(sns_topic_arn=TOPIC, role_arn="arn:aws:iam::123456789012:role/service-role/a.b@c=d,e+f")


@pytest.mark.parametrize(
    ("topic", "role", "field"),
    [
        ("arn:aws:sqs:us-east-1:123456789012:Queue", ROLE, "NotificationChannel.sns_topic_arn"),
        ("arn:aws:sns:us-east-1:1234:AmazonRekognition", ROLE, "NotificationChannel.sns_topic_arn"),
        ("arn:aws:sns:us-east-1:123456789012:", ROLE, "NotificationChannel.sns_topic_arn"),
        ("AmazonRekognitionTopic", ROLE, "NotificationChannel.sns_topic_arn"),
        (TOPIC, "arn:aws:iam::123456789012:user/bob", "NotificationChannel.role_arn"),
        (TOPIC, "arn:aws:iam::12345:role/x", "NotificationChannel.role_arn"),
        (TOPIC, "RekognitionPublish", "NotificationChannel.role_arn"),
        (TOPIC, 12, "NotificationChannel.role_arn"),
    ],
)
def test_notification_channel_rejects_bad_arns(topic: Any, role: Any, field: str) -> None:
    """ARNs outside the service's patterns raise ValidationError naming the field and the expected form."""
    with pytest.raises(ValidationError) as info:
        NotificationChannel(sns_topic_arn=topic, role_arn=role)
    assert info.value.field == field
    assert "must" in info.value.rule


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"bucket": "ab"}, "S3Object.bucket", "3 to 255 characters"),
        ({"bucket": "b" * 256}, "S3Object.bucket", "3 to 255 characters"),
        ({"bucket": "my bucket"}, "S3Object.bucket", "must match"),
        ({"bucket": "s3://media"}, "S3Object.bucket", "must match"),
        ({"name": ""}, "S3Object.name", "1 to 1024 characters"),
        ({"name": "k" * 1025}, "S3Object.name", "1 to 1024 characters"),
        ({"version": ""}, "S3Object.version", "1 to 1024 characters"),
    ],
)
def test_s3_object_rejects_bad_names(kwargs: dict[str, str], field: str, rule: str) -> None:
    """Bucket names and keys outside the model's lengths and pattern raise ValidationError naming field and rule."""
    with pytest.raises(ValidationError) as info:
        S3Object(**kwargs)
    assert info.value.field == field
    assert rule in info.value.rule


def test_s3_object_accepts_the_boundaries() -> None:
    """3- and 255-character buckets, 1- and 1024-character keys are accepted."""
    S3Object(bucket="abc", name="k")
    S3Object(bucket="a.b-c_" + "d" * 249, name="k" * 1024, version="v")


# -- open enums -------------------------------------------------------------------------------------------------


def test_unknown_enum_values_are_usable_members() -> None:
    """An unknown cue type parses, is the same object each time, compares to its string, and says it is unknown."""
    new = TechnicalCueType("NewCue")

    assert isinstance(new, TechnicalCueType)
    assert new is TechnicalCueType("NewCue")
    assert new == "NewCue"
    assert new.value == "NewCue"
    assert str(new) == "NewCue"
    assert repr(new) == "TechnicalCueType('NewCue')"
    assert not new.is_known
    assert TechnicalCueType.SLATE.is_known
    assert repr(TechnicalCueType.SLATE) == "TechnicalCueType.SLATE"
    assert "NewCue" not in TechnicalCueType.__members__
    assert len(list(TechnicalCueType)) == 7


def test_all_model_enum_values_are_known() -> None:
    """Every value in the botocore model is a known member of the matching enum."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("rekognition")
    enums: list[tuple[str, type[JobStatus | SegmentType | TechnicalCueType | VideoColorRange]]] = [
        ("VideoJobStatus", JobStatus),
        ("SegmentType", SegmentType),
        ("TechnicalCueType", TechnicalCueType),
        ("VideoColorRange", VideoColorRange),
    ]
    for shape, enum in enums:
        values: list[str] = model.shape_for(shape).enum  # type: ignore[attr-defined]
        assert values
        assert all(enum(value).is_known for value in values), shape
        assert sorted(values) == sorted(str(member.value) for member in enum)


def test_enums_refuse_non_strings() -> None:
    """Only strings can be enum values: an int is a plain ValueError, not a silent new member."""
    with pytest.raises(ValueError, match="not a valid"):
        SegmentType(3)


def test_unknown_cue_type_in_a_hand_built_segment_round_trips() -> None:
    """A segment holding an unknown cue type is usable and writes the value back unchanged."""
    segment = Segment(
        type=SegmentType.TECHNICAL_CUE,
        technical_cue_segment=TechnicalCueSegment(type=TechnicalCueType("Intermission"), confidence=88.0),
    )

    assert segment.cue_type == "Intermission"
    assert segment.confidence == 88.0
    wire = segment.to_response()
    assert wire == {"Type": "TECHNICAL_CUE", "TechnicalCueSegment": {"Type": "Intermission", "Confidence": 88.0}}
    page = SegmentDetectionPage.from_response({"Segments": [wire]})
    assert page.technical_cues == (segment,)


# -- pages and results -----------------------------------------------------------------------------------------


def test_realistic_results_round_trip() -> None:
    """A realistic synthetic result and the guide's example come back unchanged through the models."""
    for rate, drop in SYNTHETIC_CLOCKS:
        response = synthetic_result(frame_rate=rate, drop_frame=drop, shots=60, seed=3).to_response()
        before = copy.deepcopy(response)
        assert SegmentDetectionResult.from_response(response).to_response() == response
        assert SegmentDetectionPage.from_response(response).to_response() == response
        assert response == before
    assert SegmentDetectionResult.from_response(guide_example()).to_response() == guide_example()


def test_unknown_extra_keys_are_ignored() -> None:
    """Keys added to the service after this release are ignored, at every level."""
    noisy = guide_example()
    noisy["ModelInsights"] = {"x": 1}
    noisy["Segments"][0]["SceneIndex"] = 4
    noisy["Segments"][0]["ShotSegment"]["Camera"] = "B"
    noisy["VideoMetadata"][0]["HDR"] = True

    assert SegmentDetectionResult.from_response(noisy).to_response() == guide_example()


@pytest.mark.parametrize("page_size", [1, 7, 1000])
def test_from_pages_merges_like_the_service_paged(page_size: int) -> None:
    """Merging the pages of a result gives that result: metadata once, every segment once, in the service's order."""
    result = synthetic_result(shots=50, seed=11)
    pages = _paged(result, page_size)
    assert result.segments is not None
    assert len(pages) == math.ceil(len(result.segments) / page_size)
    assert all("VideoMetadata" in p and "AudioMetadata" in p for p in pages)  # sent on every page

    merged = SegmentDetectionResult.from_pages(pages)

    assert merged == result
    assert merged.video_metadata is not None
    assert len(merged.video_metadata) == 1
    assert merged.audio_metadata is not None
    assert len(merged.audio_metadata) == 1
    assert (merged.job_id, merged.job_tag, merged.video) == (result.job_id, result.job_tag, result.video)
    assert merged.to_response() == result.to_response()
    models = [SegmentDetectionPage.from_response(p) for p in pages]
    assert SegmentDetectionResult.from_pages(models) == result
    assert SegmentDetectionResult.from_pages([models[0], *pages[1:]]) == result


def test_from_pages_keeps_job_fields_and_page_order() -> None:
    """Job id, tag and video come from the first page; segments are concatenated in the order the pages are given."""
    first = guide_example()
    second = copy.deepcopy(first)
    first["NextToken"] = "t1"
    second["Segments"] = [second["Segments"][1]]
    first["Segments"] = [first["Segments"][0]]

    merged = SegmentDetectionResult.from_pages([first, second])

    assert merged.job_id == guide_example()["JobId"]
    assert merged.job_tag == "ep01"
    assert merged.video == Video(s3_object=S3Object(bucket="media-bucket", name="episodes/ep01.mov"))
    assert merged.to_response() == guide_example()
    assert [s.shot_index for s in merged.segments or ()] == [0, 1]
    reversed_order = SegmentDetectionResult.from_pages([second, first], allow_partial=True)
    assert [s.shot_index for s in reversed_order.segments or ()] == [1, 0]


def test_from_pages_with_pages_without_segments() -> None:
    """Pages that carry no Segments add none; a job with no segments at all keeps Segments absent."""
    status_only = {"JobStatus": "SUCCEEDED", "JobId": "j1"}

    assert SegmentDetectionResult.from_pages([status_only]).segments is None
    assert SegmentDetectionResult.from_pages([status_only]).to_response() == status_only
    merged = SegmentDetectionResult.from_pages([{**status_only, "NextToken": "t"}, guide_example()])
    assert merged.segments is not None
    assert len(merged.segments) == 2


def test_from_pages_needs_a_page() -> None:
    """Merging nothing is an error naming the pages argument."""
    with pytest.raises(ValidationError, match="at least one page") as info:
        SegmentDetectionResult.from_pages([])
    assert info.value.field == "pages"


def test_to_pages_splits_and_merges_back() -> None:
    """to_pages cuts the segments into page_size chunks with the metadata on each; from_pages undoes it."""
    result = synthetic_result(shots=20, seed=5)
    pages = result.to_pages(page_size=6)

    assert [len(p.segments or ()) for p in pages][:-1] == [6] * (len(pages) - 1)
    assert all(p.video_metadata == result.video_metadata for p in pages)
    assert all(p.next_token is None for p in pages)
    assert SegmentDetectionResult.from_pages(pages) == result
    with pytest.raises(ValidationError, match="at least 1") as info:
        result.to_pages(page_size=0)
    assert info.value.field == "page_size"


def test_to_pages_keeps_absent_segments_absent() -> None:
    """A result without Segments splits into one page without Segments, and merges back to the same result."""
    result = SegmentDetectionResult.from_response({"JobStatus": "FAILED", "StatusMessage": "unsupported codec"})
    pages = result.to_pages()

    assert len(pages) == 1
    assert pages[0].to_response() == {"JobStatus": "FAILED", "StatusMessage": "unsupported codec"}
    assert SegmentDetectionResult.from_pages(pages) == result


def test_has_more_treats_an_empty_token_as_the_end() -> None:
    """An empty-string NextToken ends paging like an absent one."""
    assert SegmentDetectionPage(next_token="abc").has_more
    assert not SegmentDetectionPage(next_token="").has_more
    assert not SegmentDetectionPage().has_more


def test_shots_and_cues_keep_the_service_order() -> None:
    """The shots and technical_cues views filter the segments without reordering them."""
    result = synthetic_result(shots=30, seed=2)
    segments = result.segments or ()

    assert result.shots == tuple(s for s in segments if s.is_shot)
    assert result.technical_cues == tuple(s for s in segments if s.is_technical_cue)
    assert [s.shot_index for s in result.shots] == list(range(30))
    assert len(result.shots) + len(result.technical_cues) == len(segments)
    assert SegmentDetectionResult().shots == ()
    assert SegmentDetectionResult().technical_cues == ()


def test_chronological_orders_by_start_stably() -> None:
    """chronological() sorts by start time; ties keep the service's order and segments without a start go last."""
    result = synthetic_result(shots=30, seed=2)
    ordered = result.chronological()

    assert result.segments is not None
    assert ordered != result.segments  # the service groups by type first
    assert sorted(ordered, key=id) == sorted(result.segments, key=id)
    starts = [s.start_timestamp_millis or 0 for s in ordered]
    assert starts == sorted(starts)

    a = Segment(type=SegmentType.TECHNICAL_CUE, start_timestamp_millis=0)
    b = Segment(type=SegmentType.SHOT, start_timestamp_millis=0, shot_segment=ShotSegment(index=0))
    c = Segment(type=SegmentType.SHOT, start_timestamp_millis=None)
    d = Segment(type=SegmentType.SHOT, start_timestamp_millis=5)
    assert SegmentDetectionResult(segments=(c, d, a, b)).chronological() == (a, b, d, c)
    assert SegmentDetectionResult(segments=(b, a)).chronological() == (b, a)
    assert SegmentDetectionResult().chronological() == ()


def test_page_and_result_frame_rate() -> None:
    """The exact rate comes from the first VideoMetadata; None without one."""
    result = SegmentDetectionResult.from_response(guide_example())

    assert result.frame_rate == FrameRate(24)
    assert SegmentDetectionPage.from_response(guide_example()).frame_rate == FrameRate(24)
    assert SegmentDetectionResult().frame_rate is None
    assert SegmentDetectionResult(video_metadata=(VideoMetadata(),)).frame_rate is None


# -- frozen, slotted ---------------------------------------------------------------------------------------------

ALL_MODELS = [
    Segment(),
    ShotSegment(),
    TechnicalCueSegment(),
    VideoMetadata(),
    AudioMetadata(),
    SegmentTypeInfo(),
    S3Object(),
    Video(),
    NotificationChannel(sns_topic_arn=TOPIC, role_arn=ROLE),
    ShotFilter(),
    TechnicalCueFilter(),
    BlackFrame(),
    SegmentDetectionPage(),
    SegmentDetectionResult(),
]


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: type(m).__name__)
def test_models_are_frozen_and_slotted(model: Any) -> None:
    """Every model refuses assignment and has no per-instance __dict__."""
    field = attrs.fields(type(model))[0].name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(model, field, None)
    with pytest.raises(AttributeError):
        model.not_a_field = 1
    assert not hasattr(model, "__dict__")


def test_models_are_hashable_values() -> None:
    """Equal models are equal and hash alike, so they can be set members and dict keys."""
    a = SegmentDetectionResult.from_response(guide_example())
    b = SegmentDetectionResult.from_response(guide_example())

    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
