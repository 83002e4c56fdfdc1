"""Where a batch writes: one result JSON and the chosen exports per video, atomically, locally or to S3.

A video's files are written exports first and result JSON last, each whole or not at all (a temporary file
renamed over the target, or one S3 PUT): the result JSON, which names its JobId, is the mark that the video is
done, so a resumed run can tell a written result from a missing one without fetching it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import json
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, Protocol
from urllib.parse import quote

import botocore.exceptions

from .. import export
from .._exceptions import ValidationError
from .._results import SegmentDetectionResult
from .._translate import translate
from ._items import split_prefix
from ._report import BatchReport

__all__ = ["EXTENSIONS", "LocalOutput", "Output", "S3Output", "check_formats", "make_output", "stem_of"]

EXTENSIONS: Final = {
    "json": ".json",
    "jsonl": ".jsonl",
    "csv": ".csv",
    "edl": ".edl",
    "vtt": ".vtt",
    "ffmetadata": ".ffmetadata",
    "otio": ".otio",
}
"""The file extension of each export format; the result JSON is ``<video>.json`` whatever the formats."""
TEMP_SUFFIX: Final = ".rekseg-tmp"
_TEMP_NONCE_BYTES: Final = 4
"""Random bytes in a temporary file's name (as hex), so that two writers of one file never share one."""
_JOB_ID_METADATA: Final = "rekseg-job-id"
_SHOTS_METADATA: Final = "rekseg-shots"
_CUES_METADATA: Final = "rekseg-technical-cues"
_SAFE: Final = " !$&'()+,;=@[]^`{}~-._"


def check_formats(formats: object) -> tuple[str, ...]:
    """Check the export formats; the result JSON is always written, so ``json`` adds nothing.

    Raises:
        ValidationError: Not a sequence of `rekseg.export.FORMATS` names, or ``otio`` without OpenTimelineIO.
    """
    if isinstance(formats, str) or not isinstance(formats, Sequence):
        raise ValidationError("formats", "must be a sequence of format names, such as ('json', 'edl')", formats)
    out: list[str] = []
    for name in formats:
        if name not in EXTENSIONS:
            raise ValidationError("formats", f"each must be one of {', '.join(export.FORMATS)}", name)
        if name == "otio" and importlib.util.find_spec("opentimelineio") is None:
            raise ValidationError("formats", "otio needs OpenTimelineIO: pip install 'rekseg[otio]'", name)
        if name != "json" and name not in out:
            out.append(name)
    return tuple(out)


def stem_of(key: str) -> str:
    """Return the relative path, without extension, of a video's files: ``bucket/dir/name.mp4``.

    Every path segment is percent-encoded where a file system could misread it (``..``, ``.``, empty segments,
    ``%`` itself and characters outside `_SAFE`), so no key can escape the output directory and two keys never
    share a file. A versioned video gets ``@`` and a digest of its version id appended.
    """
    body, _, query = key[len("s3://") :].partition("?versionId=")
    segments = []
    for segment in body.split("/"):
        if segment in ("", ".", ".."):
            segments.append(segment.replace(".", "%2E") or "%")
        else:
            segments.append(quote(segment, safe=_SAFE))
    stem = "/".join(segments)
    if query:
        stem += "@" + hashlib.sha256(query.encode()).hexdigest()[:16]
    return stem


def _render(result: SegmentDetectionResult, fmt: str) -> str:
    buffer = io.StringIO(newline="")
    export.write(result, fmt, buffer)
    return buffer.getvalue()


def _result_json(result: SegmentDetectionResult) -> str:
    return json.dumps(result.to_response(), indent=2) + "\n"


class Output(Protocol):
    """Where a batch writes its files."""

    def write(self, key: str, job_id: str, result: SegmentDetectionResult, formats: Sequence[str]) -> None:
        """Write a video's exports, then its result JSON."""

    def written(self, key: str, job_id: str) -> tuple[int, int] | None:
        """The shot and technical cue counts of the video's result JSON, if written for ``job_id``."""

    def write_report(self, report: BatchReport) -> None:
        """Write ``report.csv`` and ``report.jsonl``."""


class LocalOutput:
    """Files in a local directory: each written to a temporary file beside it, then renamed over it."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def _write_text(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(_TEMP_NONCE_BYTES)}{TEMP_SUFFIX}")
        try:
            with tmp.open("w", encoding="utf-8", newline="") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _clear_leftovers(self, base: Path) -> None:
        """Remove temporary files a killed writer left for this video's files (we hold the video's lease).

        Only the exact names of this video's own temporary files are removed: ``.<base><ext>.<nonce>.rekseg-tmp``
        for each extension a format can have. Another video whose name merely starts with this one's (``a.mp4``
        and ``a.mp4.mp4``) may be written at this very moment by another worker, and its files are left alone.
        """
        if not base.parent.is_dir():
            return
        own = re.compile(
            re.escape(f".{base.name}")
            + "(?:"
            + "|".join(re.escape(ext) for ext in sorted(set(EXTENSIONS.values())))
            + rf")\.[0-9a-f]{{{2 * _TEMP_NONCE_BYTES}}}{re.escape(TEMP_SUFFIX)}"
        )
        for leftover in base.parent.glob(f".{_glob_escape(base.name)}.*{TEMP_SUFFIX}"):
            if own.fullmatch(leftover.name):
                with contextlib.suppress(OSError):
                    leftover.unlink()

    def write(self, key: str, job_id: str, result: SegmentDetectionResult, formats: Sequence[str]) -> None:
        """Write the exports, then the result JSON, each atomically."""
        base = self.directory / stem_of(key)
        self._clear_leftovers(base)
        for fmt in formats:
            self._write_text(base.with_name(base.name + EXTENSIONS[fmt]), _render(result, fmt))
        self._write_text(base.with_name(base.name + ".json"), _result_json(result))

    def written(self, key: str, job_id: str) -> tuple[int, int] | None:
        """The shot and technical cue counts of ``<video>.json``, if it exists and names ``job_id``."""
        path = self.directory / (stem_of(key) + ".json")
        try:
            with path.open(encoding="utf-8") as stream:
                data = json.load(stream)
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("JobId") != job_id:
            return None
        result = SegmentDetectionResult.from_response(data)
        return len(result.shots), len(result.technical_cues)

    def write_report(self, report: BatchReport) -> None:
        """Write ``report.csv`` and ``report.jsonl`` in the directory, atomically."""
        for name, render in (("report.csv", report._csv), ("report.jsonl", report._jsonl)):
            buffer = io.StringIO(newline="")
            render(buffer)
            self._write_text(self.directory / name, buffer.getvalue())


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


class S3Output:
    """Objects under an ``s3://bucket/prefix/``: each one PUT, which S3 makes visible whole or not at all."""

    def __init__(self, prefix: str, s3_client: Any) -> None:
        self.bucket, self.prefix = split_prefix(prefix, "output")
        self._s3 = s3_client

    def _put(self, key: str, text: str, metadata: dict[str, str] | None = None) -> None:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.prefix + key, "Body": text.encode("utf-8")}
        if metadata is not None:
            params["Metadata"] = metadata
        try:
            self._s3.put_object(**params)
        except botocore.exceptions.ClientError as exc:
            raise translate(exc, operation="S3.PutObject") from exc

    def write(self, key: str, job_id: str, result: SegmentDetectionResult, formats: Sequence[str]) -> None:
        """PUT the exports, then the result JSON (tagged with its JobId)."""
        stem = stem_of(key)
        for fmt in formats:
            self._put(stem + EXTENSIONS[fmt], _render(result, fmt))
        metadata = {
            _JOB_ID_METADATA: job_id,
            _SHOTS_METADATA: str(len(result.shots)),
            _CUES_METADATA: str(len(result.technical_cues)),
        }
        self._put(stem + ".json", _result_json(result), metadata)

    def written(self, key: str, job_id: str) -> tuple[int, int] | None:
        """The shot and technical cue counts of ``<video>.json``, if it exists and its metadata names ``job_id``."""
        try:
            head = self._s3.head_object(Bucket=self.bucket, Key=self.prefix + stem_of(key) + ".json")
        except botocore.exceptions.ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise translate(exc, operation="S3.HeadObject") from exc
        metadata = head.get("Metadata", {})
        if metadata.get(_JOB_ID_METADATA) != job_id:
            return None
        return int(metadata.get(_SHOTS_METADATA, 0)), int(metadata.get(_CUES_METADATA, 0))

    def write_report(self, report: BatchReport) -> None:
        """PUT ``report.csv`` and ``report.jsonl`` under the prefix."""
        for name, render in (("report.csv", report._csv), ("report.jsonl", report._jsonl)):
            buffer = io.StringIO(newline="")
            render(buffer)
            self._put(name, buffer.getvalue())


def make_output(output: object, s3_client: Any) -> LocalOutput | S3Output:
    """Return the output for a directory path or an ``s3://bucket/prefix/``.

    Raises:
        ValidationError: Not a path nor an ``s3://`` prefix, or an ``s3://`` prefix without an S3 client.
    """
    if isinstance(output, str) and output.startswith("s3://"):
        if s3_client is None:
            raise ValidationError("s3_client", "is needed to write to an s3:// output", None)
        return S3Output(output, s3_client)
    if not isinstance(output, (str, os.PathLike)) or not str(output):
        raise ValidationError("output", "must be a directory path or an s3://bucket/prefix/", output)
    directory = Path(output)
    if directory.exists() and not directory.is_dir():
        raise ValidationError("output", "must be a directory, not a file", str(output))
    return LocalOutput(directory)
