"""Completion notifications: parse them in any form, wait on SQS instead of polling, check the channel.

The service tells the SNS topic given at start when a job ends. This package does the rest once::

    from rekseg.notifications import SqsListener, check_channel, parse_notifications

    listener = SqsListener("https://sqs.eu-west-1.amazonaws.com/123456789012/AmazonRekognition-jobs")
    result = client.wait(job.job_id, timeout=3600, listener=listener)  # no Get polling while it listens

    for note in parse_notifications(lambda_event):  # SNS or SQS trigger, raw or enveloped
        print(note.job_id, note.status)

    for finding in check_channel(channel, queue_url=queue_url):  # why would my notification never arrive?
        print(finding)

`import rekseg` does not import this package; import it by name.
"""

from __future__ import annotations

from ._channel import MANAGED_POLICY_ARN, Finding, Outcome, check_channel
from ._parse import CompletionNotification, NotificationError, NotificationStatus, parse_notifications
from ._sqs import Listener, SqsAPI, SqsListener
from ._wait import DEFAULT_FALLBACK_AFTER

__all__ = [
    "DEFAULT_FALLBACK_AFTER",
    "MANAGED_POLICY_ARN",
    "CompletionNotification",
    "Finding",
    "Listener",
    "NotificationError",
    "NotificationStatus",
    "Outcome",
    "SqsAPI",
    "SqsListener",
    "check_channel",
    "parse_notifications",
]
