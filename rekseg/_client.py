"""The client: start jobs, wait for them, page through their results, retry what is worth retrying."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import botocore.config
import botocore.exceptions
import botocore.session
import tenacity

from ._enums import JobStatus, SegmentType
from ._exceptions import RekSegError, TransportError, ValidationError
from ._job import Job
from ._models import (
    NotificationChannel,
    Segment,
    SegmentDetectionPage,
    SegmentDetectionResult,
    ShotFilter,
    TechnicalCueFilter,
)
from ._paging import iter_pages
from ._policies import PollPolicy, RetryPolicy
from ._requests import VideoLike, check_segment_types, get_params, start_params, to_video
from ._translate import is_retryable, translate
from ._validation import MAX_PAGE_SIZE, check_job_id
from ._waiting import UNSET, Timeout, WaitProgress, wait_for_page
from ._wire import page_from_wire

if TYPE_CHECKING:
    from .notifications import Listener

__all__ = ["Client", "RekognitionAPI"]

log = logging.getLogger("rekseg")

_T = TypeVar("_T")

_START = "StartSegmentDetection"
_GET = "GetSegmentDetection"


class RekognitionAPI(Protocol):
    """The two calls of a botocore or boto3 ``rekognition`` client that rekseg makes."""

    def start_segment_detection(self, **params: Any) -> dict[str, Any]:
        """Start a segment detection job."""

    def get_segment_detection(self, **params: Any) -> dict[str, Any]:
        """Get one page of a job's status and results."""


def _make_boto_client(
    *,
    region_name: str | None,
    endpoint_url: str | None,
    profile_name: str | None,
    botocore_config: botocore.config.Config | None,
) -> RekognitionAPI:
    session = botocore.session.Session(profile=profile_name)
    # rekseg's RetryPolicy is the only retry layer: botocore's own would multiply the attempts.
    ours = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}, user_agent_extra="rekseg")
    config = ours if botocore_config is None else botocore_config.merge(ours)
    client = session.create_client("rekognition", region_name=region_name, endpoint_url=endpoint_url, config=config)
    return cast("RekognitionAPI", client)


class Client:
    """A Rekognition Video segment detection client that speaks in `Segment` objects.

    Args:
        boto_client: An existing botocore or boto3 ``rekognition`` client to wrap. Its own retry
            configuration stays in force *under* rekseg's: each of rekseg's attempts may make up to
            botocore's ``total_max_attempts`` requests, so the worst case is the product of both. Build it
            with ``Config(retries={"total_max_attempts": 1})`` to let `RetryPolicy` alone decide, or pass
            ``retry=RetryPolicy.none()`` to let botocore alone decide.
        region_name: AWS region, when rekseg builds the client.
        endpoint_url: Endpoint, when rekseg builds the client (e.g. `rekseg.testing.Emulator.endpoint_url`).
        profile_name: Named AWS profile, when rekseg builds the client.
        botocore_config: Extra botocore configuration (timeouts, proxies), when rekseg builds the client;
            its retry settings are overridden so that botocore makes one request per rekseg attempt.
        retry: How to retry a call that failed for a passing reason.
        polling: How often to look at a running job, and for how long.

    Raises:
        ConfigurationError: No region could be found.
    """

    def __init__(
        self,
        *,
        boto_client: RekognitionAPI | None = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        profile_name: str | None = None,
        botocore_config: botocore.config.Config | None = None,
        retry: RetryPolicy | None = None,
        polling: PollPolicy | None = None,
    ) -> None:
        if boto_client is not None and (region_name or endpoint_url or profile_name or botocore_config):
            raise ValidationError(
                "boto_client",
                "cannot be combined with region_name=, endpoint_url=, profile_name= or botocore_config= "
                "(those build a client; configure the one you pass instead)",
                boto_client,
            )
        if boto_client is None:
            try:
                boto_client = _make_boto_client(
                    region_name=region_name,
                    endpoint_url=endpoint_url,
                    profile_name=profile_name,
                    botocore_config=botocore_config,
                )
            except botocore.exceptions.BotoCoreError as exc:
                raise translate(exc, operation="CreateClient") from exc
        self._boto = boto_client
        self.retry = retry if retry is not None else RetryPolicy()
        self.polling = polling if polling is not None else PollPolicy()

    @property
    def boto_client(self) -> RekognitionAPI:
        """The wrapped botocore client."""
        return self._boto

    def __repr__(self) -> str:
        meta = getattr(self._boto, "meta", None)
        region = getattr(meta, "region_name", None)
        endpoint = getattr(meta, "endpoint_url", None)
        return f"<rekseg.Client region={region!r} endpoint={endpoint!r}>"

    # -- one call, retried ------------------------------------------------------------------------------

    def _call(
        self,
        operation: str,
        method: Callable[..., dict[str, Any]],
        params: dict[str, Any],
        job_id: str | None,
        required: str,
    ) -> dict[str, Any]:
        policy = self.retry
        stop: tenacity.stop.stop_base = tenacity.stop_after_attempt(policy.attempts)
        if policy.timeout is not None:
            stop = stop | tenacity.stop_after_delay(policy.timeout)
        retrying = tenacity.Retrying(
            stop=stop,
            wait=tenacity.wait_exponential(
                multiplier=policy.wait_initial, max=policy.wait_max, exp_base=policy.wait_exp_base
            )
            + tenacity.wait_random(0, policy.wait_jitter),
            retry=tenacity.retry_if_exception(is_retryable),
            before_sleep=_log_retry,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                try:
                    response = method(**params)
                except Exception as exc:
                    raise translate(exc, operation=operation, job_id=job_id) from exc
                if required not in response:
                    # botocore's JSON parser turns a garbled or truncated 200 body into an empty output
                    # instead of raising: an answer without its essential field is a transport failure.
                    raise TransportError(
                        f"{operation}: the response had no {required} (garbled or truncated body)",
                        operation=operation,
                        job_id=job_id,
                    )
                return response
        raise AssertionError("unreachable: tenacity either returns or reraises")  # pragma: no cover

    def _get_page(self, job_id: str, page_size: int, token: str | None) -> SegmentDetectionPage:
        params = get_params(job_id, page_size, token)
        response = self._call(_GET, self._boto.get_segment_detection, params, job_id, "JobStatus")
        return page_from_wire(response)

    # -- jobs ---------------------------------------------------------------------------------------------

    def start(
        self,
        video: VideoLike,
        *,
        segment_types: Iterable[SegmentType | str] | None = None,
        shot_filter: ShotFilter | None = None,
        technical_cue_filter: TechnicalCueFilter | None = None,
        notification_channel: NotificationChannel | None = None,
        job_tag: str | None = None,
        client_request_token: str | None = None,
    ) -> Job:
        """Start a segment detection job and return it at once.

        Args:
            video: ``s3://bucket/key`` (``?versionId=`` allowed), an `S3Object` or a `Video`.
            segment_types: What to detect; default both, shots first (the order results come in).
            shot_filter: Minimum confidence for shots.
            technical_cue_filter: Minimum confidence and black-frame settings for technical cues.
            notification_channel: SNS topic to tell when the job ends.
            job_tag: Your label for the job, echoed in results and notifications.
            client_request_token: Idempotency token. Starting again with the same token within 7 days
                returns the same job *and publishes no new notification*. When omitted, rekseg sends a fresh
                one so its own retries cannot start a second job.

        Raises:
            ValidationError: Bad input; nothing was sent.
            LimitExceededError: Too many concurrent jobs; raised at once, not retried.
            ServiceError: Any other error the service returned.
        """
        types = check_segment_types(segment_types)
        params = start_params(
            video,
            types=types,
            shot_filter=shot_filter,
            technical_cue_filter=technical_cue_filter,
            notification_channel=notification_channel,
            job_tag=job_tag,
            client_request_token=client_request_token,
        )
        response = self._call(_START, self._boto.start_segment_detection, params, None, "JobId")
        job_id = str(response["JobId"])
        log.info("started segment detection job %s for %s", job_id, to_video(video).s3_object)
        return Job(self, job_id, video=to_video(video), job_tag=job_tag, segment_types=types)

    def job(self, job_id: str) -> Job:
        """Return a handle on an existing job (no request is made)."""
        check_job_id(job_id)
        return Job(self, job_id)

    def status(self, job_id: str) -> JobStatus:
        """Return the job's status with one small GetSegmentDetection call."""
        page = self._get_page(job_id, 1, None)
        if page.job_status is None:
            raise RekSegError(f"GetSegmentDetection for job {job_id} returned no JobStatus")
        return page.job_status

    def wait(
        self,
        job_id: str,
        *,
        timeout: Timeout = UNSET,
        page_size: int = MAX_PAGE_SIZE,
        progress: Callable[[WaitProgress], None] | None = None,
        listener: Listener | None = None,
        fallback_after: float | None = None,
    ) -> SegmentDetectionResult:
        """Wait for the job to end and return its whole result.

        The status call is GetSegmentDetection with ``page_size``, so the call that sees SUCCEEDED is page 1:
        a job of N segments costs polls + ceil(N/page_size) - 1 calls in all.

        With a ``listener`` (a `rekseg.notifications.SqsListener`) it does not poll while a notification can
        arrive: it listens, and checks the job with one call only after ``fallback_after`` seconds of silence
        (a reused ClientRequestToken publishes nothing; messages get lost). Such a wait costs ceil(N/page_size)
        calls plus those fallback polls.

        Args:
            job_id: The job.
            timeout: Seconds to wait; ``None`` waits without bound; default from the `PollPolicy`.
            page_size: Segments per page, 1-1000.
            progress: Called after every status call with a `WaitProgress`.
            listener: Hear the job's completion notification instead of polling.
            fallback_after: With a listener, seconds of silence before one status call (default 180).

        Raises:
            JobFailedError: The job ended FAILED (or its notification said FAILED or ERROR).
            WaitTimeoutError: The timeout passed first; the job goes on running.
        """
        if listener is not None:
            from .notifications._wait import wait_with_listener

            return wait_with_listener(
                self,
                job_id,
                listener=listener,
                timeout=timeout,
                fallback_after=fallback_after,
                page_size=page_size,
                progress=progress,
            )
        first = self._wait_first_page(job_id, timeout=timeout, page_size=page_size, progress=progress)
        return SegmentDetectionResult.from_pages(self._pages_from(job_id, page_size, first))

    def _wait_first_page(
        self, job_id: str, *, timeout: Timeout, page_size: int, progress: Callable[[WaitProgress], None] | None
    ) -> SegmentDetectionPage:
        get_params(job_id, page_size, None)
        return wait_for_page(
            lambda: self._get_page(job_id, page_size, None),
            job_id=job_id,
            policy=self.polling,
            timeout=timeout,
            progress=progress,
        )

    def detect(
        self,
        video: VideoLike,
        *,
        timeout: Timeout = UNSET,
        segment_types: Iterable[SegmentType | str] | None = None,
        shot_filter: ShotFilter | None = None,
        technical_cue_filter: TechnicalCueFilter | None = None,
        notification_channel: NotificationChannel | None = None,
        job_tag: str | None = None,
        client_request_token: str | None = None,
        progress: Callable[[WaitProgress], None] | None = None,
        listener: Listener | None = None,
        fallback_after: float | None = None,
    ) -> SegmentDetectionResult:
        """Start a job, wait for it and return its whole result; see `start` and `wait`."""
        if listener is not None and notification_channel is None:
            raise ValidationError(
                "listener", "needs notification_channel= (without it no notification is sent)", listener
            )
        job = self.start(
            video,
            segment_types=segment_types,
            shot_filter=shot_filter,
            technical_cue_filter=technical_cue_filter,
            notification_channel=notification_channel,
            job_tag=job_tag,
            client_request_token=client_request_token,
        )
        return job.wait(timeout=timeout, progress=progress, listener=listener, fallback_after=fallback_after)

    # -- results ------------------------------------------------------------------------------------------

    def get(self, job_id: str, *, page_size: int = MAX_PAGE_SIZE) -> SegmentDetectionResult:
        """Fetch every page of the job's result and merge them; does not wait for a running job."""
        return SegmentDetectionResult.from_pages(self.pages(job_id, page_size=page_size))

    def pages(
        self,
        job_id: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        starting_token: str | None = None,
        starting_offset: int | None = None,
        max_pages: int | None = None,
    ) -> Iterator[SegmentDetectionPage]:
        """Yield the job's result page by page, following NextToken to the end.

        Resumable: stop after ``max_pages``, keep the last page's ``next_token`` (and how many segments you
        have seen), and continue later with ``starting_token`` (and ``starting_offset``). Tokens live 24
        hours. A token that expires mid-iteration restarts from the first page and skips what was already
        yielded, so nothing is lost or repeated; a resumed iteration can do the same only when given
        ``starting_offset``.

        Raises:
            ValidationError: Bad job id, page size or token; nothing was sent.
            JobNotFoundError: Unknown job, or its results expired (kept 7 days).
            InvalidPaginationTokenError: A token was refused and could not be recovered.
            PaginationError: The service handed back a token already followed.
        """
        get_params(job_id, page_size, starting_token)
        if max_pages is not None and (isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1):
            raise ValidationError("max_pages", "must be an int of at least 1, or None", max_pages)
        if starting_offset is not None and (
            isinstance(starting_offset, bool) or not isinstance(starting_offset, int) or starting_offset < 0
        ):
            raise ValidationError("starting_offset", "must be an int of at least 0, or None", starting_offset)
        return iter_pages(
            lambda token: self._get_page(job_id, page_size, token),
            job_id=job_id,
            starting_token=starting_token,
            starting_offset=starting_offset,
            max_pages=max_pages,
        )

    def _pages_from(self, job_id: str, page_size: int, first: SegmentDetectionPage) -> Iterator[SegmentDetectionPage]:
        return iter_pages(lambda token: self._get_page(job_id, page_size, token), job_id=job_id, first_page=first)

    def segments(
        self,
        job_id: str,
        *,
        segment_types: Iterable[SegmentType | str] | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Segment]:
        """Yield the job's segments in the service's order, holding one page in memory at a time.

        Args:
            job_id: The job.
            segment_types: Yield only these types; default all.
            page_size: Segments per request, 1-1000.
        """
        wanted = None if segment_types is None else frozenset(check_segment_types(segment_types))
        # Validated and built now, so bad input raises at the call, not at the first next().
        pages = self.pages(job_id, page_size=page_size)
        return _segments_of(pages, wanted)


def _segments_of(pages: Iterator[SegmentDetectionPage], wanted: frozenset[SegmentType] | None) -> Iterator[Segment]:
    for page in pages:
        for segment in page.segments or ():
            if wanted is None or segment.type in wanted:
                yield segment


def _log_retry(state: tenacity.RetryCallState) -> None:
    outcome = state.outcome
    exc = outcome.exception() if outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    log.warning("attempt %d failed (%s); retrying in %.2fs", state.attempt_number, exc, wait)
