"""What people do with segments: filtering, program structure, binge markers, ad breaks and shot statistics.

Each function takes a `rekseg.SegmentDetectionResult` and is also a method on it::

    result.program().trim                 # == rekseg.analysis.program_structure(result).trim
    result.binge_markers().next_episode   # == rekseg.analysis.binge_markers(result).next_episode

Every position is frame-exact: a `FrameRange` (first and last frame, both inclusive, like the service's
segments) or a `rekseg.Timecode`, each also readable in milliseconds.
"""

from __future__ import annotations

from ._analysis import (
    DEFAULT_AD_BREAK_SPACING,
    AdBreakCandidate,
    AdBreakReason,
    BingeMarkers,
    CueOverlap,
    FrameRange,
    ProgramStructure,
    RepresentativeFrame,
    ShotStatistics,
    TimePoint,
    ad_break_candidates,
    binge_markers,
    cue_overlaps,
    cue_ranges,
    filter_result,
    program_structure,
    representative_frames,
    segment_range,
    shot_statistics,
)

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
