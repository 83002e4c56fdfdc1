"""``rekseg batch``: process a catalog of videos, resumably, with a live progress line."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, TextIO

import botocore.session

from .._models import NotificationChannel
from .exits import EXIT_JOB_FAILED, EXIT_OK, EXIT_TIMEOUT, EXIT_USAGE, Fail
from .options import aws_options, client_from_args, seconds, start_filter_options, start_kwargs
from .output import format_duration

__all__ = ["BatchProgress", "register"]

_PLAIN_EVERY = 10.0
"""Seconds between status lines when stderr is not a terminal."""


def register(sub: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    """Add ``rekseg batch``."""
    p = sub.add_parser(
        "batch",
        parents=[common],
        help="process a catalog of videos (resumable: run it again to continue)",
        description="Start a job for every video of MANIFEST (at most --max-jobs at once), write each result and "
        "its exports to --out, and keep the state in --store so that running the same command again resumes: "
        "no video's job is started twice and no written result is fetched again.",
    )
    p.add_argument(
        "manifest",
        metavar="MANIFEST",
        help="one s3:// URI a line, a .csv with a 'video' column and option columns, a .jsonl, "
        "or an s3://bucket/prefix/ to list",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output directory, or s3://bucket/prefix/")
    p.add_argument(
        "--store",
        metavar="PATH|dynamodb://TABLE[/BATCH]",
        help="state store: an SQLite file (default: DIR/rekseg-batch.sqlite) or a DynamoDB table for several workers",
    )
    p.add_argument("--create-table", action="store_true", help="create the DynamoDB table first if it is missing")
    p.add_argument(
        "--max-jobs",
        type=int,
        default=20,
        metavar="N",
        help="jobs in progress at once, across every worker of the store (default: 20)",
    )
    p.add_argument("--queue-url", metavar="URL", help="SQS queue of the jobs' SNS topic: listen instead of polling")
    p.add_argument(
        "--format",
        default="json",
        metavar="FORMATS",
        help="comma-separated exports per video besides its result JSON: json,jsonl,csv,edl,vtt,ffmetadata,otio",
    )
    p.add_argument("--retry-failed", action="store_true", help="try failed videos again (unless the error is final)")
    p.add_argument(
        "--poll-interval", type=seconds, default=5.0, metavar="S", help="seconds before a job's second status call"
    )
    p.add_argument("--poll-rate", type=float, default=2.0, metavar="N", help="status calls per second in all")
    p.add_argument("--lease", type=seconds, default=120.0, metavar="S", help="seconds a worker's hold on a video lasts")
    p.add_argument("--timeout", type=seconds, metavar="S", help="stop after S seconds; run again to continue")
    p.add_argument(
        "--capacity-timeout",
        type=seconds,
        default=6 * 3600.0,
        metavar="S",
        help="fail the videos without a job (retryable) once every Start was refused for lack of capacity for S "
        "seconds (default: 21600)",
    )
    p.add_argument("--worker-id", metavar="ID", help="this worker's name in leases (default: host/pid/random)")
    start = p.add_argument_group("start options (for every video without its own in the manifest)")
    start_filter_options(start)
    start.add_argument("--sns-topic-arn", metavar="ARN", help="SNS topic the jobs notify (with --role-arn)")
    start.add_argument("--role-arn", metavar="ARN", help="role Rekognition assumes to publish to the topic")
    aws_options(p)
    p.add_argument("--s3-endpoint-url", metavar="URL", help="S3 endpoint (for an s3:// manifest or output)")
    p.add_argument("--dynamodb-endpoint-url", metavar="URL", help="DynamoDB endpoint (for a dynamodb:// store)")
    p.set_defaults(handler=_cmd_batch, client_request_token=None)


class BatchProgress:
    """Show a batch's progress on a stream: one live line on a terminal, a line every few seconds otherwise.

    Failures are always shown on a line of their own.
    """

    def __init__(self, stream: TextIO, *, enabled: bool = True, live: bool | None = None) -> None:
        self._stream = stream
        self._enabled = enabled
        self._live = stream.isatty() if live is None else live
        self._last_plain = -_PLAIN_EVERY
        self._dirty = False

    def __call__(self, event: Any) -> None:
        """Show one `rekseg.batch.BatchEvent`."""
        if not self._enabled:
            return
        if event.kind == "failed":
            self._line(f"failed: {event.video}: {event.message}")
        line = self.status(event.counts, event.elapsed)
        if self._live:
            self._stream.write("\r\x1b[2K" + line)
            self._dirty = True
        elif event.elapsed - self._last_plain >= _PLAIN_EVERY or event.counts.finished == event.counts.total:
            self._last_plain = event.elapsed
            self._stream.write(line + "\n")
        self._stream.flush()

    @staticmethod
    def status(counts: Any, elapsed: float) -> str:
        """Render the counts, the rate and the ETA as one line."""
        line = (
            f"done {counts.done}/{counts.total}, running {counts.running}, "
            f"waiting for capacity {counts.waiting}, failed {counts.failed}"
        )
        if counts.finished and elapsed > 0:
            rate = counts.finished / elapsed
            left = counts.total - counts.finished
            line += f", {rate * 60:.1f}/min, ETA {format_duration(left / rate)}"
        return line

    def _line(self, text: str) -> None:
        self.finish()
        self._stream.write(text + "\n")

    def message(self, text: str) -> None:
        """Write one plain line."""
        if self._enabled:
            self._line(text)
            self._stream.flush()

    def finish(self) -> None:
        """End a live line."""
        if self._dirty:
            self._stream.write("\n")
            self._stream.flush()
            self._dirty = False


def _s3_client(args: argparse.Namespace) -> Any:
    session = botocore.session.Session(profile=args.profile)
    return session.create_client("s3", region_name=args.region, endpoint_url=args.s3_endpoint_url)


def _store(args: argparse.Namespace) -> Any:
    from .. import batch  # noqa: PLC0415 -- only this command loads rekseg.batch

    spec: str | None = args.store
    if spec is None or not spec.startswith("dynamodb://"):
        if args.create_table:
            raise Fail(EXIT_USAGE, "--create-table needs --store dynamodb://TABLE")
        return None if spec is None else batch.SqliteStore(spec)
    table, _, name = spec[len("dynamodb://") :].partition("/")
    building = {"region_name": args.region, "endpoint_url": args.dynamodb_endpoint_url, "profile_name": args.profile}
    if args.create_table:
        batch.create_dynamodb_table(table, **building)
    return batch.DynamoDBStore(table, batch=name or "default", **building)


def _listener(args: argparse.Namespace) -> Any:
    if not args.queue_url:
        return None
    try:
        from ..notifications import SqsListener  # noqa: PLC0415 -- only --queue-url loads rekseg.notifications
    except ImportError:
        raise Fail(EXIT_USAGE, "--queue-url needs rekseg.notifications, which this rekseg does not have") from None
    return SqsListener(args.queue_url, region_name=args.region, profile_name=args.profile)


def _cmd_batch(args: argparse.Namespace) -> int:
    from .. import batch  # noqa: PLC0415 -- only this command loads rekseg.batch

    options = start_kwargs(args)
    options.pop("client_request_token", None)
    if args.sns_topic_arn or args.role_arn:
        options["notification_channel"] = NotificationChannel(sns_topic_arn=args.sns_topic_arn, role_arn=args.role_arn)
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    needs_s3 = args.manifest.startswith("s3://") or args.out.startswith("s3://")
    progress = BatchProgress(sys.stderr, enabled=not args.quiet)
    store = _store(args)
    started = time.monotonic()
    try:
        report = batch.run(
            args.manifest,
            output=args.out,
            store=store,
            formats=formats,
            max_jobs=args.max_jobs,
            listener=_listener(args),
            client=client_from_args(args),
            progress=progress,
            options=options,
            retry_failed=args.retry_failed,
            poll_rate=args.poll_rate,
            lease=args.lease,
            timeout=args.timeout,
            capacity_timeout=args.capacity_timeout,
            s3_client=_s3_client(args) if needs_s3 else None,
            worker_id=args.worker_id,
        )
    finally:
        progress.finish()
        if store is not None:
            store.close()
    counts = report.counts
    where = args.out.rstrip("/")
    progress.message(
        f"batch: {counts.done} done, {counts.failed} failed, {counts.total - counts.finished} unfinished "
        f"of {counts.total} in {format_duration(time.monotonic() - started)}; report: {where}/report.csv"
    )
    if counts.finished < counts.total:
        return EXIT_TIMEOUT
    return EXIT_JOB_FAILED if counts.failed else EXIT_OK
