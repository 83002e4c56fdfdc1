"""A handle on one segment detection job, for the asyncio client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING

from .._enums import JobStatus, SegmentType
from .._flows.waiting import WaitProgress
from .._job import JobHandle
from .._models import Segment
from .._results import SegmentDetectionPage, SegmentDetectionResult
from .._validation import MAX_PAGE_SIZE, UNSET, TimeoutArg

if TYPE_CHECKING:
    from ._client import AsyncClient  # noqa: F401 -- named in a string: AsyncJob(JobHandle["AsyncClient"])
    from ._sqs import AsyncListener

__all__ = ["AsyncJob"]


class AsyncJob(JobHandle["AsyncClient"]):
    """A segment detection job seen through an `AsyncClient`: look at it, wait for it, read its segments.

    Returned by `AsyncClient.start` and `AsyncClient.job`; holds no state but the job's identity.

    Attributes:
        job_id: The service's job id.
        video: The video analysed, when this handle was made by `AsyncClient.start`.
        job_tag: The tag given at start, when known.
        segment_types: The segment types requested, when known.
    """

    _kind = "rekseg.aio.AsyncJob"

    async def status(self) -> JobStatus:
        """Return the job's current status (one small request)."""
        return await self._client.status(self.job_id)

    async def done(self) -> bool:
        """Whether the job has ended, successfully or not (one small request)."""
        return await self.status() in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    async def wait(
        self,
        *,
        timeout: TimeoutArg = UNSET,
        page_size: int = MAX_PAGE_SIZE,
        progress: Callable[[WaitProgress], None] | None = None,
        listener: AsyncListener | None = None,
        fallback_after: float | None = None,
    ) -> SegmentDetectionResult:
        """Wait for the job to end and return its whole result; see `AsyncClient.wait`."""
        return await self._client.wait(
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
    ) -> AsyncIterator[SegmentDetectionPage]:
        """Yield the result page by page (``async for``); see `AsyncClient.pages`."""
        return self._client.pages(
            self.job_id,
            page_size=page_size,
            starting_token=starting_token,
            starting_offset=starting_offset,
            max_pages=max_pages,
        )

    def segments(self, *, segment_types: Iterable[SegmentType | str] | None = None) -> AsyncIterator[Segment]:
        """Yield the job's segments (``async for``), one page in memory at a time; see `AsyncClient.segments`."""
        return self._client.segments(self.job_id, segment_types=segment_types)
