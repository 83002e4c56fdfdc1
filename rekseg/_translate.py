"""The one place where botocore's exceptions become rekseg's."""

from __future__ import annotations

from typing import Final

import botocore.exceptions as bex
from botocore.parsers import ResponseParserError

from ._exceptions import (
    AccessDeniedError,
    ConfigurationError,
    IdempotentParameterMismatchError,
    InternalServerError,
    InvalidPaginationTokenError,
    InvalidParameterError,
    InvalidS3ObjectError,
    JobNotFoundError,
    LimitExceededError,
    RekSegError,
    ServiceError,
    ThrottlingError,
    TransportError,
    ValidationError,
    VideoTooLargeError,
)
from ._validation import redact_url

__all__ = ["is_retryable", "translate"]

_BY_CODE: Final[dict[str, type[ServiceError]]] = {
    "AccessDeniedException": AccessDeniedError,
    "IdempotentParameterMismatchException": IdempotentParameterMismatchError,
    "InternalServerError": InternalServerError,
    "InvalidParameterException": InvalidParameterError,
    "InvalidPaginationTokenException": InvalidPaginationTokenError,
    "InvalidS3ObjectException": InvalidS3ObjectError,
    "LimitExceededException": LimitExceededError,
    "ProvisionedThroughputExceededException": ThrottlingError,
    "ResourceNotFoundException": JobNotFoundError,
    "ThrottlingException": ThrottlingError,
    "VideoTooLargeException": VideoTooLargeError,
}

_NOT_FOUND_HINT: Final = (
    "the job id is unknown in this account and region, or its results have expired (Rekognition keeps them for 7 days)"
)

_CONFIG_HINT: Final = (
    "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE (or run `aws configure`), "
    "or try the built-in emulator with `rekseg demo`"
)


def translate(exc: Exception, *, operation: str, job_id: str | None = None) -> RekSegError:
    """Return the rekseg exception for a botocore exception raised by ``operation``.

    The caller raises the result ``from exc`` so the botocore exception stays available as ``__cause__``.
    Exceptions that are not botocore's are returned wrapped in a `TransportError` only when they are
    connection-level; anything else is returned as a plain `RekSegError` naming the operation.
    """
    if isinstance(exc, RekSegError):
        return exc
    if isinstance(exc, bex.ClientError):
        return _from_client_error(exc, operation=operation, job_id=job_id)
    if isinstance(exc, bex.NoCredentialsError):
        return ConfigurationError(f"no AWS credentials found: {_CONFIG_HINT}", missing="credentials")
    if isinstance(exc, bex.NoRegionError):
        return ConfigurationError(
            "no AWS region configured: pass region_name=, set AWS_DEFAULT_REGION, or try `rekseg demo`",
            missing="region",
        )
    if isinstance(exc, bex.ProfileNotFound):
        return ConfigurationError(
            f"AWS profile {exc.kwargs.get('profile')!r} not found: check AWS_PROFILE / profile_name= "
            "against ~/.aws/config, or try `rekseg demo`",
            missing="profile",
        )
    if isinstance(exc, bex.ParamValidationError):
        return ValidationError(operation, str(exc.kwargs.get("report", exc)).strip(), None)
    if isinstance(exc, (bex.HTTPClientError, ResponseParserError, bex.IncompleteReadError)):
        return TransportError(f"{operation}: {redact_url(str(exc))}", operation=operation, job_id=job_id)
    if isinstance(exc, bex.BotoCoreError):
        return RekSegError(f"{operation}: {redact_url(str(exc))}")
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return TransportError(f"{operation}: {redact_url(repr(exc))}", operation=operation, job_id=job_id)
    return RekSegError(f"{operation}: unexpected {type(exc).__name__}: {redact_url(str(exc))}")


def _from_client_error(exc: bex.ClientError, *, operation: str, job_id: str | None) -> ServiceError:
    response = exc.response
    error = response.get("Error", {})
    meta = response.get("ResponseMetadata", {})
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")
    status = meta.get("HTTPStatusCode")
    request_id = meta.get("RequestId") or meta.get("HTTPHeaders", {}).get("x-amzn-requestid")
    cls = _BY_CODE.get(code)
    if cls is None:
        cls = InternalServerError if isinstance(status, int) and status >= 500 else ServiceError
    if cls is JobNotFoundError:
        message = f"{message.rstrip('.')}: {_NOT_FOUND_HINT}" if message else _NOT_FOUND_HINT
    return cls(
        message or code or "no message",
        code=code,
        request_id=request_id,
        operation=operation,
        job_id=job_id,
        http_status=status if isinstance(status, int) else None,
    )


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed call may succeed if made again soon."""
    return isinstance(exc, (ThrottlingError, InternalServerError, TransportError))
