"""What `rekseg.Client.wait` needs of a listener, kept apart from `SqsListener`.

The client's wait imports this module only, so `SqsListener` may import the client's helpers without a circle.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Protocol

from .._exceptions import RekSegError
from ._parse import CompletionNotification

__all__ = ["Listener", "acknowledge_or_warn"]

log = logging.getLogger("rekseg")


class Listener(Protocol):
    """What `rekseg.Client.wait` needs of a listener: hear completions, and be told when one was acted on."""

    def receive(self, job_ids: Collection[str], *, wait: float) -> list[CompletionNotification]:
        """Return notifications of ``job_ids`` that arrive within ``wait`` seconds, each job at most once."""

    def acknowledge(self, job_id: str) -> None:
        """Forget the job's notification for good (it was acted on): delete every copy held or arriving later."""


def acknowledge_or_warn(listener: Listener, job_id: str) -> None:
    """Acknowledge a job whose completion was acted on; a failure is logged, not raised.

    The work is done by then (a result fetched, a loop body run): losing it over a failed delete would be worse
    than the message coming back, and a copy that comes back is deleted on sight.
    """
    try:
        listener.acknowledge(job_id)
    except RekSegError as exc:
        log.warning("could not delete the notification of job %s (%s); it will be deleted when seen again", job_id, exc)
