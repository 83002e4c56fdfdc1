"""The listener's receive flow without a server: what it asks SQS for, what it settles, when it pauses and ends."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

import rekseg
from rekseg.notifications._inbox import (
    FOREIGN_VISIBILITY,
    FOREIGN_VISIBILITY_MAX,
    RECEIVE_ATTEMPTS,
    RECEIVE_GRACE,
    REREPORT_AFTER,
    Inbox,
    Pause,
    Receive,
    ReceiveFlow,
    Settle,
    receive_flow,
)

from .forms import JOB_ID, rekognition_message, sns_envelope, sqs_message

OTHER_JOB = "0" * 64


class _Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def _note(job_id: str, receipt: str, message_id: str, **extra: Any) -> dict[str, Any]:
    body = json.dumps(sns_envelope(rekognition_message(job_id, **extra)))
    return sqs_message(body, receipt=receipt, message_id=message_id)


Delivery = list[dict[str, Any]] | rekseg.RekSegError


def _drive(flow: ReceiveFlow, clock: _Clock, deliveries: list[Delivery]) -> tuple[list[object], Any]:
    """Answer each Receive with the next delivery (empty once they run out, taking its whole long poll).

    A delivery that is an error is thrown into the flow as a call that failed after a second (or its whole time
    limit, when that is shorter).
    """
    commands: list[object] = []
    answer: list[dict[str, Any]] | None = None
    failed: rekseg.RekSegError | None = None
    while True:
        try:
            command = flow.send(answer) if failed is None else flow.throw(failed)
        except StopIteration as done:
            return commands, done.value
        commands.append(command)
        answer, failed = None, None
        if isinstance(command, Receive):
            delivery = deliveries.pop(0) if deliveries else []
            if isinstance(delivery, rekseg.RekSegError):
                failed = delivery
                clock.now += min(command.timeout, 1.0)
            else:
                answer = delivery
                if not answer:
                    clock.now += command.seconds
        elif isinstance(command, Pause):
            clock.now += command.seconds


def _flow(inbox: Inbox, clock: _Clock, wait: float, job_ids: Any = (JOB_ID,)) -> ReceiveFlow:
    return receive_flow(inbox, list(job_ids), wait=wait, wait_time_seconds=20, clock=clock)


def test_a_wanted_job_is_returned_once_and_others_are_handed_back() -> None:
    """Another job's message is settled (handed back); the wanted one is returned and held, a late copy deleted."""
    clock, inbox = _Clock(), Inbox("https://sqs.us-east-1.amazonaws.com/1/q")
    first = [_note(OTHER_JOB, "r-other", "m-other"), _note(JOB_ID, "r-mine", "m-mine")]
    commands, found = _drive(_flow(inbox, clock, 30), clock, [first])
    assert [n.job_id for n in found] == [JOB_ID]
    assert commands == [Receive(20, 30.0), Settle((), (("r-other", "m-other", FOREIGN_VISIBILITY),))]
    assert inbox.acknowledge(JOB_ID) == ["r-mine"]
    commands, found = _drive(_flow(inbox, clock, 0), clock, [[_note(JOB_ID, "r-copy", "m-copy")]])
    assert (commands, found) == ([Receive(0, 0.1), Settle(("r-copy",), ())], [])


def test_only_handed_back_messages_again_means_a_pause_not_a_spin() -> None:
    """When a receive brings back only messages already handed back, the flow pauses before the next one."""
    clock, inbox = _Clock(), Inbox("q")
    again = [_note(OTHER_JOB, "r-1", "m-1")]
    commands, found = _drive(_flow(inbox, clock, 3.5), clock, [again, list(again)])
    assert found == []
    assert commands[:4] == [
        Receive(2, 3.5),
        Settle((), (("r-1", "m-1", FOREIGN_VISIBILITY),)),
        Receive(2, 3.5),
        Settle((), (("r-1", "m-1", 2 * FOREIGN_VISIBILITY),)),
    ]
    assert isinstance(commands[4], Pause)
    assert clock.now <= 50.0 + 3.5 + 1e-9


def test_messages_for_others_are_hidden_longer_each_time_they_come_back() -> None:
    """A foreign message is hidden a few seconds when handed back, doubling on each return, up to a cap.

    Handing it back visible at once let ten foreign messages fill every receive, so the listener never reached
    its own message behind them.
    """
    inbox = Inbox("q")
    seen = []
    for _ in range(8):
        decided = inbox.sort([_note(OTHER_JOB, "r", "m-other")], frozenset([JOB_ID]), 0.0)
        seen.append(decided.hand_back[0][2])
    assert seen[0] == FOREIGN_VISIBILITY > 0
    assert seen == sorted(seen)
    assert seen[-1] == FOREIGN_VISIBILITY_MAX


def test_the_wait_is_a_deadline() -> None:
    """An empty queue is listened to within the wait, each call bounded by the time left, then nothing more."""
    clock, inbox = _Clock(), Inbox("q")
    commands, found = _drive(_flow(inbox, clock, 2.5), clock, [])
    assert found == []
    assert commands == [Receive(1, 2.5), Receive(0, 1.5), Pause(1.0), Receive(0, 0.5), Pause(0.5)]
    assert clock.now == pytest.approx(52.5)


@pytest.mark.parametrize("wait", [0.0, 0.4, 1.0, 1.9, 7.3, 19.99, 20.0, 21.0, 400.0])
def test_every_long_poll_ends_before_its_call_must(wait: float) -> None:
    """The long poll leaves the answer RECEIVE_GRACE to come back before the call's time limit, itself in the wait."""
    clock, inbox = _Clock(), Inbox("q")
    commands, _ = _drive(_flow(inbox, clock, wait), clock, [])
    receives = [c for c in commands if isinstance(c, Receive)]
    assert receives
    for receive in receives:
        assert receive.seconds + RECEIVE_GRACE <= receive.timeout or receive.seconds == 0
        assert receive.timeout <= max(wait, 0.1)


def test_the_time_limit_given_is_fitted_to_what_the_driver_can_set() -> None:
    """A driver that rounds socket timeouts down gets a long poll that fits the rounded limit."""
    clock, inbox = _Clock(), Inbox("q")
    flow = receive_flow(inbox, [JOB_ID], wait=19.9, wait_time_seconds=20, clock=clock, call_timeout=lambda s: 15.0)
    assert next(flow) == Receive(14, 15.0)


def test_a_message_that_cannot_be_parsed_at_all_is_handed_back_not_a_crash() -> None:
    """A hostile Timestamp, or a body that raises anything when read, is handed back; the batch's own job is found."""

    class Exploding(Mapping[str, Any]):
        def __getitem__(self, key: str) -> Any:
            raise RuntimeError("boom")

        def __iter__(self) -> Iterator[str]:
            return iter(["Body"])

        def __len__(self) -> int:
            return 1

    clock, inbox = _Clock(), Inbox("q")
    batch = [
        _note(OTHER_JOB, "r-poison", "m-poison", Timestamp="9" * 5000),
        {"ReceiptHandle": "r-odd", "MessageId": "m-odd", "Body": Exploding()},
        _note(JOB_ID, "r-mine", "m-mine"),
    ]
    commands, found = _drive(_flow(inbox, clock, 5), clock, [batch])
    assert [n.job_id for n in found] == [JOB_ID]
    settle = commands[1]
    assert isinstance(settle, Settle)
    assert settle.delete == ()
    assert [(receipt, mid) for receipt, mid, _ in settle.hand_back] == [("r-poison", "m-poison"), ("r-odd", "m-odd")]


def test_a_reported_job_not_acknowledged_is_reported_again_to_a_later_receive() -> None:
    """A job reported but never acknowledged (a cancelled wait) is reported again, paced, not held forever."""
    clock, inbox = _Clock(), Inbox("q")
    _, found = _drive(_flow(inbox, clock, 5), clock, [[_note(JOB_ID, "r-1", "m-1")]])
    assert [n.job_id for n in found] == [JOB_ID]
    # At once, on a queue with VisibilityTimeout=0, the same message keeps coming back: paused, not spun on.
    returning = [[_note(JOB_ID, f"r-{n}", "m-1")] for n in range(2, 40)]
    commands, found = _drive(_flow(inbox, clock, 3), clock, list(returning))
    assert found == []
    assert sum(isinstance(c, Receive) for c in commands) <= 4
    assert all(isinstance(c, Pause) for c in commands[1::2])
    # Later, a receive that wants it hears it again (one receipt per message: the newest).
    clock.now += REREPORT_AFTER
    commands, found = _drive(_flow(inbox, clock, 5), clock, [])
    assert [n.job_id for n in found] == [JOB_ID]
    assert commands == []
    assert len(inbox.acknowledge(JOB_ID)) == 1


def test_a_held_job_not_wanted_keeps_its_message_hidden_and_is_not_fresh() -> None:
    """A copy of a held job's message, in a receive for other jobs, is neither reported nor handed back: a pause."""
    clock, inbox = _Clock(), Inbox("q")
    _drive(_flow(inbox, clock, 5), clock, [[_note(JOB_ID, "r-1", "m-1")]])
    commands, found = _drive(_flow(inbox, clock, 2, job_ids=[OTHER_JOB]), clock, [[_note(JOB_ID, "r-2", "m-1")]])
    assert found == []
    assert commands[:2] == [Receive(1, 2.0), Pause(1.0)]
    assert inbox.acknowledge(JOB_ID) == ["r-2"]


def test_a_failed_receive_is_tried_again_within_the_wait() -> None:
    """A receive that fails for a passing reason is retried after a pause; the message then found is returned."""
    clock, inbox = _Clock(), Inbox("q")
    lost = rekseg.TransportError("ReceiveMessage: no answer", operation="ReceiveMessage")
    commands, found = _drive(_flow(inbox, clock, 60), clock, [lost, [_note(JOB_ID, "r", "m")]])
    assert [n.job_id for n in found] == [JOB_ID]
    assert [type(c).__name__ for c in commands] == ["Receive", "Pause", "Receive"]


def test_a_receive_cut_off_at_the_deadline_hears_nothing() -> None:
    """A call that got no answer by the end of the wait ends the receive empty, at its deadline."""
    clock, inbox = _Clock(), Inbox("q")
    lost = rekseg.TransportError("ReceiveMessage: no answer", operation="ReceiveMessage")
    commands, found = _drive(_flow(inbox, clock, 1), clock, [lost])
    assert (commands, found) == ([Receive(0, 1.0)], [])
    assert clock.now == pytest.approx(51.0)


def test_failures_in_a_row_are_raised_in_the_end_and_refusals_at_once() -> None:
    """RECEIVE_ATTEMPTS passing failures in a row raise the last; an error that will not pass is raised at once."""
    clock, inbox = _Clock(), Inbox("q")
    lost = rekseg.TransportError("ReceiveMessage: no answer", operation="ReceiveMessage")
    with pytest.raises(rekseg.TransportError):
        _drive(_flow(inbox, clock, 3600), clock, [lost] * RECEIVE_ATTEMPTS)
    denied = rekseg.ServiceError("no", code="AccessDenied", operation="ReceiveMessage")
    with pytest.raises(rekseg.ServiceError):
        _drive(_flow(inbox, clock, 3600), clock, [denied])


@pytest.mark.parametrize(("job_ids", "wait", "field"), [([JOB_ID], -1, "wait"), (JOB_ID, 1, "job_ids")])
def test_bad_arguments_are_refused_before_any_command(job_ids: Any, wait: float, field: str) -> None:
    """The first step checks the arguments; no Receive is asked for."""
    with pytest.raises(rekseg.ValidationError, match=field):
        next(receive_flow(Inbox("q"), job_ids, wait=wait, wait_time_seconds=20, clock=_Clock()))
