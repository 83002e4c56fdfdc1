"""Run the emulator in the foreground: ``python -m rekseg.testing --port 8000``.

The first line printed is the endpoint URL (flushed at once, so a parent process can read it); the emulator
then serves until SIGINT or SIGTERM. ``--synthetic s3://bucket/key.mp4`` (repeatable) registers synthetic
videos described by the other options.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from ._content import VideoContent
from ._emulator import DEFAULT_JOB_LIMIT, DEFAULT_REGION, Emulator, RecordedRequest
from ._synthetic import DEFAULT_SEED, DEFAULT_SHOTS, SyntheticVideo

__all__ = ["main", "serve"]


def serve(
    host: str,
    port: int,
    *,
    quiet: bool,
    polls_to_complete: int = 1,
    seconds_to_complete: float | None = None,
    job_limit: int = DEFAULT_JOB_LIMIT,
    region_name: str = DEFAULT_REGION,
    sns_endpoint_url: str | None = None,
    videos: Mapping[str, VideoContent] | None = None,
    media: Mapping[str, Path] | None = None,
    stop: threading.Event | None = None,
    out: TextIO | None = None,
) -> int:
    """Serve an emulator in the foreground until SIGINT, SIGTERM or ``stop`` is set; return the exit status.

    Args:
        host: Interface to listen on.
        port: Port to listen on; 0 picks a free one.
        quiet: Print only the endpoint URL, not one line per request.
        polls_to_complete: GetSegmentDetection calls a job answers IN_PROGRESS before it ends.
        seconds_to_complete: End jobs after this many seconds instead.
        job_limit: Jobs IN_PROGRESS at once before Start raises LimitExceededException.
        region_name: The region clients are expected to use.
        sns_endpoint_url: Where to publish completion notifications.
        videos: Videos to register before serving, by ``s3://bucket/key``.
        media: Video files to serve with their local detection (`Emulator.add_media`), by ``s3://bucket/key``.
        stop: Set it to stop serving (for callers that run this in a thread).
        out: Where to print; standard output by default.
    """
    stream = sys.stdout if out is None else out
    done = threading.Event() if stop is None else stop

    def log(request: RecordedRequest) -> None:
        fault = f" fault={request.fault.name}" if request.fault is not None else ""
        error = f" {request.error_code}" if request.error_code else ""
        print(f"{request.operation} {request.status}{error}{fault} {request.request_id}", file=stream, flush=True)

    emulator = Emulator(
        region_name=region_name,
        polls_to_complete=polls_to_complete,
        seconds_to_complete=seconds_to_complete,
        job_limit=job_limit,
        sns_endpoint_url=sns_endpoint_url,
        host=host,
        port=port,
        on_request=None if quiet else log,
    )
    for uri, content in (videos or {}).items():
        emulator.add_video(uri, content)
    for uri, path in (media or {}).items():
        emulator.add_media(uri, path)
    with emulator, _stop_on_signals(done):
        print(emulator.endpoint_url, file=stream, flush=True)
        if not quiet:
            for uri in videos or {}:
                print(f"video {uri}", file=stream, flush=True)
            for uri, path in (media or {}).items():
                print(f"video {uri} (detected locally in {path})", file=stream, flush=True)
        # A bounded wait keeps the main thread responsive to signals on every platform.
        while not done.wait(0.2):
            pass
    return 0


@contextlib.contextmanager
def _stop_on_signals(done: threading.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        done.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rekseg.testing",
        description="Serve the local Rekognition Video segment-detection emulator until interrupted.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default)")
    parser.add_argument("--polls", type=int, default=1, help="Get calls a job stays IN_PROGRESS (default: 1)")
    parser.add_argument("--seconds", type=float, help="end jobs after this many seconds instead of counting polls")
    parser.add_argument("--job-limit", type=int, default=DEFAULT_JOB_LIMIT, help="concurrent jobs (default: 20)")
    parser.add_argument("--region", default=DEFAULT_REGION, help="region clients use (default: %(default)s)")
    parser.add_argument("--sns-endpoint-url", help="publish completion notifications to this SNS endpoint")
    parser.add_argument("--quiet", action="store_true", help="print only the endpoint URL")
    synthetic = parser.add_argument_group("synthetic videos")
    synthetic.add_argument(
        "--synthetic", action="append", default=[], metavar="S3_URI", help="register a synthetic video (repeatable)"
    )
    synthetic.add_argument("--minutes", type=float, help="length of each synthetic video")
    synthetic.add_argument("--rate", default="29.97df", help="frame rate; a 'df' suffix means drop-frame labels")
    synthetic.add_argument("--shots", type=int, default=DEFAULT_SHOTS, help="shots per video (default: 120)")
    synthetic.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed (default: 0)")
    return parser


def _synthetic(args: argparse.Namespace) -> SyntheticVideo:
    rate = str(args.rate)
    drop: bool | None = False
    if rate.lower().endswith("ndf"):
        rate = rate[:-3]
    elif rate.lower().endswith("df"):
        rate, drop = rate[:-2], True
    return SyntheticVideo(
        duration=None if args.minutes is None else args.minutes * 60,
        frame_rate=rate,
        drop_frame=drop,
        shots=args.shots,
        seed=args.seed,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and serve."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        videos = {uri: _synthetic(args) for uri in args.synthetic}
        return serve(
            args.host,
            args.port,
            quiet=args.quiet,
            polls_to_complete=args.polls,
            seconds_to_complete=args.seconds,
            job_limit=args.job_limit,
            region_name=args.region,
            sns_endpoint_url=args.sns_endpoint_url,
            videos=videos,
        )
    except ValueError as exc:
        parser.error(str(exc))
    except OSError as exc:
        parser.exit(1, f"{parser.prog}: error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}\n")


if __name__ == "__main__":
    sys.exit(main())
