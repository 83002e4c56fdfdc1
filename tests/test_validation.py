"""Input rules checked locally are the service model's rules, and their errors name the field and the rule."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import botocore.model
import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rekseg import BlackFrame, RekSegError, S3Object, ShotFilter, TechnicalCueFilter, ValidationError
from rekseg._validation import (
    MAX_PAGE_SIZE,
    check_bucket,
    check_job_id,
    check_job_tag,
    check_length,
    check_number,
    check_object_name,
    check_pattern,
    check_request_token,
    check_role_arn,
    check_sns_topic_arn,
    field_check,
)


def _model() -> botocore.model.ServiceModel:
    return botocore.session.get_session().get_service_model("rekognition")


def _member(operation: str, *path: str) -> botocore.model.Shape:
    """Return the input member at ``path`` of ``operation`` in botocore's model."""
    shape: botocore.model.Shape | None = _model().operation_model(operation).input_shape
    for name in path:
        assert isinstance(shape, botocore.model.StructureShape)
        shape = shape.members[name]
    assert shape is not None
    return shape


def _s3_version(value: str) -> None:
    S3Object(version=value)


# rekseg's check for each constrained string the two operations take, with where the model defines it.
STRING_RULES: list[tuple[str, Callable[[str], None], tuple[str, ...]]] = [
    ("JobId", check_job_id, ("GetSegmentDetection", "JobId")),
    ("ClientRequestToken", check_request_token, ("StartSegmentDetection", "ClientRequestToken")),
    ("JobTag", check_job_tag, ("StartSegmentDetection", "JobTag")),
    ("S3Bucket", check_bucket, ("StartSegmentDetection", "Video", "S3Object", "Bucket")),
    ("S3ObjectName", check_object_name, ("StartSegmentDetection", "Video", "S3Object", "Name")),
    ("S3ObjectVersion", _s3_version, ("StartSegmentDetection", "Video", "S3Object", "Version")),
    ("SNSTopicArn", check_sns_topic_arn, ("StartSegmentDetection", "NotificationChannel", "SNSTopicArn")),
    ("RoleArn", check_role_arn, ("StartSegmentDetection", "NotificationChannel", "RoleArn")),
]


def _model_accepts(shape: botocore.model.Shape, value: str) -> bool:
    meta = shape.metadata
    if not meta.get("min", 0) <= len(value) <= meta.get("max", math.inf):
        return False
    pattern = meta.get("pattern")
    if pattern is not None and shape.name == "SNSTopicArn":
        # Stricter than the model on purpose: its \w{12} is an account id, which is 12 digits.
        pattern = pattern.replace(r"\w{12}", "[0-9]{12}")
    # The service's regexes are Java's, whose \d and \w are ASCII only.
    return pattern is None or re.fullmatch(pattern, value, re.ASCII) is not None


def _rekseg_accepts(check: Callable[[str], None], value: str) -> bool:
    try:
        check(value)
    except ValidationError:
        return False
    return True


@st.composite
def _candidates(draw: st.DrawFn, shape: botocore.model.Shape) -> str:
    """Strings near the model's rules: valid by its pattern, around its length bounds, or arbitrary."""
    meta = shape.metadata
    low, high = meta.get("min", 0), meta.get("max", 2048)
    pattern = meta.get("pattern")
    options = [
        st.text(alphabet="aZ09-_.:+=/@, ", min_size=max(0, low - 1), max_size=low + 2),
        st.text(alphabet="a", min_size=max(0, high - 1), max_size=high + 1),
        st.text(max_size=30),
    ]
    if pattern is not None:
        options.append(st.from_regex(pattern, fullmatch=True))
        options.append(st.from_regex(pattern, fullmatch=True).map(lambda s: s[:high]))
    return draw(st.one_of(options))


@pytest.mark.parametrize(("shape_name", "check", "path"), STRING_RULES, ids=[r[0] for r in STRING_RULES])
def test_string_rules_are_the_models(shape_name: str, check: Callable[[str], None], path: tuple[str, ...]) -> None:
    """For strings at and around the model's bounds and patterns, rekseg accepts exactly what the model accepts."""
    shape = _member(*path)
    assert shape.name == shape_name

    @given(_candidates(shape))
    @settings(max_examples=150, deadline=None)
    def agree(value: str) -> None:
        assert _rekseg_accepts(check, value) == _model_accepts(shape, value), value

    agree()


NUMBER_RULES: list[tuple[str, Callable[[float], object], tuple[str, ...]]] = [
    (
        "ShotFilter.min_segment_confidence",
        lambda v: ShotFilter(min_segment_confidence=v),
        ("StartSegmentDetection", "Filters", "ShotFilter", "MinSegmentConfidence"),
    ),
    (
        "TechnicalCueFilter.min_segment_confidence",
        lambda v: TechnicalCueFilter(min_segment_confidence=v),
        ("StartSegmentDetection", "Filters", "TechnicalCueFilter", "MinSegmentConfidence"),
    ),
    (
        "BlackFrame.max_pixel_threshold",
        lambda v: BlackFrame(max_pixel_threshold=v),
        ("StartSegmentDetection", "Filters", "TechnicalCueFilter", "BlackFrame", "MaxPixelThreshold"),
    ),
    (
        "BlackFrame.min_coverage_percentage",
        lambda v: BlackFrame(min_coverage_percentage=v),
        ("StartSegmentDetection", "Filters", "TechnicalCueFilter", "BlackFrame", "MinCoveragePercentage"),
    ),
]


@pytest.mark.parametrize(("field", "build", "path"), NUMBER_RULES, ids=[r[0] for r in NUMBER_RULES])
def test_number_ranges_are_the_models(field: str, build: Callable[[float], object], path: tuple[str, ...]) -> None:
    """The model's min and max are accepted, the nearest floats outside them are not, and the error names both."""
    meta = _member(*path).metadata
    low, high = float(meta["min"]), float(meta["max"])

    build(low)
    build(high)
    for outside in (math.nextafter(low, -math.inf), math.nextafter(high, math.inf)):
        with pytest.raises(ValidationError) as info:
            build(outside)
        assert info.value.field == field
        assert info.value.rule == f"must be between {low:g} and {high:g}"


def test_page_size_limit_is_the_documented_one() -> None:
    """MaxResults has a minimum of 1 in the model; 1000 is the documented largest value and default."""
    assert _member("GetSegmentDetection", "MaxResults").metadata == {"min": 1}
    assert MAX_PAGE_SIZE == 1000


# -- error messages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field", "rule"),
    [
        (lambda: check_job_id(""), "job_id", "must be 1 to 64 characters long"),
        (lambda: check_job_id("a" * 65), "job_id", "must be 1 to 64 characters long"),
        (lambda: check_job_id("job id"), "job_id", "must match [a-zA-Z0-9-_]+"),
        (lambda: check_job_id(42), "job_id", "must be a string"),  # type: ignore[arg-type]
        (lambda: check_request_token("tok/1"), "client_request_token", "must match [a-zA-Z0-9-_]+"),
        (lambda: check_job_tag("tag with space"), "job_tag", "must match [a-zA-Z0-9_.-:+=/]+"),
        (lambda: check_job_tag("x" * 1025), "job_tag", "must be 1 to 1024 characters long"),
        (lambda: check_bucket("My Bucket"), "S3Object.bucket", "must match [0-9A-Za-z.-_]*"),
        (lambda: check_object_name(""), "S3Object.name", "must be 1 to 1024 characters long"),
        (
            lambda: check_sns_topic_arn("topic"),
            "NotificationChannel.sns_topic_arn",
            "must match arn:aws:sns:<region>:<12-digit account>:<topic>",
        ),
        (
            lambda: check_role_arn("role"),
            "NotificationChannel.role_arn",
            "must match arn:aws:iam::<12-digit account>:role/<name>",
        ),
        (lambda: check_sns_topic_arn(None), "NotificationChannel.sns_topic_arn", "must be a string"),  # type: ignore[arg-type]
        (lambda: check_job_id("", field="JobId"), "JobId", "must be 1 to 64 characters long"),
        (lambda: check_number("x", 0.5, 1), "x", "must be at least 1"),
        (lambda: check_number("x", 101, 0, 100), "x", "must be between 0 and 100"),
        (lambda: check_number("x", math.nan, 0, 100), "x", "must be a number"),
        (lambda: check_number("x", True, 0, 100), "x", "must be a number"),
        (lambda: check_number("x", "5", 0, 100), "x", "must be a number"),
        (lambda: check_length("x", "abcd", 1, 3), "x", "must be 1 to 3 characters long"),
        (lambda: check_pattern("x", "b", re.compile("a+"), "only a's"), "x", "must match only a's"),
        (lambda: check_pattern("x", "b", re.compile("a+")), "x", "must match a+"),
    ],
)
def test_errors_name_the_field_and_the_rule(call: Callable[[], None], field: str, rule: str) -> None:
    """Every check raises ValidationError whose field, rule and message say what is wrong and with what value."""
    with pytest.raises(ValidationError) as info:
        call()

    error = info.value
    assert (error.field, error.rule) == (field, rule)
    # Long values are cut short in the message (tests/test_secrets_and_input.py checks how).
    assert str(error).startswith(f"{field}: {rule} (got {repr(error.value)[:50]}")


def test_checks_accept_valid_values() -> None:
    """Values inside every rule pass silently."""
    check_job_id("a1B2-c3_d4" * 6 + "abcd")
    check_request_token("t")
    check_job_tag("show:s01/e02+cut=1.final_v2-x")
    check_bucket("my.bucket-name_1")
    check_object_name("videos/episode 01 (final).mov")
    check_sns_topic_arn("arn:aws:sns:eu-west-1:123456789012:AmazonRekognitionTopic")
    check_role_arn("arn:aws:iam::123456789012:role/service-role/Rekognition")
    check_number("x", 1, 1)
    check_number("x", 1e300, 1)
    check_number("x", 0, 0, 1)


def test_validation_error_is_a_value_error_and_a_rekseg_error() -> None:
    """Callers can catch ValidationError as ValueError or as RekSegError."""
    error = ValidationError("f", "must be good", 3)

    assert isinstance(error, ValueError)
    assert isinstance(error, RekSegError)
    assert (error.field, error.rule, error.value) == ("f", "must be good", 3)


def test_field_check_adapts_a_check_into_an_optional_attrs_validator() -> None:
    """field_check passes None through and calls the check with its field name otherwise."""
    seen: list[tuple[str, Any]] = []
    validator = field_check("Model.field", lambda field, value: seen.append((field, value)))

    validator(None, None, None)
    validator(None, None, 7)

    assert seen == [("Model.field", 7)]
