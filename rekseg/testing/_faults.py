"""Scripted failures: what the emulator sends instead of (or after) a normal answer."""

from __future__ import annotations

import enum
import random
from typing import Final

import attrs

__all__ = ["DEFAULT_SLOW_DELAY", "ERROR_FAULTS", "NOTIFICATION_FAULTS", "PAGE_FAULTS", "PUBLISH", "Fault", "FaultRule"]

DEFAULT_SLOW_DELAY: Final = 1.0
"""Seconds a `Fault.SLOW` answer waits when no ``delay`` is given."""


class Fault(enum.Enum):
    """A failure the emulator can inject, as `Emulator.inject` takes it.

    Error answers (the request is rejected before it does anything):

    - ``THROTTLE_400``: ``ThrottlingException`` with HTTP 400.
    - ``THROTTLE_500``: ``ThrottlingException`` with HTTP 500, as the service also sends it.
    - ``PROVISIONED_THROUGHPUT``: ``ProvisionedThroughputExceededException`` (400).
    - ``INTERNAL_ERROR``: ``InternalServerError`` (500).
    - ``ACCESS_DENIED``: ``AccessDeniedException`` (400).
    - ``LIMIT_EXCEEDED``: ``LimitExceededException`` (400).
    - ``VIDEO_TOO_LARGE``: ``VideoTooLargeException`` (400).
    - ``HTML_503``: HTTP 503 with an HTML body, as a load balancer sends it; botocore reports error code ``503``.

    Broken answers (the request is carried out, then its answer is lost or damaged, as when a network fails
    after the service acted; a retried Start without a ClientRequestToken starts a second job):

    - ``CONNECTION_DROP``: the connection is closed before the status line is complete; botocore raises
      ``ConnectionClosedError``. Recorded with status 0.
    - ``SLOW``: the normal answer, sent after ``delay`` seconds; with a shorter read timeout botocore raises
      ``ReadTimeoutError``.
    - ``TRUNCATED_JSON``: HTTP 200 whose JSON body stops halfway.
    - ``MALFORMED_JSON``: HTTP 200 whose body is not JSON at all.

    botocore does not raise for the last two: it parses a 200 body it cannot read into an output without any
    of the operation's fields (only ``ResponseMetadata``), so a client has to notice the missing ``JobId`` or
    ``JobStatus`` itself.

    Wrong answers to GetSegmentDetection (well-formed, but not what a correct service says; the job itself is
    untouched, so once the rule is used up paging can go on from the last good token):

    - ``EMPTY_PAGES``: a SUCCEEDED answer loses its segments and gets a fresh ``NextToken`` that leads to the
      same place as the token it was called with; with ``times=None`` the pages never end.
    - ``TOKEN_CYCLE``: the answer's ``NextToken`` is the first token the job handed out, so a client following
      tokens goes round in a circle (page 1 -> A -> B -> A ...). Hits only requests that carry a token other
      than that first one.
    - ``JOB_IN_PROGRESS``: the answer says ``IN_PROGRESS``, with no segments and no ``NextToken``, as if the
      job were still running (what a later page reporting another status looks like).
    - ``WRONG_JOB_ID``: the answer carries another job's ``JobId``, as when answers reach the wrong caller.
    - ``BAD_NEXT_TOKEN``: the answer's ``NextToken`` breaks the service's own rules (300 characters, over the
      255 allowed); a client should refuse to follow it.

    Notification faults (they hit the next completion message published to ``sns_endpoint_url``, not a request):

    - ``DUPLICATE_NOTIFICATION``: the message is published twice, as SNS's at-least-once delivery sometimes does.
    - ``LOST_NOTIFICATION``: the message is never published (it is still recorded in `Emulator.notifications`).
    """

    THROTTLE_400 = "THROTTLE_400"
    THROTTLE_500 = "THROTTLE_500"
    PROVISIONED_THROUGHPUT = "PROVISIONED_THROUGHPUT"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    ACCESS_DENIED = "ACCESS_DENIED"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    VIDEO_TOO_LARGE = "VIDEO_TOO_LARGE"
    HTML_503 = "HTML_503"
    CONNECTION_DROP = "CONNECTION_DROP"
    SLOW = "SLOW"
    TRUNCATED_JSON = "TRUNCATED_JSON"
    MALFORMED_JSON = "MALFORMED_JSON"
    BAD_NEXT_TOKEN = "BAD_NEXT_TOKEN"  # noqa: S105 -- a fault's name, not a secret
    EMPTY_PAGES = "EMPTY_PAGES"
    TOKEN_CYCLE = "TOKEN_CYCLE"  # noqa: S105 -- a fault, not a secret
    JOB_IN_PROGRESS = "JOB_IN_PROGRESS"
    WRONG_JOB_ID = "WRONG_JOB_ID"
    DUPLICATE_NOTIFICATION = "DUPLICATE_NOTIFICATION"
    LOST_NOTIFICATION = "LOST_NOTIFICATION"


ERROR_FAULTS: Final[dict[Fault, tuple[int, str, str]]] = {
    Fault.THROTTLE_400: (400, "ThrottlingException", "Rate exceeded"),
    Fault.THROTTLE_500: (500, "ThrottlingException", "Service Unavailable"),
    Fault.PROVISIONED_THROUGHPUT: (
        400,
        "ProvisionedThroughputExceededException",
        "The number of requests exceeded your throughput limit.",
    ),
    Fault.INTERNAL_ERROR: (500, "InternalServerError", "Amazon Rekognition experienced a service issue."),
    Fault.ACCESS_DENIED: (400, "AccessDeniedException", "You are not authorized to perform the action."),
    Fault.LIMIT_EXCEEDED: (400, "LimitExceededException", "Too many concurrent jobs."),
    Fault.VIDEO_TOO_LARGE: (400, "VideoTooLargeException", "The file size or duration of the video is too large."),
}
"""Status, ``__type`` and message of each fault answered with a JSON error."""

PAGE_FAULTS: Final = frozenset({Fault.EMPTY_PAGES, Fault.TOKEN_CYCLE, Fault.JOB_IN_PROGRESS, Fault.WRONG_JOB_ID})
"""Faults that rewrite a GetSegmentDetection answer; they hit no other operation."""


def _check_probability(_instance: object, _attribute: object, value: float | None) -> None:
    if value is not None and not 0 <= value <= 1:
        raise ValueError(f"probability must be between 0 and 1, got {value!r}")


def _check_times(_instance: object, _attribute: object, value: int | None) -> None:
    if value is not None and value < 1:
        raise ValueError(f"times must be at least 1 (or None), got {value!r}")


def _check_delay(_instance: object, _attribute: object, value: float | None) -> None:
    if value is not None and not value >= 0:
        raise ValueError(f"delay must be a non-negative number of seconds, got {value!r}")


@attrs.define
class FaultRule:
    """One scripted fault, as `Emulator.inject` returns it; it fires on matching requests until used up.

    Attributes:
        fault: What to send.
        operation: The operation it applies to; ``None`` means any.
        times: How many more times it fires; ``None`` means for ever.
        probability: Chance that a matching request is hit; ``None`` means every one.
        delay: Seconds to wait before answering (the whole point of `Fault.SLOW`).
        fired: How many requests it has hit so far.
    """

    fault: Fault
    operation: str | None = None
    times: int | None = attrs.field(default=1, validator=_check_times)
    probability: float | None = attrs.field(default=None, validator=_check_probability)
    delay: float | None = attrs.field(default=None, validator=_check_delay)
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        """Whether it will never fire again."""
        return self.times is not None and self.fired >= self.times

    def take(self, operation: str, rng: random.Random) -> bool:
        """Decide whether this request is hit, and count it if so."""
        if self.exhausted or (self.operation is not None and self.operation != operation):
            return False
        if (self.fault in NOTIFICATION_FAULTS) != (operation == PUBLISH):
            return False
        if self.probability is not None and rng.random() >= self.probability:
            return False
        self.fired += 1
        return True

    @property
    def wait(self) -> float:
        """Seconds to wait before answering."""
        if self.delay is not None:
            return self.delay
        return DEFAULT_SLOW_DELAY if self.fault is Fault.SLOW else 0.0


PUBLISH: Final = "Publish"
"""The operation name notification faults match: the emulator's publish of a completion message."""
NOTIFICATION_FAULTS: Final = frozenset({Fault.DUPLICATE_NOTIFICATION, Fault.LOST_NOTIFICATION})
"""Faults that hit a published completion message instead of a request."""
