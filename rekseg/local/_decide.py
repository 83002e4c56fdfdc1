"""The local detector's decisions, without I/O: per-frame measures in, segments in the service's wire form out.

The decoder (`rekseg.local._decode`) hands each frame's measures to a `Detector`; nothing here knows PyAV.
Frames are numbered from 0 in decoding order at a constant rate; every label and millisecond value comes from
`rekseg._timecode` (`frame_labeller`, `Timecode.to_millis`), never from arithmetic of its own.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, Final

import attrs

from .._enums import SegmentType, TechnicalCueType
from .._models import BlackFrame
from .._timecode import FrameRate, Timecode, frame_labeller
from .._wire import segment_from_frames

__all__ = [
    "BARS",
    "DEFAULT_MAX_PIXEL_THRESHOLD",
    "DEFAULT_MIN_COVERAGE_PERCENTAGE",
    "MODEL_VERSION",
    "THUMB_HEIGHT",
    "THUMB_WIDTH",
    "Detector",
    "FrameMeasures",
    "bars_match",
    "black_threshold",
    "may_be_black",
    "segments_to_wire",
]

MODEL_VERSION: Final = "rekseg-local-1.0"
"""``ModelVersion`` reported for both segment types."""

DEFAULT_MAX_PIXEL_THRESHOLD: Final = 0.2
"""The service's default ``BlackFrame.MaxPixelThreshold``."""
DEFAULT_MIN_COVERAGE_PERCENTAGE: Final = 99.0
"""The service's default ``BlackFrame.MinCoveragePercentage``."""

THUMB_WIDTH: Final = 63
"""Width of the RGB thumbnail cuts and bars are judged on (7 bars of 9 columns)."""
THUMB_HEIGHT: Final = 36
"""Height of the RGB thumbnail."""

CUT_MIN_SCORE: Final = 18.0
"""Least mean absolute RGB difference (0-255) between two frames that can be a hard cut."""
CUT_PEAK_RATIO: Final = 3.0
"""A cut's difference must exceed its neighbours' by this factor: steady motion differs every frame, a cut once."""
CUT_FULL_CONFIDENCE_SCORE: Final = 64.0
"""Difference at which a cut's confidence reaches 100."""
BARS_MIN_MATCH: Final = 0.85
"""Share of the top of a frame that must match SMPTE bars for the frame to count as bars."""

# SMPTE bars left to right: white, yellow, cyan, green, magenta, red, blue as (R, G, B) lit or not.
BARS: Final = (
    (True, True, True),
    (True, True, False),
    (False, True, True),
    (False, True, False),
    (True, False, True),
    (True, False, False),
    (False, False, True),
)
_LIT: Final = 120
_DARK: Final = 70
_BARS_TOP_SHARE: Final = 0.6


def black_threshold(black_frame: BlackFrame | None, full_range: bool) -> int:
    """Return the brightest 8-bit luma value still black under the service's ``BlackFrame`` rule.

    A pixel is black at or below ``minimum + MaxPixelThreshold * range``: 0 + t * 255 in full range,
    16 + t * 219 in limited range.
    """
    t = DEFAULT_MAX_PIXEL_THRESHOLD
    if black_frame is not None and black_frame.max_pixel_threshold is not None:
        t = black_frame.max_pixel_threshold
    return int(t * 255) if full_range else 16 + int(t * 219)


# Each sample classed as dark (0), lit (1) or neither (2), in one C-speed pass.
_CLASSES: Final = bytes(1 if v >= _LIT else 0 if v <= _DARK else 2 for v in range(256))


def bars_match(rgb: bytes, width: int = THUMB_WIDTH, height: int = THUMB_HEIGHT) -> float:
    """Return the share (0-1) of the top of an RGB24 thumbnail that shows the seven SMPTE colour bars.

    The share counts rows of each bar whose every pixel has the bar's colour.
    """
    band = width // len(BARS)
    # The band's edge columns blur into the next bar when the picture is scaled down: skip them.
    inner = band - 2
    expected = [bytes(int(on) for on in lit) * inner for lit in BARS]
    rows = max(1, int(height * _BARS_TOP_SHARE))
    classes = rgb[: rows * width * 3].translate(_CLASSES)
    matched = 0
    for y in range(rows):
        row = y * width * 3
        for k, want in enumerate(expected):
            start = row + 3 * (k * band + 1)
            if classes[start : start + 3 * inner] == want:
                matched += 1
    return matched / (rows * len(BARS))


_MEAN_TOLERANCE: Final = 12.0
"""Luma levels a thumbnail's mean may be off the full frame's (scaling, colour conversion) in `may_be_black`."""


def may_be_black(rgb: bytes, threshold: int, full_range: bool, min_coverage_percentage: float) -> bool:
    """Whether a frame whose RGB24 thumbnail is ``rgb`` can be black; ``False`` spares counting its full-size luma.

    If ``c`` percent of the pixels are at most ``threshold``, the frame's mean luma is at most
    ``c/100 * threshold + (1 - c/100) * 255``; a thumbnail's mean well above that rules the frame out.
    """
    if not rgb:
        return True
    pixels = len(rgb) // 3
    # BT.709 luma of the thumbnail's mean colour, back on the stream's own scale.
    mean = (0.2126 * sum(rgb[0::3]) + 0.7152 * sum(rgb[1::3]) + 0.0722 * sum(rgb[2::3])) / pixels
    if not full_range:
        mean = 16 + mean * 219 / 255
    share = min_coverage_percentage / 100
    return mean <= share * threshold + (1 - share) * 255 + _MEAN_TOLERANCE


def _difference(a: bytes, b: bytes) -> float:
    """Mean absolute difference of two equal-length byte strings."""
    return sum(map(abs, map(operator.sub, a, b))) / len(a) if a else 0.0


@attrs.frozen
class FrameMeasures:
    """What the detector needs to know of one frame.

    Attributes:
        thumbnail: RGB24 thumbnail, `THUMB_WIDTH` x `THUMB_HEIGHT`.
        black_coverage: Percentage of the frame's pixels that are black (at or below the threshold).
    """

    thumbnail: bytes
    black_coverage: float


_Run = tuple[TechnicalCueType, int, int, float]  # (cue, first frame, stop frame (exclusive), confidence)


@attrs.define
class Detector:
    """Stream frames in, get shots and technical cues out; memory does not grow with the video's length.

    Args:
        min_coverage_percentage: ``BlackFrame.MinCoveragePercentage``: share of black pixels a black frame has.
    """

    min_coverage_percentage: float = DEFAULT_MIN_COVERAGE_PERCENTAGE
    frames: int = 0
    # Shots: (first frame, confidence); cut decisions wait one frame to see whether a difference is a peak.
    shots: list[tuple[int, float]] = attrs.field(factory=list)
    runs: list[_Run] = attrs.field(factory=list)
    _previous: bytes | None = None
    _scores: list[float] = attrs.field(factory=list)  # differences into the last two frames
    _run: list[Any] | None = None  # the cue run in progress: [cue, first, score sum]

    def add(self, measures: FrameMeasures) -> None:
        """Take the next frame's measures."""
        index = self.frames
        self.frames += 1
        thumb = measures.thumbnail
        if self._previous is None:
            self.shots.append((0, 100.0))
        else:
            self._scores.append(_difference(self._previous, thumb))
            self._decide_cut(index - 1, following=None)
        self._previous = thumb
        self._track_cue(index, measures)

    def _decide_cut(self, index: int, following: float | None) -> None:
        """Decide whether frame ``index`` (whose difference is ``_scores[-2]``) starts a new shot."""
        scores = self._scores
        if following is None:
            if len(scores) < 2:
                return
            candidate, following = scores[-2], scores[-1]
            before = scores[-3] if len(scores) > 2 else 0.0
            del scores[:-3]
        else:
            candidate = scores[-1]
            before = scores[-2] if len(scores) > 1 else 0.0
        if candidate >= CUT_MIN_SCORE and candidate >= CUT_PEAK_RATIO * max(before, following, 1.0):
            confidence = min(100.0, 50.0 + 50.0 * candidate / CUT_FULL_CONFIDENCE_SCORE)
            self.shots.append((index, round(confidence, 3)))

    def _track_cue(self, index: int, measures: FrameMeasures) -> None:
        cue: TechnicalCueType | None = None
        score = 0.0
        coverage = measures.black_coverage
        if coverage >= self.min_coverage_percentage:
            cue = TechnicalCueType.BLACK_FRAMES
            span = 100.0 - self.min_coverage_percentage
            score = 1.0 if span <= 0 else (coverage - self.min_coverage_percentage) / span
        else:
            match = bars_match(measures.thumbnail)
            if match >= BARS_MIN_MATCH:
                cue = TechnicalCueType.COLOR_BARS
                score = (match - BARS_MIN_MATCH) / (1.0 - BARS_MIN_MATCH)
        run = self._run
        if run is not None and run[0] != cue:
            self._close_run(index)
            run = None
        if cue is not None:
            if run is None:
                self._run = [cue, index, 0.0]
            assert self._run is not None
            self._run[2] += score

    def _close_run(self, stop: int) -> None:
        run = self._run
        if run is not None:
            cue, first, total = run
            self.runs.append((cue, first, stop, round(50.0 + 50.0 * total / (stop - first), 3)))
        self._run = None

    def finish(self) -> None:
        """Settle the last frame's cut decision and close the cue run in progress."""
        if self._scores:
            self._decide_cut(self.frames - 1, following=0.0)
        self._scores.clear()
        self._close_run(self.frames)

    def cues(self) -> list[_Run]:
        """Every technical cue chronologically, ``Content`` filling what lies between the others."""
        out: list[_Run] = []
        position = 0
        for run in self.runs:
            if run[1] > position:
                out.append((TechnicalCueType.CONTENT, position, run[1], 100.0))
            out.append(run)
            position = run[2]
        if position < self.frames:
            out.append((TechnicalCueType.CONTENT, position, self.frames, 100.0))
        return out


def segments_to_wire(
    detector: Detector,
    rate: FrameRate,
    segment_types: Sequence[SegmentType],
    shot_min_confidence: float | None,
    cue_min_confidence: float | None,
) -> list[dict[str, Any]]:
    """Render the detector's shots and cues as ``SegmentDetection`` wire dicts, in the service's order.

    Shots end at their last frame (the next shot starts one frame later); adjacent cues share their boundary
    frame, as the service reports them. Segments below a filter's ``MinSegmentConfidence`` are left out.
    """
    drop = rate.supports_drop_frame
    label = frame_labeller(rate, drop)

    def millis(frame: int) -> int:
        return Timecode(frame, rate, drop).to_millis()

    def render(kind: SegmentType, first: int, last: int, detail: tuple[str, dict[str, Any]]) -> dict[str, Any]:
        return segment_from_frames(kind.value, first, last, detail, label=label, millis=millis)

    out: list[dict[str, Any]] = []
    detail: dict[str, Any]
    for kind in segment_types:
        if kind == SegmentType.SHOT:
            starts = detector.shots
            for i, (first, confidence) in enumerate(starts):
                stop = starts[i + 1][0] if i + 1 < len(starts) else detector.frames
                if shot_min_confidence is None or confidence >= shot_min_confidence:
                    detail = {"Index": i, "Confidence": confidence}
                    out.append(render(kind, first, stop - 1, ("ShotSegment", detail)))
        else:
            for cue, first, stop, confidence in detector.cues():
                if cue_min_confidence is None or confidence >= cue_min_confidence:
                    detail = {"Type": cue.value, "Confidence": confidence}
                    out.append(render(kind, first, stop, ("TechnicalCueSegment", detail)))
    return out
