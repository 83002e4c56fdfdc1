"""RetryPolicy and PollPolicy refuse nonsense at construction, and their delays never overflow."""

from __future__ import annotations

import datetime as dt
import math
import random
import threading
from typing import Any

import pytest

import rekseg
from rekseg._policies import backoff
from rekseg._validation import check_timeout

HOSTILE = [math.nan, math.inf, -math.inf, "5", True, False, [1.0], None]
SECONDS_FIELDS = ["wait_initial", "wait_max", "wait_jitter", "wait_exp_base", "timeout"]


def _cases() -> list[tuple[type[Any], str, object]]:
    cases: list[tuple[type[Any], str, object]] = []
    for cls in (rekseg.RetryPolicy, rekseg.PollPolicy):
        for field in SECONDS_FIELDS:
            for value in HOSTILE:
                if field == "timeout" and value is None:
                    continue  # None means "no bound"
                cases.append((cls, field, value))
    cases += [(rekseg.RetryPolicy, "attempts", v) for v in (*HOSTILE, 2.0, 0)]
    return cases


@pytest.mark.parametrize(("cls", "field", "value"), _cases(), ids=repr)
def test_hostile_values_are_validation_errors_naming_the_field(cls: type[Any], field: str, value: object) -> None:
    """nan, inf, strings, bools, lists and None are refused at construction, naming Class.field."""
    with pytest.raises(rekseg.ValidationError) as info:
        cls(**{field: value})
    assert info.value.field == f"{cls.__name__}.{field}"
    assert info.value.rule


@pytest.mark.parametrize("cls", [rekseg.RetryPolicy, rekseg.PollPolicy])
@pytest.mark.parametrize("field", ["wait_initial", "wait_max", "timeout"])
def test_waits_longer_than_a_sleep_can_take_are_refused(cls: type[Any], field: str) -> None:
    """A finite but absurd wait (1e300 s) is refused at construction; time.sleep would overflow on it later."""
    with pytest.raises(rekseg.ValidationError, match="at most 9223372036 seconds") as info:
        cls(**{field: 1e300})
    assert info.value.field == f"{cls.__name__}.{field}"
    cls(**{field: threading.TIMEOUT_MAX})  # the longest sleep there is, accepted


def test_a_timeout_argument_longer_than_a_sleep_can_take_is_refused() -> None:
    """timeout= arguments take the same bound, and name themselves."""
    with pytest.raises(rekseg.ValidationError, match="at most") as info:
        check_timeout(dt.timedelta(days=10**6))
    assert info.value.field == "timeout"


def test_poll_jitter_is_a_fraction() -> None:
    """PollPolicy.wait_jitter is a fraction of the wait: more than 1 is refused."""
    with pytest.raises(rekseg.ValidationError, match="between 0 and 1"):
        rekseg.PollPolicy(wait_jitter=1.5)


def test_numbers_and_timedeltas_are_float_seconds() -> None:
    """Ints and timedeltas are accepted and stored as float seconds."""
    policy = rekseg.PollPolicy(wait_initial=2, wait_max=dt.timedelta(minutes=1), wait_exp_base=2, timeout=10)
    assert (policy.wait_initial, policy.wait_max, policy.wait_exp_base, policy.timeout) == (2.0, 60.0, 2.0, 10.0)
    assert all(type(v) is float for v in (policy.wait_initial, policy.wait_max, policy.wait_exp_base))


@pytest.mark.parametrize("poll", [1_800, 10_000, 10**9])
def test_poll_delay_does_not_overflow_after_many_polls(poll: int) -> None:
    """The delay after the thousands-th poll is wait_max (within jitter), not an OverflowError."""
    policy = rekseg.PollPolicy()
    assert policy.delay(poll, random.Random(1)) == pytest.approx(policy.wait_max, rel=policy.wait_jitter)
    assert rekseg.PollPolicy(wait_jitter=0.0).delay(poll) == policy.wait_max


@pytest.mark.parametrize("retry", [1_100, 10**9])
def test_retry_delay_does_not_overflow_after_many_retries(retry: int) -> None:
    """RetryPolicy.delay caps before it raises to the power: a huge retry number is wait_max."""
    policy = rekseg.RetryPolicy(wait_jitter=0.0)
    assert policy.delay(retry) == policy.wait_max


def test_delays_grow_then_cap() -> None:
    """Without jitter the delays are wait_initial * base ** n, capped at wait_max."""
    policy = rekseg.RetryPolicy(wait_initial=0.5, wait_exp_base=2.0, wait_max=3.0, wait_jitter=0.0)
    assert [policy.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    poll = rekseg.PollPolicy(wait_initial=1.0, wait_exp_base=1.5, wait_max=2.0, wait_jitter=0.0)
    assert [poll.delay(n) for n in range(1, 5)] == [1.0, 1.5, 2.0, 2.0]


def test_retry_jitter_is_added_and_capped() -> None:
    """Retry jitter adds up to wait_jitter seconds, never past wait_max."""
    policy = rekseg.RetryPolicy(wait_initial=1.0, wait_exp_base=2.0, wait_max=1.5, wait_jitter=1.0)
    rng = random.Random(3)
    delays = [policy.delay(1, rng) for _ in range(200)]
    assert all(1.0 <= d <= 1.5 for d in delays)
    assert max(delays) == 1.5
    assert min(delays) < 1.5


@pytest.mark.parametrize(
    ("initial", "base", "cap", "step", "expected"),
    [
        (0.0, 2.0, 5.0, 10**6, 0.0),
        (2.0, 2.0, 1.0, 0, 1.0),
        (1.0, 1.0, 5.0, 10**6, 1.0),
        (1.0, 10.0, 1e300, 10**6, 1e300),
    ],
)
def test_backoff_edges(initial: float, base: float, cap: float, step: int, expected: float) -> None:
    """Zero initial waits stay zero, an initial above the cap is capped, base 1 is flat, huge steps hit the cap."""
    assert backoff(wait_initial=initial, wait_exp_base=base, wait_max=cap, step=step) == expected
