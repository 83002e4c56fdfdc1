"""Turn what a caller passes into checked request parameters, before anything is sent."""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Iterable
from typing import Any, Final, TypeAlias

import attrs
from typing_extensions import TypedDict, Unpack

from ._enums import SegmentType
from ._exceptions import TransportError, ValidationError
from ._models import NotificationChannel, S3Object, ShotFilter, TechnicalCueFilter, Video
from ._validation import (
    MAX_PAGE_SIZE,
    MAX_TOKEN_LENGTH,
    check_job_id,
    check_job_tag,
    check_request_token,
    check_segment_type,
)
from ._wire import filters_to_wire, notification_channel_to_wire, video_to_wire

__all__ = [
    "ALL_SEGMENT_TYPES",
    "START_OPTIONS",
    "StartOptions",
    "StartRequest",
    "VideoLike",
    "check_page_size",
    "check_segment_types",
    "get_params",
    "parse_s3_uri",
    "to_video",
]

VideoLike: TypeAlias = str | S3Object | Video
"""A video: an ``s3://bucket/key`` URI (``?versionId=`` allowed), an `S3Object` or a `Video`."""

ALL_SEGMENT_TYPES = (SegmentType.SHOT, SegmentType.TECHNICAL_CUE)
_KEY_HINT = "(for a key containing '?' or '#', pass S3Object(bucket=..., name=...))"


def parse_s3_uri(uri: str, field: str = "video") -> S3Object:
    """Parse ``s3://bucket/key`` or ``s3://bucket/key?versionId=V`` into an `S3Object`.

    The key and the version id are taken verbatim, with no percent- or plus-decoding: S3's version ids contain
    ``+`` and ``/``. A key holding ``?`` or ``#`` cannot be written as a URI; pass an `S3Object` instead.

    Raises:
        ValidationError: Not an ``s3://`` URI, no key, a key that names a folder, query text other than one
            ``versionId``, a ``#`` fragment, or a bucket, key or version that breaks the service's rules.
    """
    if not isinstance(uri, str):
        raise ValidationError(field, "must be an s3://bucket/key URI, an S3Object or a Video", uri)
    if not uri.startswith("s3://"):
        hint = " (an https:// URL is not accepted: use s3://bucket/key)" if uri.startswith("http") else ""
        raise ValidationError(field, f"must start with s3://{hint}", uri)
    rest = uri[len("s3://") :]
    bucket, slash, key = rest.partition("/")
    if not bucket:
        raise ValidationError(field, "must name a bucket: s3://bucket/key", uri)
    if not slash or not key:
        raise ValidationError(field, "must name an object key after the bucket: s3://bucket/key", uri)
    if "#" in key:
        raise ValidationError(field, f"must not have a #fragment {_KEY_HINT}", uri)
    version: str | None = None
    key, question, query = key.partition("?")
    if question:
        name, equals, version = query.partition("=")
        if name != "versionId" or not equals or "&" in version or "?" in version:
            raise ValidationError(field, f"may only have ?versionId=VERSION after the key {_KEY_HINT}", uri)
        if not version:
            raise ValidationError(field, "versionId must not be empty", uri)
    if key.endswith("/"):
        raise ValidationError(field, "must name an object, not a folder (the key ends with '/')", uri)
    return S3Object(bucket=bucket, name=key, version=version)


def to_video(video: VideoLike) -> Video:
    """Return ``video`` as a `Video`, checking it names a bucket and key."""
    if isinstance(video, Video):
        s3 = video.s3_object
    elif isinstance(video, S3Object):
        s3 = video
    else:
        s3 = parse_s3_uri(video)
    if s3 is None or not s3.bucket or not s3.name:
        raise ValidationError("video", "must name both a bucket and an object key", video)
    return Video(s3_object=s3)


def check_segment_types(types: Iterable[SegmentType | str] | SegmentType | str | None) -> tuple[SegmentType, ...]:
    """Check and normalise requested segment types; ``None`` means both, shots first.

    Raises:
        ValidationError: Empty, repeated, or not one of ``SHOT`` / ``TECHNICAL_CUE`` (the AWS guide's own
            example sends ``TECHNICAL_CUES``, which the service rejects).
    """
    if types is None:
        return ALL_SEGMENT_TYPES
    if not isinstance(types, str) and not isinstance(types, Iterable):
        raise ValidationError("segment_types", "must be a SegmentType, a string, an iterable of them, or None", types)
    items = [types] if isinstance(types, str) else list(types)
    if not items:
        raise ValidationError("segment_types", "must hold at least one of SHOT, TECHNICAL_CUE", types)
    out: list[SegmentType] = []
    for item in items:
        member = check_segment_type(item, "segment_types")
        if member in out:
            raise ValidationError("segment_types", "must not repeat a type", item)
        out.append(member)
    return tuple(out)


class StartOptions(TypedDict, total=False):
    """The options of StartSegmentDetection besides the video, declared once.

    `Client.start`, `Client.detect`, the command line (and batch items) take exactly these keywords; with
    ``Unpack`` mypy checks each of them where they are passed.

    Attributes:
        segment_types: What to detect; default both, shots first (the order results come in).
        shot_filter: Minimum confidence for shots.
        technical_cue_filter: Minimum confidence and black-frame settings for technical cues.
        notification_channel: SNS topic to tell when the job ends.
        job_tag: Your label for the job, echoed in results and notifications.
        client_request_token: Idempotency token. Starting again with the same token within 7 days returns the
            same job *and publishes no new notification*. When omitted, rekseg sends a fresh one so that its
            own retries cannot start a second job.
    """

    segment_types: Iterable[SegmentType | str] | None
    shot_filter: ShotFilter | None
    technical_cue_filter: TechnicalCueFilter | None
    notification_channel: NotificationChannel | None
    job_tag: str | None
    client_request_token: str | None


START_OPTIONS: Final = frozenset(StartOptions.__annotations__)
"""The keyword names `StartOptions` declares."""


@attrs.frozen(kw_only=True)
class StartRequest:
    """One checked StartSegmentDetection request: built from the caller's input before anything is sent.

    Attributes:
        video: The video.
        segment_types: The types, normalised and checked.
        shot_filter: Shot filter, or ``None``.
        technical_cue_filter: Technical cue filter, or ``None``.
        notification_channel: SNS channel, or ``None``.
        job_tag: The job tag, or ``None``.
        client_request_token: The idempotency token sent (a fresh one when the caller gave none), so that
            retrying a Start whose answer was lost returns the same job instead of starting a second one.
    """

    video: Video
    segment_types: tuple[SegmentType, ...]
    shot_filter: ShotFilter | None
    technical_cue_filter: TechnicalCueFilter | None
    notification_channel: NotificationChannel | None
    job_tag: str | None
    client_request_token: str

    @classmethod
    def build(cls, video: VideoLike, **options: Unpack[StartOptions]) -> StartRequest:
        """Check ``video`` and the options and return the request.

        Raises:
            ValidationError: Bad input, or an unknown option name (a typo an untyped caller would not see).
        """
        for name in options:
            if name not in START_OPTIONS:
                close = difflib.get_close_matches(name, sorted(START_OPTIONS), n=1)
                hint = f"; did you mean {close[0]}?" if close else ""
                raise ValidationError(name, f"is not an option of StartSegmentDetection{hint}", name)
        types = check_segment_types(options.get("segment_types"))
        shot_filter = options.get("shot_filter")
        technical_cue_filter = options.get("technical_cue_filter")
        notification_channel = options.get("notification_channel")
        for name, value, kind in (
            ("shot_filter", shot_filter, ShotFilter),
            ("technical_cue_filter", technical_cue_filter, TechnicalCueFilter),
            ("notification_channel", notification_channel, NotificationChannel),
        ):
            if value is not None and not isinstance(value, kind):
                raise ValidationError(name, f"must be a rekseg.{kind.__name__}", value)
        if shot_filter is not None and SegmentType.SHOT not in types:
            raise ValidationError("shot_filter", "is set but SHOT is not among segment_types", shot_filter)
        if technical_cue_filter is not None and SegmentType.TECHNICAL_CUE not in types:
            raise ValidationError(
                "technical_cue_filter", "is set but TECHNICAL_CUE is not among segment_types", technical_cue_filter
            )
        job_tag = options.get("job_tag")
        if job_tag is not None:
            check_job_tag(job_tag)
        token = options.get("client_request_token")
        if token is None:
            token = str(uuid.uuid4())
        check_request_token(token)
        return cls(
            video=to_video(video),
            segment_types=types,
            shot_filter=shot_filter,
            technical_cue_filter=technical_cue_filter,
            notification_channel=notification_channel,
            job_tag=job_tag,
            client_request_token=token,
        )

    def to_params(self) -> dict[str, Any]:
        """Return the request's wire parameters."""
        params: dict[str, Any] = {
            "Video": video_to_wire(self.video),
            "SegmentTypes": [t.value for t in self.segment_types],
            "ClientRequestToken": self.client_request_token,
        }
        if self.job_tag is not None:
            params["JobTag"] = self.job_tag
        if self.notification_channel is not None:
            params["NotificationChannel"] = notification_channel_to_wire(self.notification_channel)
        filters = filters_to_wire(self.shot_filter, self.technical_cue_filter)
        if filters is not None:
            params["Filters"] = filters
        return params


def check_page_size(page_size: int) -> None:
    """Check a page size: an int from 1 to `MAX_PAGE_SIZE`."""
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError("page_size", f"must be an int from 1 to {MAX_PAGE_SIZE}", page_size)


def get_params(job_id: str, page_size: int, token: str | None) -> dict[str, Any]:
    """Build checked GetSegmentDetection parameters.

    ``token`` is not the caller's input: a caller's ``starting_token`` is checked on entry (`check_token`), so
    a token that breaks the rules here is one the service handed back, a garbled answer rather than bad input.

    Raises:
        ValidationError: Bad job id or page size.
        TransportError: ``token`` breaks the token rules (a string of 1-255 characters).
    """
    check_job_id(job_id)
    check_page_size(page_size)
    params: dict[str, Any] = {"JobId": job_id, "MaxResults": page_size}
    if token is not None:
        if not isinstance(token, str) or not 1 <= len(token) <= MAX_TOKEN_LENGTH:
            got = f"{len(token)} characters" if isinstance(token, str) else type(token).__name__
            raise TransportError(
                f"GetSegmentDetection: the service returned a NextToken that breaks the token rules "
                f"(a string of 1 to {MAX_TOKEN_LENGTH} characters; got {got}); it was not followed",
                operation="GetSegmentDetection",
                job_id=job_id,
            )
        params["NextToken"] = token
    return params
