"""Integrator events beyond matches: policy published / revised / withdrawn, grant confirmed —
signed, delivered once, in the same transaction as the change."""

import hashlib
import hmac
import json

import pytest

from matching.models import WebhookDelivery
from matching.pipeline.deliver import deliveries_send
from policies.services import policy_withdraw
from tests.factories.accounts import SuperuserFactory
from tests.factories.matching import WebhookSubscriptionFactory
from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.django_db


def test_policy_published_and_withdrawn_reach_a_platform_subscription_signed_and_once(
    http_receiver, django_capture_on_commit_callbacks
):
    # given a platform-wide subscription to policy events, and one to matches only
    sub = WebhookSubscriptionFactory(
        enterprise=None, url=http_receiver.url, events=["policy.published", "policy.withdrawn"]
    )
    WebhookSubscriptionFactory(enterprise=None, events=["match.created"])
    policy = PolicyFactory(status="published", criteria={})
    reviewer = SuperuserFactory()
    # when the policy is published (the matching run is scheduled in the same transaction)
    from matching.services import policy_matching_schedule

    with django_capture_on_commit_callbacks(execute=False):
        policy_matching_schedule(policy_id=policy.pk, reason="published")
        policy_matching_schedule(policy_id=policy.pk, reason="published")  # a repeated call
    # then one delivery per run, for the subscription that wants it only
    rows = WebhookDelivery.objects.filter(event="policy.published")
    assert {r.subscription_id for r in rows} == {sub.pk}
    deliveries_send()
    request = http_receiver.requests[0]
    body = json.loads(request["body"])
    assert body["event"] == "policy.published" and body["policy"]["id"] == policy.pk
    timestamp = request["headers"]["X-Portal-Timestamp"]
    expected = hmac.new(
        sub.secret.encode(), f"{timestamp}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    assert request["headers"]["X-Portal-Signature"] == f"sha256={expected}"
    # and withdrawing sends policy.withdrawn
    with django_capture_on_commit_callbacks(execute=False):
        policy_withdraw(policy=policy, actor=reviewer, reason="政策调整")
    assert WebhookDelivery.objects.filter(event="policy.withdrawn", subscription=sub).count() == 1


def test_a_confirmed_grant_is_announced_to_the_enterprises_and_the_platform_subscriptions():
    from matching.pipeline.events import grant_confirmed_emit
    from tests.factories.enterprises import EnterpriseFactory

    enterprise = EnterpriseFactory()
    own = WebhookSubscriptionFactory(enterprise=enterprise, events=["grant.confirmed"])
    platform = WebhookSubscriptionFactory(enterprise=None, events=[])  # all events
    WebhookSubscriptionFactory(enterprise=EnterpriseFactory(), events=["grant.confirmed"])  # someone else's

    class Grant:  # the fields the event reads
        pk, policy_id, amount, period, source, status = 7, 3, "200000.00", "2026", "auto", "awaiting_account"

    grant = Grant()
    grant.enterprise, grant.enterprise_id = enterprise, enterprise.pk
    assert grant_confirmed_emit(grant=grant) == 2
    assert grant_confirmed_emit(grant=grant) == 2  # a retry: same key, no new rows
    rows = WebhookDelivery.objects.filter(event="grant.confirmed")
    assert {r.subscription_id for r in rows} == {own.pk, platform.pk} and rows.count() == 2
    assert rows.first().payload["grant"]["credit_code"] == enterprise.credit_code
