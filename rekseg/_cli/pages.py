"""Several saved GetSegmentDetection pages of one job, checked before ``rekseg export`` and ``markers`` merge them.

A saved page does not record the token that fetched it, so the order is the one given, and it is checked with
what the pages do carry: every page but the last has a ``NextToken`` and the last has none; no token appears
twice; every ``JobId`` and ``VideoMetadata`` frame rate agree; and across each page boundary the segments keep
the service's order (by type, then by start, shot indexes rising). Where the shot indexes run without a gap
inside every page, shots that do not start at index 0 or a gap at a boundary mean a missing page; a missing
page of technical cues alone, between pages whose tokens were not saved, cannot be told.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from .._enums import SegmentType
from .._models import Segment
from .._results import SegmentDetectionPage

__all__ = ["PageChainError", "check_pages"]


class PageChainError(Exception):
    """The page files are not the complete, ordered pages of one job; the message says which file and why."""


def _start(segment: Segment) -> int | None:
    if segment.start_frame_number is not None:
        return segment.start_frame_number
    return segment.start_timestamp_millis


def _check_tokens(pages: Sequence[tuple[str, SegmentDetectionPage]]) -> None:
    if not any(page.next_token for _, page in pages) and len(pages) > 1:
        # Tokens stripped on saving: the segment checks below still catch repeats and disorder.
        return
    seen: dict[str, str] = {}
    for i, (name, page) in enumerate(pages):
        token = page.next_token or None
        last = i == len(pages) - 1
        if token is None and not last:
            raise PageChainError(
                f"{name} has no NextToken, so it is the job's last page, but {pages[i + 1][0]} follows it: "
                "give the pages in order, each once"
            )
        if token is not None and last:
            raise PageChainError(
                f"{name} has a NextToken, so the page after it is missing: give every page of the job, in order"
            )
        if token is not None:
            if token in seen:
                raise PageChainError(f"{seen[token]} and {name} carry the same NextToken: one page was saved twice")
            seen[token] = name


def _check_job(pages: Sequence[tuple[str, SegmentDetectionPage]]) -> None:
    first_name, first = pages[0]
    for name, page in pages[1:]:
        if first.job_id and page.job_id and page.job_id != first.job_id:
            raise PageChainError(f"{name} is a page of job {page.job_id}, {first_name} of job {first.job_id}")
        rates = (first.frame_rate, page.frame_rate)
        if None not in rates and rates[0] != rates[1]:
            raise PageChainError(
                f"{name} reports {rates[1]} fps, {first_name} {rates[0]} fps: they are pages of two videos"
            )


def _contiguous(indexes: Sequence[int]) -> bool:
    return all(b == a + 1 for a, b in itertools.pairwise(indexes))


def _check_segments(pages: Sequence[tuple[str, SegmentDetectionPage]]) -> None:
    indexes = [[s.shot_index for s in page.shots if s.shot_index is not None] for _, page in pages]
    gapless = all(_contiguous(run) for run in indexes)
    done: set[SegmentType | None] = set()
    previous: tuple[str, Segment] | None = None
    first_shot = True
    for (name, page), shot_indexes in zip(pages, indexes, strict=True):
        segments = page.segments or ()
        if not segments:
            continue
        if first_shot and shot_indexes:
            first_shot = False
            if shot_indexes[0] > 0 and gapless:
                raise PageChainError(f"shots 0 to {shot_indexes[0] - 1} are missing before {name}: a page is missing")
        if previous is not None:
            before_name, before = previous
            after = segments[0]
            disorder = f"{name} does not follow {before_name}: its first segment comes before the other's last"
            if after.type != before.type:
                done.add(before.type)
                if after.type in done:
                    raise PageChainError(disorder + " (segment types repeat): give the pages in order, each once")
            else:
                if after == before:
                    raise PageChainError(f"{name} repeats the last segment of {before_name}: a page saved twice")
                start, end = _start(after), _start(before)
                if start is not None and end is not None and start < end:
                    raise PageChainError(disorder + ": give the pages in order, each once")
                first, last = after.shot_index, before.shot_index
                if first is not None and last is not None:
                    if first <= last:
                        raise PageChainError(disorder + " (shot indexes): give the pages in order, each once")
                    if first > last + 1 and gapless:
                        raise PageChainError(
                            f"shots {last + 1} to {first - 1} are missing between {before_name} and {name}: "
                            "a page is missing"
                        )
        # The service sends one type after the other: a type a page leaves behind never comes back.
        done.update(s.type for s in segments if s.type != segments[-1].type)
        previous = (name, segments[-1])


def check_pages(pages: Sequence[tuple[str, SegmentDetectionPage]]) -> None:
    """Check that ``(file name, page)`` pairs are the whole result of one job, each page once, in order.

    Raises:
        PageChainError: A page is missing, repeated or out of order, or the pages belong to two jobs.
    """
    if not pages:
        raise PageChainError("no page files given")
    _check_tokens(pages)
    _check_job(pages)
    _check_segments(pages)
