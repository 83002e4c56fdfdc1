"""The commands that talk to the service: ``detect``, ``start``, ``status``, ``wait`` and ``get``."""

from __future__ import annotations

import argparse
from typing import Any

from .._enums import SegmentType
from .._exceptions import WaitTimeoutError
from .exits import EXIT_ERROR, EXIT_OK, EXIT_USAGE, Fail
from .options import aws_options, client_from_args, output_options, start_kwargs, start_options, wait_options
from .output import progress_from_args, write_result

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    """Add ``detect``, ``start``, ``status``, ``wait`` and ``get``."""
    p = sub.add_parser("detect", parents=[common], help="start a job, wait for it, write its segments")
    start_options(p, video_required=False)
    p.add_argument(
        "--local",
        metavar="FILE",
        help="detect in a local video file instead (needs rekseg[local]): no upload, no job, no cost",
    )
    wait_options(p)
    output_options(p)
    aws_options(p)
    p.set_defaults(handler=_cmd_detect)

    p = sub.add_parser("start", parents=[common], help="start a job and print its JobId")
    start_options(p)
    aws_options(p)
    p.set_defaults(handler=_cmd_start)

    p = sub.add_parser("status", parents=[common], help="print a job's status")
    p.add_argument("job_id", metavar="JOB")
    aws_options(p)
    p.set_defaults(handler=_cmd_status)

    p = sub.add_parser("wait", parents=[common], help="wait for a job, then write its segments")
    p.add_argument("job_id", metavar="JOB")
    wait_options(p)
    output_options(p)
    aws_options(p)
    p.set_defaults(handler=_cmd_wait)

    p = sub.add_parser("get", parents=[common], help="fetch every page of a job's result and write it")
    p.add_argument("job_id", metavar="JOB")
    output_options(p)
    aws_options(p)
    p.set_defaults(handler=_cmd_get)


def _cmd_detect(args: argparse.Namespace) -> int:
    if args.local is not None:
        return _detect_local(args)
    if args.video is None:
        raise Fail(EXIT_USAGE, "bad input: give the video (s3://bucket/key) or --local FILE")
    kwargs = start_kwargs(args)
    client = client_from_args(args)
    progress = progress_from_args(args)
    job = client.start(args.video, **kwargs)
    progress.message(f"started job {job.job_id} for {args.video}")
    try:
        result = job.wait(timeout=args.timeout, progress=progress)
    except WaitTimeoutError as exc:
        progress.timed_out(exc)
        raise
    write_result(args, result)
    return EXIT_OK


def _detect_local(args: argparse.Namespace) -> int:
    if args.video is not None:
        raise Fail(EXIT_USAGE, "bad input: give either the video (s3://bucket/key) or --local FILE, not both")
    for flag, value in (("--job-tag", args.job_tag), ("--client-request-token", args.client_request_token)):
        if value is not None:
            raise Fail(EXIT_USAGE, f"bad input: {flag} applies to a job, and --local starts none")
    kwargs = start_kwargs(args)
    try:
        from ..local import detect_file  # noqa: PLC0415 - PyAV is optional and loaded only here
    except ImportError as exc:
        raise Fail(EXIT_ERROR, f"local detection needs PyAV: pip install 'rekseg[local]' ({exc})") from exc
    progress = progress_from_args(args)
    progress.message(f"detecting locally in {args.local}")
    types = kwargs["segment_types"]
    result = detect_file(
        args.local,
        segment_types=(SegmentType.SHOT, SegmentType.TECHNICAL_CUE) if types is None else types,
        shot_filter=kwargs["shot_filter"],
        technical_cue_filter=kwargs["technical_cue_filter"],
        progress=progress.frames,
    )
    write_result(args, result)
    return EXIT_OK


def _cmd_start(args: argparse.Namespace) -> int:
    kwargs = start_kwargs(args)
    job = client_from_args(args).start(args.video, **kwargs)
    print(job.job_id)
    return EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    print(client_from_args(args).status(args.job_id).value)
    return EXIT_OK


def _cmd_wait(args: argparse.Namespace) -> int:
    progress = progress_from_args(args)
    try:
        result = client_from_args(args).wait(args.job_id, timeout=args.timeout, progress=progress)
    except WaitTimeoutError as exc:
        progress.timed_out(exc)
        raise
    write_result(args, result)
    return EXIT_OK


def _cmd_get(args: argparse.Namespace) -> int:
    write_result(args, client_from_args(args).get(args.job_id))
    return EXIT_OK
