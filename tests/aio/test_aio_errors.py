"""Retries, typed service errors and input validation of the async client, against the emulator's faults."""

from __future__ import annotations

import inspect
import logging
from pathlib import Path
from typing import Any

import botocore.config
import botocore.exceptions
import pytest
from client.scripted_server import closed_port

import rekseg
from rekseg.aio import AsyncClient
from rekseg.testing import Emulator, Fault

from .conftest import FAST_POLL, FAST_RETRY, VIDEO, aio_boto, make_client, shots_only

GET = "GetSegmentDetection"
START = "StartSegmentDetection"
NO_WAIT = {"wait_initial": 0.0, "wait_max": 0.0, "wait_jitter": 0.0}

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


async def _finished(em: Emulator, client: AsyncClient, shots: int = 1500) -> str:
    em.add_video(VIDEO, shots_only(shots))
    job_id = (await client.start(VIDEO)).job_id
    em.complete_job(job_id)
    em.clear_requests()
    return job_id


@pytest.mark.parametrize(("fault", "error"), RETRYABLE, ids=[f.name for f, _ in RETRYABLE])
async def test_passing_faults_are_retried_to_success(
    em: Emulator, client: AsyncClient, fault: Fault, error: type[Exception]
) -> None:
    """Two faults in a row cost two extra requests and the caller still gets every segment."""
    job_id = await _finished(em, client)
    em.inject(fault, operation=GET, times=2)
    assert len((await client.get(job_id)).shots) == 1500
    assert em.count(GET) == 2 + 2


@pytest.mark.parametrize(("fault", "error"), RETRYABLE, ids=[f.name for f, _ in RETRYABLE])
async def test_persistent_faults_stop_after_exactly_the_policy_attempts(
    em: Emulator, client: AsyncClient, fault: Fault, error: type[Exception]
) -> None:
    """A fault that never clears makes exactly RetryPolicy.attempts requests, then raises the typed error."""
    job_id = await _finished(em, client)
    em.inject(fault, operation=GET, times=None, probability=1.0)
    with pytest.raises(error) as info:
        await client.get(job_id)
    assert em.count(GET) == FAST_RETRY.attempts
    garbled = fault in (Fault.TRUNCATED_JSON, Fault.MALFORMED_JSON)
    assert (info.value.__cause__ is None) is garbled
    assert getattr(info.value, "job_id", None) == job_id
    assert getattr(info.value, "operation", None) == GET


async def test_service_error_carries_code_message_request_id_and_job(em: Emulator, client: AsyncClient) -> None:
    """A ThrottlingError carries the service's code, message, request id, operation and job id."""
    job_id = await _finished(em, client)
    em.inject(Fault.THROTTLE_400, operation=GET, times=None, probability=1.0)
    with pytest.raises(rekseg.ThrottlingError) as info:
        await client.status(job_id)
    exc = info.value
    assert exc.code == "ThrottlingException"
    assert exc.message
    assert exc.request_id == em.requests[-1].request_id
    assert exc.http_status == 400
    assert exc.job_id == job_id
    assert isinstance(exc.__cause__, botocore.exceptions.ClientError)


async def test_slow_response_is_a_retried_read_timeout(em: Emulator, aws_env: None) -> None:
    """A response slower than the read timeout is a TransportError, retried like any passing fault."""
    client = make_client(em, read_timeout=0.3)
    job_id = await _finished(em, client, shots=10)
    em.inject(Fault.SLOW, operation=GET, times=1, delay=1.0)
    assert len((await client.get(job_id)).shots) == 10
    assert em.count(GET) == 2
    em.inject(Fault.SLOW, operation=GET, times=None, probability=1.0, delay=1.0)
    with pytest.raises(rekseg.TransportError):
        await make_client(em, read_timeout=0.3, retry=rekseg.RetryPolicy.none()).get(job_id)


@pytest.mark.parametrize(
    ("fault", "operation", "error", "code"),
    [
        (Fault.ACCESS_DENIED, GET, rekseg.AccessDeniedError, "AccessDeniedException"),
        (Fault.ACCESS_DENIED, START, rekseg.AccessDeniedError, "AccessDeniedException"),
        (Fault.LIMIT_EXCEEDED, START, rekseg.LimitExceededError, "LimitExceededException"),
    ],
)
async def test_lasting_errors_are_not_retried(
    em: Emulator, client: AsyncClient, fault: Fault, operation: str, error: type[rekseg.ServiceError], code: str
) -> None:
    """AccessDenied and LimitExceeded raise their typed error after one request."""
    job_id = await _finished(em, client)
    em.inject(fault, operation=operation, times=None, probability=1.0)
    with pytest.raises(error) as info:
        await (client.get(job_id) if operation == GET else client.start(VIDEO))
    assert em.count(operation) == 1
    assert info.value.code == code
    assert info.value.operation == operation


async def test_unknown_video_is_invalid_s3_object(em: Emulator, client: AsyncClient) -> None:
    """Starting on an S3 object the service cannot read raises InvalidS3ObjectError, once."""
    with pytest.raises(rekseg.InvalidS3ObjectError) as info:
        await client.start("s3://media-bucket/missing.mp4")
    assert info.value.code == "InvalidS3ObjectException"
    assert em.count() == 1


async def test_unknown_job_is_job_not_found(em: Emulator, client: AsyncClient) -> None:
    """An unknown job id raises JobNotFoundError carrying the id, once."""
    with pytest.raises(rekseg.JobNotFoundError) as info:
        await client.status("0" * 64)
    assert info.value.job_id == "0" * 64
    assert info.value.code == "ResourceNotFoundException"
    assert em.count() == 1


async def test_retries_are_bounded_by_total_time(em: Emulator, aws_env: None) -> None:
    """RetryPolicy.timeout bounds retries by time even when attempts remain."""
    retry = rekseg.RetryPolicy(attempts=1000, timeout=0.5, wait_initial=0.05, wait_max=0.05, wait_jitter=0.0)
    client = make_client(em, retry=retry)
    job_id = await _finished(em, client, shots=10)
    em.inject(Fault.THROTTLE_400, operation=GET, times=None, probability=1.0)
    with pytest.raises(rekseg.ThrottlingError):
        await client.get(job_id)
    assert 2 <= em.count(GET) < 100


async def test_connection_refused_is_a_retried_transport_error(aws_env: None, caplog: pytest.LogCaptureFixture) -> None:
    """A closed port raises TransportError after the policy's attempts, with one log line per retry."""
    client = make_client(f"http://127.0.0.1:{closed_port()}", retry=rekseg.RetryPolicy(attempts=3, **NO_WAIT))
    with caplog.at_level(logging.WARNING, logger="rekseg"), pytest.raises(rekseg.TransportError) as info:
        await client.status("job-0123456789")
    assert isinstance(info.value.__cause__, botocore.exceptions.EndpointConnectionError)
    assert info.value.operation == GET
    assert info.value.job_id == "job-0123456789"
    assert sum("retrying" in r.getMessage() for r in caplog.records) == 2


async def test_wrapped_client_retries_multiply_as_documented(em: Emulator, aws_env: None) -> None:
    """A handed-in aiobotocore client keeps its own retries under rekseg's: the worst case is the product."""
    config = botocore.config.Config(retries={"total_max_attempts": 2, "mode": "standard"})
    async with aio_boto(em, config) as boto:
        retry = rekseg.RetryPolicy(attempts=3, **NO_WAIT)
        client = AsyncClient(boto_client=boto, retry=retry, polling=FAST_POLL)
        job_id = await _finished(em, client, shots=10)
        em.inject(Fault.THROTTLE_400, operation=GET, times=None, probability=1.0)
        with pytest.raises(rekseg.ThrottlingError):
            await client.get(job_id)
        assert em.count(GET) == 6
        em.clear_requests()
        with pytest.raises(rekseg.ThrottlingError):
            await AsyncClient(boto_client=boto, retry=rekseg.RetryPolicy.none()).get(job_id)
        assert em.count(GET) == 2


async def test_rekseg_built_client_turns_botocore_retries_off(em: Emulator, aws_env: None) -> None:
    """Retries never multiply: a client rekseg builds makes one request per RetryPolicy attempt."""
    client = make_client(em, retry=rekseg.RetryPolicy.none())
    job_id = await _finished(em, client, shots=10)
    em.inject(Fault.THROTTLE_500, operation=GET, times=None, probability=1.0)
    with pytest.raises(rekseg.ThrottlingError):
        await client.get(job_id)
    assert em.count(GET) == 1


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
    ("job-id-handle", lambda c: c.job("bad id!"), "job_id"),
    ("job-id-long", lambda c: c.pages("a" * 65), "job_id"),
    ("page-size-zero", lambda c: c.pages("a" * 10, page_size=0), "page_size"),
    ("page-size-big", lambda c: c.segments("a" * 10, page_size=1001), "page_size"),
    ("token-long", lambda c: c.pages("a" * 10, starting_token="t" * 256), "starting_token"),
    ("max-pages", lambda c: c.pages("a" * 10, max_pages=0), "max_pages"),
    ("offset", lambda c: c.pages("a" * 10, starting_token="t", starting_offset=-1), "starting_offset"),
    ("offset-no-token", lambda c: c.pages("a" * 10, starting_offset=5), "starting_offset"),
    ("segments-type", lambda c: c.segments("a" * 10, segment_types=["SHOTS"]), "segment_types"),
    ("wait-page-size", lambda c: c.wait("a" * 10, page_size=0), "page_size"),
    ("wait-timeout", lambda c: c.wait("a" * 10, timeout=-1), "timeout"),
    ("detect-timeout", lambda c: c.detect(VIDEO, timeout=float("nan")), "timeout"),
    ("detect-progress", lambda c: c.detect(VIDEO, progress="print"), "progress"),
    ("detect-page-size", lambda c: c.detect(VIDEO, page_size=1001), "page_size"),
]


async def _invoke(call: Any, client: AsyncClient) -> None:
    outcome = call(client)
    if inspect.isawaitable(outcome):
        await outcome


@pytest.mark.parametrize(("name", "call", "field"), BAD_CALLS, ids=[b[0] for b in BAD_CALLS])
async def test_bad_input_raises_before_any_request(
    em: Emulator, client: AsyncClient, name: str, call: Any, field: str
) -> None:
    """Bad input raises ValidationError naming the field and the rule, and nothing is sent."""
    em.add_video(VIDEO, shots_only(3))
    with pytest.raises(rekseg.ValidationError) as info:
        await _invoke(call, client)
    assert field.lower() in info.value.field.lower()
    assert info.value.rule
    assert em.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"region_name": 5}, "region_name"),
        ({"endpoint_url": "ftp://x"}, "endpoint_url"),
        ({"botocore_config": {"retries": 1}}, "botocore_config"),
        ({"retry": 3}, "retry"),
        ({"polling": 3}, "polling"),
        ({"boto_client": object()}, "boto_client"),
    ],
)
def test_bad_client_arguments_are_refused(kwargs: dict[str, Any], field: str) -> None:
    """A client argument of the wrong type is a ValidationError naming it, as for the sync client."""
    with pytest.raises(rekseg.ValidationError) as info:
        AsyncClient(**kwargs)
    assert info.value.field == field


async def test_boto_client_and_settings_are_exclusive(em: Emulator, aws_env: None) -> None:
    """Passing an aiobotocore client together with settings to build one is refused."""
    async with aio_boto(em) as boto:
        with pytest.raises(rekseg.ValidationError) as info:
            AsyncClient(boto_client=boto, region_name="us-east-1")
    assert info.value.field == "boto_client"


async def test_missing_credentials_is_a_configuration_error(
    em: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No credentials anywhere raises ConfigurationError saying how to fix it, and nothing is sent."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    client = make_client(em)
    with pytest.raises(rekseg.ConfigurationError) as info:
        await client.status("a" * 10)
    assert info.value.missing == "credentials"
    assert em.count() == 0


def test_missing_region_and_unknown_profile_are_configuration_errors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No region, or a profile that does not exist, raises ConfigurationError when the client is made."""
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    with pytest.raises(rekseg.ConfigurationError) as info:
        AsyncClient()
    assert info.value.missing == "region"
    with pytest.raises(rekseg.ConfigurationError) as info:
        AsyncClient(profile_name="nope", region_name="us-east-1")
    assert info.value.missing == "profile"
    assert "nope" in str(info.value)


async def test_credentials_never_appear_in_repr(em: Emulator, aws_env: None) -> None:
    """The client's repr shows region and endpoint once built, never credentials."""
    async with make_client(em) as client:
        text = repr(client)
    assert "us-east-1" in text
    assert em.endpoint_url in text
    assert "testing" not in text
