"""Clips for the local detection tests, encoded once per session (left out without PyAV)."""

from __future__ import annotations

import importlib.util
from fractions import Fraction
from pathlib import Path

import pytest

if importlib.util.find_spec("av") is None:
    # Without the local extra there is nothing to test here; CI installs it with the test extra.
    collect_ignore_glob = ["test_*.py"]
else:
    from .media import encode

NTSC_FILM = Fraction(24000, 1001)
NTSC = Fraction(30000, 1001)

# Structure of each clip: the pieces, then the first frame of every shot and the technical cues (shared ends).
CLIP_25 = [("bars", 50), ("black", 25), ("texture", 75, 1), ("texture", 75, 2), ("black", 25), ("texture", 100, 3)]
CLIP_25_SHOTS = [0, 50, 75, 150, 225, 250]
CLIP_25_CUES = [
    ("ColorBars", 0, 50),
    ("BlackFrames", 50, 75),
    ("Content", 75, 225),
    ("BlackFrames", 225, 250),
    ("Content", 250, 350),
]
CLIP_23976 = [("bars", 24), ("texture", 48, 4), ("texture", 31, 5), ("black", 12), ("texture", 60, 6)]
CLIP_23976_SHOTS = [0, 24, 72, 103, 115]
CLIP_23976_CUES = [("ColorBars", 0, 24), ("Content", 24, 103), ("BlackFrames", 103, 115), ("Content", 115, 175)]
# Past the first minute at 29.97 (frame 1798 is 00:01:00;02), on a tiny picture so it stays cheap.
CLIP_2997 = [("texture", 1000, 7), ("texture", 850, 8), ("texture", 100, 9), ("black", 20), ("texture", 50, 10)]
CLIP_2997_SHOTS = [0, 1000, 1850, 1950, 1970]
CLIP_2997_CUES = [("Content", 0, 1950), ("BlackFrames", 1950, 1970), ("Content", 1970, 2020)]


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three clips, by name: ``25``, ``23.976`` and ``29.97`` (drop-frame labels)."""
    root = tmp_path_factory.mktemp("clips")
    return {
        "25": encode(root / "clip25.mp4", CLIP_25, Fraction(25), audio=True),
        "23.976": encode(root / "clip23976.mp4", CLIP_23976, NTSC_FILM),
        "29.97": encode(root / "clip2997.mp4", CLIP_2997, NTSC, width=64, height=36),
    }
