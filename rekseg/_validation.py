"""The service model's input rules, checked locally so bad input fails before any request.

The emulator enforces the same rules through these functions, so the two cannot drift apart.
"""

from __future__ import annotations

import difflib
import enum
import math
import re
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Final, Literal, TypeAlias

from ._enums import SegmentType
from ._exceptions import ValidationError

__all__ = [
    "BUCKET_PATTERN",
    "JOB_ID_PATTERN",
    "JOB_TAG_PATTERN",
    "MAX_PAGE_SIZE",
    "MAX_TOKEN_LENGTH",
    "ROLE_ARN_PATTERN",
    "SNS_TOPIC_ARN_PATTERN",
    "TOKEN_PATTERN",
    "UNSET",
    "Timeout",
    "check_bucket",
    "check_job_id",
    "check_job_tag",
    "check_length",
    "check_number",
    "check_object_name",
    "check_pattern",
    "check_request_token",
    "check_role_arn",
    "check_segment_type",
    "check_sns_topic_arn",
    "check_timeout",
    "check_token",
    "field_check",
    "redact_url",
]


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET: Final = _Unset.UNSET
"""Marks an argument not given, as opposed to ``None`` (which means "no bound")."""

Timeout: TypeAlias = float | Literal[_Unset.UNSET] | None

JOB_ID_PATTERN = re.compile(r"^[a-zA-Z0-9-_]+$")
TOKEN_PATTERN = JOB_ID_PATTERN
JOB_TAG_PATTERN = re.compile(r"[a-zA-Z0-9_.\-:+=/]+")
BUCKET_PATTERN = re.compile(r"[0-9A-Za-z.\-_]*")
# The model writes the account as \w{12} and \d{12}; Python's \w and \d match any Unicode digit ("١٢٣..."),
# so the account is spelled out as ASCII digits, the only ones an account id has.
SNS_TOPIC_ARN_PATTERN = re.compile(r"(^arn:aws:sns:.*:[0-9]{12}:.+$)")
ROLE_ARN_PATTERN = re.compile(r"arn:aws:iam::[0-9]{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")
MAX_TOKEN_LENGTH = 255
"""The longest ``NextToken`` the service model allows."""
_USERINFO = re.compile(
    r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\s\"'<>]*@"
    r"|(?<![^\s\"'(<=])[^/?#\s\"'<>:@]+:[^/?#\s\"'<>@]*@"
)
"""The ``user:password@`` of a URL, after its scheme or, for a URL written without one, at the start of a word."""
MAX_PAGE_SIZE = 1000
"""The largest ``MaxResults`` the service honours; also its default."""


def check_length(field: str, value: object, low: int, high: int) -> None:
    """Raise `ValidationError` unless ``low <= len(value) <= high``."""
    if not isinstance(value, str):
        raise ValidationError(field, "must be a string", value)
    if not low <= len(value) <= high:
        raise ValidationError(field, f"must be {low} to {high} characters long", value)


def check_pattern(field: str, value: str, pattern: re.Pattern[str], shown: str | None = None) -> None:
    """Raise `ValidationError` unless the whole of ``value`` matches ``pattern``."""
    if pattern.fullmatch(value) is None:
        raise ValidationError(field, f"must match {shown or pattern.pattern}", value)


def check_number(field: str, value: object, low: float, high: float | None = None) -> None:
    """Raise `ValidationError` unless ``value`` is a finite number in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ValidationError(field, "must be a number", value)
    if high is None:
        if value < low:
            raise ValidationError(field, f"must be at least {low:g}", value)
    elif not low <= value <= high:
        raise ValidationError(field, f"must be between {low:g} and {high:g}", value)


def check_job_id(value: str, field: str = "job_id") -> None:
    """Check a JobId: 1-64 characters of ``[a-zA-Z0-9-_]``."""
    check_length(field, value, 1, 64)
    check_pattern(field, value, JOB_ID_PATTERN, "[a-zA-Z0-9-_]+")


def check_request_token(value: str, field: str = "client_request_token") -> None:
    """Check a ClientRequestToken: 1-64 characters of ``[a-zA-Z0-9-_]``."""
    check_length(field, value, 1, 64)
    check_pattern(field, value, TOKEN_PATTERN, "[a-zA-Z0-9-_]+")


def check_job_tag(value: str, field: str = "job_tag") -> None:
    """Check a JobTag: 1-1024 characters of ``[a-zA-Z0-9_.-:+=/]``."""
    check_length(field, value, 1, 1024)
    check_pattern(field, value, JOB_TAG_PATTERN, "[a-zA-Z0-9_.-:+=/]+")


def check_bucket(value: str, field: str = "S3Object.bucket") -> None:
    """Check a bucket name as the service model does: 3-255 characters of ``[0-9A-Za-z.-_]``."""
    check_length(field, value, 3, 255)
    check_pattern(field, value, BUCKET_PATTERN, "[0-9A-Za-z.-_]*")


def check_object_name(value: str, field: str = "S3Object.name") -> None:
    """Check an object key: 1-1024 characters."""
    check_length(field, value, 1, 1024)


def check_segment_type(value: object, field: str = "segment_types") -> SegmentType:
    """Return ``value`` as one of the segment types the service takes, ``SHOT`` or ``TECHNICAL_CUE``.

    `SegmentType` is open (results may carry types added later), so ``SegmentType("SHOTS")`` does not fail;
    asking for one is a typo, refused here with the closest known type.

    Raises:
        ValidationError: Any other value, with a "did you mean" hint when one is close (``shot``, ``SHOTS``).
    """
    known = [t.value for t in SegmentType]
    raw = value.value if isinstance(value, SegmentType) else value
    if raw not in known:
        close = difflib.get_close_matches(str(raw).upper(), known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ValidationError(field, f"each must be one of {', '.join(known)}{hint}", value)
    return SegmentType(raw)


def check_sns_topic_arn(value: str, field: str = "NotificationChannel.sns_topic_arn") -> None:
    """Check an SNS topic ARN: ``arn:aws:sns:REGION:ACCOUNT(12 digits):NAME``."""
    if not isinstance(value, str):
        raise ValidationError(field, "must be a string", value)
    check_pattern(field, value, SNS_TOPIC_ARN_PATTERN, "arn:aws:sns:<region>:<12-digit account>:<topic>")


def check_role_arn(value: str, field: str = "NotificationChannel.role_arn") -> None:
    """Check an IAM role ARN: ``arn:aws:iam::ACCOUNT(12 digits):role/NAME``."""
    if not isinstance(value, str):
        raise ValidationError(field, "must be a string", value)
    check_pattern(field, value, ROLE_ARN_PATTERN, "arn:aws:iam::<12-digit account>:role/<name>")


def check_token(value: str, field: str = "starting_token") -> None:
    """Check a pagination token a caller gives: 1-255 characters."""
    check_length(field, value, 1, MAX_TOKEN_LENGTH)


def redact_url(text: str) -> str:
    """Return ``text`` with the ``user:password@`` of every URL in it replaced by ``***@``.

    An endpoint URL may carry credentials (``http://user:secret@proxy:8080``, or ``user:secret@proxy:8080``
    written without a scheme); botocore repeats the URL in its error messages, so every message rekseg builds
    from one passes through here.
    """
    return _USERINFO.sub(lambda match: f"{match['scheme'] or ''}***@", text)


def field_check(field: str, check: Callable[[str, Any], None]) -> Callable[[Any, Any, Any], None]:
    """Adapt ``check(field, value)`` into an attrs validator; ``None`` passes (the field is optional)."""

    def validator(_instance: Any, _attribute: Any, value: Any) -> None:
        if value is not None:
            check(field, value)

    return validator


TimeoutArg: TypeAlias = "float | timedelta | Literal[_Unset.UNSET] | None"
"""What a ``timeout=`` argument takes: seconds, a `datetime.timedelta`, ``None`` (no bound) or ``UNSET``."""


def check_timeout(value: object, field: str = "timeout") -> float | Literal[_Unset.UNSET] | None:
    """Check a ``timeout=`` argument and return it in seconds.

    ``None`` (no bound) and ``UNSET`` (the policy's default) come back as they are.

    Raises:
        ValidationError: A bool, a string or anything else than an int, a float or a `datetime.timedelta`;
            NaN, infinity, zero or less.
    """
    if value is None:
        return None
    if value is UNSET:
        return UNSET
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(field, "must be a number of seconds or a datetime.timedelta (None: no bound)", value)
    else:
        seconds = float(value)
    if not math.isfinite(seconds):
        raise ValidationError(field, "must be a finite number of seconds (None: no bound)", value)
    if seconds <= 0:
        raise ValidationError(field, "must be more than 0 seconds", value)
    if seconds > threading.TIMEOUT_MAX:  # what time.sleep and locks can wait (about 292 years)
        raise ValidationError(field, f"must be at most {threading.TIMEOUT_MAX:.0f} seconds (None: no bound)", value)
    return seconds
