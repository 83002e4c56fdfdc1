"""`rekseg.local.detect_file` on clips encoded at run time: shots, cues, metadata and numbers in the service's shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rekseg import (
    BlackFrame,
    JobStatus,
    SegmentDetectionResult,
    SegmentType,
    ShotFilter,
    TechnicalCueFilter,
    VideoColorRange,
    export,
)
from rekseg.local import detect_file

from .conftest import (
    CLIP_25_CUES,
    CLIP_25_SHOTS,
    CLIP_2997_CUES,
    CLIP_2997_SHOTS,
    CLIP_23976_CUES,
    CLIP_23976_SHOTS,
)
from .media import encode

EXPECTED = {
    "25": (CLIP_25_SHOTS, CLIP_25_CUES, 350),
    "23.976": (CLIP_23976_SHOTS, CLIP_23976_CUES, 175),
    "29.97": (CLIP_2997_SHOTS, CLIP_2997_CUES, 2020),
}


@pytest.fixture(scope="module")
def results(clips: dict[str, Path]) -> dict[str, SegmentDetectionResult]:
    """Each clip detected once with the defaults."""
    return {name: detect_file(path) for name, path in clips.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_cut_is_found_on_its_frame_and_no_other(results: dict[str, SegmentDetectionResult], name: str) -> None:
    """Shots start exactly at the encoded cuts, contiguous from frame 0, none inside a moving shot."""
    starts, _, total = EXPECTED[name]
    shots = results[name].shots
    assert [s.start_frame_number for s in shots] == starts
    assert [s.shot_index for s in shots] == list(range(len(starts)))
    assert [s.end_frame_number for s in shots] == [*(n - 1 for n in starts[1:]), total - 1]
    assert all(s.confidence is not None and 50 <= s.confidence <= 100 for s in shots)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bars_black_and_content_are_found_on_their_frames(
    results: dict[str, SegmentDetectionResult], name: str
) -> None:
    """ColorBars and BlackFrames runs match the encoded ones; Content fills between; adjacent cues share a frame."""
    _, cues, _ = EXPECTED[name]
    got = [(str(s.cue_type), s.start_frame_number, s.end_frame_number) for s in results[name].technical_cues]
    assert got == cues


def test_numbers_follow_the_service_at_25_fps(results: dict[str, SegmentDetectionResult]) -> None:
    """At 25 fps the second shot's numbers are exact: 2000-2960 ms, 00:00:02:00-00:00:02:24, 24 frames long."""
    shot = results["25"].shots[1]
    assert (shot.start_timestamp_millis, shot.end_timestamp_millis, shot.duration_millis) == (2000, 2960, 960)
    assert (shot.start_timecode_smpte, shot.end_timecode_smpte, shot.duration_smpte) == (
        "00:00:02:00",
        "00:00:02:24",
        "00:00:00:24",
    )
    assert shot.duration_frames == 24


def test_numbers_follow_the_service_at_23_976(results: dict[str, SegmentDetectionResult]) -> None:
    """At 23.976 millis are rounded down from exact frame times: frame 72 is 3003 ms, frame 102 is 4254 ms."""
    shot = results["23.976"].shots[2]
    assert (shot.start_frame_number, shot.end_frame_number) == (72, 102)
    assert (shot.start_timestamp_millis, shot.end_timestamp_millis, shot.duration_millis) == (3003, 4254, 1251)
    assert (shot.start_timecode_smpte, shot.end_timecode_smpte, shot.duration_smpte) == (
        "00:00:03:00",
        "00:00:04:06",
        "00:00:01:06",
    )


def test_labels_are_drop_frame_at_29_97_past_the_first_minute(results: dict[str, SegmentDetectionResult]) -> None:
    """At 29.97 labels use ';' and skip 00 and 01 after minute 0: frame 1850 is 00:01:01;22 at 61728 ms."""
    result = results["29.97"]
    shot = result.shots[2]
    assert (shot.start_frame_number, shot.end_frame_number) == (1850, 1949)
    assert (shot.start_timecode_smpte, shot.end_timecode_smpte) == ("00:01:01;22", "00:01:05;01")
    assert (shot.start_timestamp_millis, shot.end_timestamp_millis, shot.duration_millis) == (61728, 65031, 3303)
    assert shot.duration_smpte == "00:00:03;09"
    black = result.technical_cues[1]
    assert (black.start_timecode_smpte, black.end_timecode_smpte) == ("00:01:05;02", "00:01:05;22")
    assert result.video_metadata is not None
    assert result.video_metadata[0].frame_rate == 29.970029830932617


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_segment_agrees_with_its_own_frame_range(results: dict[str, SegmentDetectionResult], name: str) -> None:
    """Millis, labels and durations of every segment are what rekseg derives from its frame numbers."""
    for segment in results[name].segments or ():
        frames = segment.frame_range()
        assert segment.start_timestamp_millis == frames.start_millis
        assert segment.end_timestamp_millis == frames.end_millis
        assert segment.duration_millis == frames.end_millis - frames.start_millis
        assert segment.start_timecode_smpte == str(frames.start)
        assert segment.end_timecode_smpte == str(frames.end)
        assert segment.duration_frames == frames.last_frame - frames.first_frame


def test_metadata_is_read_from_the_file(results: dict[str, SegmentDetectionResult]) -> None:
    """SUCCEEDED, with codec, container, exact rate, size, duration, colour range, audio and selected types."""
    result = results["25"]
    assert result.job_status is JobStatus.SUCCEEDED
    assert result.video_metadata is not None
    meta = result.video_metadata[0]
    assert (meta.codec, meta.frame_rate, meta.frame_width, meta.frame_height) == ("h264", 25.0, 160, 90)
    assert meta.format == "QuickTime / MOV"  # FFmpeg's name for the MP4 family, as the service reports it
    assert meta.duration_millis == 14000
    assert meta.color_range is VideoColorRange.LIMITED
    assert result.audio_metadata is not None
    audio = result.audio_metadata[0]
    assert (audio.codec, audio.sample_rate, audio.number_of_channels) == ("aac", 48000, 2)
    assert [t.type for t in result.selected_segment_types or ()] == [SegmentType.SHOT, SegmentType.TECHNICAL_CUE]
    assert results["23.976"].audio_metadata is None


def test_segments_follow_the_requested_type_order(clips: dict[str, Path]) -> None:
    """Cues first when asked first, then shots; one type asked gives only that type."""
    both = detect_file(clips["23.976"], segment_types=["TECHNICAL_CUE", "SHOT"])
    kinds = [s.type for s in both.segments or ()]
    assert kinds == [SegmentType.TECHNICAL_CUE] * 4 + [SegmentType.SHOT] * 5
    only = detect_file(clips["23.976"], segment_types=[SegmentType.SHOT])
    assert {s.type for s in only.segments or ()} == {SegmentType.SHOT}
    assert [t.type for t in only.selected_segment_types or ()] == [SegmentType.SHOT]


def test_confidence_filters_drop_weaker_segments(
    clips: dict[str, Path], results: dict[str, SegmentDetectionResult]
) -> None:
    """`min_segment_confidence` drops shots and cues below it and keeps the others with their indexes."""
    confidences = [s.confidence or 0.0 for s in results["25"].shots]
    low = min(confidences)
    assert low < 100
    filtered = detect_file(clips["25"], shot_filter=ShotFilter(min_segment_confidence=low + 0.001))
    kept = [s.shot_index for s in filtered.shots]
    assert kept == [i for i, c in enumerate(confidences) if c >= low + 0.001]
    assert len(kept) < len(confidences)
    assert len(filtered.technical_cues) == len(CLIP_25_CUES)


def test_black_frame_threshold_follows_the_service_rule(tmp_path: Path) -> None:
    """A dark grey run is black at the default 0.2 threshold and not at 0.05 (limited range: 16 + t * 219)."""
    clip = encode(tmp_path / "grey.mp4", [("texture", 30, 1), ("gray", 20, 40), ("texture", 30, 2)], 25)
    default = detect_file(clip, segment_types=["TECHNICAL_CUE"])
    assert [(str(s.cue_type), s.start_frame_number) for s in default.technical_cues] == [
        ("Content", 0),
        ("BlackFrames", 30),
        ("Content", 50),
    ]
    strict = detect_file(
        clip,
        segment_types=["TECHNICAL_CUE"],
        technical_cue_filter=TechnicalCueFilter(black_frame=BlackFrame(max_pixel_threshold=0.05)),
    )
    assert [str(s.cue_type) for s in strict.technical_cues] == ["Content"]


def test_a_single_moving_shot_has_no_cut(tmp_path: Path) -> None:
    """Two hundred frames of one scrolling texture are one shot and one Content cue."""
    clip = encode(tmp_path / "one.mp4", [("texture", 200, 11)], 25)
    result = detect_file(clip)
    assert [(s.start_frame_number, s.end_frame_number) for s in result.shots] == [(0, 199)]
    assert [(str(s.cue_type), s.start_frame_number, s.end_frame_number) for s in result.technical_cues] == [
        ("Content", 0, 200)
    ]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_result_round_trips_through_the_wire_form(results: dict[str, SegmentDetectionResult], name: str) -> None:
    """`to_response()` then `from_response()` gives back an equal result."""
    result = results[name]
    assert SegmentDetectionResult.from_response(result.to_response()) == result


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_analysis_and_every_export_run_on_a_local_result(
    results: dict[str, SegmentDetectionResult], name: str, tmp_path: Path
) -> None:
    """Program structure, markers, ad breaks, statistics and every export format work on a local result."""
    pytest.importorskip("opentimelineio")
    result = results[name]
    program = result.program()
    assert program is not None
    result.binge_markers()
    result.ad_breaks()
    stats = result.shot_statistics()
    assert stats.count == len(EXPECTED[name][0])
    assert len(result.representative_frames()) == len(result.shots)
    result.cue_overlaps()
    for fmt in export.FORMATS:
        target = tmp_path / f"out.{fmt}"
        export.write(result, fmt, target)
        assert target.stat().st_size > 0
    rows: Any = export.read_csv(tmp_path / "out.csv")
    assert rows is not None


def test_progress_reports_frames_up_to_the_total(clips: dict[str, Path]) -> None:
    """`progress` is called with growing frame counts, the last call saying every frame is done."""
    calls: list[tuple[int, int | None]] = []
    detect_file(clips["23.976"], progress=lambda done, total: calls.append((done, total)))
    done = [c[0] for c in calls]
    assert done == sorted(done)
    assert calls[-1] == (175, 175)
