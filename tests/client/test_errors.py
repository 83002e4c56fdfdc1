"""Retries, typed service errors and input validation, end to end against the emulator's faults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.config
import botocore.exceptions
import pytest

import rekseg
from rekseg.testing import Emulator, Fault

from .conftest import FAST_POLL, FAST_RETRY, VIDEO, make_client, shots_only

GET = "GetSegmentDetection"
START = "StartSegmentDetection"

RETRYABLE = [
    (Fault.THROTTLE_400, rekseg.ThrottlingError),
    (Fault.THROTTLE_500, rekseg.ThrottlingError),
    (Fault.PROVISIONED_THROUGHPUT, rekseg.ThrottlingError),
    (Fault.INTERNAL_ERROR, rekseg.InternalServerError),
    (Fault.HTML_503, rekseg.InternalServerError),
    (Fault.CONNECTION_DROP, rekseg.TransportError),
    (Fault.TRUNCATED_JSON, rekseg.TransportError),
    (Fault.MALFORMED_JSON, rekseg.TransportError),
]


def _finished(em: Emulator, client: rekseg.Client, shots: int = 1500) -> str:
    em.add_video(VIDEO, shots_only(shots))
    job_id = client.start(VIDEO).job_id
    em.complete_job(job_id)
    em.clear_requests()
    return job_id


@pytest.mark.parametrize(("fault", "error"), RETRYABLE, ids=[f.name for f, _ in RETRYABLE])
def test_passing_faults_are_retried_to_success(
    em: Emulator, client: rekseg.Client, fault: Fault, error: type[Exception]
) -> None:
    """Two faults in a row cost two extra requests and the caller still gets every segment."""
    job_id = _finished(em, client)
    em.inject(fault, operation=GET, times=2)
    assert len(client.get(job_id).shots) == 1500
    assert em.count(GET) == 2 + 2


@pytest.mark.parametrize(("fault", "error"), RETRYABLE, ids=[f.name for f, _ in RETRYABLE])
def test_persistent_faults_stop_after_exactly_the_policy_attempts(
    em: Emulator, client: rekseg.Client, fault: Fault, error: type[Exception]
) -> None:
    """A fault that never clears makes exactly RetryPolicy.attempts requests, then raises the typed error."""
    job_id = _finished(em, client)
    em.inject(fault, operation=GET, times=None, probability=1.0)
    with pytest.raises(error) as info:
        client.get(job_id)
    assert em.count(GET) == FAST_RETRY.attempts
    # A garbled 200 body parses to an empty output in botocore: there is no botocore exception to chain.
    garbled = fault in (Fault.TRUNCATED_JSON, Fault.MALFORMED_JSON)
    assert (info.value.__cause__ is None) is garbled
    assert getattr(info.value, "job_id", None) == job_id
    assert getattr(info.value, "operation", None) == GET


def test_service_error_carries_code_message_request_id_and_job(em: Emulator, client: rekseg.Client) -> None:
    """A ThrottlingError carries the service's code, message, request id, operation and job id."""
    job_id = _finished(em, client)
    em.inject(Fault.THROTTLE_400, operation=GET, times=None, probability=1.0)
    with pytest.raises(rekseg.ThrottlingError) as info:
        client.status(job_id)
    exc = info.value
    assert exc.code == "ThrottlingException"
    assert exc.message
    assert exc.request_id == em.requests[-1].request_id
    assert exc.http_status == 400
    assert exc.job_id == job_id
    assert isinstance(exc.__cause__, botocore.exceptions.ClientError)
    assert exc.code in str(exc)
    assert exc.request_id in str(exc)


def test_slow_response_is_a_retried_read_timeout(em: Emulator, aws_env: None) -> None:
    """A response slower than the read timeout is a TransportError, retried like any passing fault."""
    client = make_client(em, read_timeout=0.3)
    job_id = _finished(em, client, shots=10)
    em.inject(Fault.SLOW, operation=GET, times=1, delay=1.0)
    assert len(client.get(job_id).shots) == 10
    assert em.count(GET) == 2
    em.inject(Fault.SLOW, operation=GET, times=None, probability=1.0, delay=1.0)
    with pytest.raises(rekseg.TransportError):
        make_client(em, read_timeout=0.3, retry=rekseg.RetryPolicy.none()).get(job_id)


@pytest.mark.parametrize(
    ("fault", "operation", "error", "code"),
    [
        (Fault.ACCESS_DENIED, GET, rekseg.AccessDeniedError, "AccessDeniedException"),
        (Fault.ACCESS_DENIED, START, rekseg.AccessDeniedError, "AccessDeniedException"),
        (Fault.LIMIT_EXCEEDED, START, rekseg.LimitExceededError, "LimitExceededException"),
    ],
)
def test_lasting_errors_are_not_retried(
    em: Emulator, client: rekseg.Client, fault: Fault, operation: str, error: type[rekseg.ServiceError], code: str
) -> None:
    """AccessDenied and LimitExceeded raise their typed error after one request."""
    job_id = _finished(em, client)
    em.inject(fault, operation=operation, times=None, probability=1.0)
    call = (lambda: client.get(job_id)) if operation == GET else (lambda: client.start(VIDEO))
    with pytest.raises(error) as info:
        call()
    assert em.count(operation) == 1
    assert info.value.code == code
    assert info.value.operation == operation


def test_unknown_video_is_invalid_s3_object(em: Emulator, client: rekseg.Client) -> None:
    """Starting on an S3 object the service cannot read raises InvalidS3ObjectError, once."""
    with pytest.raises(rekseg.InvalidS3ObjectError) as info:
        client.start("s3://media-bucket/missing.mp4")
    assert info.value.code == "InvalidS3ObjectException"
    assert em.count() == 1


def test_unknown_job_is_job_not_found(em: Emulator, client: rekseg.Client) -> None:
    """An unknown job id raises JobNotFoundError carrying the id, once."""
    with pytest.raises(rekseg.JobNotFoundError) as info:
        client.status("0" * 64)
    assert info.value.job_id == "0" * 64
    assert info.value.code == "ResourceNotFoundException"
    assert em.count() == 1


def test_retries_are_bounded_by_total_time(em: Emulator, aws_env: None) -> None:
    """RetryPolicy.timeout bounds retries by time even when attempts remain."""
    retry = rekseg.RetryPolicy(attempts=1000, timeout=0.5, wait_initial=0.05, wait_max=0.05, wait_jitter=0.0)
    client = make_client(em, retry=retry)
    job_id = _finished(em, client, shots=10)
    em.inject(Fault.THROTTLE_400, operation=GET, times=None, probability=1.0)
    with pytest.raises(rekseg.ThrottlingError):
        client.get(job_id)
    assert 2 <= em.count(GET) < 100


def test_wrapped_client_retries_multiply_as_documented(em: Emulator, aws_env: None) -> None:
    """A handed-in botocore client keeps its own retries under rekseg's: the worst case is the product."""
    boto = em.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 2, "mode": "standard"}))
    retry = rekseg.RetryPolicy(attempts=3, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)
    client = rekseg.Client(boto_client=boto, retry=retry, polling=FAST_POLL)
    job_id = _finished(em, client, shots=10)
    em.inject(Fault.THROTTLE_400, operation=GET, times=None, probability=1.0)
    with pytest.raises(rekseg.ThrottlingError):
        client.get(job_id)
    assert em.count(GET) == 6
    em.clear_requests()
    alone = rekseg.Client(boto_client=boto, retry=rekseg.RetryPolicy.none())
    with pytest.raises(rekseg.ThrottlingError):
        alone.get(job_id)
    assert em.count(GET) == 2


BAD_CALLS: list[tuple[str, Any, str]] = [
    ("not-s3", lambda c: c.start("https://bucket/key.mp4"), "video"),
    ("no-key", lambda c: c.start("s3://bucket"), "video"),
    ("bad-bucket", lambda c: c.start("s3://ab/key.mp4"), "bucket"),
    ("empty-types", lambda c: c.start(VIDEO, segment_types=[]), "segment_types"),
    ("plural-type", lambda c: c.start(VIDEO, segment_types=["TECHNICAL_CUES"]), "segment_types"),
    ("tag-pattern", lambda c: c.start(VIDEO, job_tag="has space"), "job_tag"),
    ("token-pattern", lambda c: c.start(VIDEO, client_request_token="no/slash"), "client_request_token"),
    ("token-length", lambda c: c.start(VIDEO, client_request_token="a" * 65), "client_request_token"),
    (
        "filter-unrequested",
        lambda c: c.start(VIDEO, segment_types=["SHOT"], technical_cue_filter=rekseg.TechnicalCueFilter()),
        "technical_cue_filter",
    ),
    ("job-id", lambda c: c.get("bad id!"), "job_id"),
    ("job-id-long", lambda c: c.pages("a" * 65), "job_id"),
    ("page-size-zero", lambda c: c.pages("a" * 10, page_size=0), "page_size"),
    ("page-size-big", lambda c: c.segments("a" * 10, page_size=1001), "page_size"),
    ("token-long", lambda c: c.pages("a" * 10, starting_token="t" * 256), "starting_token"),
    ("max-pages", lambda c: c.pages("a" * 10, max_pages=0), "max_pages"),
    ("offset", lambda c: c.pages("a" * 10, starting_token="t", starting_offset=-1), "starting_offset"),
    ("segments-type", lambda c: c.segments("a" * 10, segment_types=["SHOTS"]), "segment_types"),
    ("wait-page-size", lambda c: c.wait("a" * 10, page_size=0), "page_size"),
]


@pytest.mark.parametrize(("name", "call", "field"), BAD_CALLS, ids=[b[0] for b in BAD_CALLS])
def test_bad_input_raises_before_any_request(
    em: Emulator, client: rekseg.Client, name: str, call: Any, field: str
) -> None:
    """Bad input raises ValidationError naming the field, and nothing is sent."""
    with pytest.raises(rekseg.ValidationError) as info:
        call(client)
    assert field.lower() in info.value.field.lower()
    assert info.value.rule
    assert isinstance(info.value, ValueError)
    assert em.count() == 0


@pytest.mark.parametrize(
    ("build", "field", "rule_part"),
    [
        (lambda: rekseg.ShotFilter(min_segment_confidence=49.9), "min_segment_confidence", "50"),
        (lambda: rekseg.TechnicalCueFilter(min_segment_confidence=100.1), "min_segment_confidence", "100"),
        (lambda: rekseg.BlackFrame(max_pixel_threshold=1.5), "max_pixel_threshold", "1"),
        (lambda: rekseg.BlackFrame(min_coverage_percentage=-1), "min_coverage_percentage", "0"),
        (lambda: rekseg.NotificationChannel(sns_topic_arn="topic", role_arn="arn:aws:iam::1:role/r"), "sns", "arn"),
    ],
)
def test_request_models_validate_at_construction(build: Any, field: str, rule_part: str) -> None:
    """Filters and channels reject out-of-range values with the field and the rule in the error."""
    with pytest.raises(rekseg.ValidationError) as info:
        build()
    assert field in info.value.field.lower()
    assert rule_part in info.value.rule.lower()


def test_missing_credentials_is_a_configuration_error(
    em: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No credentials anywhere raises ConfigurationError saying how to fix it, and nothing is sent."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in (
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    client = rekseg.Client(endpoint_url=em.endpoint_url, region_name="us-east-1", retry=FAST_RETRY)
    with pytest.raises(rekseg.ConfigurationError) as info:
        client.status("a" * 10)
    assert info.value.missing == "credentials"
    assert "rekseg demo" in str(info.value)
    assert em.count() == 0


def test_missing_region_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No region anywhere raises ConfigurationError when the client is built."""
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(rekseg.ConfigurationError) as info:
        rekseg.Client()
    assert info.value.missing == "region"


def test_unknown_profile_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A named profile that does not exist raises ConfigurationError naming it."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    with pytest.raises(rekseg.ConfigurationError) as info:
        rekseg.Client(profile_name="nope", region_name="us-east-1")
    assert info.value.missing == "profile"
    assert "nope" in str(info.value)


def test_boto_client_and_settings_are_exclusive(em: Emulator, aws_env: None) -> None:
    """Passing a botocore client together with settings to build one is refused."""
    with pytest.raises(rekseg.ValidationError) as info:
        rekseg.Client(boto_client=em.boto_client(), region_name="us-east-1")
    assert info.value.field == "boto_client"


def test_rekseg_built_client_turns_botocore_retries_off(em: Emulator, aws_env: None) -> None:
    """Retries never multiply: a client rekseg builds makes one request per RetryPolicy attempt."""
    client = make_client(em, retry=rekseg.RetryPolicy.none())
    job_id = _finished(em, client, shots=10)
    em.inject(Fault.THROTTLE_500, operation=GET, times=None, probability=1.0)
    with pytest.raises(rekseg.ThrottlingError):
        client.get(job_id)
    assert em.count(GET) == 1


def test_credentials_never_appear_in_repr(em: Emulator, aws_env: None) -> None:
    """The client's repr shows region and endpoint, never credentials."""
    text = repr(make_client(em))
    assert "us-east-1" in text
    assert em.endpoint_url in text
    assert "testing" not in text
