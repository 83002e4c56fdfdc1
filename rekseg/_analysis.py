"""What people do with segments: filter them, find the program, binge markers, ad breaks, shot statistics.

Everything here works in whole frames, so results are exact at 23.976 and 29.97 and no answer is one frame off.
A `FrameRange` names its first and last frame, both *inclusive*, exactly as the service counts segments; the
frame after the last (an EDL's out point) is `FrameRange.stop`. Time values come as `Timecode` (frame index and
SMPTE label) and as milliseconds rounded down the way the service rounds them.

The functions take a `SegmentDetectionResult`; `SegmentDetectionResult` exposes each as a method.
"""

from __future__ import annotations

import bisect
import enum
import math
import statistics
from collections.abc import Iterable, Sequence
from datetime import timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Final, TypeAlias

import attrs

from ._enums import SegmentType, TechnicalCueType
from ._exceptions import ValidationError
from ._models import Segment, segment_range
from ._timecode import FrameRange, FrameRate, Timecode
from ._validation import check_number, check_segment_type

if TYPE_CHECKING:
    # Results call these functions from their methods: naming the class only for type checking keeps the
    # import one-way (_results imports this module at the top).
    from ._results import SegmentDetectionResult

__all__ = [
    "DEFAULT_AD_BREAK_SPACING",
    "AdBreakCandidate",
    "AdBreakReason",
    "BingeMarkers",
    "CueOverlap",
    "FrameRange",
    "ProgramStructure",
    "RepresentativeFrame",
    "ShotStatistics",
    "TimePoint",
    "ad_break_candidates",
    "binge_markers",
    "cue_overlaps",
    "cue_ranges",
    "filter_result",
    "program_structure",
    "representative_frames",
    "segment_range",
    "shot_statistics",
]

TimePoint: TypeAlias = Timecode | timedelta
"""A position in the video: an exact `Timecode`, or a `timedelta` from the start of the file."""

DEFAULT_AD_BREAK_SPACING: Final = timedelta(minutes=2)
"""Default least distance between two ad-break candidates."""

_CREDITS: Final = (TechnicalCueType.OPENING_CREDITS, TechnicalCueType.END_CREDITS)
# A black sequence this long or longer gets the full length bonus in its score.
_FULL_BLACK: Final = Fraction(1)


# -- the time range --------------------------------------------------------------------------------------


def require_frame_rate(result: SegmentDetectionResult) -> FrameRate:
    """Return the result's frame rate, or raise the one error every frame-exact answer gives without it."""
    rate = result.frame_rate
    if rate is None:
        raise ValidationError(
            "frame_rate",
            "is unknown: the response has no VideoMetadata frame rate; give it with result.with_frame_rate(rate) "
            "(--frame-rate on the command line)",
            None,
        )
    return rate


def _ranged(segments: Iterable[Segment], rate: FrameRate) -> list[tuple[Segment, FrameRange]]:
    """Pair each positioned segment with its range, chronologically (segments without a position are left out).

    A segment that does not know the rate (a page saved without ``VideoMetadata``) is read at the result's.
    """
    out = []
    for given in segments:
        if given.frame_rate is not None and given.frame_rate != rate:
            raise ValidationError("Segment.frame_rate", f"must be the result's rate {rate!r}", given.frame_rate)
        segment = given if given.frame_rate is not None else given.with_frame_rate(rate)
        span = segment_range(segment)
        if span is not None:
            out.append((segment, span))
    out.sort(key=lambda pair: (pair[1].first_frame, pair[1].last_frame))
    return out


def cue_ranges(result: SegmentDetectionResult) -> tuple[tuple[Segment, FrameRange], ...]:
    """Pair each positioned technical cue with the frames it owns, chronologically.

    Adjacent technical cues share their boundary frame (BlackFrames ends on frame 299, Content starts on 299),
    while shots do not. The shared frame belongs to the earlier cue, whose end is inclusive like every end
    the service sends: a cue that starts on the last frame of an earlier cue owns its frames from the next
    one. A one-frame cue keeps its frame. So cues neither overlap at their boundaries nor count a frame twice.

    Raises:
        ValidationError: The frame rate is unknown.
    """
    rate = require_frame_rate(result)
    out = []
    ends: set[int] = set()
    for segment, reported in _ranged(result.technical_cues, rate):
        shared = reported.first_frame in ends and reported.frame_count > 1
        span = FrameRange(reported.start + 1, reported.end) if shared else reported
        ends.add(span.last_frame)
        out.append((segment, span))
    return tuple(out)


def shot_ranges(result: SegmentDetectionResult) -> list[tuple[Segment, FrameRange]]:
    """Pair each positioned shot with its frames, chronologically (shots never share a frame; gaps stay gaps)."""
    return _ranged(result.shots, require_frame_rate(result))


def _frame_of(point: TimePoint, rate: FrameRate, field: str, *, ceil: bool) -> int:
    if isinstance(point, Timecode):
        if point.rate != rate:
            raise ValidationError(field, f"must be at the video's rate {rate}", point.rate)
        return point.frame
    if isinstance(point, timedelta):
        seconds = Fraction(point.days * 86400 + point.seconds) + Fraction(point.microseconds, 1_000_000)
        exact = seconds * rate.fraction
        return max(0, math.ceil(exact) if ceil else math.floor(exact))
    raise ValidationError(field, "must be a Timecode or a timedelta", point)


def _window(start: TimePoint | None, end: TimePoint | None, rate: FrameRate | None) -> tuple[int, int | None] | None:
    """Return ``(first frame, stop frame or None)`` of a ``[start, end)`` window, or ``None`` for no window."""
    if start is None and end is None:
        return None
    if rate is None:
        raise ValidationError("frame_rate", "is unknown, so a time window cannot be applied", None)
    first = 0 if start is None else _frame_of(start, rate, "start", ceil=False)
    stop = None if end is None else _frame_of(end, rate, "end", ceil=True)
    if stop is not None and stop <= first:
        raise ValidationError("end", "must be after start", end)
    return first, stop


def _in_window(span: FrameRange, window: tuple[int, int | None]) -> bool:
    first, stop = window
    return span.last_frame >= first and (stop is None or span.first_frame < stop)


# -- filtering -------------------------------------------------------------------------------------------


def _values(values: Iterable[str] | str) -> Iterable[str]:
    # A lone string is one value: iterating "SHOT" would filter on "S", "H", "O", "T".
    return (values,) if isinstance(values, str) else values


def filter_result(
    result: SegmentDetectionResult,
    *,
    types: Iterable[SegmentType | str] | SegmentType | str | None = None,
    cue_types: Iterable[TechnicalCueType | str] | TechnicalCueType | str | None = None,
    min_confidence: float | None = None,
    start: TimePoint | None = None,
    end: TimePoint | None = None,
) -> SegmentDetectionResult:
    """Return a copy of the result keeping only the segments that pass every given test.

    Args:
        result: The result to filter.
        types: Keep only these segment types (one type, or several): ``SHOT``, ``TECHNICAL_CUE``.
        cue_types: Keep only technical cues of these types (shots have no cue type, so they go too); any value
            is taken, as the service adds cue types over time.
        min_confidence: Keep only segments at least this confident (a segment without a confidence fails).
        start: Keep only segments that have a frame at or after this point.
        end: Keep only segments that have a frame before this point (exclusive), so ``start``/``end`` is the
            half-open window ``[start, end)``: a segment overlapping it by one frame is kept.

    Returns:
        A result with the same metadata and job fields, and the kept segments in the service's order.

    Raises:
        ValidationError: A type that is not ``SHOT`` or ``TECHNICAL_CUE`` (field ``types``, with the closest one:
            ``"shot"`` and ``"SHOTS"`` are typos that would keep nothing), ``end`` is not after ``start``, a
            confidence is not a number, or a window is given but the frame rate is unknown.
    """
    kinds = None if types is None else frozenset(check_segment_type(t, "types") for t in _values(types))
    cues = None if cue_types is None else frozenset(TechnicalCueType(c) for c in _values(cue_types))
    if min_confidence is not None:
        check_number("min_confidence", min_confidence, 0, 100)
    rate = result.frame_rate
    window = _window(start, end, rate)

    def keep(segment: Segment) -> bool:
        if kinds is not None and segment.type not in kinds:
            return False
        if cues is not None and segment.cue_type not in cues:
            return False
        if min_confidence is not None:
            confidence = segment.confidence
            if confidence is None or confidence < min_confidence:
                return False
        if window is not None:
            span = segment_range(segment if segment.frame_rate is not None else segment.with_frame_rate(rate))
            if span is None or not _in_window(span, window):
                return False
        return True

    segments = result.segments
    kept = None if segments is None else tuple(s for s in segments if keep(s))
    return attrs.evolve(result, segments=kept)


# -- program structure -----------------------------------------------------------------------------------


@attrs.frozen
class ProgramStructure:
    """Where the program itself is: the Content cues, and the range to trim the file to.

    Attributes:
        content: The Content cues' ranges, chronologically (ends inclusive).
        trim: First frame of the first Content cue to last frame of the last one: color bars, slate, studio
            logo, leading black and end credits fall outside. ``None`` when there is no Content cue.
    """

    content: tuple[FrameRange, ...]
    trim: FrameRange | None

    @property
    def runtime_frames(self) -> int:
        """Frames of program: frames inside at least one Content cue (overlaps counted once)."""
        total = 0
        reach = -1
        for span in self.content:
            if span.last_frame > reach:
                total += span.last_frame - max(span.first_frame, reach + 1) + 1
                reach = span.last_frame
        return total

    @property
    def runtime_seconds(self) -> Fraction:
        """Exact program runtime in seconds (``0`` without Content cues)."""
        if not self.content:
            return Fraction(0)
        return self.runtime_frames / self.content[0].rate.fraction

    @property
    def runtime_millis(self) -> int:
        """Program runtime in ms, rounded down."""
        return math.floor(self.runtime_seconds * 1000)

    @property
    def runtime(self) -> timedelta:
        """Program runtime as a `timedelta` (rounded down to the microsecond)."""
        return timedelta(microseconds=math.floor(self.runtime_seconds * 1_000_000))


def program_structure(result: SegmentDetectionResult) -> ProgramStructure:
    """Find the program's content ranges, runtime and trim range from the Content cues.

    Each Content cue counts the frames it owns (`cue_ranges`): where it starts on the last frame of the cue
    before it, that frame is the earlier cue's, so a Content cue on frames 299-449 after BlackFrames ending
    on 299 is 150 frames of program, not 151.

    Raises:
        ValidationError: The frame rate is unknown (with or without Content cues).
    """
    content = tuple(span for segment, span in cue_ranges(result) if segment.cue_type == TechnicalCueType.CONTENT)
    trim = None
    if content:
        trim = FrameRange(content[0].start, max((span.end for span in content), key=lambda tc: tc.frame))
    return ProgramStructure(content=content, trim=trim)


# -- binge markers ---------------------------------------------------------------------------------------


@attrs.frozen
class BingeMarkers:
    """The "Skip Intro" range and the "Next Episode" point.

    Attributes:
        intro: The opening credits, to offer skipping (ends inclusive: resume playback at ``intro.stop``);
            ``None`` without an OpeningCredits cue.
        intro_confidence: Confidence of the opening credits cue (the lowest, when adjacent cues were joined).
        next_episode: First frame of the end credits, where to offer the next episode; ``None`` without an
            EndCredits cue.
        next_episode_confidence: Confidence of the end credits cue (the lowest, when adjacent cues were joined).
        end_credits: The end credits' frames (``next_episode`` is their first frame); ``None`` without an
            EndCredits cue.
    """

    intro: FrameRange | None
    intro_confidence: float | None
    next_episode: Timecode | None
    next_episode_confidence: float | None
    end_credits: FrameRange | None = None

    @property
    def intro_millis(self) -> tuple[int, int] | None:
        """The intro as ``(start, stop)`` in ms, stop being the end of its last frame (where playback resumes)."""
        return None if self.intro is None else (self.intro.start_millis, self.intro.stop_millis)

    @property
    def next_episode_millis(self) -> int | None:
        """The next-episode point in ms (start of its frame, rounded down), or ``None``."""
        return None if self.next_episode is None else self.next_episode.to_millis()


def _blocks(result: SegmentDetectionResult, cue: TechnicalCueType) -> list[tuple[FrameRange, float | None]]:
    """Join cues of one type that touch or overlap into blocks, with the lowest confidence of each block."""
    blocks: list[tuple[FrameRange, float | None]] = []
    for segment, span in cue_ranges(result):
        if segment.cue_type != cue:
            continue
        confidence = segment.confidence
        if blocks and span.first_frame <= blocks[-1][0].stop_frame:
            previous, low = blocks[-1]
            end = span.end if span.last_frame > previous.last_frame else previous.end
            joined = None if low is None or confidence is None else min(low, confidence)
            blocks[-1] = (FrameRange(previous.start, end), joined)
        else:
            blocks.append((span, confidence))
    return blocks


def binge_markers(result: SegmentDetectionResult) -> BingeMarkers:
    """Find the intro to skip (the first opening credits) and the next-episode point (the last end credits).

    Raises:
        ValidationError: The frame rate is unknown (with or without credits cues).
    """
    opening = _blocks(result, TechnicalCueType.OPENING_CREDITS)
    ending = _blocks(result, TechnicalCueType.END_CREDITS)
    intro, intro_confidence = opening[0] if opening else (None, None)
    credits, credits_confidence = ending[-1] if ending else (None, None)
    return BingeMarkers(
        intro=intro,
        intro_confidence=intro_confidence,
        next_episode=None if credits is None else credits.start,
        next_episode_confidence=credits_confidence,
        end_credits=credits,
    )


# -- ad breaks -------------------------------------------------------------------------------------------


class AdBreakReason(str, enum.Enum):
    """Why a point was proposed as an ad break."""

    BLACK_FRAMES = "black_frames"
    """The middle of a run of black frames inside the program."""
    SHOT_BOUNDARY = "shot_boundary"
    """A cut: the first frame of a shot."""

    def __str__(self) -> str:
        return self.value


@attrs.frozen
class AdBreakCandidate:
    """A point to insert an ad break: the break goes immediately before frame ``at``.

    Attributes:
        at: The first frame shown after the break.
        reason: Black frames or a shot boundary.
        score: 0 to 1, higher is better: black frames score 0.5 to 1 (by confidence and length, a full
            second or more counting fully), shot boundaries 0 to 0.5 (by the shot's confidence), so every
            black-frame candidate outranks every cut.
        segment: The BlackFrames cue, or the shot that starts at ``at``.
    """

    at: Timecode
    reason: AdBreakReason
    score: float
    segment: Segment

    @property
    def frame(self) -> int:
        """0-based index of `at`."""
        return self.at.frame

    @property
    def millis(self) -> int:
        """`at` in ms (start of the frame, rounded down)."""
        return self.at.to_millis()


def _score(confidence: float | None) -> float:
    return 0.5 if confidence is None else max(0.0, min(confidence, 100.0)) / 100


def ad_break_candidates(
    result: SegmentDetectionResult,
    *,
    start: TimePoint | None = None,
    end: TimePoint | None = None,
    min_spacing: timedelta = DEFAULT_AD_BREAK_SPACING,
) -> tuple[AdBreakCandidate, ...]:
    """Propose ad-break points: black-frame runs inside the program first, then shot boundaries.

    The program is the trim range of the Content cues (the extent of all segments when there are none); a
    point on the program's first frame, outside it, or inside opening or end credits is never proposed. A break
    goes *before* its frame, so one on the credits' first frame (between a cold open and the titles) is not
    inside them; one on any later credits frame is.
    Candidates are taken best first (all black-frame runs before any cut, higher score first) and a candidate
    closer than ``min_spacing`` to one already taken, or to the program's start or end, is dropped.

    Args:
        result: The result to search.
        start: Propose only points at or after this point.
        end: Propose only points before this point (exclusive).
        min_spacing: Least distance between two proposed points, and from the program's start and end;
            ``timedelta(0)`` keeps them all.

    Returns:
        The candidates, chronologically.

    Raises:
        ValidationError: The frame rate is unknown, ``end`` is not after ``start``, or ``min_spacing`` is
            negative.
    """
    rate = require_frame_rate(result)
    if not isinstance(min_spacing, timedelta) or min_spacing < timedelta(0):
        raise ValidationError("min_spacing", "must be a non-negative timedelta", min_spacing)
    spacing = _frame_of(min_spacing, rate, "min_spacing", ceil=True)
    window = _window(start, end, rate)
    cues = cue_ranges(result)
    shots = shot_ranges(result)
    program = program_structure(result).trim
    if program is None:
        spans = [span for _, span in (*cues, *shots)]
        if not spans:
            return ()
        first = min(span.first_frame for span in spans)
        last = max(span.last_frame for span in spans)
    else:
        first, last = program.first_frame, program.last_frame
    credits = [span for segment, span in cues if segment.cue_type in _CREDITS]

    def allowed(frame: int) -> bool:
        # A break sits before `frame`: inside credits means between two of their frames.
        if not first < frame <= last or any(span.first_frame < frame <= span.last_frame for span in credits):
            return False
        if window is None:
            return True
        low, stop = window
        return frame >= low and (stop is None or frame < stop)

    pool: list[AdBreakCandidate] = []
    for segment, span in cues:
        if segment.cue_type != TechnicalCueType.BLACK_FRAMES:
            continue
        at = span.start + (span.frame_count // 2)
        if allowed(at.frame):
            length = min(span.duration_seconds, _FULL_BLACK) / _FULL_BLACK
            score = 0.5 + 0.5 * _score(segment.confidence) * float(length)
            pool.append(AdBreakCandidate(at, AdBreakReason.BLACK_FRAMES, score, segment))
    for segment, span in shots:
        if allowed(span.first_frame):
            score = 0.5 * _score(segment.confidence)
            pool.append(AdBreakCandidate(span.start, AdBreakReason.SHOT_BOUNDARY, score, segment))

    pool.sort(key=lambda c: (c.reason != AdBreakReason.BLACK_FRAMES, -c.score, c.frame))
    # Two candidates on one frame are one break, whatever the spacing.
    gap = max(spacing, 1)
    # The program's start and end count as breaks already taken: no ad seconds after the show starts or
    # seconds before it ends.
    frames: list[int] = [first, last + 1]
    taken: list[AdBreakCandidate] = []
    for candidate in pool:
        i = bisect.bisect_left(frames, candidate.frame)
        if (i > 0 and candidate.frame - frames[i - 1] < gap) or (i < len(frames) and frames[i] - candidate.frame < gap):
            continue
        frames.insert(i, candidate.frame)
        taken.append(candidate)
    taken.sort(key=lambda c: c.frame)
    return tuple(taken)


# -- shots -----------------------------------------------------------------------------------------------


@attrs.frozen
class ShotStatistics:
    """How a video is cut.

    Attributes:
        count: Number of shots.
        total_frames: Frames covered by the shots.
        mean_frames: Mean shot length in frames (exact).
        median_frames: Median shot length in frames (exact; halfway between the middle two for an even count).
        rate: The frame rate; ``None`` without shots.
    """

    count: int
    total_frames: int
    mean_frames: Fraction
    median_frames: Fraction
    rate: FrameRate | None

    def _seconds(self, frames: Fraction | int) -> Fraction:
        return Fraction(0) if self.rate is None else frames / self.rate.fraction

    @property
    def mean_seconds(self) -> Fraction:
        """Mean shot length in seconds (exact)."""
        return self._seconds(self.mean_frames)

    @property
    def mean_millis(self) -> int:
        """Mean shot length in ms, rounded down."""
        return math.floor(self.mean_seconds * 1000)

    @property
    def median_seconds(self) -> Fraction:
        """Median shot length in seconds (exact)."""
        return self._seconds(self.median_frames)

    @property
    def median_millis(self) -> int:
        """Median shot length in ms, rounded down."""
        return math.floor(self.median_seconds * 1000)

    @property
    def shots_per_minute(self) -> float:
        """Cuts per minute of shot footage (``count`` over the shots' total length); 0 without shots."""
        seconds = self._seconds(self.total_frames)
        return 0.0 if seconds == 0 else float(self.count * 60 / seconds)


def shot_statistics(result: SegmentDetectionResult) -> ShotStatistics:
    """Count the shots and measure their lengths (shots without a position are left out).

    Raises:
        ValidationError: The frame rate is unknown.
    """
    spans = [span for _, span in shot_ranges(result)]
    if not spans:
        return ShotStatistics(count=0, total_frames=0, mean_frames=Fraction(0), median_frames=Fraction(0), rate=None)
    lengths = [span.frame_count for span in spans]
    total = sum(lengths)
    return ShotStatistics(
        count=len(lengths),
        total_frames=total,
        mean_frames=Fraction(total, len(lengths)),
        median_frames=Fraction(statistics.median_low(lengths) + statistics.median_high(lengths), 2),
        rate=spans[0].rate,
    )


@attrs.frozen
class RepresentativeFrame:
    """The frame to show for a shot: its middle frame (the earlier of the two middle ones for an even count).

    Attributes:
        shot: The shot.
        timecode: The frame.
    """

    shot: Segment
    timecode: Timecode

    @property
    def frame(self) -> int:
        """0-based index of the frame (ffmpeg's ``n`` in ``select``)."""
        return self.timecode.frame

    @property
    def millis(self) -> int:
        """Start of the frame in ms, rounded down."""
        return self.timecode.to_millis()

    @property
    def seconds(self) -> Fraction:
        """Exact start of the frame in seconds (seek here, e.g. ``ffmpeg -ss``)."""
        return self.timecode.to_seconds()


def representative_frames(result: SegmentDetectionResult) -> tuple[RepresentativeFrame, ...]:
    """Return each shot's middle frame, for thumbnails, chronologically."""
    return tuple(
        RepresentativeFrame(shot=segment, timecode=span.start + (span.frame_count - 1) // 2)
        for segment, span in shot_ranges(result)
    )


@attrs.frozen
class CueOverlap:
    """A technical cue and the shots it shares at least one frame with.

    Attributes:
        cue: The technical cue.
        range: The frames the cue owns (ends inclusive; see `cue_ranges` for a shared boundary frame).
        shots: The overlapping shots, chronologically.
    """

    cue: Segment
    range: FrameRange
    shots: tuple[Segment, ...]


def cue_overlaps(result: SegmentDetectionResult) -> tuple[CueOverlap, ...]:
    """For each technical cue, chronologically, find the shots it overlaps."""
    shots = shot_ranges(result)
    firsts = [span.first_frame for _, span in shots]
    reach = _running_max([span.last_frame for _, span in shots])
    out = []
    for cue, span in cue_ranges(result):
        # Shots are sorted by first frame; the running max of last frames says which ones end too early.
        lo = bisect.bisect_left(reach, span.first_frame)
        hits = []
        for i in range(lo, len(shots)):
            if firsts[i] > span.last_frame:
                break
            if shots[i][1].overlaps(span):
                hits.append(shots[i][0])
        out.append(CueOverlap(cue=cue, range=span, shots=tuple(hits)))
    return tuple(out)


def _running_max(values: Sequence[int]) -> list[int]:
    out: list[int] = []
    best = -1
    for value in values:
        best = max(best, value)
        out.append(best)
    return out
