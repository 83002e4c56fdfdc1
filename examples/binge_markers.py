"""Find a streaming player's markers: the intro to skip, the next-episode point and ad-break candidates.

All positions are frame-exact, from the technical cues (OpeningCredits, EndCredits, BlackFrames, Content) and
shots of the result; see `rekseg.analysis`. With no arguments it runs on rekseg's built-in emulator with a
synthetic episode::

    python examples/binge_markers.py
    python examples/binge_markers.py --json
    python examples/binge_markers.py s3://my-bucket/episode.mp4 --aws
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import botocore.config

import rekseg
from rekseg.testing import Emulator, SyntheticVideo

DEMO_VIDEO = "s3://rekseg-examples/episodes/s01e03.mp4"
EPISODE = SyntheticVideo(duration=44 * 60, frame_rate="30000/1001", shots=480, seed=3)
"""What the emulator's demo video contains: 44 minutes at 29.97 fps drop-frame, 480 shots, every cue type."""
AD_BREAK_SPACING = timedelta(minutes=8)


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


def markers(result: rekseg.SegmentDetectionResult) -> dict[str, Any]:
    """Return what a player needs, in milliseconds (as players seek) and in timecode (as editors read)."""
    program = result.program()
    binge = result.binge_markers()
    breaks = result.ad_breaks(min_spacing=AD_BREAK_SPACING)
    intro = binge.intro
    return {
        "runtime_millis": program.runtime_millis,
        "program": None if program.trim is None else [str(program.trim.start), str(program.trim.end)],
        # intro.end is the intro's last frame; playback resumes on the frame after it, intro.stop.
        "skip_intro": None
        if intro is None
        else {"from": str(intro.start), "resume_at": str(intro.stop), "millis": list(binge.intro_millis or ())},
        "next_episode": None
        if binge.next_episode is None
        else {"at": str(binge.next_episode), "millis": binge.next_episode_millis},
        "ad_breaks": [
            {"at": str(c.at), "millis": c.millis, "reason": c.reason.value, "score": round(c.score, 3)} for c in breaks
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", default=DEMO_VIDEO, help="s3://bucket/key of the video")
    parser.add_argument("--json", action="store_true", help="print the markers as JSON")
    parser.add_argument("--aws", action="store_true", help="use Amazon Rekognition instead of the emulator")
    parser.add_argument("--region", help="AWS region")
    parser.add_argument("--endpoint-url", help="another endpoint, such as `python -m rekseg.testing`")
    args = parser.parse_args()

    with open_client(args) as client:
        result = client.detect(args.video, segment_types=["TECHNICAL_CUE", "SHOT"], timeout=3600)

    found = markers(result)
    if args.json:
        print(json.dumps(found, indent=2))
        return
    print(f"program runtime: {timedelta(milliseconds=found['runtime_millis'])}")
    skip = found["skip_intro"]
    print("skip intro: none" if skip is None else f"skip intro: from {skip['from']}, resume at {skip['resume_at']}")
    nxt = found["next_episode"]
    print("next episode: none" if nxt is None else f"next episode: at {nxt['at']}")
    for item in found["ad_breaks"]:
        print(f"ad break: at {item['at']} ({item['reason']}, score {item['score']})")


if __name__ == "__main__":
    main()
