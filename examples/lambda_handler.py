"""A Lambda function that turns Rekognition's completion notifications into segment summaries.

Deploy it with either trigger; the same handler reads both, because `parse_notifications` tells the forms apart:

- an **SNS trigger** on the topic given to StartSegmentDetection (the event holds ``Records[].Sns.Message``);
- an **SQS trigger** on a queue subscribed to that topic, raw delivery or not (``Records[].body``).

For each finished segment detection job it fetches the whole result (every page) and returns a short summary;
a failed job is reported, not raised, so one bad video does not make Lambda retry the whole batch. Notifications
of other Rekognition APIs sharing the topic are skipped. The function's role needs
``rekognition:GetSegmentDetection``; ``rekseg`` and its dependencies go in the deployment package or a layer.

Handler: ``lambda_handler.handler``.
"""

from __future__ import annotations

import logging
from typing import Any

import rekseg
from rekseg.notifications import NotificationStatus, parse_notifications

log = logging.getLogger(__name__)

SEGMENT_APIS = frozenset({"StartSegmentDetection", "SEGMENT_DETECTION"})
"""The ``API`` values of segment detection notifications (the service has sent both spellings)."""

_client: rekseg.Client | None = None


def client() -> rekseg.Client:
    """One client per Lambda container, made on first use and kept for later invocations."""
    global _client  # noqa: PLW0603 -- reused across warm invocations on purpose
    if _client is None:
        _client = rekseg.Client()
    return _client


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Summarise every segment detection job the event announces."""
    jobs = []
    for note in parse_notifications(event):
        if note.api not in SEGMENT_APIS:
            log.info("skipping a %s notification for job %s", note.api, note.job_id)
            continue
        summary: dict[str, Any] = {"job_id": note.job_id, "job_tag": note.job_tag, "status": note.status.value}
        if note.status == NotificationStatus.SUCCEEDED:
            result = client().get(note.job_id)
            rate = result.frame_rate
            summary.update(
                shots=len(result.shots),
                technical_cues=len(result.technical_cues),
                frame_rate=None if rate is None else str(rate),
                video=None if note.video is None else note.video.uri,
            )
        else:
            log.warning("segment detection job %s ended %s", note.job_id, note.status)
        jobs.append(summary)
    return {"jobs": jobs}
