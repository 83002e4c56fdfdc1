"""What every writer shares: where to write, which segments become events, and what to call them."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final, Literal, TextIO, TypeAlias

from .._analysis import FrameRange, cue_ranges, require_frame_rate, shot_ranges
from .._enums import TechnicalCueType
from .._exceptions import TimecodeError, ValidationError
from .._models import Segment
from .._results import SegmentDetectionResult
from .._timecode import FrameRate, Timecode

__all__ = [
    "EVENTS",
    "FORMAT_OPTIONS",
    "Destination",
    "Events",
    "Source",
    "check_events",
    "check_reel",
    "check_result",
    "default_title",
    "drop_frame_of",
    "events_of",
    "open_destination",
    "open_source",
    "rate_of",
    "segment_title",
    "start_frame",
]

Destination: TypeAlias = str | os.PathLike[str] | TextIO
"""A file path, or an open text stream (left open)."""
Source: TypeAlias = str | os.PathLike[str] | TextIO
"""A file path, or an open text stream (left open)."""
Events: TypeAlias = Literal["shots", "technical_cues"]
EVENTS: Final = ("shots", "technical_cues")
"""What one event, chapter or cue of an export stands for."""

FORMAT_OPTIONS: Final = {
    "json": frozenset[str](),
    "jsonl": frozenset[str](),
    "csv": frozenset[str](),
    "edl": frozenset({"events", "start_timecode", "reel", "title"}),
    "vtt": frozenset({"events", "title"}),
    "ffmetadata": frozenset({"events", "title"}),
    "otio": frozenset({"start_timecode", "title"}),
}
"""Which of `rekseg.export.write`'s options each format uses; giving another one any value is an error."""
_REEL: Final = re.compile(r"[A-Za-z0-9_.\-]{1,8}")

_CUE_TITLES: Final = {
    TechnicalCueType.COLOR_BARS: "Color bars",
    TechnicalCueType.END_CREDITS: "End credits",
    TechnicalCueType.BLACK_FRAMES: "Black frames",
    TechnicalCueType.OPENING_CREDITS: "Opening credits",
    TechnicalCueType.STUDIO_LOGO: "Studio logo",
    TechnicalCueType.SLATE: "Slate",
    TechnicalCueType.CONTENT: "Content",
}
_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@contextlib.contextmanager
def open_destination(destination: Destination) -> Iterator[TextIO]:
    """Yield a text stream to write to: a path is opened (UTF-8, newlines as written) and closed; a stream is not."""
    if isinstance(destination, (str, os.PathLike)):
        with Path(destination).open("w", encoding="utf-8", newline="") as stream:
            yield stream
    elif callable(getattr(destination, "write", None)):
        yield destination
    else:
        raise ValidationError("destination", "must be a path or a text stream", destination)


@contextlib.contextmanager
def open_source(source: Source) -> Iterator[TextIO]:
    """Yield a text stream to read from: a path is opened (UTF-8) and closed; a stream is not."""
    if isinstance(source, (str, os.PathLike)):
        with Path(source).open(encoding="utf-8", newline="") as stream:
            yield stream
    elif callable(getattr(source, "read", None)):
        yield source
    else:
        raise ValidationError("source", "must be a path or a text stream", source)


def check_events(events: object) -> Events:
    """Return ``events`` if it is one of `EVENTS`, else raise `ValidationError`."""
    if events == "shots":
        return "shots"
    if events == "technical_cues":
        return "technical_cues"
    raise ValidationError("events", f"must be one of {', '.join(EVENTS)}", events)


def check_reel(reel: object) -> str:
    """Return ``reel`` if it is an EDL reel name (1 to 8 letters, digits, ``_``, ``.`` or ``-``), else raise."""
    if not isinstance(reel, str) or _REEL.fullmatch(reel) is None:
        raise ValidationError("reel", "must be 1 to 8 letters, digits, _, . or -", reel)
    return reel


def check_result(data: object, format: str) -> SegmentDetectionResult:
    """Return ``data`` if it is a whole result, which ``format`` needs, else raise `ValidationError`."""
    if not isinstance(data, SegmentDetectionResult):
        raise ValidationError("data", f"must be a SegmentDetectionResult for the {format} format", type(data).__name__)
    return data


def rate_of(result: SegmentDetectionResult) -> FrameRate:
    """Return the result's exact frame rate, or raise: frame-exact formats cannot do without it."""
    return require_frame_rate(result)


def drop_frame_of(result: SegmentDetectionResult, rate: FrameRate) -> bool:
    """Whether the service labelled the video drop-frame (``;``) at a rate where drop-frame exists."""
    labelled = next((s.drop_frame for s in result.segments or () if s.start_timecode_smpte), False)
    return labelled and rate.supports_drop_frame


def events_of(result: SegmentDetectionResult, events: Events) -> list[tuple[Segment, FrameRange]]:
    """Return the segments that become events, with their frames, chronologically.

    Technical cues own their frames by `rekseg.analysis.cue_ranges`'s rule (a boundary frame two cues share is
    the earlier one's), so cue events never overlap at a boundary. Segments that carry no position at all (no
    timecode, frame number or milliseconds) cannot be placed and are left out.

    Raises:
        ValidationError: The frame rate is unknown.
    """
    return shot_ranges(result) if events == "shots" else list(cue_ranges(result))


def segment_title(segment: Segment) -> str:
    """Name a segment for people: ``Shot 12`` (counting from 1: the service's index + 1), ``Opening credits``."""
    if segment.is_shot or segment.shot_segment is not None:
        index = segment.shot_index
        return "Shot" if index is None else f"Shot {index + 1}"
    cue = segment.cue_type
    if cue is None:
        return "Technical cue"
    known = _CUE_TITLES.get(cue)
    if known is not None:
        return known
    return _WORD_START.sub(" ", cue.value).capitalize()


def default_title(result: SegmentDetectionResult) -> str:
    """Name an export after the video's object name, else the job, else ``rekseg``."""
    s3 = None if result.video is None else result.video.s3_object
    if s3 is not None and s3.name:
        return s3.name.rsplit("/", 1)[-1]
    return result.job_id or "rekseg"


def start_frame(start_timecode: Timecode | str | None, rate: FrameRate, drop_frame: bool) -> int:
    """Return the frame a timeline starts at: ``0``, a `Timecode`'s frame, or a label read on the export's clock.

    A label is read in the export's own counting (drop-frame or not) whatever its separator, because
    ``01:00:00:00`` on a drop-frame timeline means the label ``01:00:00;00``.

    Raises:
        ValidationError: A `Timecode` at another rate, or something else than a label.
        TimecodeError: A label `Timecode.parse` refuses at this rate (field ``start_timecode``).
    """
    if start_timecode is None:
        return 0
    if isinstance(start_timecode, Timecode):
        if start_timecode.rate != rate:
            raise ValidationError("start_timecode", f"must be at the video's rate {rate}", start_timecode.rate)
        return start_timecode.frame
    if isinstance(start_timecode, str):
        label = start_timecode.strip()
        if len(label) >= 3 and label[-3] in ":;":
            label = label[:-3] + (";" if drop_frame else ":") + label[-2:]
        try:
            return Timecode.parse(label, rate).frame
        except TimecodeError as exc:
            raise TimecodeError("start_timecode", exc.rule, start_timecode) from None
    raise ValidationError("start_timecode", "must be a Timecode or a label like 01:00:00:00", start_timecode)
