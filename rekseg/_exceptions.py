"""Every exception rekseg raises.

The tree::

    RekSegError
    ├── ValidationError (also ValueError)   bad input, raised before any request is sent
    │   └── TimecodeError                   malformed or impossible SMPTE timecode
    ├── ServiceError                        the service answered with an error
    │   ├── AccessDeniedError
    │   ├── InvalidParameterError
    │   ├── InvalidS3ObjectError
    │   ├── VideoTooLargeError
    │   ├── LimitExceededError              ~20 concurrent jobs; clears only when a job ends
    │   ├── IdempotentParameterMismatchError
    │   ├── ThrottlingError                 ThrottlingException, ProvisionedThroughputExceededException
    │   ├── InternalServerError             InternalServerError and unmodeled 5xx answers
    │   ├── JobNotFoundError                ResourceNotFoundException (unknown job, or results expired)
    │   └── InvalidPaginationTokenError
    ├── TransportError                      no usable answer: connection lost, read timeout, garbled body
    ├── ConfigurationError                  no AWS credentials or region could be found
    ├── PaginationError                     paging cannot go on safely: token loop or cycle, endless pages
    │   ├── JobStatusChangedError           a later page reports IN_PROGRESS or FAILED
    │   └── ResultChangedError              a re-read after an expired token differs from what was yielded
    ├── JobIdMismatchError                  an answer names another job than the one asked for
    ├── JobInProgressError                  results asked for while the job still runs: wait() first
    ├── JobFailedError                      the job ended FAILED
    ├── WaitTimeoutError                    the job did not finish (or its result was not read) within the timeout
    ├── ClientClosedError                   the Client was closed
    └── ClientForkedError                   a handed-in botocore client used after os.fork()

Every exception that concerns a job carries its ``job_id``; `RekSegError.job_id` is ``None`` otherwise.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import fractions
import reprlib
from typing import Any, Final

import attrs

__all__ = [
    "AccessDeniedError",
    "ClientClosedError",
    "ClientForkedError",
    "ConfigurationError",
    "IdempotentParameterMismatchError",
    "InternalServerError",
    "InvalidPaginationTokenError",
    "InvalidParameterError",
    "InvalidS3ObjectError",
    "JobFailedError",
    "JobIdMismatchError",
    "JobInProgressError",
    "JobNotFoundError",
    "JobStatusChangedError",
    "LimitExceededError",
    "PaginationError",
    "RekSegError",
    "ResultChangedError",
    "ServiceError",
    "ThrottlingError",
    "TimecodeError",
    "TransportError",
    "ValidationError",
    "VideoTooLargeError",
    "WaitTimeoutError",
]


class RekSegError(Exception):
    """Root of every exception rekseg raises.

    Attributes:
        job_id: The job concerned, when there is one. Every exception that escapes `Client.detect` after
            the job was started carries it, so the running job is never lost.
    """

    job_id: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own pickling calls cls(*self.args), which fails for every subclass whose __init__ takes
        # other arguments than the message; rebuild without __init__ and restore the attributes instead.
        return (_rebuild_error, (type(self), self.args), self.__dict__)


def _rebuild_error(cls: type[RekSegError], args: tuple[Any, ...]) -> RekSegError:
    error = cls.__new__(cls, *args)
    # OSError subclasses (WaitTimeoutError is a TimeoutError) set args in __init__, not __new__.
    error.args = args
    return error


_MAX_SHOWN: Final = 200
"""Characters of a bad value a `ValidationError` message shows at most."""
_MAX_KEPT_ITEMS: Final = 1000
"""Items (nested ones counted) of a container value a `ValidationError` keeps before describing it instead."""
_PLAIN_SCALARS: Final = (
    str,
    bytes,
    int,
    float,
    complex,
    enum.Enum,
    decimal.Decimal,
    fractions.Fraction,
    datetime.date,
    datetime.time,
    datetime.timedelta,
)


class ValidationError(RekSegError, ValueError):
    """Bad input, caught before any request is sent.

    Attributes:
        field: The parameter or model field at fault, such as ``ShotFilter.min_segment_confidence``.
        rule: The rule it broke, in words: ``must be between 50 and 100``.
        value: The offending value when it is plain data (numbers, strings, enums, rekseg's value models and
            containers of those); anything else (a botocore client, a session, a generator) is replaced by a
            short description such as ``<botocore.client.Rekognition object>``, so the error never keeps a live
            object, or the credentials it holds, reachable and always pickles. The message shows at most
            200 characters of it.
    """

    def __init__(self, field: str, rule: str, value: object = None) -> None:
        self.field = field
        self.rule = rule
        self.value = _kept(value)
        super().__init__(f"{field}: {rule} (got {_shown(self.value)})")


def _kept(value: object) -> object:
    """Return ``value`` if it is plain data, else a description of its type."""
    budget = [_MAX_KEPT_ITEMS]
    if _is_plain(value, budget):
        return value
    kind = type(value)
    return _Description(f"<{kind.__module__}.{kind.__qualname__} object>")


class _Description(str):
    """What stands in for a value that is not plain data; shown without quotes."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def _is_plain(value: object, budget: list[int]) -> bool:
    budget[0] -= 1
    if budget[0] < 0:
        return False
    if value is None or isinstance(value, _PLAIN_SCALARS):
        return True
    if isinstance(value, (tuple, list, frozenset, set)):
        return all(_is_plain(item, budget) for item in value)
    if isinstance(value, dict):
        return all(_is_plain(k, budget) and _is_plain(v, budget) for k, v in value.items())
    # rekseg's own value models (frozen attrs classes such as S3Object or ShotFilter), field by field.
    kind = type(value)
    if attrs.has(kind) and kind.__module__.startswith("rekseg."):
        return all(_is_plain(getattr(value, a.name), budget) for a in attrs.fields(kind))
    return False


_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = _REPR.maxlong = _REPR.maxother = _MAX_SHOWN


def _shown(value: object) -> str:
    # reprlib cuts long strings and containers before building the text: a 10 MB value costs no 10 MB message.
    text = _REPR.repr(value)
    if len(text) > _MAX_SHOWN:
        text = text[:_MAX_SHOWN] + "..."
    if isinstance(value, (str, bytes)) and len(value) > _MAX_SHOWN:
        text += f" ({len(value)} characters)"
    return text


class TimecodeError(ValidationError):
    """A timecode that is malformed or does not exist at its frame rate."""


class ServiceError(RekSegError):
    """The service answered with an error.

    Attributes:
        code: The service's error code, such as ``ThrottlingException``.
        message: The service's message.
        request_id: The request id of the failed call, for AWS support.
        operation: ``StartSegmentDetection`` or ``GetSegmentDetection``.
        job_id: The job concerned, when known.
        http_status: The HTTP status of the answer, when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        request_id: str | None = None,
        operation: str | None = None,
        job_id: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.operation = operation
        self.job_id = job_id
        self.http_status = http_status
        super().__init__(message)

    def __str__(self) -> str:
        where = f" calling {self.operation}" if self.operation else ""
        parts = [f"{self.code or type(self).__name__}{where}: {self.message}"]
        if self.job_id:
            parts.append(f"job {self.job_id}")
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return "; ".join(parts)

    def __repr__(self) -> str:
        fields = ("code", "operation", "job_id", "request_id", "http_status")
        shown = "".join(f", {name}={getattr(self, name)!r}" for name in fields if getattr(self, name))
        return f"{type(self).__name__}({self.message!r}{shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        kwargs = {
            "code": self.code,
            "request_id": self.request_id,
            "operation": self.operation,
            "job_id": self.job_id,
            "http_status": self.http_status,
        }
        return (_rebuild_service_error, (type(self), self.message, kwargs))


def _rebuild_service_error(cls: type[ServiceError], message: str, kwargs: dict[str, Any]) -> ServiceError:
    return cls(message, **kwargs)


class AccessDeniedError(ServiceError):
    """The caller may not use this operation, bucket, topic or role."""


class InvalidParameterError(ServiceError):
    """The service rejected a parameter that rekseg could not check beforehand."""


class InvalidS3ObjectError(ServiceError):
    """The S3 object does not exist, cannot be read, or is not a supported video."""


class VideoTooLargeError(ServiceError):
    """The video is larger or longer than the service accepts."""


class LimitExceededError(ServiceError):
    """Too many concurrent jobs (about 20 per account); clears only when a running job ends."""


class IdempotentParameterMismatchError(ServiceError):
    """A ``ClientRequestToken`` was reused with different parameters."""


class ThrottlingError(ServiceError):
    """The call was throttled (ThrottlingException or ProvisionedThroughputExceededException)."""


class InternalServerError(ServiceError):
    """The service failed (InternalServerError, or an unmodeled 5xx answer)."""


class JobNotFoundError(ServiceError):
    """The job is unknown, or its results are gone (the service keeps them 7 days)."""


class InvalidPaginationTokenError(ServiceError):
    """A ``NextToken`` was not issued for this job, or it expired (tokens live 24 hours)."""


class TransportError(RekSegError):
    """No usable answer arrived: the connection failed or closed, a read timed out, or the body was garbled.

    Attributes:
        operation: The operation being called.
        job_id: The job concerned, when known.
    """

    def __init__(self, message: str, *, operation: str | None = None, job_id: str | None = None) -> None:
        self.operation = operation
        self.job_id = job_id
        super().__init__(message)


class ConfigurationError(RekSegError):
    """No AWS credentials, region or named profile could be found for the client.

    Attributes:
        missing: ``"credentials"``, ``"region"`` or ``"profile"``.
    """

    def __init__(self, message: str, *, missing: str) -> None:
        self.missing = missing
        super().__init__(message)


class PaginationError(RekSegError):
    """Paging cannot go on without losing, repeating or endlessly fetching pages.

    Raised when the service hands back a token already followed (the token it was called with, or one from
    a few pages back: a cycle), or keeps sending pages without segments but with a fresh token, or more
    segments than the video has room for.

    Attributes:
        job_id: The job being paged.
        token: The offending token, when a token is at fault.
        page: The page (1-based, counted from where this iteration started) at which paging stopped.
    """

    def __init__(
        self, job_id: str, token: str | None = None, message: str | None = None, *, page: int | None = None
    ) -> None:
        self.job_id = job_id
        self.token = token
        self.page = page
        super().__init__(message or f"GetSegmentDetection for job {job_id} returned the NextToken it was called with")


class JobStatusChangedError(PaginationError):
    """A page after the first reports a JobStatus other than SUCCEEDED: the pages so far are not the result.

    Attributes:
        status: The status that page reported, such as ``IN_PROGRESS`` or ``FAILED`` (``None`` if absent).
        status_message: The service's StatusMessage on that page, if any.
    """

    def __init__(self, job_id: str, *, page: int, status: str | None, status_message: str | None = None) -> None:
        self.status = status
        self.status_message = status_message
        reason = f" ({status_message})" if status_message else ""
        super().__init__(
            job_id,
            None,
            f"GetSegmentDetection for job {job_id} reported JobStatus {status or 'none'}{reason} on page {page} "
            "after SUCCEEDED: the pages read so far are not the whole result, so none of it is returned",
            page=page,
        )


class ResultChangedError(PaginationError):
    """After an expired token, the re-read from page 1 does not match the segments already yielded.

    Skipping what was yielded would then repeat or lose segments, so iteration stops instead.

    Attributes:
        offset: How many segments had been yielded (and were to be skipped).
    """

    def __init__(self, job_id: str, *, offset: int, page: int, reason: str) -> None:
        self.offset = offset
        super().__init__(
            job_id,
            None,
            f"job {job_id}: after an expired NextToken, re-reading from page 1 {reason} (page {page}, "
            f"{offset} segments yielded before); skipping them could repeat or lose segments",
            page=page,
        )


class JobIdMismatchError(RekSegError):
    """An answer names another job than the one asked for; its segments are not used.

    Attributes:
        job_id: The job asked for.
        answered_job_id: The JobId the answer carried.
        operation: The operation called.
        request_id: The request id of the answer, for AWS support.
    """

    def __init__(self, job_id: str, answered_job_id: str, *, operation: str, request_id: str | None = None) -> None:
        self.job_id = job_id
        self.answered_job_id = answered_job_id
        self.operation = operation
        self.request_id = request_id
        rid = f"; request id {request_id}" if request_id else ""
        super().__init__(
            f"{operation} for job {job_id} was answered for job {answered_job_id}; the answer is refused{rid}"
        )


class JobInProgressError(RekSegError):
    """The job's results were asked for while it still runs; wait for it first.

    Attributes:
        job_id: The running job.
        status: Its status, ``IN_PROGRESS``.
    """

    def __init__(self, job_id: str, status: str = "IN_PROGRESS") -> None:
        self.job_id = job_id
        self.status = status
        super().__init__(
            f"segment detection job {job_id} is still {status}: its results are not ready; "
            "call wait() (client.wait(job_id) or job.wait()) to wait for it, or look again later"
        )


class JobFailedError(RekSegError):
    """The job ended with status FAILED.

    Attributes:
        job_id: The failed job.
        status_message: The service's explanation.
    """

    def __init__(self, job_id: str, status_message: str | None) -> None:
        self.job_id = job_id
        self.status_message = status_message
        super().__init__(f"segment detection job {job_id} failed: {status_message or 'no reason given'}")


class WaitTimeoutError(RekSegError, TimeoutError):
    """The job did not finish within the timeout (it goes on running), or its result could not be read whole in it.

    A wait's timeout covers reading the result too: when the job SUCCEEDED but its pages were not all read by
    the deadline, ``last_status`` is ``"SUCCEEDED"`` and ``pages_read`` says how many were; ``get`` reads them.

    Attributes:
        job_id: The job waited for.
        last_status: The status seen at the last poll, or ``None`` if no poll succeeded.
        elapsed: Seconds spent waiting.
        polls: How many status calls were made.
        pages_read: Pages of the finished job's result read by the deadline; ``None`` while the job ran.
    """

    def __init__(
        self, job_id: str, last_status: str | None, elapsed: float, polls: int, *, pages_read: int | None = None
    ) -> None:
        self.job_id = job_id
        self.last_status = last_status
        self.elapsed = elapsed
        self.polls = polls
        self.pages_read = pages_read
        if pages_read is not None:
            message = (
                f"job {job_id} {last_status} after {polls} polls, but only {pages_read} pages of its result were "
                f"read within {elapsed:.1f}s; read it with get(), or raise the timeout"
            )
        else:
            message = (
                f"job {job_id} still {last_status or 'unknown'} after {elapsed:.1f}s ({polls} polls); "
                "it keeps running: wait again or raise the timeout"
            )
        super().__init__(message)


class ClientClosedError(RekSegError):
    """The `Client` was closed; make a new one."""

    def __init__(self) -> None:
        super().__init__("this rekseg.Client was closed; make a new one")


class ClientForkedError(RekSegError):
    """A `Client` around a handed-in botocore client was used in a process forked from the one that made it.

    A forked child shares the parent's pooled connections, so answers could reach the wrong process (and the
    wrong job). rekseg rebuilds a botocore client it made itself; one you handed in it cannot rebuild.

    Attributes:
        parent_pid: The process the client was made in.
        pid: The process it was used in.
    """

    def __init__(self, parent_pid: int, pid: int) -> None:
        self.parent_pid = parent_pid
        self.pid = pid
        super().__init__(
            f"this rekseg.Client wraps a botocore client made in process {parent_pid} and is used in forked "
            f"process {pid}, where it would share the parent's pooled connections: make a new botocore client "
            "and rekseg.Client(boto_client=...) in the child, or let rekseg build the client (it rebuilds it "
            "after a fork)"
        )
