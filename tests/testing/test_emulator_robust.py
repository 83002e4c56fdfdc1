"""The emulator survives long runs and hostile input: bounded memory, timeouts, clear errors, never a dropped answer."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import botocore.config
import botocore.exceptions
import pytest

import rekseg
from rekseg.testing import Emulator, Fault, RecordedRequest, SyntheticVideo
from rekseg.testing._emulator import MAX_JSON_DEPTH

S3 = {"Bucket": "media-bucket", "Name": "episode.mp4"}
VIDEO = "s3://media-bucket/episode.mp4"
GET = "RekognitionService.GetSegmentDetection"


@pytest.fixture
def small() -> Iterator[Emulator]:
    """An emulator with tight limits: 3 requests logged, 2 KB bodies, 0.5 s of silence."""
    with Emulator(polls_to_complete=0, request_log_size=3, max_body_bytes=2048, socket_timeout=0.5) as em:
        em.add_video(VIDEO, SyntheticVideo(shots=20, technical_cues=(), segment_types=("SHOT",)))
        yield em


def _client(em: Emulator) -> Any:
    return em.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 1}))


def _post(em: Emulator, body: bytes, headers: dict[str, str | bytes]) -> tuple[int, dict[str, Any], str | None]:
    """POST raw bytes with exactly these headers; return the status, the JSON body and the Connection header."""
    host, port = em.endpoint_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest("POST", "/", skip_accept_encoding=True)
        for name, value in {"X-Amz-Target": GET, **headers}.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, json.loads(response.read()), response.getheader("Connection")
    finally:
        connection.close()


def test_request_log_keeps_the_newest_but_counts_every_request(small: Emulator) -> None:
    """With request_log_size=3, five requests leave the last three in the log and a count of five."""
    rek = _client(small)
    for _ in range(5):
        with pytest.raises(botocore.exceptions.ClientError):
            rek.get_segment_detection(JobId="unknown-job")
    rek.start_segment_detection(Video={"S3Object": S3}, SegmentTypes=["SHOT"])

    assert [r.operation for r in small.requests] == ["GetSegmentDetection"] * 2 + ["StartSegmentDetection"]
    assert (small.count(), small.count("GetSegmentDetection"), small.count("StartSegmentDetection")) == (6, 5, 1)
    small.clear_requests()
    assert (small.requests, small.count()) == ([], 0)


def test_request_log_can_be_turned_off() -> None:
    """request_log_size=0 keeps no request yet counts them, and on_request still sees each one."""
    seen: list[RecordedRequest] = []
    with Emulator(request_log_size=0, on_request=seen.append) as em:
        with pytest.raises(botocore.exceptions.ClientError):
            _client(em).get_segment_detection(JobId="unknown-job")

        assert (em.requests, em.count(), len(seen)) == ([], 1, 1)


def test_body_over_the_limit_is_a_413_unread(small: Emulator) -> None:
    """A body over max_body_bytes is answered 413 with a message, and the connection is closed."""
    status, body, connection = _post(small, b"{" + b" " * 4000 + b"}", {"Content-Length": "4002"})

    assert status == 413
    assert body["__type"] == "RequestEntityTooLargeException"
    assert "4002 bytes" in body["message"]
    assert connection == "close"


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "\u0663".encode(), "99999999999999999999999"])
def test_unreadable_content_length_is_a_400(small: Emulator, length: str | bytes) -> None:
    """A Content-Length that is not a plain decimal number is a 400 naming it, not a dropped connection."""
    status, body, connection = _post(small, b"{}", {"Content-Length": length})

    assert status == 400
    assert body["__type"] == "BadRequestException"
    assert "Content-Length" in body["message"]
    assert connection == "close"


def test_chunked_body_is_refused_with_411(small: Emulator) -> None:
    """A chunked body (no Content-Length) is answered 411, not misread as an empty one."""
    status, body, _ = _post(small, b"2\r\n{}\r\n0\r\n\r\n", {"Transfer-Encoding": "chunked"})

    assert status == 411
    assert body["__type"] == "LengthRequiredException"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_a_400(small: Emulator, depth: int) -> None:
    """JSON nested deeper than MAX_JSON_DEPTH is a 400 SerializationException saying so."""
    body = b'{"JobId": ' + b"[" * depth + b"]" * depth + b"}"
    with Emulator(max_body_bytes=len(body) + 1) as em:
        status, answer, _ = _post(em, body, {"Content-Length": str(len(body))})

    assert status == 400
    assert answer["__type"] == "SerializationException"
    assert "nests deeper" in answer["message"]


def test_silent_connection_is_closed_after_the_socket_timeout(small: Emulator) -> None:
    """A client that sends half a request and goes silent is disconnected after socket_timeout."""
    host, port = small.endpoint_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()

        assert sock.recv(1024) == b""
        assert time.monotonic() - started < 5


def test_an_exception_in_a_handler_is_a_500_with_a_message() -> None:
    """A failure inside the emulator (here an on_request callback) answers 500 InternalServerError, not a drop."""

    def broken(_request: RecordedRequest) -> None:
        raise RuntimeError("callback bug")

    with Emulator(on_request=broken) as em:
        with pytest.raises(botocore.exceptions.ClientError) as info:
            _client(em).get_segment_detection(JobId="job-1")

        error = info.value.response["Error"]
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        assert error["Code"] == "InternalServerError"
        assert "RuntimeError: callback bug" in error["Message"]
        assert em.requests[-1].status == 500


def test_rekseg_client_sees_a_handler_failure_as_internal_server_error() -> None:
    """Through rekseg, that 500 is a retryable InternalServerError carrying the message and request id."""

    def broken(_request: RecordedRequest) -> None:
        raise RuntimeError("callback bug")

    with Emulator(on_request=broken) as em:
        client = rekseg.Client(boto_client=_client(em), retry=rekseg.RetryPolicy.none())
        with pytest.raises(rekseg.InternalServerError) as info:
            client.status("job-1")

    assert "callback bug" in info.value.message
    assert info.value.request_id


def test_synthetic_video_over_24_hours_is_refused_when_added() -> None:
    """A synthetic video the emulator could never serve is refused by add_video, naming the video and the rule."""
    with Emulator() as em, pytest.raises(rekseg.ValidationError) as info:
        em.add_video(VIDEO, SyntheticVideo(duration=10_000 * 60))

    assert info.value.field == f"{VIDEO}: duration"
    assert "24 hours" in info.value.rule


def test_module_refuses_an_unservable_video_at_start_up() -> None:
    """`python -m rekseg.testing --minutes 10000` exits 2 with the rule at once instead of serving broken Gets."""
    command = [sys.executable, "-m", "rekseg.testing", "--port", "0", "--quiet"]
    command += ["--synthetic", VIDEO, "--minutes", "10000"]

    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    assert done.returncode == 2
    assert "24 hours" in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"port": 70000}, "port"),
        ({"request_log_size": -1}, "request_log_size"),
        ({"max_body_bytes": 0}, "max_body_bytes"),
        ({"socket_timeout": 0}, "socket_timeout"),
        ({"socket_timeout": float("nan")}, "socket_timeout"),
        ({"polls_to_complete": "2"}, "polls_to_complete"),
        ({"job_limit": 2.5}, "job_limit"),
    ],
)
def test_bad_settings_are_refused_at_construction(kwargs: dict[str, Any], name: str) -> None:
    """Settings out of range or of the wrong type raise ValueError naming the setting."""
    with pytest.raises(ValueError, match=name):
        Emulator(**kwargs)


def test_bad_next_token_fault_sends_an_overlong_token(small: Emulator) -> None:
    """Fault.BAD_NEXT_TOKEN hands out a NextToken of 300 characters, over the service's 255."""
    rek = _client(small)
    job_id = rek.start_segment_detection(Video={"S3Object": S3}, SegmentTypes=["SHOT"])["JobId"]
    small.inject(Fault.BAD_NEXT_TOKEN)

    page = rek.get_segment_detection(JobId=job_id, MaxResults=5)

    assert len(page["NextToken"]) == 300
    assert small.requests[-1].fault is Fault.BAD_NEXT_TOKEN
