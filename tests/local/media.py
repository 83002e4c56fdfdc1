"""Encode short test videos with known structure (PyAV): colour bars, black runs, moving textures."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av

BARS_RGB = (
    (191, 191, 191),
    (191, 191, 0),
    (0, 191, 191),
    (0, 191, 0),
    (191, 0, 191),
    (191, 0, 0),
    (0, 0, 191),
)

# A piece of a clip: ("bars", frames), ("black", frames), ("gray", frames, level),
# ("box", frames, side: a white square on black) or ("texture", frames, seed).
Piece = tuple[str, int] | tuple[str, int, int]


def _bars(width: int, height: int) -> bytes:
    top = int(height * 0.67)
    row = b"".join(bytes(BARS_RGB[min(6, x * 7 // width)]) for x in range(width))
    bottom = bytes((16, 16, 16)) * width
    return row * top + bottom * (height - top)


def _texture_line(width: int, height: int, seed: int) -> tuple[bytes, int]:
    """A smooth diagonal stripe pattern in a colour of its own; rows are slices of one long line."""
    period = 24 + 8 * (seed % 4)
    base = ((seed * 73) % 200 + 30, (seed * 151) % 200 + 30, (seed * 37) % 200 + 30)
    length = width + height + 2 * period
    line = bytearray()
    for x in range(length):
        phase = 2 * math.pi * x / period
        for ch in range(3):
            value = base[ch] + 45 * math.sin(phase + ch * 2.1 + seed)
            line.append(max(0, min(255, int(value))))
    return bytes(line), period


def encode(
    path: Path,
    pieces: Sequence[Piece],
    rate: Fraction | int,
    *,
    width: int = 160,
    height: int = 90,
    codec: str = "libx264",
    audio: bool = False,
) -> Path:
    """Write a video of ``pieces`` at ``rate``; texture pieces scroll two pixels a frame."""
    black = bytes(width * height * 3)
    bars = _bars(width, height)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=Fraction(rate))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if codec == "libx264":
            stream.options = {"crf": "12", "preset": "ultrafast"}
        audio_stream = container.add_stream("aac", rate=48000) if audio else None
        index = 0
        for piece in pieces:
            kind, frames = piece[0], piece[1]
            texture = _texture_line(width, height, piece[2]) if kind == "texture" and len(piece) == 3 else None
            for t in range(frames):
                if texture is not None:
                    line, period = texture
                    shift = (2 * t) % period
                    data = b"".join(line[3 * (shift + y) : 3 * (shift + y + width)] for y in range(height))
                elif kind == "box" and len(piece) == 3:
                    side = piece[2]
                    row = bytes(3 * 16) + b"\xff" * (3 * side) + bytes(3 * (width - 16 - side))
                    data = bytes(3 * width * 16) + row * side + bytes(3 * width * (height - 16 - side))
                elif kind == "gray" and len(piece) == 3:
                    data = bytes((piece[2],)) * (width * height * 3)
                else:
                    data = bars if kind == "bars" else black
                frame = av.VideoFrame(width, height, "rgb24")
                frame.planes[0].update(data)
                frame.pts = index
                frame.time_base = 1 / Fraction(rate)
                index += 1
                container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
        if audio_stream is not None:
            samples = int(index / rate * 48000)
            chunk = 1024
            for start in range(0, samples, chunk):
                a = av.AudioFrame(format="fltp", layout="stereo", samples=chunk)
                for plane in a.planes:
                    plane.update(bytes(chunk * 4))
                a.sample_rate = 48000
                a.pts = start
                container.mux(audio_stream.encode(a))
            container.mux(audio_stream.encode(None))
    return path


def encode_audio_only(path: Path, seconds: int = 1) -> Path:
    """Write a file holding one silent AAC stream and no video."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=48000)
        chunk = 1024
        for start in range(0, 48000 * seconds, chunk):
            frame = av.AudioFrame(format="fltp", layout="stereo", samples=chunk)
            for plane in frame.planes:
                plane.update(bytes(chunk * 4))
            frame.sample_rate = 48000
            frame.pts = start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path
