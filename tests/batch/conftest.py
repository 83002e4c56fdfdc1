"""Fixtures of the batch tests: an emulator with a catalog of small videos, a client for it, moto's server."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

import rekseg
from rekseg.testing import Emulator, SyntheticVideo

# Polling that looks again at once: the emulator's jobs end after one look (or a few tenths of a second).
FAST = rekseg.PollPolicy(wait_initial=0.01, wait_max=0.05, wait_jitter=0.0)
# The moto server runs in its own process, so its work cannot disturb the timing of the batch under test.
_MOTO = """
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
print(f"http://{host}:{port}", flush=True)
sys.stdin.read()
server.stop()
"""


def videos(count: int, prefix: str = "show") -> list[str]:
    """Return ``count`` video URIs of the catalog."""
    return [f"s3://media/{prefix}/ep{i:03d}.mp4" for i in range(count)]


def small_video(seed: int = 0) -> SyntheticVideo:
    """A three-shot video: cheap to serve, with VideoMetadata for the frame-exact exports."""
    return SyntheticVideo(shots=3, technical_cues=(), segment_types=["SHOT"], seed=seed)


def add_catalog(emulator: Emulator, uris: list[str]) -> None:
    """Register every video of ``uris`` with the emulator."""
    for index, uri in enumerate(uris):
        emulator.add_video(uri, small_video(index))


def client_for(emulator: Emulator) -> rekseg.Client:
    """A client of ``emulator`` with fast polling."""
    return rekseg.Client(boto_client=emulator.boto_client(), polling=FAST)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """An emulator whose jobs end after one look, with 40 videos registered."""
    with Emulator(polls_to_complete=1) as em:
        add_catalog(em, videos(40))
        yield em


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """The moto server, in a subprocess, for the whole session."""
    server = subprocess.Popen([sys.executable, "-c", _MOTO], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    url = server.stdout.readline().strip()
    try:
        yield url
    finally:
        assert server.stdin is not None
        server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()


def moto_client(service: str, url: str) -> Any:
    """A botocore client of moto's server."""
    return botocore.session.get_session().create_client(
        service, "us-east-1", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
