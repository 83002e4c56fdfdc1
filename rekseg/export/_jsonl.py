"""JSON Lines: one segment per line in the service's ``SegmentDetection`` shape, written and read as a stream."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from .._exceptions import ValidationError
from .._models import Segment
from .._results import SegmentDetectionResult
from .._timecode import FrameRate, FrameRateLike
from .._wire import segment_from_wire, segment_to_wire
from ._common import Destination, Source, open_destination, open_source

__all__ = ["read_jsonl", "write_jsonl"]


def write_jsonl(data: SegmentDetectionResult | Iterable[Segment], destination: Destination) -> None:
    """Write one segment per line, as the service's ``SegmentDetection`` dict.

    ``data`` may be a whole result (its segments in the service's order) or any iterable of segments, such
    as a generator over pages: each segment is written as it arrives, so the whole result is never held.
    """
    segments = data.segments or () if isinstance(data, SegmentDetectionResult) else data
    with open_destination(destination) as stream:
        write = stream.write
        for segment in segments:
            write(json.dumps(segment_to_wire(segment), separators=(",", ":")))
            write("\n")


def read_jsonl(source: Source, *, frame_rate: FrameRateLike | None = None) -> Iterator[Segment]:
    """Read segments written by `write_jsonl`, one line at a time (blank lines are skipped).

    Args:
        source: A path or a text stream.
        frame_rate: The video's frame rate, which the lines do not carry, so the segments' timecode views
            work (``"30000/1001"``, ``29.97``, a `FrameRate`).

    Raises:
        ValidationError: A line is not a JSON object.
    """
    rate = None if frame_rate is None else FrameRate.coerce(frame_rate)
    with open_source(source) as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValidationError(f"line {number}", f"must be JSON ({exc.msg})", line.rstrip("\n")) from None
            if not isinstance(item, dict):
                raise ValidationError(f"line {number}", "must be a JSON object", line.rstrip("\n"))
            yield segment_from_wire(item, rate)
