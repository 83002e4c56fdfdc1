"""Option groups shared by several commands, and the objects built from them (client, start options)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from .._client import Client
from .._exceptions import TimecodeError, ValidationError
from .._models import BlackFrame, ShotFilter, TechnicalCueFilter
from .._policies import PollPolicy
from .._requests import StartOptions
from .._timecode import FrameRate, check_label
from .._validation import check_timeout
from ..export._common import FORMAT_OPTIONS, check_reel
from ..export._edl import DEFAULT_REEL
from .exits import EXIT_USAGE, Fail

__all__ = [
    "EVENTS",
    "FORMATS",
    "Parser",
    "aws_options",
    "check_destination",
    "check_export_options",
    "client_from_args",
    "export_kwargs",
    "output_options",
    "saved_result_options",
    "seconds",
    "start_filter_options",
    "start_kwargs",
    "start_options",
    "wait_options",
]

FORMATS = ("table", "json", "jsonl", "csv", "edl", "vtt", "ffmetadata", "otio")
"""What ``--format`` takes for commands that write a result."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors exit with `EXIT_USAGE` and a ``rekseg: error:`` line."""

    def error(self, message: str) -> NoReturn:
        """Print the usage and the error, then exit 2."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"rekseg: error: {message}\n")


def seconds(text: str) -> float:
    """Parse a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    try:
        checked = check_timeout(value)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(f"{exc.rule}, got {text!r}") from None
    assert isinstance(checked, float)
    return checked


def aws_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--region``, ``--profile`` and ``--endpoint-url``."""
    group = parser.add_argument_group("AWS")
    group.add_argument("--region", help="AWS region (default: your AWS configuration)")
    group.add_argument("--profile", help="named AWS profile")
    group.add_argument("--endpoint-url", help="service endpoint, e.g. a `rekseg emulator` URL")


def output_options(parser: argparse.ArgumentParser, *, default: str = "table") -> None:
    """Add ``--format``, ``-o/--output`` and the export options (``--events``, ``--start-timecode``...)."""
    parser.add_argument("--format", choices=FORMATS, default=default, help=f"output format (default: {default})")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    group = parser.add_argument_group("export options (only for the formats that use them)")
    group.add_argument(
        "--events",
        choices=EVENTS,
        help="what an EDL event or a chapter stands for (edl, vtt, ffmetadata; default: shots)",
    )
    group.add_argument(
        "--start-timecode",
        metavar="TC",
        help="timecode of the video's first frame, e.g. 01:00:00:00 (edl, otio; default: 00:00:00:00)",
    )
    group.add_argument("--reel", help=f"EDL source reel name, 1-8 characters (edl; default: {DEFAULT_REEL})")
    group.add_argument(
        "--title", help="title of the EDL, chapters or timeline (edl, vtt, ffmetadata, otio; default: the file name)"
    )


EVENTS = ("shots", "technical-cues")
"""What ``--events`` takes."""


def export_kwargs(args: argparse.Namespace) -> dict[str, str]:
    """Return the export options given on the command line, by `rekseg.export.write`'s names."""
    given = {
        "events": None if args.events is None else args.events.replace("-", "_"),
        "start_timecode": args.start_timecode,
        "reel": args.reel,
        "title": args.title,
    }
    return {name: value for name, value in given.items() if value is not None}


def check_export_options(args: argparse.Namespace) -> None:
    """Refuse export options the format does not use, or cannot take, before anything is started.

    ``--start-timecode`` is checked by `Timecode.parse`'s rules that hold at every rate (and, given
    ``--frame-rate``, that its frames are below the rate's); the rest needs the video's rate and labelling, and
    is checked by the export itself.

    Raises:
        ValidationError: Named after the flag: an option ``--format`` does not use, or a malformed value.
    """
    options = export_kwargs(args)
    used = FORMAT_OPTIONS.get(args.format, frozenset())
    for name, value in options.items():
        if name not in used:
            raise ValidationError(name, f"does not apply to --format {args.format}", value)
    reel = options.get("reel")
    if reel is not None:
        check_reel(reel)
    start = options.get("start_timecode")
    if start is not None:
        # Timecode.parse's own rules, as far as they hold before the video's rate is known: `detect` knows it only
        # once the job is done, so the frames are checked here only against a --frame-rate given.
        try:
            check_label(start, getattr(args, "frame_rate", None))
        except TimecodeError as exc:
            raise ValidationError("start_timecode", f"must be a timecode: {exc.rule}", start) from None


def check_destination(path: str) -> None:
    """Refuse an ``-o`` path that cannot be written, before anything is started or fetched.

    Raises:
        Fail: With `EXIT_USAGE` and the path as given: a directory, a missing or unwritable folder, a
            read-only file.
    """
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise Fail(EXIT_USAGE, f"-o {path}: is a directory; give a file name, such as {target / 'result.json'}")
    if not folder.is_dir():
        raise Fail(EXIT_USAGE, f"-o {path}: the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise Fail(EXIT_USAGE, f"-o {path}: cannot create files in {folder} (permission denied)")
    if target.exists() and not os.access(target, os.W_OK):
        raise Fail(EXIT_USAGE, f"-o {path}: the file is read-only")


def wait_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--timeout`` and ``--poll-interval``."""
    parser.add_argument(
        "--timeout", type=seconds, default=3600.0, metavar="S", help="seconds to wait for the job (default: 3600)"
    )
    parser.add_argument(
        "--poll-interval",
        type=seconds,
        default=5.0,
        metavar="S",
        help="seconds before the second status call; later ones grow (default: 5; 0.1 against the emulator)",
    )


def start_options(parser: argparse.ArgumentParser, *, video_required: bool = True) -> None:
    """Add the video and every option of StartSegmentDetection."""
    parser.add_argument(
        "video", nargs=None if video_required else "?", help="the video: s3://bucket/key.mp4 (?versionId=... allowed)"
    )
    start_filter_options(parser)
    parser.add_argument("--client-request-token", metavar="TOKEN", help="idempotency token")


def start_filter_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Add what to detect and how: ``--types``, the confidence and black-frame filters, ``--job-tag``."""
    parser.add_argument(
        "--types", default="shot,technical-cue", help="segment types to detect: shot, technical-cue or both"
    )
    parser.add_argument("--shot-min-confidence", type=float, metavar="N", help="minimum shot confidence, 50-100")
    parser.add_argument("--cue-min-confidence", type=float, metavar="N", help="minimum cue confidence, 50-100")
    parser.add_argument("--black-max-pixel-threshold", type=float, metavar="X", help="black-frame pixel threshold, 0-1")
    parser.add_argument("--black-min-coverage", type=float, metavar="P", help="black-frame coverage percent, 0-100")
    parser.add_argument("--job-tag", metavar="T", help="your label for the job")


def _frame_rate(text: str) -> FrameRate:
    try:
        return FrameRate.coerce(text)
    except ValidationError:
        raise argparse.ArgumentTypeError(
            f"must be a frame rate such as 25, 29.97 or 30000/1001, got {text!r}"
        ) from None


def saved_result_options(parser: argparse.ArgumentParser) -> None:
    """Add the saved result file(s) and ``--frame-rate`` (for ``export`` and ``markers``)."""
    parser.add_argument(
        "result",
        nargs="+",
        metavar="RESULT.json",
        help="a result saved with --format json, or every page of one job's GetSegmentDetection responses, in order",
    )
    parser.add_argument(
        "--frame-rate",
        type=_frame_rate,
        metavar="RATE",
        help="the video's frame rate (25, 29.97, 30000/1001), for results saved without VideoMetadata",
    )


def client_from_args(args: argparse.Namespace) -> Client:
    """Build the `Client` the AWS options describe."""
    return Client(
        region_name=args.region,
        endpoint_url=args.endpoint_url,
        profile_name=args.profile,
        polling=PollPolicy(wait_initial=getattr(args, "poll_interval", 5.0)),
    )


_TYPE_NAMES = {
    "shot": "SHOT",
    "shots": "SHOT",
    "technical-cue": "TECHNICAL_CUE",
    "technical_cue": "TECHNICAL_CUE",
    "technical-cues": "TECHNICAL_CUE",
    "cue": "TECHNICAL_CUE",
    "cues": "TECHNICAL_CUE",
}


def _types(text: str) -> list[str]:
    out = [_TYPE_NAMES.get(item.lower(), item.upper()) for raw in text.split(",") if (item := raw.strip())]
    if not out:
        raise ValidationError("--types", "must name at least one of shot, technical-cue", text)
    return out


def start_kwargs(args: argparse.Namespace) -> StartOptions:
    """Return the `StartOptions` that the start options on the command line describe."""
    shot_filter = None
    if args.shot_min_confidence is not None:
        shot_filter = ShotFilter(min_segment_confidence=args.shot_min_confidence)
    black = None
    if args.black_max_pixel_threshold is not None or args.black_min_coverage is not None:
        black = BlackFrame(
            max_pixel_threshold=args.black_max_pixel_threshold, min_coverage_percentage=args.black_min_coverage
        )
    cue_filter = None
    if args.cue_min_confidence is not None or black is not None:
        cue_filter = TechnicalCueFilter(min_segment_confidence=args.cue_min_confidence, black_frame=black)
    return {
        "segment_types": _types(args.types),
        "shot_filter": shot_filter,
        "technical_cue_filter": cue_filter,
        "job_tag": args.job_tag,
        "client_request_token": args.client_request_token,
    }
