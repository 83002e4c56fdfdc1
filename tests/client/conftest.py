"""Fixtures for the client's end-to-end tests: an emulator on a real socket and a client built for it.

Every test that builds its client through rekseg (the ``client`` fixture or `make_client`) runs twice: on the
fast response path (rekseg's own session) and on botocore's (a session whose parser factory the caller
registered, which rekseg keeps).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import botocore.parsers
import botocore.session
import pytest

import rekseg
from rekseg.testing import Emulator, SyntheticVideo

FAST_POLL = rekseg.PollPolicy(wait_initial=0.0, wait_max=0.0, wait_jitter=0.0, timeout=30.0)
FAST_RETRY = rekseg.RetryPolicy(attempts=4, timeout=30.0, wait_initial=0.0, wait_max=0.0, wait_jitter=0.0)

VIDEO = "s3://media-bucket/episodes/s01e01.mp4"

RESPONSE_PATHS = ("fast", "botocore")
_current_path = ["fast"]


class BotocoreParsers(botocore.parsers.ResponseParserFactory):
    """botocore's own parsers, registered on a session by its owner: rekseg keeps them (the slow path)."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that builds its client through rekseg on both response paths."""
    if "client" in metafunc.fixturenames or "make_client" in metafunc.function.__code__.co_names:
        metafunc.parametrize("response_path", RESPONSE_PATHS, indirect=True)


@pytest.fixture(autouse=True)
def response_path(request: pytest.FixtureRequest) -> Iterator[str]:
    """The response path `make_client` builds for: ``fast`` unless the test is parametrized over both."""
    _current_path[0] = getattr(request, "param", "fast")
    try:
        yield _current_path[0]
    finally:
        _current_path[0] = "fast"


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
    """An emulator whose jobs report IN_PROGRESS for two polls, then end."""
    with Emulator(polls_to_complete=2) as emulator:
        yield emulator


def make_client(
    emulator: Emulator,
    *,
    retry: rekseg.RetryPolicy = FAST_RETRY,
    polling: rekseg.PollPolicy = FAST_POLL,
    read_timeout: float | None = None,
) -> rekseg.Client:
    """Build a client the way users do: rekseg makes the botocore client for the endpoint."""
    import botocore.config

    config = None if read_timeout is None else botocore.config.Config(read_timeout=read_timeout, connect_timeout=2)
    session = None
    if _current_path[0] == "botocore":
        session = botocore.session.Session()
        session.register_component("response_parser_factory", BotocoreParsers())
    return rekseg.Client(
        endpoint_url=emulator.endpoint_url,
        region_name="us-east-1",
        botocore_config=config,
        retry=retry,
        polling=polling,
        session=session,
    )


@pytest.fixture
def client(em: Emulator, aws_env: None) -> rekseg.Client:
    """A client for the emulator with zero waits between polls and retries."""
    return make_client(em)


def shots_only(shots: int, *, seed: int = 7) -> SyntheticVideo:
    """A synthetic video whose shot-only job returns exactly ``shots`` segments."""
    return SyntheticVideo(shots=shots, technical_cues=(), segment_types=("SHOT",), seed=seed)


def empty_result() -> rekseg.SegmentDetectionResult:
    """A finished result that found nothing."""
    return attrs.evolve(shots_only(1).result(), segments=())
