"""parse_notifications: every delivery form, by shape; anything else is a NotificationError naming what it saw."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import socket
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rekseg import RekSegError, S3Object
from rekseg.notifications import CompletionNotification, NotificationError, NotificationStatus, parse_notifications

from .forms import (
    JOB_ID,
    TIMESTAMP_MS,
    lambda_sns_event,
    lambda_sqs_event,
    receive_response,
    rekognition_message,
    sns_envelope,
    sqs_message,
)

EXPECTED = CompletionNotification(
    job_id=JOB_ID,
    status=NotificationStatus.SUCCEEDED,
    api="StartSegmentDetection",
    job_tag="episode-1",
    timestamp=dt.datetime(2017, 8, 8, 22, 9, 20, 926000, tzinfo=dt.timezone.utc),
    video=S3Object(bucket="media-bucket", name="episodes/s01e01.mp4"),
)


def _only(payload: Any) -> CompletionNotification:
    [notification] = parse_notifications(payload)
    return notification


@pytest.mark.parametrize(
    "payload",
    [rekognition_message(), json.dumps(rekognition_message()), json.dumps(rekognition_message()).encode()],
    ids=["dict", "str", "bytes"],
)
def test_the_service_message_itself_parses_as_dict_str_or_bytes(payload: Any) -> None:
    """The service's own message parses from a dict, its JSON text or its UTF-8 bytes, every field mapped."""
    assert _only(payload) == EXPECTED


def test_timestamp_is_aware_utc_from_epoch_milliseconds() -> None:
    """Timestamp (epoch ms) becomes an aware UTC datetime to the millisecond."""
    stamp = _only(rekognition_message()).timestamp
    assert stamp is not None
    assert stamp.utcoffset() == dt.timedelta(0)
    assert int(stamp.timestamp() * 1000) == TIMESTAMP_MS


def test_sns_envelope_is_decoded_twice_and_keeps_the_sns_message_id() -> None:
    """An SQS body of a standard subscription: the envelope's Message string is decoded, its MessageId kept."""
    envelope = sns_envelope(rekognition_message(), message_id="sns-42")
    for payload in (envelope, json.dumps(envelope), json.dumps(envelope).encode()):
        note = _only(payload)
        assert note.sns_message_id == "sns-42"
        assert note.job_id == JOB_ID


def test_sqs_message_with_enveloped_body_keeps_the_receipt_handle() -> None:
    """An SQS message dict whose Body is the SNS envelope yields the notification and its receipt handle."""
    message = sqs_message(json.dumps(sns_envelope(rekognition_message())), receipt="rh-1")
    note = _only(message)
    assert (note.job_id, note.receipt_handle) == (JOB_ID, "rh-1")
    assert note.sns_message_id is not None


def test_sqs_message_with_raw_delivery_body() -> None:
    """With raw message delivery the SQS Body is the service's message itself; there is no SNS message id."""
    note = _only(sqs_message(json.dumps(rekognition_message()), receipt="rh-raw"))
    assert note.receipt_handle == "rh-raw"
    assert note.sns_message_id is None
    assert note == attrs_evolve(EXPECTED, receipt_handle="rh-raw")


def attrs_evolve(note: CompletionNotification, **changes: Any) -> CompletionNotification:
    import attrs

    return attrs.evolve(note, **changes)


def test_whole_receive_message_response_yields_every_message_in_order() -> None:
    """A receive_message response yields one notification per message, raw and enveloped alike, in order."""
    response = receive_response(
        sqs_message(json.dumps(sns_envelope(rekognition_message("job-a"))), receipt="a"),
        sqs_message(json.dumps(rekognition_message("job-b", "FAILED")), receipt="b"),
    )
    notes = parse_notifications(response)
    assert [(n.job_id, n.status, n.receipt_handle) for n in notes] == [
        ("job-a", NotificationStatus.SUCCEEDED, "a"),
        ("job-b", NotificationStatus.FAILED, "b"),
    ]


def test_empty_receive_message_response_is_an_empty_list() -> None:
    """A receive_message response that found nothing (no Messages key) is an empty list, not an error."""
    assert parse_notifications(receive_response()) == []


def test_lambda_sns_trigger_event() -> None:
    """A Lambda SNS-trigger event yields Records[].Sns.Message, with each SNS MessageId."""
    event = lambda_sns_event(rekognition_message("job-a"), rekognition_message("job-b", "ERROR"))
    notes = parse_notifications(event)
    assert [(n.job_id, n.status) for n in notes] == [("job-a", "SUCCEEDED"), ("job-b", NotificationStatus.ERROR)]
    assert [n.sns_message_id for n in notes] == [r["Sns"]["MessageId"] for r in event["Records"]]
    assert all(n.receipt_handle is None for n in notes)


def test_lambda_sqs_trigger_event_with_enveloped_and_raw_bodies() -> None:
    """A Lambda SQS-trigger event yields Records[].body, enveloped or raw, with each receipt handle."""
    event = lambda_sqs_event(
        json.dumps(sns_envelope(rekognition_message("job-a"))), json.dumps(rekognition_message("job-b"))
    )
    notes = parse_notifications(event)
    assert [n.job_id for n in notes] == ["job-a", "job-b"]
    assert [n.receipt_handle for n in notes] == [r["receiptHandle"] for r in event["Records"]]
    assert notes[0].sns_message_id is not None
    assert notes[1].sns_message_id is None


@pytest.mark.parametrize("api", ["StartSegmentDetection", "SEGMENT_DETECTION", "LABEL_DETECTION", "StartFaceSearch"])
def test_api_is_kept_as_sent_for_any_rekognition_video_api(api: str) -> None:
    """The API field is kept as sent, operation-style or upper-case, and other APIs' notifications parse too."""
    assert _only(rekognition_message(api=api, Message="")).api == api


def test_unknown_status_is_kept() -> None:
    """A status this release does not know is kept, not refused."""
    status = _only(rekognition_message(status="PARTIAL_SUCCESS")).status
    assert status == "PARTIAL_SUCCESS"
    assert not status.is_known
    assert NotificationStatus.ERROR.is_known


def test_optional_fields_may_be_absent() -> None:
    """A message with only JobId, Status and API parses; the rest is None."""
    note = _only({"JobId": "j", "Status": "FAILED", "API": "StartSegmentDetection"})
    assert (note.job_tag, note.timestamp, note.video) == (None, None, None)
    assert not note.succeeded


@pytest.mark.parametrize(
    ("payload", "where", "words"),
    [
        ({"hello": "world"}, "", "not a Rekognition completion message: no JobId, Status, API; keys [hello]"),
        ([1, 2], "", "expected a JSON object, got a list of 2"),
        ("not json", "", "text that is not JSON"),
        (b"\xff\xfe", "", "bytes that are not UTF-8"),
        (None, "", "expected a JSON object, got NoneType None"),
        (rekognition_message(JobId=7), "JobId", "expected a non-empty string, got int 7"),
        (rekognition_message(Timestamp="yesterday"), "Timestamp", "expected epoch milliseconds"),
        (rekognition_message(Timestamp=10**30), "Timestamp", "out of range"),
        (rekognition_message(Timestamp="9" * 5000), "Timestamp", "out of range"),
        (rekognition_message(Timestamp=10**5000), "Timestamp", "too long to show"),
        (rekognition_message(Video={"S3Bucket": "x", "S3ObjectName": "k"}), "Video", "not a valid S3 object"),
        (sqs_message("{}"), "Body", "no JobId, Status, API"),
        ({"Records": "x"}, "Records", "expected a list of Lambda records"),
    ],
)
def test_garbage_is_a_notification_error_naming_what_it_saw(payload: Any, where: str, words: str) -> None:
    """Each unrecognised payload raises NotificationError (a RekSegError and ValueError) saying where and what."""
    with pytest.raises(NotificationError) as info:
        parse_notifications(payload)
    assert info.value.where == where
    assert words in str(info.value)
    assert isinstance(info.value, RekSegError)
    assert isinstance(info.value, ValueError)


def test_one_bad_record_of_a_batch_is_named() -> None:
    """In a Lambda batch, the error names the bad record's index and path."""
    event = lambda_sqs_event(json.dumps(rekognition_message("ok")), "not json", json.dumps(rekognition_message()))
    with pytest.raises(NotificationError) as info:
        parse_notifications(event)
    assert info.value.where == "Records[1].body"
    assert "not JSON" in str(info.value)
    sns_event = lambda_sns_event(rekognition_message(), {"JobId": "j"})
    with pytest.raises(NotificationError, match=r"Records\[1\]\.Sns\.Message: .*no Status, API"):
        parse_notifications(sns_event)


def test_subscription_confirmation_is_refused_with_the_fix() -> None:
    """An SNS SubscriptionConfirmation is not a notification: the error says to confirm it, and nothing is fetched."""
    confirmation = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "m",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionTopic",
        "Message": "You have chosen to subscribe...",
        "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x",
    }
    with pytest.raises(NotificationError, match=r"SubscriptionConfirmation.*never follows SubscribeURL"):
        parse_notifications(sqs_message(json.dumps(confirmation)))


def test_no_url_in_a_message_is_ever_followed() -> None:
    """SigningCertURL, UnsubscribeURL and SubscribeURL pointing at a live local socket receive no connection."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(0.3)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/cert.pem"
        envelope = sns_envelope(rekognition_message())
        envelope.update(SigningCertURL=url, UnsubscribeURL=url, SubscribeURL=url)
        parse_notifications(lambda_sqs_event(json.dumps(envelope)))
        parse_notifications(lambda_sns_event(rekognition_message(SubscribeURL=url)))
        with pytest.raises(NotificationError):
            parse_notifications({**envelope, "Type": "SubscriptionConfirmation"})
        with pytest.raises(TimeoutError):
            server.accept()


def test_notification_error_pickles() -> None:
    """NotificationError survives pickling (it crosses process pools) with its attributes."""
    error = NotificationError("Records[0].body", "text that is not JSON")
    again = pickle.loads(pickle.dumps(error))
    assert (again.where, again.problem, str(again)) == (error.where, error.problem, str(error))


# -- garbage, generated ------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(
    [
        "JobId",
        "Status",
        "API",
        "JobTag",
        "Timestamp",
        "Video",
        "S3Bucket",
        "S3ObjectName",
        "Records",
        "Sns",
        "Message",
        "body",
        "Body",
        "Messages",
        "Type",
        "TopicArn",
        "MessageId",
        "ReceiptHandle",
        "receiptHandle",
    ]
)
shaped = st.recursive(
    json_values,
    lambda inner: st.dictionaries(keys, inner | inner.map(json.dumps), max_size=6) | st.lists(inner, max_size=3),
    max_leaves=30,
)


def _mutations() -> st.SearchStrategy[Any]:
    """Valid forms with one leaf replaced by garbage."""
    forms = [
        rekognition_message(),
        sns_envelope(rekognition_message()),
        sqs_message(json.dumps(sns_envelope(rekognition_message()))),
        lambda_sns_event(rekognition_message()),
        lambda_sqs_event(json.dumps(rekognition_message())),
    ]

    def mutate(form: dict[str, Any], key: str, value: Any) -> Any:
        out = json.loads(json.dumps(form))
        target = out
        while isinstance(target, dict) and "Records" in target:
            target = target["Records"][0]
        if isinstance(target, dict):
            target[key] = value
        return out

    return st.builds(mutate, st.sampled_from(forms), keys, shaped)


@settings(max_examples=150, deadline=None)
@given(st.one_of(json_values, shaped, _mutations(), st.binary(max_size=64), st.text(max_size=64)))
def test_garbage_never_raises_anything_but_notification_error(payload: Any) -> None:
    """Whatever the payload, the answer is a list of notifications or NotificationError, never another exception."""
    for form in (payload, json.dumps(payload) if not isinstance(payload, bytes) else payload):
        try:
            notes = parse_notifications(form)
        except NotificationError:
            continue
        assert all(isinstance(n, CompletionNotification) for n in notes)


def test_notifications_all_names_every_public_attribute() -> None:
    """`rekseg.notifications.__all__` (kept sorted by ruff) names every public attribute of the subpackage."""
    import types

    import rekseg.notifications as package

    public = {
        name
        for name in dir(package)
        if not name.startswith("_")
        and name != "annotations"
        and not isinstance(getattr(package, name), types.ModuleType)
    }
    assert public == set(package.__all__)
