"""What a registered video contains, and the segments one job on it returns, rendered page by page."""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from .._enums import JobStatus, SegmentType
from .._results import SegmentDetectionResult, result_to_wire
from ._synthetic import MODEL_VERSIONS, Plan, SyntheticVideo

if TYPE_CHECKING:
    from ._media import MediaSource

__all__ = ["Selection", "StoredVideo", "SyntheticSource", "VideoContent", "VideoSource", "make_source"]

VideoContent: TypeAlias = "SegmentDetectionResult | Mapping[str, Any] | SyntheticVideo"
"""What `Emulator.add_video` takes: a result, a recorded response dict, or a synthetic video."""

_METADATA_KEYS = ("VideoMetadata", "AudioMetadata")


@attrs.frozen
class Selection:
    """The segments one job returns, in the service's order, rendered on demand.

    Attributes:
        header: ``VideoMetadata`` and ``AudioMetadata``, as every page carries them.
        count: Number of segments.
        render: Renders the segments at positions ``start`` to ``stop`` (exclusive) as wire dicts.
    """

    header: Mapping[str, Any]
    count: int
    render: Callable[[int, int], list[dict[str, Any]]]


def _confidence_of(segment: Mapping[str, Any]) -> float | None:
    detail = segment.get("ShotSegment") or segment.get("TechnicalCueSegment") or {}
    value = detail.get("Confidence")
    return value if isinstance(value, (int, float)) else None


def _start_of(segment: Mapping[str, Any]) -> tuple[int, int]:
    frame = segment.get("StartFrameNumber")
    millis = segment.get("StartTimestampMillis")
    return (millis if isinstance(millis, int) else 0, frame if isinstance(frame, int) else 0)


@attrs.frozen
class StoredVideo:
    """A video whose whole result is held: segments are serialised once at registration, then sliced.

    Attributes:
        header: The response's metadata.
        final_status: How jobs on it end: ``FAILED`` when the recorded response failed, else ``SUCCEEDED``.
        status_message: The recorded ``StatusMessage`` of a failed response.
        model_versions: ``ModelVersion`` by segment type, from the recorded ``SelectedSegmentTypes``.
        by_type: Segments of each type, sorted by start, with their confidence.
    """

    header: Mapping[str, Any]
    final_status: JobStatus
    status_message: str | None
    model_versions: Mapping[str, str]
    by_type: Mapping[str, Sequence[tuple[float | None, dict[str, Any]]]]

    @classmethod
    def from_response(cls, response: Mapping[str, Any], *, copy: bool = True) -> StoredVideo:
        """Take a response dict apart; it is copied unless told, so later changes to it do not leak in."""
        data: Mapping[str, Any] = json.loads(json.dumps(response)) if copy else response
        groups: dict[str, list[tuple[float | None, dict[str, Any]]]] = {}
        for segment in data.get("Segments") or ():
            groups.setdefault(str(segment.get("Type")), []).append((_confidence_of(segment), segment))
        for group in groups.values():
            group.sort(key=lambda item: _start_of(item[1]))
        versions = {
            str(info["Type"]): str(info["ModelVersion"])
            for info in data.get("SelectedSegmentTypes") or ()
            if "Type" in info and "ModelVersion" in info
        }
        failed = data.get("JobStatus") == JobStatus.FAILED.value
        return cls(
            header={key: data[key] for key in _METADATA_KEYS if key in data},
            final_status=JobStatus.FAILED if failed else JobStatus.SUCCEEDED,
            status_message=data.get("StatusMessage") if failed else None,
            model_versions=versions,
            by_type=groups,
        )

    def select(self, types: Sequence[SegmentType], thresholds: Mapping[SegmentType, float]) -> Selection:
        """Return the segments of ``types``, in that order, at or above each type's threshold."""
        chosen: list[dict[str, Any]] = []
        for kind in types:
            low = thresholds.get(kind)
            for confidence, segment in self.by_type.get(kind.value, ()):
                if low is None or confidence is None or confidence >= low:
                    chosen.append(segment)
        return Selection(header=self.header, count=len(chosen), render=lambda start, stop: chosen[start:stop])


@attrs.frozen
class SyntheticSource:
    """A synthetic video: segments are generated from its plan for each page and never all held."""

    spec: SyntheticVideo
    final_status: JobStatus = JobStatus.SUCCEEDED
    status_message: str | None = None

    @property
    def model_versions(self) -> Mapping[str, str]:
        """``ModelVersion`` by segment type."""
        return {kind.value: version for kind, version in MODEL_VERSIONS.items()}

    def select(self, types: Sequence[SegmentType], thresholds: Mapping[SegmentType, float]) -> Selection:
        """Return the segments of ``types`` the video holds, in that order, at or above each threshold."""
        kinds = [kind for kind in types if kind in self.spec.segment_types]
        if not kinds:
            return Selection(header=_metadata(self.spec.plan()), count=0, render=lambda start, stop: [])
        plan = attrs.evolve(self.spec, segment_types=kinds).plan()
        positions = _filtered_positions(plan, kinds, thresholds)
        if positions is None:
            return Selection(
                header=_metadata(plan), count=plan.count, render=lambda start, stop: list(plan.segments(start, stop))
            )
        segment = plan.segment
        return Selection(
            header=_metadata(plan),
            count=len(positions),
            render=lambda start, stop: [segment(p) for p in positions[start:stop]],
        )


def _metadata(plan: Plan) -> dict[str, Any]:
    header = plan.header()
    return {key: header[key] for key in _METADATA_KEYS}


def _filtered_positions(
    plan: Plan, kinds: Sequence[SegmentType], thresholds: Mapping[SegmentType, float]
) -> array[int] | None:
    """Positions of the segments passing the thresholds, or ``None`` when every segment passes.

    Only integers are kept, never segments: a filtered million-shot job costs 8 MB, not a million dicts.
    """
    confidences: list[Sequence[float]] = [
        [cue[3] for cue in plan.cues] if kind == SegmentType.TECHNICAL_CUE else plan.shot_confidences for kind in kinds
    ]
    lows = [thresholds.get(kind) for kind in kinds]
    if all(low is None or not values or min(values) >= low for low, values in zip(lows, confidences, strict=True)):
        return None
    positions = array("q")
    offset = 0
    for low, values in zip(lows, confidences, strict=True):
        if low is None:
            positions.extend(range(offset, offset + len(values)))
        else:
            positions.extend(offset + i for i, value in enumerate(values) if value >= low)
        offset += len(values)
    return positions


VideoSource: TypeAlias = "StoredVideo | SyntheticSource | MediaSource"


def make_source(content: VideoContent) -> VideoSource:
    """Turn what `Emulator.add_video` was given into something jobs can be served from."""
    if isinstance(content, SyntheticVideo):
        return SyntheticSource(spec=content)
    if isinstance(content, SegmentDetectionResult):
        return StoredVideo.from_response(result_to_wire(content), copy=False)
    if isinstance(content, Mapping):
        return StoredVideo.from_response(content)
    raise TypeError(
        f"a video's content must be a SegmentDetectionResult, a response dict or a SyntheticVideo, got {content!r}"
    )
