"""`detect_file` on bad input: a `rekseg` error naming the file or the parameter, never a decoder traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rekseg import RekSegError, ValidationError
from rekseg.local import MediaError, detect_file

from .media import encode, encode_audio_only


def _media_error(path: Path) -> MediaError:
    with pytest.raises(MediaError) as info:
        detect_file(path)
    assert isinstance(info.value, RekSegError)
    assert info.value.path == str(path)
    assert str(path) in str(info.value)
    return info.value


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    """A path that does not exist raises MediaError 'no such file'."""
    assert _media_error(tmp_path / "absent.mp4").reason == "no such file"


def test_a_file_that_is_not_a_video_is_named(tmp_path: Path) -> None:
    """A text file raises MediaError saying it cannot be decoded, from the decoder's error."""
    path = tmp_path / "notes.mp4"
    path.write_text("these are not frames\n" * 50)
    error = _media_error(path)
    assert "cannot be decoded" in error.reason
    assert error.__cause__ is not None


def test_a_file_without_a_video_stream_is_named(tmp_path: Path) -> None:
    """An audio-only file raises MediaError 'has no video stream'."""
    path = encode_audio_only(tmp_path / "sound.m4a")
    assert _media_error(path).reason == "has no video stream"


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_a_truncated_file_is_named(tmp_path: Path, suffix: str) -> None:
    """A video cut off halfway raises MediaError (unreadable index, or fewer frames than it declares)."""
    whole = encode(tmp_path / f"whole{suffix}", [("texture", 60, 1), ("texture", 60, 2)], 25)
    data = whole.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    error = _media_error(cut)
    assert "truncated" in error.reason or "cannot be decoded" in error.reason


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"segment_types": []}, "segment_types"),
        ({"segment_types": ["FACE"]}, "segment_types"),
        ({"segment_types": ["SHOT", "SHOT"]}, "segment_types"),
        ({"shot_filter": {"MinSegmentConfidence": 60}}, "shot_filter"),
        ({"technical_cue_filter": 0.5}, "technical_cue_filter"),
        ({"progress": "yes"}, "progress"),
    ],
)
def test_bad_parameters_raise_before_the_file_is_opened(kwargs: dict[str, Any], field: str, tmp_path: Path) -> None:
    """Invalid parameters raise ValidationError naming the field, even for a file that does not exist."""
    with pytest.raises(ValidationError) as info:
        detect_file(tmp_path / "absent.mp4", **kwargs)
    assert info.value.field == field
