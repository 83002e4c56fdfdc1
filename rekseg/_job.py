"""A handle on one segment detection job."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

from ._enums import JobStatus, SegmentType
from ._flows.waiting import WaitProgress
from ._models import Segment, Video
from ._results import SegmentDetectionPage, SegmentDetectionResult
from ._validation import MAX_PAGE_SIZE, UNSET, TimeoutArg

if TYPE_CHECKING:
    from ._client import Client  # noqa: F401 -- named in a string: Job(JobHandle["Client"])
    from .notifications import Listener

__all__ = ["Job", "JobHandle"]


_C = TypeVar("_C")


class JobHandle(Generic[_C]):
    """What `Job` and `rekseg.aio.AsyncJob` share: a job's identity and the client that reads it."""

    _kind = "rekseg.Job"

    def __init__(
        self,
        client: _C,
        job_id: str,
        *,
        video: Video | None = None,
        job_tag: str | None = None,
        segment_types: tuple[SegmentType, ...] | None = None,
    ) -> None:
        self._client = client
        self.job_id = job_id
        self.video = video
        self.job_tag = job_tag
        self.segment_types = segment_types

    def __repr__(self) -> str:
        return f"<{self._kind} {self.job_id}>"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.job_id == self.job_id and other._client is self._client

    def __hash__(self) -> int:
        return hash(self.job_id)


class Job(JobHandle["Client"]):
    """A segment detection job: look at it, wait for it, read its segments.

    Returned by `Client.start` and `Client.job`; holds no state but the job's identity, so it is cheap to
    make and safe to share.

    Attributes:
        job_id: The service's job id.
        video: The video analysed, when this handle was made by `Client.start`.
        job_tag: The tag given at start, when known.
        segment_types: The segment types requested, when known.
    """

    def status(self) -> JobStatus:
        """Return the job's current status (one small request)."""
        return self._client.status(self.job_id)

    def done(self) -> bool:
        """Whether the job has ended, successfully or not (one small request)."""
        return self.status() in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    def wait(
        self,
        *,
        timeout: TimeoutArg = UNSET,
        page_size: int = MAX_PAGE_SIZE,
        progress: Callable[[WaitProgress], None] | None = None,
        listener: Listener | None = None,
        fallback_after: float | None = None,
    ) -> SegmentDetectionResult:
        """Wait for the job to end and return its whole result; see `Client.wait`."""
        return self._client.wait(
            self.job_id,
            timeout=timeout,
            page_size=page_size,
            progress=progress,
            listener=listener,
            fallback_after=fallback_after,
        )

    def pages(
        self,
        *,
        page_size: int = MAX_PAGE_SIZE,
        starting_token: str | None = None,
        starting_offset: int | None = None,
        max_pages: int | None = None,
    ) -> Iterator[SegmentDetectionPage]:
        """Yield the result page by page; see `Client.pages`."""
        return self._client.pages(
            self.job_id,
            page_size=page_size,
            starting_token=starting_token,
            starting_offset=starting_offset,
            max_pages=max_pages,
        )

    def segments(self, *, segment_types: Iterable[SegmentType | str] | None = None) -> Iterator[Segment]:
        """Yield the job's segments, one page in memory at a time; see `Client.segments`."""
        return self._client.segments(self.job_id, segment_types=segment_types)
