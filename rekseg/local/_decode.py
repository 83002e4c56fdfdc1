"""Decode a video file with PyAV and feed each frame's measures to the `Detector`; read the file's metadata."""

from __future__ import annotations

import functools
import os
import re
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

import av
import av.error
from av.video.reformatter import VideoReformatter

from .._enums import VideoColorRange
from .._exceptions import RekSegError
from .._timecode import FrameRate, Timecode
from ._decide import THUMB_HEIGHT, THUMB_WIDTH, Detector, FrameMeasures, may_be_black

__all__ = ["MediaError", "decode"]

# Planar 8-bit YUV: plane 0 is the luma the BlackFrame rule is stated on.
_YUV8: Final = frozenset(
    {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p", "yuvj440p", "yuv411p", "nv12"}
)
_FULL_RANGE_FORMATS: Final = frozenset({"yuvj420p", "yuvj422p", "yuvj444p", "yuvj440p"})
_AVCOL_RANGE_JPEG: Final = 2
_DURATION_TAG: Final = re.compile(r"\d+:\d{2}:\d{2}(\.\d+)?")
_PROGRESS_EVERY: Final = 25
_TRUNCATION_SLACK: Final = 2
"""Frames a container's declared length may exceed what decodes before the file counts as truncated."""


class MediaError(RekSegError):
    """A local video cannot be analysed: missing, not a video, without a video stream, truncated or corrupt.

    Attributes:
        path: The file.
        reason: What is wrong with it.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


Progress = Callable[[int, int | None], object]
"""Called with frames decoded so far and the frames expected (``None`` when the file does not say)."""


def _float32(value: float) -> float:
    # The service reports rates as 32-bit floats: 30000/1001 arrives as 29.970029830932617.
    result: float = struct.unpack("<f", struct.pack("<f", value))[0]
    return result


def _rate_of(stream: Any) -> FrameRate | None:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if not rate:
        return None
    exact = FrameRate(rate.numerator, rate.denominator)
    snapped = FrameRate.from_float(float(exact))
    # Keep the container's exact rate unless it is a hair off a standard one (rounded time bases).
    return snapped if abs(snapped.fraction - exact.fraction) < Fraction(1, 10000) else exact


def _black_coverage(frame: Any, threshold: int) -> float:
    """Percentage of the frame's luma samples at or below ``threshold``."""
    plane = frame.planes[0]
    width, height, stride = plane.width, plane.height, plane.line_size
    data = bytes(plane)
    if stride != width:
        data = b"".join(data[row * stride : row * stride + width] for row in range(height))
    # One C-speed pass: map black samples to 0, others to 1, then count the zeros.
    return 100.0 * data.translate(_black_table(threshold)).count(0) / len(data) if data else 0.0


@functools.lru_cache(maxsize=8)
def _black_table(threshold: int) -> bytes:
    return bytes(0 if v <= threshold else 1 for v in range(256))


@contextmanager
def _translated(path: str) -> Iterator[None]:
    """Turn every decoder error into a `MediaError` naming the file."""
    try:
        yield
    except av.error.FFmpegError as exc:
        raise MediaError(path, f"cannot be decoded as a video ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, OSError) as exc:
        raise MediaError(path, f"cannot be read ({exc})") from exc


def decode(
    path: str | os.PathLike[str],
    detector_for: Callable[[bool], tuple[Detector, int]],
    progress: Progress | None,
) -> tuple[Detector, FrameRate, dict[str, Any]]:
    """Run every video frame of ``path`` through a detector; return it, the exact rate and the metadata members.

    Args:
        path: The video file.
        detector_for: Given whether the video is full range, returns the detector and the black luma threshold.
        progress: Called every few frames and at the end.

    Raises:
        MediaError: The file is missing, not a video, has no video stream, or is truncated or corrupt.
    """
    name = os.fspath(path)
    if not Path(name).is_file():
        raise MediaError(name, "no such file")
    with _translated(name), av.open(name) as container:
        if not container.streams.video:
            raise MediaError(name, "has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = _rate_of(stream)
        if rate is None:
            raise MediaError(name, "its video stream has no frame rate")
        codec = stream.codec_context
        full_range = codec.format is not None and codec.format.name in _FULL_RANGE_FORMATS
        full_range = full_range or int(codec.color_range) == _AVCOL_RANGE_JPEG
        detector, threshold = detector_for(full_range)
        expected = _expected_frames(container, stream, rate)
        # One reformatter for the whole stream: it keeps its scaling context instead of building one per frame.
        scaler = VideoReformatter()
        for decoded in container.decode(stream):
            frame = decoded if decoded.format.name in _YUV8 else scaler.reformat(decoded, format="yuv420p")
            thumb = scaler.reformat(frame, width=THUMB_WIDTH, height=THUMB_HEIGHT, format="rgb24")
            thumb_plane = thumb.planes[0]
            data = bytes(thumb_plane)
            if thumb_plane.line_size != THUMB_WIDTH * 3:
                step, row = thumb_plane.line_size, THUMB_WIDTH * 3
                data = b"".join(data[y * step : y * step + row] for y in range(THUMB_HEIGHT))
            coverage = 0.0
            if may_be_black(data, threshold, full_range, detector.min_coverage_percentage):
                coverage = _black_coverage(frame, threshold)
            detector.add(FrameMeasures(thumbnail=data, black_coverage=coverage))
            if progress is not None and detector.frames % _PROGRESS_EVERY == 0:
                progress(detector.frames, expected)
        detector.finish()
        if detector.frames == 0:
            raise MediaError(name, "its video stream holds no frame")
        if expected is not None and detector.frames + _TRUNCATION_SLACK < expected:
            raise MediaError(name, f"is truncated: {detector.frames} of {expected} frames decode")
        if progress is not None:
            progress(detector.frames, detector.frames)
        metadata = {
            "VideoMetadata": [
                {
                    "Codec": codec.name,
                    "DurationMillis": Timecode(detector.frames, rate).to_millis(),
                    "Format": container.format.long_name,
                    "FrameRate": _float32(float(rate)),
                    "FrameHeight": stream.height,
                    "FrameWidth": stream.width,
                    "ColorRange": (VideoColorRange.FULL if full_range else VideoColorRange.LIMITED).value,
                }
            ],
            "AudioMetadata": [_audio_metadata(audio) for audio in container.streams.audio],
        }
        if not metadata["AudioMetadata"]:
            del metadata["AudioMetadata"]
        return detector, rate, metadata


def _expected_frames(container: Any, stream: Any, rate: FrameRate) -> int | None:
    """Frames the file says its video stream holds, or ``None`` when it does not say."""
    if stream.frames:
        return int(stream.frames)
    seconds: Fraction | None = None
    if stream.duration is not None and stream.time_base is not None:
        seconds = Fraction(stream.duration * stream.time_base)
    elif _DURATION_TAG.fullmatch(stream.metadata.get("DURATION", "")):
        # Matroska keeps each stream's length in a tag: HH:MM:SS.fraction.
        h, m, sec = stream.metadata["DURATION"].split(":")
        seconds = 3600 * int(h) + 60 * int(m) + Fraction(sec)
    elif container.duration is not None and len(container.streams) == 1:
        seconds = Fraction(container.duration, 1_000_000)
    return None if seconds is None else int(seconds * rate.fraction)


def _audio_metadata(stream: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Codec": stream.codec_context.name}
    if stream.duration is not None and stream.time_base is not None:
        out["DurationMillis"] = int(stream.duration * stream.time_base * 1000)
    if stream.sample_rate:
        out["SampleRate"] = int(stream.sample_rate)
    if stream.channels:
        out["NumberOfChannels"] = int(stream.channels)
    return out
