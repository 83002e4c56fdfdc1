"""WebVTT chapters: one cue per shot (or technical cue), from its first frame to the end of its last one."""

from __future__ import annotations

from .._results import SegmentDetectionResult
from ._common import Destination, Events, check_events, events_of, open_destination, segment_title

__all__ = ["write_vtt"]


def _time(millis: int) -> str:
    seconds, ms = divmod(millis, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}"


def _text(text: str) -> str:
    # Cue text is markup: & and < must be escaped, and a blank line would end the cue.
    return " ".join(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split())


def write_vtt(
    result: SegmentDetectionResult,
    destination: Destination,
    *,
    events: Events = "shots",
    title: str | None = None,
) -> None:
    """Write WebVTT chapters: one cue per shot or technical cue, titled ``Shot 12`` or ``Opening credits``.

    A cue starts where its first frame starts and ends where its last frame ends (the next frame's start),
    both rounded down to the millisecond like the service's timestamps, so consecutive shots give cues that
    meet exactly.

    Args:
        result: The result; its segments must have a position and a frame rate.
        destination: A path or a text stream.
        events: ``"shots"`` or ``"technical_cues"``.
        title: Text after ``WEBVTT`` on the first line (one line; omitted when ``None``).

    Raises:
        ValidationError: Bad ``events``, or the frame rate is unknown.
    """
    kind = check_events(events)
    placed = events_of(result, kind)
    with open_destination(destination) as stream:
        write = stream.write
        header = "" if title is None else " ".join(title.replace("-->", "->").split())
        write(f"WEBVTT {header}\n" if header else "WEBVTT\n")
        for number, (segment, span) in enumerate(placed, 1):
            write(f"\n{number}\n{_time(span.start_millis)} --> {_time(span.stop_millis)}\n")
            write(_text(segment_title(segment)) + "\n")
