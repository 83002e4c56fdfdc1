"""Completion notifications: every form they arrive in, parsed into one model, with no network access.

The service publishes one small JSON message to the job's SNS topic. What reaches the reader depends on the
path it took: SNS wraps it in an envelope whose ``Message`` is the original as a JSON *string* (so SQS readers
decode twice), raw message delivery does not, SQS wraps either in a message dict with a ``Body``, and Lambda
wraps everything in ``Records``. `parse_notifications` recognises each form by its shape. It never follows a URL
found in a message (``SubscribeURL``, ``SigningCertURL``, ``UnsubscribeURL``).
"""

from __future__ import annotations

import datetime as dt
import json
import reprlib
from collections.abc import Mapping
from typing import Any, Final

import attrs

from .._enums import _OpenEnum
from .._exceptions import RekSegError, ValidationError
from .._models import S3Object

__all__ = ["CompletionNotification", "NotificationError", "NotificationStatus", "parse_notifications"]

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_SHOWN: Final = 80
"""Characters of an unrecognised payload quoted in an error message."""
_REPR: Final = reprlib.Repr()
_REPR.maxstring = _SHOWN
_REPR.maxother = _SHOWN


class NotificationError(RekSegError, ValueError):
    """A payload that is not a completion notification in any form rekseg knows.

    Attributes:
        where: Where in the payload the problem is, such as ``Records[2].body`` (empty for the payload itself).
        problem: What is wrong, in words, naming what was seen.
    """

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)


class NotificationStatus(_OpenEnum):
    """How a job ended, as its completion notification says.

    ``ERROR`` is not a `rekseg.JobStatus` value: the service sends it when the job could not run at all.
    Values added by the service later are kept (``is_known`` is then ``False``).
    """

    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ERROR = "ERROR"


@attrs.frozen(kw_only=True)
class CompletionNotification:
    """One job's completion message, whatever form it arrived in.

    Attributes:
        job_id: The job that ended.
        status: How it ended.
        api: The API that ran the job, as sent: ``StartSegmentDetection`` or an upper-case name such as
            ``SEGMENT_DETECTION`` (notifications of other Rekognition Video APIs parse too).
        job_tag: The ``JobTag`` given at start, when there was one.
        timestamp: When the job ended (aware, UTC), when the message says.
        video: The analysed video's bucket and key, when the message says.
        receipt_handle: The SQS receipt handle, when the notification was read from SQS (deletes the message).
        sns_message_id: The SNS message id, when the form carries the SNS envelope (SNS redelivers with the
            same id).
    """

    job_id: str
    status: NotificationStatus
    api: str
    job_tag: str | None = None
    timestamp: dt.datetime | None = None
    video: S3Object | None = None
    receipt_handle: str | None = None
    sns_message_id: str | None = None

    @property
    def succeeded(self) -> bool:
        """Whether the job ended ``SUCCEEDED``."""
        return self.status == NotificationStatus.SUCCEEDED


def parse_notifications(payload: object) -> list[CompletionNotification]:
    """Parse completion notifications out of any form they are delivered in.

    Accepted, told apart by shape: the service's message itself (a dict, ``str`` or ``bytes``); the SNS
    envelope (an SQS body of a standard subscription); a body of raw message delivery; an SQS message dict
    (with ``Body``) and a whole ``receive_message`` response; a Lambda event from an SNS trigger
    (``Records[].Sns.Message``) and from an SQS trigger (``Records[].body``).

    Args:
        payload: What you received.

    Returns:
        The notifications, in the payload's order (empty for an empty batch).

    Raises:
        NotificationError: The payload, or one record of a batch, is none of the accepted forms; the message
            names the record and what it saw.
    """
    return _top(payload, "")


def _top(payload: object, where: str) -> list[CompletionNotification]:
    data = _decoded(payload, where)
    if not isinstance(data, Mapping):
        raise NotificationError(where, f"expected a JSON object, got {_describe(data)}")
    if "Records" in data:
        return _records(data["Records"], _join(where, "Records"))
    if "Messages" in data or _is_empty_receive(data):
        return _sqs_messages(data.get("Messages", []), _join(where, "Messages"))
    if "Body" in data:
        return [_sqs_message(data, where)]
    return [_body(data, where)]


def _records(records: object, where: str) -> list[CompletionNotification]:
    if not isinstance(records, list):
        raise NotificationError(where, f"expected a list of Lambda records, got {_describe(records)}")
    out = []
    for index, record in enumerate(records):
        here = f"{where}[{index}]"
        if not isinstance(record, Mapping):
            raise NotificationError(here, f"expected a Lambda record (an object), got {_describe(record)}")
        if "Sns" in record:
            out.append(_sns_record(record["Sns"], _join(here, "Sns")))
        elif "body" in record:
            receipt = _optional_str(record, "receiptHandle", here)
            out.append(_body(_decoded(record["body"], _join(here, "body")), _join(here, "body"), receipt=receipt))
        else:
            raise NotificationError(
                here, f"a Lambda record with neither Sns (SNS trigger) nor body (SQS trigger); keys {_keys(record)}"
            )
    return out


def _sns_record(sns: object, where: str) -> CompletionNotification:
    if not isinstance(sns, Mapping):
        raise NotificationError(where, f"expected the SNS part of a Lambda record, got {_describe(sns)}")
    if "Message" not in sns:
        raise NotificationError(where, f"an SNS record without Message; keys {_keys(sns)}")
    message_id = _optional_str(sns, "MessageId", where)
    return _message(_decoded(sns["Message"], _join(where, "Message")), _join(where, "Message"), sns_id=message_id)


def _is_empty_receive(data: Mapping[Any, Any]) -> bool:
    # A receive_message response that found nothing has no Messages key at all.
    return set(data) == {"ResponseMetadata"}


def _sqs_messages(messages: object, where: str) -> list[CompletionNotification]:
    if not isinstance(messages, list):
        raise NotificationError(where, f"expected a list of SQS messages, got {_describe(messages)}")
    return [_sqs_message(message, f"{where}[{index}]") for index, message in enumerate(messages)]


def _sqs_message(message: object, where: str) -> CompletionNotification:
    if not isinstance(message, Mapping) or "Body" not in message:
        raise NotificationError(where, f"expected an SQS message with a Body, got {_describe(message)}")
    receipt = _optional_str(message, "ReceiptHandle", where)
    return _body(_decoded(message["Body"], _join(where, "Body")), _join(where, "Body"), receipt=receipt)


def _body(data: object, where: str, *, receipt: str | None = None) -> CompletionNotification:
    """Parse what an SQS body or a topic subscriber holds: the SNS envelope, or the raw message."""
    if not isinstance(data, Mapping):
        raise NotificationError(where, f"expected a JSON object, got {_describe(data)}")
    kind = data.get("Type")
    if kind is not None and "TopicArn" in data:
        if kind != "Notification":
            raise NotificationError(
                where,
                f"an SNS {_shown(kind)} message, not a notification: confirm the subscription in the SNS console "
                "or with `aws sns confirm-subscription` (rekseg never follows SubscribeURL)",
            )
        if "Message" not in data:
            raise NotificationError(where, f"an SNS envelope without Message; keys {_keys(data)}")
        sns_id = _optional_str(data, "MessageId", where)
        inner = _join(where, "Message")
        return _message(_decoded(data["Message"], inner), inner, receipt=receipt, sns_id=sns_id)
    return _message(data, where, receipt=receipt)


def _message(
    data: object, where: str, *, receipt: str | None = None, sns_id: str | None = None
) -> CompletionNotification:
    """Parse the service's own message: ``{"JobId", "Status", "API", "JobTag", "Timestamp", "Video"}``."""
    if not isinstance(data, Mapping):
        raise NotificationError(where, f"expected the completion message (an object), got {_describe(data)}")
    missing = [key for key in ("JobId", "Status", "API") if key not in data]
    if missing:
        raise NotificationError(
            where,
            f"not a Rekognition completion message: no {', '.join(missing)}; keys {_keys(data)}",
        )
    job_id = _required_str(data, "JobId", where)
    status = NotificationStatus(_required_str(data, "Status", where))
    api = _required_str(data, "API", where)
    return CompletionNotification(
        job_id=job_id,
        status=status,
        api=api,
        job_tag=_optional_str(data, "JobTag", where),
        timestamp=_timestamp(data.get("Timestamp"), _join(where, "Timestamp")),
        video=_video(data.get("Video"), _join(where, "Video")),
        receipt_handle=receipt,
        sns_message_id=sns_id,
    )


def _timestamp(value: object, where: str) -> dt.datetime | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, str))
        or (isinstance(value, str) and not value.isdecimal())
    ):
        raise NotificationError(where, f"expected epoch milliseconds (a number), got {_describe(value)}")
    try:
        # int() of a decimal string past 4300 digits raises ValueError: it is out of range like any other.
        return _EPOCH + dt.timedelta(milliseconds=int(value) if isinstance(value, str) else value)
    except (OverflowError, ValueError):
        raise NotificationError(where, f"epoch milliseconds out of range: {_shown(value)}") from None


def _video(value: object, where: str) -> S3Object | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise NotificationError(where, f"expected {{S3Bucket, S3ObjectName}}, got {_describe(value)}")
    bucket = _optional_str(value, "S3Bucket", where)
    name = _optional_str(value, "S3ObjectName", where)
    try:
        return S3Object(bucket=bucket, name=name)
    except ValidationError as exc:
        raise NotificationError(where, f"not a valid S3 object: {exc}") from None


def _decoded(value: object, where: str) -> object:
    """Return ``value`` with one layer of JSON text (``str`` or ``bytes``) decoded."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise NotificationError(where, "bytes that are not UTF-8 text") from None
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise NotificationError(where, f"text that is not JSON: {_shown(value)}") from None
    except RecursionError:
        raise NotificationError(where, "JSON nested too deeply") from None


def _required_str(data: Mapping[Any, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise NotificationError(_join(where, key), f"expected a non-empty string, got {_describe(value)}")
    return value


def _optional_str(data: Mapping[Any, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise NotificationError(_join(where, key), f"expected a string, got {_describe(value)}")
    return value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _keys(data: Mapping[Any, Any]) -> str:
    keys = sorted(str(key) for key in data)
    shown = ", ".join(keys[:8]) + (", ..." if len(keys) > 8 else "")
    return f"[{shown}]"


def _describe(value: object) -> str:
    if isinstance(value, Mapping):
        return f"an object with keys {_keys(value)}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return f"{type(value).__name__} {_shown(value)}"


def _shown(value: object) -> str:
    # reprlib bounds depth and length, so a huge or deeply nested payload cannot blow up the error message.
    try:
        text = _REPR.repr(value)
    except ValueError:  # an int past 4300 digits has no repr
        text = f"<{type(value).__name__} too long to show>"
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
