"""Hypothesis strategies built from botocore's service model, so tests follow the real wire shapes.

`response_dicts` walks the ``GetSegmentDetection`` output shape recursively: a structure becomes a dict
holding a random subset of its members, a list a short list, an enum string one of the model's values or
a value the model does not know yet, a long an integer within the model's bounds, a float a finite float
within them, and a constrained string one that meets the model's length and pattern. Nothing is written
out by hand, so a member botocore adds shows up in the tests the day botocore ships it.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import botocore.model
import botocore.session
from hypothesis import strategies as st

__all__ = ["output_shape", "response_dicts", "shape_values", "unknown_enum_values"]

# The wire's longs are signed 64-bit integers.
_LONG_MIN = -(2**63)
_LONG_MAX = 2**63 - 1
# Keep generated lists and free text small: size adds run time, not coverage.
_MAX_LIST = 4
_MAX_TEXT = 20


@functools.cache
def output_shape() -> botocore.model.StructureShape:
    """Return botocore's ``GetSegmentDetection`` output shape."""
    model = botocore.session.get_session().get_service_model("rekognition")
    shape = model.operation_model("GetSegmentDetection").output_shape
    assert isinstance(shape, botocore.model.StructureShape)
    return shape


def unknown_enum_values(known: list[str]) -> st.SearchStrategy[str]:
    """Strings the enum does not list: what the service sends once it adds a value."""
    made_up = st.sampled_from(["NewCue", "FutureType", "PAUSED", "HDR10", "Intermission"])
    return st.one_of(made_up, st.text(max_size=_MAX_TEXT)).filter(lambda v: v not in known)


def _string(shape: botocore.model.Shape) -> st.SearchStrategy[Any]:
    enum = list(getattr(shape, "enum", None) or [])
    if enum:
        return st.one_of(st.sampled_from(enum), unknown_enum_values(enum))
    meta = shape.metadata
    low = int(meta.get("min", 0))
    high = int(meta.get("max", _MAX_TEXT))
    pattern = meta.get("pattern")
    if pattern is None:
        return st.text(min_size=low, max_size=min(high, max(low, _MAX_TEXT)))
    return (
        st.from_regex(pattern, fullmatch=True)
        .map(lambda s: s[: min(high, max(low, _MAX_TEXT))])
        .filter(lambda s: low <= len(s) <= high)
    )


def _number(shape: botocore.model.Shape) -> st.SearchStrategy[Any]:
    meta = shape.metadata
    if shape.type_name in ("long", "integer"):
        return st.integers(min_value=meta.get("min", _LONG_MIN), max_value=meta.get("max", _LONG_MAX))
    # JSON has no NaN or infinity, so the service cannot send them.
    return st.floats(
        min_value=meta.get("min", -sys.float_info.max),
        max_value=meta.get("max", sys.float_info.max),
        allow_nan=False,
        allow_infinity=False,
    )


def shape_values(shape: botocore.model.Shape, *, exclude: frozenset[str] = frozenset()) -> st.SearchStrategy[Any]:
    """Return a strategy for valid wire values of ``shape``, leaving out the members named in ``exclude``."""
    if isinstance(shape, botocore.model.StructureShape):
        members = {name: shape_values(member) for name, member in shape.members.items() if name not in exclude}
        return st.fixed_dictionaries({}, optional=members)
    if isinstance(shape, botocore.model.ListShape):
        return st.lists(shape_values(shape.member), max_size=_MAX_LIST)
    if shape.type_name == "string":
        return _string(shape)
    if shape.type_name in ("long", "integer", "float", "double"):
        return _number(shape)
    if shape.type_name == "boolean":
        return st.booleans()
    raise NotImplementedError(f"no strategy for shape type {shape.type_name!r} ({shape.name})")


def response_dicts(*, with_next_token: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Valid GetSegmentDetection response dicts; ``with_next_token=False`` for a whole (last) result."""
    exclude = frozenset() if with_next_token else frozenset({"NextToken"})
    return shape_values(output_shape(), exclude=exclude)
