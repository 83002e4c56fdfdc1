"""Exact SMPTE timecodes: parsing, formatting, conversions, errors, and agreement with OpenTimelineIO.

OpenTimelineIO (``opentimelineio.opentime``) is the independent reference for the label <-> frame bijection at
the rates it supports. Where the two disagree, OTIO is lenient and rekseg is strict, on purpose:

- OTIO accepts drop-frame labels that do not exist (``00:01:00;00`` parses to frame 1798, which is labelled
  ``00:00:59;28``); rekseg raises `TimecodeError`.
- OTIO wraps frames at or past 24 hours around to ``00:00:00:00``; rekseg raises, since the service's timecodes
  count from the start of a file and never wrap.
- OTIO measures that 24 hours in real time even for non-drop labels, so at 29.97, 47.95 and 59.94 fps non-drop it
  wraps around 23:58:33 (frame 2589408 at 29.97 becomes ``00:00:00:00``). A non-drop clock counts
  ``ceil(rate)`` frames per labelled second to ``23:59:59``: rekseg does that, so the comparison stops at 23:58 there.
- OTIO refuses SMPTE labels at rates outside its list (12, 15, 100, 119.88, 120 fps); rekseg labels non-drop
  timecode at any rate, counting ``ceil(rate)`` frames per timecode second.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rekseg import FrameRate, Timecode, TimecodeError, ValidationError
from rekseg._timecode import check_label

opentime = pytest.importorskip("opentimelineio.opentime", reason="OpenTimelineIO is the reference (otio extra)")

NTSC_23_976 = FrameRate(24000, 1001)
NTSC_29_97 = FrameRate(30000, 1001)
NTSC_47_95 = FrameRate(48000, 1001)
NTSC_59_94 = FrameRate(60000, 1001)
# Every standard rate rekseg snaps to; OTIO labels the first ten.
OTIO_RATES = (
    NTSC_23_976,
    FrameRate(24),
    FrameRate(25),
    NTSC_29_97,
    FrameRate(30),
    NTSC_47_95,
    FrameRate(48),
    FrameRate(50),
    NTSC_59_94,
    FrameRate(60),
)
OTHER_RATES = (FrameRate(12), FrameRate(15), FrameRate(100), FrameRate(120000, 1001), FrameRate(120))
ALL_RATES = OTIO_RATES + OTHER_RATES
DROP_RATES = (NTSC_29_97, NTSC_59_94)
# Every (rate, drop_frame) clock: non-drop at every rate, drop-frame at 29.97 and 59.94.
CLOCKS = [(rate, False) for rate in ALL_RATES] + [(rate, True) for rate in DROP_RATES]
OTIO_CLOCKS = [(rate, False) for rate in OTIO_RATES] + [(rate, True) for rate in DROP_RATES]


def _clock_id(clock: tuple[FrameRate, bool]) -> str:
    rate, drop = clock
    return f"{rate}{'DF' if drop else 'NDF'}"


def _otio_last_frame(rate: FrameRate, drop: bool) -> int:
    """The last frame OTIO labels like a SMPTE clock: the whole day, but 23:58 at three NTSC non-drop rates."""
    if not drop and rate in (NTSC_29_97, NTSC_47_95, NTSC_59_94):
        return Timecode.parse("23:58:00:00", rate).frame
    return rate.frames_per_day(drop) - 1


@st.composite
def _timecodes(draw: st.DrawFn, clocks: list[tuple[FrameRate, bool]] = CLOCKS, otio: bool = False) -> Timecode:
    """Any timecode of the day on one of ``clocks``, biased towards the day's ends; ``otio``: where OTIO counts."""
    rate, drop = draw(st.sampled_from(clocks))
    last = _otio_last_frame(rate, drop) if otio else rate.frames_per_day(drop) - 1
    frame = draw(st.one_of(st.integers(0, last), st.sampled_from([0, 1, last - 1, last])))
    return Timecode(frame, rate, drop)


def _otio_label(tc: Timecode) -> str:
    rate = float(tc.rate)
    label: str = opentime.to_timecode(opentime.RationalTime(tc.frame, rate), rate, tc.drop_frame)
    return label


def _otio_frame(label: str, rate: FrameRate) -> int:
    value = opentime.from_timecode(label, float(rate)).value
    assert value == int(value)
    return int(value)


def _minute_boundaries(rate: FrameRate, drop: bool, last: int | None = None) -> list[int]:
    """The frames either side of every minute boundary of the day (up to ``last``): where drop-frame labels skip."""
    frames: set[int] = set()
    last = rate.frames_per_day(drop) - 1 if last is None else last
    for minute in range(24 * 60):
        label = f"{minute // 60:02d}:{minute % 60:02d}:00{';' if drop else ':'}"
        first = rate.dropped_per_minute if drop and minute % 10 else 0
        start = Timecode.parse(f"{label}{first:02d}", rate).frame
        frames.update(f for f in range(start - 2, start + 3) if 0 <= f <= last)
    return sorted(frames)


# -- parse and format ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "rate", "frame", "drop"),
    [
        ("00:00:00:00", 24, 0, False),
        ("00:00:01:00", 24, 24, False),
        ("01:00:00:00", 25, 90000, False),
        ("23:59:59:23", 24, 86400 * 24 - 1, False),
        ("00:01:00:00", "30000/1001", 1800, False),
        ("00:01:00;02", "30000/1001", 1800, True),
        ("00:10:00;00", "30000/1001", 17982, True),
        ("01:00:00;00", "30000/1001", 107892, True),
        ("00:01:00;04", "60000/1001", 3600, True),
        ("00:10:00;00", "60000/1001", 35964, True),
        ("00:00:00:105", 120, 105, False),
    ],
)
def test_parse_known_labels(label: str, rate: int | str, frame: int, drop: bool) -> None:
    """Well-known labels parse to their frame index, and format back to the same label."""
    tc = Timecode.parse(label, rate)

    assert (tc.frame, tc.drop_frame) == (frame, drop)
    assert str(tc) == label


def test_drop_frame_comes_from_the_separator_only() -> None:
    """At 29.97 a colon means non-drop and a semicolon drop-frame: the rate alone decides nothing."""
    non_drop = Timecode.parse("00:01:00:00", NTSC_29_97)
    drop = Timecode.parse("00:01:00;02", NTSC_29_97)

    assert not non_drop.drop_frame
    assert drop.drop_frame
    assert non_drop.frame == drop.frame == 1800
    assert str(Timecode(1800, NTSC_29_97)) == "00:01:00:00"
    assert str(Timecode(1800, NTSC_29_97, drop_frame=True)) == "00:01:00;02"


def test_components_are_the_label_fields() -> None:
    """`components` gives (hours, minutes, seconds, frames) of the label."""
    assert Timecode.parse("12:34:56;28", NTSC_29_97).components == (12, 34, 56, 28)
    assert Timecode.parse("12:34:56:23", 24).components == (12, 34, 56, 23)


@given(_timecodes())
@settings(max_examples=400, deadline=None)
def test_label_round_trips(tc: Timecode) -> None:
    """Every timecode of the day formats to a label that parses back to the same frame."""
    assert Timecode.parse(str(tc), tc.rate) == tc


@pytest.mark.parametrize(("rate", "drop"), [(NTSC_29_97, True), (NTSC_59_94, True), (FrameRate(25), False)])
def test_every_label_of_a_ten_minute_block_maps_to_consecutive_frames(rate: FrameRate, drop: bool) -> None:
    """Enumerating every label of the first ten minutes, the valid ones are exactly the frames 0, 1, 2, ... in order.

    Drop-frame repeats in ten-minute blocks, so this is the whole bijection; the skipped labels are exactly
    frames 00-01 (29.97) or 00-03 (59.94) of minutes 1 to 9.
    """
    sep = ";" if drop else ":"
    frames: list[int] = []
    rejected: list[str] = []
    for minute in range(10):
        for second in range(60):
            for ff in range(rate.timebase):
                label = f"00:{minute:02d}:{second:02d}{sep}{ff:02d}"
                try:
                    frames.append(Timecode.parse(label, rate).frame)
                except TimecodeError:
                    rejected.append(label)

    assert frames == list(range(len(frames)))
    expected_rejected = [
        f"00:{m:02d}:00{sep}{ff:02d}" for m in range(1, 10) for ff in range(rate.dropped_per_minute if drop else 0)
    ]
    assert rejected == expected_rejected
    assert len(frames) == 600 * rate.timebase - 9 * rate.dropped_per_minute * drop


@pytest.mark.parametrize(("rate", "drop"), CLOCKS, ids=[_clock_id(c) for c in CLOCKS])
def test_the_day_ends_on_the_last_label(rate: FrameRate, drop: bool) -> None:
    """The last frame of the day is 23:59:59 and the last frame field; one more frame is out of range."""
    last = rate.frames_per_day(drop) - 1
    sep = ";" if drop else ":"

    assert str(Timecode(last, rate, drop)) == f"23:59:59{sep}{rate.timebase - 1:02d}"
    with pytest.raises(TimecodeError, match="within 24 hours") as info:
        Timecode(last + 1, rate, drop)
    assert info.value.field == "Timecode.frame"


@pytest.mark.parametrize(("rate", "drop"), [(NTSC_29_97, True), (NTSC_59_94, True)], ids=["29.97DF", "59.94DF"])
def test_drop_frame_labels_around_every_minute_of_the_day(rate: FrameRate, drop: bool) -> None:
    """Across the whole day, labels at minute boundaries skip exactly the dropped frame numbers, and round-trip."""
    dropped = rate.dropped_per_minute
    for frame in _minute_boundaries(rate, drop):
        tc = Timecode(frame, rate, drop)
        _h, m, s, f = tc.components
        if s == 0 and m % 10:
            assert f >= dropped, tc
        assert Timecode.parse(str(tc), rate).frame == frame
        assert str(tc - 1 if frame else tc) <= str(tc)


# -- OpenTimelineIO as the reference -------------------------------------------------------------------------


@given(_timecodes(OTIO_CLOCKS, otio=True))
@settings(max_examples=500, deadline=None)
def test_labels_agree_with_opentimelineio(tc: Timecode) -> None:
    """OTIO and rekseg give every frame of the day the same label, and read it back to the same frame."""
    label = _otio_label(tc)

    assert str(tc) == label
    assert _otio_frame(label, tc.rate) == tc.frame


@pytest.mark.parametrize(("rate", "drop"), OTIO_CLOCKS, ids=[_clock_id(c) for c in OTIO_CLOCKS])
def test_minute_boundaries_agree_with_opentimelineio(rate: FrameRate, drop: bool) -> None:
    """Around every minute boundary of the day (to 23:58 where OTIO wraps early), rekseg's labels are OTIO's."""
    for frame in _minute_boundaries(rate, drop, _otio_last_frame(rate, drop)):
        tc = Timecode(frame, rate, drop)
        assert str(tc) == _otio_label(tc)


def test_opentimelineio_accepts_nonexistent_drop_frame_labels_rekseg_does_not() -> None:
    """Documented disagreement: OTIO reads the skipped label 00:01:00;00 as a frame; rekseg rejects it."""
    assert _otio_frame("00:01:00;00", NTSC_29_97) == 1798
    with pytest.raises(TimecodeError):
        Timecode.parse("00:01:00;00", NTSC_29_97)


def test_opentimelineio_wraps_at_24_hours_rekseg_does_not() -> None:
    """Documented disagreement: OTIO wraps the frame after 23:59:59:23 to 00:00:00:00; rekseg raises."""
    day = FrameRate(24).frames_per_day()

    assert opentime.to_timecode(opentime.RationalTime(day, 24), 24, False) == "00:00:00:00"
    with pytest.raises(TimecodeError):
        Timecode(day, 24)


def test_opentimelineio_wraps_non_drop_ntsc_early_rekseg_counts_on() -> None:
    """Documented disagreement: at 29.97 non-drop OTIO wraps at 23:58:33:18; rekseg's clock runs to 23:59:59:29."""
    tc = Timecode(2589408, NTSC_29_97)

    assert _otio_label(tc) == "00:00:00:00"
    assert str(tc) == "23:58:33:18"
    assert _otio_frame("23:59:59:29", NTSC_29_97) == Timecode.parse("23:59:59:29", NTSC_29_97).frame == 2591999


@pytest.mark.parametrize("rate", OTHER_RATES, ids=str)
def test_rates_opentimelineio_refuses_are_labelled_non_drop(rate: FrameRate) -> None:
    """Documented disagreement: OTIO has no SMPTE labels at 12, 15, 100 or 120 fps; rekseg counts ceil(rate)."""
    with pytest.raises(ValueError, match="rate"):
        opentime.to_timecode(opentime.RationalTime(1, float(rate)), float(rate), False)
    tc = Timecode(rate.timebase * 61 + 7, rate)

    assert str(tc) == f"00:01:01:{7:02d}"
    assert Timecode.parse(str(tc), rate) == tc


# -- seconds and milliseconds ----------------------------------------------------------------------------------


@given(_timecodes())
@settings(max_examples=400, deadline=None)
def test_seconds_are_exact(tc: Timecode) -> None:
    """A frame starts at exactly frame / rate seconds, and the frame on screen then is that frame."""
    seconds = tc.to_seconds()

    assert isinstance(seconds, Fraction)
    assert seconds == Fraction(tc.frame) / tc.rate.fraction
    assert Timecode.from_seconds(seconds, tc.rate, tc.drop_frame) == tc
    if tc.frame + 1 < tc.rate.frames_per_day(tc.drop_frame):
        # Any instant before the next frame starts still shows this frame.
        just_before_next = (tc + 1).to_seconds() - Fraction(1, 10**9)
        assert Timecode.from_seconds(just_before_next, tc.rate, tc.drop_frame) == tc


@given(_timecodes())
@settings(max_examples=400, deadline=None)
def test_millis_round_down_and_invert(tc: Timecode) -> None:
    """Milliseconds are the frame's start rounded down, and from_millis maps the service's value back."""
    millis = tc.to_millis()

    assert millis == math.floor(tc.to_seconds() * 1000)
    assert Timecode.from_millis(millis, tc.rate, tc.drop_frame) == tc


@pytest.mark.parametrize(("rate", "drop"), CLOCKS, ids=[_clock_id(c) for c in CLOCKS])
def test_millis_invert_over_the_first_frames_and_the_last(rate: FrameRate, drop: bool) -> None:
    """from_millis(to_millis(frame)) is the frame for the first 2000 frames and the last 2000 of the day."""
    last = rate.frames_per_day(drop) - 1
    for frame in [*range(2000), *range(last - 1999, last + 1)]:
        tc = Timecode(frame, rate, drop)
        assert Timecode.from_millis(tc.to_millis(), rate, drop).frame == frame


def test_millis_match_the_service_example() -> None:
    """The docs' example: a frame starting at 100.6667 ms is reported as 100 ms."""
    tc = Timecode(3, FrameRate(30000, 1001))

    assert tc.to_seconds() * 1000 == Fraction(3003, 30)
    assert tc.to_millis() == 100


def test_developer_guide_example_at_24_fps() -> None:
    """The developer guide's 24 fps shot: 00:00:00:00-00:00:29:01 is 0-29041 ms, the next shot starts 29083 ms."""
    start = Timecode.parse("00:00:00:00", 24)
    end = Timecode.parse("00:00:29:01", 24)
    next_start = Timecode.parse("00:00:29:02", 24)

    assert (start.to_millis(), end.to_millis(), next_start.to_millis()) == (0, 29041, 29083)
    assert str(Timecode(end - start, 24)) == "00:00:29:01"  # the guide's DurationSMPTE: end minus start
    assert end - start + 1 == 698  # frames the shot spans
    assert next_start == end + 1
    assert Timecode.from_millis(29083, 24) == next_start
    assert Timecode.from_millis(29041, 24) == end


# -- arithmetic and ordering -----------------------------------------------------------------------------------


def test_arithmetic_is_in_whole_frames() -> None:
    """Adding and subtracting ints moves by frames; subtracting timecodes counts frames."""
    a = Timecode.parse("00:00:59;29", NTSC_29_97)

    assert str(a + 1) == "00:01:00;02"
    assert str(1 + a) == "00:01:00;02"
    assert (a + 1) - a == 1
    assert str((a + 1) - 1) == "00:00:59;29"
    assert (a + 1).frames_since(a) == 1
    assert a.frames_since(a + 5) == -5
    assert sorted([a + 2, a, a + 1]) == [a, a + 1, a + 2]
    assert a < a + 1 <= a + 1 < a + 2
    assert a + 2 > a + 1 >= a + 1


def test_mixing_rates_is_refused() -> None:
    """Timecodes at different rates neither compare nor subtract."""
    with pytest.raises(TimecodeError, match="cannot mix rates"):
        _ = Timecode(1, 24) < Timecode(1, 25)
    with pytest.raises(TimecodeError, match="cannot mix rates"):
        _ = Timecode(1, 24) - Timecode(1, 25)


def test_stepping_out_of_the_day_raises() -> None:
    """Arithmetic that leaves the 24-hour range raises rather than wrapping."""
    with pytest.raises(TimecodeError):
        _ = Timecode(0, 24) - 1


# -- frame rates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        (29.970029830932617, FrameRate(30000, 1001)),
        (29.97, FrameRate(30000, 1001)),
        (23.976, FrameRate(24000, 1001)),
        (23.976023976023978, FrameRate(24000, 1001)),
        (59.94, FrameRate(60000, 1001)),
        (59.940059940059939, FrameRate(60000, 1001)),
        (47.952, FrameRate(48000, 1001)),
        (24.0, FrameRate(24)),
        (25.0, FrameRate(25)),
        (25.0004, FrameRate(25)),
        (30.0, FrameRate(30)),
        (50.0, FrameRate(50)),
        (60.0, FrameRate(60)),
        (119.88, FrameRate(120000, 1001)),
        (12.5, FrameRate(25, 2)),
        (29.5, FrameRate(59, 2)),
        (7.3, FrameRate(73, 10)),
        (95.904095904, FrameRate(96000, 1001)),
    ],
)
def test_from_float_snaps_to_standard_rates(reported: float, expected: FrameRate) -> None:
    """Floats near a standard or NTSC-style rate snap to it; anything else keeps its exact decimal rational."""
    assert FrameRate.from_float(reported) == expected


@pytest.mark.parametrize("bad", [0, 0.0, -25.0, math.nan, math.inf, True, "25"])
def test_from_float_rejects_non_rates(bad: object) -> None:
    """Zero, negatives, NaN, infinity and non-numbers are not frame rates."""
    with pytest.raises(ValidationError, match="positive finite number") as info:
        FrameRate.from_float(bad)  # type: ignore[arg-type]
    assert info.value.field == "frame_rate"


@pytest.mark.parametrize(
    ("given_rate", "expected"),
    [
        ("30000/1001", FrameRate(30000, 1001)),
        (" 24000/1001 ", FrameRate(24000, 1001)),
        ("29.97", FrameRate(30000, 1001)),
        ("25", FrameRate(25)),
        (Fraction(60000, 1001), FrameRate(60000, 1001)),
        (24, FrameRate(24)),
        (59.94, FrameRate(60000, 1001)),
        (FrameRate(50), FrameRate(50)),
    ],
)
def test_coerce_accepts_every_rate_spelling(
    given_rate: FrameRate | Fraction | int | float | str, expected: FrameRate
) -> None:
    """Strings, fractions, ints, floats and FrameRates all coerce to the exact rate."""
    assert FrameRate.coerce(given_rate) == expected


@pytest.mark.parametrize("bad", ["fast", "30000/0", ""])
def test_coerce_rejects_unreadable_strings(bad: str) -> None:
    """A string that is not a number or fraction is refused, naming the frame_rate field."""
    with pytest.raises(ValidationError, match="frame_rate"):
        FrameRate.coerce(bad)


def test_frame_rate_is_reduced_and_validated() -> None:
    """A rate is stored reduced, and must be a positive ratio of ints."""
    assert FrameRate(60000, 2002) == FrameRate(30000, 1001)
    assert (FrameRate(50, 2).numerator, FrameRate(50, 2).denominator) == (25, 1)
    with pytest.raises(ValidationError, match="positive"):
        FrameRate(0)
    with pytest.raises(ValidationError, match="must be an int") as info:
        FrameRate(29.97)  # type: ignore[arg-type]
    assert info.value.field == "FrameRate.numerator"


def test_frame_rate_views() -> None:
    """timebase, drop-frame support and frames per day follow the SMPTE counting rules."""
    assert (NTSC_23_976.timebase, NTSC_29_97.timebase, NTSC_59_94.timebase, FrameRate(25).timebase) == (24, 30, 60, 25)
    assert (NTSC_29_97.dropped_per_minute, NTSC_59_94.dropped_per_minute, FrameRate(30).dropped_per_minute) == (2, 4, 0)
    assert [r.supports_drop_frame for r in (NTSC_29_97, NTSC_59_94, FrameRate(30), NTSC_23_976)] == [
        True,
        True,
        False,
        False,
    ]
    # A drop-frame day at 29.97 is 24 hours of real time to within 86.4 ms.
    assert NTSC_29_97.frames_per_day(drop_frame=True) == 2589408
    assert NTSC_59_94.frames_per_day(drop_frame=True) == 2 * 2589408
    assert FrameRate(25).frames_per_day() == 2160000
    assert str(NTSC_29_97) == "29.97"
    assert str(FrameRate(25)) == "25"
    assert repr(NTSC_29_97) == "FrameRate(30000, 1001)"
    assert float(NTSC_23_976) == 24000 / 1001


# -- errors ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "rate", "rule"),
    [
        ("", 24, "must look like HH:MM:SS:FF"),
        ("0:00:00:00", 24, "must look like HH:MM:SS:FF"),
        ("00:00:00.00", 24, "must look like HH:MM:SS:FF"),
        ("00:00:00:0", 24, "must look like HH:MM:SS:FF"),
        ("00-00-00-00", 24, "must look like HH:MM:SS:FF"),
        ("00:00:00:00:00", 24, "must look like HH:MM:SS:FF"),
        ("ab:cd:ef:gh", 24, "must look like HH:MM:SS:FF"),
        ("00:00:00:005", 30, "frames must be two digits"),
        ("24:00:00:00", 24, "hours must be 00 to 23"),
        ("99:00:00:00", 24, "hours must be 00 to 23"),
        ("00:60:00:00", 24, "minutes must be 00 to 59"),
        ("00:00:60:00", 24, "seconds must be 00 to 59"),
        ("00:00:00:24", 24, "frames must be below 24 at 24 fps"),
        ("00:00:00:24", "24000/1001", "frames must be below 24"),
        ("00:00:00:25", 25, "frames must be below 25 at 25 fps"),
        ("00:00:00;30", "30000/1001", "frames must be below 30"),
        ("00:00:00:60", "60000/1001", "frames must be below 60"),
        ("00:01:00;00", "30000/1001", "drop-frame skips frames 00-01"),
        ("00:01:00;01", "30000/1001", "drop-frame skips frames 00-01"),
        ("23:59:00;01", "30000/1001", "drop-frame skips frames 00-01"),
        ("00:01:00;00", "60000/1001", "drop-frame skips frames 00-03"),
        ("00:01:00;01", "60000/1001", "drop-frame skips frames 00-03"),
        ("00:01:00;02", "60000/1001", "drop-frame skips frames 00-03"),
        ("00:01:00;03", "60000/1001", "drop-frame skips frames 00-03"),
    ],
)
def test_malformed_or_impossible_labels_raise(label: str, rate: int | str, rule: str) -> None:
    """Bad labels raise TimecodeError (a ValidationError and ValueError) naming the field, the rule and the text."""
    with pytest.raises(TimecodeError) as info:
        Timecode.parse(label, rate)

    error = info.value
    assert isinstance(error, ValidationError)
    assert isinstance(error, ValueError)
    assert error.field == "timecode"
    assert rule in error.rule
    assert error.value == label
    assert rule in str(error)
    assert repr(label) in str(error)


@pytest.mark.parametrize(
    "label", ["", "0:00:00:00", "00:00:00.00", "00:00:00:005", "24:00:00:00", "00:60:00:00", "00:00:60:00"]
)
def test_check_label_refuses_what_parse_refuses_at_every_rate(label: str) -> None:
    """check_label, given no rate, refuses with parse's own rule every label parse refuses at any rate."""
    with pytest.raises(TimecodeError) as parsed:
        Timecode.parse(label, 30)
    with pytest.raises(TimecodeError) as checked:
        check_label(label)
    assert (checked.value.field, checked.value.rule) == (parsed.value.field, parsed.value.rule)


@pytest.mark.parametrize(("label", "rate"), [("00:00:00:25", 25), ("00:00:00:24", "24000/1001"), ("01:00:00:99", 60)])
def test_check_label_refuses_frames_only_given_the_rate(label: str, rate: int | str) -> None:
    """Frames at or past the rate's timebase are refused as parse refuses them once the rate is given, not before."""
    check_label(label)
    with pytest.raises(TimecodeError) as parsed:
        Timecode.parse(label, rate)
    with pytest.raises(TimecodeError) as checked:
        check_label(label, rate)
    assert checked.value.rule == parsed.value.rule


@pytest.mark.parametrize("rate", [25, 24, 30, "24000/1001", 50, 60])
def test_drop_frame_at_rates_without_it_raises(rate: int | str) -> None:
    """Drop-frame exists only at 29.97 and 59.94: a ';' label or drop_frame=True elsewhere is refused."""
    with pytest.raises(TimecodeError, match="drop-frame timecode does not exist") as info:
        Timecode.parse("00:00:01;00", rate)
    assert info.value.field == "drop_frame"
    with pytest.raises(TimecodeError, match="drop-frame timecode does not exist"):
        Timecode(0, rate, drop_frame=True)


def test_non_string_label_and_non_int_frame_raise() -> None:
    """Parsing takes a string and Timecode an int frame; anything else is a TimecodeError naming the field."""
    with pytest.raises(TimecodeError, match="must be a string"):
        Timecode.parse(1234, 24)  # type: ignore[arg-type]
    with pytest.raises(TimecodeError, match="must be an int") as info:
        Timecode(1.0, 24)  # type: ignore[arg-type]
    assert info.value.field == "Timecode.frame"
    with pytest.raises(TimecodeError, match="must be an int"):
        Timecode(True, 24)
    with pytest.raises(TimecodeError, match="within 24 hours"):
        Timecode(-1, 24)


def test_timecodes_are_frozen() -> None:
    """A Timecode cannot be changed after it is made."""
    tc = Timecode(1, 24)
    with pytest.raises(AttributeError):
        tc.frame = 2  # type: ignore[misc]
