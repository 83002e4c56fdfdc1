"""The emulated service: request validation, the job lifecycle, pagination and completion notifications.

Transport-free: the HTTP layer hands it an operation name and the decoded JSON body and gets back a response
dict or a `ServiceFailure`. All state sits behind one lock; segments are rendered outside it.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from .._enums import JobStatus, SegmentType
from .._exceptions import ValidationError
from .._validation import (
    MAX_PAGE_SIZE,
    check_bucket,
    check_job_id,
    check_job_tag,
    check_length,
    check_number,
    check_object_name,
    check_request_token,
    check_role_arn,
    check_sns_topic_arn,
)
from ._content import Selection, VideoSource

__all__ = ["MAX_JOBS", "MAX_PAGE_TOKENS", "NOTIFICATION_API", "JobState", "Notice", "Service", "ServiceFailure"]

NOTIFICATION_API: Final = "StartSegmentDetection"
"""The ``API`` field of completion notifications."""
_KNOWN_TYPES: Final = {kind.value: kind for kind in (SegmentType.TECHNICAL_CUE, SegmentType.SHOT)}
_BAD_TOKEN: Final = "Invalid Token"  # noqa: S105 -- a message, not a secret
MAX_JOBS: Final = 10_000
"""Jobs remembered; past it the oldest ended job is forgotten (Get: ResourceNotFound), as results expire."""
MAX_PAGE_TOKENS: Final = 100_000
"""NextTokens remembered; past it the oldest is forgotten (InvalidPaginationToken), as tokens expire."""


class ServiceFailure(Exception):
    """An error answer: the ``__type`` code, its message and the HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def _invalid(error: ValidationError) -> ServiceFailure:
    return ServiceFailure("InvalidParameterException", f"Request has invalid parameters: {error}")


@attrs.frozen
class JobState:
    """A snapshot of one job, as `Emulator.jobs` shows it.

    Attributes:
        job_id: The JobId handed out by StartSegmentDetection.
        status: ``IN_PROGRESS``, ``SUCCEEDED`` or ``FAILED``.
        polls: How many GetSegmentDetection calls reached it.
        video: The video as an ``s3://bucket/key`` URI.
        params: The StartSegmentDetection request, as sent.
        status_message: Why it failed.
        expired: Whether its results are gone (`Emulator.expire_job`).
    """

    job_id: str
    status: JobStatus
    polls: int
    video: str
    params: Mapping[str, Any]
    status_message: str | None = None
    expired: bool = False


@attrs.define
class _Job:
    job_id: str
    uri: str
    params: dict[str, Any]
    source: VideoSource
    types: tuple[SegmentType, ...]
    thresholds: dict[SegmentType, float]
    echo: dict[str, Any]
    status: JobStatus = JobStatus.IN_PROGRESS
    status_message: str | None = None
    polls: int = 0
    deadline: float | None = None
    expired: bool = False
    notified: bool = False
    repeats: int = 0
    selection: Selection | None = None
    request_token: str | None = None

    def snapshot(self) -> JobState:
        return JobState(
            job_id=self.job_id,
            status=self.status,
            polls=self.polls,
            video=self.uri,
            params=MappingProxyType(self.params),
            status_message=self.status_message,
            expired=self.expired,
        )


@attrs.frozen
class _PageToken:
    job_id: str
    offset: int


@attrs.frozen
class Notice:
    """A completion notification to publish: the topic and the message."""

    topic_arn: str
    message: dict[str, Any]


@attrs.frozen
class _StartRequest:
    uri: str
    types: tuple[SegmentType, ...]
    thresholds: dict[SegmentType, float]
    echo: dict[str, Any]
    token: str | None


def _mapping(field: str, value: object, *, required: bool = False) -> Mapping[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(field, "must be an object", value)
    return value


def _check_video(params: Mapping[str, Any]) -> dict[str, Any]:
    s3 = _mapping(
        "Video.S3Object", _mapping("Video", params.get("Video"), required=True).get("S3Object"), required=True
    )
    # Any: the checks reject what is not a string.
    bucket: Any = s3.get("Bucket")
    name: Any = s3.get("Name")
    version: Any = s3.get("Version")
    check_bucket(bucket, "Video.S3Object.Bucket")
    check_object_name(name, "Video.S3Object.Name")
    if version is not None:
        check_length("Video.S3Object.Version", version, 1, 1024)
    return dict(s3)


def _check_filters(params: Mapping[str, Any]) -> dict[SegmentType, float]:
    filters = _mapping("Filters", params.get("Filters"))
    cue = _mapping("Filters.TechnicalCueFilter", filters.get("TechnicalCueFilter"))
    shot = _mapping("Filters.ShotFilter", filters.get("ShotFilter"))
    thresholds: dict[SegmentType, float] = {}
    for key, part, kind in (
        ("TechnicalCueFilter", cue, SegmentType.TECHNICAL_CUE),
        ("ShotFilter", shot, SegmentType.SHOT),
    ):
        low = part.get("MinSegmentConfidence")
        if low is not None:
            check_number(f"Filters.{key}.MinSegmentConfidence", low, 50, 100)
            thresholds[kind] = float(low)
    black = _mapping("Filters.TechnicalCueFilter.BlackFrame", cue.get("BlackFrame"))
    for key, high in (("MaxPixelThreshold", 1), ("MinCoveragePercentage", 100)):
        if black.get(key) is not None:
            check_number(f"Filters.TechnicalCueFilter.BlackFrame.{key}", black[key], 0, high)
    return thresholds


def _check_types(params: Mapping[str, Any]) -> tuple[SegmentType, ...]:
    raw = params.get("SegmentTypes")
    if not isinstance(raw, list) or not raw:
        raise ValidationError("SegmentTypes", "must hold at least one of TECHNICAL_CUE and SHOT", raw)
    types: list[SegmentType] = []
    for value in raw:
        kind = _KNOWN_TYPES.get(value) if isinstance(value, str) else None
        if kind is None:
            raise ValidationError("SegmentTypes", "must hold only TECHNICAL_CUE and SHOT", value)
        if kind not in types:
            types.append(kind)
    return tuple(types)


def _check_start(params: Mapping[str, Any]) -> _StartRequest:
    s3 = _check_video(params)
    token: Any = params.get("ClientRequestToken")
    if token is not None:
        check_request_token(token, "ClientRequestToken")
    channel = _mapping("NotificationChannel", params.get("NotificationChannel"))
    if channel:
        topic: Any = channel.get("SNSTopicArn")
        role: Any = channel.get("RoleArn")
        check_sns_topic_arn(topic, "NotificationChannel.SNSTopicArn")
        check_role_arn(role, "NotificationChannel.RoleArn")
    tag: Any = params.get("JobTag")
    if tag is not None:
        check_job_tag(tag, "JobTag")
    thresholds = _check_filters(params)
    types = _check_types(params)
    echo: dict[str, Any] = {"Video": {"S3Object": s3}}
    if tag is not None:
        echo["JobTag"] = tag
    return _StartRequest(
        uri=f"s3://{s3['Bucket']}/{s3['Name']}", types=types, thresholds=thresholds, echo=echo, token=token
    )


def _check_get(params: Mapping[str, Any]) -> tuple[str, int, str | None]:
    job_id: Any = params.get("JobId")
    check_job_id(job_id, "JobId")
    size = params.get("MaxResults", MAX_PAGE_SIZE)
    check_number("MaxResults", size, 1)
    if not isinstance(size, int):
        raise ValidationError("MaxResults", "must be an integer", size)
    token = params.get("NextToken")
    if token is not None:
        check_length("NextToken", token, 0, 255)
    return str(job_id), min(size, MAX_PAGE_SIZE), token


@attrs.define
class _Page:
    """What a Get call answers, everything but the segments decided under the lock."""

    body: dict[str, Any]
    tail: dict[str, Any]
    job: _Job | None = None
    start: int = 0
    stop: int = 0


class Service:
    """The emulated StartSegmentDetection and GetSegmentDetection, with the hooks tests script it by."""

    def __init__(
        self,
        *,
        polls_to_complete: int,
        seconds_to_complete: float | None,
        job_limit: int,
        model_version: str,
        publish: Callable[[Notice], None],
    ) -> None:
        self.polls_to_complete = polls_to_complete
        self.seconds_to_complete = seconds_to_complete
        self.job_limit = job_limit
        self.model_version = model_version
        self.empty_final_token = False
        self._publish = publish
        self._lock = threading.Lock()
        self._videos: dict[str, VideoSource] = {}
        self._jobs: dict[str, _Job] = {}
        self._by_request_token: dict[str, tuple[str, str]] = {}
        self._page_tokens: dict[str, _PageToken] = {}
        self._timers: list[threading.Timer] = []
        self._closed = False

    # -- content and inspection ----------------------------------------------------------------------------

    def add_video(self, uri: str, source: VideoSource) -> None:
        with self._lock:
            self._videos[uri] = source

    def jobs(self) -> Mapping[str, JobState]:
        with self._lock:
            return MappingProxyType({job_id: job.snapshot() for job_id, job in self._jobs.items()})

    def close(self) -> None:
        with self._lock:
            self._closed = True
            timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()

    # -- operations ----------------------------------------------------------------------------------------

    def handle(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Answer one request; raises `ServiceFailure` for an error answer."""
        if operation == "StartSegmentDetection":
            return self.start(params)
        if operation == "GetSegmentDetection":
            return self.get(params)
        raise ServiceFailure("UnknownOperationException", f"Unknown operation {operation!r}")

    def start(self, params: Mapping[str, Any]) -> dict[str, Any]:
        try:
            request = _check_start(params)
        except ValidationError as exc:
            raise _invalid(exc) from None
        notices: list[Notice] = []
        try:
            with self._lock:
                job_id = self._create(request, json.dumps(params, sort_keys=True), notices)
        finally:
            # Jobs found out of time while Start looked announce themselves even when Start fails.
            self._send(notices)
        return {"JobId": job_id}

    def _create(self, request: _StartRequest, fingerprint: str, notices: list[Notice]) -> str:
        if request.token is not None and request.token in self._by_request_token:
            known_fingerprint, job_id = self._by_request_token[request.token]
            if known_fingerprint != fingerprint:
                raise ServiceFailure(
                    "IdempotentParameterMismatchException",
                    "ClientRequestToken was used before with different parameters.",
                )
            return job_id
        source = self._videos.get(request.uri)
        if source is None:
            raise ServiceFailure(
                "InvalidS3ObjectException",
                "Unable to get object metadata from S3. Check object key, region and/or access permissions.",
            )
        self._refresh(notices)
        running = sum(job.status == JobStatus.IN_PROGRESS for job in self._jobs.values())
        if running >= self.job_limit:
            raise ServiceFailure("LimitExceededException", f"{running} jobs are in progress; the limit is reached.")
        if len(self._jobs) >= MAX_JOBS:
            self._forget_oldest_ended()
        job = _Job(
            job_id=secrets.token_hex(32),
            uri=request.uri,
            params=json.loads(fingerprint),
            source=source,
            types=request.types,
            thresholds=request.thresholds,
            echo=request.echo,
            request_token=request.token,
        )
        self._jobs[job.job_id] = job
        if request.token is not None:
            self._by_request_token[request.token] = (fingerprint, job.job_id)
        if self.seconds_to_complete is not None:
            job.deadline = time.monotonic() + self.seconds_to_complete
            self._schedule(job.job_id, self.seconds_to_complete)
        elif self.polls_to_complete <= 0:
            self._end(job, source.final_status, source.status_message, notices)
        return job.job_id

    def get(self, params: Mapping[str, Any]) -> dict[str, Any]:
        try:
            job_id, size, token = _check_get(params)
        except ValidationError as exc:
            raise _invalid(exc) from None
        with self._lock:
            known = self._jobs.get(job_id)
        if known is not None and known.selection is None:
            # Chosen outside the lock: a synthetic plan of a million shots takes a while to build.
            known.selection = known.source.select(known.types, known.thresholds)
        notices: list[Notice] = []
        with self._lock:
            page = self._page(job_id, size, token, notices)
        self._send(notices)
        body = page.body
        job = page.job
        if job is not None:
            selection = self._selection(job)
            body.update(selection.header)
            body["Segments"] = selection.render(page.start, page.stop)
            body.update(page.tail)
        return body

    def _page(self, job_id: str, size: int, token: str | None, notices: list[Notice]) -> _Page:
        job = self._jobs.get(job_id)
        if job is None or job.expired:
            raise ServiceFailure("ResourceNotFoundException", "Requested resource not found.")
        issued = None if token is None else self._page_tokens.get(token)
        if token is not None and (issued is None or issued.job_id != job_id):
            raise ServiceFailure("InvalidPaginationTokenException", _BAD_TOKEN)
        job.polls += 1
        if job.status == JobStatus.IN_PROGRESS:
            due = job.deadline is not None and time.monotonic() >= job.deadline
            if due or (job.deadline is None and job.polls > self.polls_to_complete):
                self._end(job, job.source.final_status, job.source.status_message, notices)
        body: dict[str, Any] = {"JobStatus": job.status.value}
        if job.status != JobStatus.SUCCEEDED:
            if job.status_message is not None:
                body["StatusMessage"] = job.status_message
            body["JobId"] = job.job_id
            body.update(job.echo)
            return _Page(body=body, tail={})
        versions = job.source.model_versions
        tail: dict[str, Any] = {
            "SelectedSegmentTypes": [
                {"Type": kind.value, "ModelVersion": versions.get(kind.value, self.model_version)} for kind in job.types
            ],
            "JobId": job.job_id,
        }
        tail.update(job.echo)
        start = 0 if issued is None else issued.offset
        count = self._selection(job).count
        stop = min(start + size, count)
        if token is not None and job.repeats > 0:
            job.repeats -= 1
            body["NextToken"] = token
        elif stop < count:
            body["NextToken"] = self._issue(job.job_id, stop)
        elif self.empty_final_token:
            body["NextToken"] = ""
        return _Page(body=body, tail=tail, job=job, start=start, stop=stop)

    @staticmethod
    def _selection(job: _Job) -> Selection:
        selection = job.selection
        if selection is None:
            selection = job.selection = job.source.select(job.types, job.thresholds)
        return selection

    def _issue(self, job_id: str, offset: int) -> str:
        if len(self._page_tokens) >= MAX_PAGE_TOKENS:
            del self._page_tokens[next(iter(self._page_tokens))]
        token = secrets.token_urlsafe(48)
        self._page_tokens[token] = _PageToken(job_id=job_id, offset=offset)
        return token

    # -- lifecycle -----------------------------------------------------------------------------------------

    def _end(self, job: _Job, status: JobStatus, message: str | None, notices: list[Notice]) -> None:
        job.status = status
        job.status_message = message if status == JobStatus.FAILED else None
        job.deadline = None
        if job.notified:
            return
        job.notified = True
        channel = job.params.get("NotificationChannel")
        if not channel:
            return
        s3 = job.echo["Video"]["S3Object"]
        message_body: dict[str, Any] = {
            "JobId": job.job_id,
            "Status": status.value,
            "API": NOTIFICATION_API,
            "Timestamp": int(time.time() * 1000),
            "Video": {"S3ObjectName": s3.get("Name"), "S3Bucket": s3.get("Bucket")},
        }
        if "JobTag" in job.echo:
            message_body["JobTag"] = job.echo["JobTag"]
        notices.append(Notice(topic_arn=channel["SNSTopicArn"], message=message_body))

    def _refresh(self, notices: list[Notice]) -> None:
        now = time.monotonic()
        for job in self._jobs.values():
            if job.status == JobStatus.IN_PROGRESS and job.deadline is not None and now >= job.deadline:
                self._end(job, job.source.final_status, job.source.status_message, notices)

    def _forget_oldest_ended(self) -> None:
        # Jobs are kept in start order; the running ones (at most job_limit) are never forgotten.
        oldest = next((job for job in self._jobs.values() if job.status != JobStatus.IN_PROGRESS), None)
        if oldest is None:
            return
        del self._jobs[oldest.job_id]
        if oldest.request_token is not None:
            self._by_request_token.pop(oldest.request_token, None)

    def _schedule(self, job_id: str, seconds: float) -> None:
        timer = threading.Timer(seconds, self._due, (job_id,))
        timer.daemon = True
        self._timers = [t for t in self._timers if t.is_alive()]
        self._timers.append(timer)
        timer.start()

    def _due(self, job_id: str) -> None:
        notices: list[Notice] = []
        with self._lock:
            job = self._jobs.get(job_id)
            if self._closed or job is None or job.status != JobStatus.IN_PROGRESS:
                return
            self._end(job, job.source.final_status, job.source.status_message, notices)
        self._send(notices)

    def _send(self, notices: Iterable[Notice]) -> None:
        for notice in notices:
            self._publish(notice)

    # -- hooks ---------------------------------------------------------------------------------------------

    def _job(self, job_id: str) -> _Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise KeyError(f"no job {job_id!r}")
        return job

    def finish(self, job_id: str, status: JobStatus, message: str | None = None) -> None:
        notices: list[Notice] = []
        with self._lock:
            self._end(self._job(job_id), status, message, notices)
        self._send(notices)

    def expire_job(self, job_id: str) -> None:
        with self._lock:
            self._job(job_id).expired = True

    def expire_tokens(self, job_id: str | None) -> None:
        with self._lock:
            if job_id is None:
                self._page_tokens.clear()
            else:
                self._job(job_id)
                self._page_tokens = {k: v for k, v in self._page_tokens.items() if v.job_id != job_id}

    def repeat_token(self, job_id: str, times: int) -> None:
        with self._lock:
            self._job(job_id).repeats += times
