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
    ├── PaginationError                     the service handed back the token it was called with
    ├── JobFailedError                      the job ended FAILED
    └── WaitTimeoutError                    the job did not finish within the timeout
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
    "ConfigurationError",
    "IdempotentParameterMismatchError",
    "InternalServerError",
    "InvalidPaginationTokenError",
    "InvalidParameterError",
    "InvalidS3ObjectError",
    "JobFailedError",
    "JobNotFoundError",
    "LimitExceededError",
    "PaginationError",
    "RekSegError",
    "ServiceError",
    "ThrottlingError",
    "TimecodeError",
    "TransportError",
    "ValidationError",
    "VideoTooLargeError",
    "WaitTimeoutError",
]


class RekSegError(Exception):
    """Root of every exception rekseg raises."""

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
    """The service handed back the very token it was called with; following it would loop forever.

    Attributes:
        job_id: The job being paged.
        token: The repeated token.
    """

    def __init__(self, job_id: str, token: str) -> None:
        self.job_id = job_id
        self.token = token
        super().__init__(f"GetSegmentDetection for job {job_id} returned the NextToken it was called with")


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
    """The job did not finish within the timeout; the job itself goes on running.

    Attributes:
        job_id: The job waited for.
        last_status: The status seen at the last poll, or ``None`` if no poll succeeded.
        elapsed: Seconds spent waiting.
        polls: How many status calls were made.
    """

    def __init__(self, job_id: str, last_status: str | None, elapsed: float, polls: int) -> None:
        self.job_id = job_id
        self.last_status = last_status
        self.elapsed = elapsed
        self.polls = polls
        super().__init__(
            f"job {job_id} still {last_status or 'unknown'} after {elapsed:.1f}s ({polls} polls); "
            "it keeps running: wait again or raise the timeout"
        )
