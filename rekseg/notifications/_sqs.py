"""`SqsListener`: completion notifications read from an SQS queue subscribed to the jobs' SNS topic."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterable, Iterator
from typing import Any, Protocol, cast

import botocore.config
import botocore.exceptions
import botocore.session

from .._calls import boto_config
from .._client import _BotoClients
from .._exceptions import RekSegError
from .._flows.retrying import attempt_timeout
from .._translate import translate
from ._inbox import (
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
from ._listener import Listener, acknowledge_or_warn
from ._parse import CompletionNotification

__all__ = ["MAX_WAIT_TIME_SECONDS", "Listener", "SqsAPI", "SqsListener", "acknowledge_or_warn"]

log = logging.getLogger("rekseg")


class SqsAPI(Protocol):
    """The calls of a botocore or boto3 ``sqs`` client that `SqsListener` makes."""

    def receive_message(self, **params: Any) -> dict[str, Any]:
        """Receive up to ten messages, long-polling."""

    def delete_message(self, **params: Any) -> dict[str, Any]:
        """Delete one message by its receipt handle."""

    def change_message_visibility(self, **params: Any) -> dict[str, Any]:
        """Make a received message visible again (or hide it longer)."""


class SqsListener:
    """Hear completion notifications on an SQS queue subscribed to the jobs' SNS topic.

    Long-polls the queue. A message about a job being waited for stays hidden while the job's result is
    fetched and is deleted only after that (`acknowledge`); if the waiter fails first, it becomes visible again
    when its visibility timeout ends. A message about any other job, or one that is not a notification, is
    handed back for its owner (shared queues are common), hidden a few seconds first so that the next receive
    reaches past it. Each job is reported once even when SNS delivers its message twice, and again only when
    that report was not acknowledged (a failed wait, a loop body that raised), at most every few seconds;
    copies arriving after `acknowledge` are deleted. Each ReceiveMessage ends within the wait: a client rekseg
    builds gets socket timeouts shortened to the time left and no botocore retries of its own.

    On a queue with a redrive policy, every look at a message counts toward its ``maxReceiveCount``: give
    rekseg a queue of its own, or a generous count. A listener remembers what it holds: use one per thread.

    Args:
        queue_url: The queue, as ``https://sqs.REGION.amazonaws.com/ACCOUNT/NAME``.
        sqs_client: An existing botocore or boto3 ``sqs`` client.
        region_name: AWS region, when rekseg builds the client; default the queue URL's region.
        endpoint_url: Endpoint, when rekseg builds the client (e.g. a moto server).
        profile_name: Named AWS profile, when rekseg builds the client.
        botocore_config: Extra botocore configuration, when rekseg builds the client.
        wait_time_seconds: Longest single long poll, 1-20 seconds.

    Raises:
        ValidationError: Bad arguments.
        ConfigurationError: No region could be found.
    """

    def __init__(
        self,
        queue_url: str,
        *,
        sqs_client: SqsAPI | None = None,
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
        self._clients: _BotoClients | None = None
        if sqs_client is None:
            self._clients = _make_sqs_clients(
                queue_url,
                region_name=region_name,
                endpoint_url=endpoint_url,
                profile_name=profile_name,
                botocore_config=botocore_config,
            )
            sqs_client = cast("SqsAPI", self._clients.base)
        self.queue_url = queue_url
        self.wait_time_seconds = wait_time_seconds
        self._sqs = sqs_client
        self._inbox = Inbox(queue_url)

    @property
    def sqs_client(self) -> SqsAPI:
        """The botocore ``sqs`` client in use."""
        return self._sqs

    def __repr__(self) -> str:
        return f"<rekseg.notifications.SqsListener {self.queue_url}>"

    def receive(self, job_ids: Collection[str], *, wait: float) -> list[CompletionNotification]:
        """Listen up to ``wait`` seconds; return as soon as notifications of ``job_ids`` arrive.

        Each job is returned once: its message stays hidden (and further copies are kept with it) until
        `acknowledge` deletes them all. A job returned but not acknowledged (a failed wait, a loop body that
        raised) is returned again by a later receive that wants it, at most every few seconds. Messages of
        other jobs are handed back, visible again after a few seconds. Each ReceiveMessage ends within the
        wait (with a client rekseg built; a handed-in client keeps its own socket timeouts).

        Args:
            job_ids: The jobs being waited for.
            wait: Seconds to listen at most (a deadline: a wait under one second is a short poll, then a pause).

        Raises:
            ValidationError: ``wait`` is not a non-negative number.
            ServiceError: SQS refused a call (no such queue, access denied...), with its code and request id.
            TransportError: No usable answer from SQS.
        """
        flow = receive_flow(
            self._inbox,
            job_ids,
            wait=wait,
            wait_time_seconds=self.wait_time_seconds,
            clock=time.monotonic,
            call_timeout=_as_is if self._clients is None else attempt_timeout,
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
                    answer = self._receive(command)
                elif isinstance(command, Settle):
                    for receipt in command.delete:
                        self._delete(receipt)
                    for receipt, message_id, seconds in command.hand_back:
                        self._hand_back(receipt, message_id, seconds)
                else:
                    time.sleep(command.seconds)
            except RekSegError as exc:  # the flow decides: retried while the wait lasts, or raised
                failed = exc

    def acknowledge(self, job_id: str) -> None:
        """Delete every copy held of the job's notification; copies that arrive later are deleted on sight.

        Raises:
            ServiceError: SQS refused a delete for another reason than a stale receipt handle.
        """
        for receipt in self._inbox.acknowledge(job_id):
            self._delete(receipt)

    def completions(self, job_ids: Iterable[str], *, timeout: float | None) -> Iterator[CompletionNotification]:
        """Yield the notifications of ``job_ids`` as the jobs end, each job once.

        A message is deleted only when the loop asks for the next notification, that is after you acted on
        the one yielded; if you stop early or raise, it becomes visible again after its visibility timeout.
        The iteration ends when every job has reported, or when ``timeout`` seconds have passed (compare what
        you got with what you asked for: jobs whose message was lost need `rekseg.Client.status`).

        Args:
            job_ids: The jobs.
            timeout: Seconds to listen in all; ``None`` listens until every job has reported.

        Raises:
            ValidationError: ``timeout`` is not a positive number or ``None``.
            ServiceError: SQS refused a call.
        """
        limit = check_completions_timeout(timeout)
        pending = set(job_ids_of(job_ids))
        return self._completions(pending, limit)

    def _completions(self, pending: set[str], timeout: float | None) -> Iterator[CompletionNotification]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while pending:
            wait = completions_wait(deadline, self.wait_time_seconds, time.monotonic())
            if wait is None:
                log.info("stopped listening after %.1fs; %d job(s) did not report", timeout, len(pending))
                return
            for notification in self.receive(pending, wait=wait):
                pending.discard(notification.job_id)
                yield notification
                acknowledge_or_warn(self, notification.job_id)

    # -- internals ---------------------------------------------------------------------------------------

    def _receive(self, command: Receive) -> list[dict[str, Any]]:
        # A client rekseg built is used with socket timeouts shortened to the call's time limit; one handed in
        # keeps its own (rekseg cannot shorten them).
        sqs = self._sqs if self._clients is None else cast("SqsAPI", self._clients.within(command.timeout))
        response = self._call(
            "ReceiveMessage",
            sqs.receive_message,
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=MAX_MESSAGES,
            WaitTimeSeconds=command.seconds,
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def _hand_back(self, receipt: str, message_id: str, seconds: int) -> None:
        try:
            self._call(
                "ChangeMessageVisibility",
                self._sqs.change_message_visibility,
                QueueUrl=self.queue_url,
                ReceiptHandle=receipt,
                VisibilityTimeout=seconds,
            )
        except Exception as exc:  # noqa: BLE001 -- the message reappears anyway when its visibility timeout ends
            log.warning(
                "could not hand message %s back to the queue (%s); it reappears after its visibility timeout",
                message_id,
                exc,
            )

    def _delete(self, receipt: str) -> None:
        try:
            self._sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=receipt)
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
    def _call(operation: str, method: Any, **params: Any) -> dict[str, Any]:
        try:
            return cast("dict[str, Any]", method(**params))
        except Exception as exc:
            raise translate(exc, operation=operation) from exc


def _make_sqs_clients(
    queue_url: str,
    *,
    region_name: str | None,
    endpoint_url: str | None,
    profile_name: str | None,
    botocore_config: botocore.config.Config | None,
) -> _BotoClients:
    """Build the ``sqs`` client (and, on demand, siblings with shorter socket timeouts), botocore's retries off."""
    region_name = region_of(queue_url, region_name)
    # A long poll holds the connection for up to 20 seconds: the read timeout must be longer.
    ours = botocore.config.Config(read_timeout=MAX_WAIT_TIME_SECONDS + 40)
    config = boto_config(ours if botocore_config is None else ours.merge(botocore_config))
    try:
        session = botocore.session.Session(profile=profile_name)
        return _BotoClients(session, config, region_name=region_name, endpoint_url=endpoint_url, service="sqs")
    except botocore.exceptions.BotoCoreError as exc:
        raise translate(exc, operation="CreateClient") from exc


def _as_is(seconds: float) -> float:
    return seconds
