"""Typed use of rekseg.aio: checked by mypy --strict, never run."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import rekseg
from rekseg.aio import AsyncClient, AsyncJob


async def usage() -> None:
    """Every documented call of the async client, typed."""
    async with AsyncClient(region_name="us-east-1", retry=rekseg.RetryPolicy(attempts=3)) as client:
        job: AsyncJob = await client.start("s3://bucket/key.mp4", segment_types=["SHOT"], job_tag="t")
        status: rekseg.JobStatus = await job.status()
        done: bool = await job.done()
        result: rekseg.SegmentDetectionResult = await job.wait(timeout=timedelta(minutes=30))
        result = await client.wait(job.job_id, timeout=600, page_size=500)
        result = await client.get(job.job_id)
        result = await client.detect("s3://bucket/key.mp4", timeout=None, shot_filter=rekseg.ShotFilter())
        async for segment in client.segments(job.job_id, segment_types=[rekseg.SegmentType.SHOT]):
            start: int | None = segment.start_timestamp_millis
        async for page in client.pages(job.job_id, max_pages=5):
            token: str | None = page.next_token
        result = await asyncio.wait_for(client.wait(job.job_id), 10)
    await client.close()
    print(status, done, result, start, token)
