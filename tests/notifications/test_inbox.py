"""The listener's receive flow without a server: what it asks SQS for, what it settles, when it pauses and ends."""

from __future__ import annotations

import json
from typing import Any

import pytest

import rekseg
from rekseg.notifications._inbox import Inbox, Pause, Receive, ReceiveFlow, Settle, receive_flow

from .forms import JOB_ID, rekognition_message, sns_envelope, sqs_message

OTHER_JOB = "0" * 64


class _Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def _note(job_id: str, receipt: str, message_id: str) -> dict[str, Any]:
    return sqs_message(json.dumps(sns_envelope(rekognition_message(job_id))), receipt=receipt, message_id=message_id)


def _drive(flow: ReceiveFlow, clock: _Clock, deliveries: list[list[dict[str, Any]]]) -> tuple[list[object], Any]:
    """Answer each Receive with the next delivery (empty once they run out, taking its whole long poll)."""
    commands: list[object] = []
    answer: list[dict[str, Any]] | None = None
    while True:
        try:
            command = flow.send(answer)
        except StopIteration as done:
            return commands, done.value
        commands.append(command)
        answer = None
        if isinstance(command, Receive):
            answer = deliveries.pop(0) if deliveries else []
            if not answer:
                clock.now += command.seconds
        elif isinstance(command, Pause):
            clock.now += command.seconds


def test_a_wanted_job_is_returned_once_and_others_are_handed_back() -> None:
    """Another job's message is settled (handed back); the wanted one is returned and held, a late copy deleted."""
    clock, inbox = _Clock(), Inbox("https://sqs.us-east-1.amazonaws.com/1/q")
    first = [_note(OTHER_JOB, "r-other", "m-other"), _note(JOB_ID, "r-mine", "m-mine")]
    commands, found = _drive(receive_flow(inbox, [JOB_ID], wait=30, wait_time_seconds=20, clock=clock), clock, [first])
    assert [n.job_id for n in found] == [JOB_ID]
    assert commands == [Receive(20), Settle((), (("r-other", "m-other"),))]
    assert inbox.acknowledge(JOB_ID) == ["r-mine"]
    commands, found = _drive(
        receive_flow(inbox, [JOB_ID], wait=0, wait_time_seconds=20, clock=clock),
        clock,
        [[_note(JOB_ID, "r-copy", "m-copy")]],
    )
    assert (commands, found) == ([Receive(0), Settle(("r-copy",), ())], [])


def test_only_handed_back_messages_again_means_a_pause_not_a_spin() -> None:
    """When a receive brings back only messages already handed back, the flow pauses before the next one."""
    clock, inbox = _Clock(), Inbox("q")
    again = [_note(OTHER_JOB, "r-1", "m-1")]
    commands, found = _drive(
        receive_flow(inbox, [JOB_ID], wait=2.5, wait_time_seconds=20, clock=clock), clock, [again, list(again)]
    )
    assert found == []
    assert commands[:4] == [Receive(2), Settle((), (("r-1", "m-1"),)), Receive(2), Settle((), (("r-1", "m-1"),))]
    assert isinstance(commands[4], Pause)
    assert clock.now <= 50.0 + 2.5 + 1e-9


def test_the_wait_is_a_deadline() -> None:
    """An empty queue is listened to for the wait's whole seconds, then a short poll, then nothing more."""
    clock, inbox = _Clock(), Inbox("q")
    commands, found = _drive(receive_flow(inbox, [JOB_ID], wait=1.5, wait_time_seconds=20, clock=clock), clock, [])
    assert found == []
    assert commands == [Receive(1), Receive(0), Pause(0.5)]
    assert clock.now == pytest.approx(51.5)


@pytest.mark.parametrize(("job_ids", "wait", "field"), [([JOB_ID], -1, "wait"), (JOB_ID, 1, "job_ids")])
def test_bad_arguments_are_refused_before_any_command(job_ids: Any, wait: float, field: str) -> None:
    """The first step checks the arguments; no Receive is asked for."""
    with pytest.raises(rekseg.ValidationError, match=field):
        next(receive_flow(Inbox("q"), job_ids, wait=wait, wait_time_seconds=20, clock=_Clock()))
