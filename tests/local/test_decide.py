"""The detector's per-frame decisions, without I/O, and the BlackFrame coverage rule end to end."""

from __future__ import annotations

from pathlib import Path

from rekseg import BlackFrame, TechnicalCueFilter, TechnicalCueType
from rekseg.local import detect_file
from rekseg.local._decide import (
    BARS,
    THUMB_HEIGHT,
    THUMB_WIDTH,
    Detector,
    FrameMeasures,
    bars_match,
    black_threshold,
    may_be_black,
)

from .media import encode

PIXELS = THUMB_WIDTH * THUMB_HEIGHT


def _flat(level: int) -> bytes:
    return bytes([level]) * (3 * PIXELS)


def test_black_threshold_is_the_service_rule() -> None:
    """0.2 of the range above its minimum: 51 in full range, 16 + 43 = 59 in limited range; the filter overrides."""
    assert black_threshold(None, full_range=True) == 51
    assert black_threshold(None, full_range=False) == 59
    assert black_threshold(BlackFrame(max_pixel_threshold=0.0), full_range=False) == 16
    assert black_threshold(BlackFrame(max_pixel_threshold=1.0), full_range=True) == 255


def test_bars_match_tells_bars_from_other_pictures() -> None:
    """A thumbnail of the seven bars matches fully; a flat grey or the bars in reverse order do not."""
    band = THUMB_WIDTH // len(BARS)

    def picture(order: tuple[tuple[bool, bool, bool], ...]) -> bytes:
        row = b"".join(bytes(191 if on else 0 for on in order[min(6, x // band)]) for x in range(THUMB_WIDTH))
        return row * THUMB_HEIGHT

    assert bars_match(picture(BARS)) == 1.0
    assert bars_match(picture(tuple(reversed(BARS)))) < 0.2
    assert bars_match(_flat(128)) < 0.2  # grey passes for the white bar only


def test_may_be_black_only_rules_out_frames_too_bright_to_be_black() -> None:
    """A mean luma above the coverage bound rules a frame out; one within it (or coverage 0) does not."""
    assert may_be_black(_flat(0), 59, full_range=False, min_coverage_percentage=99)
    assert not may_be_black(_flat(128), 59, full_range=False, min_coverage_percentage=99)
    # 1% of pixels at 255 on black keeps the mean under the bound.
    one_percent = bytearray(_flat(0))
    one_percent[: 3 * (PIXELS // 100)] = b"\xff" * (3 * (PIXELS // 100))
    assert may_be_black(bytes(one_percent), 51, full_range=True, min_coverage_percentage=99)
    assert may_be_black(_flat(255), 51, full_range=True, min_coverage_percentage=0)


def test_a_steady_difference_is_motion_and_a_peak_is_a_cut() -> None:
    """Frames changing by the same amount every frame make one shot; one jump among them starts a new shot."""
    detector = Detector()
    for i in range(10):
        detector.add(FrameMeasures(thumbnail=_flat(100 + (i % 2) * 25), black_coverage=0.0))
    detector.finish()
    assert [first for first, _ in detector.shots] == [0]
    detector = Detector()
    steady = [60 + 4 * i for i in range(10)] + [200 + 4 * i for i in range(10)]
    for level in steady:
        detector.add(FrameMeasures(thumbnail=_flat(level), black_coverage=0.0))
    detector.finish()
    assert [first for first, _ in detector.shots] == [0, 10]
    assert detector.cues() == [(TechnicalCueType.CONTENT, 0, 20, 100.0)]


def test_black_coverage_follows_min_coverage_percentage(tmp_path: Path) -> None:
    """A small white box on black (under 1%) is black at 99% coverage; a larger one (4%) is not, unless 95% is asked."""
    clip = encode(tmp_path / "boxes.mp4", [("texture", 20, 1), ("box", 20, 8), ("box", 20, 24), ("texture", 20, 2)], 25)
    cues = detect_file(clip, segment_types=["TECHNICAL_CUE"]).technical_cues
    assert [(str(s.cue_type), s.start_frame_number, s.end_frame_number) for s in cues] == [
        ("Content", 0, 20),
        ("BlackFrames", 20, 40),
        ("Content", 40, 80),
    ]
    loose = TechnicalCueFilter(black_frame=BlackFrame(min_coverage_percentage=95))
    cues = detect_file(clip, segment_types=["TECHNICAL_CUE"], technical_cue_filter=loose).technical_cues
    assert [(str(s.cue_type), s.start_frame_number, s.end_frame_number) for s in cues] == [
        ("Content", 0, 20),
        ("BlackFrames", 20, 60),
        ("Content", 60, 80),
    ]
