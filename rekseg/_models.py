"""Typed models of the shapes StartSegmentDetection and GetSegmentDetection use.

Field names are ``botocore.xform_name`` of the service's member names, so ``StartTimestampMillis`` is
``start_timestamp_millis``. Every field the service may omit is optional and stays ``None`` when absent:
nothing is filled in or "corrected". Turning wire dicts into models and back lives in `rekseg._wire`, except
`segment_to_wire`, which lives here beside `Segment` so that `Segment.to_response` needs no import of `_wire`
(which imports this module); `_wire` re-exports it. Pages and results are in `rekseg._results`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
from typing_extensions import Self

from ._enums import SegmentType, TechnicalCueType, VideoColorRange
from ._exceptions import ValidationError
from ._timecode import FrameRange, FrameRate, Timecode
from ._validation import (
    check_bucket,
    check_length,
    check_number,
    check_object_name,
    check_role_arn,
    check_sns_topic_arn,
    field_check,
)

if TYPE_CHECKING:
    from ._wire import ResponseDict

__all__ = [
    "AudioMetadata",
    "BlackFrame",
    "NotificationChannel",
    "S3Object",
    "Segment",
    "SegmentTypeInfo",
    "ShotFilter",
    "ShotSegment",
    "TechnicalCueFilter",
    "TechnicalCueSegment",
    "Video",
    "VideoMetadata",
    "segment_range",
    "segment_to_wire",
]


def _confidence_check(field: str, value: float) -> None:
    check_number(field, value, 50, 100)


def _optional_instance(field: str, cls: type[Any]) -> Any:
    """An attrs validator: ``value`` is ``None`` or a ``cls``, else a `ValidationError` naming ``field``."""

    def validator(_instance: Any, _attribute: Any, value: Any) -> None:
        if value is not None and not isinstance(value, cls):
            raise ValidationError(field, f"must be a rekseg.{cls.__name__} or None", value)

    return validator


# -- shared: the video ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class S3Object:
    """An object in S3: the video to analyse.

    Attributes:
        bucket: Bucket name (3-255 characters of ``[0-9A-Za-z.-_]``).
        name: Object key (1-1024 characters).
        version: Object version id, for versioned buckets.
    """

    bucket: str | None = attrs.field(
        default=None, validator=field_check("S3Object.bucket", lambda f, v: check_bucket(v, f))
    )
    name: str | None = attrs.field(
        default=None, validator=field_check("S3Object.name", lambda f, v: check_object_name(v, f))
    )
    version: str | None = attrs.field(
        default=None, validator=field_check("S3Object.version", lambda f, v: check_length(f, v, 1, 1024))
    )

    @property
    def uri(self) -> str:
        """The object as an ``s3://bucket/key`` URI (with ``?versionId=`` when versioned)."""
        uri = f"s3://{self.bucket or ''}/{self.name or ''}"
        return f"{uri}?versionId={self.version}" if self.version else uri


@attrs.frozen(kw_only=True)
class Video:
    """The video a job analyses.

    Attributes:
        s3_object: Where the video is stored.
    """

    s3_object: S3Object | None = attrs.field(default=None, validator=_optional_instance("Video.s3_object", S3Object))


# -- request side ----------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class NotificationChannel:
    """Where the service publishes the job's completion: an SNS topic, and a role allowed to publish to it.

    Attributes:
        sns_topic_arn: ``arn:aws:sns:REGION:ACCOUNT:TOPIC``. With the managed AmazonRekognitionServiceRole
            policy, the topic name must begin with ``AmazonRekognition``.
        role_arn: ``arn:aws:iam::ACCOUNT:role/NAME``, a role Rekognition may assume to publish.
    """

    # Both are required (None included is refused): the service rejects a channel missing either.
    sns_topic_arn: str = attrs.field(
        validator=lambda _i, _a, v: check_sns_topic_arn(v, "NotificationChannel.sns_topic_arn")
    )
    role_arn: str = attrs.field(validator=lambda _i, _a, v: check_role_arn(v, "NotificationChannel.role_arn"))


@attrs.frozen(kw_only=True)
class ShotFilter:
    """Filter for shot detection (``StartShotDetectionFilter``).

    Attributes:
        min_segment_confidence: Drop shots detected with less confidence (50-100; service default 50).
    """

    min_segment_confidence: float | None = attrs.field(
        default=None, validator=field_check("ShotFilter.min_segment_confidence", _confidence_check)
    )


@attrs.frozen(kw_only=True)
class BlackFrame:
    """What counts as a black frame.

    Attributes:
        max_pixel_threshold: Brightest pixel value, as a fraction of the color range, still counted as
            black (0-1; service default 0.2).
        min_coverage_percentage: Share of pixels that must be at or below the threshold (0-100; service
            default 99).
    """

    max_pixel_threshold: float | None = attrs.field(
        default=None,
        validator=field_check("BlackFrame.max_pixel_threshold", lambda f, v: check_number(f, v, 0, 1)),
    )
    min_coverage_percentage: float | None = attrs.field(
        default=None,
        validator=field_check("BlackFrame.min_coverage_percentage", lambda f, v: check_number(f, v, 0, 100)),
    )


@attrs.frozen(kw_only=True)
class TechnicalCueFilter:
    """Filter for technical cue detection (``StartTechnicalCueDetectionFilter``).

    Attributes:
        min_segment_confidence: Drop cues detected with less confidence (50-100; service default 50).
        black_frame: What counts as a black frame.
    """

    min_segment_confidence: float | None = attrs.field(
        default=None, validator=field_check("TechnicalCueFilter.min_segment_confidence", _confidence_check)
    )
    black_frame: BlackFrame | None = attrs.field(
        default=None, validator=_optional_instance("TechnicalCueFilter.black_frame", BlackFrame)
    )


# -- response side ---------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class VideoMetadata:
    """Facts about the analysed video's picture.

    Attributes:
        codec: Codec name, such as ``h264``.
        duration_millis: Length of the video in milliseconds.
        format: Container format, such as ``QuickTime / MOV``.
        frame_rate: Frames per second as the service reports it, e.g. ``29.970029830932617``.
            `rational_frame_rate` gives the exact rate.
        frame_height: Height in pixels.
        frame_width: Width in pixels.
        color_range: Full or limited color range.
    """

    codec: str | None = None
    duration_millis: int | None = None
    format: str | None = None
    frame_rate: float | None = None
    frame_height: int | None = None
    frame_width: int | None = None
    color_range: VideoColorRange | None = None

    @property
    def rational_frame_rate(self) -> FrameRate | None:
        """The exact frame rate (``FrameRate(30000, 1001)`` for 29.97...), or ``None`` if not reported."""
        return None if self.frame_rate is None else FrameRate.from_float(self.frame_rate)


@attrs.frozen(kw_only=True)
class AudioMetadata:
    """Facts about one audio stream of the analysed video.

    Attributes:
        codec: Codec name, such as ``aac``.
        duration_millis: Length of the stream in milliseconds.
        sample_rate: Samples per second.
        number_of_channels: Channel count.
    """

    codec: str | None = None
    duration_millis: int | None = None
    sample_rate: int | None = None
    number_of_channels: int | None = None


@attrs.frozen(kw_only=True)
class SegmentTypeInfo:
    """A segment type the job detected, with the model version that detected it.

    Attributes:
        type: The segment type.
        model_version: Version of the detection model.
    """

    type: SegmentType | None = None
    model_version: str | None = None


@attrs.frozen(kw_only=True)
class TechnicalCueSegment:
    """What a technical cue segment is.

    Attributes:
        type: The cue: color bars, slate, studio logo, opening or end credits, black frames, content, or a
            value added to the service after this release (kept as is).
        confidence: Detection confidence, 50-100.
    """

    type: TechnicalCueType | None = None
    confidence: float | None = None


@attrs.frozen(kw_only=True)
class ShotSegment:
    """What a shot segment is.

    Attributes:
        index: 0-based position of the shot in the video.
        confidence: Detection confidence, 50-100.
    """

    index: int | None = None
    confidence: float | None = None


@attrs.frozen(kw_only=True)
class Segment:
    """One detected segment (the service's ``SegmentDetection``): a shot or a technical cue.

    The service's numbers are kept exactly as sent. Note how it counts: ``end_*`` fields name the *last*
    frame of the segment, inclusive, and ``duration_*`` fields are end minus start, one frame less than the
    number of frames the segment spans. `frame_count` gives the true count, and `start_timecode` /
    `end_timecode` give exact `Timecode` values.

    Attributes:
        type: Shot or technical cue.
        start_timestamp_millis: Start of the first frame, in ms from the start of the video, rounded down.
        end_timestamp_millis: Start of the last frame (inclusive), in ms, rounded down.
        duration_millis: ``end - start`` in ms, as the service reports it.
        start_timecode_smpte: First frame's SMPTE label; ``;`` before the frames means drop-frame.
        end_timecode_smpte: Last frame's SMPTE label (inclusive).
        duration_smpte: Duration as an SMPTE label, as the service reports it.
        technical_cue_segment: Cue type and confidence, for technical cues.
        shot_segment: Shot index and confidence, for shots.
        start_frame_number: 0-based number of the first frame.
        end_frame_number: 0-based number of the last frame (inclusive).
        duration_frames: ``end - start`` in frames, as the service reports it.
        frame_rate: The video's exact frame rate, copied from the page's `VideoMetadata` so the timecode
            views work; it is not part of the wire shape.
    """

    type: SegmentType | None = None
    start_timestamp_millis: int | None = None
    end_timestamp_millis: int | None = None
    duration_millis: int | None = None
    start_timecode_smpte: str | None = None
    end_timecode_smpte: str | None = None
    duration_smpte: str | None = None
    technical_cue_segment: TechnicalCueSegment | None = None
    shot_segment: ShotSegment | None = None
    start_frame_number: int | None = None
    end_frame_number: int | None = None
    duration_frames: int | None = None
    frame_rate: FrameRate | None = attrs.field(default=None, repr=False)

    # -- everyday conveniences -------------------------------------------------------------------------

    @property
    def is_shot(self) -> bool:
        """Whether this is a shot."""
        return self.type == SegmentType.SHOT

    @property
    def is_technical_cue(self) -> bool:
        """Whether this is a technical cue."""
        return self.type == SegmentType.TECHNICAL_CUE

    @property
    def confidence(self) -> float | None:
        """Detection confidence, from whichever of `shot_segment` / `technical_cue_segment` holds it."""
        if self.shot_segment is not None and self.shot_segment.confidence is not None:
            return self.shot_segment.confidence
        if self.technical_cue_segment is not None:
            return self.technical_cue_segment.confidence
        return None

    @property
    def cue_type(self) -> TechnicalCueType | None:
        """The technical cue type, or ``None`` for shots."""
        return None if self.technical_cue_segment is None else self.technical_cue_segment.type

    @property
    def shot_index(self) -> int | None:
        """The shot's 0-based index, or ``None`` for technical cues."""
        return None if self.shot_segment is None else self.shot_segment.index

    # -- frame-exact views -----------------------------------------------------------------------------
    #
    # A segment's position comes in three views: frame numbers, milliseconds and SMPTE labels. At the rates
    # SMPTE knows they agree exactly; at any other rate the labels do not count frames (a recorded segment
    # ends on frame 19 at 3000 ms and is labelled 00:00:03:00). So every view below reads ONE of them per
    # segment, in this order: frame numbers, else milliseconds, else labels; the labels stay as sent.

    def _rate(self) -> FrameRate:
        if self.frame_rate is None:
            raise ValidationError(
                "Segment.frame_rate",
                "is unknown, so timecodes cannot be computed: take segments from a page or result, "
                "or call segment.with_frame_rate(rate) (result.with_frame_rate(rate) for a whole result)",
                None,
            )
        return self.frame_rate

    @property
    def drop_frame(self) -> bool:
        """Whether the service labelled this segment in drop-frame timecode (from the ``;`` separator)."""
        label = self.start_timecode_smpte or self.end_timecode_smpte or ""
        return ";" in label

    def _drop_at(self, rate: FrameRate) -> bool:
        # Drop-frame labels at a rate that has none (a non-standard rate) label nothing: count non-drop.
        return self.drop_frame and rate.supports_drop_frame

    def _frame(self, number: int | None, millis: int | None, label: str | None) -> int | None:
        if number is not None:
            return number
        if millis is not None:
            rate = self._rate()
            return Timecode.from_millis(millis, rate, self._drop_at(rate)).frame
        if label is not None:
            return Timecode.parse(label, self._rate()).frame
        return None

    def _frames(self) -> tuple[int | None, int | None]:
        """First and last frame from one view, never a mix: frame numbers, else millis, else SMPTE labels."""
        start_n, end_n = self.start_frame_number, self.end_frame_number
        if start_n is not None and end_n is not None:
            return start_n, end_n
        start_ms, end_ms = self.start_timestamp_millis, self.end_timestamp_millis
        if start_ms is not None and end_ms is not None:
            return self._frame(None, start_ms, None), self._frame(None, end_ms, None)
        start_l, end_l = self.start_timecode_smpte, self.end_timecode_smpte
        if start_l is not None and end_l is not None:
            return self._frame(None, None, start_l), self._frame(None, None, end_l)
        # No view has both ends: each end from the best view that has it.
        return self._frame(start_n, start_ms, start_l), self._frame(end_n, end_ms, end_l)

    def _timecode(self, frame: int | None) -> Timecode | None:
        if frame is None:
            return None
        rate = self._rate()
        return Timecode(frame, rate, self._drop_at(rate))

    @property
    def start_timecode(self) -> Timecode | None:
        """The first frame as a `Timecode` (at `first_frame`); ``None`` if the service sent no start at all.

        Its label is rekseg's exact SMPTE label of that frame, which at rates SMPTE knows is the service's
        ``start_timecode_smpte``; at other rates the service's label is kept as sent but not read.
        """
        return self._timecode(self._frames()[0])

    @property
    def end_timecode(self) -> Timecode | None:
        """The last frame, inclusive, as a `Timecode` (at `last_frame`); ``None`` if the service sent no end."""
        return self._timecode(self._frames()[1])

    @property
    def duration_timecode(self) -> Timecode | None:
        """The service's duration (end minus start frames) as a `Timecode` with the segment's labelling.

        Like the service's ``DurationSMPTE``, this is one frame less than `frame_count`.
        """
        start, end = self._frames()
        if start is None or end is None:
            return None
        return self._timecode(end - start)

    @property
    def first_frame(self) -> int | None:
        """0-based index of the first frame: the frame number, else from the millis, else from the label."""
        return self._frames()[0]

    @property
    def last_frame(self) -> int | None:
        """0-based index of the last frame, inclusive, read from the same view as `first_frame`."""
        return self._frames()[1]

    @property
    def frame_count(self) -> int | None:
        """How many frames the segment spans: ``last - first + 1`` (the service's duration plus one)."""
        start, end = self._frames()
        return None if start is None or end is None else end - start + 1

    def frame_range(self) -> FrameRange:
        """Return the frames the segment spans, ends inclusive: the typed view that is never ``None``.

        `first_frame`, `end_timecode` and the other views are ``Optional`` because the service may leave a
        position out. This one raises instead, so code checked with ``mypy --strict`` needs no ``None`` check
        on the segments of a finished job, which carry their positions and the video's frame rate::

            span = shot.frame_range()
            span.end + 1 == span.stop  # the frame after the last: an EDL out point

        The frames are read as `first_frame` and `last_frame` read them (`rekseg.analysis.segment_range`).

        Raises:
            ValidationError: The frame rate is unknown (field ``Segment.frame_rate``: take segments from a page
                or a result, or call `with_frame_rate`), or the segment carries no start or no end at all
                (field ``Segment.position``).
        """
        span = segment_range(self)
        if span is None:
            raise ValidationError(
                "Segment.position",
                "must have a start and an end (a frame number, millis or an SMPTE label) to give a frame range",
                self,
            )
        return span

    def with_frame_rate(self, rate: FrameRate | float | None) -> Self:
        """Return a copy that knows the video's frame rate, for segments built by hand."""
        fps = rate if rate is None or isinstance(rate, FrameRate) else FrameRate.from_float(rate)
        return attrs.evolve(self, frame_rate=fps)

    def to_response(self) -> ResponseDict:
        """Return the segment as the service's ``SegmentDetection`` dict."""
        return segment_to_wire(self)


# -- the segment's wire form -------------------------------------------------------------------------------


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


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


def segment_range(segment: Segment) -> FrameRange | None:
    """Return the frames a segment spans (ends inclusive), or ``None`` if it carries no position at all.

    The position is read from one view of the segment, never a mix: the frame numbers, else the milliseconds
    (mapped back with `Timecode.from_millis`, the inverse of the service's rounding), else the SMPTE labels,
    as `Segment.first_frame` reads them. This is the segment alone: analysis and exports also apply the
    shared-boundary rule of technical cues (see `program_structure`).

    Raises:
        ValidationError: The segment does not know its frame rate.
    """
    first, last = segment.start_frame_number, segment.end_frame_number
    if first is None or last is None:
        first, last = segment.first_frame, segment.last_frame
        if first is None or last is None:
            return None
    rate = _segment_rate(segment)
    drop = segment.drop_frame and rate.supports_drop_frame
    return FrameRange(Timecode(first, rate, drop), Timecode(last, rate, drop))


def _segment_rate(segment: Segment) -> FrameRate:
    if segment.frame_rate is None:
        raise ValidationError(
            "Segment.frame_rate", "is unknown: call segment.with_frame_rate(rate) or result.with_frame_rate(rate)", None
        )
    return segment.frame_rate
