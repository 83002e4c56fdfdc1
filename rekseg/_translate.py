"""The one place where botocore's exceptions become rekseg's."""

from __future__ import annotations

import re
from types import TracebackType
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

__all__ = ["translate"]

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

    The caller raises the result ``from exc`` so the botocore exception stays available as ``__cause__``; the
    ``user:password@`` of an endpoint URL is first cut out of it and of the exceptions chained under it, so a
    printed traceback does not show it either.
    Connection failures of every kind (refused, connect or read timeout, SSL, proxy, closed) and answers
    that cannot be read (a cut-off error body, a body botocore's parser chokes on) are `TransportError`s. An
    error answer without a readable code takes it from the ``x-amzn-ErrorType`` header or the readable part of
    a cut-off ``__type``; a 429 without one is a `ThrottlingError`. Exceptions that are not botocore's are
    returned wrapped in a `TransportError` only when they are connection-level; anything else is returned as a
    plain `RekSegError` naming the operation.
    """
    if isinstance(exc, RekSegError):
        return exc
    _redact_chain(exc)
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
    if isinstance(exc, (bex.HTTPClientError, bex.ConnectionError, ResponseParserError, bex.IncompleteReadError)):
        return TransportError(f"{operation}: {redact_url(str(exc))}", operation=operation, job_id=job_id)
    if isinstance(
        exc, (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError)
    ) and _raised_by_parser(exc.__traceback__):
        # botocore's JSON parser walks the body along the output shape without checking it: a string where a
        # list belongs ends in an AttributeError deep inside it, and a body nested thousands of levels deep in
        # a RecursionError of the JSON decoder. That is an unreadable answer, not a bug here.
        return TransportError(
            f"{operation}: the response body does not match the {operation} output shape ({type(exc).__name__}: {exc})",
            operation=operation,
            job_id=job_id,
        )
    if isinstance(exc, bex.BotoCoreError):
        return RekSegError(f"{operation}: {redact_url(str(exc))}")
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return TransportError(f"{operation}: {redact_url(repr(exc))}", operation=operation, job_id=job_id)
    return RekSegError(f"{operation}: unexpected {type(exc).__name__}: {redact_url(str(exc))}")


def _redact_chain(exc: BaseException) -> None:
    """Cut the ``user:password@`` of URLs out of the messages of ``exc`` and of every exception chained to it.

    botocore builds its messages from the request URL (``Could not connect to the endpoint URL: "http://user:
    secret@..."``) and keeps them in ``args`` and ``kwargs``, which tracebacks print.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(redact_url(arg) if isinstance(arg, str) else arg for arg in current.args)
        kwargs = getattr(current, "kwargs", None)
        if isinstance(kwargs, dict):
            for key, value in kwargs.items():
                if isinstance(value, str):
                    kwargs[key] = redact_url(value)
        current = current.__cause__ or current.__context__


_PARSER_MODULES: Final = frozenset(
    {"botocore.parsers", "aiobotocore.parsers", "rekseg._fastparse", "rekseg.aio._fastparse"}
)
"""The response parsers: botocore's and aiobotocore's, and rekseg's fast path over each."""
_CUT_TYPE: Final = re.compile(r'"__type"\s*:\s*"([A-Za-z0-9_.#:]*)')
"""The readable part of a ``__type`` in a body cut off anywhere, even inside the code itself."""


def _raised_by_parser(tb: TracebackType | None) -> bool:
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__") in _PARSER_MODULES:
            return True
        tb = tb.tb_next
    return False


def _bare_code(code: str) -> str:
    # "com.amazonaws#ThrottlingException" and "ThrottlingException:http://internal.amazon.com/..." forms.
    return code.split(":", 1)[0].rsplit("#", 1)[-1]


def _recover_code(message: str, headers: dict[str, str]) -> str | None:
    """Return the error code of an answer whose body botocore could not read, or ``None``."""
    header = headers.get("x-amzn-errortype")
    if header:
        return _bare_code(header)
    match = _CUT_TYPE.search(message)
    if match is None:
        return None
    partial = _bare_code(match.group(1))
    if partial in _BY_CODE:
        return partial
    # Cut inside the code: accept it only when what is left names one known code.
    candidates = [code for code in _BY_CODE if partial and code.startswith(partial)]
    return candidates[0] if len(candidates) == 1 else None


def _from_client_error(exc: bex.ClientError, *, operation: str, job_id: str | None) -> ServiceError | TransportError:
    response = exc.response
    error = response.get("Error", {})
    meta = response.get("ResponseMetadata", {})
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")
    status = meta.get("HTTPStatusCode")
    headers = meta.get("HTTPHeaders", {})
    request_id = meta.get("RequestId") or headers.get("x-amzn-requestid")
    unreadable = isinstance(status, int) and (not code or code == str(status))
    if unreadable:
        # botocore found no __type: its code is the bare status and, when the body was not JSON, its message
        # is the raw body.
        code = _recover_code(message, headers) or code
    cls = _BY_CODE.get(code)
    if cls is None and status == 429:
        cls = ThrottlingError
    if cls is None and unreadable and isinstance(status, int) and status < 500 and _garbled(message):
        return TransportError(
            f"{operation}: HTTP {status} error answer with an unreadable body "
            f"(request id {request_id}): {message[:200]!r}",
            operation=operation,
            job_id=job_id,
        )
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


def _garbled(message: str) -> bool:
    """Whether botocore's message is a body it could not parse (empty, or JSON cut off), not a real message."""
    text = message.strip()
    return not text or text[0] in "{["
