"""Typed use of the non-Optional frame view: checked by mypy --strict, never executed."""

from __future__ import annotations

import rekseg
from rekseg import Timecode
from rekseg.analysis import FrameRange


def out_points(result: rekseg.SegmentDetectionResult) -> list[Timecode]:
    """EDL out points with no None check: frame_range() is never None."""
    spans: list[FrameRange] = [shot.frame_range() for shot in result.shots]
    return [span.end + 1 for span in spans]


def frame_counts(result: rekseg.SegmentDetectionResult) -> int:
    """Frame counts add up as plain ints."""
    return sum(shot.frame_range().frame_count for shot in result.shots)
