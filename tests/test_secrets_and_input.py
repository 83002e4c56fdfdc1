"""Secrets stay out of reprs, messages and logs; bad input is a ValidationError naming the field, before any request."""

from __future__ import annotations

import logging
import os
import pickle
import socket
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import botocore.config
import botocore.exceptions
import pytest

import rekseg
from rekseg.testing import Emulator, Fault, SyntheticVideo

VIDEO = "s3://media-bucket/episodes/s01e01.mp4"
SECRET = "s3cretPassw0rd"
S3_VERSION = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo"
"""The version id of S3's own documentation example: it contains ``+``."""
TOPIC = "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionDone"
ROLE = "arn:aws:iam::123456789012:role/RekognitionPublish"
ARABIC_INDIC_ACCOUNT = "".join(chr(0x0660 + int(d)) for d in "123456789012")
FULL_WIDTH_ACCOUNT = "".join(chr(0xFF10 + int(d)) for d in "123456789012")
NO_WAIT = rekseg.RetryPolicy(attempts=3, timeout=30.0, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials and region, isolated from the machine's own AWS configuration."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def em() -> Iterator[Emulator]:
    """An emulator serving a 30-shot video; jobs end at Start."""
    with Emulator(polls_to_complete=0) as emulator:
        emulator.add_video(VIDEO, SyntheticVideo(shots=30, technical_cues=(), segment_types=("SHOT",)))
        yield emulator


@pytest.fixture
def client(em: Emulator, aws_env: None) -> rekseg.Client:
    """A client for the emulator that retries at once."""
    return rekseg.Client(endpoint_url=em.endpoint_url, region_name="us-east-1", retry=NO_WAIT)


def _with_password(url: str) -> str:
    return url.replace("http://", f"http://admin:{SECRET}@")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- 1. credentials in the endpoint URL ------------------------------------------------------------------


def test_repr_hides_the_password_of_the_endpoint_url(em: Emulator, aws_env: None) -> None:
    """`repr(Client)` shows the endpoint with its user:password replaced by ***."""
    client = rekseg.Client(endpoint_url=_with_password(em.endpoint_url))

    text = repr(client)

    assert SECRET not in text
    assert f"http://***@{em.endpoint_url[len('http://') :]}" in text


def test_connection_errors_hide_the_password_of_the_endpoint_url(aws_env: None) -> None:
    """The "could not connect to <url>" of botocore becomes a rekseg error whose text has no password."""
    url = _with_password(f"http://127.0.0.1:{_closed_port()}")
    client = rekseg.Client(endpoint_url=url, retry=rekseg.RetryPolicy.none())

    with pytest.raises(rekseg.RekSegError) as info:
        client.status("job-1")

    assert "Could not connect" in str(info.value)
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)
    # botocore's exception stays chained as the cause, and a printed traceback shows it: without the password.
    assert isinstance(info.value.__cause__, botocore.exceptions.EndpointConnectionError)
    printed = "".join(traceback.format_exception(info.value))
    assert "Could not connect to the endpoint URL" in printed
    assert "***@127.0.0.1" in printed
    assert SECRET not in printed


@pytest.mark.parametrize(
    ("endpoint", "rule"),
    [
        (f"http://user:{SECRET}@bad host:8080", "must be a URL with a valid host name"),
        (f"user:{SECRET}@proxy.local:8080", "must be an http:// or https:// URL"),
    ],
)
def test_refused_endpoints_do_not_show_their_password(aws_env: None, endpoint: str, rule: str) -> None:
    """An endpoint botocore would refuse, or one without a scheme, is a ValidationError that hides the password."""
    with pytest.raises(rekseg.ValidationError) as info:
        rekseg.Client(endpoint_url=endpoint)

    assert info.value.field == "endpoint_url"
    assert rule in str(info.value)
    assert "***@" in str(info.value)
    assert SECRET not in "".join(traceback.format_exception(info.value))


def test_retry_logs_hide_the_password_of_the_endpoint_url(
    em: Emulator, aws_env: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A read timeout retried by rekseg is logged without the password botocore puts in its message."""
    config = botocore.config.Config(read_timeout=0.3, connect_timeout=2)
    client = rekseg.Client(endpoint_url=_with_password(em.endpoint_url), botocore_config=config, retry=NO_WAIT)
    em.inject(Fault.SLOW, delay=1.0, times=None)
    caplog.set_level(logging.DEBUG, logger="rekseg")

    with pytest.raises(rekseg.TransportError) as info:
        client.status("job-1")

    assert "Read timeout" in str(info.value)
    assert "retrying" in caplog.text
    assert SECRET not in caplog.text
    assert SECRET not in str(info.value)


# -- 2. --debug ------------------------------------------------------------------------------------------


def test_cli_debug_shows_rekseg_log_but_no_credentials(em: Emulator, tmp_path: Path) -> None:
    """`rekseg --debug` writes rekseg's debug log, never the access key id or the session token."""
    key_id, token = "AKIAKNOWNKEYID000001", "KnownSessionTokenValue"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=key_id,
        AWS_SECRET_ACCESS_KEY="KnownSecretAccessKey",
        AWS_SESSION_TOKEN=token,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
    )
    command = [sys.executable, "-m", "rekseg", "detect", VIDEO, "--debug", "--types", "shot"]
    command += ["--endpoint-url", em.endpoint_url, "--poll-interval", "0.01", "--format", "csv"]

    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False)

    assert done.returncode == 0, done.stderr
    assert "rekseg INFO started segment detection job" in done.stderr
    for secret in (key_id, token, "KnownSecretAccessKey"):
        assert secret not in done.stderr
        assert secret not in done.stdout


# -- 3. what a ValidationError keeps -----------------------------------------------------------------------


def test_validation_error_does_not_keep_a_live_client(client: rekseg.Client) -> None:
    """Passing a Job where a job id belongs: the error keeps a description, not the Job (or its client), and pickles."""
    job = client.job("job-1")

    with pytest.raises(rekseg.ValidationError) as info:
        client.job(job)  # type: ignore[arg-type]

    error = info.value
    assert error.field == "job_id"
    assert error.value == "<rekseg._job.Job object>"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.field, copy.rule, copy.value, str(copy)) == (error.field, error.rule, error.value, str(error))


def test_boto_client_conflict_names_the_arguments_not_the_client(em: Emulator) -> None:
    """boto_client= with region_name= is refused naming the clashing arguments; the error pickles."""
    with pytest.raises(rekseg.ValidationError) as info:
        rekseg.Client(boto_client=em.boto_client(), region_name="us-east-1")

    assert info.value.value == ("region_name",)
    assert pickle.loads(pickle.dumps(info.value)).value == ("region_name",)


def test_validation_error_message_is_bounded(client: rekseg.Client, em: Emulator) -> None:
    """A 10 MB job id gives a short message that still says how long the value was; nothing is sent."""
    with pytest.raises(rekseg.ValidationError) as info:
        client.status("x" * 10_000_000)

    assert len(str(info.value)) < 400
    assert "(10000000 characters)" in str(info.value)
    assert em.count() == 0


def test_validation_error_keeps_plain_values_as_given() -> None:
    """Numbers, strings and rekseg's value models stay the error's value, unchanged."""
    s3 = rekseg.S3Object(bucket="media-bucket", name="a.mp4")
    for value in (40, "x", (s3, 1.5), {"k": [1, 2]}):
        assert rekseg.ValidationError("field", "rule", value).value == value


# -- 4. s3:// URIs -----------------------------------------------------------------------------------------


def test_version_id_is_sent_verbatim(client: rekseg.Client, em: Emulator) -> None:
    """`?versionId=` is sent to the service exactly as written: S3's `+` stays a `+`."""
    client.start(f"{VIDEO}?versionId={S3_VERSION}", segment_types=["SHOT"])

    s3 = em.requests[-1].params["Video"]["S3Object"]
    assert (s3["Name"], s3["Version"]) == ("episodes/s01e01.mp4", S3_VERSION)


@pytest.mark.parametrize(
    ("uri", "rule"),
    [
        (f"{VIDEO}?versionId=v1&partNumber=2", "may only have ?versionId=VERSION"),
        (f"{VIDEO}?partNumber=2", "may only have ?versionId=VERSION"),
        (f"{VIDEO}?versionid=v1", "may only have ?versionId=VERSION"),
        (f"{VIDEO}#t=10", "must not have a #fragment"),
        (f"{VIDEO}?versionId=v1#t=10", "must not have a #fragment"),
    ],
)
def test_other_query_text_or_fragment_is_refused(client: rekseg.Client, em: Emulator, uri: str, rule: str) -> None:
    """Query text other than one versionId, or a #fragment, is a ValidationError, never dropped or kept in the key."""
    with pytest.raises(rekseg.ValidationError) as info:
        client.start(uri)

    assert info.value.field == "video"
    assert rule in info.value.rule
    assert "S3Object" in info.value.rule
    assert em.count() == 0


# -- 5. wrong types, resumption, ARNs, tokens --------------------------------------------------------------


def _client_with(**kwargs: Any) -> Callable[[], object]:
    return lambda: rekseg.Client(region_name="us-east-1", **kwargs)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (_client_with(retry="fast"), "retry"),
        (_client_with(polling=5), "polling"),
        (_client_with(botocore_config={"read_timeout": 5}), "botocore_config"),
        (_client_with(endpoint_url=4566), "endpoint_url"),
        (_client_with(endpoint_url="localhost:4566"), "endpoint_url"),
        (lambda: rekseg.Client(region_name=1), "region_name"),
        (lambda: rekseg.Client(boto_client="rekognition"), "boto_client"),
        (lambda: rekseg.Video(s3_object="s3://media-bucket/a.mp4"), "Video.s3_object"),
        (lambda: rekseg.S3Object(bucket=5), "S3Object.bucket"),
        (lambda: rekseg.S3Object(bucket="media-bucket", version=7), "S3Object.version"),
        (lambda: rekseg.ShotFilter(min_segment_confidence="80"), "ShotFilter.min_segment_confidence"),
        (lambda: rekseg.TechnicalCueFilter(min_segment_confidence="80"), "TechnicalCueFilter.min_segment_confidence"),
        (lambda: rekseg.TechnicalCueFilter(black_frame="dark"), "TechnicalCueFilter.black_frame"),
        (lambda: rekseg.TechnicalCueFilter(black_frame={"max_pixel_threshold": 0.1}), "TechnicalCueFilter.black_frame"),
        (lambda: rekseg.BlackFrame(max_pixel_threshold="0.1"), "BlackFrame.max_pixel_threshold"),
        (lambda: rekseg.NotificationChannel(sns_topic_arn=TOPIC, role_arn=None), "NotificationChannel.role_arn"),
        (lambda: rekseg.NotificationChannel(sns_topic_arn=5, role_arn=ROLE), "NotificationChannel.sns_topic_arn"),
    ],
)
def test_wrong_types_in_constructors_name_the_field(aws_env: None, call: Callable[[], object], field: str) -> None:
    """A value of the wrong type in a public constructor is a ValidationError naming the field."""
    with pytest.raises(rekseg.ValidationError) as info:
        call()

    assert info.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"segment_types": 5}, "segment_types"),
        ({"segment_types": [5]}, "segment_types"),
        ({"shot_filter": "80"}, "shot_filter"),
        ({"technical_cue_filter": {"min_segment_confidence": 80}}, "technical_cue_filter"),
        ({"notification_channel": (TOPIC, ROLE)}, "notification_channel"),
        ({"job_tag": 5}, "job_tag"),
        ({"client_request_token": 5}, "client_request_token"),
    ],
)
def test_wrong_types_in_start_name_the_field(
    client: rekseg.Client, em: Emulator, kwargs: dict[str, Any], field: str
) -> None:
    """A value of the wrong type given to start is a ValidationError naming the field; nothing is sent."""
    with pytest.raises(rekseg.ValidationError) as info:
        client.start(VIDEO, **kwargs)

    assert info.value.field == field
    assert em.count() == 0


def test_user_agent_extra_of_the_given_config_is_kept(em: Emulator, aws_env: None) -> None:
    """The User-Agent sent carries both the caller's user_agent_extra and rekseg's."""
    config = botocore.config.Config(user_agent_extra="myapp/2.1")
    client = rekseg.Client(endpoint_url=em.endpoint_url, botocore_config=config)
    agents: list[str] = []

    def capture(request: Any, **_kwargs: Any) -> None:
        agent = request.headers["User-Agent"]
        agents.append(agent.decode() if isinstance(agent, bytes) else agent)

    client.boto_client.meta.events.register("before-send.rekognition", capture)  # type: ignore[attr-defined]
    client.start(VIDEO, segment_types=["SHOT"])

    assert len(agents) == 1
    assert "myapp/2.1" in agents[0]
    assert "rekseg" in agents[0]


def test_starting_offset_needs_a_starting_token(client: rekseg.Client, em: Emulator) -> None:
    """`pages(starting_offset=...)` without a token is a ValidationError at the call; nothing is sent."""
    with pytest.raises(rekseg.ValidationError) as info:
        client.pages("job-1", starting_offset=40)

    assert info.value.field == "starting_offset"
    assert em.count() == 0


def test_bad_starting_token_is_the_callers_error(client: rekseg.Client, em: Emulator) -> None:
    """A starting_token over 255 characters is the caller's ValidationError; nothing is sent."""
    with pytest.raises(rekseg.ValidationError) as info:
        client.pages("job-1", starting_token="t" * 256)

    assert info.value.field == "starting_token"
    assert em.count() == 0


@pytest.mark.parametrize(
    ("topic", "role"),
    [
        (f"arn:aws:sns:us-east-1:{ARABIC_INDIC_ACCOUNT}:AmazonRekognitionDone", ROLE),
        (TOPIC, f"arn:aws:iam::{ARABIC_INDIC_ACCOUNT}:role/RekognitionPublish"),
        (f"arn:aws:sns:us-east-1:{FULL_WIDTH_ACCOUNT}:AmazonRekognitionDone", ROLE),
    ],
)
def test_arns_take_ascii_digits_only(topic: str, role: str) -> None:
    """An account id written in Arabic-Indic or full-width digits is refused."""
    with pytest.raises(rekseg.ValidationError):
        rekseg.NotificationChannel(sns_topic_arn=topic, role_arn=role)


def test_ascii_arns_are_accepted() -> None:
    """The usual ARNs pass."""
    channel = rekseg.NotificationChannel(sns_topic_arn=TOPIC, role_arn=ROLE)

    assert (channel.sns_topic_arn, channel.role_arn) == (TOPIC, ROLE)


def test_a_bad_token_from_the_service_is_a_transport_error(client: rekseg.Client, em: Emulator) -> None:
    """A NextToken the service sends that breaks the token rules is a TransportError, and is not followed."""
    job = client.start(VIDEO, segment_types=["SHOT"])
    em.clear_requests()
    em.inject(Fault.BAD_NEXT_TOKEN, operation="GetSegmentDetection")

    with pytest.raises(rekseg.TransportError) as info:
        list(client.pages(job.job_id, page_size=10))

    assert not isinstance(info.value, rekseg.ValidationError)
    assert info.value.job_id == job.job_id
    assert "NextToken" in str(info.value)
    assert em.count("GetSegmentDetection") == 1
