"""CMX 3600 edit decision lists: one event per shot (or technical cue), frame-exact, drop-frame where labelled.

An event's in points are its first frame and its out points the frame *after* its last one (an EDL's out is
exclusive, while the service's end is the last frame). Source times are the video's own timecodes; record times
are the same positions moved to ``start_timecode`` (so the edit stays in sync with the video, and consecutive
shots give contiguous events). ``FCM: DROP FRAME`` is written when the service labelled the video drop-frame.
"""

from __future__ import annotations

from typing import Final

from .._exceptions import TimecodeError
from .._models import Segment
from .._results import SegmentDetectionResult
from .._timecode import FrameRange, FrameRate, Timecode
from ._common import (
    Destination,
    Events,
    check_events,
    check_reel,
    default_title,
    drop_frame_of,
    events_of,
    open_destination,
    rate_of,
    segment_title,
    start_frame,
)

__all__ = ["DEFAULT_REEL", "write_edl"]

DEFAULT_REEL: Final = "AX"
"""The reel name of every event: ``AX``, the usual name of an auxiliary source (a file rather than a tape)."""
_TITLE_LENGTH: Final = 70


def _clean(text: str) -> str:
    # One physical line per statement: a newline in a name would start a bogus statement.
    return " ".join(text.split())


def _comment(segment: Segment) -> str:
    confidence = segment.confidence
    tail = "" if confidence is None else f" CONFIDENCE {confidence}"
    if segment.is_shot or segment.shot_segment is not None:
        index = segment.shot_index
        return f"* COMMENT: SHOT{'' if index is None else f' INDEX {index}'}{tail}"
    cue = segment.cue_type
    return f"* COMMENT: TECHNICAL CUE{'' if cue is None else f' {cue.value}'}{tail}"


def write_edl(
    result: SegmentDetectionResult,
    destination: Destination,
    *,
    events: Events = "shots",
    start_timecode: Timecode | str | None = None,
    reel: str = DEFAULT_REEL,
    title: str | None = None,
) -> None:
    """Write a CMX 3600 EDL with one cut event per shot, or per technical cue.

    Args:
        result: The result; it must know its frame rate.
        destination: A path or a text stream.
        events: ``"shots"`` or ``"technical_cues"``.
        start_timecode: Record time of the video's first frame, such as ``"01:00:00:00"`` (read in the EDL's
            drop-frame or non-drop counting) or a `Timecode`; ``None`` starts at ``00:00:00:00``.
        reel: Source reel name: 1 to 8 letters, digits, ``_``, ``.`` or ``-`` (CMX 3600's limit).
        title: The ``TITLE:`` line (up to 70 characters); defaults to the video's file name, else the job id.

    Raises:
        ValidationError: Bad ``events``, ``reel`` or ``start_timecode``, or the frame rate is unknown.
        TimecodeError: A record time would pass 24 hours (field ``start_timecode``). Nothing is written then:
            every line is made before ``destination`` is opened.
    """
    kind = check_events(events)
    check_reel(reel)
    rate = rate_of(result)
    placed = events_of(result, kind)
    drop = drop_frame_of(result, rate)
    offset = start_frame(start_timecode, rate, drop)
    name = _clean(default_title(result) if title is None else title)[:_TITLE_LENGTH]
    _check_record_clock(offset, placed, rate, drop, start_timecode)
    # Every line is made before the destination is opened, so nothing can fail half-way through the file.
    lines = [f"TITLE: {name}\n", f"FCM: {'DROP FRAME' if drop else 'NON-DROP FRAME'}\n"]
    for number, (segment, span) in enumerate(placed, 1):
        source_in = Timecode(span.first_frame, rate, drop)
        source_out = Timecode(span.stop_frame, rate, drop)
        record_in = Timecode(offset + span.first_frame, rate, drop)
        record_out = Timecode(offset + span.stop_frame, rate, drop)
        # Fixed columns as CMX 3600 lays them out; event numbers past 999 simply widen the first field.
        # No blank lines: strict readers (pycmx) report them as unrecognized statements.
        lines.append(f"{number:03d}  {reel:<8} V     C        {source_in} {source_out} {record_in} {record_out}\n")
        lines.append(f"* FROM CLIP NAME: {_clean(segment_title(segment))}\n")
        lines.append(_comment(segment) + "\n")
    with open_destination(destination) as stream:
        stream.write("".join(lines))


def _check_record_clock(
    offset: int, placed: list[tuple[Segment, FrameRange]], rate: FrameRate, drop: bool, start: Timecode | str | None
) -> None:
    """Refuse a ``start_timecode`` that would push the last record out point past the 24-hour clock."""
    last_stop = max((span.stop_frame for _, span in placed), default=0)
    limit = rate.frames_per_day(drop)
    if offset + last_stop >= limit:
        latest = Timecode(max(0, limit - 1 - last_stop), rate, drop)
        raise TimecodeError(
            "start_timecode",
            f"puts record times past 24 hours (the last event ends {last_stop} frames after it, past "
            f"{Timecode(limit - 1, rate, drop)}): start at {latest} or earlier",
            str(start),
        )
