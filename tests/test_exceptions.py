"""The exception tree: what each error says, what it carries, and that it survives pickling."""

from __future__ import annotations

import pickle

import pytest

import rekseg
from rekseg import (
    AccessDeniedError,
    ConfigurationError,
    IdempotentParameterMismatchError,
    InternalServerError,
    InvalidPaginationTokenError,
    InvalidParameterError,
    InvalidS3ObjectError,
    JobFailedError,
    JobNotFoundError,
    LimitExceededError,
    PaginationError,
    RekSegError,
    ServiceError,
    ThrottlingError,
    TimecodeError,
    TransportError,
    ValidationError,
    VideoTooLargeError,
    WaitTimeoutError,
    _exceptions,
)

SERVICE_ERRORS = [
    AccessDeniedError,
    IdempotentParameterMismatchError,
    InternalServerError,
    InvalidPaginationTokenError,
    InvalidParameterError,
    InvalidS3ObjectError,
    JobNotFoundError,
    LimitExceededError,
    ThrottlingError,
    VideoTooLargeError,
]

# One instance of every exception rekseg defines, built the way rekseg raises it.
EXAMPLES: list[RekSegError] = [
    RekSegError("something went wrong"),
    ValidationError("ShotFilter.min_segment_confidence", "must be between 50 and 100", 20),
    TimecodeError("timecode", "hours must be 00 to 23", "24:00:00:00"),
    *(
        cls("Rate exceeded", code="Code", request_id="req-1", operation="GetSegmentDetection", job_id="job-1")
        for cls in [ServiceError, *SERVICE_ERRORS]
    ),
    TransportError("GetSegmentDetection: connection reset", operation="GetSegmentDetection", job_id="job-1"),
    ConfigurationError("no AWS region configured", missing="region"),
    PaginationError("job-1", "token-7"),
    JobFailedError("job-1", "unsupported codec"),
    WaitTimeoutError("job-1", "IN_PROGRESS", 12.5, 4),
    rekseg.JobStatusChangedError("job-1", page=2, status="IN_PROGRESS"),
    rekseg.ResultChangedError("job-1", offset=1000, page=1, reason="ended before reaching them"),
    rekseg.JobIdMismatchError("job-1", "job-2", operation="GetSegmentDetection", request_id="req-1"),
    rekseg.JobInProgressError("job-1"),
    rekseg.ClientClosedError(),
    rekseg.ClientForkedError(100, 101),
]


def test_every_exception_is_exported_and_drawn_in_the_tree() -> None:
    """Each exception class is public, a RekSegError, and appears in the module docstring's tree."""
    assert _exceptions.__doc__ is not None
    for name in _exceptions.__all__:
        cls = getattr(rekseg, name)
        assert issubclass(cls, RekSegError), name
        assert name in _exceptions.__doc__, name
    assert {type(e).__name__ for e in EXAMPLES} == set(_exceptions.__all__)


def test_the_tree_lets_callers_catch_broadly() -> None:
    """Service errors are ServiceErrors, bad input is a ValueError, a wait timeout is a TimeoutError."""
    assert all(issubclass(cls, ServiceError) for cls in SERVICE_ERRORS)
    assert issubclass(TimecodeError, ValidationError)
    assert issubclass(ValidationError, ValueError)
    assert issubclass(WaitTimeoutError, TimeoutError)
    assert not issubclass(TransportError, ServiceError)


def test_service_error_str_carries_code_operation_job_and_request_id() -> None:
    """A service error's message says which call failed, with what code, for which job, and the request id."""
    error = ThrottlingError(
        "Rate exceeded",
        code="ThrottlingException",
        request_id="5f2e-req",
        operation="GetSegmentDetection",
        job_id="job-42",
        http_status=400,
    )

    assert (
        str(error) == "ThrottlingException calling GetSegmentDetection: Rate exceeded; job job-42; request id 5f2e-req"
    )
    assert (error.code, error.message, error.http_status) == ("ThrottlingException", "Rate exceeded", 400)


def test_service_error_str_without_context() -> None:
    """Without code, operation, job or request id the message falls back to the class name."""
    assert str(LimitExceededError("too many jobs")) == "LimitExceededError: too many jobs"


def test_service_error_repr_carries_the_context() -> None:
    """repr() shows code, operation, job id, request id and HTTP status, and leaves out what is unknown."""
    error = JobNotFoundError(
        "no such job",
        code="ResourceNotFoundException",
        request_id="r-9",
        operation="GetSegmentDetection",
        job_id="j-1",
        http_status=400,
    )

    assert repr(error) == (
        "JobNotFoundError('no such job', code='ResourceNotFoundException', operation='GetSegmentDetection', "
        "job_id='j-1', request_id='r-9', http_status=400)"
    )
    assert repr(ServiceError("boom")) == "ServiceError('boom')"


def test_other_errors_say_what_happened() -> None:
    """The job-level errors' messages name the job and the facts a user needs next."""
    assert str(JobFailedError("j-1", None)) == "segment detection job j-1 failed: no reason given"
    assert "returned the NextToken it was called with" in str(PaginationError("j-1", "t"))
    timeout = WaitTimeoutError("j-1", None, 61.25, 7)
    assert str(timeout) == (
        "job j-1 still unknown after 61.2s (7 polls); it keeps running: wait again or raise the timeout"
    )
    assert (timeout.job_id, timeout.last_status, timeout.elapsed, timeout.polls) == ("j-1", None, 61.25, 7)
    assert ConfigurationError("no region", missing="region").missing == "region"


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_every_exception_survives_pickling(error: RekSegError) -> None:
    """Errors cross process boundaries (multiprocessing, concurrent.futures) with their class, text and fields."""
    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert repr(copy) == repr(error)
    assert copy.args == error.args
    assert vars(copy) == vars(error)
