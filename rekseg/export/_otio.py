"""OpenTimelineIO: a timeline at the video's exact rate, one clip per shot, technical cues as markers.

Needs the optional extra (``pip install 'rekseg[otio]'``); importing rekseg never imports opentimelineio.
OTIO rates are floats: the timeline uses ``float(rate)`` (29.97002997002997 for 30000/1001) and every time
is a whole number of frames at that rate, so frame counts come back exact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from .._enums import TechnicalCueType
from .._exceptions import ValidationError
from .._results import SegmentDetectionResult
from .._timecode import Timecode
from .._wire import segment_to_wire
from ._common import (
    Destination,
    default_title,
    drop_frame_of,
    events_of,
    open_destination,
    rate_of,
    segment_title,
    start_frame,
)

if TYPE_CHECKING:
    import opentimelineio

__all__ = ["to_otio_timeline", "write_otio"]

_MARKER_COLORS: Final = {
    TechnicalCueType.COLOR_BARS: "PURPLE",
    TechnicalCueType.SLATE: "PURPLE",
    TechnicalCueType.STUDIO_LOGO: "BLUE",
    TechnicalCueType.OPENING_CREDITS: "YELLOW",
    TechnicalCueType.END_CREDITS: "YELLOW",
    TechnicalCueType.BLACK_FRAMES: "BLACK",
    TechnicalCueType.CONTENT: "GREEN",
}


def _otio() -> Any:
    try:
        import opentimelineio  # noqa: PLC0415 -- optional extra rekseg[otio], loaded by the OTIO export only
    except ImportError as exc:
        raise ModuleNotFoundError(
            "OpenTimelineIO export needs the optional extra: pip install 'rekseg[otio]'", name="opentimelineio"
        ) from exc
    return opentimelineio


def to_otio_timeline(
    result: SegmentDetectionResult,
    *,
    title: str | None = None,
    start_timecode: Timecode | str | None = None,
) -> opentimelineio.schema.Timeline:
    """Build an OTIO timeline: one video track, one clip per shot at its place, technical cues as markers.

    Clips reference the video (``s3://bucket/key``) when the result names it; gaps fill any frames no shot
    covers, so each clip sits at its own frame. Each clip and marker carries the service's segment dict under
    ``metadata["rekseg"]``.

    Args:
        result: The result; it must know its frame rate.
        title: The timeline's name; defaults to the video's file name, else the job id.
        start_timecode: The timeline's global start time (``"01:00:00:00"`` or a `Timecode`).

    Raises:
        ModuleNotFoundError: OpenTimelineIO is not installed (``pip install 'rekseg[otio]'``).
        ValidationError: The frame rate is unknown, or two shots overlap and cannot share one track.
    """
    otio = _otio()
    rate = rate_of(result)
    fps = float(rate.fraction)
    drop = drop_frame_of(result, rate)

    def time(frames: int) -> Any:
        return otio.opentime.RationalTime(frames, fps)

    def span(first: int, count: int) -> Any:
        return otio.opentime.TimeRange(start_time=time(first), duration=time(count))

    s3 = None if result.video is None else result.video.s3_object
    track = otio.schema.Track(name="Shots", kind=otio.schema.TrackKind.Video)
    cursor = 0
    for segment, frames in events_of(result, "shots"):
        if frames.first_frame < cursor:
            raise ValidationError("shots", "overlap, so they cannot sit on one track", segment_title(segment))
        if frames.first_frame > cursor:
            track.append(otio.schema.Gap(source_range=span(0, frames.first_frame - cursor)))
        reference = (
            otio.schema.ExternalReference(target_url=s3.uri)
            if s3 is not None and s3.bucket and s3.name
            else otio.schema.MissingReference()
        )
        track.append(
            otio.schema.Clip(
                name=segment_title(segment),
                media_reference=reference,
                source_range=span(frames.first_frame, frames.frame_count),
                metadata={"rekseg": segment_to_wire(segment)},
            )
        )
        cursor = frames.stop_frame
    cues = events_of(result, "technical_cues")
    reach = max((frames.stop_frame for _, frames in cues), default=0)
    if reach > cursor:
        track.append(otio.schema.Gap(source_range=span(0, reach - cursor)))
    for segment, frames in cues:
        cue = segment.cue_type
        track.markers.append(
            otio.schema.Marker(
                name=segment_title(segment),
                marked_range=span(frames.first_frame, frames.frame_count),
                color=getattr(otio.schema.MarkerColor, _MARKER_COLORS.get(cue, "RED") if cue else "RED"),
                metadata={"rekseg": segment_to_wire(segment)},
            )
        )
    timeline = otio.schema.Timeline(name=default_title(result) if title is None else title)
    if start_timecode is not None:
        timeline.global_start_time = time(start_frame(start_timecode, rate, drop))
    timeline.tracks.append(track)
    return timeline


def write_otio(
    result: SegmentDetectionResult,
    destination: Destination,
    *,
    title: str | None = None,
    start_timecode: Timecode | str | None = None,
) -> None:
    """Write `to_otio_timeline` as an ``.otio`` (OTIO JSON) file.

    Raises:
        ModuleNotFoundError: OpenTimelineIO is not installed (``pip install 'rekseg[otio]'``).
        ValidationError: The frame rate is unknown, or two shots overlap.
    """
    otio = _otio()
    text: str = otio.adapters.write_to_string(
        to_otio_timeline(result, title=title, start_timecode=start_timecode), "otio_json"
    )
    with open_destination(destination) as stream:
        stream.write(text)
        if not text.endswith("\n"):
            stream.write("\n")
