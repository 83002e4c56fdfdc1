"""rekseg.notifications used as a user would; type-checked by mypy --strict, never executed."""

from __future__ import annotations

from typing import Any

import rekseg
from rekseg.notifications import (
    CompletionNotification,
    Finding,
    NotificationStatus,
    SqsListener,
    check_channel,
    parse_notifications,
)


def wait_on_queue(client: rekseg.Client, job: rekseg.Job, queue_url: str) -> rekseg.SegmentDetectionResult:
    """Wait for a job by its notification, with a fallback poll after two minutes of silence."""
    listener = SqsListener(queue_url, region_name="eu-west-1")
    client.wait(job.job_id, timeout=3600, listener=listener)
    return job.wait(timeout=3600.0, listener=listener, fallback_after=120.0)


def handler(event: dict[str, Any], context: object) -> list[str]:
    """A Lambda handler: the finished jobs' ids."""
    notes: list[CompletionNotification] = parse_notifications(event)
    return [n.job_id for n in notes if n.status == NotificationStatus.SUCCEEDED]


def batch(listener: SqsListener, job_ids: list[str]) -> dict[str, bool]:
    """Which of many jobs succeeded, as they finish."""
    return {n.job_id: n.succeeded for n in listener.completions(job_ids, timeout=600)}


def problems(channel: rekseg.NotificationChannel) -> list[str]:
    """The fixes for what is wrong with a channel."""
    findings: list[Finding] = check_channel(channel, queue_url="https://sqs.eu-west-1.amazonaws.com/1/q")
    return [f.fix for f in findings if f.problem and f.fix is not None]
