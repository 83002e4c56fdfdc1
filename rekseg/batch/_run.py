"""`run`: the batch driver. It makes the calls and the writes; `_state` decides what each video needs next."""

from __future__ import annotations

import collections
import contextlib
import itertools
import logging
import math
import os
import random
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import timedelta
from typing import Any, Final, Protocol

from .._client import Client
from .._exceptions import JobInProgressError, RekSegError, ValidationError
from .._requests import StartOptions
from .._results import SegmentDetectionPage, SegmentDetectionResult
from .._validation import check_timeout
from ._items import BatchItem, Videos, collect_items
from ._output import LocalOutput, S3Output, check_formats, make_output
from ._report import BatchCounts, BatchEvent, BatchReport
from ._state import (
    CapacityGate,
    FailureKind,
    ItemRecord,
    ItemState,
    classify,
    is_claimable,
    owner_parts,
)
from ._store import SqliteStore, Store, StoreConflictError

__all__ = [
    "DEFAULT_CAPACITY_TIMEOUT",
    "DEFAULT_JOB_TIMEOUT",
    "DEFAULT_LEASE",
    "DEFAULT_MAX_JOBS",
    "DEFAULT_POLL_RATE",
    "DEFAULT_STORE_NAME",
    "LISTENER_FALLBACK",
    "CompletionListener",
    "run",
]

log = logging.getLogger("rekseg")

DEFAULT_MAX_JOBS: Final = 20
"""Jobs in progress at once: the service's default quota per account."""
DEFAULT_POLL_RATE: Final = 2.0
"""GetSegmentDetection status calls per second, shared by all the running jobs of one worker."""
DEFAULT_LEASE: Final = 120.0
"""Seconds a worker's hold on a video lasts unless renewed; a dead worker's videos are taken over after it."""
DEFAULT_JOB_TIMEOUT: Final = 12 * 3600.0
"""Seconds a job may run before its video fails with ``Timeout`` (a retry re-attaches to the job)."""
DEFAULT_CAPACITY_TIMEOUT: Final = 6 * 3600.0
"""Seconds the batch waits for capacity (every Start refused with LimitExceeded, none accepted) before the videos
without a job fail (retryable, ``LimitExceededException``): far longer than a slot is ordinarily held."""
DEFAULT_STORE_NAME: Final = "rekseg-batch.sqlite"
"""The `SqliteStore` file made in a local output directory when no store is given."""
LISTENER_FALLBACK: Final = 300.0
"""With a listener, seconds between status calls on one job: notifications can be lost, and a Start repeated by
its token publishes none."""
_PASSING_BACKOFF_MAX: Final = 60.0
_REFRESH_INTERVAL: Final = 5.0
"""Seconds between reads of the store's unfinished items when this worker has room for more work."""
_MAX_SLEEP: Final = 30.0


class CompletionListener(Protocol):
    """What `run` needs of a listener such as ``rekseg.notifications.SqsListener``."""

    def completions(self, job_ids: Iterable[str], *, timeout: float | None) -> Iterator[Any]:
        """Yield objects with a ``job_id`` as the jobs end, within ``timeout`` seconds."""


def _worker_id() -> str:
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _check_number(field: str, value: object, *, low: float, integer: bool = False, high: float = math.inf) -> None:
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high or value != value:  # noqa: PLR0124
        bound = f"from {low:g} to {high:g}" if high < math.inf else f"at least {low:g}"
        raise ValidationError(field, f"must be {'an int' if integer else 'a number'} {bound}", value)


def _seconds(value: object) -> float:
    assert isinstance(value, float)
    return value


def run(
    videos: Videos,
    *,
    output: str | os.PathLike[str],
    store: Store | None = None,
    formats: Sequence[str] = ("json",),
    max_jobs: int = DEFAULT_MAX_JOBS,
    listener: CompletionListener | None = None,
    client: Client | None = None,
    progress: Callable[[BatchEvent], None] | None = None,
    options: StartOptions | None = None,
    retry_failed: bool = False,
    poll_rate: float = DEFAULT_POLL_RATE,
    lease: float = DEFAULT_LEASE,
    job_timeout: float | timedelta | None = DEFAULT_JOB_TIMEOUT,
    capacity_timeout: float | timedelta | None = DEFAULT_CAPACITY_TIMEOUT,
    timeout: float | timedelta | None = None,
    s3_client: Any = None,
    worker_id: str | None = None,
) -> BatchReport:
    """Process a catalog of videos: at most ``max_jobs`` jobs at once, crash-safe and resumable.

    Running it again with the same store resumes: a video whose job exists is never started again (its
    ClientRequestToken is derived from the video and its options, so even a Start repeated after a crash gets
    the same job back), and a result already written is never fetched again. Several workers (processes or
    machines) may run it on the same `DynamoDBStore` (or `SqliteStore` file): each video is taken by one.

    Args:
        videos: ``s3://`` URIs, `rekseg.S3Object`, `rekseg.Video` or `BatchItem` objects; or a manifest path
            (see `read_manifest`); or an ``s3://bucket/prefix/`` to list (needs ``s3_client``).
        output: A directory, or an ``s3://bucket/prefix/`` (needs ``s3_client``). Each video gets
            ``<bucket>/<key>.json`` (its result) and one file per export format, each written whole or not at all.
        store: Where the state is kept; default a `SqliteStore` ``rekseg-batch.sqlite`` in a local ``output``.
        formats: Exports to write beside each result JSON (`rekseg.export.FORMATS`).
        max_jobs: Jobs in progress at once across every worker sharing the store: a video is taken only while
            fewer than ``max_jobs`` videos of the store are starting or running (exactly with a `SqliteStore`;
            see `DynamoDBStore.take` for what holds there). LimitExceeded, from other users of the account too,
            makes videos wait, never fail.
        listener: Hears completions instead of polling (e.g. ``rekseg.notifications.SqsListener``); start the
            jobs with a ``notification_channel`` in ``options``. Each job is still looked at every
            `LISTENER_FALLBACK` seconds, as notifications can be lost.
        client: The `rekseg.Client`; its `rekseg.PollPolicy` spaces the status calls on each job. Default
            ``Client()``.
        progress: Called with a `BatchEvent` for each thing that happens to a video.
        options: `rekseg.StartOptions` for every video; a `BatchItem`'s own options win.
        retry_failed: Try failed videos again, when their error is not final.
        poll_rate: Status calls per second at most, shared by all running jobs.
        lease: Seconds a hold on a video lasts unless renewed (renewed at half-time while working on it).
        job_timeout: Seconds a job may run before its video fails with ``Timeout``; ``None`` waits for ever.
        capacity_timeout: Seconds to wait for capacity: once every Start has been refused with LimitExceeded for
            that long (none accepted since the first refusal), the videos this worker holds without a job fail,
            retryable with ``LimitExceededException`` (``retry_failed`` repeats their Start with the same token,
            so no job is started twice), the worker takes no more videos to start, and `run` returns when its
            running jobs are done, leaving the pending videos for the next run. ``None`` waits for ever.
        timeout: Seconds to run in all; unfinished videos are left for the next run. ``None`` runs to the end.
        s3_client: A botocore or boto3 ``s3`` client, to list an ``s3://`` prefix or write to one.
        worker_id: This worker's name in leases; default ``host/pid/random``.

    Returns:
        The report: every video's state, job, segment counts, error and attempts. It is also written to
        ``report.csv`` and ``report.jsonl`` in ``output``.

    Raises:
        ValidationError: Bad arguments, a bad video or option (naming where), or a video the store has with
            other options; nothing was started.
        StoreConflictError: Never for ordinary races between workers (those are handled); raised only if the
            store refuses the batch's own records.
    """
    if isinstance(max_jobs, bool) or not isinstance(max_jobs, int) or not 1 <= max_jobs <= 10_000:
        raise ValidationError("max_jobs", "must be an int from 1 to 10000", max_jobs)
    _check_number("poll_rate", poll_rate, low=1e-3)
    _check_number("lease", lease, low=0.1)
    limit = check_timeout(timeout)
    if job_timeout is not None:
        job_timeout = _seconds(check_timeout(job_timeout, "job_timeout"))
    if capacity_timeout is not None:
        capacity_timeout = _seconds(check_timeout(capacity_timeout, "capacity_timeout"))
    if progress is not None and not callable(progress):
        raise ValidationError("progress", "must be a callable taking a BatchEvent, or None", progress)
    if listener is not None and not callable(getattr(listener, "completions", None)):
        raise ValidationError("listener", "must have a completions(job_ids, timeout=...) method", listener)
    if client is not None and not isinstance(client, Client):
        raise ValidationError("client", "must be a rekseg.Client or None", client)
    if store is not None and not isinstance(store, Store):
        raise ValidationError("store", "must be a rekseg.batch.Store (SqliteStore, DynamoDBStore)", store)
    if options is not None and not isinstance(options, dict):
        raise ValidationError("options", "must be a dict of rekseg.StartOptions", options)
    if worker_id is not None and (not isinstance(worker_id, str) or not worker_id):
        raise ValidationError("worker_id", "must be a non-empty string", worker_id)
    export_formats = check_formats(formats)
    out = make_output(output, s3_client)
    items = collect_items(videos, defaults=options or {}, s3_client=s3_client)
    own_store = store is None
    if store is None:
        if not isinstance(out, LocalOutput):
            raise ValidationError("store", "must be given when output is an s3:// prefix", store)
        store = SqliteStore(out.directory / DEFAULT_STORE_NAME)
    try:
        batch = _Batch(
            items,
            store=store,
            output=out,
            formats=export_formats,
            max_jobs=max_jobs,
            listener=listener,
            client=client or Client(),
            progress=progress,
            poll_rate=poll_rate,
            lease=lease,
            job_timeout=job_timeout,
            capacity_timeout=capacity_timeout,
            worker_id=worker_id or _worker_id(),
        )
        batch.prepare(retry_failed=retry_failed)
        deadline = None if limit is None else time.monotonic() + _seconds(limit)
        try:
            batch.loop(deadline)
        finally:
            batch.release_all()
        report = batch.report()
        out.write_report(report)
        return report
    finally:
        if own_store:
            store.close()


class _Batch:
    """One worker's run over a batch: what it holds, when each held video needs attention, and the loop."""

    def __init__(
        self,
        items: list[BatchItem],
        *,
        store: Store,
        output: LocalOutput | S3Output,
        formats: tuple[str, ...],
        max_jobs: int,
        listener: CompletionListener | None,
        client: Client,
        progress: Callable[[BatchEvent], None] | None,
        poll_rate: float,
        lease: float,
        job_timeout: float | None,
        capacity_timeout: float | None,
        worker_id: str,
    ) -> None:
        self.items = {item.key: item for item in items}
        self.order = [item.key for item in items]
        self.store = store
        self.output = output
        self.formats = formats
        self.max_jobs = max_jobs
        self.listener = listener
        self.client = client
        self.progress = progress
        self.poll_interval = 1.0 / poll_rate
        self.lease = lease
        self.job_timeout = job_timeout
        self.capacity_timeout = capacity_timeout
        self.out_of_capacity = False
        self.capacity_detail: str | None = None
        self.me = worker_id
        self.host, self.pid, _ = owner_parts(worker_id)
        self.rng = random.Random()
        self.gate = CapacityGate()
        self.known: dict[str, ItemRecord] = {}
        self.tally: collections.Counter[ItemState] = collections.Counter()
        self.held: dict[str, ItemRecord] = {}
        self.due: dict[str, float] = {}
        self.polls: dict[str, int] = {}
        self.resumed: set[str] = set()
        self.candidates: collections.deque[str] = collections.deque()
        self.waiting: str | None = None
        self.next_get = 0.0
        self.next_refresh = 0.0
        self.full_until = 0.0
        self.started = time.monotonic()

    # -- bookkeeping ----------------------------------------------------------------------------------------

    def remember(self, record: ItemRecord) -> None:
        old = self.known.get(record.key)
        if old is not None:
            self.tally[old.state] -= 1
        self.known[record.key] = record
        self.tally[record.state] += 1

    def counts(self) -> BatchCounts:
        waiting = 1 if self.waiting is not None else 0
        return BatchCounts(
            total=len(self.order),
            pending=self.tally[ItemState.PENDING],
            waiting=waiting,
            running=self.tally[ItemState.STARTING] + self.tally[ItemState.RUNNING] - waiting,
            fetching=self.tally[ItemState.FETCHING],
            done=self.tally[ItemState.DONE],
            failed=self.tally[ItemState.FAILED],
        )

    def emit(self, kind: str, record: ItemRecord, message: str | None = None) -> None:
        if self.progress is None:
            return
        self.progress(
            BatchEvent(
                kind=kind,
                video=record.key,
                job_id=record.job_id,
                counts=self.counts(),
                elapsed=time.monotonic() - self.started,
                message=message,
            )
        )

    def save(self, record: ItemRecord, *, max_jobs: int | None = None) -> ItemRecord | None:
        """Persist a transition of a held video; ``None`` (and let go of it) when another worker took it.

        With ``max_jobs`` (a pending video claimed), the store writes it only if it has room under ``max_jobs``
        jobs in progress across all its workers; without room, ``None`` and no more claims for a while.
        """
        try:
            if max_jobs is None:
                stored = self.store.save(record)
            else:
                taken = self.store.take(record, max_jobs=max_jobs)
                if taken is None:
                    self.full_until = time.monotonic() + min(_REFRESH_INTERVAL, self.lease / 4)
                    return None
                stored = taken
        except StoreConflictError:
            log.info("%s: taken over by another worker", record.key)
            self.drop(record.key)
            fresh = self.store.get(record.key)
            if fresh is not None:
                self.remember(fresh)
            return None
        self.remember(stored)
        if stored.owner == self.me and not stored.finished:
            self.held[stored.key] = stored
        else:
            self.drop(stored.key)
        return stored

    def drop(self, key: str) -> None:
        self.held.pop(key, None)
        self.due.pop(key, None)
        self.polls.pop(key, None)
        if self.waiting == key:
            self.waiting = None

    # -- setup ----------------------------------------------------------------------------------------------

    def prepare(self, *, retry_failed: bool) -> None:
        """Record the input's videos in the store (checking it has none with other options); retry failures."""
        existing = {r.key: r for r in self.store.records() if r.key in self.items}
        for key, record in existing.items():
            if record.fingerprint != self.items[key].fingerprint:
                raise ValidationError(
                    key,
                    "is in this store with other options: use the same options, or another store",
                    record.fingerprint[:12],
                )
        new = [
            ItemRecord.new(key, self.items[key].fingerprint, self.items[key].given_token)
            for key in self.order
            if key not in existing
        ]
        if new:
            self.store.add(new)
        for record in new:
            existing.setdefault(record.key, record)
        for key in self.order:
            self.remember(existing[key])
        if retry_failed:
            for key in self.order:
                record = self.known[key]
                if record.retryable:
                    with contextlib.suppress(StoreConflictError):
                        self.remember(self.store.save(record.retry()))

    # -- the loop -------------------------------------------------------------------------------------------

    def loop(self, deadline: float | None) -> None:
        """Work until every video of the input is done or failed, or the deadline passes."""
        while True:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                log.warning("batch timeout: %d video(s) left for the next run", len(self.order) - self.finished())
                return
            self.renew()
            self.check_capacity(now)
            if self.has_room() or not self.held:
                self.find_work(now)
            acted = self.act_on_due()
            if not self.held and self.finished() == len(self.order):
                return
            if not self.held and self.out_of_capacity:
                log.warning("no capacity: %d video(s) left for the next run", len(self.order) - self.finished())
                return
            if not acted:
                self.pause(deadline)

    def finished(self) -> int:
        return self.tally[ItemState.DONE] + self.tally[ItemState.FAILED]

    def has_room(self) -> bool:
        busy = sum(1 for r in self.held.values() if r.state in (ItemState.STARTING, ItemState.RUNNING))
        now = time.monotonic()
        return (
            busy < self.max_jobs
            and self.waiting is None
            and not self.out_of_capacity
            and now >= self.full_until
            and self.gate.is_open(now)
        )

    def slot_freed(self) -> None:
        """One of our jobs ended: capacity, and room under ``max_jobs`` in the store, are there again."""
        self.gate.job_ended()
        self.full_until = 0.0

    def check_capacity(self, now: float) -> bool:
        """Give up starting jobs once no Start was accepted for `capacity_timeout`; return whether given up."""
        if self.out_of_capacity:
            return True
        if self.capacity_timeout is None or self.gate.waited(now) < self.capacity_timeout:
            return False
        self.out_of_capacity = True
        self.candidates.clear()
        log.warning("no Start accepted for %gs (LimitExceeded): no more jobs are started", self.capacity_timeout)
        for record in list(self.held.values()):
            if record.state is ItemState.STARTING:
                self.finish_failed(record.no_capacity(self.capacity_timeout, self.capacity_detail))
        return True

    def renew(self) -> None:
        now = time.time()
        for record in list(self.held.values()):
            if record.lease_until is not None and record.lease_until - now < self.lease / 2:
                self.save(record.renew(now, self.lease))

    def dead_owners(self, records: Iterable[ItemRecord]) -> frozenset[str]:
        """Owners of leases that ran on this host in a process that is gone (a crash before its lease ended)."""
        dead = set()
        for record in records:
            owner = record.owner
            if owner is None or owner == self.me or owner in dead:
                continue
            host, pid, _ = owner_parts(owner)
            if host == self.host and pid is not None and pid != self.pid and not _pid_alive(pid):
                dead.add(owner)
        return frozenset(dead)

    def find_work(self, now: float) -> None:
        """Take over orphaned videos, and take pending ones while there is room in the whole store."""
        if now >= self.next_refresh:
            self.next_refresh = now + min(_REFRESH_INTERVAL, self.lease / 4)
            unfinished = [r for r in self.store.records(unfinished=True) if r.key in self.items]
            still_open = {r.key for r in unfinished}
            for key, record in list(self.known.items()):
                if not record.finished and key not in still_open and key not in self.held:
                    fresh = self.store.get(key)
                    if fresh is not None:
                        self.remember(fresh)
            for record in unfinished:
                if record.key not in self.held:
                    self.remember(record)
            dead = self.dead_owners(unfinished)
            wall = time.time()
            claimable = {r.key for r in unfinished if r.key not in self.held and is_claimable(r, wall, dead)}
            self.candidates.clear()
            for key in self.order:
                if key not in claimable:
                    continue
                orphan: ItemRecord | None = self.known[key]
                if orphan is not None and orphan.state is ItemState.STARTING:
                    # An orphan whose Start may never have been sent: back to pending, to wait for room like
                    # any other video (its token, kept, gets back the job if the Start did reach the service).
                    orphan = self.save(orphan.requeue())
                if orphan is None:
                    continue
                if orphan.state is ItemState.PENDING:
                    self.candidates.append(key)
                else:
                    # Videos whose job exists (orphans) are taken whatever the room: their jobs run anyway.
                    self.claim(orphan)
        while self.candidates and self.has_room():
            self.claim(self.known[self.candidates.popleft()])

    def claim(self, record: ItemRecord) -> None:
        """Take a video; a pending one only if the store has room (else it stays a candidate)."""
        was = record.state
        pending = was is ItemState.PENDING
        claimed = self.save(record.claim(self.me, time.time(), self.lease), max_jobs=self.max_jobs if pending else None)
        if claimed is None:
            if pending and time.monotonic() < self.full_until:
                self.candidates.appendleft(record.key)
            return
        self.due[claimed.key] = time.monotonic()
        self.polls[claimed.key] = 0
        if was is not ItemState.PENDING:
            self.resumed.add(claimed.key)

    def act_on_due(self) -> bool:
        """Do what every held video due now needs; return whether anything was done."""
        acted = False
        now = time.monotonic()
        for key in sorted(self.due, key=self.due.__getitem__):
            if self.due.get(key, math.inf) > now or key not in self.held:
                continue
            record = self.held[key]
            if record.state is ItemState.STARTING and not self.gate.is_open(now):
                continue
            if record.state is ItemState.RUNNING and key not in self.resumed and now < self.next_get:
                continue
            acted = True
            self.step(record)
            if self.has_room() and self.candidates:
                self.find_work(time.monotonic())
        return acted

    def pause(self, deadline: float | None) -> None:
        """Sleep (or listen for completions) until the next video is due; never a busy loop."""
        now = time.monotonic()
        wake = now + _MAX_SLEEP
        for key, due in self.due.items():
            record = self.held.get(key)
            if record is None:
                continue
            at = due
            if record.state is ItemState.STARTING and self.gate.reopen_at is not None:
                at = max(at, self.gate.reopen_at)
                if self.capacity_timeout is not None and self.gate.blocked_since is not None:
                    at = min(at, self.gate.blocked_since + self.capacity_timeout)
            if record.state is ItemState.RUNNING and key not in self.resumed:
                at = max(at, self.next_get)
            wake = min(wake, at)
        if self.held:
            soonest = min(r.lease_until or math.inf for r in self.held.values())
            wake = min(wake, now + max(0.0, soonest - time.time() - self.lease / 2))
        if not self.held or self.has_room():
            wake = min(wake, max(self.next_refresh, self.full_until, now + 0.01))
        elif self.candidates and self.full_until > now:
            wake = min(wake, self.full_until)
        if not self.held and self.gate.reopen_at is not None:
            wake = min(wake, max(self.gate.reopen_at, now + 0.01))
        if deadline is not None:
            wake = min(wake, deadline)
        seconds = max(0.0, wake - now)
        running = [r.job_id for r in self.held.values() if r.state is ItemState.RUNNING and r.job_id]
        if self.listener is not None and running and seconds > 0:
            self.listen(running, seconds)
        elif seconds > 0:
            time.sleep(seconds)

    def listen(self, job_ids: list[str], seconds: float) -> None:
        assert self.listener is not None
        by_job = {r.job_id: r.key for r in self.held.values() if r.job_id}
        for note in self.listener.completions(job_ids, timeout=seconds):
            key = by_job.get(str(getattr(note, "job_id", "")))
            if key is not None and key in self.held:
                self.resumed.add(key)  # look at once, outside the shared poll rate: it is the fetch
                self.due[key] = time.monotonic()
                self.act_on_due()

    # -- one video's step -----------------------------------------------------------------------------------

    def step(self, record: ItemRecord) -> None:
        if record.state is ItemState.STARTING:
            self.start(record)
        elif record.state is ItemState.RUNNING:
            self.look(record)
        elif record.state is ItemState.FETCHING:
            self.fetch(record)

    def start(self, record: ItemRecord) -> None:
        if self.out_of_capacity:
            assert self.capacity_timeout is not None
            self.finish_failed(record.no_capacity(self.capacity_timeout, self.capacity_detail))
            return
        item = self.items[record.key]
        options = item.options
        options["client_request_token"] = record.token
        try:
            job = self.client.start(item.video, **options)
        except RekSegError as exc:
            self.trouble(record, exc)
            return
        self.gate.accepted()
        if self.waiting == record.key:
            self.waiting = None
        stored = self.save(record.started(job.job_id, time.time()))
        if stored is not None:
            self.polls[stored.key] = 0
            self.schedule_look(stored)
            self.emit("started", stored)

    def schedule_look(self, record: ItemRecord) -> None:
        polls = self.polls.get(record.key, 0)
        delay = self.client.polling.delay(polls + 1, self.rng) if polls else self.client.polling.wait_initial
        if self.listener is not None:
            delay = max(delay, LISTENER_FALLBACK)
        self.due[record.key] = time.monotonic() + delay

    def written(self, record: ItemRecord) -> bool:
        """Whether the result of the record's job is already written (then the video is done, without a fetch)."""
        counts = None if record.job_id is None else self.output.written(record.key, record.job_id)
        if counts is None:
            return False
        shots, cues = counts
        stored = self.save(record.done(shots, cues))
        if stored is not None:
            self.emit("done", stored)
        return True

    def look(self, record: ItemRecord) -> None:
        assert record.job_id is not None
        if record.key in self.resumed:
            self.resumed.discard(record.key)
            if self.written(record):
                return
        if (
            self.job_timeout is not None
            and record.started_at is not None
            and time.time() - record.started_at > self.job_timeout
        ):
            self.finish_failed(record.timed_out(self.job_timeout))
            return
        self.next_get = time.monotonic() + self.poll_interval
        pages = self.client.pages(record.job_id)
        try:
            first = next(pages)
        except JobInProgressError:
            self.polls[record.key] = self.polls.get(record.key, 0) + 1
            self.schedule_look(record)
            return
        except RekSegError as exc:
            self.trouble(record, exc)
            return
        self.slot_freed()
        stored = self.save(record.fetching())
        if stored is not None:
            self.write(stored, itertools.chain([first], pages))

    def fetch(self, record: ItemRecord) -> None:
        assert record.job_id is not None
        self.resumed.discard(record.key)
        if self.written(record):
            return
        self.write(record, self.client.pages(record.job_id))

    def write(self, record: ItemRecord, pages: Iterator[SegmentDetectionPage]) -> None:
        assert record.job_id is not None
        try:
            result = SegmentDetectionResult.from_pages(pages)
            self.output.write(record.key, record.job_id, result, self.formats)
        except (RekSegError, OSError) as exc:
            self.trouble(record, exc)
            return
        stored = self.save(record.done(len(result.shots), len(result.technical_cues)))
        if stored is not None:
            self.emit("done", stored)

    def trouble(self, record: ItemRecord, exc: RekSegError | OSError) -> None:
        """Decide what an error on a held video's step means, and persist it."""
        failure = classify(exc)
        if failure.kind is FailureKind.CAPACITY:
            now = time.monotonic()
            self.gate.refused(now, self.rng)
            self.capacity_detail = failure.message
            if self.check_capacity(now):
                return
            if self.waiting != record.key:
                self.waiting = record.key
                self.emit("waiting", record, failure.message)
            return
        if failure.kind is FailureKind.TRANSIENT:
            stored = self.save(record.passing_error(failure))
            if stored is None:
                return
            if stored.state is ItemState.FAILED:
                self.failed_event(stored)
                return
            backoff = min(_PASSING_BACKOFF_MAX, 0.5 * 2**stored.transient_errors) * self.rng.uniform(0.5, 1.0)
            self.due[stored.key] = time.monotonic() + backoff
            self.emit("error", stored, failure.message)
            return
        if record.state is ItemState.RUNNING and record.job_id is not None:
            self.slot_freed()
        self.finish_failed(record.failed(failure))

    def finish_failed(self, record: ItemRecord) -> None:
        stored = self.save(record)
        if stored is not None:
            self.failed_event(stored)

    def failed_event(self, record: ItemRecord) -> None:
        if self.waiting == record.key:
            self.waiting = None
        self.emit("failed", record, f"{record.error_code}: {record.error_message}")

    # -- the end --------------------------------------------------------------------------------------------

    def release_all(self) -> None:
        """Give up the leases still held (a timeout or an error ends the run): others may take them at once."""
        for record in list(self.held.values()):
            with contextlib.suppress(Exception):
                self.save(record.release())
        self.held.clear()

    def report(self) -> BatchReport:
        stored = {r.key: r for r in self.store.records() if r.key in self.items}
        records = [stored.get(key) or self.known[key] for key in self.order]
        return BatchReport.from_records(records, elapsed=time.monotonic() - self.started)
