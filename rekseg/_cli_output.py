"""What the command line shows people: the live status line and plain-text tables."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TextIO

from ._models import Segment
from ._waiting import WaitProgress

__all__ = ["ProgressLine", "format_duration", "render_table", "segment_rows"]


def format_duration(seconds: float) -> str:
    """Format seconds as ``H:MM:SS`` (or ``M:SS`` under an hour)."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressLine:
    """Report waiting progress on a stream: one live line on a terminal, plain lines otherwise.

    Args:
        stream: Where to write (stderr: progress never mixes with data on stdout).
        enabled: ``False`` silences it (``--quiet``).
        live: Rewrite one line in place; defaults to whether ``stream`` is a terminal.
    """

    def __init__(self, stream: TextIO, *, enabled: bool = True, live: bool | None = None) -> None:
        self._stream = stream
        self._enabled = enabled
        self._live = stream.isatty() if live is None else live
        self._dirty = False
        self._started = time.monotonic()

    def message(self, text: str) -> None:
        """Write one plain line (ending any live line first)."""
        if not self._enabled:
            return
        self.finish()
        self._stream.write(text + "\n")
        self._stream.flush()

    def __call__(self, progress: WaitProgress) -> None:
        """Show one status call's outcome."""
        if not self._enabled:
            return
        status = progress.status.value if progress.status is not None else "UNKNOWN"
        line = (
            f"job {progress.job_id}: {status}, {format_duration(progress.elapsed)} elapsed, "
            f"{progress.polls} poll{'s' if progress.polls != 1 else ''}"
        )
        if progress.next_delay is not None:
            line += f", next look in {progress.next_delay:.0f}s"
        if self._live:
            self._stream.write("\r\x1b[2K" + line)
            self._dirty = True
            if progress.next_delay is None:
                self.finish()
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def finish(self) -> None:
        """End a live line so the next output starts on a fresh line."""
        if self._dirty:
            self._stream.write("\n")
            self._stream.flush()
            self._dirty = False


def render_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Render rows as a plain, aligned text table with a header rule."""
    materialised = [list(map(str, row)) for row in rows]
    widths = [len(h) for h in headers]
    for row in materialised:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip() for row in materialised)
    return "\n".join(lines) + "\n"


SEGMENT_HEADERS = ("type", "what", "start", "end (last frame)", "frames", "confidence")


def segment_rows(segments: Iterable[Segment]) -> Iterable[tuple[str, ...]]:
    """Yield one table row per segment: type, cue or shot number, start, inclusive end, frames, confidence."""
    for segment in segments:
        kind = "shot" if segment.is_shot else "cue" if segment.is_technical_cue else str(segment.type or "?")
        what = (
            f"#{segment.shot_index}"
            if segment.is_shot and segment.shot_index is not None
            else str(segment.cue_type or "")
        )
        # Without frame numbers the count needs the rate, which a response saved without VideoMetadata lacks.
        countable = segment.frame_rate is not None or None not in (segment.start_frame_number, segment.end_frame_number)
        frames = segment.frame_count if countable else None
        confidence = segment.confidence
        yield (
            kind,
            what,
            segment.start_timecode_smpte or str(segment.start_timestamp_millis or ""),
            segment.end_timecode_smpte or str(segment.end_timestamp_millis or ""),
            "" if frames is None else str(frames),
            "" if confidence is None else f"{confidence:.1f}",
        )
