"""What the command line shows people: the live status line and plain-text tables."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from .. import export
from .._enums import JobStatus
from .._exceptions import ValidationError, WaitTimeoutError
from .._flows.waiting import WaitProgress
from .._models import Segment
from .._results import SegmentDetectionPage, SegmentDetectionResult
from .._timecode import FrameRate
from ..export._common import segment_title
from .exits import EXIT_ERROR, EXIT_USAGE, Fail, describe
from .options import export_kwargs
from .pages import PageChainError, check_pages

_ENDED = (JobStatus.SUCCEEDED, JobStatus.FAILED)

__all__ = [
    "SEGMENT_HEADERS",
    "ProgressLine",
    "emit",
    "format_duration",
    "load_result",
    "progress_from_args",
    "render_table",
    "segment_rows",
    "write_result",
]

_RESULT_KEYS = frozenset({"Segments", "JobStatus", "VideoMetadata"})


_PLAIN_PROGRESS_EVERY = 5.0
"""Seconds between two plain (not live) frame progress lines."""


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
        self._last_plain = self._started

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
            if progress.next_delay is None and progress.status in _ENDED:
                self.finish()  # a last look before a timeout stays live: `timed_out` rewrites it
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def frames(self, done: int, total: int | None) -> None:
        """Show local detection's progress: frames done, frames per second and the ETA when the total is known.

        A live line is rewritten at every call; plain lines come at most every few seconds, and at the end.
        """
        if not self._enabled:
            return
        now = time.monotonic()
        elapsed = now - self._started
        finished = total is not None and done >= total
        if not self._live and not finished and now - self._last_plain < _PLAIN_PROGRESS_EVERY:
            return
        self._last_plain = now
        rate = done / elapsed if elapsed > 0 else 0.0
        line = f"{done}" + (f"/{total}" if total else "") + f" frames, {rate:.0f} frames/s"
        if total and rate > 0 and not finished:
            line += f", ETA {format_duration(max(0, total - done) / rate)}"
        self._stream.write(("\r\x1b[2K" + line) if self._live else line + "\n")
        self._dirty = self._live
        if finished:
            self.finish()
        self._stream.flush()

    def timed_out(self, exc: WaitTimeoutError) -> None:
        """Show the wait's end at its deadline, so the last line and the error count the same polls."""
        if not self._enabled:
            return
        status = exc.last_status or "UNKNOWN"
        line = (
            f"job {exc.job_id}: {status}, {format_duration(exc.elapsed)} elapsed, "
            f"{exc.polls} poll{'s' if exc.polls != 1 else ''}, timed out"
        )
        self._stream.write(("\r\x1b[2K" + line) if self._live else line + "\n")
        self._dirty = self._live
        self.finish()

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
        what = segment_title(segment)  # "Shot 1" for index 0, as every export counts shots
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


def progress_from_args(args: argparse.Namespace) -> ProgressLine:
    """The progress line on stderr, silent with ``--quiet``."""
    return ProgressLine(sys.stderr, enabled=not args.quiet)


def emit(args: argparse.Namespace, write: Callable[[TextIO], object], *, job_id: str | None = None) -> None:
    """Write output to ``-o FILE`` (atomically: complete or absent) or stdout.

    Raises:
        Fail: The file could not be written; the message names the user's path (never the temporary file)
            and, for a job's result (``job_id``), how to fetch it again.
    """
    target = getattr(args, "output", None)
    if not target:
        write(sys.stdout)
        sys.stdout.flush()
        return
    path = Path(target)
    directory = path.parent if str(path.parent) else Path()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
                write(stream)
            # mkstemp makes the file 0600: give it the mode `open()` would have, or keep the file's own.
            Path(tmp).chmod(_mode_for(path))
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        again = ""
        if job_id is not None:
            again = (
                f"; the job {job_id} succeeded and its result is kept 7 days: fetch it again with "
                f"`rekseg get {job_id} --format {args.format} -o FILE`"
            )
        raise Fail(EXIT_ERROR, f"cannot write {target}: {reason}{again}") from exc


def _mode_for(path: Path) -> int:
    """Return the permission bits ``-o`` gives its file: an existing file's own, else 0666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        pass
    umask = os.umask(0)  # reading the umask means setting it: put it straight back
    os.umask(umask)
    return 0o666 & ~umask


def write_result(args: argparse.Namespace, result: SegmentDetectionResult) -> None:
    """Write a result in the ``--format`` asked for.

    Raises:
        Fail: The export refused an option only the result could judge (a ``--start-timecode`` whose frames the
            video's rate does not have, record times past 24 hours) after a job ran: the message names the job
            and the ``rekseg get`` that exports it again.
        ValidationError: The same, for a result read from files (nothing was sent).
    """
    fmt = args.format
    job_id = result.job_id if getattr(args, "job_id", None) or getattr(args, "video", None) else None
    if fmt == "table":
        emit(args, lambda s: s.write(_result_table(result)), job_id=job_id)
        return
    options = export_kwargs(args)
    try:
        emit(args, lambda s: export.write(result, fmt, s, **options), job_id=job_id)
    except ValidationError as exc:
        if job_id is None:
            raise
        _, message = describe(exc)
        raise Fail(
            EXIT_ERROR,
            f"{message}; nothing was written, but the job {job_id} succeeded and its result is kept 7 days: "
            f"correct the option and export it again with `rekseg get {job_id} --format {fmt} -o FILE`",
        ) from exc


def _result_table(result: SegmentDetectionResult) -> str:
    rows = list(segment_rows(result.chronological()))
    head = (
        f"job {result.job_id or '?'}: {result.job_status or '?'}, {len(result.segments or ())} segments "
        f"({len(result.shots)} shots, {len(result.technical_cues)} technical cues)"
    )
    rate = result.frame_rate
    if rate is not None:
        head += f" at {rate} fps"
    return head + "\n\n" + render_table(SEGMENT_HEADERS, rows)


def _load_page(path: str) -> SegmentDetectionPage:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise Fail(EXIT_USAGE, f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Fail(
            EXIT_USAGE, f"{path} is not JSON ({exc.msg} at line {exc.lineno}): save results with --format json"
        ) from exc
    if not isinstance(data, dict) or not _RESULT_KEYS & data.keys():
        raise Fail(
            EXIT_USAGE,
            f"{path} is not a GetSegmentDetection response (no Segments, JobStatus or VideoMetadata): "
            "save results with --format json",
        )
    try:
        return SegmentDetectionPage.from_response(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise Fail(EXIT_USAGE, f"{path} is not a valid GetSegmentDetection response: {exc}") from exc


def load_result(paths: Sequence[str], frame_rate: FrameRate | None = None) -> SegmentDetectionResult:
    """Read a saved result, or the pages of one job (checked: one job, each page once, in order), and merge them."""
    pages = [(path, _load_page(path)) for path in paths]
    try:
        check_pages(pages)
    except PageChainError as exc:
        raise Fail(EXIT_USAGE, str(exc)) from exc
    result = SegmentDetectionResult.from_pages([page for _, page in pages])
    if frame_rate is not None:
        return result.with_frame_rate(frame_rate)
    return result
