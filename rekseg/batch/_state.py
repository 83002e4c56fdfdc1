"""The per-video state machine of a batch, as plain code: records, transitions and decisions, no I/O.

Each video moves through::

    pending -> starting -> running(job_id) -> fetching -> done
                  |            |                 |
                  +------------+-----------------+--> failed(final | retryable)

Every transition returns a new `ItemRecord`; the driver persists it *before* the side effect it announces
(``starting`` before Start, ``fetching`` before the result files are written), so a crash at any point resumes
from the last persisted state. A Start is made with a ClientRequestToken derived from the video, its options and
the item's generation, so a Start repeated after a crash re-attaches to the job already started instead of
starting (and paying for) a second one.
"""

from __future__ import annotations

import enum
import hashlib
import json
import random
from typing import Any, Final

import attrs

from .._exceptions import (
    IdempotentParameterMismatchError,
    InternalServerError,
    InvalidParameterError,
    InvalidS3ObjectError,
    JobFailedError,
    JobNotFoundError,
    LimitExceededError,
    ServiceError,
    ThrottlingError,
    TransportError,
    ValidationError,
    VideoTooLargeError,
)

__all__ = [
    "FINISHED",
    "IN_PROGRESS",
    "MAX_TRANSIENT_ERRORS",
    "CapacityGate",
    "Failure",
    "FailureKind",
    "ItemRecord",
    "ItemState",
    "classify",
    "derive_token",
    "is_claimable",
    "owner_parts",
]

MAX_TRANSIENT_ERRORS: Final = 8
"""Passing errors (throttling past the client's retries, lost connections) in a row before an item fails."""
CAPACITY_CODE: Final = "LimitExceededException"
"""The error code of an item that waited for capacity past the batch's capacity timeout."""
TIMEOUT_CODE: Final = "Timeout"
"""The error code of an item whose job did not end within the batch's job timeout."""
JOB_FAILED_CODE: Final = "JobFailed"
"""The error code of an item whose job ended FAILED."""
_TOKEN_PREFIX: Final = "rekseg-"  # noqa: S105 -- an idempotency token's prefix, not a secret
_TOKEN_HEX: Final = 40
"""Hex digits of the token's hash: 160 bits, 47 characters in all, within the service's 64."""


class ItemState(str, enum.Enum):
    """Where one video of a batch stands."""

    PENDING = "pending"
    STARTING = "starting"
    RUNNING = "running"
    FETCHING = "fetching"
    DONE = "done"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


FINISHED: Final = frozenset({ItemState.DONE, ItemState.FAILED})
"""States an item leaves only on ``retry_failed``."""
IN_PROGRESS: Final = frozenset({ItemState.STARTING, ItemState.RUNNING})
"""States of an item whose job is in progress, or about to be: what ``max_jobs`` counts across a store."""


class FailureKind(enum.Enum):
    """What an error means for the item it hit."""

    CAPACITY = "capacity"
    """LimitExceeded: no capacity now; the item waits, it is not failed."""
    TRANSIENT = "transient"
    """Throttling or a lost answer past the client's retries: try the same step again later."""
    RETRYABLE = "retryable"
    """The item fails; ``retry_failed`` tries it again."""
    FINAL = "final"
    """The item fails for good (the video is missing, unreadable or too large, or a parameter is refused)."""


@attrs.frozen
class Failure:
    """An error classified for the state machine.

    Attributes:
        kind: What it means for the item.
        code: The service's error code (``InvalidS3ObjectException``), or rekseg's (``JobFailed``, ``Timeout``).
        message: What went wrong, in words.
        new_job: Whether a retry needs a new job (the job failed, its results are gone, or the token names a job
            with other parameters); otherwise a retry re-attaches to the item's job, or repeats its Start with the
            same token when no job id is known.
    """

    kind: FailureKind
    code: str
    message: str
    new_job: bool = True


_FINAL_ERRORS: Final = (InvalidS3ObjectError, VideoTooLargeError, InvalidParameterError, ValidationError)
_TRANSIENT_ERRORS: Final = (ThrottlingError, InternalServerError, TransportError)


def classify(exc: BaseException) -> Failure:
    """Classify an exception raised by a Start or a Get for the state machine."""
    message = str(exc)
    if isinstance(exc, LimitExceededError):
        return Failure(FailureKind.CAPACITY, exc.code or "LimitExceededException", exc.message)
    if isinstance(exc, ServiceError):
        code = exc.code or type(exc).__name__
        message = exc.message
    elif isinstance(exc, ValidationError):
        code = "ValidationError"
    elif isinstance(exc, TransportError):
        code = "TransportError"
    else:
        code = type(exc).__name__
    if isinstance(exc, _FINAL_ERRORS):
        return Failure(FailureKind.FINAL, code, message)
    if isinstance(exc, _TRANSIENT_ERRORS):
        return Failure(FailureKind.TRANSIENT, code, message, new_job=False)
    if isinstance(exc, JobFailedError):
        return Failure(FailureKind.RETRYABLE, JOB_FAILED_CODE, exc.status_message or "the job failed")
    if isinstance(exc, (JobNotFoundError, IdempotentParameterMismatchError)):
        # The job's results are gone, or the token names a job started with other parameters: only a new
        # generation's token can give the video a job whose results it can read.
        return Failure(FailureKind.RETRYABLE, code, message)
    # Pagination trouble, a garbled answer or one naming another job, access denied, a file not written: worth
    # a retry once the cause is fixed. Nothing says the job (if any) is unusable, so a retry re-attaches to it
    # rather than starting, and paying for, another one.
    return Failure(FailureKind.RETRYABLE, code, message, new_job=False)


def derive_token(fingerprint: str, generation: int, given: str | None = None) -> str:
    """Return the ClientRequestToken of an item's ``generation``: the same for the same video and options.

    Generation 0 uses the caller's own token when one was given; each ``retry_failed`` of a failed job moves to
    the next generation, whose token differs, so the retry starts a new job instead of getting the failed one
    back (the service returns the same job for a token reused within 7 days).
    """
    if given is not None and generation == 0:
        return given
    seed = json.dumps({"fingerprint": fingerprint, "generation": generation, "token": given}, sort_keys=True)
    return _TOKEN_PREFIX + hashlib.sha256(seed.encode()).hexdigest()[:_TOKEN_HEX]


def fingerprint_of(params: dict[str, Any]) -> str:
    """Return a stable digest of a Start request's parameters (without its ClientRequestToken)."""
    stripped = {k: v for k, v in params.items() if k != "ClientRequestToken"}
    return hashlib.sha256(json.dumps(stripped, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@attrs.frozen(kw_only=True)
class ItemRecord:
    """One video's persisted state.

    Attributes:
        key: The video as ``s3://bucket/key`` (``?versionId=`` when versioned): unique in a batch.
        fingerprint: Digest of the Start parameters; a store refuses the same video with other options.
        state: Where the item stands.
        generation: How many times a failed job was retried; part of the ClientRequestToken.
        token: The ClientRequestToken of the current generation (also kept for support questions).
        given_token: The caller's own ClientRequestToken, if the item's options had one.
        job_id: The job, once the Start answered.
        attempts: Start calls that got an answer other than LimitExceeded.
        started_at: When the job was recorded (seconds since the epoch).
        shots: Shot segments in the result, once fetched.
        technical_cues: Technical cue segments in the result, once fetched.
        error_code: Why the item failed (or the last passing error), else ``None``.
        error_message: The error's message.
        final: Whether a failure is for good (``retry_failed`` leaves it).
        new_job: Whether retrying a failure needs a new job (else it re-attaches to ``job_id``, or repeats the
            Start with the same token when there is none).
        transient_errors: Passing errors in a row on the current step.
        owner: The worker holding the item's lease, or ``None``.
        lease_until: When the lease ends (seconds since the epoch).
        version: Incremented by every write; a write is refused unless the stored version matches.
        updated_at: When the record was last written (seconds since the epoch).
    """

    key: str
    fingerprint: str
    state: ItemState = ItemState.PENDING
    generation: int = 0
    token: str = ""
    given_token: str | None = None
    job_id: str | None = None
    attempts: int = 0
    started_at: float | None = None
    shots: int | None = None
    technical_cues: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    final: bool = False
    new_job: bool = True
    transient_errors: int = 0
    owner: str | None = None
    lease_until: float | None = None
    version: int = 0
    updated_at: float = 0.0

    @classmethod
    def new(cls, key: str, fingerprint: str, given_token: str | None = None) -> ItemRecord:
        """Return the record of a video not seen before."""
        return cls(
            key=key, fingerprint=fingerprint, given_token=given_token, token=derive_token(fingerprint, 0, given_token)
        )

    @property
    def finished(self) -> bool:
        """Whether the item is done or failed."""
        return self.state in FINISHED

    @property
    def retryable(self) -> bool:
        """Whether ``retry_failed`` would try the item again."""
        return self.state is ItemState.FAILED and not self.final

    # -- transitions ----------------------------------------------------------------------------------------

    def claim(self, owner: str, now: float, lease: float) -> ItemRecord:
        """Take the lease; a pending item moves to ``starting`` in the same write (before its Start is sent)."""
        state = ItemState.STARTING if self.state is ItemState.PENDING else self.state
        return attrs.evolve(self, state=state, owner=owner, lease_until=now + lease)

    def renew(self, now: float, lease: float) -> ItemRecord:
        """Extend the lease."""
        return attrs.evolve(self, lease_until=now + lease)

    def release(self) -> ItemRecord:
        """Give up the lease (the item keeps its state for whoever claims it next)."""
        return attrs.evolve(self, owner=None, lease_until=None)

    def requeue(self) -> ItemRecord:
        """Put a ``starting`` item whose holder is gone back to ``pending``, keeping its generation and token.

        Its Start may or may not have reached the service: whoever takes it next repeats it with the same
        ClientRequestToken, which gets that job back if there is one. As ``pending`` it waits for room under
        ``max_jobs`` like any other video, instead of being started whatever the room.
        """
        if self.state is not ItemState.STARTING:
            return self
        return attrs.evolve(self, state=ItemState.PENDING, owner=None, lease_until=None)

    def started(self, job_id: str, now: float) -> ItemRecord:
        """The Start answered with ``job_id``."""
        return attrs.evolve(
            self,
            state=ItemState.RUNNING,
            job_id=job_id,
            attempts=self.attempts + 1,
            started_at=now,
            error_code=None,
            error_message=None,
            transient_errors=0,
        )

    def fetching(self, shots: int | None = None, technical_cues: int | None = None) -> ItemRecord:
        """The job SUCCEEDED: its result is being fetched and written."""
        return attrs.evolve(
            self, state=ItemState.FETCHING, transient_errors=0, shots=shots, technical_cues=technical_cues
        )

    def done(self, shots: int, technical_cues: int) -> ItemRecord:
        """The result files are written; the lease is given up."""
        return attrs.evolve(
            self,
            state=ItemState.DONE,
            shots=shots,
            technical_cues=technical_cues,
            error_code=None,
            error_message=None,
            final=False,
            transient_errors=0,
            owner=None,
            lease_until=None,
        )

    def failed(self, failure: Failure) -> ItemRecord:
        """The item failed; the lease is given up."""
        return attrs.evolve(
            self,
            state=ItemState.FAILED,
            error_code=failure.code,
            error_message=failure.message,
            final=failure.kind is FailureKind.FINAL,
            new_job=failure.new_job,
            attempts=self.attempts + (1 if self.state is ItemState.STARTING else 0),
            owner=None,
            lease_until=None,
        )

    def passing_error(self, failure: Failure) -> ItemRecord:
        """A passing error on the current step: count it, or fail the item past `MAX_TRANSIENT_ERRORS`."""
        errors = self.transient_errors + 1
        if errors >= MAX_TRANSIENT_ERRORS:
            return attrs.evolve(self, transient_errors=errors).failed(
                Failure(FailureKind.RETRYABLE, failure.code, f"{failure.message} ({errors} times in a row)", False)
            )
        return attrs.evolve(self, transient_errors=errors, error_code=failure.code, error_message=failure.message)

    def timed_out(self, seconds: float) -> ItemRecord:
        """The job did not end within ``seconds``; a retry re-attaches to it."""
        message = f"the job did not end within {seconds:g}s; it may still be running (retry re-attaches to it)"
        return self.failed(Failure(FailureKind.RETRYABLE, TIMEOUT_CODE, message, new_job=False))

    def no_capacity(self, seconds: float, detail: str | None = None) -> ItemRecord:
        """No Start was accepted for ``seconds``: the item fails, and a retry repeats its Start with its token."""
        message = f"no capacity for a new job within {seconds:g}s (retry_failed tries again with the same token)"
        if detail:
            message = f"{message}: {detail}"
        failed = self.failed(Failure(FailureKind.RETRYABLE, CAPACITY_CODE, message, new_job=False))
        return attrs.evolve(failed, attempts=self.attempts)  # every Start was refused: none counts as an attempt

    def retry(self) -> ItemRecord:
        """Try a failed, retryable item again: re-attach to its job, or start the next generation's.

        Unless the failure proved the job unusable (``new_job``), the item keeps its generation and token: with a
        job id it goes back to ``running``; without one (no Start answer was ever read) it goes back to
        ``pending``, and its Start, sent with the same ClientRequestToken, gets back the job the service may
        already have started, or starts the first one.
        """
        if not self.retryable:
            return self
        if not self.new_job:
            state = ItemState.PENDING if self.job_id is None else ItemState.RUNNING
            return attrs.evolve(self, state=state, error_code=None, error_message=None, transient_errors=0, final=False)
        generation = self.generation + 1
        return attrs.evolve(
            self,
            state=ItemState.PENDING,
            generation=generation,
            token=derive_token(self.fingerprint, generation, self.given_token),
            job_id=None,
            started_at=None,
            shots=None,
            technical_cues=None,
            error_code=None,
            error_message=None,
            transient_errors=0,
            final=False,
            new_job=True,
        )


def owner_parts(owner: str) -> tuple[str, int | None, str]:
    """Split a worker id ``host/pid/nonce`` into its parts (``pid`` ``None`` when it is not a number)."""
    host, _, rest = owner.partition("/")
    pid, _, nonce = rest.partition("/")
    return host, int(pid) if pid.isdigit() else None, nonce


def is_claimable(record: ItemRecord, now: float, dead_owners: frozenset[str] = frozenset()) -> bool:
    """Whether a worker may take the item: unfinished, and its lease free, expired or held by a dead worker."""
    if record.finished:
        return False
    if record.owner is None or record.owner in dead_owners:
        return True
    return record.lease_until is None or record.lease_until <= now


@attrs.define
class CapacityGate:
    """When a Start may be tried, after LimitExceeded said there was no capacity.

    Blocked by a LimitExceeded; opened again when one of our jobs ends, or when the backoff passes (other users
    of the account count toward the limit too, so their jobs may end first). The backoff doubles at each refusal
    with none of our jobs ending in between, from ``initial`` to ``maximum`` seconds, less up to 10% of jitter.
    ``blocked_since`` is when the first of the refusals since the last accepted Start came: how long the batch
    has been waiting for capacity, whatever ended in between.
    """

    initial: float = 5.0
    maximum: float = 120.0
    refusals: int = 0
    reopen_at: float | None = None
    blocked_since: float | None = None

    def refused(self, now: float, rng: random.Random) -> None:
        """A Start was refused for capacity."""
        if self.blocked_since is None:
            self.blocked_since = now
        self.refusals += 1
        delay = min(self.maximum, self.initial * 2 ** (self.refusals - 1))
        self.reopen_at = now + delay * rng.uniform(0.9, 1.0)

    def accepted(self) -> None:
        """A Start was accepted: capacity is there."""
        self.refusals = 0
        self.reopen_at = None
        self.blocked_since = None

    def waited(self, now: float) -> float:
        """Seconds since the first refusal with no Start accepted after it (0 when no Start was refused)."""
        return 0.0 if self.blocked_since is None else now - self.blocked_since

    def job_ended(self) -> None:
        """One of our jobs ended: its slot is free (and the backoff starts over)."""
        self.refusals = 0
        self.reopen_at = None

    def is_open(self, now: float) -> bool:
        """Whether a Start may be tried now."""
        return self.reopen_at is None or now >= self.reopen_at
