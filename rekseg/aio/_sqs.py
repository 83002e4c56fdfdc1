"""`AsyncSqsListener`: completion notifications read from an SQS queue with aiobotocore."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Collection, Iterable
from types import TracebackType
from typing import Any, Protocol, cast

import botocore.config
import botocore.exceptions

from .._calls import boto_config
from .._exceptions import ClientClosedError, RekSegError
from .._translate import translate
from ..notifications._inbox import (
    MAX_MESSAGES,
    MAX_WAIT_TIME_SECONDS,
    Inbox,
    Receive,
    Settle,
    check_completions_timeout,
    check_listener_settings,
    completions_wait,
    job_ids_of,
    receive_flow,
    region_of,
)
from ..notifications._parse import CompletionNotification
from ._build import enter_built, make_builder
from ._client import _bounded
from ._listener import AsyncListener, acknowledge_or_warn

__all__ = ["AsyncListener", "AsyncSqsAPI", "AsyncSqsListener", "acknowledge_or_warn"]

log = logging.getLogger("rekseg")


class AsyncSqsAPI(Protocol):
    """The calls of an aiobotocore ``sqs`` client that `AsyncSqsListener` makes."""

    async def receive_message(self, **params: Any) -> dict[str, Any]:
        """Receive up to ten messages, long-polling."""

    async def delete_message(self, **params: Any) -> dict[str, Any]:
        """Delete one message by its receipt handle."""

    async def change_message_visibility(self, **params: Any) -> dict[str, Any]:
        """Make a received message visible again (or hide it longer)."""


class AsyncSqsListener:
    """The asyncio twin of `rekseg.notifications.SqsListener`: the same arguments and rules, on aiobotocore.

    Long-polls the queue. A message about a job being waited for stays hidden while the job's result is fetched
    and is deleted only after that (`acknowledge`); a message about any other job, or one that is not a
    notification, is handed back for its owner (hidden a few seconds first); a job is reported again only when
    its report was not acknowledged (a cancelled wait), at most every few seconds. Each ReceiveMessage is cut
    off at the end of the wait. Use it in an
    ``async with`` block, or ``await`` `close`, to close the connections of the client it builds. Cancelling a
    task that listens stops the long poll at once and drops its connection.

    Args:
        queue_url: The queue, as ``https://sqs.REGION.amazonaws.com/ACCOUNT/NAME``.
        sqs_client: An existing aiobotocore ``sqs`` client (already entered); left open by `close`.
        region_name: AWS region, when rekseg builds the client; default the queue URL's region.
        endpoint_url: Endpoint, when rekseg builds the client (e.g. a moto server).
        profile_name: Named AWS profile, when rekseg builds the client.
        botocore_config: Extra botocore configuration, when rekseg builds the client.
        wait_time_seconds: Longest single long poll, 1-20 seconds.

    Raises:
        ValidationError: Bad arguments.
        ConfigurationError: No region could be found.
        ModuleNotFoundError: rekseg must build the client and aiobotocore is not installed.
    """

    def __init__(
        self,
        queue_url: str,
        *,
        sqs_client: AsyncSqsAPI | None = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        profile_name: str | None = None,
        botocore_config: botocore.config.Config | None = None,
        wait_time_seconds: int = MAX_WAIT_TIME_SECONDS,
    ) -> None:
        check_listener_settings(
            queue_url,
            wait_time_seconds,
            sqs_client=sqs_client,
            build_settings=bool(region_name or endpoint_url or profile_name or botocore_config),
        )
        self.queue_url = queue_url
        self.wait_time_seconds = wait_time_seconds
        self._sqs: AsyncSqsAPI | None = sqs_client
        self._owned: Any = None
        self._build: Any = None
        if sqs_client is None:
            # A long poll holds the connection for up to 20 seconds: the read timeout must be longer.
            ours = botocore.config.Config(read_timeout=MAX_WAIT_TIME_SECONDS + 40)
            # botocore's own retries off: the receive flow decides what is retried, within the wait.
            config = boto_config(ours if botocore_config is None else ours.merge(botocore_config))
            self._build = make_builder(
                region_of(queue_url, region_name), endpoint_url, profile_name, config, service="sqs"
            )
        self._lock: asyncio.Lock | None = None
        self._closed = False
        self._inbox = Inbox(queue_url)

    @property
    def sqs_client(self) -> AsyncSqsAPI | None:
        """The aiobotocore ``sqs`` client in use (``None`` until rekseg has built the one it builds)."""
        return self._sqs

    def __repr__(self) -> str:
        return f"<rekseg.aio.AsyncSqsListener {self.queue_url}>"

    # -- lifecycle ----------------------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the connections of the client rekseg built (one you handed in is left open); safe to repeat."""
        if self._closed:
            return
        self._closed = True
        owned, self._owned = self._owned, None
        if owned is not None:
            await owned.close()

    @property
    def closed(self) -> bool:
        """Whether `close` was called."""
        return self._closed

    async def __aenter__(self) -> AsyncSqsListener:
        await self._api()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _api(self) -> AsyncSqsAPI:
        if self._closed:
            raise ClientClosedError
        if self._sqs is not None:
            return self._sqs
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._sqs is None:
                self._sqs = self._owned = await enter_built(self._build, closed=lambda: self.closed)
        assert self._sqs is not None
        return self._sqs

    # -- listening ----------------------------------------------------------------------------------------

    async def receive(self, job_ids: Collection[str], *, wait: float) -> list[CompletionNotification]:
        """Listen up to ``wait`` seconds; return as soon as notifications of ``job_ids`` arrive.

        See `rekseg.notifications.SqsListener.receive`.

        Raises:
            ValidationError: ``wait`` is not a non-negative number.
            ServiceError: SQS refused a call (no such queue, access denied...), with its code and request id.
            TransportError: No usable answer from SQS.
        """
        flow = receive_flow(
            self._inbox, job_ids, wait=wait, wait_time_seconds=self.wait_time_seconds, clock=time.monotonic
        )
        answer: list[dict[str, Any]] | None = None
        failed: RekSegError | None = None
        while True:
            try:
                command = flow.send(answer) if failed is None else flow.throw(failed)
            except StopIteration as done:
                found: list[CompletionNotification] = done.value
                return found
            answer, failed = None, None
            try:
                if isinstance(command, Receive):
                    answer = await self._receive(command)
                elif isinstance(command, Settle):
                    for receipt in command.delete:
                        await self._delete(receipt)
                    for receipt, message_id, seconds in command.hand_back:
                        await self._hand_back(receipt, message_id, seconds)
                else:
                    await asyncio.sleep(command.seconds)
            except RekSegError as exc:  # the flow decides: retried while the wait lasts, or raised
                failed = exc

    async def acknowledge(self, job_id: str) -> None:
        """Delete every copy held of the job's notification; copies that arrive later are deleted on sight.

        Raises:
            ServiceError: SQS refused a delete for another reason than a stale receipt handle.
        """
        for receipt in self._inbox.acknowledge(job_id):
            await self._delete(receipt)

    def completions(self, job_ids: Iterable[str], *, timeout: float | None) -> AsyncIterator[CompletionNotification]:
        """Yield the notifications of ``job_ids`` as the jobs end, each job once; see `SqsListener.completions`.

        A message is deleted only when the loop asks for the next notification, that is after you acted on the
        one yielded. The iteration ends when every job has reported, or when ``timeout`` seconds have passed.

        Raises:
            ValidationError: ``timeout`` is not a positive number or ``None``.
            ServiceError: SQS refused a call.
        """
        limit = check_completions_timeout(timeout)
        pending = set(job_ids_of(job_ids))
        return self._completions(pending, limit)

    async def _completions(self, pending: set[str], timeout: float | None) -> AsyncIterator[CompletionNotification]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while pending:
            wait = completions_wait(deadline, self.wait_time_seconds, time.monotonic())
            if wait is None:
                log.info("stopped listening after %.1fs; %d job(s) did not report", timeout, len(pending))
                return
            for notification in await self.receive(pending, wait=wait):
                pending.discard(notification.job_id)
                yield notification
                await acknowledge_or_warn(self, notification.job_id)

    # -- internals ---------------------------------------------------------------------------------------

    async def _receive(self, command: Receive) -> list[dict[str, Any]]:
        sqs = await self._api()
        call = self._call(
            "ReceiveMessage",
            sqs.receive_message,
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=MAX_MESSAGES,
            WaitTimeSeconds=command.seconds,
        )
        # Cut off at the call's time limit, as the client's Rekognition calls are, whatever the socket timeouts.
        response = await _bounded(call, time.monotonic() + command.timeout, "ReceiveMessage", None)
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    async def _hand_back(self, receipt: str, message_id: str, seconds: int) -> None:
        sqs = await self._api()
        try:
            await self._call(
                "ChangeMessageVisibility",
                sqs.change_message_visibility,
                QueueUrl=self.queue_url,
                ReceiptHandle=receipt,
                VisibilityTimeout=seconds,
            )
        except RekSegError as exc:  # the message reappears anyway when its visibility timeout ends
            log.warning(
                "could not hand message %s back to the queue (%s); it reappears after its visibility timeout",
                message_id,
                exc,
            )

    async def _delete(self, receipt: str) -> None:
        sqs = await self._api()
        try:
            await sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=receipt)
        except botocore.exceptions.ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if "ReceiptHandleIsInvalid" in code:
                # A handle from an earlier delivery of a message received again since: SQS keeps only the newest.
                log.debug("stale receipt handle on %s: %s", self.queue_url, code)
                return
            raise translate(exc, operation="DeleteMessage") from exc
        except Exception as exc:
            raise translate(exc, operation="DeleteMessage") from exc

    @staticmethod
    async def _call(operation: str, method: Any, **params: Any) -> dict[str, Any]:
        try:
            return cast("dict[str, Any]", await method(**params))
        except Exception as exc:
            raise translate(exc, operation=operation) from exc
