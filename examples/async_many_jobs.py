"""Start and wait for many segment detection jobs at once from one asyncio event loop.

With no arguments it runs on rekseg's built-in emulator with a dozen synthetic episodes, so it works on a fresh
machine without an AWS account (it needs the extra: ``pip install 'rekseg[aio]'``). Give videos and ``--aws`` to
run it on Amazon Rekognition with your AWS configuration (about 20 jobs may run at once per account)::

    python examples/async_many_jobs.py
    python examples/async_many_jobs.py s3://my-bucket/ep1.mp4 s3://my-bucket/ep2.mp4 --aws --region us-east-1
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator

import botocore.config

import rekseg
from rekseg.aio import AsyncClient
from rekseg.testing import Emulator, SyntheticVideo

EPISODES = {
    f"s3://rekseg-examples/season-1/e{n:02}.mp4": SyntheticVideo(duration=22 * 60, shots=200 + 10 * n, seed=n)
    for n in range(1, 13)
}
"""What the emulator serves: twelve 22-minute episodes at 29.97 fps with 210 to 320 shots."""


@contextlib.asynccontextmanager
async def open_client(args: argparse.Namespace) -> AsyncIterator[AsyncClient]:
    """Yield an async client for AWS (``--aws``), or for an emulator serving the demo episodes."""
    if args.aws:
        async with AsyncClient(region_name=args.region) as client:
            yield client
        return
    from aiobotocore.session import AioSession  # noqa: PLC0415 -- only this branch needs it

    with Emulator(polls_to_complete=3, job_limit=len(EPISODES)) as emulator:
        for uri, episode in EPISODES.items():
            emulator.add_video(uri, episode)
        # An aiobotocore client with dummy keys, one request per call: rekseg's RetryPolicy is the only retry layer.
        async with AioSession().create_client(
            "rekognition",
            region_name=emulator.region_name,
            endpoint_url=emulator.endpoint_url,
            aws_access_key_id="example",
            aws_secret_access_key="example",
            config=botocore.config.Config(retries={"total_max_attempts": 1}),
        ) as rek:
            # The emulator answers in milliseconds: poll it fast rather than every 5 seconds.
            yield AsyncClient(boto_client=rek, polling=rekseg.PollPolicy(wait_initial=0.05, wait_max=0.2))


async def shots_of(client: AsyncClient, video: str) -> tuple[str, int]:
    """Start one job, wait for it, and return the video with its number of shots."""
    job = await client.start(video, segment_types=["SHOT"], job_tag="async-example")
    result = await job.wait(timeout=3600)
    return video, len(result.shots)


async def detect_all(client: AsyncClient, videos: list[str]) -> list[tuple[str, int]]:
    """Run one job per video concurrently; if one fails, the others are cancelled (TaskGroup) or let run (gather)."""
    if sys.version_info >= (3, 11):
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(shots_of(client, video)) for video in videos]
        return [task.result() for task in tasks]
    return list(await asyncio.gather(*(shots_of(client, video) for video in videos)))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="*", help="s3://bucket/key of each video (default: the demo season)")
    parser.add_argument("--aws", action="store_true", help="use Amazon Rekognition instead of the emulator")
    parser.add_argument("--region", help="AWS region")
    args = parser.parse_args()
    videos = args.videos or list(EPISODES)

    async with open_client(args) as client:
        found = await detect_all(client, videos)
    for video, shots in found:
        print(f"{video}: {shots} shots")
    print(f"{len(found)} jobs, {sum(shots for _, shots in found)} shots in all")


if __name__ == "__main__":
    asyncio.run(main())
