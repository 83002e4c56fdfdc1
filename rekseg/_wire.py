"""The one place that turns the service's wire dicts into models and back.

Lossless by construction: a key absent from the dict stays ``None`` on the model and absent again on the
way back; enum values the release does not know are kept as open enum members; keys the model does not
know are ignored. Written out by hand, shape by shape, because this is the hot path of every page.

Reading is also where a hostile body stops: a value of the wrong JSON type (a string where an int belongs, a
dict where a list belongs, ``null`` in a list) raises `ValidationError` naming its path, such as
``Segments[3].StartTimestampMillis``, and never reaches a model. The check is one ``type(x) is T`` per field on
the hot path; only a failing body pays for finding the culprit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, NoReturn, TypeAlias, TypeVar

from ._enums import JobStatus, SegmentType, TechnicalCueType, VideoColorRange, _OpenEnum
from ._exceptions import ValidationError
from ._models import (
    AudioMetadata,
    BlackFrame,
    NotificationChannel,
    S3Object,
    Segment,
    SegmentDetectionPage,
    SegmentDetectionResult,
    SegmentTypeInfo,
    ShotFilter,
    ShotSegment,
    TechnicalCueFilter,
    TechnicalCueSegment,
    Video,
    VideoMetadata,
)
from ._timecode import FrameRate

__all__ = [
    "ResponseDict",
    "filters_to_wire",
    "merge_pages",
    "notification_channel_to_wire",
    "page_from_wire",
    "page_to_wire",
    "rate_of",
    "result_to_wire",
    "segment_from_wire",
    "segment_to_wire",
    "video_from_wire",
    "video_to_wire",
]

ResponseDict: TypeAlias = "dict[str, Any]"
"""A response or request in the service's wire form (PascalCase keys), as botocore gives and takes it."""

_E = TypeVar("_E", bound=_OpenEnum)


def _enum(cls: type[_E], cache: dict[str, _E], value: Any) -> _E | None:
    if value is None:
        return None
    member = cache.get(value)
    return member if member is not None else cls(value)


_SEGMENT_TYPES = {m.value: m for m in SegmentType}
_CUE_TYPES = {m.value: m for m in TechnicalCueType}
_JOB_STATUSES = {m.value: m for m in JobStatus}
_COLOR_RANGES = {m.value: m for m in VideoColorRange}


_NONE: Final = type(None)
_INT: Final = (int, _NONE)
_NUMBER: Final = (int, float, _NONE)
_STR: Final = (str, _NONE)
_DICT: Final = (dict, _NONE)
_LIST: Final = (list, _NONE)
_TYPE_NAMES: Final = {int: "an int", float: "a number", str: "a string", dict: "an object", list: "a list"}

_SEGMENT_SHAPE: Final = {
    "Type": _STR,
    "StartTimestampMillis": _INT,
    "EndTimestampMillis": _INT,
    "DurationMillis": _INT,
    "StartTimecodeSMPTE": _STR,
    "EndTimecodeSMPTE": _STR,
    "DurationSMPTE": _STR,
    "TechnicalCueSegment": _DICT,
    "ShotSegment": _DICT,
    "StartFrameNumber": _INT,
    "EndFrameNumber": _INT,
    "DurationFrames": _INT,
}
_CUE_SHAPE: Final = {"Type": _STR, "Confidence": _NUMBER}
_SHOT_SHAPE: Final = {"Index": _INT, "Confidence": _NUMBER}
_VIDEO_METADATA_SHAPE: Final = {
    "Codec": _STR,
    "DurationMillis": _INT,
    "Format": _STR,
    "FrameRate": _NUMBER,
    "FrameHeight": _INT,
    "FrameWidth": _INT,
    "ColorRange": _STR,
}
_AUDIO_METADATA_SHAPE: Final = {"Codec": _STR, "DurationMillis": _INT, "SampleRate": _INT, "NumberOfChannels": _INT}
_TYPE_INFO_SHAPE: Final = {"Type": _STR, "ModelVersion": _STR}
_VIDEO_SHAPE: Final = {"S3Object": _DICT}
_S3_OBJECT_SHAPE: Final = {"Bucket": _STR, "Name": _STR, "Version": _STR}
_PAGE_SHAPE: Final = {
    "JobStatus": _STR,
    "StatusMessage": _STR,
    "VideoMetadata": _LIST,
    "AudioMetadata": _LIST,
    "NextToken": _STR,
    "Segments": _LIST,
    "SelectedSegmentTypes": _LIST,
    "JobId": _STR,
    "Video": _DICT,
    "JobTag": _STR,
}


def _wrong_shape(d: object, shape: Mapping[str, tuple[type, ...]], where: str) -> NoReturn:
    """Raise a `ValidationError` naming the first member of ``d`` whose JSON type ``shape`` does not allow."""
    if not isinstance(d, Mapping):
        raise ValidationError(where or "response", "must be an object", d)
    for key, allowed in shape.items():
        value = d.get(key)
        if type(value) not in allowed:
            expected = " or ".join(_TYPE_NAMES[t] for t in allowed if t is not _NONE)
            raise ValidationError(f"{where}.{key}" if where else key, f"must be {expected}", value)
    raise ValidationError(where or "response", "is malformed", d)  # pragma: no cover - callers checked first


def _checked(d: object, shape: Mapping[str, tuple[type, ...]], where: str) -> Mapping[str, Any]:
    """Return ``d`` when it is an object whose members have the JSON types of ``shape``; else raise."""
    if not isinstance(d, Mapping) or any(type(d.get(key)) not in allowed for key, allowed in shape.items()):
        _wrong_shape(d, shape, where)
    return d


def _checked_list(items: object, shape: Mapping[str, tuple[type, ...]], where: str) -> list[Mapping[str, Any]]:
    if not isinstance(items, list):
        raise ValidationError(where, "must be a list", items)
    return [_checked(item, shape, f"{where}[{i}]") for i, item in enumerate(items)]


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


# -- video ---------------------------------------------------------------------------------------------


def video_from_wire(d: Mapping[str, Any] | None) -> Video | None:
    """Build a `Video` from ``{"S3Object": {...}}``."""
    if d is None:
        return None
    s3 = _checked(d, _VIDEO_SHAPE, "Video").get("S3Object")
    if s3 is None:
        return Video()
    s3 = _checked(s3, _S3_OBJECT_SHAPE, "Video.S3Object")
    return Video(s3_object=S3Object(bucket=s3.get("Bucket"), name=s3.get("Name"), version=s3.get("Version")))


def video_to_wire(video: Video) -> dict[str, Any]:
    """Return the ``Video`` wire dict."""
    out: dict[str, Any] = {}
    s3 = video.s3_object
    if s3 is not None:
        inner: dict[str, Any] = {}
        _put(inner, "Bucket", s3.bucket)
        _put(inner, "Name", s3.name)
        _put(inner, "Version", s3.version)
        out["S3Object"] = inner
    return out


# -- request side ----------------------------------------------------------------------------------------


def notification_channel_to_wire(channel: NotificationChannel) -> dict[str, Any]:
    """Return the ``NotificationChannel`` wire dict."""
    return {"SNSTopicArn": channel.sns_topic_arn, "RoleArn": channel.role_arn}


def _black_frame_to_wire(black: BlackFrame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "MaxPixelThreshold", black.max_pixel_threshold)
    _put(out, "MinCoveragePercentage", black.min_coverage_percentage)
    return out


def filters_to_wire(shot: ShotFilter | None, cue: TechnicalCueFilter | None) -> dict[str, Any] | None:
    """Return the ``Filters`` wire dict, or ``None`` when there is nothing to filter."""
    out: dict[str, Any] = {}
    if cue is not None:
        cue_out: dict[str, Any] = {}
        _put(cue_out, "MinSegmentConfidence", cue.min_segment_confidence)
        if cue.black_frame is not None:
            cue_out["BlackFrame"] = _black_frame_to_wire(cue.black_frame)
        out["TechnicalCueFilter"] = cue_out
    if shot is not None:
        shot_out: dict[str, Any] = {}
        _put(shot_out, "MinSegmentConfidence", shot.min_segment_confidence)
        out["ShotFilter"] = shot_out
    return out or None


# -- segments --------------------------------------------------------------------------------------------


def segment_from_wire(d: Mapping[str, Any], frame_rate: FrameRate | None = None, where: str = "") -> Segment:
    """Build a `Segment` from a ``SegmentDetection`` dict.

    Raises:
        ValidationError: A member has the wrong JSON type; ``where`` prefixes the path it names.
    """
    if type(d) is not dict and not isinstance(d, Mapping):
        _wrong_shape(d, _SEGMENT_SHAPE, where)
    get = d.get
    kind = get("Type")
    start = get("StartTimestampMillis")
    end = get("EndTimestampMillis")
    duration = get("DurationMillis")
    start_smpte = get("StartTimecodeSMPTE")
    end_smpte = get("EndTimecodeSMPTE")
    duration_smpte = get("DurationSMPTE")
    start_frame = get("StartFrameNumber")
    end_frame = get("EndFrameNumber")
    duration_frames = get("DurationFrames")
    cue = get("TechnicalCueSegment")
    shot = get("ShotSegment")
    # One identity test per field: the hot path of every page. Written out rather than looped over the shape.
    if not (
        (type(start) is int or start is None)
        and (type(end) is int or end is None)
        and (type(duration) is int or duration is None)
        and (type(start_frame) is int or start_frame is None)
        and (type(end_frame) is int or end_frame is None)
        and (type(duration_frames) is int or duration_frames is None)
        and (type(kind) is str or kind is None)
        and (type(start_smpte) is str or start_smpte is None)
        and (type(end_smpte) is str or end_smpte is None)
        and (type(duration_smpte) is str or duration_smpte is None)
        and (type(cue) is dict or cue is None)
        and (type(shot) is dict or shot is None)
    ):
        _wrong_shape(d, _SEGMENT_SHAPE, where)
    cue_segment = None
    if cue is not None:
        cue_type = cue.get("Type")
        confidence = cue.get("Confidence")
        if not (
            (type(cue_type) is str or cue_type is None)
            and (type(confidence) is float or type(confidence) is int or confidence is None)
        ):
            _wrong_shape(cue, _CUE_SHAPE, f"{where}.TechnicalCueSegment" if where else "TechnicalCueSegment")
        cue_segment = TechnicalCueSegment(type=_enum(TechnicalCueType, _CUE_TYPES, cue_type), confidence=confidence)
    shot_segment = None
    if shot is not None:
        index = shot.get("Index")
        confidence = shot.get("Confidence")
        if not (
            (type(index) is int or index is None)
            and (type(confidence) is float or type(confidence) is int or confidence is None)
        ):
            _wrong_shape(shot, _SHOT_SHAPE, f"{where}.ShotSegment" if where else "ShotSegment")
        shot_segment = ShotSegment(index=index, confidence=confidence)
    return Segment(
        type=None if kind is None else (_SEGMENT_TYPES.get(kind) or SegmentType(kind)),
        start_timestamp_millis=start,
        end_timestamp_millis=end,
        duration_millis=duration,
        start_timecode_smpte=start_smpte,
        end_timecode_smpte=end_smpte,
        duration_smpte=duration_smpte,
        technical_cue_segment=cue_segment,
        shot_segment=shot_segment,
        start_frame_number=start_frame,
        end_frame_number=end_frame,
        duration_frames=duration_frames,
        frame_rate=frame_rate,
    )


def segment_to_wire(segment: Segment) -> dict[str, Any]:
    """Return the ``SegmentDetection`` wire dict of a segment."""
    out: dict[str, Any] = {}
    if segment.type is not None:
        out["Type"] = segment.type.value
    _put(out, "StartTimestampMillis", segment.start_timestamp_millis)
    _put(out, "EndTimestampMillis", segment.end_timestamp_millis)
    _put(out, "DurationMillis", segment.duration_millis)
    _put(out, "StartTimecodeSMPTE", segment.start_timecode_smpte)
    _put(out, "EndTimecodeSMPTE", segment.end_timecode_smpte)
    _put(out, "DurationSMPTE", segment.duration_smpte)
    cue = segment.technical_cue_segment
    if cue is not None:
        cue_out: dict[str, Any] = {}
        if cue.type is not None:
            cue_out["Type"] = cue.type.value
        _put(cue_out, "Confidence", cue.confidence)
        out["TechnicalCueSegment"] = cue_out
    shot = segment.shot_segment
    if shot is not None:
        shot_out: dict[str, Any] = {}
        _put(shot_out, "Index", shot.index)
        _put(shot_out, "Confidence", shot.confidence)
        out["ShotSegment"] = shot_out
    _put(out, "StartFrameNumber", segment.start_frame_number)
    _put(out, "EndFrameNumber", segment.end_frame_number)
    _put(out, "DurationFrames", segment.duration_frames)
    return out


# -- metadata --------------------------------------------------------------------------------------------


def _video_metadata_from_wire(d: Mapping[str, Any]) -> VideoMetadata:
    return VideoMetadata(
        codec=d.get("Codec"),
        duration_millis=d.get("DurationMillis"),
        format=d.get("Format"),
        frame_rate=d.get("FrameRate"),
        frame_height=d.get("FrameHeight"),
        frame_width=d.get("FrameWidth"),
        color_range=_enum(VideoColorRange, _COLOR_RANGES, d.get("ColorRange")),
    )


def _video_metadata_to_wire(meta: VideoMetadata) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "Codec", meta.codec)
    _put(out, "DurationMillis", meta.duration_millis)
    _put(out, "Format", meta.format)
    _put(out, "FrameRate", meta.frame_rate)
    _put(out, "FrameHeight", meta.frame_height)
    _put(out, "FrameWidth", meta.frame_width)
    if meta.color_range is not None:
        out["ColorRange"] = meta.color_range.value
    return out


def _audio_metadata_from_wire(d: Mapping[str, Any]) -> AudioMetadata:
    return AudioMetadata(
        codec=d.get("Codec"),
        duration_millis=d.get("DurationMillis"),
        sample_rate=d.get("SampleRate"),
        number_of_channels=d.get("NumberOfChannels"),
    )


def _audio_metadata_to_wire(meta: AudioMetadata) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "Codec", meta.codec)
    _put(out, "DurationMillis", meta.duration_millis)
    _put(out, "SampleRate", meta.sample_rate)
    _put(out, "NumberOfChannels", meta.number_of_channels)
    return out


def _type_info_from_wire(d: Mapping[str, Any]) -> SegmentTypeInfo:
    return SegmentTypeInfo(type=_enum(SegmentType, _SEGMENT_TYPES, d.get("Type")), model_version=d.get("ModelVersion"))


def _type_info_to_wire(info: SegmentTypeInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if info.type is not None:
        out["Type"] = info.type.value
    _put(out, "ModelVersion", info.model_version)
    return out


# -- pages and results -----------------------------------------------------------------------------------


def rate_of(video_metadata: tuple[VideoMetadata, ...] | None) -> FrameRate | None:
    """Return the exact rate of the first usable ``FrameRate`` in the metadata, or ``None``.

    A rate the service reports as 0 (or otherwise unusable) is skipped rather than raised: reading a
    response must never fail on the service's own numbers; timecode views then say the rate is unknown.
    """
    for meta in video_metadata or ():
        if meta.frame_rate is not None:
            try:
                return FrameRate.from_float(meta.frame_rate)
            except ValidationError:
                continue
    return None


def page_from_wire(d: Mapping[str, Any]) -> SegmentDetectionPage:
    """Build a `SegmentDetectionPage` from a GetSegmentDetection response dict.

    Raises:
        ValidationError: A member has the wrong JSON type; the error names its path.
    """
    get = _checked(d, _PAGE_SHAPE, "").get
    raw_video_meta = get("VideoMetadata")
    video_metadata = (
        None
        if raw_video_meta is None
        else tuple(
            map(_video_metadata_from_wire, _checked_list(raw_video_meta, _VIDEO_METADATA_SHAPE, "VideoMetadata"))
        )
    )
    raw_audio_meta = get("AudioMetadata")
    raw_segments = get("Segments")
    raw_types = get("SelectedSegmentTypes")
    rate = rate_of(video_metadata)
    segments = None
    if raw_segments is not None:
        try:
            segments = tuple([segment_from_wire(s, rate) for s in raw_segments])
        except ValidationError:
            # Only a failing body pays for the path: find the first bad segment again, naming its index.
            for i, s in enumerate(raw_segments):
                segment_from_wire(s, rate, f"Segments[{i}]")
            raise
    return SegmentDetectionPage(
        job_status=_enum(JobStatus, _JOB_STATUSES, get("JobStatus")),
        status_message=get("StatusMessage"),
        video_metadata=video_metadata,
        audio_metadata=None
        if raw_audio_meta is None
        else tuple(
            map(_audio_metadata_from_wire, _checked_list(raw_audio_meta, _AUDIO_METADATA_SHAPE, "AudioMetadata"))
        ),
        next_token=get("NextToken"),
        segments=segments,
        selected_segment_types=None
        if raw_types is None
        else tuple(map(_type_info_from_wire, _checked_list(raw_types, _TYPE_INFO_SHAPE, "SelectedSegmentTypes"))),
        job_id=get("JobId"),
        video=video_from_wire(get("Video")),
        job_tag=get("JobTag"),
    )


def _common_to_wire(
    out: dict[str, Any], item: SegmentDetectionPage | SegmentDetectionResult, next_token: str | None
) -> dict[str, Any]:
    if item.job_status is not None:
        out["JobStatus"] = item.job_status.value
    _put(out, "StatusMessage", item.status_message)
    if item.video_metadata is not None:
        out["VideoMetadata"] = [_video_metadata_to_wire(m) for m in item.video_metadata]
    if item.audio_metadata is not None:
        out["AudioMetadata"] = [_audio_metadata_to_wire(m) for m in item.audio_metadata]
    _put(out, "NextToken", next_token)
    if item.segments is not None:
        out["Segments"] = [segment_to_wire(s) for s in item.segments]
    if item.selected_segment_types is not None:
        out["SelectedSegmentTypes"] = [_type_info_to_wire(t) for t in item.selected_segment_types]
    _put(out, "JobId", item.job_id)
    if item.video is not None:
        out["Video"] = video_to_wire(item.video)
    _put(out, "JobTag", item.job_tag)
    return out


def page_to_wire(page: SegmentDetectionPage) -> dict[str, Any]:
    """Return a page as its GetSegmentDetection response dict."""
    return _common_to_wire({}, page, page.next_token)


def result_to_wire(result: SegmentDetectionResult) -> dict[str, Any]:
    """Return a result as one GetSegmentDetection response dict; ``NextToken`` only on a partial result."""
    return _common_to_wire({}, result, result.next_token)


def merge_pages(pages: Iterable[SegmentDetectionPage]) -> SegmentDetectionResult:
    """Merge pages into one result: metadata and job fields from the first page, segments from all, in order.

    Raises:
        ValidationError: There are no pages.
    """
    first: SegmentDetectionPage | None = None
    segments: list[Segment] | None = None
    for page in pages:
        if first is None:
            first = page
        if page.segments is not None:
            if segments is None:
                segments = []
            segments.extend(page.segments)
    if first is None:
        raise ValidationError("pages", "must hold at least one page", [])
    return SegmentDetectionResult(
        job_status=first.job_status,
        status_message=first.status_message,
        video_metadata=first.video_metadata,
        audio_metadata=first.audio_metadata,
        segments=None if segments is None else tuple(segments),
        selected_segment_types=first.selected_segment_types,
        job_id=first.job_id,
        video=first.video,
        job_tag=first.job_tag,
    )
