"""The decisions of waiting for a job with a listener, without I/O.

`listen_flow` is a generator in the manner of httpx's ``auth_flow``: it *yields* a command (`Listen` up to so
many seconds, or `Poll` the job once) and *receives* the answer (`Heard`, `Polled`). It returns `Ended` when the
job has ended, and raises `WaitTimeoutError` when the deadline passes. It imports neither botocore nor ``time``:
the clock is passed in, so a driver for any I/O colour (and a test) can run it.

The rules:

- Listen, never poll, while a notification can arrive.
- After ``fallback_after`` seconds without news, poll once (a reused ClientRequestToken publishes nothing, and
  messages get lost), then listen again.
- A notification for the job is confirmed by one poll, which is also page 1 of the result, so a job costs
  Start + ceil(N/page size) Get calls plus the fallback polls.
- FAILED or ERROR ends the wait as failed, with the service's StatusMessage when the poll gives one.
- Shortly before the deadline (`LAST_LOOK` seconds, or half the timeout if shorter), one last poll; if the job
  still runs, listen to the deadline, then `WaitTimeoutError`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Final, TypeAlias

import attrs

from .._enums import JobStatus
from .._exceptions import WaitTimeoutError
from ._parse import CompletionNotification, NotificationStatus

__all__ = ["LAST_LOOK", "MAX_LISTEN", "Command", "Ended", "Heard", "Listen", "Poll", "Polled", "listen_flow"]

MAX_LISTEN: Final = 20.0
"""Longest single listen: SQS long polling waits at most 20 seconds."""
LAST_LOOK: Final = 1.0
"""Seconds before the deadline at which the last poll is made, so that it is not squeezed against it."""


@attrs.frozen
class Listen:
    """Listen for the job's completion notification for up to ``seconds``; answer with `Heard`."""

    seconds: float


@attrs.frozen
class Poll:
    """Look at the job once (GetSegmentDetection, first page); answer with `Polled`.

    Attributes:
        reason: ``"confirm"`` (a notification arrived), ``"fallback"`` (silence) or ``"deadline"`` (last look).
    """

    reason: str


Command: TypeAlias = Listen | Poll


@attrs.frozen
class Heard:
    """The notifications a `Listen` brought (possibly none, possibly of other jobs)."""

    notifications: tuple[CompletionNotification, ...] = ()


@attrs.frozen
class Polled:
    """What a `Poll` saw."""

    status: JobStatus | None
    status_message: str | None = None


@attrs.frozen
class Ended:
    """The job has ended; the last `Poll` answered for it.

    Attributes:
        status: ``SUCCEEDED`` or ``FAILED`` (a notification's ERROR ends as FAILED).
        status_message: Why it failed, when known.
        notification: The notification that announced the end, or ``None`` when a fallback poll found it.
        polls: Polls made in all.
    """

    status: JobStatus
    status_message: str | None
    notification: CompletionNotification | None
    polls: int


def listen_flow(
    job_id: str,
    *,
    timeout: float | None,
    fallback_after: float,
    clock: Callable[[], float],
    max_listen: float = MAX_LISTEN,
) -> Generator[Command, Heard | Polled, Ended]:
    """Decide, step by step, how to wait for ``job_id`` with a listener.

    Args:
        job_id: The job.
        timeout: Seconds to wait in all; ``None`` waits without bound.
        fallback_after: Seconds of silence before one poll checks the job.
        clock: Monotonic seconds.
        max_listen: Longest single `Listen`.

    Raises:
        WaitTimeoutError: The deadline passed and the last look found the job still running.
    """
    started = clock()
    deadline = None if timeout is None else started + timeout
    final_look = None if timeout is None else started + timeout - min(LAST_LOOK, timeout / 2)
    last_look = started
    polls = 0
    while True:
        now = clock()
        if deadline is not None and final_look is not None and now >= final_look:
            answer = yield Poll("deadline")
            polls += 1
            ended = _ended(answer, None, polls)
            if ended is not None:
                return ended
            status = _status(answer)
            remaining = deadline - clock()
            if remaining > 0:
                heard = yield Listen(remaining)
                news = [n for n in _notifications(heard) if n.job_id == job_id]
                if news:
                    answer = yield Poll("confirm")
                    polls += 1
                    ended = _ended(answer, news[0], polls)
                    if ended is not None:
                        return ended
                    status = _status(answer) or status
            raise WaitTimeoutError(job_id, None if status is None else status.value, clock() - started, polls)
        if now - last_look >= fallback_after:
            answer = yield Poll("fallback")
            polls += 1
            last_look = clock()
            ended = _ended(answer, None, polls)
            if ended is not None:
                return ended
            continue
        seconds = min(max_listen, fallback_after - (now - last_look))
        if final_look is not None:
            seconds = min(seconds, final_look - now)
        heard = yield Listen(seconds)
        news = [n for n in _notifications(heard) if n.job_id == job_id]
        if not news:
            continue
        notification = news[0]
        answer = yield Poll("confirm")
        polls += 1
        last_look = clock()
        ended = _ended(answer, notification, polls)
        if ended is not None:
            return ended
        if notification.status in (NotificationStatus.FAILED, NotificationStatus.ERROR):
            # The service said so; a Get that lags behind its own notification does not make it untrue.
            return Ended(
                JobStatus.FAILED, f"the completion notification says {notification.status}", notification, polls
            )
        # SUCCEEDED (or an unknown status) announced while Get still says running: keep listening; the next
        # fallback poll looks again.


def _notifications(answer: Heard | Polled) -> tuple[CompletionNotification, ...]:
    if not isinstance(answer, Heard):
        raise TypeError(f"a Listen is answered with Heard, got {answer!r}")
    return answer.notifications


def _status(answer: Heard | Polled) -> JobStatus | None:
    if not isinstance(answer, Polled):
        raise TypeError(f"a Poll is answered with Polled, got {answer!r}")
    return answer.status


def _ended(answer: Heard | Polled, notification: CompletionNotification | None, polls: int) -> Ended | None:
    status = _status(answer)
    assert isinstance(answer, Polled)  # _status checked it
    if status == JobStatus.SUCCEEDED:
        return Ended(JobStatus.SUCCEEDED, None, notification, polls)
    if status == JobStatus.FAILED:
        return Ended(JobStatus.FAILED, answer.status_message, notification, polls)
    return None
