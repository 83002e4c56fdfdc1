"""Detect the shots and technical cues of a video and print them.

With no arguments it runs on rekseg's built-in emulator with a synthetic 45-minute episode, so it works on a fresh
machine without an AWS account. Give a video and ``--aws`` to run it on Amazon Rekognition with your AWS
configuration::

    python examples/quickstart.py
    python examples/quickstart.py s3://my-bucket/episode.mp4 --aws --region us-east-1
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

import botocore.config

import rekseg
from rekseg.testing import Emulator, SyntheticVideo

DEMO_VIDEO = "s3://rekseg-examples/episodes/s01e01.mp4"
EPISODE = SyntheticVideo(duration=45 * 60, frame_rate="30000/1001", shots=540, seed=7)
"""What the emulator's demo video contains: 45 minutes at 29.97 fps drop-frame, 540 shots."""


@contextlib.contextmanager
def open_client(args: argparse.Namespace) -> Iterator[rekseg.Client]:
    """Yield a client for AWS (``--aws``), for ``--endpoint-url``, or for an emulator serving the demo episode."""
    if args.aws or args.endpoint_url:
        yield rekseg.Client(region_name=args.region, endpoint_url=args.endpoint_url)
        return
    with Emulator(polls_to_complete=3) as emulator:
        emulator.add_video(args.video, EPISODE)
        # Let rekseg's RetryPolicy be the only retry layer over the client we hand it.
        boto = emulator.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 1}))
        # The emulator answers in milliseconds: poll it fast rather than every 5 seconds.
        yield rekseg.Client(boto_client=boto, polling=rekseg.PollPolicy(wait_initial=0.05, wait_max=0.2))


def show_progress(progress: rekseg.WaitProgress) -> None:
    print(f"  job {progress.status} after {progress.polls} polls ({progress.elapsed:.1f}s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", default=DEMO_VIDEO, help="s3://bucket/key of the video")
    parser.add_argument("--aws", action="store_true", help="use Amazon Rekognition instead of the emulator")
    parser.add_argument("--region", help="AWS region")
    parser.add_argument("--endpoint-url", help="another endpoint, such as `python -m rekseg.testing`")
    args = parser.parse_args()

    with open_client(args) as client:
        job = client.start(args.video, job_tag="quickstart")
        print(f"started job {job.job_id}")
        result = job.wait(timeout=1800, progress=show_progress)

    print(
        f"{len(result.segments or ())} segments: {len(result.shots)} shots and "
        f"{len(result.technical_cues)} technical cues at {result.frame_rate} fps"
    )
    print("technical cues (first frame, last frame inclusive, frame count):")
    for cue in result.technical_cues:
        print(f"  {cue.cue_type} {cue.start_timecode} {cue.end_timecode} {cue.frame_count}")
    print("first shots:")
    for shot in result.shots[:5]:
        print(f"  shot {shot.shot_index} {shot.start_timecode} {shot.end_timecode} {shot.frame_count}")


if __name__ == "__main__":
    main()
