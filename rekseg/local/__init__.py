"""Local detection: a `SegmentDetectionResult` for a video file on disk, in the service's exact shape.

Needs the ``rekseg[local]`` extra (PyAV, whose wheels bring FFmpeg); ``import rekseg`` never loads it.

What is detected: hard cuts (shots), ``BlackFrames`` (the service's ``BlackFrame`` filter rule), SMPTE
``ColorBars``, and ``Content`` for what lies between them. Not detected, and never invented: ``OpeningCredits``,
``EndCredits``, ``Slate``, ``StudioLogo``, and gradual transitions (dissolves, fades) as shot boundaries.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from .._enums import SegmentType
from .._exceptions import ValidationError
from .._models import ShotFilter, TechnicalCueFilter
from .._results import SegmentDetectionResult
from ._decide import DEFAULT_MIN_COVERAGE_PERCENTAGE, MODEL_VERSION, Detector, black_threshold, segments_to_wire
from ._decode import MediaError, Progress, decode

__all__ = ["MediaError", "Progress", "detect_file"]


def _segment_types(values: Iterable[SegmentType | str]) -> tuple[SegmentType, ...]:
    if isinstance(values, (str, SegmentType)):
        values = (values,)
    out: list[SegmentType] = []
    for value in values:
        if value not in (SegmentType.SHOT.value, SegmentType.TECHNICAL_CUE.value):
            raise ValidationError("segment_types", "must hold only SHOT and TECHNICAL_CUE", value)
        kind = SegmentType(value)
        if kind in out:
            raise ValidationError("segment_types", "must not repeat a type", value)
        out.append(kind)
    if not out:
        raise ValidationError("segment_types", "must hold at least one of SHOT and TECHNICAL_CUE", values)
    return tuple(out)


def detect_file(
    path: str | os.PathLike[str],
    *,
    segment_types: Iterable[SegmentType | str] = (SegmentType.SHOT, SegmentType.TECHNICAL_CUE),
    shot_filter: ShotFilter | None = None,
    technical_cue_filter: TechnicalCueFilter | None = None,
    progress: Progress | None = None,
) -> SegmentDetectionResult:
    """Detect shots and technical cues in a local video file, as StartSegmentDetection would.

    Frames are decoded one at a time (memory stays flat over the video's length). Frame numbers, millis
    (rounded down), SMPTE labels (drop-frame at 29.97 and 59.94) and durations follow the service's rules.

    Args:
        path: The video file.
        segment_types: Which segment types to detect, in the order the result lists them.
        shot_filter: ``min_segment_confidence`` drops weaker shots, as the service's filter does.
        technical_cue_filter: ``min_segment_confidence`` drops weaker cues; ``black_frame`` sets what is black.
        progress: Called with the frames decoded so far and the frames expected (``None`` if unknown).

    Returns:
        A ``SUCCEEDED`` result with the file's video and audio metadata.

    Raises:
        ValidationError: A parameter is invalid (checked before the file is opened).
        MediaError: The file is missing, not a video, has no video stream, or is truncated or corrupt.
    """
    kinds = _segment_types(segment_types)
    if shot_filter is not None and not isinstance(shot_filter, ShotFilter):
        raise ValidationError("shot_filter", "must be a ShotFilter or None", shot_filter)
    if technical_cue_filter is not None and not isinstance(technical_cue_filter, TechnicalCueFilter):
        raise ValidationError("technical_cue_filter", "must be a TechnicalCueFilter or None", technical_cue_filter)
    if progress is not None and not callable(progress):
        raise ValidationError("progress", "must be callable or None", progress)
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError("path", "must be a str or os.PathLike", path)
    black = technical_cue_filter.black_frame if technical_cue_filter is not None else None
    coverage = DEFAULT_MIN_COVERAGE_PERCENTAGE
    if black is not None and black.min_coverage_percentage is not None:
        coverage = black.min_coverage_percentage

    def detector_for(full_range: bool) -> tuple[Detector, int]:
        return Detector(min_coverage_percentage=coverage), black_threshold(black, full_range)

    detector, rate, metadata = decode(path, detector_for, progress)
    segments = segments_to_wire(
        detector,
        rate,
        kinds,
        shot_filter.min_segment_confidence if shot_filter is not None else None,
        technical_cue_filter.min_segment_confidence if technical_cue_filter is not None else None,
    )
    response = {
        "JobStatus": "SUCCEEDED",
        **metadata,
        "Segments": segments,
        "SelectedSegmentTypes": [{"Type": kind.value, "ModelVersion": MODEL_VERSION} for kind in kinds],
    }
    return SegmentDetectionResult.from_response(response)
