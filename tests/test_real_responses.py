"""What recorded service output looks like, and what the analysis makes of it.

Shared cue boundaries, shots with uncovered frames between them, responses saved without VideoMetadata, and
a non-standard frame rate whose SMPTE labels do not count frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from recorded import FPS24, FPS25, NTSC, cue, episode, float32, position, response, shot

import rekseg
from rekseg import FrameRate, Segment, SegmentDetectionResult, ValidationError
from rekseg.analysis import cue_overlaps, cue_ranges, segment_range
from rekseg.testing import Emulator

VIDEO = "s3://recorded/episode.mp4"


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Emulator, rekseg.Client]]:
    """An emulator serving the recorded episode and a client for it (dummy credentials, fast polls)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with Emulator(polls_to_complete=0) as em:
        em.add_video(VIDEO, episode())
        yield em, rekseg.Client(endpoint_url=em.endpoint_url, region_name="us-east-1")


# -- 1. shared cue boundaries, uncovered shot frames ----------------------------------------------------------


@pytest.mark.parametrize(("rate", "drop"), [(FPS24, False), (FPS25, False), (NTSC, True)])
def test_content_cue_after_a_shared_boundary_counts_its_own_frames(rate: FrameRate, drop: bool) -> None:
    """A Content cue on 299-449 after BlackFrames ending on 299 is 150 frames of program, not 151."""
    result = SegmentDetectionResult.from_response(episode(rate, drop=drop))
    program = result.program()
    assert [(span.first_frame, span.last_frame) for span in program.content] == [(300, 449), (600, 749)]
    assert program.runtime_frames == 300
    assert program.trim is not None
    assert (program.trim.first_frame, program.trim.last_frame) == (300, 749)
    assert program.runtime_millis == (300 * 1000 * rate.denominator) // rate.numerator


def test_recorded_episode_served_by_the_emulator_gives_the_same_program(
    client: tuple[Emulator, rekseg.Client],
) -> None:
    """The recorded response fetched over HTTP keeps the frame numbers, so the runtime is still 300 frames."""
    _, rek = client
    result = rek.detect(VIDEO, timeout=30)
    assert len(result.technical_cues) == 7
    assert result.program().runtime_frames == 300


def test_cues_own_every_frame_of_the_file_once() -> None:
    """Read with the shared-boundary rule the cues tile the 900-frame file: no frame twice, none beyond it."""
    result = SegmentDetectionResult.from_response(episode())
    spans = [span for _, span in cue_ranges(result)]
    assert spans == [overlap.range for overlap in cue_overlaps(result)]
    owned = [frame for span in spans for frame in range(span.first_frame, span.stop_frame)]
    assert owned == list(range(900))
    # Each cue alone still reads the service's numbers: one frame more per shared boundary.
    alone = [segment_range(s) for s in result.technical_cues]
    assert sum(span.frame_count for span in alone if span is not None) == 906


def test_cue_overlaps_do_not_count_the_shared_frame() -> None:
    """Content starting on BlackFrames' last frame overlaps only the shots from its own first frame."""
    result = SegmentDetectionResult.from_response(episode())
    content = [o for o in cue_overlaps(result) if o.cue.cue_type == rekseg.TechnicalCueType.CONTENT]
    assert [[s.shot_index for s in o.shots] for o in content] == [[1], [3]]


def test_intro_after_a_logo_starts_on_its_own_first_frame() -> None:
    """OpeningCredits starting on the StudioLogo's last frame: skipping starts on the next frame."""
    segments = [cue("StudioLogo", 0, 47, FPS24), cue("OpeningCredits", 47, 239, FPS24), cue("Content", 239, 999, FPS24)]
    markers = SegmentDetectionResult.from_response(response(segments, FPS24, frames=1000)).binge_markers()
    assert markers.intro is not None
    assert (markers.intro.first_frame, markers.intro.last_frame, markers.intro.stop_frame) == (48, 239, 240)


def test_one_frame_cue_on_a_shared_frame_keeps_its_frame() -> None:
    """A one-frame cue on the previous cue's last frame cannot lose it: it stays one frame long."""
    segments = [cue("BlackFrames", 0, 10, FPS24), cue("Content", 10, 10, FPS24), cue("EndCredits", 10, 30, FPS24)]
    result = SegmentDetectionResult.from_response(response(segments, FPS24, frames=31))
    spans = [(o.range.first_frame, o.range.last_frame) for o in cue_overlaps(result)]
    assert spans == [(0, 10), (10, 10), (11, 30)]


def test_shots_with_uncovered_frames_keep_their_own_lengths() -> None:
    """Frames 446-449 belong to no shot: statistics count only shot frames and no shot is stretched."""
    result = SegmentDetectionResult.from_response(episode())
    stats = result.shot_statistics()
    assert (stats.count, stats.total_frames) == (5, 896)
    assert [f.frame for f in result.representative_frames()] == [149, 372, 524, 674, 824]


# -- 2. a frame rate for a whole result ----------------------------------------------------------------------


def _no_rate(**changes: Any) -> SegmentDetectionResult:
    return SegmentDetectionResult.from_response({**episode(metadata=False), **changes})


def test_saved_response_without_video_metadata_works_once_given_the_rate() -> None:
    """with_frame_rate makes a result without VideoMetadata frame-exact, equal to the one that had it."""
    given = _no_rate().with_frame_rate("24")
    reported = SegmentDetectionResult.from_response(episode())
    assert given.frame_rate == FPS24
    assert given.program() == reported.program()
    assert given.binge_markers() == reported.binge_markers()
    assert given.ad_breaks() == reported.ad_breaks()
    assert "VideoMetadata" not in given.to_response()


@pytest.mark.parametrize(
    "segments",
    [
        pytest.param(None, id="cues"),
        pytest.param([], id="no-segments"),
        pytest.param([shot(0, 0, 9, FPS24)], id="shots-only"),
    ],
)
def test_program_and_binge_markers_fail_the_same_way_without_a_rate(segments: Any) -> None:
    """Without a rate program() and binge_markers() raise one clear error, cues or not, naming the remedy."""
    result = _no_rate() if segments is None else _no_rate(Segments=segments)
    for method in (result.program, result.binge_markers):
        with pytest.raises(ValidationError, match=r"with_frame_rate") as info:
            method()
        assert info.value.field == "frame_rate"


def test_with_frame_rate_refuses_a_rate_the_metadata_contradicts() -> None:
    """A given rate that differs from VideoMetadata's is an error, never a silent mix of two rates."""
    reported = SegmentDetectionResult.from_response(episode())
    assert reported.with_frame_rate(24.0).frame_rate == FPS24
    with pytest.raises(ValidationError, match="VideoMetadata") as info:
        reported.with_frame_rate(25)
    assert info.value.field == "frame_rate"


def test_with_frame_rate_refuses_a_non_drop_rate_for_drop_frame_labels() -> None:
    """Drop-frame labels (;) given a rate without drop-frame (25) is caught at once, naming the rule."""
    labelled = SegmentDetectionResult.from_response(episode(NTSC, drop=True, metadata=False))
    assert labelled.with_frame_rate("30000/1001").program().runtime_frames == 300
    with pytest.raises(ValidationError, match="drop-frame"):
        labelled.with_frame_rate(25)
    with pytest.raises(ValidationError, match="frame_rate"):
        labelled.with_frame_rate("fast")


def test_fragment_pages_without_metadata_are_read_at_the_first_pages_rate() -> None:
    """A later page saved without VideoMetadata merges with the first and is read at its rate."""
    whole = episode()
    first = {**whole, "Segments": whole["Segments"][:4], "NextToken": "t1"}
    rest = {k: v for k, v in whole.items() if k != "VideoMetadata"} | {"Segments": whole["Segments"][4:]}
    merged = SegmentDetectionResult.from_pages([first, rest])
    assert merged.program() == SegmentDetectionResult.from_response(whole).program()


# -- 4. a frame rate SMPTE does not know ---------------------------------------------------------------------

# Recorded: a 19/3 fps clip. Frame 19 starts at 3000 ms, and the service labels it 00:00:03:00; read as
# SMPTE at that rate (7 labels a second) the label would be frame 21.
ODD_RATE = float32(19 / 3)
ODD_SEGMENT = {
    "Type": "SHOT",
    "StartTimestampMillis": 0,
    "EndTimestampMillis": 3000,
    "DurationMillis": 3000,
    "StartTimecodeSMPTE": "00:00:00:00",
    "EndTimecodeSMPTE": "00:00:03:00",
    "DurationSMPTE": "00:00:03:00",
    "StartFrameNumber": 0,
    "EndFrameNumber": 19,
    "DurationFrames": 19,
    "ShotSegment": {"Index": 0, "Confidence": 99.0},
}


def _odd(segment: dict[str, Any], rate: float = ODD_RATE) -> Segment:
    result = SegmentDetectionResult.from_response({"VideoMetadata": [{"FrameRate": rate}], "Segments": [segment]})
    return result.shots[0]


def test_non_standard_rate_every_view_reads_the_frame_numbers() -> None:
    """Frame numbers win over a label that does not count frames; labels stay as sent, nothing raises."""
    segment = _odd(ODD_SEGMENT)
    end = segment.end_timecode
    assert end is not None
    assert (segment.first_frame, segment.last_frame, segment.frame_count, end.frame) == (0, 19, 20, 19)
    duration = segment.duration_timecode
    assert duration is not None
    assert duration.frame == 19
    span = segment_range(segment)
    assert span is not None
    assert (span.first_frame, span.last_frame) == (0, 19)
    assert segment.end_timecode_smpte == "00:00:03:00"
    assert segment.to_response() == ODD_SEGMENT


def test_non_standard_rate_without_frame_numbers_reads_the_millis_not_the_labels() -> None:
    """A model 1.0 segment (no frame numbers) is placed by its millis, both ends from that one view."""
    numbers = ("StartFrameNumber", "EndFrameNumber", "DurationFrames")
    segment = _odd({k: v for k, v in ODD_SEGMENT.items() if k not in numbers}, rate=19 / 3)
    assert (segment.first_frame, segment.last_frame) == (0, 19)
    end = segment.end_timecode
    assert end is not None
    assert end.frame == 19


def test_end_frame_number_alone_is_not_mixed_with_a_label_start() -> None:
    """With only an end frame number, both ends come from the millis, not one from each view."""
    partial = {k: v for k, v in ODD_SEGMENT.items() if k not in ("StartFrameNumber", "DurationFrames")}
    segment = _odd({**partial, "StartTimecodeSMPTE": "00:00:00:05"}, rate=19 / 3)
    assert (segment.first_frame, segment.last_frame) == (0, 19)


def test_drop_frame_labels_at_a_rate_without_drop_frame_do_not_raise() -> None:
    """A ';' label at a reported rate SMPTE has no drop-frame for (29.5) is kept; the views still work."""
    fields = {
        **position(0, 59, FrameRate(59, 2)),
        "StartTimecodeSMPTE": "00:00:00;00",
        "EndTimecodeSMPTE": "00:00:01;29",
    }
    segment = _odd({"Type": "SHOT", **fields}, rate=29.5)
    start, end = segment.start_timecode, segment.end_timecode
    assert start is not None
    assert end is not None
    assert (start.frame, end.frame, end.drop_frame) == (0, 59, False)
    assert segment.drop_frame
    result = SegmentDetectionResult.from_response(
        {"VideoMetadata": [{"FrameRate": 29.5}], "Segments": [{**fields, "Type": "SHOT"}]}
    )
    assert result.shot_statistics().total_frames == 60
