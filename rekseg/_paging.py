"""Follow NextToken to the end: nothing lost, nothing repeated, no endless loop."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import attrs

from ._exceptions import InvalidPaginationTokenError, PaginationError
from ._models import SegmentDetectionPage

__all__ = ["MAX_TOKEN_RESTARTS", "iter_pages"]

log = logging.getLogger("rekseg")

MAX_TOKEN_RESTARTS = 3
"""How many times one iteration restarts from the first page after a token expired, before giving up."""

FetchPage = Callable[[str | None], SegmentDetectionPage]


def iter_pages(
    fetch: FetchPage,
    *,
    job_id: str,
    starting_token: str | None = None,
    starting_offset: int | None = None,
    max_pages: int | None = None,
    first_page: SegmentDetectionPage | None = None,
) -> Iterator[SegmentDetectionPage]:
    """Yield pages from ``fetch(token)`` until the token is absent or empty.

    Args:
        fetch: Makes one GetSegmentDetection call for a token (``None`` = first page).
        job_id: The job, for error messages.
        starting_token: Resume from this token instead of the first page.
        starting_offset: How many segments come before ``starting_token``; lets an expired starting
            token be recovered by re-reading from the first page and skipping that many.
        max_pages: Stop after this many pages; the last page's ``next_token`` resumes later.
        first_page: Page 1, already fetched (the poll that saw SUCCEEDED).

    Raises:
        PaginationError: The service handed back a token already followed (it would loop forever).
        InvalidPaginationTokenError: A token expired and could not be recovered.
    """
    token = starting_token
    offset = 0 if starting_token is None else starting_offset
    seen: set[str] = set()
    if token:
        seen.add(token)
    skip = 0
    restarts = 0
    pages = 0
    pending = first_page if starting_token is None else None
    while max_pages is None or pages < max_pages:
        if pending is not None:
            page, pending = pending, None
        else:
            try:
                page = fetch(token)
            except InvalidPaginationTokenError:
                if token is None or offset is None or restarts >= MAX_TOKEN_RESTARTS:
                    raise
                restarts += 1
                log.info(
                    "job %s: pagination token expired; re-reading from the first page, skipping %d segments",
                    job_id,
                    offset,
                )
                token, skip, seen = None, offset, set()
                continue
        segments = page.segments or ()
        skipping = skip > 0
        if skipping:
            if skip >= len(segments):
                skip -= len(segments)
                segments = ()
            else:
                segments, skip = segments[skip:], 0
            page = attrs.evolve(page, segments=segments)
        next_token = page.next_token or None
        if next_token is not None:
            if next_token in seen:
                raise PaginationError(job_id, next_token)
            seen.add(next_token)
        if offset is not None:
            offset += len(segments)
        if not (skipping and not segments):
            pages += 1
            yield page
        if next_token is None:
            return
        token = next_token
