"""Follow NextToken to the end: nothing lost, nothing repeated, no endless loop (a flow without I/O).

`page_flow` yields `FetchPage` (the driver makes one GetSegmentDetection call for the token and sends the page
back, or throws the error it raised into the flow) and `EmitPage` (the driver hands the page to its caller and
sends ``None``).
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from fractions import Fraction
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
from .._validation import MAX_PAGE_SIZE

__all__ = [
    "MAX_EMPTY_PAGES",
    "MAX_FRAME_RATE",
    "MAX_TOKEN_RESTARTS",
    "MAX_VIDEO_MILLIS",
    "EmitPage",
    "FetchPage",
    "PageFlow",
    "page_flow",
    "segment_ceiling",
]

log = logging.getLogger("rekseg")

MAX_TOKEN_RESTARTS = 3
"""How many times one iteration restarts from the first page after a token expired, before giving up."""

MAX_EMPTY_PAGES = 100
"""How many pages in a row may carry no segment but a fresh NextToken before paging gives up; also the slack of
the bound on short pages (see `page_flow`)."""

MAX_VIDEO_MILLIS = 12 * 3600 * 1000
"""The longest video `segment_ceiling` allows for: twice the service's maximum duration (6 hours), so a page that
claims a longer one (or none) cannot make paging endless."""

MAX_FRAME_RATE = Fraction(240)
"""The frame rate `segment_ceiling` assumes when a page does not say, and the highest it believes."""


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


def segment_ceiling(page: SegmentDetectionPage) -> int:
    """Return more segments than the page's video can hold.

    Shots do not overlap and technical cues share at most their boundary frame, so each segment type has at
    most one segment per frame (plus one); twice that, per type, leaves room for any rounding. A duration or
    rate the page does not give, or one beyond `MAX_VIDEO_MILLIS` or `MAX_FRAME_RATE`, counts as that maximum:
    the ceiling is always finite. Exact integer arithmetic: no float can overflow here.
    """
    given = page.frame_rate
    rate = MAX_FRAME_RATE if given is None else min(Fraction(given.numerator, given.denominator), MAX_FRAME_RATE)
    millis = next((m.duration_millis for m in page.video_metadata or () if m.duration_millis is not None), None)
    if millis is None or not 0 <= millis <= MAX_VIDEO_MILLIS:
        millis = MAX_VIDEO_MILLIS
    frames = -(-millis * rate.numerator // (1000 * rate.denominator)) + 1
    types = len(page.selected_segment_types or ()) or 2
    return 2 * types * (frames + 1)


@attrs.define
class _Walk:
    """The state of one iteration, for checks and messages."""

    job_id: str
    page_size: int
    fetched: int = 0
    yielded_any: bool = False
    last: Segment | None = None
    empty_run: int = 0
    read: int = 0
    followed: int = 0
    ceiling: int | None = None
    handed_out: dict[str, int] = attrs.Factory(dict)
    previous: Segment | None = None
    """The last segment of the previous page read (before any skip)."""
    types_done: set[object] = attrs.Factory(set)
    """Segment types the pages have moved past: one cannot come back (pages are sorted by type, then start)."""

    def restart(self) -> None:
        """Forget what the reading so far saw, for a re-read from the first page."""
        self.handed_out, self.read, self.empty_run, self.followed = {}, 0, 0, 0
        self.previous, self.types_done = None, set()

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

    def check_order(self, page: SegmentDetectionPage, raw: tuple[Segment, ...]) -> None:
        """Check that the page goes on where the previous one ended.

        A page served twice (under a new token, or after a token cycle back to an earlier page) would otherwise
        hand out its segments twice. Segments come sorted by type (in the order requested), then by start time;
        shot indexes only grow.
        """
        if not raw:
            return
        previous, first = self.previous, raw[0]
        self.previous = raw[-1]
        if previous is None or first.type is None or previous.type is None:
            return
        if first.type != previous.type:
            self.types_done.add(previous.type)
            if first.type not in self.types_done:
                return
            reason = f"its first segment is a {first.type.value}, a type the pages had already moved past"
        else:
            index = first.shot_segment.index if first.shot_segment is not None else None
            index_before = previous.shot_segment.index if previous.shot_segment is not None else None
            start, start_before = first.start_timestamp_millis, previous.start_timestamp_millis
            if index is not None and index_before is not None:
                if index > index_before:
                    return
                reason = f"it starts with shot {index}, and the page before ended with shot {index_before}"
            elif start is None or start_before is None or start >= start_before:
                return
            else:
                reason = f"it starts at {start} ms, before the end of the page before ({start_before} ms)"
        raise PaginationError(
            self.job_id,
            page.next_token,
            f"GetSegmentDetection for job {self.job_id} sent on page {self.fetched} segments it had already sent: "
            f"{reason}; giving up rather than handing them out twice",
            page=self.fetched,
        )

    def check_bounds(self, page: SegmentDetectionPage, raw: int, more: bool) -> None:
        if self.ceiling is None:
            self.ceiling = segment_ceiling(page)
        self.read += raw
        self.followed += 1
        self.empty_run = self.empty_run + 1 if more and raw == 0 else 0
        if self.empty_run >= MAX_EMPTY_PAGES:
            raise PaginationError(
                self.job_id,
                page.next_token,
                f"GetSegmentDetection for job {self.job_id} sent {self.empty_run} pages in a row without a "
                f"segment but with a new NextToken (up to page {self.fetched}); giving up instead of paging forever",
                page=self.fetched,
            )
        if more and self.read > self.ceiling:
            raise PaginationError(
                self.job_id,
                page.next_token,
                f"GetSegmentDetection for job {self.job_id} sent {self.read} segments by page {self.fetched} and "
                f"still a NextToken, more than its video can hold (at most {self.ceiling}); giving up",
                page=self.fetched,
            )
        # Pages of a few segments each, with fresh tokens, would take as many calls as segments: allow half-full
        # pages on average (and MAX_EMPTY_PAGES more), so the calls stay bounded by the segments' pages.
        allowed = MAX_EMPTY_PAGES + 2 * -(-self.read // self.page_size)
        if more and self.followed > allowed:
            raise PaginationError(
                self.job_id,
                page.next_token,
                f"GetSegmentDetection for job {self.job_id} sent {self.followed} pages for {self.read} segments "
                f"(up to {self.page_size} a page were asked for) and still a NextToken; giving up instead of "
                "paging a few segments at a time without end",
                page=self.fetched,
            )


def page_flow(
    *,
    job_id: str,
    starting_token: str | None = None,
    starting_offset: int | None = None,
    max_pages: int | None = None,
    first_page: SegmentDetectionPage | None = None,
    page_size: int = MAX_PAGE_SIZE,
) -> PageFlow:
    """Page through a job's result until the token is absent or empty.

    Every page is checked before anything of it is yielded: its JobStatus must be SUCCEEDED, its token new, its
    first segment after the previous page's last (sorted by type, then start; shot indexes growing), and the
    iteration bounded: `MAX_EMPTY_PAGES` empty pages in a row; no more segments than the video's duration
    allows (`segment_ceiling`); no more pages than twice the full pages of the segments read, plus
    `MAX_EMPTY_PAGES`.

    Args:
        job_id: The job, for error messages.
        starting_token: Resume from this token instead of the first page.
        starting_offset: How many segments come before ``starting_token``; lets an expired starting
            token be recovered by re-reading from the first page and skipping that many.
        max_pages: Stop after this many pages; the last page's ``next_token`` resumes later.
        first_page: Page 1, already fetched (the poll that saw SUCCEEDED).
        page_size: The ``MaxResults`` the driver asks for, for the bound on short pages.

    Raises:
        JobInProgressError: The first page says the job still runs.
        JobFailedError: The first page says the job failed.
        JobStatusChangedError: A later page reports another status than SUCCEEDED.
        PaginationError: A token already followed came back (the same one, or a cycle), a page repeats segments
            already read, or the pages do not end.
        ResultChangedError: After an expired token, the re-read does not match what was already yielded.
        InvalidPaginationTokenError: A token expired and could not be recovered.
    """
    resumed = starting_token is not None
    token = starting_token
    offset = 0 if starting_token is None else starting_offset
    walk = _Walk(job_id, page_size)
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
                walk.restart()
                continue
            assert answer is not None, "the driver sends back a page for every FetchPage"
            page = answer
        walk.fetched += 1
        walk.check_status(page, resumed)
        next_token = page.next_token or None
        raw = page.segments or ()
        if next_token is not None:
            walk.check_token(token, next_token)
        walk.check_order(page, raw)
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
