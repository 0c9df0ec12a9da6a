"""From the outbox to the wire: planning, digests, claiming, retries, dead letters, channels."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from matching.channels import TransportError, sms, webhook
from matching.models import Delivery, Match, Notification, WebhookDelivery
from matching.pipeline import deliver
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.matching import (
    ChannelPreferenceFactory,
    DeliveryFactory,
    NotificationFactory,
    WebhookSubscriptionFactory,
)
from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.django_db


def _email_notice(enterprise, policy, **kw):
    return NotificationFactory(enterprise=enterprise, policy=policy, channel="email", **kw)


def test_plan_gives_one_delivery_per_notification_when_only_one_arrives():
    # given an enterprise with e-mail on and one new e-mail notice
    ent = EnterpriseFactory()
    ChannelPreferenceFactory(enterprise=ent, digest=True)
    n = _email_notice(ent, PolicyFactory(status="published"))
    # when
    created = deliver._plan_batch(limit=100)
    # then
    assert created == 1
    n.refresh_from_db()
    assert n.delivery is not None and not n.delivery.digest
    assert n.delivery.recipient == ent.channel_preference.email_address


def test_many_policies_at_once_become_one_digest_per_channel_and_inapp_rows_stay_individual():
    # given five policies arriving for one enterprise on e-mail and in-app
    ent = EnterpriseFactory()
    ChannelPreferenceFactory(enterprise=ent, digest=True)
    policies = [PolicyFactory(status="published") for _ in range(5)]
    for p in policies:
        _email_notice(ent, p)
        NotificationFactory(enterprise=ent, policy=p, channel="inapp")
    # when
    deliver._plan_batch(limit=100)
    # then one digest delivery carries all five e-mail notices; in-app rows are untouched
    deliveries = list(Delivery.objects.filter(enterprise_id=ent.pk))
    assert len(deliveries) == 1 and deliveries[0].digest
    assert Notification.objects.filter(delivery=deliveries[0]).count() == 5
    assert (
        Notification.objects.filter(channel="inapp", enterprise_id=ent.pk, delivery__isnull=True).count() == 5
    )


def test_digest_off_sends_each_notice_separately():
    ent = EnterpriseFactory()
    ChannelPreferenceFactory(enterprise=ent, digest=False)
    for _ in range(3):
        _email_notice(ent, PolicyFactory(status="published"))
    deliver._plan_batch(limit=100)
    assert Delivery.objects.filter(enterprise_id=ent.pk, digest=False).count() == 3


def test_email_push_says_policy_why_amount_deadline_and_link(settings):
    # given an eligible match with an amount and a deadline
    settings.SITE_URL = "https://policy.example.gov.cn"
    ent = EnterpriseFactory()
    ChannelPreferenceFactory(enterprise=ent, email_address="boss@example.com")
    policy = PolicyFactory(status="published", title="研发费用补助", apply_end=date(2026, 12, 31))
    Match.objects.create(
        policy=policy, enterprise=ent, status="eligible", amount=Decimal("300000"), matched_at=timezone.now()
    )
    _email_notice(ent, policy)
    # when
    deliver.deliveries_plan()
    deliver.deliveries_send()
    # then
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert "研发费用补助" in msg.subject
    assert "30万元" in msg.body and "2026-12-31" in msg.body
    assert f"https://policy.example.gov.cn/policy/{policy.pk}/" in msg.body
    assert "/matching/unsubscribe/" in msg.extra_headers["List-Unsubscribe"]
    d = Delivery.objects.get(enterprise_id=ent.pk)
    assert d.status == "sent" and d.attempts == 1 and d.duration_ms is not None


def test_a_claimed_delivery_is_not_claimed_again():
    d = DeliveryFactory()
    first, _at = deliver._claim(limit=10)
    second, _at = deliver._claim(limit=10)
    assert first == [d.pk] and second == []
    d.refresh_from_db()
    assert d.status == "sending" and d.attempts == 1


def test_transient_error_is_retried_with_exponential_backoff_then_dead(settings, monkeypatch):
    # given a transport that always times out
    settings.MATCH_DELIVERY_MAX_ATTEMPTS = 3
    settings.MATCH_DELIVERY_BACKOFF_SECONDS = 10

    def flaky(*a, **k):
        raise TransportError("timeout", retryable=True)

    monkeypatch.setattr("matching.pipeline.deliver.transport_for", lambda channel: flaky)
    ent = EnterpriseFactory()
    ChannelPreferenceFactory(enterprise=ent)
    _email_notice(ent, PolicyFactory(status="published"))
    deliver._plan_batch(limit=10)
    d = Delivery.objects.get()
    waits = []
    for _ in range(3):
        Delivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        deliver.deliveries_send()
        d.refresh_from_db()
        waits.append((d.next_attempt_at - before).total_seconds())
    # then 10 s, 20 s, and the third failure is the last: dead, reason kept
    assert 9 <= waits[0] <= 11 and 19 <= waits[1] <= 21
    assert d.status == "dead" and d.attempts == 3 and d.error == "timeout"


def test_permanent_error_marks_failed_with_reason_and_admin_retry_requeues():
    ent = EnterpriseFactory()
    ChannelPreferenceFactory(
        enterprise=ent, email=True, email_address="boss@example.com", sms=True, sms_phone="12345"
    )
    n = NotificationFactory(enterprise=ent, policy=PolicyFactory(status="published"), channel="sms")
    deliver.deliveries_plan()
    deliver.deliveries_send()
    d = Delivery.objects.get(pk=Notification.objects.get(pk=n.pk).delivery_id)
    assert d.status == "failed" and "invalid mobile number" in d.error
    # when an official retries it from the admin
    assert deliver.delivery_retry(delivery_ids=[d.pk]) == 1
    d.refresh_from_db()
    assert d.status == "pending" and d.attempts == 0


def test_unsubscribed_enterprise_is_not_mailed():
    from matching.services import unsubscribe_by_token

    ent = EnterpriseFactory()
    pref = ChannelPreferenceFactory(enterprise=ent)
    _email_notice(ent, PolicyFactory(status="published"))
    unsubscribe_by_token(token=pref.unsubscribe_token)
    deliver.deliveries_plan()
    deliver.deliveries_send()
    assert mail.outbox == []
    assert Delivery.objects.get().status == "failed"


def test_sms_logging_backend_records_a_short_text():
    ent = EnterpriseFactory()
    ChannelPreferenceFactory(enterprise=ent, email=False, sms=True, sms_phone="138-1234-5678")
    policy = PolicyFactory(status="published", title="稳岗返还")
    NotificationFactory(enterprise=ent, policy=policy, channel="sms")
    sms.SENT.clear()
    deliver.deliveries_plan()
    deliver.deliveries_send()
    assert len(sms.SENT) == 1
    phone, text = sms.SENT[0]
    assert phone == "13812345678" and "稳岗返还" in text and f"/policy/{policy.pk}/" in text


def test_http_sms_gateway_posts_with_key_and_classifies_errors(http_receiver):
    backend = sms.HttpSmsGatewayBackend(url=http_receiver.url, key="k-123")
    backend.send("13812345678", "你好")
    req = http_receiver.requests[0]
    assert req["headers"]["Authorization"] == "Bearer k-123"
    assert json.loads(req["body"]) == {"phone": "13812345678", "text": "你好"}
    http_receiver.statuses = [503, 400]
    with pytest.raises(TransportError) as transient:
        backend.send("13812345678", "x")
    with pytest.raises(TransportError) as permanent:
        backend.send("13812345678", "x")
    assert transient.value.retryable and not permanent.value.retryable


def test_webhook_body_is_signed_with_the_subscription_secret(http_receiver):
    # given an enterprise with the webhook channel and a subscription
    ent = EnterpriseFactory()
    ChannelPreferenceFactory(enterprise=ent, email=False, webhook=True)
    sub = WebhookSubscriptionFactory(enterprise=ent, url=http_receiver.url, secret="s3cret")
    policy = PolicyFactory(status="published")
    NotificationFactory(enterprise=ent, policy=policy, channel="webhook")
    # when (one run of the delivery task fans the push out to the subscription and posts it)
    deliver.deliveries_plan()
    deliver.deliveries_send()
    # then the receiver can verify the signature over timestamp + body
    req = http_receiver.requests[0]
    h = req["headers"]
    assert webhook.verify("s3cret", h["X-Portal-Timestamp"], req["body"], h["X-Portal-Signature"])
    assert not webhook.verify("other", h["X-Portal-Timestamp"], req["body"], h["X-Portal-Signature"])
    assert json.loads(req["body"])["items"][0]["policy_id"] == policy.pk
    wd = WebhookDelivery.objects.get(subscription=sub)
    assert wd.status == "sent" and wd.response_code == 200


def test_webhook_5xx_is_retried_later(http_receiver):
    ent = EnterpriseFactory()
    sub = WebhookSubscriptionFactory(enterprise=ent, url=http_receiver.url)
    wd = WebhookDelivery.objects.create(
        subscription=sub,
        event="match.created",
        event_key="k1",
        payload={"a": 1},
        next_attempt_at=timezone.now(),
    )
    http_receiver.statuses = [502]
    deliver.deliveries_send()
    wd.refresh_from_db()
    assert (
        wd.status == "pending"
        and wd.attempts == 1
        and wd.next_attempt_at > timezone.now() + timedelta(seconds=5)
    )
    assert "502" in wd.error
