"""Pages and results: `SegmentDetectionPage`, `SegmentDetectionResult`, their shared views and their wire form.

A page is one GetSegmentDetection response; a result is every page of a job merged. Both are built from the
leaf models of `rekseg._models` with the codecs of `rekseg._wire`, and a result's analysis methods call
`rekseg._analysis`, which names these classes only for type checking: so this module imports both at the top
and nothing imports it back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import attrs
from typing_extensions import Self

from ._analysis import (
    DEFAULT_AD_BREAK_SPACING,
    AdBreakCandidate,
    BingeMarkers,
    CueOverlap,
    ProgramStructure,
    RepresentativeFrame,
    ShotStatistics,
    ad_break_candidates,
    binge_markers,
    cue_overlaps,
    filter_result,
    program_structure,
    representative_frames,
    shot_statistics,
)
from ._enums import JobStatus, SegmentType, TechnicalCueType
from ._exceptions import ValidationError
from ._models import AudioMetadata, Segment, SegmentTypeInfo, Video, VideoMetadata, _put
from ._timecode import FrameRate, FrameRateLike, Timecode
from ._wire import (
    ResponseDict,
    audio_metadata_list_from_wire,
    audio_metadata_to_wire,
    check_page_shape,
    job_status_from_wire,
    segment_to_wire,
    segment_type_info_to_wire,
    segment_type_infos_from_wire,
    segments_from_wire,
    video_from_wire,
    video_metadata_list_from_wire,
    video_metadata_to_wire,
    video_to_wire,
)

__all__ = [
    "SegmentDetectionPage",
    "SegmentDetectionResult",
    "merge_pages",
    "page_from_wire",
    "page_to_wire",
    "rate_of",
    "result_to_wire",
]


def _chronological_key(segment: Segment) -> tuple[bool, int]:
    start = segment.start_timestamp_millis
    return (start is None, start or 0)


class _ResultViews:
    """Everyday views shared by a page and a whole result."""

    # Empty slots keep the attrs subclasses slotted: without them every page would carry a __dict__.
    __slots__ = ()

    segments: tuple[Segment, ...] | None
    video_metadata: tuple[VideoMetadata, ...] | None

    @property
    def frame_rate(self) -> FrameRate | None:
        """The video's exact frame rate: from the first `VideoMetadata`, else the one given with `with_frame_rate`.

        ``None`` if the service reported none (or an unusable 0) and none was given.
        """
        reported = rate_of(self.video_metadata)
        if reported is not None:
            return reported
        segments = self.segments
        return segments[0].frame_rate if segments else None

    def with_frame_rate(self, rate: FrameRateLike) -> Self:
        """Return a copy whose every segment knows the video's frame rate, for responses saved without one.

        Fragments and old pipelines often save responses without ``VideoMetadata``; nothing frame-exact
        (analysis, EDL, chapters, timelines) can be computed without the rate. The rate is not written into
        the response: `to_response` still returns what the service sent.

        Args:
            rate: The video's frame rate: a `FrameRate`, ``"30000/1001"``, ``29.97``, ``25``...

        Raises:
            ValidationError: ``rate`` is not a frame rate, it differs from the rate ``VideoMetadata``
                reports, or the segments are labelled drop-frame (``;``) and drop-frame does not exist at it.
        """
        fps = FrameRate.coerce(rate)
        reported = rate_of(self.video_metadata)
        if reported is not None and reported != fps:
            raise ValidationError("frame_rate", f"must match the rate VideoMetadata reports ({reported!r})", fps)
        segments = self.segments
        if segments is None:
            return self
        if not fps.supports_drop_frame and any(s.drop_frame for s in segments):
            raise ValidationError("frame_rate", "must be 29.97 or 59.94: the segments are labelled drop-frame (;)", fps)
        filled = tuple(s if s.frame_rate == fps else attrs.evolve(s, frame_rate=fps) for s in segments)
        return attrs.evolve(self, segments=filled)  # type: ignore[misc]

    @property
    def shots(self) -> tuple[Segment, ...]:
        """The shots, in the service's order."""
        return tuple(s for s in self.segments or () if s.type == SegmentType.SHOT)

    @property
    def technical_cues(self) -> tuple[Segment, ...]:
        """The technical cues, in the service's order."""
        return tuple(s for s in self.segments or () if s.type == SegmentType.TECHNICAL_CUE)

    def chronological(self) -> tuple[Segment, ...]:
        """All segments ordered by start time (stable: ties keep the service's order).

        The service sorts by segment type first, so with both types requested its order is not
        chronological.
        """
        return tuple(sorted(self.segments or (), key=_chronological_key))


@attrs.frozen(kw_only=True)
class SegmentDetectionPage(_ResultViews):
    """One GetSegmentDetection response.

    Attributes:
        job_status: The job's status when the page was fetched.
        status_message: Why the job failed, if it did.
        video_metadata: Facts about the picture (sent on every page).
        audio_metadata: Facts about the audio streams (sent on every page).
        next_token: Token for the next page; ``None`` (or empty) on the last page.
        segments: This page's segments in the service's order.
        selected_segment_types: The segment types the job detected, with model versions.
        job_id: The job.
        video: The analysed video.
        job_tag: The tag given at start.
    """

    job_status: JobStatus | None = None
    status_message: str | None = None
    video_metadata: tuple[VideoMetadata, ...] | None = None
    audio_metadata: tuple[AudioMetadata, ...] | None = None
    next_token: str | None = None
    segments: tuple[Segment, ...] | None = None
    selected_segment_types: tuple[SegmentTypeInfo, ...] | None = None
    job_id: str | None = None
    video: Video | None = None
    job_tag: str | None = None

    @property
    def has_more(self) -> bool:
        """Whether another page follows (an empty-string token ends paging, like an absent one)."""
        return bool(self.next_token)

    @classmethod
    def from_response(cls, response: Mapping[str, Any]) -> SegmentDetectionPage:
        """Build a page from a GetSegmentDetection response dict (``ResponseMetadata`` is ignored)."""
        return page_from_wire(response)

    def to_response(self) -> ResponseDict:
        """Return the page as the response dict it came from."""
        return page_to_wire(self)


@attrs.frozen(kw_only=True)
class SegmentDetectionResult(_ResultViews):
    """A whole job's result: every page merged.

    Video and audio metadata appear once; segments keep the service's order across pages.

    Attributes:
        job_status: The job's status.
        status_message: Why the job failed, if it did.
        video_metadata: Facts about the picture.
        audio_metadata: Facts about the audio streams.
        segments: Every segment in the service's order (by type in requested order, then by start).
        selected_segment_types: The segment types the job detected, with model versions.
        job_id: The job.
        video: The analysed video.
        job_tag: The tag given at start.
        next_token: ``None`` for a whole result. Set only on a partial one, merged by
            ``from_pages(..., allow_partial=True)`` from pages that stop early: the token the rest starts at.
    """

    job_status: JobStatus | None = None
    status_message: str | None = None
    video_metadata: tuple[VideoMetadata, ...] | None = None
    audio_metadata: tuple[AudioMetadata, ...] | None = None
    segments: tuple[Segment, ...] | None = None
    selected_segment_types: tuple[SegmentTypeInfo, ...] | None = None
    job_id: str | None = None
    video: Video | None = None
    job_tag: str | None = None
    next_token: str | None = None

    @property
    def has_more(self) -> bool:
        """Whether this is a partial result: more pages follow its last one (see `next_token`)."""
        return bool(self.next_token)

    @classmethod
    def from_response(cls, response: Mapping[str, Any]) -> SegmentDetectionResult:
        """Build a result from one complete GetSegmentDetection response dict.

        Raises:
            ValidationError: The response has a ``NextToken``: it is one page of several; use
                `from_pages` (or `rekseg.Client.get`) so no segment is lost.
        """
        if response.get("NextToken"):
            raise ValidationError(
                "NextToken",
                "is set, so this response is one page of several: use SegmentDetectionResult.from_pages()",
                response["NextToken"],
            )
        return cls.from_pages([response])

    @classmethod
    def from_pages(
        cls, pages: Iterable[SegmentDetectionPage | Mapping[str, Any]], *, allow_partial: bool = False
    ) -> SegmentDetectionResult:
        """Merge pages (models or response dicts) into one result, in the order given.

        Args:
            pages: The pages, first to last.
            allow_partial: Accept a last page that still carries a ``NextToken``; the result then keeps that
                token in `next_token` and says `has_more`.

        Raises:
            ValidationError: No pages; or the last page carries a ``NextToken`` (more pages follow, so the
                result would look whole but lack their segments) and ``allow_partial`` is not set.
        """
        last: list[SegmentDetectionPage] = []

        def models() -> Iterable[SegmentDetectionPage]:
            for page in pages:
                model = page if isinstance(page, SegmentDetectionPage) else SegmentDetectionPage.from_response(page)
                last[:] = [model]
                yield model

        result = merge_pages(models())
        token = last[0].next_token if last else None
        if not token:
            return result
        if not allow_partial:
            raise ValidationError(
                "pages",
                "end with a page that carries a NextToken, so more pages follow and their segments would be "
                "missing: pass every page, or allow_partial=True to accept (and flag) a partial result",
                token,
            )
        return attrs.evolve(result, next_token=token)

    def to_response(self) -> ResponseDict:
        """Return the result as a single GetSegmentDetection response dict (``NextToken`` only if partial)."""
        return result_to_wire(self)

    def to_pages(self, page_size: int = 1000) -> Sequence[SegmentDetectionPage]:
        """Split the result into pages of ``page_size`` segments, as the service would send them.

        Tokens are left ``None``: whoever serves the pages issues them. A partial result's last page keeps its
        `next_token`.
        """
        if page_size < 1:
            raise ValidationError("page_size", "must be at least 1", page_size)
        segments = self.segments or ()
        chunks: list[tuple[Segment, ...] | None] = [
            segments[i : i + page_size] for i in range(0, len(segments), page_size)
        ] or [self.segments]
        last = len(chunks) - 1
        return [
            SegmentDetectionPage(
                next_token=self.next_token if number == last else None,
                job_status=self.job_status,
                status_message=self.status_message,
                video_metadata=self.video_metadata,
                audio_metadata=self.audio_metadata,
                segments=chunk,
                selected_segment_types=self.selected_segment_types,
                job_id=self.job_id,
                video=self.video,
                job_tag=self.job_tag,
            )
            for number, chunk in enumerate(chunks)
        ]

    # -- analysis (rekseg.analysis) --------------------------------------------------------------------------

    def filter(
        self,
        *,
        types: Iterable[SegmentType | str] | SegmentType | str | None = None,
        cue_types: Iterable[TechnicalCueType | str] | TechnicalCueType | str | None = None,
        min_confidence: float | None = None,
        start: Timecode | timedelta | None = None,
        end: Timecode | timedelta | None = None,
    ) -> SegmentDetectionResult:
        """Return a copy keeping only the segments that pass every given test (`rekseg.analysis.filter_result`)."""
        return filter_result(
            self, types=types, cue_types=cue_types, min_confidence=min_confidence, start=start, end=end
        )

    def program(self) -> ProgramStructure:
        """Find the program's content ranges, runtime and trim range (`rekseg.analysis.program_structure`)."""
        return program_structure(self)

    def binge_markers(self) -> BingeMarkers:
        """Find the intro to skip and the next-episode point (`rekseg.analysis.binge_markers`)."""
        return binge_markers(self)

    def ad_breaks(
        self,
        *,
        start: Timecode | timedelta | None = None,
        end: Timecode | timedelta | None = None,
        min_spacing: timedelta | None = None,
    ) -> tuple[AdBreakCandidate, ...]:
        """Propose ad-break points inside the program (`rekseg.analysis.ad_break_candidates`).

        ``min_spacing`` defaults to `rekseg.analysis.DEFAULT_AD_BREAK_SPACING` (two minutes).
        """
        spacing = DEFAULT_AD_BREAK_SPACING if min_spacing is None else min_spacing
        return ad_break_candidates(self, start=start, end=end, min_spacing=spacing)

    def shot_statistics(self) -> ShotStatistics:
        """Count the shots and measure their lengths (`rekseg.analysis.shot_statistics`)."""
        return shot_statistics(self)

    def representative_frames(self) -> tuple[RepresentativeFrame, ...]:
        """Return each shot's middle frame, for thumbnails (`rekseg.analysis.representative_frames`)."""
        return representative_frames(self)

    def cue_overlaps(self) -> tuple[CueOverlap, ...]:
        """For each technical cue, find the shots it overlaps (`rekseg.analysis.cue_overlaps`)."""
        return cue_overlaps(self)


# -- wire form ---------------------------------------------------------------------------------------------


def rate_of(video_metadata: tuple[VideoMetadata, ...] | None) -> FrameRate | None:
    """Return the exact rate of the first usable ``FrameRate`` in the metadata, or ``None``.

    A rate the service reports as 0 (or otherwise unusable) is skipped rather than raised: reading a
    response must never fail on the service's own numbers; timecode views then say the rate is unknown.
    """
    for meta in video_metadata or ():
        if meta.frame_rate is not None:
            try:
                return FrameRate.from_float(meta.frame_rate)
            except ValidationError:
                continue
    return None


def page_from_wire(d: Mapping[str, Any]) -> SegmentDetectionPage:
    """Build a `SegmentDetectionPage` from a GetSegmentDetection response dict.

    Raises:
        ValidationError: A member has the wrong JSON type; the error names its path.
    """
    get = check_page_shape(d).get
    video_metadata = video_metadata_list_from_wire(get("VideoMetadata"))
    return SegmentDetectionPage(
        job_status=job_status_from_wire(get("JobStatus")),
        status_message=get("StatusMessage"),
        video_metadata=video_metadata,
        audio_metadata=audio_metadata_list_from_wire(get("AudioMetadata")),
        next_token=get("NextToken"),
        segments=segments_from_wire(get("Segments"), rate_of(video_metadata)),
        selected_segment_types=segment_type_infos_from_wire(get("SelectedSegmentTypes")),
        job_id=get("JobId"),
        video=video_from_wire(get("Video")),
        job_tag=get("JobTag"),
    )


def _common_to_wire(
    out: dict[str, Any], item: SegmentDetectionPage | SegmentDetectionResult, next_token: str | None
) -> dict[str, Any]:
    if item.job_status is not None:
        out["JobStatus"] = item.job_status.value
    _put(out, "StatusMessage", item.status_message)
    if item.video_metadata is not None:
        out["VideoMetadata"] = [video_metadata_to_wire(m) for m in item.video_metadata]
    if item.audio_metadata is not None:
        out["AudioMetadata"] = [audio_metadata_to_wire(m) for m in item.audio_metadata]
    _put(out, "NextToken", next_token)
    if item.segments is not None:
        out["Segments"] = [segment_to_wire(s) for s in item.segments]
    if item.selected_segment_types is not None:
        out["SelectedSegmentTypes"] = [segment_type_info_to_wire(t) for t in item.selected_segment_types]
    _put(out, "JobId", item.job_id)
    if item.video is not None:
        out["Video"] = video_to_wire(item.video)
    _put(out, "JobTag", item.job_tag)
    return out


def page_to_wire(page: SegmentDetectionPage) -> dict[str, Any]:
    """Return a page as its GetSegmentDetection response dict."""
    return _common_to_wire({}, page, page.next_token)


def result_to_wire(result: SegmentDetectionResult) -> dict[str, Any]:
    """Return a result as one GetSegmentDetection response dict; ``NextToken`` only on a partial result."""
    return _common_to_wire({}, result, result.next_token)


def merge_pages(pages: Iterable[SegmentDetectionPage]) -> SegmentDetectionResult:
    """Merge pages into one result: metadata and job fields from the first page, segments from all, in order.

    Raises:
        ValidationError: There are no pages.
    """
    first: SegmentDetectionPage | None = None
    segments: list[Segment] | None = None
    for page in pages:
        if first is None:
            first = page
        if page.segments is not None:
            if segments is None:
                segments = []
            segments.extend(page.segments)
    if first is None:
        raise ValidationError("pages", "must hold at least one page", [])
    return SegmentDetectionResult(
        job_status=first.job_status,
        status_message=first.status_message,
        video_metadata=first.video_metadata,
        audio_metadata=first.audio_metadata,
        segments=None if segments is None else tuple(segments),
        selected_segment_types=first.selected_segment_types,
        job_id=first.job_id,
        video=first.video,
        job_tag=first.job_tag,
    )
