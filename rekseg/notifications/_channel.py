"""`check_channel`: find out, before starting a job, why its completion notification would never arrive.

Each check reads the configuration (SNS, IAM, SQS) and says ok, problem or could-not-check, with the fix in one
line. It changes nothing. Where IAM policy simulation is not allowed (or not implemented, as in moto), the
role's own policies are read and evaluated for ``Allow``/``Deny`` of ``sns:Publish`` on the topic; conditions,
permissions boundaries and organisation policies are then not taken into account, and the finding says so.
"""

from __future__ import annotations

import enum
import json
import re
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

import attrs
import botocore.config
import botocore.exceptions
import botocore.session
from botocore.parsers import ResponseParserError

from .._exceptions import ValidationError
from .._models import NotificationChannel
from .._translate import translate

__all__ = ["MANAGED_POLICY_ARN", "Finding", "Outcome", "check_channel"]

MANAGED_POLICY_ARN: Final = "arn:aws:iam::aws:policy/service-role/AmazonRekognitionServiceRole"
"""The AWS managed policy that lets a role publish to topics named ``AmazonRekognition*``."""
TOPIC_PREFIX: Final = "AmazonRekognition"
_SERVICE: Final = "rekognition.amazonaws.com"
_MAX_PAGES: Final = 100
"""Pages of ListSubscriptionsByTopic or of a role's policies read at most (100 subscriptions a page)."""
_CONFIG: Final = botocore.config.Config(
    retries={"mode": "standard", "total_max_attempts": 2},
    connect_timeout=5,
    read_timeout=20,
    user_agent_extra="rekseg-doctor",
)
_QUEUE_IN_URL: Final = re.compile(r"^https?://[^/]+/(\d{12})/([^/?#]+)/?$")
_REGION_IN_URL: Final = re.compile(r"^https?://sqs[.-]([a-z0-9-]+)\.amazonaws\.com", re.IGNORECASE)


class Outcome(str, enum.Enum):
    """What one check found."""

    OK = "ok"
    PROBLEM = "problem"
    COULD_NOT_CHECK = "could-not-check"

    def __str__(self) -> str:
        return self.value


@attrs.frozen(kw_only=True)
class Finding:
    """The answer of one check of a notification channel.

    Attributes:
        check: Which check: ``topic-region``, ``topic-exists``, ``topic-name``, ``role-trust``,
            ``role-publish``, ``queue-exists``, ``queue-subscribed``, ``queue-policy`` or ``raw-delivery``.
        outcome: ok, problem or could-not-check.
        detail: What was found, in one sentence.
        fix: What to do, in one line (``None`` when there is nothing to do).
    """

    check: str
    outcome: Outcome
    detail: str
    fix: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the check passed."""
        return self.outcome is Outcome.OK

    @property
    def problem(self) -> bool:
        """Whether the check found a problem."""
        return self.outcome is Outcome.PROBLEM

    def __str__(self) -> str:
        text = f"[{self.outcome}] {self.check}: {self.detail}"
        return f"{text}\n    fix: {self.fix}" if self.fix else text


_UNANSWERED: Final = (botocore.exceptions.BotoCoreError, ResponseParserError, OSError)
"""Failures that leave a check undecided: no connection, no credentials, an answer that could not be read."""


class _CouldNotCheck(Exception):
    """A call failed in a way that leaves the check undecided."""


def check_channel(
    notification_channel: NotificationChannel,
    *,
    queue_url: str | None = None,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    profile_name: str | None = None,
    sns_client: Any = None,
    iam_client: Any = None,
    sqs_client: Any = None,
) -> list[Finding]:
    """Check that the service can publish a job's completion to the topic, and that the queue will get it.

    Checks: the topic exists and is in the jobs' region; its name starts with ``AmazonRekognition`` when the
    role relies on the managed AmazonRekognitionServiceRole policy; the role's trust policy lets
    ``rekognition.amazonaws.com`` assume it; the role may ``sns:Publish`` to the topic; and, with
    ``queue_url``, the queue exists, is subscribed to the topic, its policy lets the topic send, and whether
    raw message delivery is on. Nothing is changed.

    Args:
        notification_channel: The topic and role given to `rekseg.Client.start`.
        queue_url: The SQS queue that should receive the notifications.
        region_name: The region jobs are started in; default your AWS configuration's.
        endpoint_url: One endpoint for SNS, IAM and SQS (a moto server, LocalStack), when rekseg builds the clients.
        profile_name: Named AWS profile, when rekseg builds the clients.
        sns_client: An existing botocore ``sns`` client (in the topic's region).
        iam_client: An existing botocore ``iam`` client.
        sqs_client: An existing botocore ``sqs`` client (in the queue's region).

    Returns:
        One `Finding` per check, in the order above.

    Raises:
        ValidationError: ``notification_channel`` is not a `rekseg.NotificationChannel`, or ``queue_url`` is
            not a queue URL.
        ConfigurationError: No AWS credentials (or no such profile) for the clients rekseg builds.
    """
    if not isinstance(notification_channel, NotificationChannel):
        raise ValidationError(
            "notification_channel",
            "must be a rekseg.NotificationChannel(sns_topic_arn=..., role_arn=...)",
            notification_channel,
        )
    if queue_url is not None and (not isinstance(queue_url, str) or _QUEUE_IN_URL.match(queue_url) is None):
        raise ValidationError("queue_url", "must be an SQS queue URL ending in /ACCOUNT/NAME", queue_url)
    topic_arn = notification_channel.sns_topic_arn
    topic_region = topic_arn.split(":")[3]
    clients = _Clients(region_name=region_name, endpoint_url=endpoint_url, profile_name=profile_name)
    if sns_client is None or iam_client is None or (queue_url is not None and sqs_client is None):
        clients.require_credentials()
    region = region_name or clients.default_region()
    sns = sns_client if sns_client is not None else clients.make("sns", topic_region or region)
    iam = iam_client if iam_client is not None else clients.make("iam", region or "us-east-1")

    findings = [_topic_region(topic_region, region), _guard("topic-exists", lambda: _topic_exists(sns, topic_arn))]
    role = _Role(iam, notification_channel.role_arn)
    findings.append(_guard("topic-name", lambda: _topic_name(role, topic_arn)))
    findings.append(_guard("role-trust", lambda: _role_trust(role)))
    findings.append(_guard("role-publish", lambda: _role_publish(role, topic_arn)))
    if queue_url is None:
        return findings
    queue_region = _region_of_queue(queue_url) or region
    sqs = sqs_client if sqs_client is not None else clients.make("sqs", queue_region)
    queue = _Queue(sqs, sns, queue_url, topic_arn)
    findings.append(_guard("queue-exists", queue.exists))
    findings.append(_guard("queue-subscribed", queue.subscribed))
    findings.append(_guard("queue-policy", queue.policy))
    findings.append(_guard("raw-delivery", queue.raw_delivery))
    return findings


# -- clients and errors ------------------------------------------------------------------------------------


class _Clients:
    def __init__(self, *, region_name: str | None, endpoint_url: str | None, profile_name: str | None) -> None:
        self._session = botocore.session.Session(profile=profile_name)
        self._endpoint_url = endpoint_url
        self._region_name = region_name

    def require_credentials(self) -> None:
        """Raise `ConfigurationError` now rather than report every check as could-not-check."""
        try:
            found = self._session.get_credentials()
        except botocore.exceptions.BotoCoreError as exc:
            raise translate(exc, operation="CreateClient") from exc
        if found is None:
            error = botocore.exceptions.NoCredentialsError()
            raise translate(error, operation="CreateClient") from error

    def default_region(self) -> str | None:
        try:
            region = self._session.get_config_variable("region")
        except botocore.exceptions.BotoCoreError:
            return None
        return str(region) if region else None

    def make(self, service: str, region: str | None) -> Any:
        try:
            return self._session.create_client(
                service, region_name=region, endpoint_url=self._endpoint_url, config=_CONFIG
            )
        except botocore.exceptions.BotoCoreError as exc:
            return _Unusable(f"cannot make an {service} client: {exc}")


class _Unusable:
    """Stands in for a client that could not be made: every call says why."""

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def fail(**_params: Any) -> Any:
            raise _CouldNotCheck(self._reason)

        return fail


def _code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _call(method: Callable[..., Any], what: str, **params: Any) -> Any:
    """Make one read call; an answer that leaves the check undecided raises `_CouldNotCheck`."""
    try:
        return method(**params)
    except botocore.exceptions.ClientError as exc:
        raise _CouldNotCheck(
            f"{what} failed: {_code(exc)}: {exc.response.get('Error', {}).get('Message', '')}"
        ) from exc
    except _UNANSWERED as exc:
        raise _CouldNotCheck(f"{what} failed: {exc}") from exc


def _guard(check: str, run: Callable[[], Finding]) -> Finding:
    try:
        return run()
    except _NoRole as exc:
        return Finding(
            check=check, outcome=Outcome.COULD_NOT_CHECK, detail=f"no role {exc.arn} to read (see role-trust)"
        )
    except _CouldNotCheck as exc:
        return Finding(
            check=check,
            outcome=Outcome.COULD_NOT_CHECK,
            detail=str(exc),
            fix="run with credentials that may read SNS, IAM and SQS configuration, or check this by hand",
        )


# -- the topic ---------------------------------------------------------------------------------------------


def _topic_region(topic_region: str, region: str | None) -> Finding:
    if region is None:
        return Finding(
            check="topic-region",
            outcome=Outcome.COULD_NOT_CHECK,
            detail=f"the topic is in {topic_region}, but no region is configured for the jobs",
            fix="pass region_name= (or --region), or set AWS_DEFAULT_REGION",
        )
    if topic_region != region:
        return Finding(
            check="topic-region",
            outcome=Outcome.PROBLEM,
            detail=f"the topic is in {topic_region} but jobs start in {region}; Rekognition publishes only "
            "to a topic in the job's region",
            fix=f"create the topic in {region}, or start the jobs in {topic_region}",
        )
    return Finding(check="topic-region", outcome=Outcome.OK, detail=f"the topic is in the jobs' region, {region}")


def _topic_exists(sns: Any, topic_arn: str) -> Finding:
    try:
        sns.get_topic_attributes(TopicArn=topic_arn)
    except botocore.exceptions.ClientError as exc:
        if _code(exc) in ("NotFound", "NotFoundException"):
            name = topic_arn.rsplit(":", 1)[-1]
            return Finding(
                check="topic-exists",
                outcome=Outcome.PROBLEM,
                detail=f"no topic {topic_arn}",
                fix=f"aws sns create-topic --name {name} --region {topic_arn.split(':')[3]}",
            )
        raise _CouldNotCheck(f"GetTopicAttributes failed: {_code(exc)}") from exc
    except _UNANSWERED as exc:
        raise _CouldNotCheck(f"GetTopicAttributes failed: {exc}") from exc
    return Finding(check="topic-exists", outcome=Outcome.OK, detail=f"the topic {topic_arn} exists")


def _topic_name(role: _Role, topic_arn: str) -> Finding:
    name = topic_arn.rsplit(":", 1)[-1]
    if name.startswith(TOPIC_PREFIX):
        return Finding(check="topic-name", outcome=Outcome.OK, detail=f"the topic name begins with {TOPIC_PREFIX}")
    if MANAGED_POLICY_ARN not in role.attached_arns():
        return Finding(
            check="topic-name",
            outcome=Outcome.OK,
            detail=f"the topic name does not begin with {TOPIC_PREFIX}, which is fine: the role does not rely on "
            "the managed AmazonRekognitionServiceRole policy",
        )
    return Finding(
        check="topic-name",
        outcome=Outcome.PROBLEM,
        detail=f"the role relies on the managed AmazonRekognitionServiceRole policy, which allows publishing only "
        f"to topics named {TOPIC_PREFIX}*, and the topic is named {name}",
        fix=f"use a topic named {TOPIC_PREFIX}{name}, or give the role a policy allowing sns:Publish on {topic_arn}",
    )


# -- the role ----------------------------------------------------------------------------------------------


class _Role:
    """The role, read lazily and once."""

    def __init__(self, iam: Any, role_arn: str) -> None:
        self.iam = iam
        self.arn = role_arn
        self.name = role_arn.rsplit("/", 1)[-1]
        self._role: Mapping[str, Any] | None = None
        self._attached: list[str] | None = None

    def get(self) -> Mapping[str, Any]:
        if self._role is None:
            try:
                self._role = self.iam.get_role(RoleName=self.name)["Role"]
            except botocore.exceptions.ClientError as exc:
                if _code(exc) == "NoSuchEntity":
                    raise _NoRole(self.arn) from exc
                raise _CouldNotCheck(f"GetRole failed: {_code(exc)}") from exc
            except _UNANSWERED as exc:
                raise _CouldNotCheck(f"GetRole failed: {exc}") from exc
        return self._role

    def attached_arns(self) -> list[str]:
        if self._attached is None:
            self.get()
            arns: list[str] = []
            for page in _pages(self.iam.list_attached_role_policies, "ListAttachedRolePolicies", RoleName=self.name):
                arns.extend(str(p["PolicyArn"]) for p in page.get("AttachedPolicies", []))
            self._attached = arns
        return self._attached

    def documents(self) -> Iterator[tuple[str, Any]]:
        """Yield (policy name, document) of every attached and inline policy."""
        for arn in self.attached_arns():
            policy = _call(self.iam.get_policy, "GetPolicy", PolicyArn=arn)["Policy"]
            version = _call(
                self.iam.get_policy_version, "GetPolicyVersion", PolicyArn=arn, VersionId=policy["DefaultVersionId"]
            )
            yield arn, _document(version["PolicyVersion"]["Document"])
        for page in _pages(self.iam.list_role_policies, "ListRolePolicies", RoleName=self.name):
            for name in page.get("PolicyNames", []):
                inline = _call(self.iam.get_role_policy, "GetRolePolicy", RoleName=self.name, PolicyName=name)
                yield name, _document(inline["PolicyDocument"])


class _NoRole(_CouldNotCheck):
    def __init__(self, arn: str) -> None:
        self.arn = arn
        super().__init__(f"no role {arn}")


def _no_role(check: str, exc: _NoRole) -> Finding:
    return Finding(
        check=check,
        outcome=Outcome.PROBLEM,
        detail=f"no role {exc.arn}",
        fix="create the role (IAM console: Roles > Create role > AWS service > Rekognition), or fix the ARN",
    )


def _role_trust(role: _Role) -> Finding:
    try:
        document = _document(role.get().get("AssumeRolePolicyDocument"))
    except _NoRole as exc:
        return _no_role("role-trust", exc)
    for statement in _statements(document):
        if (
            statement.get("Effect") == "Allow"
            and _any_matches(statement.get("Action"), "sts:AssumeRole", ignore_case=True)
            and _principal_is(statement.get("Principal"), _SERVICE)
        ):
            return Finding(check="role-trust", outcome=Outcome.OK, detail=f"{_SERVICE} may assume the role")
    return Finding(
        check="role-trust",
        outcome=Outcome.PROBLEM,
        detail=f"the role's trust policy does not let {_SERVICE} assume it",
        fix='add to its trust policy: {"Effect": "Allow", "Principal": {"Service": "rekognition.amazonaws.com"}, '
        '"Action": "sts:AssumeRole"}',
    )


def _role_publish(role: _Role, topic_arn: str) -> Finding:
    fix = f"attach a policy allowing sns:Publish on {topic_arn} to the role"
    try:
        role.get()
    except _NoRole as exc:
        return _no_role("role-publish", exc)
    simulated = _simulate(role, topic_arn)
    if simulated is not None:
        if simulated:
            return Finding(
                check="role-publish", outcome=Outcome.OK, detail="IAM policy simulation: the role may publish"
            )
        return Finding(
            check="role-publish",
            outcome=Outcome.PROBLEM,
            detail="IAM policy simulation: the role may not publish to the topic",
            fix=fix,
        )
    allowed_by: str | None = None
    for name, document in role.documents():
        for statement in _statements(document):
            if not _covers(statement, "sns:Publish", topic_arn):
                continue
            if statement.get("Effect") == "Deny":
                return Finding(
                    check="role-publish",
                    outcome=Outcome.PROBLEM,
                    detail=f"the role's policy {name} denies sns:Publish on the topic",
                    fix=f"remove the Deny of sns:Publish on {topic_arn} from {name}",
                )
            if statement.get("Effect") == "Allow" and allowed_by is None:
                allowed_by = name
    if allowed_by is not None:
        return Finding(
            check="role-publish",
            outcome=Outcome.OK,
            detail=f"the role's policy {allowed_by} allows sns:Publish on the topic (read from the policies; "
            "conditions, boundaries and organisation policies not evaluated)",
        )
    return Finding(
        check="role-publish",
        outcome=Outcome.PROBLEM,
        detail="none of the role's policies allows sns:Publish on the topic",
        fix=fix,
    )


def _simulate(role: _Role, topic_arn: str) -> bool | None:
    """Ask IAM's policy simulator; ``None`` when it may not or cannot answer."""
    try:
        answer = role.iam.simulate_principal_policy(
            PolicySourceArn=role.arn, ActionNames=["sns:Publish"], ResourceArns=[topic_arn]
        )
    except Exception:  # noqa: BLE001 -- simulation is a bonus: any failure falls back to reading the policies
        return None
    results = answer.get("EvaluationResults") or []
    if not results:
        return None
    return all(r.get("EvalDecision") == "allowed" for r in results)


# -- the queue ---------------------------------------------------------------------------------------------


class _Queue:
    def __init__(self, sqs: Any, sns: Any, queue_url: str, topic_arn: str) -> None:
        self.sqs = sqs
        self.sns = sns
        self.url = queue_url
        self.topic_arn = topic_arn
        self._attributes: Mapping[str, str] | None = None
        self._subscription: Mapping[str, Any] | None = None
        self._looked_up = False

    def attributes(self) -> Mapping[str, str]:
        if self._attributes is None:
            answer = _call(
                self.sqs.get_queue_attributes,
                "GetQueueAttributes",
                QueueUrl=self.url,
                AttributeNames=["QueueArn", "Policy"],
            )
            self._attributes = answer.get("Attributes", {})
        return self._attributes

    def arn(self) -> str:
        arn = self.attributes().get("QueueArn")
        if not arn:
            raise _CouldNotCheck("GetQueueAttributes gave no QueueArn")
        return arn

    def exists(self) -> Finding:
        try:
            self.attributes()
        except _CouldNotCheck as exc:
            cause = exc.__cause__
            if isinstance(cause, botocore.exceptions.ClientError) and "NonExistentQueue" in _code(cause):
                self._attributes = None
                return Finding(
                    check="queue-exists",
                    outcome=Outcome.PROBLEM,
                    detail=f"no queue {self.url}",
                    fix=f"aws sqs create-queue --queue-name {self.url.rstrip('/').rsplit('/', 1)[-1]}",
                )
            raise
        return Finding(check="queue-exists", outcome=Outcome.OK, detail=f"the queue {self.arn()} exists")

    def subscription(self) -> Mapping[str, Any] | None:
        if not self._looked_up:
            arn = self.arn()
            for page in _pages(
                self.sns.list_subscriptions_by_topic, "ListSubscriptionsByTopic", TopicArn=self.topic_arn
            ):
                for sub in page.get("Subscriptions", []):
                    if sub.get("Protocol") == "sqs" and sub.get("Endpoint") == arn:
                        self._subscription = sub
                        break
            self._looked_up = True
        return self._subscription

    def subscribed(self) -> Finding:
        sub = self.subscription()
        if sub is None:
            return Finding(
                check="queue-subscribed",
                outcome=Outcome.PROBLEM,
                detail="the queue is not subscribed to the topic",
                fix=f"aws sns subscribe --topic-arn {self.topic_arn} --protocol sqs "
                f"--notification-endpoint {self.arn()}",
            )
        if sub.get("SubscriptionArn") in (None, "", "PendingConfirmation"):
            return Finding(
                check="queue-subscribed",
                outcome=Outcome.PROBLEM,
                detail="the queue's subscription is pending confirmation",
                fix="confirm it in the SNS console (rekseg never follows a SubscribeURL)",
            )
        return Finding(check="queue-subscribed", outcome=Outcome.OK, detail="the queue is subscribed to the topic")

    def policy(self) -> Finding:
        arn = self.arn()
        fix = (
            f'add to the queue policy: {{"Effect": "Allow", "Principal": {{"Service": "sns.amazonaws.com"}}, '
            f'"Action": "sqs:SendMessage", "Resource": "{arn}", '
            f'"Condition": {{"ArnEquals": {{"aws:SourceArn": "{self.topic_arn}"}}}}}}'
        )
        text = self.attributes().get("Policy")
        if not text:
            return Finding(
                check="queue-policy",
                outcome=Outcome.PROBLEM,
                detail="the queue has no access policy, so SNS may not send to it",
                fix=fix,
            )
        document = _document(text)
        for statement in _statements(document):
            if (
                statement.get("Effect") == "Allow"
                and _principal_is(statement.get("Principal"), "sns.amazonaws.com")
                and _covers(statement, "sqs:SendMessage", arn)
                and _source_allows(statement.get("Condition"), self.topic_arn)
            ):
                return Finding(check="queue-policy", outcome=Outcome.OK, detail="the queue policy lets the topic send")
        return Finding(
            check="queue-policy",
            outcome=Outcome.PROBLEM,
            detail="the queue policy does not let the topic send (sqs:SendMessage from sns.amazonaws.com)",
            fix=fix,
        )

    def raw_delivery(self) -> Finding:
        sub = self.subscription()
        if sub is None or sub.get("SubscriptionArn") in (None, "", "PendingConfirmation"):
            return Finding(
                check="raw-delivery",
                outcome=Outcome.COULD_NOT_CHECK,
                detail="no confirmed subscription of the queue to look at",
                fix="subscribe the queue first (see queue-subscribed)",
            )
        attributes = _call(
            self.sns.get_subscription_attributes, "GetSubscriptionAttributes", SubscriptionArn=sub["SubscriptionArn"]
        ).get("Attributes", {})
        if str(attributes.get("RawMessageDelivery", "false")).lower() == "true":
            detail = "raw message delivery is on: each SQS body is the Rekognition message itself"
        else:
            detail = "raw message delivery is off: each SQS body is the SNS envelope, whose Message is the JSON text"
        return Finding(
            check="raw-delivery", outcome=Outcome.OK, detail=f"{detail} (parse_notifications reads both forms)"
        )


# -- policy documents --------------------------------------------------------------------------------------


def _document(value: object) -> Mapping[str, Any]:
    """A policy document as a dict: IAM hands them out URL-encoded, botocore usually decodes them."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str):
        for text in (value, urllib.parse.unquote(value)):
            try:
                decoded = json.loads(text)
            except ValueError:
                continue
            if isinstance(decoded, Mapping):
                return decoded
    raise _CouldNotCheck("a policy document could not be read")


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = document.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    return [s for s in statements if isinstance(s, Mapping)] if isinstance(statements, list) else []


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _wildcard(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _any_matches(patterns: object, value: str, *, ignore_case: bool = False) -> bool:
    return any(_wildcard(p, value, ignore_case=ignore_case) for p in _as_list(patterns))


def _covers(statement: Mapping[str, Any], action: str, resource: str) -> bool:
    """Whether the statement applies to ``action`` on ``resource`` (Effect aside)."""
    if "NotAction" in statement:
        if _any_matches(statement["NotAction"], action, ignore_case=True):
            return False
    elif not _any_matches(statement.get("Action"), action, ignore_case=True):
        return False
    if "NotResource" in statement:
        return not _any_matches(statement["NotResource"], resource)
    if "Resource" not in statement:
        return True  # resource policies (a queue's) may leave it out: the resource itself
    return _any_matches(statement["Resource"], resource)


def _principal_is(principal: object, service: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    if "*" in _as_list(principal.get("AWS")):
        return True
    return service in _as_list(principal.get("Service"))


def _source_allows(condition: object, topic_arn: str) -> bool:
    """Whether a condition block lets messages from ``topic_arn`` through (``aws:SourceArn`` tests only)."""
    if not isinstance(condition, Mapping):
        return True
    for operator, tests in condition.items():
        if not isinstance(tests, Mapping):
            continue
        for key, expected in tests.items():
            if str(key).lower() != "aws:sourcearn":
                continue
            like = "like" in str(operator).lower()
            values = _as_list(expected)
            if like and not any(_wildcard(v, topic_arn) for v in values):
                return False
            if not like and topic_arn not in values:
                return False
    return True


def _region_of_queue(queue_url: str) -> str | None:
    match = _REGION_IN_URL.match(queue_url)
    return match.group(1) if match else None


def _pages(method: Callable[..., Any], what: str, **params: Any) -> Iterator[Mapping[str, Any]]:
    """Yield the pages of a listing, following its token (IAM's Marker, SNS's NextToken) a bounded number of times."""
    marker: dict[str, str] = {}
    for _ in range(_MAX_PAGES):
        page = _call(method, what, **params, **marker)
        yield page
        if page.get("IsTruncated") and page.get("Marker"):
            marker = {"Marker": str(page["Marker"])}
        elif page.get("NextToken"):
            marker = {"NextToken": str(page["NextToken"])}
        else:
            return
