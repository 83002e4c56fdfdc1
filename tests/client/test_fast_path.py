"""Which clients take the fast response path, and that every fault ends the same way on both paths."""

from __future__ import annotations

from typing import Any

import botocore.parsers
import botocore.session
import pytest

import rekseg
from rekseg._fastparse import FastResponseParserFactory
from rekseg.testing import Emulator, Fault

from .conftest import FAST_POLL, VIDEO, BotocoreParsers, shots_only
from .scripted_server import Reply, scripted, succeeded

JOB = "job-0123456789"
NO_WAIT = {"wait_initial": 0.0, "wait_max": 0.0, "wait_jitter": 0.0}
NOVEL = {"JobStatus": "SUCCEEDED", "Segments": [], "NovelMember": 1}


def _session(path: str) -> botocore.session.Session:
    session = botocore.session.Session()
    if path == "botocore":
        session.register_component("response_parser_factory", BotocoreParsers())
    return session


def _client(url: str, path: str, **kwargs: Any) -> rekseg.Client:
    return rekseg.Client(endpoint_url=url, region_name="us-east-1", session=_session(path), **kwargs)


def _raw(client: rekseg.Client) -> dict[str, Any]:
    return client.boto_client.get_segment_detection(JobId=JOB)


def test_rekseg_built_client_takes_the_fast_path(aws_env: None) -> None:
    """A client rekseg builds hands back GetSegmentDetection's body as sent, unknown members included."""
    with scripted([], then=Reply(200, NOVEL)) as server:
        raw = _raw(rekseg.Client(endpoint_url=server.endpoint_url, region_name="us-east-1"))
    assert raw["NovelMember"] == 1
    assert raw["ResponseMetadata"]["RequestId"] == "req-1"


def test_handed_in_client_and_caller_factory_take_botocore_path(aws_env: None) -> None:
    """A handed-in botocore client and a session with the caller's own factory keep botocore's shape walk."""
    with scripted([], then=Reply(200, NOVEL)) as server:
        handed = botocore.session.Session().create_client(
            "rekognition", region_name="us-east-1", endpoint_url=server.endpoint_url
        )
        assert "NovelMember" not in _raw(rekseg.Client(boto_client=handed))
        assert "NovelMember" not in _raw(_client(server.endpoint_url, "botocore"))


def test_client_from_a_session_takes_the_fast_path_with_its_settings(aws_env: None) -> None:
    """Client(session=...) builds from the caller's session (its region here) and installs the fast parser."""
    session = botocore.session.Session()
    session.set_config_variable("region", "eu-west-1")
    with scripted([], then=Reply(200, NOVEL)) as server:
        client = rekseg.Client(session=session, endpoint_url=server.endpoint_url)
        assert _raw(client)["NovelMember"] == 1
    assert client.boto_client.meta.region_name == "eu-west-1"  # type: ignore[attr-defined]
    assert isinstance(session.get_component("response_parser_factory"), FastResponseParserFactory)


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"session": "default"}, "must be a botocore.session.Session or None"),
        ({"session": botocore.session.Session(), "profile_name": "dev"}, "cannot be combined with profile_name="),
        ({"session": botocore.session.Session(), "boto_client": object()}, "cannot be combined with boto_client="),
    ],
)
def test_bad_session_arguments_are_refused(aws_env: None, kwargs: dict[str, Any], rule: str) -> None:
    """A session of the wrong type, or with a client or profile, is a ValidationError naming `session`."""
    with pytest.raises(rekseg.ValidationError) as info:
        rekseg.Client(**kwargs)
    assert info.value.field == "session"
    assert rule in info.value.rule


GET_FAULTS = [
    Fault.THROTTLE_400,
    Fault.THROTTLE_500,
    Fault.PROVISIONED_THROUGHPUT,
    Fault.INTERNAL_ERROR,
    Fault.ACCESS_DENIED,
    Fault.HTML_503,
    Fault.CONNECTION_DROP,
    Fault.TRUNCATED_JSON,
    Fault.MALFORMED_JSON,
    Fault.EMPTY_PAGES,
    Fault.TOKEN_CYCLE,
    Fault.JOB_IN_PROGRESS,
    Fault.WRONG_JOB_ID,
    Fault.BAD_NEXT_TOKEN,
]


def _fault_outcome(path: str, fault: Fault, times: int | None) -> tuple[object, ...]:
    """Fetch a 2,500-segment job under ``fault``; return what happened, without the run's random ids."""
    with Emulator(polls_to_complete=0) as emulator:
        emulator.add_video(VIDEO, shots_only(2500))
        retry = rekseg.RetryPolicy(attempts=3, timeout=30.0, **NO_WAIT)
        client = _client(emulator.endpoint_url, path, retry=retry, polling=FAST_POLL)
        job = client.start(VIDEO, segment_types=["SHOT"])
        emulator.inject(fault, times=times)
        try:
            outcome: tuple[object, ...] = ("ok", len(client.get(job.job_id).segments or ()))
        except rekseg.RekSegError as exc:
            faulted = [r for r in emulator.requests if r.fault is not None]
            # The error names the request id of the last answer, when it had one, on both paths alike.
            request_id = getattr(exc, "request_id", None)
            same_id = request_id is None or request_id == faulted[-1].request_id
            outcome = (type(exc), getattr(exc, "code", None), same_id)
        return (*outcome, emulator.count("GetSegmentDetection"))


@pytest.mark.parametrize("fault", GET_FAULTS, ids=lambda f: f.name)
@pytest.mark.parametrize("times", [1, None], ids=["once", "always"])
def test_every_emulator_fault_ends_alike_on_both_paths(aws_env: None, fault: Fault, times: int | None) -> None:
    """Under each fault, once or for good, both paths raise the same error (or succeed) after as many requests."""
    fast = _fault_outcome("fast", fault, times)
    slow = _fault_outcome("botocore", fault, times)
    assert fast == slow
    assert fast[-1] >= 1


@pytest.mark.parametrize("path", ["fast", "botocore"])
def test_malformed_segments_are_retried_transport_errors_on_both_paths(aws_env: None, path: str) -> None:
    """A 200 body whose segments have the wrong types is retried, then the good answer is used, on both paths."""
    bad = Reply(200, b'{"JobStatus": "SUCCEEDED", "Segments": [{"StartTimestampMillis": "10"}]}')
    with scripted([bad, succeeded()]) as server:
        client = _client(server.endpoint_url, path, retry=rekseg.RetryPolicy(attempts=3, **NO_WAIT))
        assert client.status(JOB) is rekseg.JobStatus.SUCCEEDED
        assert server.count == 2


def test_botocore_parsers_factory_is_botocore_own() -> None:
    """The slow-path factory of these tests adds nothing to botocore's: its JSON parser is botocore's."""
    assert type(BotocoreParsers().create_parser("json")) is botocore.parsers.JSONParser


def test_handed_in_client_from_a_fast_session_takes_the_fast_path(aws_env: None) -> None:
    """A botocore client built from a session after install_fast_parser reads answers on the fast path."""
    session = botocore.session.Session()
    assert rekseg.install_fast_parser(session)
    with scripted([], then=Reply(200, NOVEL)) as server:
        rek = session.create_client("rekognition", region_name="us-east-1", endpoint_url=server.endpoint_url)
        assert _raw(rekseg.Client(boto_client=rek))["NovelMember"] == 1
