"""FFmpeg's FFMETADATA1 chapters, in the video's own time base so every chapter starts on its exact frame.

Embed them with ``ffmpeg -i video.mp4 -i chapters.txt -map_metadata 1 -map_chapters 1 -codec copy out.mp4``.
"""

from __future__ import annotations

import re

from .._results import SegmentDetectionResult
from ._common import Destination, Events, check_events, events_of, open_destination, rate_of, segment_title

__all__ = ["write_ffmetadata"]

_SPECIAL = re.compile(r"([=;#\\\n])")


def _escape(text: str) -> str:
    # ffmpeg's rule: '=', ';', '#', '\' and newline are escaped with a backslash.
    return _SPECIAL.sub(r"\\\1", text.replace("\r", ""))


def write_ffmetadata(
    result: SegmentDetectionResult,
    destination: Destination,
    *,
    events: Events = "shots",
    title: str | None = None,
) -> None:
    """Write an FFMETADATA1 file with one ``[CHAPTER]`` per shot or technical cue.

    ``TIMEBASE`` is one frame (``1001/30000`` at 29.97), so ``START`` is the first frame's index and ``END``
    the index of the frame after the last one: chapters are frame-exact and consecutive shots meet.

    Args:
        result: The result; it must know its frame rate.
        destination: A path or a text stream.
        events: ``"shots"`` or ``"technical_cues"``.
        title: A global ``title=`` for the file (omitted when ``None``).

    Raises:
        ValidationError: Bad ``events``, or the frame rate is unknown.
    """
    kind = check_events(events)
    rate = rate_of(result)
    placed = events_of(result, kind)
    with open_destination(destination) as stream:
        write = stream.write
        write(";FFMETADATA1\n")
        if title is not None:
            write(f"title={_escape(title)}\n")
        for segment, span in placed:
            write(f"\n[CHAPTER]\nTIMEBASE={rate.denominator}/{rate.numerator}\n")
            write(f"START={span.first_frame}\nEND={span.stop_frame}\n")
            write(f"title={_escape(segment_title(segment))}\n")
