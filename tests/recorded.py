"""Responses shaped like recorded service output, for the tests of real-response handling.

What recorded responses show (see rekognition-facts.md, "What recorded responses show"): every number agrees
with exact SMPTE arithmetic at 24, 25 and 29.97 drop-frame; adjacent technical cues share their boundary frame
while adjacent shots do not; shots may leave frames uncovered between them; model 1.0 responses carry no frame
numbers; saved fragments often lack VideoMetadata.
"""

from __future__ import annotations

import struct
from typing import Any

from rekseg import FrameRate, Timecode


def float32(value: float) -> float:
    """The rate as the service reports it: a 32-bit float (30000/1001 arrives as 29.970029830932617)."""
    result: float = struct.unpack("<f", struct.pack("<f", value))[0]
    return result


def position(first: int, last: int, rate: FrameRate, *, drop: bool = False, numbers: bool = True) -> dict[str, Any]:
    """Position fields of a segment on frames ``first`` to ``last`` (inclusive), as the service sends them."""
    start, end = Timecode(first, rate, drop), Timecode(last, rate, drop)
    fields: dict[str, Any] = {
        "StartTimestampMillis": start.to_millis(),
        "EndTimestampMillis": end.to_millis(),
        "DurationMillis": end.to_millis() - start.to_millis(),
        "StartTimecodeSMPTE": str(start),
        "EndTimecodeSMPTE": str(end),
        "DurationSMPTE": str(Timecode(last - first, rate, drop)),
    }
    if numbers:
        fields.update({"StartFrameNumber": first, "EndFrameNumber": last, "DurationFrames": last - first})
    return fields


def cue(kind: str, first: int, last: int, rate: FrameRate, *, drop: bool = False, confidence: float = 90.0) -> Any:
    """A technical cue segment."""
    return {
        "Type": "TECHNICAL_CUE",
        **position(first, last, rate, drop=drop),
        "TechnicalCueSegment": {"Type": kind, "Confidence": confidence},
    }


def shot(index: int, first: int, last: int, rate: FrameRate, *, drop: bool = False, confidence: float = 95.0) -> Any:
    """A shot segment."""
    return {
        "Type": "SHOT",
        **position(first, last, rate, drop=drop),
        "ShotSegment": {"Index": index, "Confidence": confidence},
    }


def response(segments: list[dict[str, Any]], rate: FrameRate | None, *, frames: int, job_id: str = "rec-1") -> Any:
    """A SUCCEEDED GetSegmentDetection response; ``rate=None`` leaves VideoMetadata out, like a saved fragment."""
    out: dict[str, Any] = {"JobStatus": "SUCCEEDED", "JobId": job_id, "Segments": segments}
    if rate is not None:
        out["VideoMetadata"] = [
            {
                "Codec": "h264",
                "DurationMillis": Timecode(frames, rate).to_millis(),
                "Format": "QuickTime / MOV",
                "FrameRate": float32(float(rate)),
                "FrameHeight": 1080,
                "FrameWidth": 1920,
                "ColorRange": "LIMITED",
            }
        ]
    return out


FPS24 = FrameRate(24)
FPS25 = FrameRate(25)
NTSC = FrameRate(30000, 1001)


def episode(rate: FrameRate = FPS24, *, drop: bool = False, metadata: bool = True) -> Any:
    """A 900-frame recorded episode: slate, logo, BlackFrames, two Content acts around black, end credits.

    Each technical cue starts on the last frame of the one before (299, 449, ...): together they read 906
    frames inclusively, over a file of 900. Shots do not share frames, and frames 446 to 449 belong to no shot.
    Both Content cues own 150 frames: 300-449 and 600-749.
    """
    segments = [
        cue("Slate", 0, 99, rate, drop=drop),
        cue("StudioLogo", 99, 199, rate, drop=drop),
        cue("BlackFrames", 199, 299, rate, drop=drop),
        cue("Content", 299, 449, rate, drop=drop, confidence=99.0),
        cue("BlackFrames", 449, 599, rate, drop=drop),
        cue("Content", 599, 749, rate, drop=drop, confidence=98.0),
        cue("EndCredits", 749, 899, rate, drop=drop),
        shot(0, 0, 299, rate, drop=drop),
        shot(1, 300, 445, rate, drop=drop),
        shot(2, 450, 599, rate, drop=drop),
        shot(3, 600, 749, rate, drop=drop),
        shot(4, 750, 899, rate, drop=drop),
    ]
    return response(segments, rate if metadata else None, frames=900)
