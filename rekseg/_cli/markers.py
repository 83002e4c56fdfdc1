"""``rekseg markers``, and what it and ``rekseg demo`` print: runtime, binge markers, ad breaks, shot statistics."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._analysis import (
    AdBreakCandidate,
    FrameRange,
    ad_break_candidates,
    binge_markers,
    program_structure,
    shot_statistics,
)
from .._results import SegmentDetectionResult
from .._timecode import Timecode
from .options import saved_result_options
from .output import emit, load_result, render_table

__all__ = ["markers_json", "markers_table", "register"]


def _point(tc: Timecode | None) -> dict[str, Any] | None:
    if tc is None:
        return None
    return {"timecode": str(tc), "frame": tc.frame, "millis": tc.to_millis()}


def _range(span: FrameRange | None) -> dict[str, Any] | None:
    if span is None:
        return None
    return {
        "start": _point(span.start),
        "end": _point(span.end),
        "stop": _point(span.stop),
        "frame_count": span.frame_count,
        "duration_millis": span.duration_millis,
    }


def _ad_break(candidate: AdBreakCandidate) -> dict[str, Any]:
    return {**(_point(candidate.at) or {}), "reason": candidate.reason.value, "score": round(candidate.score, 4)}


def markers_json(result: SegmentDetectionResult) -> dict[str, Any]:
    """Return the markers of a result as plain JSON-ready data.

    Ranges give ``start`` and ``end`` (the last frame, inclusive) and ``stop`` (the frame after: where to
    resume playback or end an edit).
    """
    program = program_structure(result)
    markers = binge_markers(result)
    stats = shot_statistics(result)
    rate = result.frame_rate
    return {
        "job_id": result.job_id,
        "frame_rate": None if rate is None else str(rate),
        "program": {
            # Without Content cues the runtime is unknown (null), as the table says, not 0.
            "runtime_frames": None if program.trim is None else program.runtime_frames,
            "runtime_millis": None if program.trim is None else program.runtime_millis,
            "trim": _range(program.trim),
            "content": [_range(span) for span in program.content],
        },
        "intro": None
        if markers.intro is None
        else {**(_range(markers.intro) or {}), "confidence": markers.intro_confidence},
        "next_episode": None
        if markers.next_episode is None
        else {**(_point(markers.next_episode) or {}), "confidence": markers.next_episode_confidence},
        "ad_breaks": [_ad_break(c) for c in ad_break_candidates(result)],
        "shots": {
            "count": stats.count,
            "mean_millis": stats.mean_millis,
            "median_millis": stats.median_millis,
            "shots_per_minute": round(stats.shots_per_minute, 3),
        },
    }


def _clock(millis: int) -> str:
    seconds, ms = divmod(millis, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{ms:03d}"


def _confidence(value: float | None) -> str:
    return "" if value is None else f" (confidence {value:.1f})"


def markers_table(result: SegmentDetectionResult) -> str:
    """Return the markers of a result as a readable summary with an ad-break table."""
    program = program_structure(result)
    markers = binge_markers(result)
    stats = shot_statistics(result)
    lines = [f"job {result.job_id or '?'} at {result.frame_rate or '?'} fps"]
    if program.trim is None:
        lines.append("program runtime   unknown (no Content cues)")
    else:
        lines.append(f"program runtime   {_clock(program.runtime_millis)} ({program.runtime_frames} frames)")
        lines.append(f"program range     {program.trim.start} to {program.trim.end} (last frame, inclusive)")
    if markers.intro is None:
        lines.append("skip intro        none (no OpeningCredits cue)")
    else:
        intro = markers.intro
        lines.append(
            f"skip intro        {intro.start} to {intro.end}, resume at {intro.stop}"
            f"{_confidence(markers.intro_confidence)}"
        )
    if markers.next_episode is None:
        lines.append("next episode      none (no EndCredits cue)")
    else:
        lines.append(f"next episode      at {markers.next_episode}{_confidence(markers.next_episode_confidence)}")
    lines.append(
        f"shots             {stats.count}, mean {stats.mean_millis / 1000:.2f}s, median "
        f"{stats.median_millis / 1000:.2f}s, {stats.shots_per_minute:.1f} per minute"
    )
    breaks = ad_break_candidates(result)
    lines.append(f"ad-break candidates: {len(breaks)}")
    text = "\n".join(lines) + "\n"
    if breaks:
        rows = [(str(c.at), _clock(c.millis), c.reason.value, f"{c.score:.2f}") for c in breaks]
        text += "\n" + render_table(("at", "clock", "reason", "score"), rows)
    return text


def register(sub: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    """Add ``rekseg markers``."""
    p = sub.add_parser(
        "markers", parents=[common], help="print binge markers, ad-break candidates and runtime of a saved result"
    )
    saved_result_options(p)
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(handler=_cmd_markers)


def _cmd_markers(args: argparse.Namespace) -> int:
    result = load_result(args.result, args.frame_rate)
    if args.format == "json":
        emit(args, lambda s: s.write(json.dumps(markers_json(result), indent=2) + "\n"))
    else:
        emit(args, lambda s: s.write(markers_table(result)))
    return 0
