"""The ``rekseg`` command line: detect, start, status, wait, get, export, markers, emulator, demo."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from ._cli_demo import DEMO_VIDEO
from ._cli_output import SEGMENT_HEADERS, ProgressLine, render_table, segment_rows
from ._client import Client
from ._exceptions import (
    ConfigurationError,
    JobFailedError,
    RekSegError,
    ServiceError,
    TransportError,
    ValidationError,
    WaitTimeoutError,
)
from ._models import BlackFrame, SegmentDetectionResult, ShotFilter, TechnicalCueFilter
from ._policies import PollPolicy

__all__ = [
    "EXIT_CREDENTIALS",
    "EXIT_ERROR",
    "EXIT_JOB_FAILED",
    "EXIT_OK",
    "EXIT_SERVICE",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "main",
]

EXIT_OK = 0
EXIT_ERROR = 1
"""Anything unexpected (a bug, or an environment problem rekseg cannot name)."""
EXIT_USAGE = 2
"""Bad arguments or bad input; nothing was sent and nothing written."""
EXIT_JOB_FAILED = 3
EXIT_TIMEOUT = 4
EXIT_SERVICE = 5
"""The service or the network failed (throttled past the retry budget, access denied, unknown job...)."""
EXIT_CREDENTIALS = 6
"""No AWS credentials, region or profile."""

_RESULT_KEYS = frozenset({"Segments", "JobStatus", "VideoMetadata"})

FORMATS = ("table", "json", "jsonl", "csv", "edl", "vtt", "ffmetadata", "otio")


class _Fail(Exception):
    """Stop with a one-line message and an exit code."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)


# -- argument parsing ----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"rekseg: error: {message}\n")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def _aws_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("AWS")
    group.add_argument("--region", help="AWS region (default: your AWS configuration)")
    group.add_argument("--profile", help="named AWS profile")
    group.add_argument("--endpoint-url", help="service endpoint, e.g. a `rekseg emulator` URL")


def _output_options(parser: argparse.ArgumentParser, *, default: str = "table") -> None:
    parser.add_argument("--format", choices=FORMATS, default=default, help=f"output format (default: {default})")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout", type=_seconds, default=3600.0, metavar="S", help="seconds to wait for the job (default: 3600)"
    )
    parser.add_argument(
        "--poll-interval", type=_seconds, default=5.0, metavar="S", help="seconds before the second status call"
    )


def _start_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("video", help="the video: s3://bucket/key.mp4 (?versionId=... allowed)")
    parser.add_argument(
        "--types", default="shot,technical-cue", help="segment types to detect: shot, technical-cue or both"
    )
    parser.add_argument("--shot-min-confidence", type=float, metavar="N", help="minimum shot confidence, 50-100")
    parser.add_argument("--cue-min-confidence", type=float, metavar="N", help="minimum cue confidence, 50-100")
    parser.add_argument("--black-max-pixel-threshold", type=float, metavar="X", help="black-frame pixel threshold, 0-1")
    parser.add_argument("--black-min-coverage", type=float, metavar="P", help="black-frame coverage percent, 0-100")
    parser.add_argument("--job-tag", metavar="T", help="your label for the job")
    parser.add_argument("--client-request-token", metavar="TOKEN", help="idempotency token")


def build_parser() -> argparse.ArgumentParser:
    """Build the ``rekseg`` argument parser."""
    common = _Parser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    common.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")

    parser = _Parser(
        prog="rekseg",
        description="Amazon Rekognition Video segment detection from the shell. Try `rekseg demo` first: "
        "it runs on the built-in emulator, no AWS account needed.",
        epilog="exit codes: 0 ok, 1 unexpected error, 2 bad arguments or input, 3 job failed, "
        "4 wait timed out, 5 service or network error, 6 missing AWS credentials or region",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"rekseg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("detect", parents=[common], help="start a job, wait for it, write its segments")
    _start_options(p)
    _wait_options(p)
    _output_options(p)
    _aws_options(p)
    p.set_defaults(handler=_cmd_detect)

    p = sub.add_parser("start", parents=[common], help="start a job and print its JobId")
    _start_options(p)
    _aws_options(p)
    p.set_defaults(handler=_cmd_start)

    p = sub.add_parser("status", parents=[common], help="print a job's status")
    p.add_argument("job_id", metavar="JOB")
    _aws_options(p)
    p.set_defaults(handler=_cmd_status)

    p = sub.add_parser("wait", parents=[common], help="wait for a job, then write its segments")
    p.add_argument("job_id", metavar="JOB")
    _wait_options(p)
    _output_options(p)
    _aws_options(p)
    p.set_defaults(handler=_cmd_wait)

    p = sub.add_parser("get", parents=[common], help="fetch every page of a job's result and write it")
    p.add_argument("job_id", metavar="JOB")
    _output_options(p)
    _aws_options(p)
    p.set_defaults(handler=_cmd_get)

    p = sub.add_parser("export", parents=[common], help="convert a saved result (JSON) to another format, offline")
    p.add_argument("result", metavar="RESULT.json", help="a result saved with --format json")
    _output_options(p)
    p.set_defaults(handler=_cmd_export)

    p = sub.add_parser(
        "markers", parents=[common], help="print binge markers, ad-break candidates and runtime of a saved result"
    )
    p.add_argument("result", metavar="RESULT.json", help="a result saved with --format json")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(handler=_cmd_markers)

    p = sub.add_parser(
        "emulator",
        parents=[common],
        help=f"serve the local segment-detection emulator (the demo episode is at {DEMO_VIDEO})",
    )
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--polls", type=int, default=1, help="polls a job answers IN_PROGRESS before it ends (default: 1)")
    p.set_defaults(handler=_cmd_emulator)

    p = sub.add_parser(
        "demo", parents=[common], help="run the whole main job on the built-in emulator (no AWS account needed)"
    )
    p.add_argument("--output-dir", default="rekseg-demo-output", metavar="DIR", help="folder for the exports (created)")
    p.add_argument("--seed", type=int, default=7, help="seed of the synthetic episode")
    p.set_defaults(handler=_cmd_demo)
    from ._cli_doctor import add_parser as add_doctor_parser

    add_doctor_parser(sub, parents=[common])
    return parser


# -- shared pieces -------------------------------------------------------------------------------------


def _client(args: argparse.Namespace) -> Client:
    return Client(
        region_name=args.region,
        endpoint_url=args.endpoint_url,
        profile_name=args.profile,
        polling=PollPolicy(wait_initial=getattr(args, "poll_interval", 5.0)),
    )


def _types(text: str) -> list[str]:
    names = {
        "shot": "SHOT",
        "shots": "SHOT",
        "technical-cue": "TECHNICAL_CUE",
        "technical_cue": "TECHNICAL_CUE",
        "technical-cues": "TECHNICAL_CUE",
        "cue": "TECHNICAL_CUE",
        "cues": "TECHNICAL_CUE",
    }
    out = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        value = names.get(item.lower(), item.upper())
        out.append(value)
    if not out:
        raise ValidationError("--types", "must name at least one of shot, technical-cue", text)
    return out


def _start_kwargs(args: argparse.Namespace) -> dict[str, Any]:
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


def _progress(args: argparse.Namespace) -> ProgressLine:
    return ProgressLine(sys.stderr, enabled=not args.quiet)


def _emit(args: argparse.Namespace, write: Callable[[TextIO], object]) -> None:
    """Write output to ``-o FILE`` (atomically: complete or absent) or stdout."""
    target = getattr(args, "output", None)
    if not target:
        write(sys.stdout)
        sys.stdout.flush()
        return
    path = Path(target)
    directory = path.parent if str(path.parent) else Path()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            write(stream)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_result(args: argparse.Namespace, result: SegmentDetectionResult) -> None:
    fmt = args.format
    if fmt == "table":
        _emit(args, lambda s: s.write(_result_table(result)))
        return
    from . import export

    _emit(args, lambda s: export.write(result, fmt, s))


def _result_table(result: SegmentDetectionResult) -> str:
    rows = list(segment_rows(result.chronological()))
    head = (
        f"job {result.job_id or '?'}: {result.job_status or '?'}, {len(result.segments or ())} segments "
        f"({len(result.shots)} shots, {len(result.technical_cues)} technical cues)"
    )
    rate = result.frame_rate
    if rate is not None:
        head += f" at {rate} fps"
    return head + "\n\n" + render_table(SEGMENT_HEADERS, rows)


def _load_result(path: str) -> SegmentDetectionResult:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _Fail(EXIT_USAGE, f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Fail(
            EXIT_USAGE, f"{path} is not JSON ({exc.msg} at line {exc.lineno}): save results with --format json"
        ) from exc
    if not isinstance(data, dict) or not _RESULT_KEYS & data.keys():
        raise _Fail(
            EXIT_USAGE,
            f"{path} is not a GetSegmentDetection response (no Segments, JobStatus or VideoMetadata): "
            "save results with --format json",
        )
    try:
        return SegmentDetectionResult.from_response(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise _Fail(EXIT_USAGE, f"{path} is not a valid GetSegmentDetection response: {exc}") from exc


# -- commands ------------------------------------------------------------------------------------------


def _cmd_detect(args: argparse.Namespace) -> int:
    kwargs = _start_kwargs(args)
    client = _client(args)
    progress = _progress(args)
    job = client.start(args.video, **kwargs)
    progress.message(f"started job {job.job_id} for {args.video}")
    result = job.wait(timeout=args.timeout, progress=progress)
    _write_result(args, result)
    return EXIT_OK


def _cmd_start(args: argparse.Namespace) -> int:
    kwargs = _start_kwargs(args)
    job = _client(args).start(args.video, **kwargs)
    print(job.job_id)
    return EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    print(_client(args).status(args.job_id).value)
    return EXIT_OK


def _cmd_wait(args: argparse.Namespace) -> int:
    result = _client(args).wait(args.job_id, timeout=args.timeout, progress=_progress(args))
    _write_result(args, result)
    return EXIT_OK


def _cmd_get(args: argparse.Namespace) -> int:
    _write_result(args, _client(args).get(args.job_id))
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    _write_result(args, _load_result(args.result))
    return EXIT_OK


def _cmd_markers(args: argparse.Namespace) -> int:
    from ._cli_markers import markers_json, markers_table

    result = _load_result(args.result)
    if args.format == "json":
        _emit(args, lambda s: s.write(json.dumps(markers_json(result), indent=2) + "\n"))
    else:
        _emit(args, lambda s: s.write(markers_table(result)))
    return EXIT_OK


def _cmd_emulator(args: argparse.Namespace) -> int:
    from ._cli_demo import demo_episode
    from .testing.__main__ import serve

    if args.polls < 0:
        raise ValidationError("--polls", "must be 0 or more", args.polls)
    code: int = serve(
        host=args.host,
        port=args.port,
        quiet=args.quiet,
        polls_to_complete=args.polls,
        videos={DEMO_VIDEO: demo_episode()},
    )
    return code


def _cmd_demo(args: argparse.Namespace) -> int:
    from ._cli_demo import run_demo

    code: int = run_demo(output_dir=Path(args.output_dir), seed=args.seed, progress=_progress(args))
    return code


# -- entry point ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``rekseg`` command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.debug:
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        code, message = _describe(exc)
        _say(message)
        return code
    return code


def _describe(exc: BaseException) -> tuple[int, str]:
    if isinstance(exc, _Fail):
        return exc.code, str(exc)
    if isinstance(exc, ValidationError):
        return EXIT_USAGE, f"bad input: {exc}"
    if isinstance(exc, ConfigurationError):
        return EXIT_CREDENTIALS, str(exc)
    if isinstance(exc, JobFailedError):
        return EXIT_JOB_FAILED, f"{exc}; check the video is a supported format and readable by Rekognition"
    if isinstance(exc, WaitTimeoutError):
        return EXIT_TIMEOUT, f"{exc}; later, run `rekseg wait {exc.job_id}` or `rekseg get {exc.job_id}`"
    if isinstance(exc, ServiceError):
        return EXIT_SERVICE, f"service error: {exc}"
    if isinstance(exc, TransportError):
        return EXIT_SERVICE, f"network error: {exc}; check your connection or --endpoint-url"
    if isinstance(exc, RekSegError):
        return EXIT_ERROR, str(exc)
    if isinstance(exc, ImportError):
        return EXIT_ERROR, f"missing package: {exc}"
    return EXIT_ERROR, f"unexpected {type(exc).__name__}: {exc} (run again with --debug for a traceback)"


def _say(message: str) -> None:
    sys.stderr.write(f"rekseg: {message}\n")
    sys.stderr.flush()
