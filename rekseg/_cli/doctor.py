"""``rekseg doctor``: check a notification channel (SNS topic, IAM role, SQS queue) before starting jobs."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Final

from .._models import NotificationChannel
from .exits import EXIT_PROBLEM_FOUND
from .options import aws_options

__all__ = ["EXIT_PROBLEM", "register", "run"]

EXIT_PROBLEM: Final = EXIT_PROBLEM_FOUND
"""At least one check found a problem."""


def register(sub: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    """Add ``rekseg doctor``."""
    p = sub.add_parser(
        "doctor",
        parents=[common],
        help="check that a job's completion notification can reach its topic (and your queue)",
        description="Check the notification channel before starting jobs: the topic exists in the region, its "
        "name suits the role's policy, Rekognition may assume the role, the role may publish to the topic, and the "
        "queue is subscribed and allows the topic. Read-only: nothing is changed.",
        epilog=f"exit codes: 0 no problem found, {EXIT_PROBLEM} a problem found, 2 bad arguments, "
        "6 missing AWS credentials",
    )
    p.add_argument("--sns-topic-arn", required=True, metavar="ARN", help="the topic given to StartSegmentDetection")
    p.add_argument("--role-arn", required=True, metavar="ARN", help="the role Rekognition assumes to publish")
    p.add_argument("--queue-url", metavar="URL", help="the SQS queue that should receive the notifications")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    aws_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the checks, print one finding per line with its fix, and return the exit code."""
    from ..notifications import Outcome, check_channel  # noqa: PLC0415 -- only this command needs it

    channel = NotificationChannel(sns_topic_arn=args.sns_topic_arn, role_arn=args.role_arn)
    findings = check_channel(
        channel,
        queue_url=args.queue_url,
        region_name=args.region,
        endpoint_url=args.endpoint_url,
        profile_name=args.profile,
    )
    if args.format == "json":
        rows = [{"check": f.check, "outcome": f.outcome.value, "detail": f.detail, "fix": f.fix} for f in findings]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    else:
        width = max(len(f.check) for f in findings)
        for finding in findings:
            sys.stdout.write(f"{finding.outcome.value:<15} {finding.check:<{width}}  {finding.detail}\n")
            if finding.fix and not finding.ok:
                sys.stdout.write(f"{'':<15} {'':<{width}}  fix: {finding.fix}\n")
        problems = sum(f.problem for f in findings)
        unknown = sum(f.outcome is Outcome.COULD_NOT_CHECK for f in findings)
        sys.stdout.write(f"\n{problems} problem(s), {unknown} could not be checked, {len(findings)} checks\n")
    sys.stdout.flush()
    return EXIT_PROBLEM if any(f.problem for f in findings) else 0
