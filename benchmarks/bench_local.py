"""Frames per second of `rekseg.local.detect_file` on a 1080p clip, next to PySceneDetect and ffmpeg on the same file.

The clip is encoded here (PyAV, H.264): moving textures with hard cuts and a black run, 1920x1080 at 25 fps.
Baselines, each where installed, timed on the same file in the same run: PySceneDetect's own ``detect()`` with its
``ContentDetector`` (extra ``scenedetect``), and ``ffmpeg -vf scdet,blackdetect -f null -``. Memory: the peak of
Python allocations while detecting a clip twice as long must not grow by more than `TARGET_GROWTH_MIB`: frames
are streamed, never held.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from benchmarks._harness import Result, is_quick, peak_rss_bytes, ratio, traced_peak

TARGET_GROWTH_MIB = 1.0
TARGET_RSS_GROWTH_MIB = 16.0
"""A few decoded 1080p frames: what a decoder may keep around, never a share of the video."""


def encode_clip(path: Path, *, width: int, height: int, frames: int) -> Path:
    """Write ``frames`` frames of scrolling textures, a cut every 50 frames and 10 black frames in the middle."""
    import av

    lines = []
    for seed in range(max(1, frames // 50 + 1)):
        period = 40 + 8 * seed
        line = bytearray()
        for x in range(width + height + 2 * period):
            for ch in range(3):
                value = 120 + 80 * math.sin(2 * math.pi * x / period + ch * 2.1 + seed)
                line.append(max(0, min(255, int(value))))
        lines.append((bytes(line), period))
    black = bytes(width * height * 3)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(25))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "20"}
        for index in range(frames):
            if frames // 2 <= index < frames // 2 + 10:
                data = black
            else:
                texture, period = lines[index // 50]
                shift = (4 * index) % period
                data = b"".join(texture[3 * (shift + y) : 3 * (shift + y + width)] for y in range(height))
            frame = av.VideoFrame(width, height, "rgb24")
            frame.planes[0].update(data)
            frame.pts = index
            frame.time_base = Fraction(1, 25)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _fps(frames: int, seconds: float) -> float:
    return frames / seconds if seconds > 0 else math.inf


def _time(func: object) -> float:
    assert callable(func)
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def run(quick: bool | None = None) -> list[Result]:
    """Detect a 1080p clip (320x180 in quick mode) and report frames per second, ratios and memory growth."""
    from rekseg.local import detect_file

    quick = is_quick(quick)
    width, height, frames = (320, 180, 40) if quick else (1920, 1080, 300)
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder:
        clip = encode_clip(Path(folder) / "clip.mp4", width=width, height=height, frames=frames)
        longer = encode_clip(Path(folder) / "longer.mp4", width=width // 2, height=height // 2, frames=2 * frames)
        shorter = encode_clip(Path(folder) / "shorter.mp4", width=width // 2, height=height // 2, frames=frames)
        ours = _time(lambda: detect_file(clip))
        size = f"{width}x{height}, {frames} frames"
        results.append(Result.at_most("local: rekseg detect_file", _fps(frames, ours), None, "frames/s", size))

        try:
            import scenedetect  # type: ignore[import-not-found,import-untyped,unused-ignore]
        except ImportError:
            scenedetect = None
        if scenedetect is not None:
            theirs = _time(lambda: scenedetect.detect(str(clip), scenedetect.ContentDetector()))
            fps = _fps(frames, theirs)
            results.append(Result.at_most("local: PySceneDetect detect()", fps, None, "frames/s", "ContentDetector"))
            results.append(
                Result.at_most("local: time rekseg / PySceneDetect", ratio(ours, theirs), None, "x", "report only")
            )
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is not None:
            command = [ffmpeg, "-v", "error", "-i", str(clip), "-vf", "scdet,blackdetect", "-f", "null", "-"]
            theirs = _time(lambda: subprocess.run(command, check=True, capture_output=True, timeout=600))
            results.append(Result.at_most("local: ffmpeg scdet,blackdetect", _fps(frames, theirs), None, "frames/s"))
            results.append(Result.at_most("local: time rekseg / ffmpeg", ratio(ours, theirs), None, "x", "report only"))

        _, short_peak = traced_peak(lambda: detect_file(shorter))
        rss_after_short = peak_rss_bytes()
        _, long_peak = traced_peak(lambda: detect_file(longer))
        rss_after_long = peak_rss_bytes()
        growth = max(0, long_peak - short_peak) / 2**20
        results.append(
            Result.at_most(
                "local: memory growth, 2x the frames", growth, TARGET_GROWTH_MIB, "MiB", "peak of Python allocations"
            )
        )
        # The decoder's own (C) buffers do not show in Python's allocations: the process's peak RSS covers them.
        rss_growth = max(0, rss_after_long - rss_after_short) / 2**20
        results.append(
            Result.at_most(
                "local: peak RSS growth, 2x the frames",
                rss_growth,
                TARGET_RSS_GROWTH_MIB,
                "MiB",
                "whole process, decoder too",
            )
        )
    return results
