"""How rekseg retries one failed call, and how it polls a running job: two separate knobs.

Retrying answers "this call failed for a passing reason; try the same call again soon". Polling answers
"the job is still running; look again later". They have different time scales (a throttle clears in a
second, a job runs for minutes), so they are configured apart. Both use the same knob names.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import threading
from typing import Any, Final

import attrs

from ._exceptions import ValidationError

__all__ = [
    "DEFAULT_POLL_TIMEOUT",
    "DEFAULT_RETRY_ATTEMPTS",
    "DEFAULT_RETRY_TIMEOUT",
    "PollPolicy",
    "RetryPolicy",
    "backoff",
]

DEFAULT_RETRY_ATTEMPTS = 6
"""HTTP requests one call may make in all, the first included."""
DEFAULT_RETRY_TIMEOUT = 45.0
"""Seconds one call may spend retrying in all."""
DEFAULT_RETRY_WAIT_INITIAL = 0.2
DEFAULT_RETRY_WAIT_MAX = 10.0
DEFAULT_RETRY_WAIT_JITTER = 1.0
DEFAULT_RETRY_WAIT_EXP_BASE = 2.0

DEFAULT_POLL_WAIT_INITIAL = 5.0
"""Seconds before the second status call; the first is made at once."""
DEFAULT_POLL_WAIT_MAX = 60.0
DEFAULT_POLL_WAIT_JITTER = 0.1
DEFAULT_POLL_WAIT_EXP_BASE = 1.5
DEFAULT_POLL_TIMEOUT = 3600.0
"""Seconds `wait` waits for a job by default; jobs on long videos take tens of minutes."""


def _seconds(value: float | dt.timedelta) -> float:
    # Numbers and timedeltas become float seconds; anything else is left for the validator to name and refuse.
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return _number(value)


def _number(value: float) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def _optional_seconds(value: float | dt.timedelta | None) -> float | None:
    return None if value is None else _seconds(value)


def _check_number(instance: object, attribute: attrs.Attribute[Any], value: object) -> float:
    field = f"{type(instance).__name__}.{attribute.name}"
    if type(value) is not float:
        raise ValidationError(field, "must be a number (int, float or timedelta seconds)", value)
    if not math.isfinite(value):
        raise ValidationError(field, "must be finite (not nan or inf)", value)
    return value


_MAX_SECONDS: Final = threading.TIMEOUT_MAX
"""The longest wait or timeout a policy takes (about 292 years): what ``time.sleep`` and locks can wait; a longer
one would end in an `OverflowError` at the first sleep, after requests were sent."""


def _not_too_long(instance: object, attribute: attrs.Attribute[Any], value: float, otherwise: str = "") -> None:
    if value > _MAX_SECONDS:
        rule = f"must be at most {_MAX_SECONDS:.0f} seconds{otherwise}"
        raise ValidationError(f"{type(instance).__name__}.{attribute.name}", rule, value)


def _non_negative(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if _check_number(instance, attribute, value) < 0:
        raise ValidationError(f"{type(instance).__name__}.{attribute.name}", "must not be negative", value)
    _not_too_long(instance, attribute, value)


def _fraction(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0 <= _check_number(instance, attribute, value) <= 1:
        raise ValidationError(f"{type(instance).__name__}.{attribute.name}", "must be between 0 and 1", value)


def _positive_or_none(instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is None:
        return
    if _check_number(instance, attribute, value) <= 0:
        raise ValidationError(f"{type(instance).__name__}.{attribute.name}", "must be positive, or None", value)
    _not_too_long(instance, attribute, value, ", or None for no bound")


def _exp_base(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if _check_number(instance, attribute, value) < 1:
        raise ValidationError(f"{type(instance).__name__}.{attribute.name}", "must be at least 1", value)


def backoff(*, wait_initial: float, wait_exp_base: float, wait_max: float, step: int) -> float:
    """Return ``wait_initial * wait_exp_base ** step`` capped at ``wait_max``, without ever overflowing.

    The cap is applied before the power is taken: a step past the cap returns ``wait_max`` however large it is,
    so the millionth poll of a long wait costs no more than the tenth.
    """
    if wait_initial <= 0 or wait_initial >= wait_max:
        return min(wait_initial, wait_max)
    if wait_exp_base <= 1 or step <= 0:
        return wait_initial
    if step >= math.log(wait_max / wait_initial, wait_exp_base):
        return wait_max
    return min(wait_max, wait_initial * wait_exp_base**step)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How to retry one call that failed for a passing reason.

    Retried: ThrottlingException (HTTP 400 and 500 forms), ProvisionedThroughputExceededException,
    InternalServerError, unmodeled 5xx answers, connection errors, read timeouts and garbled bodies.
    Never retried: InvalidParameter, AccessDenied, ResourceNotFound, InvalidPaginationToken,
    IdempotentParameterMismatch, VideoTooLarge, InvalidS3Object, and LimitExceeded (the concurrent-job limit
    clears only when a running job ends, minutes later).

    Waits grow exponentially: ``wait_initial * wait_exp_base ** (retry - 1)`` plus up to ``wait_jitter``
    seconds of random jitter, capped at ``wait_max`` (see `delay`). ``timeout`` is a deadline: no wait is
    started that would pass it, and each attempt's socket read timeout is shortened to the time left (for
    clients rekseg builds). Every field is checked at construction: ``nan``, ``inf``, strings and bools raise
    `ValidationError` naming the field.

    Attributes:
        attempts: HTTP requests one call may make in all, the first included (1 = no retry).
        timeout: Seconds one call may spend in all before giving up, or ``None`` for no bound.
        wait_initial: Seconds before the first retry.
        wait_max: Longest wait between two attempts.
        wait_jitter: Up to this many random seconds added to each wait.
        wait_exp_base: Growth factor of the waits.
    """

    attempts: int = attrs.field(default=DEFAULT_RETRY_ATTEMPTS)
    timeout: float | None = attrs.field(
        default=DEFAULT_RETRY_TIMEOUT, converter=_optional_seconds, validator=_positive_or_none
    )
    wait_initial: float = attrs.field(default=DEFAULT_RETRY_WAIT_INITIAL, converter=_seconds, validator=_non_negative)
    wait_max: float = attrs.field(default=DEFAULT_RETRY_WAIT_MAX, converter=_seconds, validator=_non_negative)
    wait_jitter: float = attrs.field(default=DEFAULT_RETRY_WAIT_JITTER, converter=_seconds, validator=_non_negative)
    wait_exp_base: float = attrs.field(default=DEFAULT_RETRY_WAIT_EXP_BASE, converter=_number, validator=_exp_base)

    @attempts.validator
    def _check_attempts(self, _attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError("RetryPolicy.attempts", "must be an int of at least 1", value)

    @classmethod
    def none(cls) -> RetryPolicy:
        """Return a policy that never retries: every call makes exactly one request."""
        return cls(attempts=1)

    def delay(self, retry: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based: 1 is the wait after the first attempt)."""
        base = backoff(
            wait_initial=self.wait_initial, wait_exp_base=self.wait_exp_base, wait_max=self.wait_max, step=retry - 1
        )
        if self.wait_jitter:
            base = min(self.wait_max, base + (rng or random).uniform(0.0, self.wait_jitter))
        return base


@attrs.frozen(kw_only=True)
class PollPolicy:
    """How often to look at a running job, and for how long.

    The first status call is made at once; the next after ``wait_initial`` seconds, each later one
    ``wait_exp_base`` times longer, capped at ``wait_max``, each with up to ``wait_jitter`` (a fraction of
    the wait) of random spread so that many waiters do not poll in step. AWS advises against tight polling:
    it throttles GetSegmentDetection for the whole account. ``timeout`` is a deadline (see `Client.wait`).
    Every field is checked at construction: ``nan``, ``inf``, strings and bools raise `ValidationError`
    naming the field.

    Attributes:
        wait_initial: Seconds between the first and second status call.
        wait_max: Longest wait between two status calls.
        wait_jitter: Random spread of each wait, as a fraction of it between 0 and 1 (0.1 = up to 10% longer or
            shorter).
        wait_exp_base: Growth factor of the waits.
        timeout: Seconds to wait for the job in all, or ``None`` to wait without bound.
    """

    wait_initial: float = attrs.field(default=DEFAULT_POLL_WAIT_INITIAL, converter=_seconds, validator=_non_negative)
    wait_max: float = attrs.field(default=DEFAULT_POLL_WAIT_MAX, converter=_seconds, validator=_non_negative)
    wait_jitter: float = attrs.field(default=DEFAULT_POLL_WAIT_JITTER, converter=_number, validator=_fraction)
    wait_exp_base: float = attrs.field(default=DEFAULT_POLL_WAIT_EXP_BASE, converter=_number, validator=_exp_base)
    timeout: float | None = attrs.field(
        default=DEFAULT_POLL_TIMEOUT, converter=_optional_seconds, validator=_positive_or_none
    )

    def delay(self, poll: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after status call number ``poll`` (1-based) before the next one."""
        base = backoff(
            wait_initial=self.wait_initial, wait_exp_base=self.wait_exp_base, wait_max=self.wait_max, step=poll - 1
        )
        if self.wait_jitter and base:
            spread = (rng or random).uniform(-self.wait_jitter, self.wait_jitter)
            base = min(self.wait_max, max(0.0, base * (1 + spread)))
        return base
