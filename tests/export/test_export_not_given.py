"""`export.write` tells an option left out from one given with its default value."""

from __future__ import annotations

import io
from typing import Any

import pytest

from rekseg import ValidationError, export
from rekseg.testing import synthetic_result

RESULT = synthetic_result(shots=12, seed=3)


@pytest.mark.parametrize(
    ("fmt", "option", "value"),
    [
        ("vtt", "reel", export.DEFAULT_REEL),
        ("json", "events", "shots"),
        ("csv", "title", None),
        ("ffmetadata", "start_timecode", None),
        ("otio", "reel", "AX"),
    ],
)
def test_an_unused_option_given_its_default_value_is_refused(fmt: str, option: str, value: Any) -> None:
    """Giving an option the format does not use raises even when the value equals the default, None included."""
    out = io.StringIO()
    with pytest.raises(ValidationError, match=f"does not apply to the {fmt} format") as info:
        export.write(RESULT, fmt, out, **{option: value})
    assert info.value.field == option
    assert out.getvalue() == ""


def test_options_left_out_give_the_defaults() -> None:
    """An EDL written with no options equals one written with every default spelled out."""
    bare, spelled = io.StringIO(), io.StringIO()
    export.write(RESULT, "edl", bare)
    export.write(RESULT, "edl", spelled, events="shots", start_timecode=None, reel=export.DEFAULT_REEL, title=None)
    assert bare.getvalue() == spelled.getvalue()
    assert "AX" in bare.getvalue()


def test_not_given_is_its_own_value() -> None:
    """NOT_GIVEN is a single named marker, not None nor any default, and passing it means "left out"."""
    assert export.NOT_GIVEN is not None
    assert repr(export.NOT_GIVEN) == "NOT_GIVEN"
    out = io.StringIO()
    export.write(RESULT, "vtt", out, reel=export.NOT_GIVEN)
    assert out.getvalue().startswith("WEBVTT")
