"""Exact frame rates and SMPTE timecodes.

A `Timecode` is a 0-based frame index at a `FrameRate`, labelled non-drop (``HH:MM:SS:FF``) or drop-frame
(``HH:MM:SS;FF``). All arithmetic is on integers and `fractions.Fraction`, so nothing drifts at 23.976 or
29.97. Drop-frame is read from the separator only: 29.97 non-drop exists and is common.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Final, TypeAlias, overload

import attrs
from typing_extensions import Self

from ._exceptions import TimecodeError, ValidationError

__all__ = ["FrameRange", "FrameRate", "FrameRateLike", "Timecode", "check_label", "frame_labeller"]

_NTSC: Final = 1001

# The rates video is actually made at; a float within _SNAP_TOLERANCE of one of them is that rate.
_STANDARD_RATES: Final = tuple(
    Fraction(n, d)
    for n, d in (
        (24000, _NTSC),
        (24, 1),
        (25, 1),
        (30000, _NTSC),
        (30, 1),
        (48000, _NTSC),
        (48, 1),
        (50, 1),
        (60000, _NTSC),
        (60, 1),
        (100, 1),
        (120000, _NTSC),
        (120, 1),
        (15000, _NTSC),
        (15, 1),
        (12, 1),
        (12000, _NTSC),
    )
)
_SNAP_TOLERANCE: Final = 1e-3
# Labels skipped at the start of each minute not divisible by ten, per drop-frame rate.
_DROP_FRAMES: Final = {Fraction(30000, _NTSC): 2, Fraction(60000, _NTSC): 4}
_LABEL = re.compile(r"(\d{2}):(\d{2}):(\d{2})([:;])(\d{2,3})")


@attrs.frozen(order=False)
class FrameRate:
    """An exact frame rate, such as ``FrameRate(30000, 1001)`` for 29.97 fps.

    Attributes:
        numerator: Frames per ``denominator`` seconds; reduced, positive.
        denominator: Seconds the numerator counts over; reduced, positive.
    """

    numerator: int
    denominator: int = 1

    def __attrs_post_init__(self) -> None:
        if isinstance(self.numerator, bool) or not isinstance(self.numerator, int):
            raise ValidationError("FrameRate.numerator", "must be an int", self.numerator)
        if isinstance(self.denominator, bool) or not isinstance(self.denominator, int):
            raise ValidationError("FrameRate.denominator", "must be an int", self.denominator)
        if self.numerator <= 0 or self.denominator <= 0:
            raise ValidationError("FrameRate", "numerator and denominator must be positive", self.fraction)
        g = math.gcd(self.numerator, self.denominator)
        if g != 1:
            object.__setattr__(self, "numerator", self.numerator // g)
            object.__setattr__(self, "denominator", self.denominator // g)

    @classmethod
    def from_float(cls, fps: float) -> Self:
        """Snap a rate the service reports, such as 29.970029830932617, to its exact value (30000/1001).

        A value near a standard rate (23.976, 24, 25, 29.97, 30, 50, 59.94, 60, ...) becomes that rate;
        a value near any other NTSC-style rate ``n*1000/1001`` becomes that; anything else keeps the exact
        rational of its shortest decimal form (``12.5`` -> 25/2).

        Raises:
            ValidationError: ``fps`` is not a positive finite number.
        """
        value: object = fps
        try:
            finite = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        except OverflowError:  # an int too large for a float
            finite = False
        if not finite or fps <= 0:
            raise ValidationError("frame_rate", "must be a positive finite number", fps)
        for rate in _STANDARD_RATES:
            if abs(fps - rate) <= _SNAP_TOLERANCE:
                return cls(rate.numerator, rate.denominator)
        # Exact arithmetic: float arithmetic overflows to infinity for rates near the float maximum.
        whole = round(Fraction(fps) * _NTSC / 1000)
        ntsc = Fraction(whole * 1000, _NTSC)
        if whole > 0 and abs(Fraction(fps) - ntsc) <= Fraction(_SNAP_TOLERANCE) / 10:
            return cls(ntsc.numerator, ntsc.denominator)
        exact = Fraction(repr(float(fps)))
        return cls(exact.numerator, exact.denominator)

    @classmethod
    def coerce(cls, rate: FrameRateLike) -> FrameRate:
        """Turn a `FrameRate`, `Fraction`, int, float or ``"30000/1001"`` string into a `FrameRate`."""
        if isinstance(rate, FrameRate):
            return rate
        if isinstance(rate, Fraction):
            return cls(rate.numerator, rate.denominator)
        if isinstance(rate, str):
            try:
                value = Fraction(rate.strip())
            except (ValueError, ZeroDivisionError):
                raise ValidationError("frame_rate", "must be a number or a fraction like 30000/1001", rate) from None
            if "/" in rate:
                return cls(value.numerator, value.denominator)
            return cls.from_float(float(value))
        if isinstance(rate, int) and not isinstance(rate, bool):
            return cls(rate)
        return cls.from_float(rate)

    @property
    def fraction(self) -> Fraction:
        """The rate as a `Fraction` of frames per second."""
        return Fraction(self.numerator, self.denominator)

    @property
    def timebase(self) -> int:
        """Frames counted per timecode second: the rate rounded up (30 for 29.97, 24 for 23.976)."""
        return -(-self.numerator // self.denominator)

    @property
    def supports_drop_frame(self) -> bool:
        """Whether drop-frame timecode exists at this rate (29.97 and 59.94 only)."""
        return self.fraction in _DROP_FRAMES

    @property
    def dropped_per_minute(self) -> int:
        """Labels drop-frame skips each minute (2 at 29.97, 4 at 59.94); 0 where drop-frame does not exist."""
        return _DROP_FRAMES.get(self.fraction, 0)

    def frames_per_day(self, drop_frame: bool = False) -> int:
        """How many frames a 24-hour timecode clock holds at this rate."""
        if drop_frame:
            return 144 * (self.timebase * 600 - 9 * self.dropped_per_minute)
        return 86400 * self.timebase

    def __float__(self) -> float:
        return self.numerator / self.denominator

    def __str__(self) -> str:
        if self.denominator == 1:
            return str(self.numerator)
        return f"{float(self):.3f}".rstrip("0")

    def __repr__(self) -> str:
        return f"FrameRate({self.numerator}, {self.denominator})"


FrameRateLike: TypeAlias = FrameRate | Fraction | int | float | str
"""Anything `FrameRate.coerce` accepts."""


def _to_rate(rate: FrameRateLike) -> FrameRate:
    return FrameRate.coerce(rate)


def _check_drop(rate: FrameRate, drop_frame: bool) -> None:
    if drop_frame and not rate.supports_drop_frame:
        raise TimecodeError("drop_frame", f"drop-frame timecode does not exist at {rate} fps", rate)


@attrs.frozen(order=False, repr=False)
class Timecode:
    """A frame position and its SMPTE label.

    ``frame`` is the 0-based index of the frame counted from ``00:00:00:00``; the label is derived from it.
    Timecodes compare and sort by frame; they add and subtract whole frames; two timecodes subtract to a
    frame count.

    Attributes:
        frame: 0-based frame index.
        rate: The exact frame rate.
        drop_frame: Whether the label is drop-frame (``;`` before the frames).
    """

    frame: int
    rate: FrameRate = attrs.field(converter=_to_rate)
    drop_frame: bool = False

    def __attrs_post_init__(self) -> None:
        frame: object = self.frame
        if isinstance(frame, bool) or not isinstance(frame, int):
            raise TimecodeError("Timecode.frame", "must be an int", frame)
        _check_drop(self.rate, self.drop_frame)
        limit = self.rate.frames_per_day(self.drop_frame)
        if not 0 <= self.frame < limit:
            raise TimecodeError(
                "Timecode.frame", f"must be within 24 hours (0 to {limit - 1} at {self.rate} fps)", self.frame
            )

    # -- construction ---------------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, rate: FrameRateLike) -> Self:
        """Parse ``HH:MM:SS:FF`` (non-drop) or ``HH:MM:SS;FF`` (drop-frame).

        Raises:
            TimecodeError: The text is malformed, a field is out of range, the label does not exist in
                drop-frame (``00:01:00;00``), or drop-frame is used at a rate that has none.
        """
        fps = FrameRate.coerce(rate)
        h, m, s, drop, f = _label_fields(text)
        _check_drop(fps, drop)
        _check_frames(f, fps, text)
        base = fps.timebase
        total_minutes = 60 * h + m
        frame = (3600 * h + 60 * m + s) * base + f
        if drop:
            dropped = fps.dropped_per_minute
            if s == 0 and f < dropped and m % 10 != 0:
                raise TimecodeError(
                    "timecode",
                    f"drop-frame skips frames 00-{dropped - 1:02d} at the start of each minute not divisible by 10",
                    text,
                )
            frame -= dropped * (total_minutes - total_minutes // 10)
        return cls(frame, fps, drop)

    @classmethod
    def from_frame(cls, frame: int, rate: FrameRateLike, drop_frame: bool = False) -> Self:
        """Make the timecode of a 0-based frame index."""
        return cls(frame, FrameRate.coerce(rate), drop_frame)

    @classmethod
    def from_seconds(cls, seconds: Fraction | float | int, rate: FrameRateLike, drop_frame: bool = False) -> Self:
        """Make the timecode of the frame on screen at ``seconds`` (the frame whose span contains it)."""
        fps = FrameRate.coerce(rate)
        return cls(math.floor(Fraction(seconds) * fps.fraction), fps, drop_frame)

    @classmethod
    def from_millis(cls, millis: int, rate: FrameRateLike, drop_frame: bool = False) -> Self:
        """Make the timecode of the frame that starts at ``millis`` as the service reports it.

        The service rounds a frame's start time down to the millisecond, so this returns the first frame
        whose start rounds down to ``millis`` or later: the exact inverse of `to_millis`.
        """
        fps = FrameRate.coerce(rate)
        return cls(math.ceil(Fraction(millis) * fps.fraction / 1000), fps, drop_frame)

    # -- views ----------------------------------------------------------------------------------------

    @property
    def components(self) -> tuple[int, int, int, int]:
        """The label's fields: ``(hours, minutes, seconds, frames)``."""
        dropped = self.rate.dropped_per_minute if self.drop_frame else 0
        return _components(self.frame, self.rate.timebase, dropped)

    def to_seconds(self) -> Fraction:
        """Exact start time of this frame in seconds."""
        return self.frame / self.rate.fraction

    def to_millis(self) -> int:
        """Start time of this frame in milliseconds, rounded down as the service does."""
        return (self.frame * 1000 * self.rate.denominator) // self.rate.numerator

    def __str__(self) -> str:
        h, m, s, f = self.components
        sep = ";" if self.drop_frame else ":"
        return f"{h:02d}:{m:02d}:{s:02d}{sep}{f:02d}"

    def __repr__(self) -> str:
        return f"Timecode({str(self)!r}, frame={self.frame}, rate={self.rate!r})"

    # -- arithmetic and ordering ----------------------------------------------------------------------

    def _same_clock(self, other: Timecode) -> None:
        if other.rate != self.rate:
            raise TimecodeError("timecode", f"cannot mix rates {self.rate} and {other.rate}", other)

    def __add__(self, frames: int) -> Timecode:
        if isinstance(frames, bool) or not isinstance(frames, int):
            return NotImplemented
        return Timecode(self.frame + frames, self.rate, self.drop_frame)

    __radd__ = __add__

    @overload
    def __sub__(self, other: Timecode) -> int: ...

    @overload
    def __sub__(self, other: int) -> Timecode: ...

    def __sub__(self, other: int | Timecode) -> Timecode | int:
        if isinstance(other, Timecode):
            self._same_clock(other)
            return self.frame - other.frame
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return Timecode(self.frame - other, self.rate, self.drop_frame)

    def frames_since(self, other: Timecode) -> int:
        """Frames from ``other`` to this timecode (negative if this one is earlier)."""
        self._same_clock(other)
        return self.frame - other.frame

    def __lt__(self, other: Timecode) -> bool:
        self._same_clock(other)
        return self.frame < other.frame

    def __le__(self, other: Timecode) -> bool:
        self._same_clock(other)
        return self.frame <= other.frame

    def __gt__(self, other: Timecode) -> bool:
        self._same_clock(other)
        return self.frame > other.frame

    def __ge__(self, other: Timecode) -> bool:
        self._same_clock(other)
        return self.frame >= other.frame


def _label_fields(text: object) -> tuple[int, int, int, bool, int]:
    """Split a label into hours, minutes, seconds, drop-frame and frames, by `Timecode.parse`'s rate-free rules.

    Raises:
        TimecodeError: Not ``HH:MM:SS:FF`` or ``HH:MM:SS;FF``, a three-digit frame field under 100, or hours,
            minutes or seconds out of range.
    """
    if not isinstance(text, str):
        raise TimecodeError("timecode", "must be a string", text)
    match = _LABEL.fullmatch(text.strip())
    if match is None:
        raise TimecodeError("timecode", "must look like HH:MM:SS:FF or HH:MM:SS;FF", text)
    hours, minutes, seconds, sep, frames = match.groups()
    if len(frames) == 3 and frames[0] == "0":
        raise TimecodeError("timecode", "frames must be two digits (three only for frame 100 and up)", text)
    h, m, s, f = int(hours), int(minutes), int(seconds), int(frames)
    if h > 23:
        raise TimecodeError("timecode", "hours must be 00 to 23", text)
    if m > 59:
        raise TimecodeError("timecode", "minutes must be 00 to 59", text)
    if s > 59:
        raise TimecodeError("timecode", "seconds must be 00 to 59", text)
    return h, m, s, sep == ";", f


def _check_frames(frames: int, rate: FrameRate, text: str) -> None:
    if frames >= rate.timebase:
        raise TimecodeError("timecode", f"frames must be below {rate.timebase} at {rate} fps", text)


def check_label(text: str, rate: FrameRateLike | None = None) -> None:
    """Check a timecode label by `Timecode.parse`'s rules, as far as they can be checked without the video.

    Without a rate, the rules that hold at every rate: the ``HH:MM:SS:FF`` / ``HH:MM:SS;FF`` shape, hours 00-23,
    minutes and seconds 00-59. With one, also that the frames are below its timebase. Whether drop-frame exists
    and which labels it skips depend on the video's own labelling, so they are left to `Timecode.parse`.

    Raises:
        TimecodeError: A rule is broken (field ``timecode``).
    """
    frames = _label_fields(text)[4]
    if rate is not None:
        _check_frames(frames, FrameRate.coerce(rate), text)


def _components(frame: int, base: int, dropped: int) -> tuple[int, int, int, int]:
    """Split a frame count into label fields at ``base`` frames a second, skipping ``dropped`` labels a minute."""
    if dropped:
        per_ten = base * 600 - 9 * dropped
        per_minute = base * 60 - dropped
        tens, rest = divmod(frame, per_ten)
        frame += 9 * dropped * tens
        if rest >= dropped:
            frame += dropped * ((rest - dropped) // per_minute)
    seconds, frames = divmod(frame, base)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return hours, minutes, seconds, frames


def frame_labeller(rate: FrameRate, drop_frame: bool) -> Callable[[int], str]:
    """Return a function labelling frame numbers exactly as ``str(Timecode(frame, rate, drop_frame))`` does.

    The same arithmetic as `Timecode.components`, without building a `Timecode` per label: several times faster,
    which matters when a million segments are labelled.
    """
    _check_drop(rate, drop_frame)
    base = rate.timebase
    dropped = rate.dropped_per_minute if drop_frame else 0
    sep = ";" if drop_frame else ":"

    def label(frame: int) -> str:
        h, m, s, f = _components(frame, base, dropped)
        return f"{h:02d}:{m:02d}:{s:02d}{sep}{f:02d}"

    return label


@attrs.frozen
class FrameRange:
    """A run of whole frames, from ``start`` to ``end``, both inclusive (the service's convention).

    ``FrameRange(Timecode(0, 24), Timecode(23, 24))`` is the first second at 24 fps: 24 frames. The frame
    after the last one, where an EDL event or a chapter ends, is `stop`.

    Attributes:
        start: The first frame.
        end: The last frame, inclusive.
    """

    start: Timecode
    end: Timecode

    def __attrs_post_init__(self) -> None:
        if self.end.rate != self.start.rate:
            raise ValidationError("FrameRange.end", f"must be at the start's rate {self.start.rate}", self.end.rate)
        if self.end.frame < self.start.frame:
            raise ValidationError("FrameRange.end", "must not be before the start (it is the last frame)", self.end)

    @classmethod
    def from_frames(cls, first: int, last: int, rate: FrameRate, drop_frame: bool = False) -> FrameRange:
        """Make the range of frames ``first`` to ``last``, both inclusive."""
        return cls(Timecode(first, rate, drop_frame), Timecode(last, rate, drop_frame))

    @property
    def rate(self) -> FrameRate:
        """The frame rate."""
        return self.start.rate

    @property
    def first_frame(self) -> int:
        """0-based index of the first frame."""
        return self.start.frame

    @property
    def last_frame(self) -> int:
        """0-based index of the last frame (inclusive)."""
        return self.end.frame

    @property
    def stop_frame(self) -> int:
        """0-based index of the frame after the last one (exclusive end)."""
        return self.end.frame + 1

    @property
    def stop(self) -> Timecode:
        """The frame after the last one, as a `Timecode`: an EDL out point or a chapter end."""
        return self.end + 1

    @property
    def frame_count(self) -> int:
        """Frames in the range: ``last - first + 1``."""
        return self.end.frame - self.start.frame + 1

    @property
    def start_millis(self) -> int:
        """Start of the first frame in ms, rounded down (the service's ``StartTimestampMillis``)."""
        return self.start.to_millis()

    @property
    def end_millis(self) -> int:
        """Start of the last frame in ms, rounded down (the service's ``EndTimestampMillis``)."""
        return self.end.to_millis()

    @property
    def stop_millis(self) -> int:
        """End of the last frame in ms, rounded down: where the range stops on a clock."""
        return (self.stop_frame * 1000 * self.rate.denominator) // self.rate.numerator

    @property
    def duration_seconds(self) -> Fraction:
        """Exact length in seconds: ``frame_count`` frames."""
        return self.frame_count / self.rate.fraction

    @property
    def duration_millis(self) -> int:
        """Length in ms, rounded down (the service's ``DurationMillis`` leaves out the last frame)."""
        return math.floor(self.duration_seconds * 1000)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Timecode):
            return self.start <= item <= self.end
        if isinstance(item, bool) or not isinstance(item, int):
            return False
        return self.start.frame <= item <= self.end.frame

    def overlaps(self, other: FrameRange) -> bool:
        """Whether the two ranges share at least one frame."""
        return self.start.frame <= other.end.frame and other.start.frame <= self.end.frame

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"
