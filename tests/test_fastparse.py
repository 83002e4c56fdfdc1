"""The fast response path parses every GetSegmentDetection body into the same models as botocore's parser."""

from __future__ import annotations

import json
from typing import Any

import botocore.parsers
import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import output_shape, response_dicts

import rekseg
from rekseg import SegmentDetectionPage
from rekseg._fastparse import FastResponseParserFactory, install_fast_parser

_HEADERS = {"x-amzn-requestid": "req-1234", "content-type": "application/x-amz-json-1.1"}
_SEGMENT_KEYS = frozenset(output_shape().members["Segments"].member.members)  # type: ignore[attr-defined]
_PAGE_KEYS = frozenset(output_shape().members)
_LIST_KEYS = frozenset(k for k, v in output_shape().members.items() if v.type_name == "list")

_json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def _unknown_keys(known: frozenset[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Members the model does not know (what a newer service sends), with any JSON value."""
    return st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda k: k not in known), _json_values, max_size=3)


@st.composite
def _bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Valid responses, with unknown members on the page and its segments, and members sent as ``null``."""
    body = draw(response_dicts())
    body.update(draw(_unknown_keys(_PAGE_KEYS)))
    for segment in body.get("Segments", []):
        segment.update(draw(_unknown_keys(_SEGMENT_KEYS)))
        for key in draw(st.sets(st.sampled_from(sorted(_SEGMENT_KEYS)), max_size=2)):
            segment[key] = None
    for key in draw(st.sets(st.sampled_from(sorted(_PAGE_KEYS - {"JobStatus"})), max_size=2)):
        body[key] = None
    return body


def _http(body: bytes, status: int = 200) -> dict[str, Any]:
    return {"body": body, "headers": dict(_HEADERS), "status_code": status}


def _both(raw: bytes, status: int = 200) -> tuple[Any, Any]:
    """Parse ``raw`` with botocore's JSON parser and with the fast one."""
    shape = output_shape()
    slow = botocore.parsers.ResponseParserFactory().create_parser("json").parse(_http(raw, status), shape)
    fast = FastResponseParserFactory().create_parser("json").parse(_http(raw, status), shape)
    return slow, fast


def _outcome(parse: Any, raw: bytes) -> object:
    """What the client makes of an answer: a page, or "unreadable" (a retried TransportError)."""
    try:
        response = parse(raw)
        response.pop("ResponseMetadata", None)
        return SegmentDetectionPage.from_response(response)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError):
        # botocore's walk fails with these on a hostile body, rekseg's codecs with ValidationError (a
        # ValueError): the client turns both into a retried TransportError.
        return "unreadable"


@settings(max_examples=150, deadline=None)
@given(_bodies())
def test_fast_path_and_botocore_build_equal_pages(body: dict[str, Any]) -> None:
    """For any valid response (unknown members and nulls included) both paths give equal pages and metadata."""
    slow, fast = _both(json.dumps(body).encode())
    assert fast.pop("ResponseMetadata") == slow.pop("ResponseMetadata")
    assert SegmentDetectionPage.from_response(fast) == SegmentDetectionPage.from_response(slow)


@st.composite
def _hostile_bodies(draw: st.DrawFn) -> Any:
    """A valid page with one member (of the page or of a segment) replaced by an arbitrary JSON value."""
    body = draw(response_dicts())
    where = draw(st.sampled_from(["page", "segment", "whole"]))
    if where == "whole":
        return draw(_json_values)
    if where == "segment" and body.get("Segments"):
        segment = body["Segments"][0]
        if isinstance(segment, dict):
            segment[draw(st.sampled_from(sorted(_SEGMENT_KEYS)))] = draw(_json_values)
            return body
    body[draw(st.sampled_from(sorted(_PAGE_KEYS)))] = draw(_json_values)
    return body


@settings(max_examples=150, deadline=None)
@given(_hostile_bodies())
def test_hostile_bodies_fail_alike_on_both_paths(body: Any) -> None:
    """A body of wrong JSON types is unreadable on both paths or equal pages on both; the fast path is never laxer."""
    raw = json.dumps(body).encode()
    shape = output_shape()
    slow = botocore.parsers.ResponseParserFactory().create_parser("json")
    fast = FastResponseParserFactory().create_parser("json")
    slow_outcome = _outcome(lambda r: slow.parse(_http(r), shape), raw)
    fast_outcome = _outcome(lambda r: fast.parse(_http(r), shape), raw)
    if fast_outcome != slow_outcome:
        # The one difference: botocore's walk iterates whatever sits where a list belongs, so an empty object
        # or string there reads as an empty list. rekseg's codecs refuse it (a retried TransportError).
        assert fast_outcome == "unreadable"
        assert isinstance(slow_outcome, SegmentDetectionPage)
        assert any(body.get(key) in ({}, "") for key in _LIST_KEYS), body


@pytest.mark.parametrize("raw", [b"", b"{", b'{"JobStatus": "SUCC', b"null", b"[1, 2]", b'"text"', b"<html></html>"])
def test_garbled_bodies_parse_as_botocore_parses_them(raw: bytes) -> None:
    """Truncated, empty and non-object bodies take botocore's own path: the same dict on both paths."""
    try:
        slow: object = _both(raw)[0]
    except Exception as exc:  # noqa: BLE001 -- the point is the same outcome, whatever botocore does
        with pytest.raises(type(exc)):
            _both(raw)
        return
    fast = _both(raw)[1]
    assert fast == slow


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"__type": "ThrottlingException", "message": "slow down"}),
        (400, {"__type": "InvalidPaginationTokenException", "Message": "expired", "Code": "x"}),
        (500, {"__type": "InternalServerError", "message": "oops"}),
        (403, {"message": "no code"}),
    ],
)
def test_error_answers_parse_as_botocore_parses_them(status: int, body: dict[str, Any]) -> None:
    """Error answers are parsed by botocore's own error path on the fast path: equal dicts."""
    slow, fast = _both(json.dumps(body).encode(), status)
    assert fast == slow
    assert fast["Error"]["Code"]


def test_other_operations_keep_the_shape_walk() -> None:
    """Only GetSegmentDetection skips the walk: another operation's unknown members are dropped as before."""
    model = botocore.session.get_session().get_service_model("rekognition")
    shape = model.operation_model("StartSegmentDetection").output_shape
    raw = json.dumps({"JobId": "job-1", "Unknown": 1}).encode()
    parsed = FastResponseParserFactory().create_parser("json").parse(_http(raw), shape)
    parsed.pop("ResponseMetadata")
    assert parsed == {"JobId": "job-1"}


def test_fast_path_hands_the_decoded_body_back() -> None:
    """A GetSegmentDetection body comes back as decoded (unknown members kept), with botocore's metadata."""
    raw = json.dumps({"JobStatus": "SUCCEEDED", "Segments": [], "Novel": {"x": 1}}).encode()
    slow, fast = _both(raw)
    assert fast["Novel"] == {"x": 1}
    assert "Novel" not in slow
    assert fast["ResponseMetadata"]["RequestId"] == "req-1234"
    assert fast["ResponseMetadata"] == slow["ResponseMetadata"]


def test_other_protocols_get_botocore_parsers() -> None:
    """The factory builds botocore's own parser for every protocol but JSON 1.1."""
    for protocol in ("rest-json", "query", "rest-xml", "ec2"):
        parser = FastResponseParserFactory().create_parser(protocol)
        assert type(parser) is botocore.parsers.PROTOCOL_PARSERS[protocol]


def test_install_replaces_only_botocore_own_factory() -> None:
    """install_fast_parser replaces botocore's default factory, keeps a caller's own, and is idempotent."""
    session = botocore.session.Session()
    assert install_fast_parser(session) is True
    installed = session.get_component("response_parser_factory")
    assert isinstance(installed, FastResponseParserFactory)
    assert rekseg.install_fast_parser(session) is True
    assert session.get_component("response_parser_factory") is installed

    class Theirs(botocore.parsers.ResponseParserFactory):
        """A factory the caller registered."""

    custom = botocore.session.Session()
    theirs = Theirs()
    custom.register_component("response_parser_factory", theirs)
    assert install_fast_parser(custom) is False
    assert custom.get_component("response_parser_factory") is theirs


def test_install_keeps_parser_defaults() -> None:
    """Timestamp and blob parsers set on botocore's factory carry over to the fast one."""
    session = botocore.session.Session()

    def blob(value: str) -> str:
        return value

    session.get_component("response_parser_factory").set_parser_defaults(blob_parser=blob)
    install_fast_parser(session)
    parser = session.get_component("response_parser_factory").create_parser("json")
    assert parser._blob_parser is blob
