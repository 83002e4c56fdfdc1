"""The codecs of the service's shapes: wire dicts into leaf models and back.

Pages and results are assembled from these codecs in `rekseg._results`; the segment's own to-wire codec,
`segment_to_wire`, lives beside `Segment` in `rekseg._models` (so ``Segment.to_response`` imports nothing from
here) and is re-exported by this module.

Lossless by construction: a key absent from the dict stays ``None`` on the model and absent again on the
way back; enum values the release does not know are kept as open enum members; keys the model does not
know are ignored. Written out by hand, shape by shape, because this is the hot path of every page.

Reading is also where a hostile body stops: a value of the wrong JSON type (a string where an int belongs, a
dict where a list belongs, ``null`` in a list) raises `ValidationError` naming its path, such as
``Segments[3].StartTimestampMillis``, and never reaches a model. The check is one ``type(x) is T`` per field on
the hot path; only a failing body pays for finding the culprit.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, NoReturn, TypeAlias, TypeVar

import attrs

from ._enums import JobStatus, SegmentType, TechnicalCueType, VideoColorRange, _OpenEnum
from ._exceptions import ValidationError
from ._models import (
    AudioMetadata,
    BlackFrame,
    NotificationChannel,
    S3Object,
    Segment,
    SegmentTypeInfo,
    ShotFilter,
    ShotSegment,
    TechnicalCueFilter,
    TechnicalCueSegment,
    Video,
    VideoMetadata,
    _put,
    segment_to_wire,
)
from ._timecode import FrameRate

__all__ = [
    "ResponseDict",
    "audio_metadata_from_wire",
    "audio_metadata_list_from_wire",
    "audio_metadata_to_wire",
    "check_page_shape",
    "filters_to_wire",
    "job_status_from_wire",
    "notification_channel_to_wire",
    "segment_from_frames",
    "segment_from_wire",
    "segment_to_wire",
    "segment_type_info_from_wire",
    "segment_type_info_to_wire",
    "segment_type_infos_from_wire",
    "segments_from_wire",
    "video_from_wire",
    "video_metadata_from_wire",
    "video_metadata_list_from_wire",
    "video_metadata_to_wire",
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


_INT_BITS: Final = 128
"""Ints from the wire must have fewer bits than this (``bit_length``, sign aside). The model's are 64-bit Longs and
ULongs; the bound is wider (so no value of the model is refused) and still far from where a conversion to float
overflows."""


def _bad_number(value: object) -> str | None:
    """Return the rule a JSON number breaks, or ``None``: ints within 64 bits, floats finite.

    Python's ``json`` reads ``NaN``, ``Infinity`` and ints of thousands of digits; the model has none of them,
    and they would end in an `OverflowError` (or a NaN that compares false) far from the page.
    """
    if type(value) is int and value.bit_length() >= _INT_BITS:
        return f"must be an int of fewer than {_INT_BITS} bits"
    if type(value) is float and value - value != 0.0:  # NaN and infinities, without a call
        return "must be a finite number"
    return None


def _ints_fit(*values: int) -> bool:
    """Whether every int has fewer than `_INT_BITS` bits (sign aside)."""
    return all(value.bit_length() < _INT_BITS for value in values)


def _wrong_shape(d: object, shape: Mapping[str, tuple[type, ...]], where: str) -> NoReturn:
    """Raise a `ValidationError` naming the first member of ``d`` whose JSON type or value ``shape`` rules out."""
    if not isinstance(d, Mapping):
        raise ValidationError(where or "response", "must be an object", d)
    for key, allowed in shape.items():
        value = d.get(key)
        rule = None
        if type(value) not in allowed:
            rule = "must be " + " or ".join(_TYPE_NAMES[t] for t in allowed if t is not _NONE)
        else:
            rule = _bad_number(value)
        if rule is not None:
            raise ValidationError(f"{where}.{key}" if where else key, rule, value)
    raise ValidationError(where or "response", "is malformed", d)  # pragma: no cover - callers checked first


def _checked(d: object, shape: Mapping[str, tuple[type, ...]], where: str) -> Mapping[str, Any]:
    """Return ``d`` when it is an object whose members have the JSON types of ``shape``, in range; else raise."""
    if not isinstance(d, Mapping) or any(
        type(value := d.get(key)) not in allowed or _bad_number(value) is not None for key, allowed in shape.items()
    ):
        _wrong_shape(d, shape, where)
    return d


def _checked_list(items: object, shape: Mapping[str, tuple[type, ...]], where: str) -> list[Mapping[str, Any]]:
    if not isinstance(items, list):
        raise ValidationError(where, "must be a list", items)
    return [_checked(item, shape, f"{where}[{i}]") for i, item in enumerate(items)]


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


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[object, Any], None], ...]:
    """Return the slot setters of the attrs class ``cls``, one per field, in ``names`` order.

    The hot path builds `Segment`, `ShotSegment` and `TechnicalCueSegment` with these instead of their attrs
    ``__init__`` (a keyword call, then one generic ``object.__setattr__`` per field): about half the cost per
    segment. That is only the same object when the class has exactly these fields and nothing for ``__init__``
    to run (no validator, converter, factory or ``__attrs_post_init__``), which is checked here, at import.
    """
    fields = attrs.fields(cls)
    plain = all(f.validator is None and f.converter is None and f.init for f in fields)
    if tuple(f.name for f in fields) != names or not plain or hasattr(cls, "__attrs_post_init__"):
        raise RuntimeError(f"rekseg._wire builds {cls.__name__} from its slots; its fields changed: update the builder")
    return tuple(getattr(cls, name).__set__ for name in names)


_new = object.__new__
(
    _set_type,
    _set_start,
    _set_end,
    _set_duration,
    _set_start_smpte,
    _set_end_smpte,
    _set_duration_smpte,
    _set_cue,
    _set_shot,
    _set_start_frame,
    _set_end_frame,
    _set_duration_frames,
    _set_rate,
) = _slot_setters(
    Segment,
    (
        "type",
        "start_timestamp_millis",
        "end_timestamp_millis",
        "duration_millis",
        "start_timecode_smpte",
        "end_timecode_smpte",
        "duration_smpte",
        "technical_cue_segment",
        "shot_segment",
        "start_frame_number",
        "end_frame_number",
        "duration_frames",
        "frame_rate",
    ),
)
_set_shot_index, _set_shot_confidence = _slot_setters(ShotSegment, ("index", "confidence"))
_set_cue_type, _set_cue_confidence = _slot_setters(TechnicalCueSegment, ("type", "confidence"))
_SHOT: Final = SegmentType.SHOT
_ALWAYS_SENT_KEYS: Final = (
    "Type",
    "StartTimestampMillis",
    "EndTimestampMillis",
    "DurationMillis",
    "StartTimecodeSMPTE",
    "EndTimecodeSMPTE",
    "DurationSMPTE",
    "StartFrameNumber",
    "EndFrameNumber",
    "DurationFrames",
)
_ALWAYS_SENT: Final = operator.itemgetter(*_ALWAYS_SENT_KEYS)
_CUE: Final = SegmentType.TECHNICAL_CUE


def segment_from_wire(d: Mapping[str, Any], frame_rate: FrameRate | None = None, where: str = "") -> Segment:
    """Build a `Segment` from a ``SegmentDetection`` dict.

    Raises:
        ValidationError: A member has the wrong JSON type; ``where`` prefixes the path it names.
    """
    return _build_segments((d,), frame_rate, where)[0]


def _build_segments(items: Iterable[Any], frame_rate: FrameRate | None, where: str = "") -> list[Segment]:
    """Build a `Segment` from each ``SegmentDetection`` dict of ``items``: the hot loop of every page.

    One loop rather than a call per segment, one identity test per member (all six ints, then all four strings
    at once when none is absent), slot setters instead of keyword calls: written out, not looped over the shape.

    Raises:
        ValidationError: A member has the wrong JSON type; ``where`` prefixes the path it names.
    """
    segments: list[Segment] = []
    append = segments.append
    for d in items:
        try:
            members = _ALWAYS_SENT(d)  # the ten members the service always sends, in one C call
        except (KeyError, TypeError):
            # A member is absent (it stays None), or ``d`` is no object at all.
            if not isinstance(d, Mapping):
                _wrong_shape(d, _SEGMENT_SHAPE, where)
            members = tuple(map(d.get, _ALWAYS_SENT_KEYS))
        kind, start, end, duration, start_smpte, end_smpte, duration_smpte, start_frame, end_frame, duration_frames = (
            members
        )
        get = d.get
        cue = get("TechnicalCueSegment")
        shot = get("ShotSegment")
        if (
            type(start)
            is type(end)
            is type(duration)
            is type(start_frame)
            is type(end_frame)
            is type(duration_frames)
            is int
            and type(kind) is type(start_smpte) is type(end_smpte) is type(duration_smpte) is str
        ):
            # Non-negative ints below 2**128 leave nothing when OR-ed together and shifted right 128 bits; only a
            # negative (never sent, but in the model's range) or an oversized one takes the exact test.
            if (start | end | duration | start_frame | end_frame | duration_frames) >> _INT_BITS and not _ints_fit(
                start, end, duration, start_frame, end_frame, duration_frames
            ):
                _wrong_shape(d, _SEGMENT_SHAPE, where)
        elif not (
            # Some member absent (None): the same tests, member by member.
            (start is None or (type(start) is int and start.bit_length() < _INT_BITS))
            and (end is None or (type(end) is int and end.bit_length() < _INT_BITS))
            and (duration is None or (type(duration) is int and duration.bit_length() < _INT_BITS))
            and (start_frame is None or (type(start_frame) is int and start_frame.bit_length() < _INT_BITS))
            and (end_frame is None or (type(end_frame) is int and end_frame.bit_length() < _INT_BITS))
            and (duration_frames is None or (type(duration_frames) is int and duration_frames.bit_length() < _INT_BITS))
            and (type(kind) is str or kind is None)
            and (type(start_smpte) is str or start_smpte is None)
            and (type(end_smpte) is str or end_smpte is None)
            and (type(duration_smpte) is str or duration_smpte is None)
        ):
            _wrong_shape(d, _SEGMENT_SHAPE, where)
        segment = _new(Segment)
        if type(shot) is dict:
            index = shot.get("Index")
            confidence = shot.get("Confidence")
            if not (
                (index is None or (type(index) is int and index.bit_length() < _INT_BITS))
                and (
                    (type(confidence) is float and confidence - confidence == 0.0)
                    or confidence is None
                    or (type(confidence) is int and confidence.bit_length() < _INT_BITS)
                )
            ):
                _wrong_shape(shot, _SHOT_SHAPE, f"{where}.ShotSegment" if where else "ShotSegment")
            shot_detail = _new(ShotSegment)
            _set_shot_index(shot_detail, index)
            _set_shot_confidence(shot_detail, confidence)
            _set_shot(segment, shot_detail)
        elif shot is None:
            _set_shot(segment, None)
        else:
            _wrong_shape(d, _SEGMENT_SHAPE, where)
        if type(cue) is dict:
            cue_type = cue.get("Type")
            confidence = cue.get("Confidence")
            if not (
                (type(cue_type) is str or cue_type is None)
                and (
                    (type(confidence) is float and confidence - confidence == 0.0)
                    or confidence is None
                    or (type(confidence) is int and confidence.bit_length() < _INT_BITS)
                )
            ):
                _wrong_shape(cue, _CUE_SHAPE, f"{where}.TechnicalCueSegment" if where else "TechnicalCueSegment")
            cue_detail = _new(TechnicalCueSegment)
            _set_cue_type(cue_detail, _enum(TechnicalCueType, _CUE_TYPES, cue_type))
            _set_cue_confidence(cue_detail, confidence)
            _set_cue(segment, cue_detail)
        elif cue is None:
            _set_cue(segment, None)
        else:
            _wrong_shape(d, _SEGMENT_SHAPE, where)
        if kind == "SHOT":
            _set_type(segment, _SHOT)
        elif kind == "TECHNICAL_CUE":
            _set_type(segment, _CUE)
        else:
            _set_type(segment, None if kind is None else SegmentType(kind))
        _set_start(segment, start)
        _set_end(segment, end)
        _set_duration(segment, duration)
        _set_start_smpte(segment, start_smpte)
        _set_end_smpte(segment, end_smpte)
        _set_duration_smpte(segment, duration_smpte)
        _set_start_frame(segment, start_frame)
        _set_end_frame(segment, end_frame)
        _set_duration_frames(segment, duration_frames)
        _set_rate(segment, frame_rate)
        append(segment)
    return segments


# -- metadata --------------------------------------------------------------------------------------------


def video_metadata_from_wire(d: Mapping[str, Any]) -> VideoMetadata:
    """Build a `VideoMetadata` from its wire dict (its member types checked by the caller)."""
    return VideoMetadata(
        codec=d.get("Codec"),
        duration_millis=d.get("DurationMillis"),
        format=d.get("Format"),
        frame_rate=d.get("FrameRate"),
        frame_height=d.get("FrameHeight"),
        frame_width=d.get("FrameWidth"),
        color_range=_enum(VideoColorRange, _COLOR_RANGES, d.get("ColorRange")),
    )


def video_metadata_to_wire(meta: VideoMetadata) -> dict[str, Any]:
    """Return the ``VideoMetadata`` wire dict."""
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


def audio_metadata_from_wire(d: Mapping[str, Any]) -> AudioMetadata:
    """Build an `AudioMetadata` from its wire dict (its member types checked by the caller)."""
    return AudioMetadata(
        codec=d.get("Codec"),
        duration_millis=d.get("DurationMillis"),
        sample_rate=d.get("SampleRate"),
        number_of_channels=d.get("NumberOfChannels"),
    )


def audio_metadata_to_wire(meta: AudioMetadata) -> dict[str, Any]:
    """Return the ``AudioMetadata`` wire dict."""
    out: dict[str, Any] = {}
    _put(out, "Codec", meta.codec)
    _put(out, "DurationMillis", meta.duration_millis)
    _put(out, "SampleRate", meta.sample_rate)
    _put(out, "NumberOfChannels", meta.number_of_channels)
    return out


def segment_type_info_from_wire(d: Mapping[str, Any]) -> SegmentTypeInfo:
    """Build a `SegmentTypeInfo` from its wire dict (its member types checked by the caller)."""
    return SegmentTypeInfo(type=_enum(SegmentType, _SEGMENT_TYPES, d.get("Type")), model_version=d.get("ModelVersion"))


def segment_type_info_to_wire(info: SegmentTypeInfo) -> dict[str, Any]:
    """Return the ``SegmentTypeInfo`` wire dict."""
    out: dict[str, Any] = {}
    if info.type is not None:
        out["Type"] = info.type.value
    _put(out, "ModelVersion", info.model_version)
    return out


# -- the members of a page -------------------------------------------------------------------------------


def check_page_shape(d: object) -> Mapping[str, Any]:
    """Return ``d`` when it is a GetSegmentDetection response whose top-level members have the right JSON types.

    Raises:
        ValidationError: ``d`` is not an object, or a member has the wrong JSON type; the error names it.
    """
    return _checked(d, _PAGE_SHAPE, "")


def job_status_from_wire(value: str | None) -> JobStatus | None:
    """Return the `JobStatus` of a ``JobStatus`` member (an unknown value is kept), or ``None``."""
    return _enum(JobStatus, _JOB_STATUSES, value)


_M = TypeVar("_M")


def _models_from_wire(
    items: object, shape: Mapping[str, tuple[type, ...]], where: str, build: Callable[[Mapping[str, Any]], _M]
) -> tuple[_M, ...] | None:
    """Build one list member of a page with ``build`` after checking its items against ``shape``.

    Raises:
        ValidationError: The member is not a list of objects of the right member types; the error names the path.
    """
    if items is None:
        return None
    return tuple(map(build, _checked_list(items, shape, where)))


def video_metadata_list_from_wire(items: object) -> tuple[VideoMetadata, ...] | None:
    """Build the ``VideoMetadata`` member of a page (``None`` stays ``None``).

    Raises:
        ValidationError: The member is not a list of objects of the right member types; the error names the path.
    """
    return _models_from_wire(items, _VIDEO_METADATA_SHAPE, "VideoMetadata", video_metadata_from_wire)


def audio_metadata_list_from_wire(items: object) -> tuple[AudioMetadata, ...] | None:
    """Build the ``AudioMetadata`` member of a page (``None`` stays ``None``).

    Raises:
        ValidationError: The member is not a list of objects of the right member types; the error names the path.
    """
    return _models_from_wire(items, _AUDIO_METADATA_SHAPE, "AudioMetadata", audio_metadata_from_wire)


def segment_type_infos_from_wire(items: object) -> tuple[SegmentTypeInfo, ...] | None:
    """Build the ``SelectedSegmentTypes`` member of a page (``None`` stays ``None``).

    Raises:
        ValidationError: The member is not a list of objects of the right member types; the error names the path.
    """
    return _models_from_wire(items, _TYPE_INFO_SHAPE, "SelectedSegmentTypes", segment_type_info_from_wire)


def segments_from_wire(items: list[Any] | None, frame_rate: FrameRate | None) -> tuple[Segment, ...] | None:
    """Build the ``Segments`` member of a page, each segment knowing ``frame_rate`` (``None`` stays ``None``).

    Raises:
        ValidationError: A segment is malformed; the error names its path, such as ``Segments[3].DurationMillis``.
    """
    if items is None:
        return None
    try:
        return tuple(_build_segments(items, frame_rate))
    except ValidationError:
        # Only a failing body pays for the path: find the first bad segment again, naming its index.
        for i, s in enumerate(items):
            segment_from_wire(s, frame_rate, f"Segments[{i}]")
        raise


def segment_from_frames(
    kind: str,
    first: int,
    last: int,
    detail: tuple[str, dict[str, Any]],
    *,
    label: Callable[[int], str],
    millis: Callable[[int], int],
) -> dict[str, Any]:
    """Return one ``SegmentDetection`` wire dict for frames ``first`` to ``last`` (inclusive), as the service writes it.

    Millis are each frame's start rounded down (``millis``), durations are end minus start (one frame less than
    the frame count), labels come from ``label`` (`rekseg._timecode.frame_labeller`). ``detail`` is the
    ``("ShotSegment", {...})`` or ``("TechnicalCueSegment", {...})`` member. The synthetic results of
    `rekseg.testing` and the local detector both write their segments here.
    """
    start_ms, end_ms = millis(first), millis(last)
    return {
        "Type": kind,
        "StartTimestampMillis": start_ms,
        "EndTimestampMillis": end_ms,
        "DurationMillis": end_ms - start_ms,
        "StartTimecodeSMPTE": label(first),
        "EndTimecodeSMPTE": label(last),
        "DurationSMPTE": label(last - first),
        detail[0]: detail[1],
        "StartFrameNumber": first,
        "EndFrameNumber": last,
        "DurationFrames": last - first,
    }
