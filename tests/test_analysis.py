"""Analysis helpers: exact answers on hand-built results, invariants on synthetic ones."""

from __future__ import annotations

import itertools
from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest

from rekseg import (
    AdBreakReason,
    FrameRange,
    FrameRate,
    Segment,
    SegmentDetectionResult,
    SegmentType,
    TechnicalCueType,
    Timecode,
    ValidationError,
)
from rekseg.analysis import (
    ad_break_candidates,
    binge_markers,
    cue_overlaps,
    filter_result,
    program_structure,
    representative_frames,
    segment_range,
    shot_statistics,
)
from rekseg.testing import synthetic_result

FPS24 = FrameRate(24)
CUE = TechnicalCueType


def wire(first: int, last: int, rate: FrameRate = FPS24, drop: bool = False) -> dict[str, Any]:
    """Position fields of a segment spanning frames ``first`` to ``last`` (inclusive), as the service sends them."""
    start, end = Timecode(first, rate, drop), Timecode(last, rate, drop)
    return {
        "StartTimestampMillis": start.to_millis(),
        "EndTimestampMillis": end.to_millis(),
        "DurationMillis": end.to_millis() - start.to_millis(),
        "StartTimecodeSMPTE": str(start),
        "EndTimecodeSMPTE": str(end),
        "DurationSMPTE": str(Timecode(last - first, rate, drop)),
        "StartFrameNumber": first,
        "EndFrameNumber": last,
        "DurationFrames": last - first,
    }


def shot(index: int, first: int, last: int, confidence: float = 90.0) -> dict[str, Any]:
    return {"Type": "SHOT", "ShotSegment": {"Index": index, "Confidence": confidence}, **wire(first, last)}


def cue(kind: str, first: int, last: int, confidence: float = 80.0) -> dict[str, Any]:
    return {
        "Type": "TECHNICAL_CUE",
        "TechnicalCueSegment": {"Type": kind, "Confidence": confidence},
        **wire(first, last),
    }


def result(*segments: dict[str, Any], rate: float | None = 24.0) -> SegmentDetectionResult:
    response: dict[str, Any] = {"JobStatus": "SUCCEEDED", "Segments": list(segments), "JobId": "job-1"}
    if rate is not None:
        response["VideoMetadata"] = [{"FrameRate": rate}]
    return SegmentDetectionResult.from_response(response)


def shots_of(*bounds: tuple[int, int]) -> list[dict[str, Any]]:
    return [shot(i, first, last) for i, (first, last) in enumerate(bounds)]


# An episode at 24 fps: bars, slate, opening credits, two acts around black frames, end credits.
EPISODE = result(
    cue("ColorBars", 0, 47, 95.0),
    cue("Slate", 48, 71, 90.0),
    cue("OpeningCredits", 72, 311, 88.5),
    cue("Content", 312, 2999, 99.0),
    cue("BlackFrames", 3000, 3011, 97.0),
    cue("Content", 3012, 5999, 98.0),
    cue("EndCredits", 6000, 6479, 91.25),
    *shots_of((0, 71), (72, 311), (312, 1799), (1800, 2999), (3000, 3011), (3012, 4511), (4512, 5999), (6000, 6479)),
)


def tc(frame: int) -> Timecode:
    return Timecode(frame, FPS24)


# -- FrameRange and segment_range ---------------------------------------------------------------------------


def test_frame_range_counts_both_ends() -> None:
    """A range names its first and last frame, both inclusive; stop is the frame after."""
    span = FrameRange.from_frames(24, 47, FPS24)
    assert (span.frame_count, span.stop_frame, span.stop) == (24, 48, tc(48))
    assert (span.start_millis, span.end_millis, span.stop_millis, span.duration_millis) == (1000, 1958, 2000, 1000)
    assert span.duration_seconds == 1
    assert 24 in span
    assert 47 in span
    assert tc(47) in span
    assert 23 not in span
    assert 48 not in span
    assert "24" not in span


def test_frame_range_overlap_needs_a_shared_frame() -> None:
    """Ranges that only touch do not overlap; sharing one frame does."""
    a = FrameRange.from_frames(0, 9, FPS24)
    assert a.overlaps(FrameRange.from_frames(9, 20, FPS24))
    assert not a.overlaps(FrameRange.from_frames(10, 20, FPS24))


def test_frame_range_rejects_end_before_start_and_mixed_rates() -> None:
    """The last frame cannot precede the first, and both ends share one rate."""
    with pytest.raises(ValidationError, match=r"FrameRange\.end"):
        FrameRange.from_frames(10, 9, FPS24)
    with pytest.raises(ValidationError, match="rate"):
        FrameRange(tc(0), Timecode(5, FrameRate(25)))


def test_segment_range_from_millis_only_matches_frames() -> None:
    """Frame numbers, SMPTE labels alone, or milliseconds alone (older responses) give the same frames."""
    rate = FrameRate(30000, 1001)
    full = wire(1799, 3597, rate, drop=True)
    millis_only = {k: full[k] for k in ("StartTimestampMillis", "EndTimestampMillis")}
    labels_only = {k: full[k] for k in ("StartTimecodeSMPTE", "EndTimecodeSMPTE")}
    for fields in (full, millis_only, labels_only):
        segment = result({"Type": "SHOT", **fields}, rate=29.970029830932617).shots[0]
        span = segment_range(segment)
        assert span is not None
        assert (span.first_frame, span.last_frame) == (1799, 3597)


def test_segment_range_none_without_position_and_error_without_rate() -> None:
    """A segment without any position has no range; one without a known rate cannot be placed."""
    assert segment_range(Segment(type=SegmentType.SHOT)) is None
    with pytest.raises(ValidationError, match="frame_rate"):
        segment_range(Segment(type=SegmentType.SHOT, start_timestamp_millis=0, end_timestamp_millis=10))


# -- filter ---------------------------------------------------------------------------------------------------


def test_filter_by_type_and_cue_type() -> None:
    """Types and cue types narrow the segments; a lone string is one value, and shots have no cue type."""
    assert filter_result(EPISODE, types="SHOT").segments == EPISODE.shots
    kept = filter_result(EPISODE, cue_types=[CUE.CONTENT, "BlackFrames"]).segments or ()
    assert [s.cue_type for s in kept] == [CUE.CONTENT, CUE.BLACK_FRAMES, CUE.CONTENT]


@pytest.mark.parametrize(("typo", "meant"), [("shot", "SHOT"), ("SHOTS", "SHOT"), ("TECHNICAL_CUES", "TECHNICAL_CUE")])
def test_filter_refuses_a_misspelt_type_like_start_does(typo: str, meant: str) -> None:
    """A type that is not SHOT or TECHNICAL_CUE raises on ``types`` with start's "did you mean", not an empty result."""
    with pytest.raises(ValidationError, match=f"did you mean {meant}\\?") as info:
        filter_result(EPISODE, types=typo)
    assert info.value.field == "types"
    with pytest.raises(ValidationError):
        EPISODE.filter(types=["SHOT", typo])


def test_filter_keeps_cue_types_open() -> None:
    """A cue type rekseg does not know yet is a real filter value: it keeps the cues of that type."""
    new = result(cue("NewCue", 0, 9), cue("Content", 10, 19))
    kept = filter_result(new, cue_types="NewCue").segments or ()
    assert [s.cue_type for s in kept] == [CUE("NewCue")]


def test_filter_by_confidence_keeps_equal() -> None:
    """Minimum confidence keeps segments at exactly that confidence and drops the rest below."""
    kept = filter_result(EPISODE, types=SegmentType.TECHNICAL_CUE, min_confidence=95).segments or ()
    assert [s.confidence for s in kept] == [95.0, 99.0, 97.0, 98.0]
    with pytest.raises(ValidationError, match="min_confidence"):
        filter_result(EPISODE, min_confidence=101)


def test_filter_by_window_is_half_open_and_keeps_overlaps() -> None:
    """``[start, end)`` keeps segments with at least one frame inside it, at frame precision."""
    shots = result(*EPISODE.to_response()["Segments"][7:])  # the shots only
    window = filter_result(shots, start=tc(311), end=tc(1800))
    assert [s.shot_index for s in window.segments or ()] == [1, 2]
    # As timedeltas: 13 s is frame 312 exactly; 75 s is frame 1800, the exclusive end.
    window = filter_result(shots, start=timedelta(seconds=13), end=timedelta(seconds=75))
    assert [s.shot_index for s in window.segments or ()] == [2]
    assert window.job_id == shots.job_id
    assert window.video_metadata == shots.video_metadata


def test_filter_window_rejects_empty_window_and_unknown_rate() -> None:
    """An end not after the start, or a window on a result without a frame rate, raises."""
    with pytest.raises(ValidationError, match="end"):
        filter_result(EPISODE, start=tc(10), end=tc(10))
    with pytest.raises(ValidationError, match="frame_rate"):
        filter_result(result(shot(0, 0, 10), rate=None), end=timedelta(seconds=1))


# -- program structure ----------------------------------------------------------------------------------------


def test_program_trim_and_runtime() -> None:
    """The trim range runs from the first to the last Content frame; runtime counts Content frames only."""
    program = program_structure(EPISODE)
    assert program.trim == FrameRange.from_frames(312, 5999, FPS24)
    assert [(r.first_frame, r.last_frame) for r in program.content] == [(312, 2999), (3012, 5999)]
    assert program.runtime_frames == 2688 + 2988
    assert program.runtime_seconds == Fraction(5676, 24)
    assert program.runtime_millis == 236500
    assert program.runtime == timedelta(seconds=236, milliseconds=500)


def test_program_counts_overlapping_content_once() -> None:
    """Overlapping Content cues add their union, not their sum."""
    program = program_structure(result(cue("Content", 10, 29), cue("Content", 20, 39), cue("Content", 50, 50)))
    assert program.runtime_frames == 31
    assert program.trim == FrameRange.from_frames(10, 50, FPS24)


def test_program_without_content() -> None:
    """Without Content cues there is no trim range and no runtime."""
    program = program_structure(result(shot(0, 0, 99)))
    assert (program.content, program.trim, program.runtime_frames, program.runtime_millis) == ((), None, 0, 0)


# -- binge markers --------------------------------------------------------------------------------------------


def test_binge_markers_with_confidence() -> None:
    """The intro is the opening credits; the next episode is offered at the end credits' first frame."""
    markers = binge_markers(EPISODE)
    assert markers.intro == FrameRange.from_frames(72, 311, FPS24)
    assert markers.intro_confidence == 88.5
    assert markers.intro_millis == (3000, 13000)
    assert markers.next_episode == tc(6000)
    assert markers.next_episode_millis == 250000
    assert markers.next_episode_confidence == 91.25
    assert markers.end_credits == FrameRange.from_frames(6000, 6479, FPS24)


def test_binge_markers_absent() -> None:
    """Without credits cues both markers are None."""
    markers = binge_markers(result(cue("Content", 0, 99), shot(0, 0, 99)))
    assert markers.intro is None
    assert markers.intro_confidence is None
    assert markers.next_episode is None
    assert markers.next_episode_confidence is None
    assert markers.next_episode_millis is None
    assert markers.intro_millis is None


def test_binge_markers_join_adjacent_cues_with_lowest_confidence() -> None:
    """Touching opening-credits cues form one intro; a later end credits block wins for the next episode."""
    markers = binge_markers(
        result(
            cue("OpeningCredits", 100, 199, 90.0),
            cue("OpeningCredits", 200, 299, 70.0),
            cue("OpeningCredits", 900, 999, 99.0),
            cue("EndCredits", 5000, 5099, 60.0),
            cue("EndCredits", 8000, 8999, 85.0),
        )
    )
    assert markers.intro == FrameRange.from_frames(100, 299, FPS24)
    assert markers.intro_confidence == 70.0
    assert (markers.next_episode, markers.next_episode_confidence) == (tc(8000), 85.0)


# -- ad breaks ------------------------------------------------------------------------------------------------


def test_ad_breaks_black_frames_first_then_cuts() -> None:
    """Black frames inside the program give the middle frame; cuts fill in, spaced, inside the program only."""
    breaks = ad_break_candidates(EPISODE, min_spacing=timedelta(seconds=45))
    assert [(b.frame, b.reason) for b in breaks] == [
        (1800, AdBreakReason.SHOT_BOUNDARY),
        (3006, AdBreakReason.BLACK_FRAMES),
        (4512, AdBreakReason.SHOT_BOUNDARY),
    ]
    black = breaks[1]
    assert black.segment.cue_type == CUE.BLACK_FRAMES
    # 12 black frames = half a second: half the length bonus at confidence 97.
    assert black.score == pytest.approx(0.5 + 0.5 * 0.97 * 0.5)
    assert breaks[0].score == pytest.approx(0.45)
    assert breaks[0].millis == 75000
    assert breaks[0].at == tc(1800)


def test_ad_breaks_spacing_drops_the_weaker_neighbour() -> None:
    """A cut closer than the spacing to a black-frame break is dropped; zero spacing keeps every point once."""
    breaks = ad_break_candidates(EPISODE, min_spacing=timedelta(seconds=100))
    assert [b.frame for b in breaks] == [3006]
    # The program's start (frame 312) fences too: the black frames are 112 s after it.
    assert ad_break_candidates(EPISODE, min_spacing=timedelta(seconds=113)) == ()
    everything = ad_break_candidates(EPISODE, min_spacing=timedelta(0))
    assert [b.frame for b in everything] == [1800, 3000, 3006, 3012, 4512]


def test_ad_breaks_never_inside_credits_or_outside_program() -> None:
    """Nothing is proposed between two credits frames or outside the program; right before the credits is fine."""
    breaks = ad_break_candidates(
        result(
            cue("Content", 100, 999),
            cue("OpeningCredits", 300, 499),
            cue("BlackFrames", 400, 409, 99.0),
            cue("BlackFrames", 1000, 1009, 99.0),
            *shots_of((0, 99), (100, 299), (300, 349), (350, 599), (600, 999), (1000, 1099)),
        ),
        min_spacing=timedelta(0),
    )
    assert [b.frame for b in breaks] == [300, 600]


def test_ad_breaks_window() -> None:
    """A window keeps points at or after its start and before its end."""
    breaks = ad_break_candidates(EPISODE, start=tc(3006), end=tc(4512), min_spacing=timedelta(0))
    assert [b.frame for b in breaks] == [3006, 3012]


def test_ad_breaks_without_content_use_the_segments_extent() -> None:
    """Without Content cues every cut after the first frame is a candidate."""
    breaks = ad_break_candidates(result(*shots_of((0, 99), (100, 199), (200, 299))), min_spacing=timedelta(0))
    assert [b.frame for b in breaks] == [100, 200]
    assert ad_break_candidates(result()) == ()


def test_ad_breaks_reject_bad_spacing_and_unknown_rate() -> None:
    """Negative spacing and a result without a frame rate raise."""
    with pytest.raises(ValidationError, match="min_spacing"):
        ad_break_candidates(EPISODE, min_spacing=timedelta(seconds=-1))
    with pytest.raises(ValidationError, match="frame_rate"):
        ad_break_candidates(result(shot(0, 0, 9), rate=None))


# -- shots ----------------------------------------------------------------------------------------------------


def test_shot_statistics_exact() -> None:
    """Count, mean, median and shots per minute come out exact."""
    stats = shot_statistics(result(*shots_of((0, 23), (24, 71), (72, 143), (144, 263))))
    assert (stats.count, stats.total_frames) == (4, 264)
    assert (stats.mean_frames, stats.median_frames) == (Fraction(66), Fraction(60))
    assert (stats.mean_seconds, stats.median_seconds) == (Fraction(11, 4), Fraction(5, 2))
    assert (stats.mean_millis, stats.median_millis) == (2750, 2500)
    assert stats.shots_per_minute == pytest.approx(4 * 60 / 11)


def test_shot_statistics_without_shots() -> None:
    """No shots give zeros, not an error."""
    stats = shot_statistics(result(cue("Content", 0, 9)))
    assert (stats.count, stats.total_frames, stats.mean_frames, stats.shots_per_minute) == (0, 0, Fraction(0), 0.0)


def test_representative_frame_is_the_middle() -> None:
    """Each shot's middle frame, the earlier of two for an even count."""
    frames = representative_frames(result(*shots_of((0, 0), (1, 48), (49, 51))))
    assert [f.frame for f in frames] == [0, 24, 50]
    assert frames[1].millis == 1000
    assert frames[1].seconds == 1
    assert frames[2].shot.shot_index == 2


def test_cue_overlaps_share_a_frame() -> None:
    """A cue lists every shot it shares at least one frame with, and nothing it only touches."""
    overlaps = cue_overlaps(
        result(
            cue("BlackFrames", 99, 100),
            cue("Slate", 200, 299),
            cue("EndCredits", 500, 600),
            *shots_of((0, 99), (100, 199), (200, 299), (300, 399)),
        )
    )
    assert [[s.shot_index for s in o.shots] for o in overlaps] == [[0, 1], [2], []]
    assert overlaps[1].range == FrameRange.from_frames(200, 299, FPS24)


def test_result_methods_delegate() -> None:
    """Each analysis is a method on the result giving the same answer."""
    assert EPISODE.program() == program_structure(EPISODE)
    assert EPISODE.binge_markers() == binge_markers(EPISODE)
    assert EPISODE.ad_breaks() == ad_break_candidates(EPISODE)
    assert EPISODE.ad_breaks(min_spacing=timedelta(0)) == ad_break_candidates(EPISODE, min_spacing=timedelta(0))
    assert EPISODE.shot_statistics() == shot_statistics(EPISODE)
    assert EPISODE.representative_frames() == representative_frames(EPISODE)
    assert EPISODE.cue_overlaps() == cue_overlaps(EPISODE)
    assert EPISODE.filter(types="SHOT", min_confidence=50) == filter_result(EPISODE, types="SHOT", min_confidence=50)


# -- invariants on synthetic episodes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "seed"), [("24000/1001", 1), (24, 2), (25, 3), ("30000/1001", 4), ("60000/1001", 5), (30, 6)]
)
def test_synthetic_episode_invariants(rate: str | int, seed: int) -> None:
    """On realistic results every answer stays inside the program, off the credits, and consistent."""
    episode = synthetic_result(frame_rate=rate, shots=150, seed=seed)
    ranges = [(s, segment_range(s)) for s in episode.segments or ()]
    total = max(r.last_frame for _, r in ranges if r is not None) + 1

    program = episode.program()
    assert program.trim is not None
    assert program.runtime_frames <= program.trim.frame_count <= total

    markers = episode.binge_markers()
    assert markers.intro is not None
    assert markers.end_credits is not None
    assert markers.intro.stop_frame <= program.trim.first_frame
    assert markers.next_episode == markers.end_credits.start
    assert markers.end_credits.first_frame > program.trim.last_frame

    spacing = timedelta(seconds=30)
    breaks = episode.ad_breaks(min_spacing=spacing)
    frames = [b.frame for b in breaks]
    assert frames == sorted(frames)
    assert breaks
    assert all(program.trim.first_frame < f <= program.trim.last_frame for f in frames)
    least = spacing.total_seconds() * float(episode.frame_rate or 0)
    assert all(b - a >= least for a, b in itertools.pairwise(frames))
    assert frames[0] - program.trim.first_frame >= least
    assert program.trim.stop_frame - frames[-1] >= least
    assert all(0 <= b.score <= 1 for b in breaks)

    stats = episode.shot_statistics()
    assert (stats.count, stats.total_frames) == (150, total)
    for rep in episode.representative_frames():
        span = segment_range(rep.shot)
        assert span is not None
        assert rep.timecode in span

    shot_ranges = [(s, r) for s, r in ranges if s.is_shot and r is not None]
    for overlap in episode.cue_overlaps():
        expected = [s for s, r in shot_ranges if r.overlaps(overlap.range)]
        assert list(overlap.shots) == expected
        assert expected
