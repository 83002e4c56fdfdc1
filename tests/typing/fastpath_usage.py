"""The fast response path used as a user would; type-checked by mypy --strict, never executed."""

from __future__ import annotations

from typing import Any

import botocore.session

import rekseg


def client_from_my_session(profile: str) -> rekseg.Client:
    """Build rekseg's client (the fast path) from the caller's own session."""
    session = botocore.session.Session(profile=profile)
    return rekseg.Client(session=session, region_name="eu-west-1", retry=rekseg.RetryPolicy(attempts=3))


def my_fast_botocore_client() -> rekseg.Client:
    """Install the fast parser on a session, then build and hand in a botocore client from it."""
    session = botocore.session.Session()
    fast: bool = rekseg.install_fast_parser(session)
    del fast
    rek: Any = session.create_client("rekognition", region_name="us-east-1")
    return rekseg.Client(boto_client=rek)
