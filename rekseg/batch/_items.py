"""What a batch processes: `BatchItem`, manifests (lines, CSV, JSON Lines) and S3 prefixes, checked up front."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final, TypeAlias

from typing_extensions import Unpack

from .._exceptions import ValidationError
from .._models import BlackFrame, NotificationChannel, S3Object, ShotFilter, TechnicalCueFilter, Video
from .._requests import START_OPTIONS, StartOptions, StartRequest, VideoLike, parse_s3_uri
from ._state import fingerprint_of

__all__ = [
    "MANIFEST_COLUMNS",
    "VIDEO_EXTENSIONS",
    "BatchItem",
    "Videos",
    "collect_items",
    "list_videos",
    "read_manifest",
]

VIDEO_EXTENSIONS: Final = (".mp4", ".mov", ".m4v")
"""Keys listed under an ``s3://bucket/prefix/`` that are taken as videos (Rekognition reads MPEG-4 and MOV)."""
MANIFEST_COLUMNS: Final = (
    "video",
    "segment_types",
    "job_tag",
    "client_request_token",
    "shot_min_confidence",
    "cue_min_confidence",
    "black_max_pixel_threshold",
    "black_min_coverage",
    "sns_topic_arn",
    "role_arn",
)
"""The columns of a CSV manifest (and the flat keys of a JSON Lines one); only ``video`` is required."""
_MAX_LIST_PAGES: Final = 1_000_000
"""ListObjectsV2 pages read at most (1,000 keys each)."""


class BatchItem:
    """One video of a batch and its Start options, checked when made.

    Args:
        video: ``s3://bucket/key`` (``?versionId=`` allowed), an `S3Object` or a `Video`.
        **options: The `rekseg.StartOptions` for this video. A ``client_request_token`` replaces the derived
            token of the first job (retries of a failed job derive theirs from it).

    Raises:
        ValidationError: Bad video or options, naming the field and the rule.

    Attributes:
        video: The video.
        options: The options given, as a new dict on each access.
        key: The video as ``s3://bucket/key`` (``?versionId=`` when versioned): its identity in the batch.
    """

    __slots__ = ("_options", "fingerprint", "key", "video")

    def __init__(self, video: VideoLike, **options: Unpack[StartOptions]) -> None:
        request = StartRequest.build(video, **options)
        s3 = request.video.s3_object
        assert s3 is not None
        self.video: Video = request.video
        self._options: dict[str, Any] = dict(options)
        self.key: str = s3.uri
        self.fingerprint: str = fingerprint_of(request.to_params())

    @property
    def options(self) -> StartOptions:
        """The Start options given for this video."""
        options: StartOptions = {**self._options}  # type: ignore[typeddict-item]
        return options

    @property
    def given_token(self) -> str | None:
        """The caller's own ClientRequestToken, if the options had one."""
        token = self._options.get("client_request_token")
        return token if isinstance(token, str) else None

    def with_defaults(self, defaults: StartOptions) -> BatchItem:
        """Return the item with ``defaults`` under its own options."""
        if not defaults:
            return self
        merged: dict[str, Any] = {**defaults, **self._options}
        return BatchItem(self.video, **merged)

    def __repr__(self) -> str:
        shown = "".join(f", {k}={v!r}" for k, v in self._options.items())
        return f"BatchItem({self.key!r}{shown})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BatchItem) and (other.key, other.fingerprint) == (self.key, self.fingerprint)

    def __hash__(self) -> int:
        return hash((self.key, self.fingerprint))


Videos: TypeAlias = "Iterable[VideoLike | BatchItem] | str | os.PathLike[str]"
"""What `rekseg.batch.run` takes: videos and items, a manifest path, or an ``s3://bucket/prefix/`` to list."""


def _number(where: str, name: str, text: object) -> float:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    try:
        return float(str(text))
    except ValueError:
        raise ValidationError(f"{where}: {name}", "must be a number", text) from None


def _types(where: str, value: object) -> list[str]:
    if isinstance(value, str):
        parts = value.replace(";", ",").replace("|", ",").replace(" ", ",").split(",")
    elif isinstance(value, list):
        parts = [str(v) for v in value]
    else:
        raise ValidationError(f"{where}: segment_types", "must be a list or a comma-separated string", value)
    names = {"shot": "SHOT", "shots": "SHOT", "technical-cue": "TECHNICAL_CUE", "technical_cue": "TECHNICAL_CUE"}
    return [names.get(p.strip().lower(), p.strip().upper()) for p in parts if p.strip()]


def _nested(where: str, name: str, value: object, kind: type[Any]) -> Any:
    if value is None or isinstance(value, kind):
        return value
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where}: {name}", "must be an object", value)
    fields = dict(value)
    if kind is TechnicalCueFilter and isinstance(fields.get("black_frame"), Mapping):
        fields["black_frame"] = BlackFrame(**fields["black_frame"])
    try:
        return kind(**fields)
    except TypeError as exc:
        raise ValidationError(f"{where}: {name}", f"has an unknown field ({exc})", value) from None


def item_from_fields(fields: Mapping[str, Any], where: str) -> BatchItem:
    """Build a `BatchItem` from a manifest row: the flat `MANIFEST_COLUMNS`, or the `StartOptions` names.

    Raises:
        ValidationError: A bad row; the field names ``where`` (the file and line), then the field at fault.
    """
    try:
        return _item_from_fields(fields, where)
    except ValidationError as exc:
        if exc.field.startswith(where):
            raise
        raise ValidationError(f"{where}: {exc.field}", exc.rule, exc.value) from None


def _item_from_fields(fields: Mapping[str, Any], where: str) -> BatchItem:
    known = set(MANIFEST_COLUMNS) | set(START_OPTIONS)
    for name in fields:
        if name not in known:
            raise ValidationError(f"{where}: {name}", f"is not a manifest column (use {', '.join(MANIFEST_COLUMNS)})")
    values = {k: v for k, v in fields.items() if v not in (None, "")}
    video = values.get("video")
    if not isinstance(video, str):
        raise ValidationError(f"{where}: video", "is required: an s3://bucket/key URI", video)
    options: dict[str, Any] = {}
    if "segment_types" in values:
        options["segment_types"] = _types(where, values["segment_types"])
    for name in ("job_tag", "client_request_token"):
        if name in values:
            options[name] = str(values[name])
    shot = _nested(where, "shot_filter", values.get("shot_filter"), ShotFilter)
    if "shot_min_confidence" in values:
        shot = ShotFilter(min_segment_confidence=_number(where, "shot_min_confidence", values["shot_min_confidence"]))
    cue = _nested(where, "technical_cue_filter", values.get("technical_cue_filter"), TechnicalCueFilter)
    if {"cue_min_confidence", "black_max_pixel_threshold", "black_min_coverage"} & values.keys():
        black = None
        if {"black_max_pixel_threshold", "black_min_coverage"} & values.keys():
            black = BlackFrame(
                max_pixel_threshold=_optional(where, "black_max_pixel_threshold", values),
                min_coverage_percentage=_optional(where, "black_min_coverage", values),
            )
        cue = TechnicalCueFilter(
            min_segment_confidence=_optional(where, "cue_min_confidence", values), black_frame=black
        )
    channel = _nested(where, "notification_channel", values.get("notification_channel"), NotificationChannel)
    if {"sns_topic_arn", "role_arn"} & values.keys():
        channel = NotificationChannel(
            sns_topic_arn=str(values.get("sns_topic_arn", "")), role_arn=str(values.get("role_arn", ""))
        )
    for name, value in (("shot_filter", shot), ("technical_cue_filter", cue), ("notification_channel", channel)):
        if value is not None:
            options[name] = value
    return BatchItem(video, **options)


def _optional(where: str, name: str, values: Mapping[str, Any]) -> float | None:
    return _number(where, name, values[name]) if name in values else None


def read_manifest(path: str | os.PathLike[str]) -> list[BatchItem]:
    """Read a manifest: one ``s3://`` URI a line, a CSV with a header (`MANIFEST_COLUMNS`), or JSON Lines.

    The format is taken from the extension (``.csv``; ``.jsonl``, ``.ndjson`` or ``.json``; anything else is one
    URI a line, where blank lines and ``#`` comments are skipped).

    Raises:
        ValidationError: The file cannot be read, or a row is bad; the field names the file and line.
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationError("manifest", f"cannot be read: {exc.strerror or exc}", str(path)) from None
    suffix = source.suffix.lower()
    items: list[BatchItem] = []
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if reader.fieldnames is None or "video" not in reader.fieldnames:
            raise ValidationError(f"{path}:1", "must be a CSV header naming a 'video' column", reader.fieldnames)
        for row in reader:
            where = f"{path}:{reader.line_num}"
            if None in row:
                raise ValidationError(where, "has more cells than the header", row[None])
            items.append(item_from_fields({k: (v or "").strip() for k, v in row.items()}, where))
        return items
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        where = f"{path}:{number}"
        if not stripped or stripped.startswith("#"):
            continue
        if suffix in (".jsonl", ".ndjson", ".json"):
            try:
                fields = json.loads(stripped)
            except ValueError as exc:
                raise ValidationError(where, f"must be a JSON object ({exc})", stripped) from None
            if not isinstance(fields, dict):
                raise ValidationError(where, "must be a JSON object with a 'video'", fields)
            items.append(item_from_fields(fields, where))
        else:
            items.append(item_from_fields({"video": stripped}, where))
    return items


def list_videos(prefix: str, *, s3_client: Any, extensions: Iterable[str] = VIDEO_EXTENSIONS) -> Iterator[S3Object]:
    """List the videos under ``s3://bucket/prefix/`` with botocore's ListObjectsV2 paginator.

    Args:
        prefix: ``s3://bucket/`` or ``s3://bucket/some/prefix/``.
        s3_client: A botocore or boto3 ``s3`` client.
        extensions: Keep keys ending with one of these (case-insensitive).

    Raises:
        ValidationError: ``prefix`` is not an ``s3://bucket/prefix/`` URI.
    """
    bucket, prefix_key = split_prefix(prefix)
    wanted = tuple(e.lower() for e in extensions)
    pages = s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix_key)
    for count, page in enumerate(pages, 1):
        for entry in page.get("Contents", []):
            key = entry["Key"]
            if key.lower().endswith(wanted):
                yield S3Object(bucket=bucket, name=key)
        if count >= _MAX_LIST_PAGES:
            raise ValidationError("videos", f"lists more than {_MAX_LIST_PAGES} pages of objects", prefix)


def split_prefix(uri: str, field: str = "videos") -> tuple[str, str]:
    """Split ``s3://bucket/prefix/`` into the bucket and the key prefix (``""`` for a whole bucket)."""
    if not isinstance(uri, str) or not uri.startswith("s3://") or not uri.endswith("/"):
        raise ValidationError(field, "must be an s3://bucket/prefix/ URI ending with '/'", uri)
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket:
        raise ValidationError(field, "must name a bucket: s3://bucket/prefix/", uri)
    return bucket, key


def collect_items(videos: Videos, *, defaults: StartOptions, s3_client: Any = None) -> list[BatchItem]:
    """Turn what `rekseg.batch.run` was given into checked items, each video once.

    Raises:
        ValidationError: A bad video or option, naming where it is; the same video twice with other options.
    """
    source: Iterable[Any]
    if isinstance(videos, str) and videos.startswith("s3://"):
        if not videos.endswith("/"):
            raise ValidationError(
                "videos",
                "is one s3:// URI: pass a list of videos, or a prefix ending with '/' to list",
                videos,
            )
        if s3_client is None:
            raise ValidationError("s3_client", "is needed to list an s3:// prefix", None)
        source = list_videos(videos, s3_client=s3_client)
    elif isinstance(videos, (str, os.PathLike)):
        source = read_manifest(videos)
    elif isinstance(videos, (bytes, Mapping)) or not isinstance(videos, Iterable):
        raise ValidationError("videos", "must be an iterable of videos, a manifest path or an s3:// prefix", videos)
    else:
        source = videos
    items: dict[str, BatchItem] = {}
    for index, entry in enumerate(source):
        where = f"videos[{index}]"
        try:
            item = entry if isinstance(entry, BatchItem) else BatchItem(_video(entry))
            item = item.with_defaults(defaults)
        except ValidationError as exc:
            raise ValidationError(f"{where}: {exc.field}", exc.rule, exc.value) from None
        known = items.get(item.key)
        if known is not None and known.fingerprint != item.fingerprint:
            raise ValidationError(
                where, "repeats a video with other options (a video appears once in a batch)", item.key
            )
        items.setdefault(item.key, item)
    return list(items.values())


def _video(entry: object) -> VideoLike:
    if isinstance(entry, (S3Object, Video)):
        return entry
    if isinstance(entry, str):
        parse_s3_uri(entry)
        return entry
    raise ValidationError("video", "must be an s3:// URI, an S3Object, a Video or a BatchItem", entry)
