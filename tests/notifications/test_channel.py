"""check_channel against moto's IAM, SNS and SQS: a correct setup, and each way a real one breaks."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

import rekseg
from rekseg.notifications import MANAGED_POLICY_ARN, Finding, Outcome, check_channel

from .conftest import ACCOUNT, REGION, Channel, moto_client

TRUST_REKOGNITION = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "rekognition.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def make_role(
    moto_url: str,
    *,
    trust: dict[str, Any] = TRUST_REKOGNITION,
    managed: bool = True,
    inline: dict[str, Any] | None = None,
) -> str:
    """Create a role in moto and return its ARN."""
    iam = moto_client("iam", moto_url)
    name = f"rekseg-{uuid.uuid4().hex[:10]}"
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=MANAGED_POLICY_ARN)
    if inline is not None:
        iam.put_role_policy(RoleName=name, PolicyName="publish", PolicyDocument=json.dumps(inline))
    return arn


def statement(effect: str, action: str, resource: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}


def run(
    moto_url: str, channel: Channel, role_arn: str, *, queue: bool = True, topic_arn: str | None = None
) -> dict[str, Finding]:
    findings = check_channel(
        rekseg.NotificationChannel(sns_topic_arn=topic_arn or channel.topic_arn, role_arn=role_arn),
        queue_url=channel.queue_url if queue else None,
        region_name=REGION,
        endpoint_url=moto_url,
    )
    by_check = {f.check: f for f in findings}
    assert len(by_check) == len(findings)
    return by_check


def outcomes(findings: dict[str, Finding]) -> dict[str, str]:
    return {check: f.outcome.value for check, f in findings.items()}


def test_correct_setup_with_the_managed_policy_has_no_problem(moto_url: str, aws_env: None, channel: Channel) -> None:
    """Topic, trusted role with the managed policy, subscribed queue with its policy: every check is ok."""
    findings = run(moto_url, channel, make_role(moto_url))
    assert outcomes(findings) == {
        "topic-region": "ok",
        "topic-exists": "ok",
        "topic-name": "ok",
        "role-trust": "ok",
        "role-publish": "ok",
        "queue-exists": "ok",
        "queue-subscribed": "ok",
        "queue-policy": "ok",
        "raw-delivery": "ok",
    }
    assert "raw message delivery is off" in findings["raw-delivery"].detail
    assert all(f.fix is None for f in findings.values())


def test_own_policy_lets_any_topic_name_pass(moto_url: str, aws_env: None) -> None:
    """With a policy of its own allowing sns:Publish on the topic, a name without the prefix is fine."""
    channel = Channel(moto_url, prefix="episode-done", raw=True)
    role = make_role(moto_url, managed=False, inline=statement("Allow", "sns:Publish", channel.topic_arn))
    findings = run(moto_url, channel, role)
    assert not [f for f in findings.values() if not f.ok]
    assert "does not rely on the managed" in findings["topic-name"].detail
    assert "raw message delivery is on" in findings["raw-delivery"].detail


def test_managed_policy_with_an_unprefixed_topic_is_a_problem(moto_url: str, aws_env: None) -> None:
    """The managed policy allows only AmazonRekognition* topics: both the name and the publish checks say so."""
    channel = Channel(moto_url, prefix="episode-done")
    findings = run(moto_url, channel, make_role(moto_url))
    assert findings["topic-name"].problem
    assert findings["topic-name"].fix is not None
    assert "AmazonRekognitionepisode-done" in findings["topic-name"].fix
    assert findings["role-publish"].problem


def test_missing_topic_is_a_problem_with_the_create_command(moto_url: str, aws_env: None, channel: Channel) -> None:
    """A topic ARN that names no topic: topic-exists is a problem whose fix creates it."""
    missing = f"arn:aws:sns:{REGION}:{ACCOUNT}:AmazonRekognitionNope"
    findings = run(moto_url, channel, make_role(moto_url), queue=False, topic_arn=missing)
    assert findings["topic-exists"].problem
    assert findings["topic-exists"].fix == f"aws sns create-topic --name AmazonRekognitionNope --region {REGION}"
    assert "queue-exists" not in findings


def test_topic_in_another_region_is_a_problem(moto_url: str, aws_env: None, channel: Channel) -> None:
    """A topic outside the jobs' region is a problem: Rekognition publishes only within the region."""
    sns = moto_client("sns", moto_url, region="eu-west-1")
    topic = sns.create_topic(Name="AmazonRekognitionFar")["TopicArn"]
    findings = run(moto_url, channel, make_role(moto_url), queue=False, topic_arn=topic)
    assert findings["topic-region"].problem
    assert "eu-west-1" in findings["topic-region"].detail
    assert findings["topic-exists"].ok


def test_role_not_trusting_rekognition_is_a_problem(moto_url: str, aws_env: None, channel: Channel) -> None:
    """A trust policy for another service: role-trust is a problem whose fix is the statement to add."""
    trust = json.loads(json.dumps(TRUST_REKOGNITION))
    trust["Statement"][0]["Principal"]["Service"] = "lambda.amazonaws.com"
    findings = run(moto_url, channel, make_role(moto_url, trust=trust))
    assert findings["role-trust"].problem
    assert "rekognition.amazonaws.com" in (findings["role-trust"].fix or "")
    assert findings["role-publish"].ok


def test_missing_role_is_a_problem(moto_url: str, aws_env: None, channel: Channel) -> None:
    """A role ARN that names no role: trust and publish checks are problems, the name check could not run."""
    findings = run(moto_url, channel, f"arn:aws:iam::{ACCOUNT}:role/no-such-role")
    assert findings["role-trust"].problem
    assert findings["role-publish"].problem
    assert findings["topic-name"].outcome is Outcome.OK  # the name has the prefix: nothing to read


def test_role_without_publish_permission_is_a_problem(moto_url: str, aws_env: None, channel: Channel) -> None:
    """A trusted role whose policies allow nothing on SNS: role-publish is a problem."""
    role = make_role(moto_url, managed=False, inline=statement("Allow", "s3:GetObject", "*"))
    findings = run(moto_url, channel, role)
    assert findings["role-publish"].problem
    assert channel.topic_arn in (findings["role-publish"].fix or "")


def test_explicit_deny_beats_the_managed_allow(moto_url: str, aws_env: None, channel: Channel) -> None:
    """A Deny of sns:Publish on the topic wins over the managed policy's Allow."""
    role = make_role(moto_url, inline=statement("Deny", "sns:*", "*"))
    findings = run(moto_url, channel, role)
    assert findings["role-publish"].problem
    assert "denies" in findings["role-publish"].detail


def test_unsubscribed_queue_is_a_problem(moto_url: str, aws_env: None) -> None:
    """A queue not subscribed to the topic: the fix is the subscribe command; raw delivery cannot be checked."""
    channel = Channel(moto_url, subscribe=False)
    findings = run(moto_url, channel, make_role(moto_url))
    assert findings["queue-subscribed"].problem
    assert f"--notification-endpoint {channel.queue_arn}" in (findings["queue-subscribed"].fix or "")
    assert findings["raw-delivery"].outcome is Outcome.COULD_NOT_CHECK


@pytest.mark.parametrize("policy", [None, "other-topic"])
def test_queue_policy_not_letting_the_topic_send_is_a_problem(
    moto_url: str, aws_env: None, channel: Channel, policy: str | None
) -> None:
    """No queue policy, or one for another topic: queue-policy is a problem whose fix names the statement."""
    from .conftest import queue_policy

    text = "" if policy is None else queue_policy(channel.queue_arn, f"arn:aws:sns:{REGION}:{ACCOUNT}:other")
    channel.sqs.set_queue_attributes(QueueUrl=channel.queue_url, Attributes={"Policy": text})
    findings = run(moto_url, channel, make_role(moto_url))
    assert findings["queue-policy"].problem
    assert channel.topic_arn in (findings["queue-policy"].fix or "")


def test_missing_queue_is_a_problem(moto_url: str, aws_env: None, channel: Channel) -> None:
    """A queue URL that names no queue: queue-exists is a problem; the checks that need it could not run."""
    findings = check_channel(
        channel.notification_channel,
        queue_url=f"{moto_url}/{ACCOUNT}/no-such-queue",
        region_name=REGION,
        endpoint_url=moto_url,
    )
    by_check = {f.check: f for f in findings}
    assert by_check["queue-exists"].problem
    assert by_check["queue-subscribed"].outcome is Outcome.COULD_NOT_CHECK


def test_unreachable_services_could_not_be_checked(aws_env: None) -> None:
    """With nothing answering, each remote check is could-not-check, never a false ok or problem."""
    findings = check_channel(
        rekseg.NotificationChannel(
            sns_topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:AmazonRekognitionX",
            role_arn=f"arn:aws:iam::{ACCOUNT}:role/r",
        ),
        region_name=REGION,
        endpoint_url="http://127.0.0.1:9",
    )
    assert [(f.check, f.outcome.value) for f in findings] == [
        ("topic-region", "ok"),
        ("topic-exists", "could-not-check"),
        ("topic-name", "ok"),
        ("role-trust", "could-not-check"),
        ("role-publish", "could-not-check"),
    ]


def test_bad_arguments_are_refused() -> None:
    """A channel that is not a NotificationChannel, or a queue URL that is not one, is a ValidationError."""
    with pytest.raises(rekseg.ValidationError, match="notification_channel"):
        check_channel({"SNSTopicArn": "x"})  # type: ignore[arg-type]
    channel = rekseg.NotificationChannel(
        sns_topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:AmazonRekognitionX", role_arn=f"arn:aws:iam::{ACCOUNT}:role/r"
    )
    with pytest.raises(rekseg.ValidationError, match="queue_url"):
        check_channel(channel, queue_url="my-queue")


def test_finding_prints_with_its_fix() -> None:
    """str(Finding) shows the outcome, the check, the detail and the one-line fix."""
    finding = Finding(check="queue-policy", outcome=Outcome.PROBLEM, detail="no policy", fix="add one")
    assert str(finding) == "[problem] queue-policy: no policy\n    fix: add one"
    assert finding.problem
    assert not finding.ok
