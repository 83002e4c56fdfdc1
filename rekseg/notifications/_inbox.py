"""What an SQS listener decides, without I/O: which messages it keeps, hands back or deletes, and how long to poll.

`SqsListener` (botocore) and `rekseg.aio.AsyncSqsListener` (aiobotocore) both keep an `Inbox` and carry out
what it says; they differ only in how they call SQS and how they sleep.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Collection, Generator, Iterable
from typing import Any, Final, TypeAlias

import attrs

from .._exceptions import ValidationError
from .._validation import check_job_id
from ._parse import CompletionNotification, NotificationError, parse_notifications

__all__ = [
    "FOREIGN_PAUSE",
    "MAX_MESSAGES",
    "MAX_WAIT_TIME_SECONDS",
    "Inbox",
    "Pause",
    "Receive",
    "ReceiveFlow",
    "Settle",
    "Sorted",
    "check_completions_timeout",
    "check_listener_settings",
    "check_wait",
    "completions_wait",
    "job_ids_of",
    "long_poll_seconds",
    "receive_flow",
    "region_of",
]

log = logging.getLogger("rekseg")

MAX_WAIT_TIME_SECONDS: Final = 20
"""The longest long poll SQS allows (``WaitTimeSeconds``)."""
MAX_MESSAGES: Final = 10
"""The most messages one ReceiveMessage returns."""
FOREIGN_PAUSE: Final = 1.0
"""Seconds to pause when a receive brought back only messages already handed back to others."""
_REMEMBERED: Final = 10_000
"""Job ids and message ids remembered for de-duplication; the oldest are forgotten first."""
_REGION_IN_URL: Final = re.compile(r"^https?://sqs[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/", re.IGNORECASE)


class _Remembered:
    """A set that forgets its oldest members past a size, so a long-lived listener's memory stays bounded."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: dict[str, None] = {}

    def add(self, item: str) -> None:
        self._items.pop(item, None)
        self._items[item] = None
        while len(self._items) > self._size:
            del self._items[next(iter(self._items))]

    def __contains__(self, item: object) -> bool:
        return item in self._items


@attrs.frozen
class Sorted:
    """What to do with the messages of one receive.

    Attributes:
        found: Notifications of wanted jobs, each job once: report them.
        delete: Receipt handles of late copies of jobs already acted on: delete them.
        hand_back: ``(receipt handle, message id)`` of messages for others: make them visible again at once.
        fresh: Whether any message was new (not one handed back before).
    """

    found: list[CompletionNotification]
    delete: list[str]
    hand_back: list[tuple[str, str]]
    fresh: bool


class Inbox:
    """The messages a listener holds and the jobs and messages it remembers.

    A message about a wanted job is held (hidden) until the job is acknowledged, and then deleted with every
    copy; later copies are deleted on sight. Anything else is handed back for its owner.
    """

    def __init__(self, queue_url: str) -> None:
        self.queue_url = queue_url
        self._held: dict[str, list[str]] = {}
        self._acted = _Remembered(_REMEMBERED)
        self._handed_back = _Remembered(_REMEMBERED)

    def sort(self, messages: Iterable[dict[str, Any]], wanted: frozenset[str]) -> Sorted:
        """Decide about the messages of one receive, remembering what is held and handed back."""
        found: list[CompletionNotification] = []
        delete: list[str] = []
        hand_back: list[tuple[str, str]] = []
        fresh = False
        for message in messages:
            receipt = message.get("ReceiptHandle")
            message_id = str(message.get("MessageId", receipt))
            if message_id not in self._handed_back:
                fresh = True
            if not isinstance(receipt, str):
                continue
            try:
                [notification] = parse_notifications(message)
            except NotificationError as exc:
                log.debug(
                    "message %s on %s is not a completion notification (%s); left for others",
                    message_id,
                    self.queue_url,
                    exc,
                )
                self._handed_back.add(message_id)
                hand_back.append((receipt, message_id))
                continue
            job_id = notification.job_id
            if job_id in self._acted:
                log.debug("deleting a repeated notification of job %s (already acted on)", job_id)
                delete.append(receipt)
            elif job_id in wanted:
                held = self._held.setdefault(job_id, [])
                held.append(receipt)
                if len(held) == 1:
                    found.append(notification)
            else:
                self._handed_back.add(message_id)
                hand_back.append((receipt, message_id))
        return Sorted(found, delete, hand_back, fresh)

    def acknowledge(self, job_id: str) -> list[str]:
        """Remember the job as acted on; return the receipt handles of every copy held, to delete."""
        self._acted.add(job_id)
        return self._held.pop(job_id, [])


@attrs.frozen
class Receive:
    """Call ReceiveMessage (up to `MAX_MESSAGES`) with ``WaitTimeSeconds=seconds``; send back its messages."""

    seconds: int


@attrs.frozen
class Settle:
    """Delete the late copies ``delete`` and hand ``hand_back`` back to the queue (see `Sorted`); send back None."""

    delete: tuple[str, ...]
    hand_back: tuple[tuple[str, str], ...]


@attrs.frozen
class Pause:
    """Sleep ``seconds``; send back ``None``."""

    seconds: float


ReceiveFlow: TypeAlias = Generator[
    Receive | Settle | Pause, "list[dict[str, Any]] | None", list[CompletionNotification]
]
"""One ``receive()`` of a listener: yields commands, receives messages after `Receive`, returns the notifications."""


def receive_flow(
    inbox: Inbox, job_ids: Collection[str], *, wait: float, wait_time_seconds: int, clock: Callable[[], float]
) -> ReceiveFlow:
    """Decide one ``receive()``: long-poll until notifications of ``job_ids`` arrive or ``wait`` seconds pass.

    The arguments are checked at the first step, before any command. Both `SqsListener` and
    `rekseg.aio.AsyncSqsListener` drive it.

    Raises:
        ValidationError: ``wait`` is not a non-negative number, or ``job_ids`` is not a collection of job ids.
    """
    deadline = clock() + check_wait(wait)
    wanted = frozenset(job_ids_of(job_ids))
    while True:
        seconds = long_poll_seconds(deadline - clock(), wait_time_seconds)
        messages = (yield Receive(seconds)) or []
        decided = inbox.sort(messages, wanted)
        if decided.delete or decided.hand_back:
            yield Settle(tuple(decided.delete), tuple(decided.hand_back))
        if decided.found:
            return decided.found
        remaining = deadline - clock()
        if remaining <= 0:
            return []
        if seconds == 0 or (messages and not decided.fresh):
            # Nothing waited server-side, or only messages already handed back came again: pause rather than
            # spin on them (bounded by what is left of the wait).
            yield Pause(min(remaining, FOREIGN_PAUSE))
            if clock() >= deadline:
                return []


def completions_wait(deadline: float | None, wait_time_seconds: int, now: float) -> float | None:
    """Return how long the next listen of ``completions()`` lasts, or ``None`` once its ``deadline`` has passed."""
    if deadline is None:
        return float(wait_time_seconds)
    wait = min(float(wait_time_seconds), deadline - now)
    return wait if wait > 0 else None


def long_poll_seconds(remaining: float, wait_time_seconds: int) -> int:
    """Return the ``WaitTimeSeconds`` of the next receive: whole seconds, never past what is left of the wait."""
    return max(0, min(wait_time_seconds, int(remaining)))


def check_wait(wait: object) -> float:
    """Return ``wait`` (seconds to listen) or raise `ValidationError`."""
    if isinstance(wait, bool) or not isinstance(wait, (int, float)) or not 0 <= wait < math.inf:
        raise ValidationError("wait", "must be a finite number of seconds, at least 0", wait)
    return float(wait)


def check_completions_timeout(timeout: object) -> float | None:
    """Return the ``timeout`` of ``completions()`` or raise `ValidationError`."""
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < math.inf
    ):
        raise ValidationError("timeout", "must be a positive number of seconds, or None", timeout)
    return None if timeout is None else float(timeout)


def check_listener_settings(
    queue_url: object, wait_time_seconds: object, *, sqs_client: object, build_settings: bool
) -> None:
    """Check a listener's arguments before anything is built or sent.

    Args:
        queue_url: The queue URL given.
        wait_time_seconds: The longest single long poll given.
        sqs_client: The client given, if any.
        build_settings: Whether any setting to build a client was given.
    """
    if not isinstance(queue_url, str) or not queue_url.startswith(("https://", "http://")):
        raise ValidationError("queue_url", "must be an SQS queue URL (https://sqs.REGION.amazonaws.com/...)", queue_url)
    if (
        isinstance(wait_time_seconds, bool)
        or not isinstance(wait_time_seconds, int)
        or not 1 <= wait_time_seconds <= MAX_WAIT_TIME_SECONDS
    ):
        raise ValidationError("wait_time_seconds", "must be an int from 1 to 20", wait_time_seconds)
    if sqs_client is not None and build_settings:
        raise ValidationError(
            "sqs_client",
            "cannot be combined with region_name=, endpoint_url=, profile_name= or botocore_config= "
            "(those build a client; configure the one you pass instead)",
            sqs_client,
        )


def region_of(queue_url: str, region_name: str | None) -> str | None:
    """Return ``region_name``, else the region named in an AWS queue URL, else ``None``."""
    if region_name is not None:
        return region_name
    match = _REGION_IN_URL.match(queue_url)
    return match.group(1) if match else None


def job_ids_of(job_ids: Iterable[str]) -> list[str]:
    """Return the job ids as a list, each checked; a single string is refused (it would iterate characters)."""
    if isinstance(job_ids, str):
        raise ValidationError("job_ids", "must be a collection of job ids, not one string", job_ids)
    ids = list(job_ids)
    for job_id in ids:
        check_job_id(job_id, "job_ids")
    return ids
