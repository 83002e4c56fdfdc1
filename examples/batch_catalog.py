"""Process a catalog of episodes with `rekseg.batch.run`: capacity-limited, crash-safe, resumable.

With no arguments it runs on rekseg's built-in emulator, whose account limit is set to 3 jobs at once while the
batch asks for 20, so you can watch videos wait for capacity instead of failing. Run it twice: the second run
resumes, finds every video done and makes no request. ::

    python examples/batch_catalog.py -o results/
    python examples/batch_catalog.py catalog.csv --aws -o results/   # your own manifest, on AWS
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator

import rekseg
from rekseg import batch
from rekseg.batch import BatchEvent
from rekseg.testing import Emulator, SyntheticVideo

EPISODES = [f"s3://rekseg-examples/season-1/ep{n:02d}.mp4" for n in range(1, 13)]
"""The demo catalog: twelve episodes."""
BROKEN = "s3://rekseg-examples/season-1/missing.mp4"
"""A video the demo service does not have: it fails with InvalidS3ObjectException, for good."""
DEMO_JOB_LIMIT = 3


@contextlib.contextmanager
def demo_client() -> Iterator[rekseg.Client]:
    """A client of the built-in emulator, whose account limit is 3 concurrent jobs."""
    with Emulator(seconds_to_complete=0.15, job_limit=DEMO_JOB_LIMIT) as emulator:
        for n, uri in enumerate(EPISODES):
            emulator.add_video(uri, SyntheticVideo(duration=1320, shots=60, seed=n))
        polling = rekseg.PollPolicy(wait_initial=0.05, wait_max=0.2)
        yield rekseg.Client(boto_client=emulator.boto_client(), polling=polling)


def show(event: BatchEvent) -> None:
    """Print what happens to each video, with where the batch stands."""
    counts = event.counts
    where = f"[done {counts.done}/{counts.total}, running {counts.running}, waiting {counts.waiting}]"
    detail = f": {event.message}" if event.kind == "failed" else ""
    print(f"{where} {event.kind} {event.video}{detail}")


def main(argv: list[str] | None = None) -> int:
    """Run the batch and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", nargs="?", help="a manifest (default: the demo catalog on the emulator)")
    parser.add_argument("-o", "--output", default="results", help="output directory (default: results)")
    parser.add_argument("--aws", action="store_true", help="use your AWS account instead of the emulator")
    args = parser.parse_args(argv)
    videos = args.manifest or [*EPISODES, BROKEN]
    with contextlib.ExitStack() as stack:
        client = rekseg.Client() if args.aws else stack.enter_context(demo_client())
        report = batch.run(videos, output=args.output, client=client, formats=("json", "edl"), progress=show)
    counts = report.counts
    print(f"{counts.done} done, {counts.failed} failed of {counts.total}; report in {args.output}/report.csv")
    for item in report.failed:
        kind = "for good" if item.final else "retry with retry_failed=True"
        print(f"failed ({kind}): {item.video}: {item.error_code}")
    return 0 if counts.done + len([i for i in report.failed if i.final]) == counts.total else 1


if __name__ == "__main__":
    sys.exit(main())
