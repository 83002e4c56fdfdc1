"""CSV: one row per segment, every number the service sends plus the true frame count; reads back losslessly.

Columns, in order (`CSV_COLUMNS`); an empty cell is a value the service did not send:

| column            | what                                                                      |
|-------------------|---------------------------------------------------------------------------|
| `type`            | `SHOT` or `TECHNICAL_CUE`                                                 |
| `cue_type`        | `ColorBars`, `EndCredits`, `BlackFrames`, `OpeningCredits`, ...           |
| `shot_index`      | 0-based shot index                                                        |
| `confidence`      | 50-100                                                                    |
| `start_ms`        | start of the first frame, ms (`StartTimestampMillis`)                     |
| `end_ms`          | start of the last frame, ms, inclusive (`EndTimestampMillis`)             |
| `duration_ms`     | `end_ms - start_ms` as the service reports it (`DurationMillis`)          |
| `start_smpte`     | first frame's label (`;` before the frames: drop-frame)                   |
| `end_smpte`       | last frame's label, inclusive                                             |
| `duration_smpte`  | the service's `DurationSMPTE` (one frame less than `frame_count`)         |
| `start_frame`     | 0-based first frame                                                       |
| `end_frame`       | 0-based last frame, inclusive                                             |
| `duration_frames` | `end_frame - start_frame` as the service reports it                       |
| `frame_count`     | frames the segment spans, `end_frame - start_frame + 1` (written, not read) |
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Final, TypeVar

from .._enums import SegmentType, TechnicalCueType
from .._exceptions import ValidationError
from .._models import Segment, ShotSegment, TechnicalCueSegment
from .._results import SegmentDetectionResult
from .._timecode import FrameRate, FrameRateLike
from ._common import Destination, Source, open_destination, open_source

__all__ = ["CSV_COLUMNS", "read_csv", "write_csv"]

CSV_COLUMNS: Final = (
    "type",
    "cue_type",
    "shot_index",
    "confidence",
    "start_ms",
    "end_ms",
    "duration_ms",
    "start_smpte",
    "end_smpte",
    "duration_smpte",
    "start_frame",
    "end_frame",
    "duration_frames",
    "frame_count",
)
"""The header row of `write_csv`."""

_T = TypeVar("_T")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float.
        return repr(value)
    return str(value)


def _frame_count(segment: Segment) -> int | None:
    if segment.frame_rate is None and (segment.start_frame_number is None or segment.end_frame_number is None):
        return None
    return segment.frame_count


def write_csv(data: SegmentDetectionResult | Iterable[Segment], destination: Destination) -> None:
    """Write one row per segment under a `CSV_COLUMNS` header (a result's segments in the service's order).

    Columns: type, cue_type, shot_index, confidence, then start/end/duration in ms (``*_ms``), as SMPTE labels
    (``*_smpte``) and in frames (``start_frame``, ``end_frame``, ``duration_frames``), all exactly as the
    service reports them (ends inclusive), and ``frame_count``, the true number of frames. Empty cells are
    values the service did not send.

    ``data`` may be a whole result, whose rows are all made before ``destination`` is opened (a segment that
    cannot be written raises with nothing written), or any iterable of segments, written as they arrive.

    Raises:
        ValidationError: A segment's frame count needs its frame rate or a label its rate does not have.
    """
    rows: Iterable[list[str]] = (
        [_row(s) for s in data.segments or ()] if isinstance(data, SegmentDetectionResult) else map(_row, data)
    )
    with open_destination(destination) as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(rows)


def _row(s: Segment) -> list[str]:
    return [
        _cell(None if s.type is None else s.type.value),
        _cell(None if s.cue_type is None else s.cue_type.value),
        _cell(s.shot_index),
        _cell(s.confidence),
        _cell(s.start_timestamp_millis),
        _cell(s.end_timestamp_millis),
        _cell(s.duration_millis),
        _cell(s.start_timecode_smpte),
        _cell(s.end_timecode_smpte),
        _cell(s.duration_smpte),
        _cell(s.start_frame_number),
        _cell(s.end_frame_number),
        _cell(s.duration_frames),
        _cell(_frame_count(s)),
    ]


def read_csv(source: Source, *, frame_rate: FrameRateLike | None = None) -> Iterator[Segment]:
    """Read segments written by `write_csv`, one row at a time; the ``frame_count`` column is derived, so unread.

    Args:
        source: A path or a text stream.
        frame_rate: The video's frame rate, which the rows do not carry, so the segments' timecode views work.

    Raises:
        ValidationError: The header lacks a column of `CSV_COLUMNS` other than ``frame_count``, or a cell
            is not a number where one belongs.
    """
    rate = None if frame_rate is None else FrameRate.coerce(frame_rate)
    with open_source(source) as stream:
        reader = csv.DictReader(stream)
        missing = [c for c in CSV_COLUMNS[:-1] if c not in (reader.fieldnames or ())]
        if missing:
            raise ValidationError("header", f"must name the columns {', '.join(missing)}", reader.fieldnames)
        for row in reader:
            yield _segment(row, reader.line_num, rate)


def _segment(row: Mapping[str, str | None], line: int, rate: FrameRate | None) -> Segment:
    def get(column: str, convert: Callable[[str], _T]) -> _T | None:
        text = row.get(column) or ""
        if not text:
            return None
        try:
            return convert(text)
        except ValueError:
            raise ValidationError(f"line {line} {column}", "must be a number", text) from None

    kind = get("type", SegmentType)
    cue = get("cue_type", TechnicalCueType)
    index = get("shot_index", int)
    confidence = get("confidence", float)
    # A detail only where one of its cells holds a value: a segment sent without ShotSegment or
    # TechnicalCueSegment reads back without one, not with an empty one. One confidence column serves both.
    cue_detail = None
    if cue is not None or (kind == SegmentType.TECHNICAL_CUE and confidence is not None):
        cue_detail = TechnicalCueSegment(type=cue, confidence=confidence)
    shot_confidence = None if cue_detail is not None else confidence
    shot_detail = None
    if index is not None or (kind == SegmentType.SHOT and shot_confidence is not None):
        shot_detail = ShotSegment(index=index, confidence=shot_confidence)
    return Segment(
        type=kind,
        start_timestamp_millis=get("start_ms", int),
        end_timestamp_millis=get("end_ms", int),
        duration_millis=get("duration_ms", int),
        start_timecode_smpte=get("start_smpte", str),
        end_timecode_smpte=get("end_smpte", str),
        duration_smpte=get("duration_smpte", str),
        technical_cue_segment=cue_detail,
        shot_segment=shot_detail,
        start_frame_number=get("start_frame", int),
        end_frame_number=get("end_frame", int),
        duration_frames=get("duration_frames", int),
        frame_rate=rate,
    )
