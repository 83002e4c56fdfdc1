"""What `rekseg.aio.AsyncClient.wait` needs of a listener, kept apart from `AsyncSqsListener`.

The client's wait imports this module only, so `AsyncSqsListener` may import the client's helpers without a
circle.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Protocol

from .._exceptions import RekSegError
from ..notifications._parse import CompletionNotification

__all__ = ["AsyncListener", "acknowledge_or_warn"]

log = logging.getLogger("rekseg")


class AsyncListener(Protocol):
    """What `rekseg.aio.AsyncClient.wait` needs of a listener: the async twin of `rekseg.notifications.Listener`."""

    async def receive(self, job_ids: Collection[str], *, wait: float) -> list[CompletionNotification]:
        """Return notifications of ``job_ids`` that arrive within ``wait`` seconds, each job at most once."""

    async def acknowledge(self, job_id: str) -> None:
        """Forget the job's notification for good (it was acted on): delete every copy held or arriving later."""


async def acknowledge_or_warn(listener: AsyncListener, job_id: str) -> None:
    """Acknowledge a job whose completion was acted on; a failure is logged, not raised (see the sync twin)."""
    try:
        await listener.acknowledge(job_id)
    except RekSegError as exc:
        log.warning("could not delete the notification of job %s (%s); it will be deleted when seen again", job_id, exc)
