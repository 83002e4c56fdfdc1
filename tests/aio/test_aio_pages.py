"""Following NextToken with the async client: every segment once, resumable, no endless loops."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeVar

import pytest

import rekseg
from rekseg.aio import AsyncClient
from rekseg.testing import Emulator, SyntheticVideo

from .conftest import VIDEO, empty_result, shots_only

_T = TypeVar("_T")


async def _all(items: AsyncIterator[_T]) -> list[_T]:
    return [item async for item in items]


async def _finished_job(em: Emulator, client: AsyncClient, video: object) -> str:
    em.add_video(VIDEO, video)  # type: ignore[arg-type]
    job = await client.start(VIDEO, segment_types=["SHOT"])
    em.complete_job(job.job_id)
    em.clear_requests()
    return job.job_id


def _indexes(pages: list[rekseg.SegmentDetectionPage]) -> list[int | None]:
    return [s.shot_index for page in pages for s in page.segments or ()]


@pytest.mark.parametrize(
    ("shots", "page_size", "sizes"),
    [(1000, 1000, [1000]), (1001, 1000, [1000, 1]), (2000, 1000, [1000, 1000]), (250, 100, [100, 100, 50])],
)
async def test_pages_follow_next_token_to_the_end(
    em: Emulator, client: AsyncClient, shots: int, page_size: int, sizes: list[int]
) -> None:
    """pages() yields each page once, in order, and stops when NextToken is absent."""
    job_id = await _finished_job(em, client, shots_only(shots))
    pages = await _all(client.pages(job_id, page_size=page_size))
    assert [len(p.segments or ()) for p in pages] == sizes
    assert _indexes(pages) == list(range(shots))
    assert pages[-1].next_token is None
    assert all(p.next_token for p in pages[:-1])
    assert em.count("GetSegmentDetection") == len(sizes)
    assert all(r.params["MaxResults"] == page_size for r in em.requests)


async def test_empty_result_is_one_empty_page(em: Emulator, client: AsyncClient) -> None:
    """A job that found nothing gives one page with no segments, and an empty merged result."""
    job_id = await _finished_job(em, client, empty_result())
    pages = await _all(client.pages(job_id))
    assert len(pages) == 1
    assert not pages[0].segments
    result = await client.get(job_id)
    assert not result.segments
    assert result.video_metadata


async def test_get_merges_pages(em: Emulator, client: AsyncClient) -> None:
    """get() fetches every page and merges them: metadata once, segments in order."""
    job_id = await _finished_job(em, client, shots_only(2345))
    result = await client.get(job_id)
    assert [s.shot_index for s in result.segments or ()] == list(range(2345))
    assert len(result.video_metadata or ()) == 1
    assert result.job_id == job_id
    assert em.count("GetSegmentDetection") == 3


async def test_segments_stream_and_filter_by_type(em: Emulator, client: AsyncClient) -> None:
    """segments() streams Segment objects; segment_types keeps only those types."""
    em.add_video(VIDEO, SyntheticVideo(duration=900, shots=1500, seed=11))
    job = await client.start(VIDEO)
    em.complete_job(job.job_id)
    every = await _all(client.segments(job.job_id))
    shots = await _all(client.segments(job.job_id, segment_types=["SHOT"]))
    cues = await _all(job.segments(segment_types=[rekseg.SegmentType.TECHNICAL_CUE]))
    assert len(shots) == 1500
    assert all(s.is_shot for s in shots)
    assert cues
    assert all(s.is_technical_cue for s in cues)
    assert len(every) == len(shots) + len(cues)


async def test_empty_string_final_token_ends_pagination(em: Emulator, client: AsyncClient) -> None:
    """A last page carrying NextToken "" ends pagination like an absent token."""
    em.empty_final_token = True
    job_id = await _finished_job(em, client, shots_only(1500))
    pages = await _all(client.pages(job_id))
    assert [len(p.segments or ()) for p in pages] == [1000, 500]
    assert em.count("GetSegmentDetection") == 2


async def test_repeated_token_raises_instead_of_looping(em: Emulator, client: AsyncClient) -> None:
    """A page that hands back the token it was called with raises PaginationError."""
    job_id = await _finished_job(em, client, shots_only(3500))
    pages = client.pages(job_id)
    await pages.__anext__()
    em.repeat_token(job_id)
    with pytest.raises(rekseg.PaginationError) as info:
        await _all(pages)
    assert info.value.job_id == job_id
    assert em.count("GetSegmentDetection") <= 3


async def test_budget_and_resume_lose_and_repeat_nothing(em: Emulator, client: AsyncClient) -> None:
    """max_pages fetches a budget; starting_token continues where it stopped."""
    job_id = await _finished_job(em, client, shots_only(5500))
    seen: list[int | None] = []
    token: str | None = None
    rounds = 0
    while rounds < 10:
        pages = await _all(client.pages(job_id, starting_token=token, max_pages=2))
        assert 1 <= len(pages) <= 2
        seen.extend(_indexes(pages))
        token = pages[-1].next_token
        rounds += 1
        if not token:
            break
    assert seen == list(range(5500))
    assert rounds == 3
    assert em.count("GetSegmentDetection") == 6


async def test_expired_token_mid_iteration_restarts_without_duplicates(em: Emulator, client: AsyncClient) -> None:
    """An expired token mid-stream re-reads from page 1 and skips what was already yielded."""
    job_id = await _finished_job(em, client, shots_only(3500))
    stream = client.segments(job_id)
    first = [(await stream.__anext__()).shot_index for _ in range(1500)]
    em.expire_tokens(job_id)
    rest = [s.shot_index async for s in stream]
    assert first + rest == list(range(3500))
    codes = [r.error_code for r in em.requests]
    assert codes.count("InvalidPaginationTokenException") == 1


async def test_expired_starting_token_recovers_with_offset(em: Emulator, client: AsyncClient) -> None:
    """A resumed iteration whose token expired recovers when given starting_offset, and raises without it."""
    job_id = await _finished_job(em, client, shots_only(2500))
    first = await _all(client.pages(job_id, max_pages=1))
    token = first[0].next_token
    assert token
    em.expire_tokens(job_id)
    with pytest.raises(rekseg.InvalidPaginationTokenError) as info:
        await _all(client.pages(job_id, starting_token=token))
    assert info.value.job_id == job_id
    resumed = await _all(client.pages(job_id, starting_token=token, starting_offset=1000))
    assert _indexes(resumed) == list(range(1000, 2500))


async def test_token_of_another_job_is_refused_once(em: Emulator, client: AsyncClient) -> None:
    """A token issued for another job raises InvalidPaginationTokenError and is not retried."""
    job_a = await _finished_job(em, client, shots_only(1500))
    token = (await client.pages(job_a).__anext__()).next_token
    job_b = (await client.start(VIDEO, segment_types=["SHOT"], client_request_token="other")).job_id
    em.complete_job(job_b)
    em.clear_requests()
    with pytest.raises(rekseg.InvalidPaginationTokenError) as info:
        await _all(client.pages(job_b, starting_token=token))
    assert em.count() == 1
    assert info.value.code == "InvalidPaginationTokenException"


async def test_expired_job_raises_job_not_found(em: Emulator, client: AsyncClient) -> None:
    """A job whose results are gone raises JobNotFoundError that says results are kept 7 days."""
    job_id = await _finished_job(em, client, shots_only(10))
    em.expire_job(job_id)
    with pytest.raises(rekseg.JobNotFoundError) as info:
        await client.get(job_id)
    assert "7 days" in str(info.value)
    assert info.value.job_id == job_id
    assert em.count() == 1
