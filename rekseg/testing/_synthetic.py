"""Realistic, internally consistent segment detection results generated from a few parameters.

A `SyntheticVideo` describes an episode (length, frame rate, number of shots, which cues, seed). Its plan is a
handful of integer arrays: shot starts and confidences, plus a short list of technical cues. Segments are
rendered from the plan on demand in the service's wire form, so the emulator can serve a million-shot job page
by page without ever holding a million segments, and `synthetic_result` builds the same segments as models.
"""

from __future__ import annotations

import functools
import math
import random
import struct
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import timedelta
from fractions import Fraction
from typing import Any, Final

import attrs

from .._enums import SegmentType, TechnicalCueType
from .._exceptions import ValidationError
from .._results import SegmentDetectionResult
from .._timecode import FrameRate, FrameRateLike, frame_labeller
from .._wire import segment_from_frames

__all__ = [
    "DEFAULT_FRAME_RATE",
    "DEFAULT_SEED",
    "DEFAULT_SEGMENT_TYPES",
    "DEFAULT_SHOTS",
    "DEFAULT_SHOT_SECONDS",
    "MODEL_VERSIONS",
    "SyntheticVideo",
    "synthetic_result",
]

DEFAULT_FRAME_RATE: Final = FrameRate(30000, 1001)
"""29.97 fps, labelled drop-frame unless told otherwise."""
DEFAULT_SHOTS: Final = 120
DEFAULT_SEED: Final = 0
DEFAULT_SHOT_SECONDS: Final = 4
"""Average shot length used to derive the duration when none is given."""
DEFAULT_SEGMENT_TYPES: Final = (SegmentType.TECHNICAL_CUE, SegmentType.SHOT)
MODEL_VERSIONS: Final = {SegmentType.TECHNICAL_CUE: "2.0", SegmentType.SHOT: "1.0"}
"""The ``ModelVersion`` echoed in ``SelectedSegmentTypes`` per segment type."""

_ALL_CUES: Final = tuple(TechnicalCueType)
_CODEC: Final = "h264"
_FORMAT: Final = "QuickTime / MOV"
_WIDTH: Final = 1920
_HEIGHT: Final = 1080
_AUDIO_CODEC: Final = "aac"
_SAMPLE_RATE: Final = 48000
_CHANNELS: Final = 2
# Fixed-length pieces of the episode: (cue, seconds, largest share of the video).
_BARS: Final = (TechnicalCueType.COLOR_BARS, 10.0, 0.02)
_SLATE: Final = (TechnicalCueType.SLATE, 5.0, 0.01)
_LOGO: Final = (TechnicalCueType.STUDIO_LOGO, 5.0, 0.01)
_OPENING: Final = (TechnicalCueType.OPENING_CREDITS, 60.0, 0.05)
_BLACK: Final = (TechnicalCueType.BLACK_FRAMES, 0.5, 0.002)
_END: Final = (TechnicalCueType.END_CREDITS, 60.0, 0.05)
_EXTRA: Final = 3.0, 0.005
_MIN_SHOT_FRAMES: Final = 12


def _coerce_types(values: Iterable[SegmentType | str], field: str) -> tuple[SegmentType, ...]:
    out: list[SegmentType] = []
    for value in values:
        kind = SegmentType(value)
        if not kind.is_known:
            raise ValidationError(field, "must hold TECHNICAL_CUE and/or SHOT", value)
        if kind not in out:
            out.append(kind)
    if not out:
        raise ValidationError(field, "must hold at least one segment type", values)
    return tuple(out)


def _to_rate(rate: FrameRateLike) -> FrameRate:
    return FrameRate.coerce(rate)


def _cue_tuple(values: Iterable[TechnicalCueType | str] | None) -> tuple[TechnicalCueType, ...]:
    return _ALL_CUES if values is None else tuple(dict.fromkeys(TechnicalCueType(v) for v in values))


def _type_tuple(values: Iterable[SegmentType | str]) -> tuple[SegmentType, ...]:
    return _coerce_types(values, "segment_types")


def _to_seconds(duration: float | timedelta | None) -> float | None:
    if isinstance(duration, timedelta):
        return duration.total_seconds()
    return duration


@attrs.frozen(kw_only=True)
class SyntheticVideo:
    """What a synthetic video contains: an episode described by a few parameters, generated deterministically.

    Register one with `Emulator.add_video` to have its segments generated page by page on demand (a job over a
    million shots then costs a few arrays of integers, not a million objects), or call `result` for the whole
    `SegmentDetectionResult` (what `synthetic_result` returns).

    Attributes:
        duration: Length of the video in seconds (or a `timedelta`); ``None`` derives it from the number of
            shots (`DEFAULT_SHOT_SECONDS` each, capped below 24 hours).
        frame_rate: The exact rate (anything `FrameRate.coerce` takes: ``"30000/1001"``, ``29.97``, ``25``).
        drop_frame: Label timecodes drop-frame (``HH:MM:SS;FF``); ``None`` means drop-frame at 29.97 and
            59.94 and non-drop elsewhere.
        shots: Number of shots; contiguous, indexed from 0, together covering the whole video.
        technical_cues: Which cue types to report; ``None`` reports all seven. The episode's layout is the
            same either way (color bars, slate, studio logo, opening credits, acts of content separated by
            black frames, end credits); values unknown to this release are placed before the end credits.
        segment_types: The segment types the job detected, in the order they were requested.
        seed: Seed of the generator: the same parameters and seed give the same result.
    """

    duration: float | timedelta | None = None
    frame_rate: FrameRate = attrs.field(default=DEFAULT_FRAME_RATE, converter=_to_rate)
    drop_frame: bool | None = None
    shots: int = DEFAULT_SHOTS
    technical_cues: tuple[TechnicalCueType, ...] = attrs.field(default=None, converter=_cue_tuple)
    segment_types: tuple[SegmentType, ...] = attrs.field(default=DEFAULT_SEGMENT_TYPES, converter=_type_tuple)
    seed: int = DEFAULT_SEED

    def __attrs_post_init__(self) -> None:
        if self.drop_frame and not self.frame_rate.supports_drop_frame:
            raise ValidationError("drop_frame", f"drop-frame timecode does not exist at {self.frame_rate} fps", True)
        shots: object = self.shots
        if isinstance(shots, bool) or not isinstance(shots, int) or shots < 0:
            raise ValidationError("shots", "must be a non-negative int", shots)
        if shots == 0 and SegmentType.SHOT in self.segment_types:
            raise ValidationError("shots", "must be at least 1 when SHOT is a segment type", shots)
        seconds = _to_seconds(self.duration)
        if seconds is not None and (not math.isfinite(seconds) or seconds <= 0):
            raise ValidationError("duration", "must be a positive number of seconds", self.duration)

    @property
    def is_drop_frame(self) -> bool:
        """Whether timecodes are labelled drop-frame."""
        return self.frame_rate.supports_drop_frame if self.drop_frame is None else self.drop_frame

    def result(self) -> SegmentDetectionResult:
        """Generate the whole result, every segment as a model, in the service's order."""
        plan = _plan(self)
        response = plan.header()
        response["Segments"] = list(plan.segments(0, plan.count))
        return SegmentDetectionResult.from_response(response)

    def plan(self) -> Plan:
        """Return the generated plan (cached), from which pages are rendered."""
        return _plan(self)


def synthetic_result(
    *,
    duration: float | timedelta | None = None,
    frame_rate: FrameRateLike = DEFAULT_FRAME_RATE,
    drop_frame: bool | None = None,
    shots: int = DEFAULT_SHOTS,
    technical_cues: Iterable[TechnicalCueType | str] | None = None,
    segment_types: Sequence[SegmentType | str] = DEFAULT_SEGMENT_TYPES,
    seed: int = DEFAULT_SEED,
) -> SegmentDetectionResult:
    """Generate a realistic, internally consistent result, as a SUCCEEDED job would return it.

    Shots are contiguous, indexed from 0 and cover the whole video; frame numbers are 0-based with inclusive
    ends; milliseconds are the frame's start rounded down; SMPTE labels are exact (drop-frame where asked);
    durations are end minus start, as the service reports them; confidences are within 50-100. Segments come in
    the service's order: by segment type in the requested order, then by start. The same arguments give the
    same result.

    Args:
        duration: Length of the video in seconds (or a `timedelta`); ``None`` derives it from ``shots``.
        frame_rate: The exact rate: ``"30000/1001"``, ``29.97``, ``"24000/1001"``, ``24``, ``25``, ``59.94``...
        drop_frame: Label drop-frame; ``None`` means drop-frame exactly at 29.97 and 59.94.
        shots: Number of shots.
        technical_cues: Cue types to report; ``None`` reports all seven.
        segment_types: The requested segment types, in request order.
        seed: The generator's seed.

    Raises:
        ValidationError: A parameter is out of range, or the video is too short for the shots and cue layout.
    """
    return SyntheticVideo(
        duration=duration,
        frame_rate=frame_rate,
        drop_frame=drop_frame,
        shots=shots,
        technical_cues=technical_cues,
        segment_types=segment_types,
        seed=seed,
    ).result()


# -- generation ------------------------------------------------------------------------------------------------


def _float32(value: float) -> float:
    # The service reports rates as 32-bit floats: 30000/1001 arrives as 29.970029830932617.
    result: float = struct.unpack("<f", struct.pack("<f", value))[0]
    return result


def _fixed_frames(piece: tuple[Any, float, float], total: int, fps: Fraction, rng: random.Random) -> int:
    _, seconds, share = piece
    frames = min(seconds * float(fps), share * total) * rng.uniform(0.8, 1.2)
    return max(1, int(frames))


def _layout(spec: SyntheticVideo, total: int, rng: random.Random) -> list[tuple[TechnicalCueType, int, int]]:
    """Lay the episode's cues over ``total`` frames: ``(cue, first frame, last frame)`` chronologically."""
    fps = spec.frame_rate.fraction
    acts = rng.randint(3, 5)
    extras = [cue for cue in spec.technical_cues if not cue.is_known]
    head = [(piece[0], _fixed_frames(piece, total, fps, rng)) for piece in (_BARS, _SLATE, _LOGO, _OPENING)]
    blacks = [_fixed_frames(_BLACK, total, fps, rng) for _ in range(acts - 1)]
    tail = [(cue, _fixed_frames((cue, *_EXTRA), total, fps, rng)) for cue in extras]
    tail.append((TechnicalCueType.END_CREDITS, _fixed_frames(_END, total, fps, rng)))
    fixed = sum(n for _, n in head) + sum(blacks) + sum(n for _, n in tail)
    content = total - fixed
    if content < acts:
        raise ValidationError("duration", f"is too short for the cue layout ({total} frames)", spec.duration)
    weights = [rng.uniform(0.7, 1.3) for _ in range(acts)]
    scale = sum(weights)
    act_frames = [max(1, int(content * w / scale)) for w in weights]
    act_frames[-1] += content - sum(act_frames)
    if act_frames[-1] < 1:
        act_frames = [1] * (acts - 1) + [content - acts + 1]
    pieces = list(head)
    for i, frames in enumerate(act_frames):
        pieces.append((TechnicalCueType.CONTENT, frames))
        if i < len(blacks):
            pieces.append((TechnicalCueType.BLACK_FRAMES, blacks[i]))
    pieces.extend(tail)
    out = []
    start = 0
    for cue, frames in pieces:
        out.append((cue, start, start + frames - 1))
        start += frames
    return out


def _total_frames(spec: SyntheticVideo) -> int:
    rate = spec.frame_rate
    limit = rate.frames_per_day(spec.is_drop_frame)
    seconds = _to_seconds(spec.duration)
    if seconds is None:
        per_shot = max(_MIN_SHOT_FRAMES, round(DEFAULT_SHOT_SECONDS * float(rate)))
        # At least three minutes, so the cue layout looks like an episode even for a handful of shots.
        total = min(max(spec.shots * per_shot, 180 * rate.timebase), limit)
    else:
        total = math.floor(Fraction(seconds) * rate.fraction)
        if total > limit:
            raise ValidationError("duration", "must be under 24 hours (SMPTE timecodes wrap at 24:00:00:00)", seconds)
    if total < spec.shots:
        raise ValidationError("duration", f"is too short for {spec.shots} shots ({total} frames)", spec.duration)
    return total


@attrs.frozen
class Plan:
    """A synthetic video, generated: everything needed to render any of its segments in the service's form.

    Built once per `SyntheticVideo` (and cached); rendering segment ``i`` costs the same at any ``i``.

    Attributes:
        spec: What was asked for.
        total_frames: Frames in the video.
        cues: The reported technical cues, chronologically: ``(cue, first frame, last frame, confidence)``.
        shot_starts: First frame of each shot, followed by ``total_frames``.
        shot_confidences: Confidence of each shot.
    """

    spec: SyntheticVideo
    total_frames: int
    cues: tuple[tuple[TechnicalCueType, int, int, float], ...]
    shot_starts: array[int]
    shot_confidences: array[float]
    _label: Callable[[int], str] = attrs.field(alias="label")

    @property
    def count(self) -> int:
        """Number of segments the job returns (all requested types together)."""
        return sum(self.type_count(kind) for kind in self.spec.segment_types)

    def type_count(self, kind: SegmentType) -> int:
        """Number of segments of one type."""
        return len(self.cues) if kind == SegmentType.TECHNICAL_CUE else len(self.shot_confidences)

    def millis(self, frame: int) -> int:
        """Start of a frame in ms, rounded down (`Timecode.to_millis`)."""
        rate = self.spec.frame_rate
        return (frame * 1000 * rate.denominator) // rate.numerator

    def header(self) -> dict[str, Any]:
        """Return the response fields every page carries (status, metadata, selected types), without segments."""
        duration = self.millis(self.total_frames)
        return {
            "JobStatus": "SUCCEEDED",
            "VideoMetadata": [
                {
                    "Codec": _CODEC,
                    "DurationMillis": duration,
                    "Format": _FORMAT,
                    "FrameRate": _float32(float(self.spec.frame_rate)),
                    "FrameHeight": _HEIGHT,
                    "FrameWidth": _WIDTH,
                    "ColorRange": "LIMITED",
                }
            ],
            "AudioMetadata": [
                {
                    "Codec": _AUDIO_CODEC,
                    "DurationMillis": duration,
                    "SampleRate": _SAMPLE_RATE,
                    "NumberOfChannels": _CHANNELS,
                }
            ],
            "SelectedSegmentTypes": [
                {"Type": kind.value, "ModelVersion": MODEL_VERSIONS[kind]} for kind in self.spec.segment_types
            ],
        }

    def _segment(self, kind: str, first: int, last: int, detail: tuple[str, dict[str, Any]]) -> dict[str, Any]:
        return segment_from_frames(kind, first, last, detail, label=self._label, millis=self.millis)

    def segment(self, position: int) -> dict[str, Any]:
        """Render the segment at ``position`` in the service's order as a ``SegmentDetection`` wire dict."""
        for kind in self.spec.segment_types:
            n = self.type_count(kind)
            if position < n:
                if kind == SegmentType.TECHNICAL_CUE:
                    cue, first, last, confidence = self.cues[position]
                    return self._segment(
                        kind.value, first, last, ("TechnicalCueSegment", {"Type": cue.value, "Confidence": confidence})
                    )
                starts = self.shot_starts
                return self._segment(
                    kind.value,
                    starts[position],
                    starts[position + 1] - 1,
                    ("ShotSegment", {"Index": position, "Confidence": self.shot_confidences[position]}),
                )
            position -= n
        raise IndexError(position)

    def confidence(self, position: int) -> tuple[SegmentType, float]:
        """Return the type and confidence of the segment at ``position``, without rendering it."""
        for kind in self.spec.segment_types:
            n = self.type_count(kind)
            if position < n:
                if kind == SegmentType.TECHNICAL_CUE:
                    return kind, self.cues[position][3]
                return kind, self.shot_confidences[position]
            position -= n
        raise IndexError(position)

    def segments(self, start: int, stop: int) -> Iterator[dict[str, Any]]:
        """Render the segments at positions ``start`` to ``stop`` (exclusive)."""
        for position in range(start, min(stop, self.count)):
            yield self.segment(position)


def _confidence(rng: random.Random, skew: int) -> float:
    # Skewed towards 100 like real detections, never below 50.
    return round(100 - 50 * rng.random() ** skew, 3)


@functools.lru_cache(maxsize=8)
def _plan(spec: SyntheticVideo) -> Plan:
    rng = random.Random(spec.seed)
    total = _total_frames(spec)
    layout = _layout(spec, total, rng)
    wanted = set(spec.technical_cues)
    cues = tuple((cue, first, last, _confidence(rng, 3)) for cue, first, last in layout if cue in wanted)
    shots = spec.shots
    # Stars and bars: shots-1 distinct cut positions split the frames beyond each shot's minimum length.
    min_len = min(_MIN_SHOT_FRAMES, total // shots) if shots else 0
    free = total - min_len * shots
    starts = array("q", [0])
    if shots:
        cuts = sorted(rng.sample(range(free + shots - 1), shots - 1))
        starts.extend(cut - i + (i + 1) * min_len for i, cut in enumerate(cuts))
        starts.append(total)
    random_ = rng.random
    confidences = array("d", [round(100 - 50 * random_() ** 4, 3) for _ in range(shots)])
    return Plan(
        spec=spec,
        total_frames=total,
        cues=cues,
        shot_starts=starts,
        shot_confidences=confidences,
        label=frame_labeller(spec.frame_rate, spec.is_drop_frame),
    )
