"""Write a CMX 3600 EDL of a video's shots for an editor, with the timeline starting at 01:00:00:00.

Each shot becomes one event. Its out points are the frame *after* its last frame (an EDL's out is exclusive,
while the service names the last frame), so consecutive shots give contiguous events and nothing is one frame
off; a drop-frame video gives a drop-frame EDL. With no arguments it runs on rekseg's built-in emulator with a
synthetic episode::

    python examples/edl_for_editor.py -o shots.edl
    python examples/edl_for_editor.py s3://my-bucket/episode.mp4 --aws -o shots.edl --start 00:00:00:00
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator

import botocore.config

import rekseg
from rekseg import export
from rekseg.testing import Emulator, SyntheticVideo

DEMO_VIDEO = "s3://rekseg-examples/episodes/s01e04.mp4"
EPISODE = SyntheticVideo(duration=22 * 60, frame_rate="30000/1001", shots=300, seed=4)
"""What the emulator's demo video contains: 22 minutes at 29.97 fps drop-frame, 300 shots."""


@contextlib.contextmanager
def open_client(args: argparse.Namespace) -> Iterator[rekseg.Client]:
    """Yield a client for AWS (``--aws``), for ``--endpoint-url``, or for an emulator serving the demo episode."""
    if args.aws or args.endpoint_url:
        yield rekseg.Client(region_name=args.region, endpoint_url=args.endpoint_url)
        return
    with Emulator(polls_to_complete=1) as emulator:
        emulator.add_video(args.video, EPISODE)
        boto = emulator.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 1}))
        yield rekseg.Client(boto_client=boto, polling=rekseg.PollPolicy(wait_initial=0.05, wait_max=0.2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", default=DEMO_VIDEO, help="s3://bucket/key of the video")
    parser.add_argument("-o", "--output", help="the .edl file to write (default: stdout)")
    parser.add_argument("--start", default="01:00:00:00", help="record timecode of the first frame")
    parser.add_argument("--title", help="the EDL's TITLE (default: the video's file name)")
    parser.add_argument("--min-confidence", type=float, help="leave out shots below this confidence (50-100)")
    parser.add_argument("--aws", action="store_true", help="use Amazon Rekognition instead of the emulator")
    parser.add_argument("--region", help="AWS region")
    parser.add_argument("--endpoint-url", help="another endpoint, such as `python -m rekseg.testing`")
    args = parser.parse_args()

    shot_filter = None if args.min_confidence is None else rekseg.ShotFilter(min_segment_confidence=args.min_confidence)
    with open_client(args) as client:
        result = client.detect(args.video, segment_types=["SHOT"], shot_filter=shot_filter, timeout=3600)

    export.write(result, "edl", args.output or sys.stdout, start_timecode=args.start, title=args.title)
    print(f"wrote {len(result.shots)} events to {args.output or 'stdout'}", file=sys.stderr)


if __name__ == "__main__":
    main()
