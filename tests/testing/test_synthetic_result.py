"""synthetic_result: realistic, internally consistent, deterministic results."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from fractions import Fraction

import pytest

from rekseg import (
    FrameRate,
    JobStatus,
    SegmentDetectionResult,
    SegmentType,
    TechnicalCueType,
    Timecode,
    ValidationError,
)
from rekseg._timecode import frame_labeller
from rekseg.testing import SyntheticVideo, synthetic_result

RATES = [
    ("24000/1001", False),
    ("24", False),
    ("25", False),
    ("30000/1001", False),
    ("30000/1001", True),
    ("60000/1001", True),
    ("60000/1001", False),
    ("30", False),
    ("50", False),
]


def _check_invariants(result: SegmentDetectionResult, drop: bool) -> None:
    rate = result.frame_rate
    assert rate is not None
    meta = result.video_metadata
    assert meta is not None
    total_ms = meta[0].duration_millis
    assert total_ms is not None
    for segment in result.segments or ():
        first, last = segment.start_frame_number, segment.end_frame_number
        assert first is not None
        assert last is not None
        assert 0 <= first <= last
        assert segment.start_timestamp_millis == Timecode(first, rate).to_millis()
        assert segment.end_timestamp_millis == Timecode(last, rate).to_millis()
        assert segment.duration_millis == segment.end_timestamp_millis - segment.start_timestamp_millis
        assert segment.start_timecode_smpte == str(Timecode(first, rate, drop))
        assert segment.end_timecode_smpte == str(Timecode(last, rate, drop))
        assert segment.duration_smpte == str(Timecode(last - first, rate, drop))
        assert segment.duration_frames == last - first
        assert segment.frame_count == last - first + 1
        confidence = segment.confidence
        assert confidence is not None
        assert 50 <= confidence <= 100
        assert segment.end_timestamp_millis <= total_ms


@pytest.mark.parametrize(("rate", "drop"), RATES)
def test_shots_are_contiguous_indexed_and_cover_the_video(rate: str, drop: bool) -> None:
    """Shots are indexed from 0, start where the previous one ended plus one frame, and cover every frame."""
    result = synthetic_result(duration=600, frame_rate=rate, drop_frame=drop, shots=97, seed=7)
    fps = FrameRate.coerce(rate)
    total = int(Fraction(600) * fps.fraction)
    shots = result.shots
    assert [s.shot_index for s in shots] == list(range(97))
    assert shots[0].start_frame_number == 0
    for before, after in itertools.pairwise(shots):
        assert before.end_frame_number is not None
        assert after.start_frame_number == before.end_frame_number + 1
    assert shots[-1].end_frame_number == total - 1
    assert sum(s.frame_count or 0 for s in shots) == total
    _check_invariants(result, drop)


@pytest.mark.parametrize(("rate", "drop"), RATES)
def test_labels_milliseconds_and_durations_follow_the_service(rate: str, drop: bool) -> None:
    """Ms are rounded down, labels are exact Timecode labels, durations are end minus start."""
    result = synthetic_result(frame_rate=rate, drop_frame=drop, shots=300, seed=1)
    _check_invariants(result, drop)
    assert all((";" in s.start_timecode_smpte) == drop for s in result.segments or () if s.start_timecode_smpte)


def test_drop_frame_is_the_default_at_29_97_and_59_94_only() -> None:
    """Without drop_frame, 29.97 and 59.94 are labelled drop-frame and 23.976 and 25 are not."""
    assert (result := synthetic_result(frame_rate=29.97, shots=3)).segments
    assert all(s.drop_frame for s in result.segments or ())
    assert all(s.drop_frame for s in synthetic_result(frame_rate=59.94, shots=3).segments or ())
    assert not any(s.drop_frame for s in synthetic_result(frame_rate=23.976, shots=3).segments or ())
    assert not any(s.drop_frame for s in synthetic_result(frame_rate=25, shots=3).segments or ())


def test_drop_frame_is_refused_where_it_does_not_exist() -> None:
    """Asking for drop-frame at 25 fps raises ValidationError."""
    with pytest.raises(ValidationError):
        synthetic_result(frame_rate=25, drop_frame=True)


@pytest.mark.parametrize(("rate", "drop"), [("30000/1001", True), ("60000/1001", True), ("24000/1001", False)])
def test_fast_labeller_matches_timecode(rate: str, drop: bool) -> None:
    """The generator's labeller gives exactly str(Timecode(...)) around every minute boundary and at random."""
    fps = FrameRate.coerce(rate)
    label = frame_labeller(fps, drop)
    limit = fps.frames_per_day(drop)
    rng = random.Random(0)
    frames = list(range(40000)) + [rng.randrange(limit) for _ in range(20000)] + [limit - 1]
    for frame in frames:
        assert label(frame) == str(Timecode(frame, fps, drop)), frame


def test_cue_layout_looks_like_an_episode() -> None:
    """Cues run bars, slate, logo, opening credits, acts split by black frames, end credits, back to back."""
    result = synthetic_result(duration=timedelta(minutes=44), shots=400, seed=3)
    cues = result.technical_cues
    kinds = [c.cue_type for c in cues]
    assert kinds[:4] == [
        TechnicalCueType.COLOR_BARS,
        TechnicalCueType.SLATE,
        TechnicalCueType.STUDIO_LOGO,
        TechnicalCueType.OPENING_CREDITS,
    ]
    assert kinds[-1] == TechnicalCueType.END_CREDITS
    middle = kinds[4:-1]
    assert middle[0::2] == [TechnicalCueType.CONTENT] * len(middle[0::2])
    assert middle[1::2] == [TechnicalCueType.BLACK_FRAMES] * len(middle[1::2])
    assert 3 <= middle.count(TechnicalCueType.CONTENT) <= 5
    for before, after in itertools.pairwise(cues):
        assert after.start_frame_number == (before.end_frame_number or 0) + 1
    assert cues[-1].end_frame_number == result.shots[-1].end_frame_number


def test_only_the_requested_cues_are_reported() -> None:
    """technical_cues selects which cue types appear; unknown types are reported before the end credits."""
    result = synthetic_result(shots=10, technical_cues=["Content", "NewCue", TechnicalCueType.END_CREDITS])
    kinds = [c.cue_type for c in result.technical_cues]
    assert set(kinds) == {TechnicalCueType.CONTENT, TechnicalCueType("NewCue"), TechnicalCueType.END_CREDITS}
    assert kinds[-2:] == [TechnicalCueType("NewCue"), TechnicalCueType.END_CREDITS]


def test_segments_are_in_the_service_order() -> None:
    """Segments are grouped by type in the requested order, then sorted by start."""
    for types in (["TECHNICAL_CUE", "SHOT"], ["SHOT", "TECHNICAL_CUE"]):
        result = synthetic_result(shots=50, segment_types=types, seed=2)
        segments = result.segments or ()
        kinds = [s.type for s in segments]
        first = SegmentType(types[0])
        boundary = kinds.index(SegmentType(types[1]))
        assert set(kinds[:boundary]) == {first}
        assert SegmentType(types[0]) not in kinds[boundary:]
        for group in (segments[:boundary], segments[boundary:]):
            starts = [s.start_frame_number or 0 for s in group]
            assert starts == sorted(starts)
        assert [t.type for t in result.selected_segment_types or ()] == [SegmentType(t) for t in types]


def test_one_segment_type_only() -> None:
    """Requesting SHOT only gives shots only and one SelectedSegmentTypes entry."""
    result = synthetic_result(shots=20, segment_types=["SHOT"])
    assert len(result.segments or ()) == 20
    assert not result.technical_cues
    assert [t.type for t in result.selected_segment_types or ()] == [SegmentType.SHOT]


def test_deterministic_for_a_seed() -> None:
    """The same seed gives the same result; another seed gives another."""
    assert synthetic_result(shots=200, seed=5) == synthetic_result(shots=200, seed=5)
    assert synthetic_result(shots=200, seed=5) != synthetic_result(shots=200, seed=6)


def test_metadata_is_what_the_service_sends() -> None:
    """Status SUCCEEDED, float32 frame rate, duration of the video in ms, audio metadata, model versions."""
    result = synthetic_result(duration=60, frame_rate="30000/1001", shots=10)
    assert result.job_status == JobStatus.SUCCEEDED
    meta = (result.video_metadata or ())[0]
    assert meta.frame_rate == 29.970029830932617
    assert meta.rational_frame_rate == FrameRate(30000, 1001)
    assert meta.duration_millis == Timecode(1798, FrameRate(30000, 1001)).to_millis()
    assert meta.codec
    assert meta.frame_width
    assert meta.frame_height
    assert meta.color_range is not None
    assert result.audio_metadata
    assert all(t.model_version for t in result.selected_segment_types or ())


def test_duration_too_short_for_the_shots_is_refused() -> None:
    """More shots than frames raises ValidationError naming the duration."""
    with pytest.raises(ValidationError) as info:
        synthetic_result(duration=1, frame_rate=25, shots=26)
    assert info.value.field == "duration"


def test_a_hundred_thousand_shots_build() -> None:
    """A 100k-shot result builds with contiguous shots (the benchmark's size)."""
    result = synthetic_result(shots=100_000, frame_rate=59.94, seed=9)
    shots = result.shots
    assert len(shots) == 100_000
    assert all(b.start_frame_number == (a.end_frame_number or 0) + 1 for a, b in itertools.pairwise(shots))


def test_synthetic_video_result_equals_synthetic_result() -> None:
    """SyntheticVideo(...).result() is what synthetic_result(...) returns for the same parameters."""
    video = SyntheticVideo(shots=30, frame_rate=25, seed=4)
    assert video.result() == synthetic_result(shots=30, frame_rate=25, seed=4)
