"""Follow NextToken to the end: nothing lost, nothing repeated, no endless loop (a flow without I/O).

`page_flow` yields `FetchPage` (the driver makes one GetSegmentDetection call for the token and sends the page
back, or throws the error it raised into the flow) and `EmitPage` (the driver hands the page to its caller and
sends ``None``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Generator
from typing import TypeAlias

import attrs

from .._enums import JobStatus
from .._exceptions import (
    InvalidPaginationTokenError,
    JobFailedError,
    JobInProgressError,
    JobStatusChangedError,
    PaginationError,
    ResultChangedError,
)
from .._models import Segment
from .._results import SegmentDetectionPage

__all__ = ["MAX_EMPTY_PAGES", "MAX_TOKEN_RESTARTS", "EmitPage", "FetchPage", "PageFlow", "page_flow", "segment_ceiling"]

log = logging.getLogger("rekseg")

MAX_TOKEN_RESTARTS = 3
"""How many times one iteration restarts from the first page after a token expired, before giving up."""

MAX_EMPTY_PAGES = 100
"""How many pages in a row may carry no segment but a fresh NextToken before paging gives up."""


@attrs.frozen
class FetchPage:
    """Make one GetSegmentDetection call for ``token`` (``None``: the first page); send back the page.

    Attributes:
        token: The NextToken to send, or ``None``.
    """

    token: str | None


@attrs.frozen
class EmitPage:
    """Hand ``page`` to the caller (the flow has checked it); send back ``None``.

    Attributes:
        page: The page, with the segments a re-read skips already cut off.
    """

    page: SegmentDetectionPage


PageFlow: TypeAlias = Generator[FetchPage | EmitPage, SegmentDetectionPage | None, None]
"""A page flow: yields commands, receives pages (after `FetchPage`) or ``None`` (after `EmitPage`)."""


def segment_ceiling(page: SegmentDetectionPage) -> int | None:
    """Return more segments than the page's video can hold, or ``None`` when its duration or rate is unknown.

    Shots do not overlap and technical cues share at most their boundary frame, so each segment type has at
    most one segment per frame (plus one); twice that, per type, leaves room for any rounding.
    """
    rate = page.frame_rate
    millis = next((m.duration_millis for m in page.video_metadata or () if m.duration_millis is not None), None)
    if rate is None or millis is None or millis < 0:
        return None
    frames = math.ceil(millis * rate.numerator / (1000 * rate.denominator)) + 1
    types = len(page.selected_segment_types or ()) or 2
    return 2 * types * (frames + 1)


@attrs.define
class _Walk:
    """The state of one iteration, for checks and messages."""

    job_id: str
    fetched: int = 0
    yielded_any: bool = False
    last: Segment | None = None
    empty_run: int = 0
    read: int = 0
    ceiling: int | None = None
    handed_out: dict[str, int] = attrs.Factory(dict)

    def check_status(self, page: SegmentDetectionPage, resumed: bool) -> None:
        status = page.job_status
        if status == JobStatus.SUCCEEDED:
            return
        if not (self.yielded_any or resumed or self.fetched > 1):
            if status == JobStatus.IN_PROGRESS:
                raise JobInProgressError(self.job_id)
            if status == JobStatus.FAILED:
                raise JobFailedError(self.job_id, page.status_message)
        raise JobStatusChangedError(
            self.job_id,
            page=self.fetched,
            status=None if status is None else str(status.value),
            status_message=page.status_message,
        )

    def check_token(self, token: str | None, next_token: str) -> None:
        first = self.handed_out.get(next_token)
        if first is None:
            self.handed_out[next_token] = self.fetched
            return
        if next_token == token:
            message = (
                f"GetSegmentDetection for job {self.job_id} returned the NextToken it was called with "
                f"(page {self.fetched}); following it would fetch the same page forever"
            )
        else:
            message = (
                f"GetSegmentDetection for job {self.job_id} returned on page {self.fetched} the NextToken it "
                f"had returned on page {first}: the tokens form a cycle of {self.fetched - first} pages, "
                "and following them would loop forever"
            )
        raise PaginationError(self.job_id, next_token, message, page=self.fetched)

    def check_bounds(self, page: SegmentDetectionPage, raw: int, more: bool) -> None:
        if self.ceiling is None:
            self.ceiling = segment_ceiling(page)
        self.read += raw
        self.empty_run = self.empty_run + 1 if more and raw == 0 else 0
        if self.empty_run >= MAX_EMPTY_PAGES:
            raise PaginationError(
                self.job_id,
                page.next_token,
                f"GetSegmentDetection for job {self.job_id} sent {self.empty_run} pages in a row without a "
                f"segment but with a new NextToken (up to page {self.fetched}); giving up instead of paging forever",
                page=self.fetched,
            )
        if more and self.ceiling is not None and self.read > self.ceiling:
            raise PaginationError(
                self.job_id,
                page.next_token,
                f"GetSegmentDetection for job {self.job_id} sent {self.read} segments by page {self.fetched} and "
                f"still a NextToken, more than its video can hold (at most {self.ceiling}); giving up",
                page=self.fetched,
            )


def page_flow(
    *,
    job_id: str,
    starting_token: str | None = None,
    starting_offset: int | None = None,
    max_pages: int | None = None,
    first_page: SegmentDetectionPage | None = None,
) -> PageFlow:
    """Page through a job's result until the token is absent or empty.

    Every page is checked before anything of it is yielded: its JobStatus must be SUCCEEDED, its token new,
    and the iteration bounded (`MAX_EMPTY_PAGES` empty pages in a row; no more segments than the video's
    duration allows).

    Args:
        job_id: The job, for error messages.
        starting_token: Resume from this token instead of the first page.
        starting_offset: How many segments come before ``starting_token``; lets an expired starting
            token be recovered by re-reading from the first page and skipping that many.
        max_pages: Stop after this many pages; the last page's ``next_token`` resumes later.
        first_page: Page 1, already fetched (the poll that saw SUCCEEDED).

    Raises:
        JobInProgressError: The first page says the job still runs.
        JobFailedError: The first page says the job failed.
        JobStatusChangedError: A later page reports another status than SUCCEEDED.
        PaginationError: A token already followed came back (the same one, or a cycle), or the pages do not end.
        ResultChangedError: After an expired token, the re-read does not match what was already yielded.
        InvalidPaginationTokenError: A token expired and could not be recovered.
    """
    resumed = starting_token is not None
    token = starting_token
    offset = 0 if starting_token is None else starting_offset
    walk = _Walk(job_id)
    if token:
        walk.handed_out[token] = 0
    skip = 0
    restarts = 0
    pages = 0
    pending = first_page if starting_token is None else None
    while max_pages is None or pages < max_pages:
        if pending is not None:
            page, pending = pending, None
        else:
            try:
                answer = yield FetchPage(token)
            except InvalidPaginationTokenError:
                if token is None or offset is None or restarts >= MAX_TOKEN_RESTARTS:
                    raise
                restarts += 1
                log.info(
                    "job %s: pagination token expired; re-reading from the first page, skipping %d segments",
                    job_id,
                    offset,
                )
                token, skip = None, offset
                walk.handed_out, walk.read, walk.empty_run = {}, 0, 0
                continue
            assert answer is not None, "the driver sends back a page for every FetchPage"
            page = answer
        walk.fetched += 1
        walk.check_status(page, resumed)
        next_token = page.next_token or None
        raw = page.segments or ()
        if next_token is not None:
            walk.check_token(token, next_token)
        walk.check_bounds(page, len(raw), next_token is not None)
        segments = raw
        skipping = skip > 0
        if skipping:
            if skip <= len(raw):
                _check_reread(walk, raw[skip - 1], offset or 0)
                segments, skip = raw[skip:], 0
            else:
                skip -= len(raw)
                segments = ()
                if next_token is None:
                    raise ResultChangedError(
                        job_id, offset=offset or 0, page=walk.fetched, reason="ended before reaching them"
                    )
            page = attrs.evolve(page, segments=segments)
        if offset is not None:
            offset += len(segments)
        if not (skipping and not segments):
            pages += 1
            if segments:
                walk.yielded_any, walk.last = True, segments[-1]
            yield EmitPage(page)
        if next_token is None:
            return
        token = next_token


def _check_reread(walk: _Walk, reread: Segment, offset: int) -> None:
    """Check that the re-read's segment at the skip boundary is the last one yielded before the token expired."""
    if walk.last is not None and reread != walk.last:
        raise ResultChangedError(
            walk.job_id,
            offset=offset,
            page=walk.fetched,
            reason=f"found another segment in place of the last one yielded: {reread!r} instead of {walk.last!r}",
        )
