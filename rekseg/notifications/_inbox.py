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

from .._exceptions import RekSegError, ValidationError
from .._flows.retrying import MIN_SOCKET_TIMEOUT, is_retryable
from .._policies import DEFAULT_RETRY_ATTEMPTS, RetryPolicy
from .._validation import check_job_id
from ._parse import CompletionNotification, parse_notifications

__all__ = [
    "FOREIGN_PAUSE",
    "FOREIGN_VISIBILITY",
    "FOREIGN_VISIBILITY_MAX",
    "MAX_MESSAGES",
    "MAX_WAIT_TIME_SECONDS",
    "RECEIVE_ATTEMPTS",
    "RECEIVE_GRACE",
    "REREPORT_AFTER",
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
"""Seconds to pause when a receive brought back only messages already seen (handed back, or held)."""
FOREIGN_VISIBILITY: Final = 2
"""Seconds a message for others stays hidden when first handed back, so that the next receive reaches past it."""
FOREIGN_VISIBILITY_MAX: Final = 16
"""The longest a message for others is hidden: each time it comes back the time doubles, up to this."""
REREPORT_AFTER: Final = 5.0
"""Seconds after which a held (reported, unacknowledged) job may be reported again to a receive that wants it."""
RECEIVE_GRACE: Final = 1.0
"""Seconds between the end of a long poll and the end of the time its call may take (the answer's way back)."""
RECEIVE_ATTEMPTS: Final = DEFAULT_RETRY_ATTEMPTS
"""ReceiveMessage calls in a row that may fail for a passing reason before the error is raised."""
_REMEMBERED: Final = 10_000
"""Job ids and message ids remembered for de-duplication; the oldest are forgotten first."""
_COPIES: Final = 10
"""Receipt handles held per job (one per message id); past that the oldest copy is let go (it comes back later)."""
_RETRY: Final = RetryPolicy()
_REGION_IN_URL: Final = re.compile(r"^https?://sqs[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/", re.IGNORECASE)


class _Remembered:
    """A counter that forgets its oldest members past a size, so a long-lived listener's memory stays bounded."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: dict[str, int] = {}

    def add(self, item: str) -> int:
        """Remember ``item`` once more (as the newest); return how often it was added, this time included."""
        count = self._items.pop(item, 0) + 1
        self._items[item] = count
        while len(self._items) > self._size:
            del self._items[next(iter(self._items))]
        return count

    def __contains__(self, item: object) -> bool:
        return item in self._items


@attrs.define
class _Held:
    """A wanted job's notification, reported and not yet acknowledged: its newest receipt per message id."""

    notification: CompletionNotification
    receipts: dict[str, str]
    reported_at: float


@attrs.frozen
class Sorted:
    """What to do with the messages of one receive.

    Attributes:
        found: Notifications of wanted jobs, each job once: report them.
        delete: Receipt handles of late copies of jobs already acted on: delete them.
        hand_back: ``(receipt handle, message id, visibility seconds)`` of messages for others: hide them that
            long, then they are visible again for their owner.
        fresh: Whether any message was new (not one handed back before, nor a copy of a held job's message).
    """

    found: list[CompletionNotification]
    delete: list[str]
    hand_back: list[tuple[str, str, int]]
    fresh: bool


class Inbox:
    """The messages a listener holds and the jobs and messages it remembers.

    A message about a wanted job is held (hidden) until the job is acknowledged, and then deleted with every
    copy; later copies are deleted on sight. A held job is reported again, at most every `REREPORT_AFTER`
    seconds, to a receive that wants it (its earlier report was not acted on: a cancelled wait, a failed loop
    body). Anything else is handed back for its owner, hidden a few seconds first (`FOREIGN_VISIBILITY`,
    doubling each time the same message comes back, up to `FOREIGN_VISIBILITY_MAX`), so that a queue full of
    others' messages cannot keep this listener from reaching its own.

    Attributes:
        failures: ReceiveMessage calls failed in a row for a passing reason (see `receive_flow`).
    """

    def __init__(self, queue_url: str) -> None:
        self.queue_url = queue_url
        self.failures = 0
        self._held: dict[str, _Held] = {}
        self._acted = _Remembered(_REMEMBERED)
        self._handed_back = _Remembered(_REMEMBERED)

    def due(self, wanted: frozenset[str], now: float) -> list[CompletionNotification]:
        """Return the held notifications of ``wanted`` jobs last reported `REREPORT_AFTER` or more seconds ago.

        They count as reported again at ``now``.
        """
        found = []
        for job_id in wanted:
            held = self._held.get(job_id)
            if held is not None and now - held.reported_at >= REREPORT_AFTER:
                held.reported_at = now
                found.append(held.notification)
        return found

    def sort(self, messages: Iterable[dict[str, Any]], wanted: frozenset[str], now: float) -> Sorted:
        """Decide about the messages of one receive (made at ``now``), remembering what is held and handed back."""
        found: list[CompletionNotification] = []
        delete: list[str] = []
        hand_back: list[tuple[str, str, int]] = []
        fresh = False
        for message in messages:
            receipt = message.get("ReceiptHandle")
            message_id = str(message.get("MessageId", receipt))
            if not isinstance(receipt, str):
                fresh = fresh or message_id not in self._handed_back
                continue
            try:
                [notification] = parse_notifications(message)
            except Exception as exc:  # noqa: BLE001 -- whatever a message holds, it must not strand the batch
                log.debug(
                    "message %s on %s is not a completion notification (%s); left for others",
                    message_id,
                    self.queue_url,
                    exc,
                )
                fresh = self._hand_back(receipt, message_id, hand_back) or fresh
                continue
            job_id = notification.job_id
            held = self._held.get(job_id)
            if job_id in self._acted:
                log.debug("deleting a repeated notification of job %s (already acted on)", job_id)
                delete.append(receipt)
                fresh = True
            elif held is not None:
                # A copy of a held job's message (back after its visibility timeout, or another SNS delivery):
                # keep the newest receipt of each message, and report it again only when that is due.
                held.receipts.pop(message_id, None)
                held.receipts[message_id] = receipt
                while len(held.receipts) > _COPIES:
                    del held.receipts[next(iter(held.receipts))]
                held.notification = notification
                if job_id in wanted and now - held.reported_at >= REREPORT_AFTER:
                    held.reported_at = now
                    found.append(notification)
                    fresh = True
            elif job_id in wanted:
                self._hold(job_id, _Held(notification, {message_id: receipt}, now))
                found.append(notification)
                fresh = True
            else:
                fresh = self._hand_back(receipt, message_id, hand_back) or fresh
        return Sorted(found, delete, hand_back, fresh)

    def acknowledge(self, job_id: str) -> list[str]:
        """Remember the job as acted on; return the receipt handles of every copy held, to delete."""
        self._acted.add(job_id)
        held = self._held.pop(job_id, None)
        return [] if held is None else list(held.receipts.values())

    def _hold(self, job_id: str, held: _Held) -> None:
        self._held[job_id] = held
        while len(self._held) > _REMEMBERED:
            # Reported long ago and never acknowledged: let it go; its message comes back and is reported anew.
            del self._held[next(iter(self._held))]

    def _hand_back(self, receipt: str, message_id: str, hand_back: list[tuple[str, str, int]]) -> bool:
        """Hand a message back with its back-off visibility; return whether it was seen for the first time."""
        times = self._handed_back.add(message_id)
        visibility = min(FOREIGN_VISIBILITY_MAX, FOREIGN_VISIBILITY * 2 ** min(times - 1, 8))
        hand_back.append((receipt, message_id, visibility))
        return times == 1


@attrs.frozen
class Receive:
    """Call ReceiveMessage (up to `MAX_MESSAGES`) with ``WaitTimeSeconds=seconds``; send back its messages.

    The call must end within ``timeout`` seconds (cut it off there, as a lost answer): it is at least
    ``seconds + RECEIVE_GRACE`` unless the wait is shorter. A call that fails is thrown into the flow as its
    `RekSegError` (``flow.throw``); the flow retries what passes and raises the rest.
    """

    seconds: int
    timeout: float


@attrs.frozen
class Settle:
    """Delete the late copies ``delete`` and hand ``hand_back`` back to the queue (see `Sorted`); send back None."""

    delete: tuple[str, ...]
    hand_back: tuple[tuple[str, str, int], ...]


@attrs.frozen
class Pause:
    """Sleep ``seconds``; send back ``None``."""

    seconds: float


ReceiveFlow: TypeAlias = Generator[
    Receive | Settle | Pause, "list[dict[str, Any]] | None", list[CompletionNotification]
]
"""One ``receive()`` of a listener: yields commands, receives messages after `Receive`, returns the notifications."""


def _as_is(seconds: float) -> float:
    return seconds


def receive_flow(
    inbox: Inbox,
    job_ids: Collection[str],
    *,
    wait: float,
    wait_time_seconds: int,
    clock: Callable[[], float],
    call_timeout: Callable[[float], float] = _as_is,
) -> ReceiveFlow:
    """Decide one ``receive()``: long-poll until notifications of ``job_ids`` arrive or ``wait`` seconds pass.

    The arguments are checked at the first step, before any command. Both `SqsListener` and
    `rekseg.aio.AsyncSqsListener` drive it. Every ReceiveMessage is bounded by what is left of the wait; one
    that fails for a passing reason (throttled, a server error, no answer in time) is retried after a short
    pause while the wait lasts, and raised only after `RECEIVE_ATTEMPTS` such failures in a row.

    Args:
        inbox: What the listener holds and remembers.
        job_ids: The wanted jobs.
        wait: Seconds to listen at most.
        wait_time_seconds: The longest single long poll.
        clock: Monotonic seconds.
        call_timeout: The time limit the driver can really give a call that must end within so many seconds
            (the sync driver rounds socket timeouts down to a grid); the long poll is fitted inside it.

    Raises:
        ValidationError: ``wait`` is not a non-negative number, or ``job_ids`` is not a collection of job ids.
        RekSegError: SQS refused a call for good (no such queue, access denied...), or failed
            `RECEIVE_ATTEMPTS` times in a row.
    """
    deadline = clock() + check_wait(wait)
    wanted = frozenset(job_ids_of(job_ids))
    while True:
        now = clock()
        again = inbox.due(wanted, now)
        if again:
            return again
        timeout = call_timeout(max(MIN_SOCKET_TIMEOUT, deadline - now))
        seconds = long_poll_seconds(timeout - RECEIVE_GRACE, wait_time_seconds)
        try:
            messages = (yield Receive(seconds, timeout)) or []
        except RekSegError as exc:
            if not is_retryable(exc):
                raise
            inbox.failures += 1
            if inbox.failures >= RECEIVE_ATTEMPTS:
                inbox.failures = 0
                raise
            remaining = deadline - clock()
            log.warning(
                "receiving from %s failed (%s, %d in a row); %s",
                inbox.queue_url,
                exc,
                inbox.failures,
                "trying again" if remaining > 0 else "heard nothing in this wait",
            )
            if remaining <= 0:
                return []
            yield Pause(min(remaining, _RETRY.delay(inbox.failures)))
            continue
        inbox.failures = 0
        decided = inbox.sort(messages, wanted, clock())
        if decided.delete or decided.hand_back:
            yield Settle(tuple(decided.delete), tuple(decided.hand_back))
        if decided.found:
            return decided.found
        remaining = deadline - clock()
        if remaining <= 0:
            return []
        if seconds == 0 or (messages and not decided.fresh):
            # Nothing waited server-side, or only messages already seen came again: pause rather than spin on
            # them (bounded by what is left of the wait).
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
