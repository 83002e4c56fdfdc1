"""Stream a job's segments to a JSON Lines file, holding one page of results in memory at a time.

`Client.wait` returns the whole result at once. For a very large result, wait for the job to end with status
calls instead, then stream its pages: `Client.segments` fetches one page per 1000 segments and
`rekseg.export.write_jsonl` writes each segment as it arrives. With no arguments it runs on rekseg's built-in
emulator with a synthetic episode::

    python examples/stream_to_jsonl.py -o segments.jsonl
    python examples/stream_to_jsonl.py s3://my-bucket/episode.mp4 --aws -o segments.jsonl
    python examples/stream_to_jsonl.py --job-id JOB_ID --aws -o segments.jsonl   # a job started earlier
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterable, Iterator

import botocore.config

import rekseg
from rekseg import export
from rekseg.testing import Emulator, SyntheticVideo

DEMO_VIDEO = "s3://rekseg-examples/episodes/s01e02.mp4"
EPISODE = SyntheticVideo(duration=3 * 3600, frame_rate="24000/1001", shots=2500, seed=11)
"""What the emulator's demo video contains: a 3-hour film at 23.976 fps with 2500 shots (3 pages of results)."""


@contextlib.contextmanager
def open_client(args: argparse.Namespace) -> Iterator[rekseg.Client]:
    """Yield a client for AWS (``--aws``), for ``--endpoint-url``, or for an emulator serving the demo video."""
    if args.aws or args.endpoint_url:
        yield rekseg.Client(region_name=args.region, endpoint_url=args.endpoint_url)
        return
    with Emulator(polls_to_complete=2) as emulator:
        emulator.add_video(args.video, EPISODE)
        boto = emulator.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 1}))
        yield rekseg.Client(boto_client=boto, polling=rekseg.PollPolicy(wait_initial=0.05, wait_max=0.2))


def wait_until_done(job: rekseg.Job, policy: rekseg.PollPolicy) -> None:
    """Look at the job with small status calls, as often as ``policy`` says, until it succeeds.

    Raises:
        rekseg.JobFailedError: The job failed.
        rekseg.WaitTimeoutError: ``policy.timeout`` passed first.
    """
    started = time.monotonic()
    polls = 0
    while True:
        status = job.status()
        polls += 1
        elapsed = time.monotonic() - started
        print(f"job {job.job_id}: {status} after {polls} polls", file=sys.stderr)
        if status == rekseg.JobStatus.SUCCEEDED:
            return
        if status == rekseg.JobStatus.FAILED:
            raise rekseg.JobFailedError(job.job_id, None)
        if policy.timeout is not None and elapsed >= policy.timeout:
            raise rekseg.WaitTimeoutError(job.job_id, status.value, elapsed, polls)
        time.sleep(policy.delay(polls))


def counted(segments: Iterable[rekseg.Segment], counter: list[int]) -> Iterator[rekseg.Segment]:
    """Yield ``segments`` unchanged, counting them in ``counter[0]``."""
    for segment in segments:
        counter[0] += 1
        yield segment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", default=DEMO_VIDEO, help="s3://bucket/key of the video")
    parser.add_argument("--job-id", help="stream a job started earlier instead of starting one")
    parser.add_argument("-o", "--output", help="the .jsonl file to write (default: stdout)")
    parser.add_argument("--aws", action="store_true", help="use Amazon Rekognition instead of the emulator")
    parser.add_argument("--region", help="AWS region")
    parser.add_argument("--endpoint-url", help="another endpoint, such as `python -m rekseg.testing`")
    args = parser.parse_args()

    with open_client(args) as client:
        job = client.job(args.job_id) if args.job_id else client.start(args.video, job_tag="stream-to-jsonl")
        wait_until_done(job, client.polling)
        count = [0]
        segments = counted(client.segments(job.job_id), count)
        export.write_jsonl(segments, args.output or sys.stdout)
    print(f"wrote {count[0]} segments to {args.output or 'stdout'}", file=sys.stderr)


if __name__ == "__main__":
    main()
