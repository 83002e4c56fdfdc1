"""The service's enumerations, open to values added after this release."""

from __future__ import annotations

import enum

__all__ = ["JobStatus", "SegmentType", "TechnicalCueType", "VideoColorRange"]


class _OpenEnum(str, enum.Enum):
    """A str enum that keeps values it does not know instead of failing.

    The service adds values over time (the model has seven technical cue types where the developer guide
    lists three), so ``TechnicalCueType("NewCue")`` returns a member whose ``value`` is ``"NewCue"``, which
    compares equal to that string and round-trips unchanged. ``is_known`` tells the two apart.
    """

    @classmethod
    def _missing_(cls, value: object) -> _OpenEnum | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        # Cache it so the same unknown value is always the same object.
        cls._value2member_map_.setdefault(value, member)
        return cls._value2member_map_[value]  # type: ignore[return-value]

    @property
    def is_known(self) -> bool:
        """Whether this value is one this release of rekseg knows."""
        return self._name_ in type(self).__members__

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        if self.is_known:
            return f"{type(self).__name__}.{self._name_}"
        return f"{type(self).__name__}({self.value!r})"


class JobStatus(_OpenEnum):
    """Status of a segment detection job (``VideoJobStatus``)."""

    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class SegmentType(_OpenEnum):
    """Kind of segment: a shot, or a technical cue."""

    TECHNICAL_CUE = "TECHNICAL_CUE"
    SHOT = "SHOT"


class TechnicalCueType(_OpenEnum):
    """Kind of technical cue."""

    COLOR_BARS = "ColorBars"
    END_CREDITS = "EndCredits"
    BLACK_FRAMES = "BlackFrames"
    OPENING_CREDITS = "OpeningCredits"
    STUDIO_LOGO = "StudioLogo"
    SLATE = "Slate"
    CONTENT = "Content"


class VideoColorRange(_OpenEnum):
    """Color range of the video: full (0-255) or limited (16-235)."""

    FULL = "FULL"
    LIMITED = "LIMITED"
