"""Write segment detection results as files other tools read: JSON, JSON Lines, CSV, EDL, WebVTT, FFMETADATA, OTIO.

Every time is frame-exact: an event or chapter starts on its first frame and ends where its last frame ends (the
service's end fields name the last frame, inclusive). Pick a format by name with `write`, or call its writer::

    from rekseg import export

    export.write(result, "edl", "shots.edl", start_timecode="01:00:00:00")
    export.write_vtt(result, "chapters.vtt", events="technical_cues")

Names in titles count shots from 1 (``Shot 1`` is the service's index 0) and name cues in words
(``Opening credits``). OpenTimelineIO is optional (``pip install 'rekseg[otio]'``) and imported only when used.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Final, Literal

from .._exceptions import ValidationError
from .._models import Segment
from .._results import SegmentDetectionResult
from .._timecode import Timecode
from ._common import EVENTS, FORMAT_OPTIONS, Destination, Events, Source, check_events, check_result
from ._csv import CSV_COLUMNS, read_csv, write_csv
from ._edl import DEFAULT_REEL, write_edl
from ._ffmetadata import write_ffmetadata
from ._json import write_json
from ._jsonl import read_jsonl, write_jsonl
from ._otio import to_otio_timeline, write_otio
from ._vtt import write_vtt

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_REEL",
    "EVENTS",
    "FORMATS",
    "NOT_GIVEN",
    "Destination",
    "Events",
    "Source",
    "read_csv",
    "read_jsonl",
    "to_otio_timeline",
    "write",
    "write_csv",
    "write_edl",
    "write_ffmetadata",
    "write_json",
    "write_jsonl",
    "write_otio",
    "write_vtt",
]

FORMATS: Final = ("json", "jsonl", "csv", "edl", "vtt", "ffmetadata", "otio")
"""The format names `write` takes."""


class _NotGivenType(enum.Enum):
    """The type of `NOT_GIVEN`: one member, so that ``x is NOT_GIVEN`` narrows for type checkers."""

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = _NotGivenType.NOT_GIVEN
"""`write`'s default for its options: "not given", told apart from every value, ``None`` and the defaults included."""
_NotGiven = Literal[_NotGivenType.NOT_GIVEN]


def write(
    data: SegmentDetectionResult | Iterable[Segment],
    format: str,
    destination: Destination,
    *,
    events: str | _NotGiven = NOT_GIVEN,
    start_timecode: Timecode | str | _NotGiven | None = NOT_GIVEN,
    reel: str | _NotGiven = NOT_GIVEN,
    title: str | _NotGiven | None = NOT_GIVEN,
) -> None:
    """Write ``data`` in the format named ``format`` (one of `FORMATS`) to a path or a text stream.

    | format       | what                                                 | options it uses                          |
    |--------------|------------------------------------------------------|------------------------------------------|
    | `json`       | the GetSegmentDetection response (`write_json`)      |                                          |
    | `jsonl`      | one segment per line, streamed (`write_jsonl`)       |                                          |
    | `csv`        | one row per segment, `CSV_COLUMNS` (`write_csv`)     |                                          |
    | `edl`        | CMX 3600, one event per shot or cue (`write_edl`)    | events, start_timecode, reel, title      |
    | `vtt`        | WebVTT chapters (`write_vtt`)                        | events, title                            |
    | `ffmetadata` | FFmpeg chapters (`write_ffmetadata`)                 | events, title                            |
    | `otio`       | OpenTimelineIO timeline (`write_otio`)               | start_timecode, title                    |

    Args:
        data: A `SegmentDetectionResult`; ``jsonl`` and ``csv`` also take any iterable of `Segment`, written
            as it is consumed.
        format: The format's name.
        destination: A path (created or overwritten, UTF-8) or a text stream (written, left open).
        events: What an EDL event, chapter or cue stands for: ``"shots"`` (the default) or ``"technical_cues"``.
        start_timecode: Record/start time of the video's first frame, such as ``"01:00:00:00"`` (default:
            ``00:00:00:00``; ``None`` means the default).
        reel: EDL source reel name, 1-8 characters (default `DEFAULT_REEL`).
        title: Title of the EDL, chapters file or timeline (default, or ``None``: the video's file name).

    Options left out are "not given" (`NOT_GIVEN`). Giving an option the format does not use raises, whatever
    the value, even the default or ``None``: ``write(result, "vtt", path, reel="AX")`` is an error.

    Raises:
        ValidationError: An unknown format or ``events`` value, an option the format does not use (named as
            the field), data the format cannot take, or a result whose frame rate is unknown where frames are
            needed.
        ModuleNotFoundError: ``otio`` without OpenTimelineIO installed.
    """
    if format not in FORMAT_OPTIONS:
        raise ValidationError("format", f"must be one of {', '.join(FORMATS)}", format)
    kind = check_events("shots" if events is NOT_GIVEN else events)
    options: dict[str, object] = {
        "events": events,
        "start_timecode": start_timecode,
        "reel": reel,
        "title": title,
    }
    for option, value in options.items():
        if value is not NOT_GIVEN and option not in FORMAT_OPTIONS[format]:
            raise ValidationError(option, f"does not apply to the {format} format", value)
    if start_timecode is NOT_GIVEN:
        start_timecode = None
    if reel is NOT_GIVEN:
        reel = DEFAULT_REEL
    if title is NOT_GIVEN:
        title = None
    writers: dict[str, Callable[[], None]] = {
        "json": lambda: write_json(check_result(data, format), destination),
        "jsonl": lambda: write_jsonl(data, destination),
        "csv": lambda: write_csv(data, destination),
        "edl": lambda: write_edl(
            check_result(data, format),
            destination,
            events=kind,
            start_timecode=start_timecode,
            reel=reel,
            title=title,
        ),
        "vtt": lambda: write_vtt(check_result(data, format), destination, events=kind, title=title),
        "ffmetadata": lambda: write_ffmetadata(check_result(data, format), destination, events=kind, title=title),
        "otio": lambda: write_otio(check_result(data, format), destination, title=title, start_timecode=start_timecode),
    }
    writers[format]()
