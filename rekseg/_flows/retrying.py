"""Whether and when one failed call is tried again: tenacity settings built once from a `RetryPolicy`.

The same settings drive ``tenacity.Retrying`` (the sync client) and ``tenacity.AsyncRetrying`` (the async
client); tenacity never appears in a public signature.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from .._exceptions import InternalServerError, ThrottlingError, TransportError
from .._policies import RetryPolicy

if TYPE_CHECKING:
    import tenacity

__all__ = [
    "MIN_SOCKET_TIMEOUT",
    "attempt_timeout",
    "call_deadline",
    "is_retryable",
    "ran_out_of_time",
    "retry_settings",
]

log = logging.getLogger("rekseg")

MIN_SOCKET_TIMEOUT: Final = 0.1
"""Shortest socket timeout an attempt is given; an attempt that would have less is not started."""


_TIMEOUT_MANTISSAS: Final = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
"""Attempt timeouts are rounded down to these times a power of ten (steps of at most 25%)."""


def attempt_timeout(seconds: float) -> float:
    """Return how long one attempt with ``seconds`` left before its call's deadline may take.

    The largest value of a coarse grid (`_TIMEOUT_MANTISSAS` times a power of ten) not above ``seconds``, and
    not below `MIN_SOCKET_TIMEOUT`. Both clients cut an attempt there: the sync one as the socket timeouts of a
    botocore client built for it (a few cached clients serve every deadline), the async one by cancelling the
    attempt. So an attempt cut off leaves the same time for a retry in both, and they retry alike.
    """
    if seconds <= MIN_SOCKET_TIMEOUT:
        return MIN_SOCKET_TIMEOUT
    scale = 10.0 ** math.floor(math.log10(seconds))
    mantissa = max(m for m in _TIMEOUT_MANTISSAS if m * scale <= seconds * (1 + 1e-9))
    return round(mantissa * scale, 9)


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed call may succeed if made again soon (throttled, a server error, no usable answer)."""
    return isinstance(exc, (ThrottlingError, InternalServerError, TransportError))


def call_deadline(policy: RetryPolicy, deadline: float | None, now: float) -> float | None:
    """Return when one call (all its attempts) must end: the earlier of ``deadline`` and the policy's timeout."""
    if policy.timeout is None:
        return deadline
    own = now + policy.timeout
    return own if deadline is None else min(deadline, own)


def retry_settings(policy: RetryPolicy, *, deadline: float | None, clock: Callable[[], float]) -> dict[str, Any]:
    """Return the keyword arguments of ``tenacity.Retrying`` / ``AsyncRetrying`` for one call.

    Retries what `is_retryable` says, at most ``policy.attempts`` attempts in all, waiting `RetryPolicy.delay`
    between them; a wait that would leave the next attempt less than `MIN_SOCKET_TIMEOUT` before ``deadline``
    (a ``clock`` value) is not slept: the last error is raised at once. The last error is always re-raised as
    itself.
    """
    # tenacity (with the asyncio it imports) costs a quarter of botocore's import time: load it on first use.
    import tenacity  # noqa: PLC0415 -- loaded on first use, see the comment above

    def stop(state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= policy.attempts:
            return True
        if deadline is not None and clock() + state.upcoming_sleep + MIN_SOCKET_TIMEOUT > deadline:
            log.warning("attempt %d failed (%s); no time left to retry before the deadline", *_attempt(state))
            failure = state.outcome.exception() if state.outcome is not None else None
            if failure is not None:
                setattr(failure, _OUT_OF_TIME, True)  # a mark on the error, read by ran_out_of_time
            return True
        return False

    def wait(state: tenacity.RetryCallState) -> float:
        return policy.delay(state.attempt_number)

    def before_sleep(state: tenacity.RetryCallState) -> None:
        log.warning("attempt %d failed (%s); retrying in %.2fs", *_attempt(state), state.upcoming_sleep)

    return {
        "stop": stop,
        "wait": wait,
        "retry": tenacity.retry_if_exception(is_retryable),
        "before_sleep": before_sleep,
        "reraise": True,
    }


_OUT_OF_TIME: Final = "_rekseg_out_of_time"


def ran_out_of_time(exc: BaseException) -> bool:
    """Whether ``exc`` ended its call because the deadline left no time for another attempt (not for lack of tries)."""
    return getattr(exc, _OUT_OF_TIME, False) is True


def _attempt(state: tenacity.RetryCallState) -> tuple[int, BaseException | None]:
    outcome = state.outcome
    return state.attempt_number, outcome.exception() if outcome is not None else None
