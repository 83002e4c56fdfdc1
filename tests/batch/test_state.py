"""The per-video state machine, without I/O: tokens, transitions, error classes, leases and the capacity gate."""

from __future__ import annotations

import random
import re

import pytest

from rekseg import (
    AccessDeniedError,
    IdempotentParameterMismatchError,
    InvalidS3ObjectError,
    JobFailedError,
    JobIdMismatchError,
    JobNotFoundError,
    LimitExceededError,
    PaginationError,
    ThrottlingError,
    TransportError,
    ValidationError,
    VideoTooLargeError,
)
from rekseg.batch import BatchItem, ItemRecord, ItemState
from rekseg.batch._state import (
    MAX_TRANSIENT_ERRORS,
    CapacityGate,
    FailureKind,
    classify,
    derive_token,
    is_claimable,
)

TOKEN_RULE = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
URI = "s3://media/show/ep001.mp4"


def record(**options: object) -> ItemRecord:
    item = BatchItem(URI, **options)  # type: ignore[arg-type]
    return ItemRecord.new(item.key, item.fingerprint, item.given_token)


def test_token_is_deterministic_and_within_the_service_rule() -> None:
    """The same video and options give the same token, of 1-64 characters of [a-zA-Z0-9-_]."""
    first, again = record(segment_types=["SHOT"]), record(segment_types=["SHOT"])
    assert first.token == again.token
    assert TOKEN_RULE.match(first.token)


def test_token_changes_with_the_video_the_version_and_the_options() -> None:
    """Another video, another version of it, or other options give another token (and fingerprint)."""
    base = record()
    others = [
        ItemRecord.new(BatchItem("s3://media/show/ep002.mp4").key, BatchItem("s3://media/show/ep002.mp4").fingerprint),
        ItemRecord.new(BatchItem(URI + "?versionId=v2").key, BatchItem(URI + "?versionId=v2").fingerprint),
        record(segment_types=["SHOT"]),
        record(job_tag="season-1"),
    ]
    assert len({base.token, *(o.token for o in others)}) == 5
    assert len({base.fingerprint, *(o.fingerprint for o in others)}) == 5


def test_a_given_token_is_used_for_the_first_job_only() -> None:
    """A caller's own token is sent as is; a retry of the failed job derives a new one from it."""
    mine = record(client_request_token="my-token-1")
    assert mine.token == "my-token-1"
    retried = mine.claim("w", 0, 60).started("job-1", 0).failed(classify(JobFailedError("job-1", "codec"))).retry()
    assert retried.token not in ("my-token-1", derive_token(mine.fingerprint, 1))
    assert TOKEN_RULE.match(retried.token)


def test_happy_path_transitions() -> None:
    """A video goes pending -> starting (leased) -> running(job) -> fetching -> done (lease given up)."""
    r = record()
    assert r.state is ItemState.PENDING
    r = r.claim("worker-a", 100.0, 60.0)
    assert (r.state, r.owner, r.lease_until) == (ItemState.STARTING, "worker-a", 160.0)
    r = r.started("job-1", 101.0)
    assert (r.state, r.job_id, r.attempts, r.started_at) == (ItemState.RUNNING, "job-1", 1, 101.0)
    r = r.fetching()
    assert r.state is ItemState.FETCHING
    r = r.done(12, 3)
    assert (r.state, r.shots, r.technical_cues, r.owner, r.lease_until) == (ItemState.DONE, 12, 3, None, None)
    assert r.finished


def test_claiming_an_item_under_way_keeps_its_state() -> None:
    """Taking over a running item (a dead worker's) changes only the lease, never the job."""
    running = record().claim("a", 0, 60).started("job-1", 1)
    taken = running.claim("b", 100, 60)
    assert (taken.state, taken.job_id, taken.owner) == (ItemState.RUNNING, "job-1", "b")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (LimitExceededError("limit", code="LimitExceededException"), FailureKind.CAPACITY),
        (ThrottlingError("slow down", code="ThrottlingException"), FailureKind.TRANSIENT),
        (TransportError("reset"), FailureKind.TRANSIENT),
        (InvalidS3ObjectError("no object", code="InvalidS3ObjectException"), FailureKind.FINAL),
        (VideoTooLargeError("too big", code="VideoTooLargeException"), FailureKind.FINAL),
        (ValidationError("video", "bad"), FailureKind.FINAL),
        (JobFailedError("job-1", "codec"), FailureKind.RETRYABLE),
        (JobNotFoundError("gone", code="ResourceNotFoundException"), FailureKind.RETRYABLE),
        (AccessDeniedError("no", code="AccessDeniedException"), FailureKind.RETRYABLE),
    ],
)
def test_errors_are_classified(error: Exception, kind: FailureKind) -> None:
    """LimitExceeded waits, passing errors are retried, InvalidS3Object and VideoTooLarge are final."""
    assert classify(error).kind is kind


def test_final_failure_is_not_retried() -> None:
    """A final failure says so and retry_failed leaves it as it is."""
    failed = record().claim("a", 0, 60).failed(classify(InvalidS3ObjectError("x", code="InvalidS3ObjectException")))
    assert (failed.final, failed.retryable, failed.error_code) == (True, False, "InvalidS3ObjectException")
    assert failed.retry() == failed


def test_retry_of_a_failed_job_starts_the_next_generation() -> None:
    """A failed job is retried with a new job: pending again, next generation, new token, no job id."""
    failed = record().claim("a", 0, 60).started("job-1", 1).failed(classify(JobFailedError("job-1", "codec")))
    assert failed.error_code == "JobFailed"
    retried = failed.retry()
    assert (retried.state, retried.generation, retried.job_id) == (ItemState.PENDING, 1, None)
    assert retried.token == derive_token(failed.fingerprint, 1)
    assert retried.token != failed.token


def test_retry_of_a_timed_out_job_reattaches_to_it() -> None:
    """A job that outlived the timeout is not started again on retry: the item goes back to running it."""
    timed_out = record().claim("a", 0, 60).started("job-1", 1).timed_out(3600)
    assert (timed_out.state, timed_out.error_code) == (ItemState.FAILED, "Timeout")
    again = timed_out.retry()
    assert (again.state, again.job_id, again.token, again.generation) == (
        ItemState.RUNNING,
        "job-1",
        timed_out.token,
        0,
    )


@pytest.mark.parametrize(
    ("error", "new_job"),
    [
        (JobFailedError("job-1", "codec"), True),
        (JobNotFoundError("gone", code="ResourceNotFoundException"), True),
        (IdempotentParameterMismatchError("other parameters", code="IdempotentParameterMismatchException"), True),
        (PaginationError("job-1", "t1"), False),
        (JobIdMismatchError("job-1", "job-2", operation="GetSegmentDetection"), False),
        (AccessDeniedError("no", code="AccessDeniedException"), False),
        (OSError("disk full"), False),
    ],
)
def test_only_an_unusable_job_is_replaced_on_retry(error: Exception, new_job: bool) -> None:
    """A failed job or expired results need a new job; a bad page or answer re-attaches to the job that succeeded."""
    failed = record().claim("a", 0, 60).started("job-1", 1).fetching().failed(classify(error))
    assert (failed.state, failed.new_job) == (ItemState.FAILED, new_job)
    retried = failed.retry()
    if new_job:
        assert (retried.state, retried.generation, retried.job_id) == (ItemState.PENDING, 1, None)
    else:
        assert (retried.state, retried.generation, retried.job_id, retried.token) == (
            ItemState.RUNNING,
            0,
            "job-1",
            failed.token,
        )


def test_a_start_whose_answers_were_lost_is_retried_with_the_same_token() -> None:
    """Start answers lost past the bound: retry goes back to pending with the same generation and token."""
    r = record().claim("a", 0, 60)
    lost = classify(TransportError("connection reset", operation="StartSegmentDetection"))
    for _ in range(MAX_TRANSIENT_ERRORS):
        r = r.passing_error(lost)
    assert (r.state, r.job_id, r.new_job) == (ItemState.FAILED, None, False)
    retried = r.retry()
    assert (retried.state, retried.generation, retried.token, retried.job_id) == (ItemState.PENDING, 0, r.token, None)


def test_passing_errors_are_bounded() -> None:
    """Passing errors in a row are counted; the item fails (retryable) at the bound instead of looping."""
    r = record().claim("a", 0, 60).started("job-1", 1)
    throttled = classify(ThrottlingError("slow down", code="ThrottlingException"))
    for _ in range(MAX_TRANSIENT_ERRORS - 1):
        r = r.passing_error(throttled)
        assert r.state is ItemState.RUNNING
    r = r.passing_error(throttled)
    assert (r.state, r.final, r.error_code) == (ItemState.FAILED, False, "ThrottlingException")
    assert r.retry().state is ItemState.RUNNING


def test_claimable_needs_a_free_expired_or_dead_lease() -> None:
    """Free and expired leases can be taken, a live one cannot unless its owner is known dead; finished never."""
    held = record().claim("host/1/a", 100.0, 60.0)
    assert is_claimable(record(), 0.0)
    assert not is_claimable(held, 150.0)
    assert is_claimable(held, 160.0)
    assert is_claimable(held, 150.0, frozenset({"host/1/a"}))
    assert not is_claimable(held.started("j", 1).fetching().done(1, 0), 1e12)


def test_capacity_gate_opens_when_a_job_ends_or_after_a_growing_backoff() -> None:
    """LimitExceeded closes the gate; our job ending reopens it; otherwise the backoff doubles up to its cap."""
    gate = CapacityGate(initial=5.0, maximum=20.0)
    rng = random.Random(1)
    assert gate.is_open(0.0)
    gate.refused(0.0, rng)
    assert not gate.is_open(1.0)
    gate.job_ended()
    assert gate.is_open(1.0)
    waits = []
    for _ in range(4):
        gate.refused(0.0, rng)
        assert gate.reopen_at is not None
        waits.append(gate.reopen_at)
    assert 4.5 <= waits[0] <= 5.0
    assert waits[1] > waits[0] * 1.5
    assert max(waits) <= 20.0
    gate.accepted()
    assert gate.is_open(0.0)


def test_capacity_gate_measures_the_wait_from_the_first_refusal_until_a_start_is_accepted() -> None:
    """waited() counts from the first refusal, across our jobs ending, and starts over when a Start is accepted."""
    gate = CapacityGate()
    rng = random.Random(1)
    assert gate.waited(100.0) == 0.0
    gate.refused(100.0, rng)
    gate.job_ended()
    gate.refused(150.0, rng)
    assert gate.waited(400.0) == 300.0
    gate.accepted()
    assert gate.waited(500.0) == 0.0


def test_no_capacity_fails_retryable_and_the_retry_keeps_the_token() -> None:
    """A video that never got capacity fails retryable, counts no attempt, and retries with the same token."""
    failed = record().claim("a", 0, 60).no_capacity(3600, "LimitExceeded")
    assert (failed.state, failed.error_code, failed.final, failed.attempts) == (
        ItemState.FAILED,
        "LimitExceededException",
        False,
        0,
    )
    retried = failed.retry()
    assert (retried.state, retried.generation, retried.token) == (ItemState.PENDING, 0, failed.token)
