"""A saved search is told about each newly published policy it selects: once, only after its
address is confirmed, through the outbox, with the amount, deadline, next step and RFC 8058
one-click unsubscribe."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from matching.models import Delivery, DeliveryStatus
from subscriptions.models import Subscription, SubscriptionAlert

pytestmark = pytest.mark.django_db


def _alerts(outbox):
    return [m for m in outbox if m.subject.startswith("新政策")]


def test_the_confirmation_mail_goes_out_through_the_outbox_with_a_signed_link(subscribe):
    # when a visitor saves a search
    sub = subscribe(q="智能制造", confirm=False)
    # then one confirmation mail, recorded as a delivery, and nothing confirmed yet
    (message,) = mail.outbox
    assert message.to == ["reader@example.com"] and "确认" in message.subject
    assert "https://zc.example.gov.cn/subscriptions/confirm/" in message.body
    assert "List-Unsubscribe" not in message.extra_headers
    delivery = Delivery.objects.get(event="subscription.confirm")
    assert delivery.status == DeliveryStatus.SENT and delivery.recipient == "reader@example.com"
    assert Subscription.objects.get(pk=sub.pk).confirmed_at is None


def test_no_alert_before_confirmation(subscribe, publish):
    # given a saved search whose address is not confirmed
    subscribe(q="智能制造", confirm=False)
    mail.outbox.clear()
    # when a policy it selects is published
    publish(title="智能制造设备补贴")
    # then nothing is sent and nothing is recorded as told
    assert _alerts(mail.outbox) == []
    assert not SubscriptionAlert.objects.exists()


def test_a_confirmed_search_gets_one_alert_with_amount_deadline_next_step_and_one_click_unsubscribe(
    subscribe, publish
):
    sub = subscribe(q="智能制造")
    policy = publish(title="智能制造设备补贴", amount="300000")
    (alert,) = _alerts(mail.outbox)
    assert alert.to == ["reader@example.com"] and "智能制造设备补贴" in alert.subject
    body = alert.body
    assert "确定可享（定额）：30万元" in body
    assert f"申报截止：{policy.apply_end.isoformat()}" in body
    assert f"下一步：在线申报 https://zc.example.gov.cn/applications/apply/{policy.pk}/" in body
    assert "关键词「智能制造」" in body  # why it was sent
    assert f"https://zc.example.gov.cn/subscriptions/manage/{sub.token}/" in body
    unsubscribe = f"https://zc.example.gov.cn/subscriptions/unsubscribe/{sub.token}/"
    assert alert.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert alert.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        SubscriptionAlert.objects.get(subscription=sub, policy=policy).delivery.status == DeliveryStatus.SENT
    )


def test_an_auto_grant_policy_says_no_application_is_needed(subscribe, publish):
    subscribe(q="免申")
    publish(title="免申即享稳岗奖励", auto_grant=True)
    (alert,) = _alerts(mail.outbox)
    assert "下一步：免申即享，无需申报" in alert.body
    assert "/applications/apply/" not in alert.body


def test_no_duplicate_alert_when_the_policy_is_published_again(
    subscribe, publish, city, django_capture_on_commit_callbacks
):
    from policies.services import policy_publish, policy_reopen, policy_submit, policy_withdraw
    from subscriptions.services import policy_alerts_create

    subscribe(q="智能制造")
    policy = publish(title="智能制造设备补贴")
    assert len(_alerts(mail.outbox)) == 1
    # when it is withdrawn, revised and published again, and the task runs once more
    with django_capture_on_commit_callbacks(execute=True):
        policy_withdraw(policy=policy, actor=city.reviewer, reason="修订")
        policy_reopen(policy=policy, actor=city.drafter)
        policy_submit(policy=policy, actor=city.drafter)
        policy_publish(policy=policy, actor=city.reviewer)
    assert policy_alerts_create(policy_id=policy.pk) == 0
    # then the subscriber was told once
    assert len(_alerts(mail.outbox)) == 1
    assert SubscriptionAlert.objects.count() == 1


def test_a_policy_the_search_does_not_select_sends_nothing(subscribe, publish):
    subscribe(q="人才公寓")
    subscribe(email="loans@example.com", filters={"benefit_type": "finance"})
    publish(title="智能制造设备补贴")
    assert _alerts(mail.outbox) == []
    assert not SubscriptionAlert.objects.exists()


def test_an_unsubscribed_search_is_not_alerted_and_a_queued_alert_is_not_sent(subscribe, publish, city):
    from subscriptions.services import subscription_unsubscribe

    gone = subscribe(email="gone@example.com", q="智能制造")
    subscription_unsubscribe(token=gone.token)
    publish(title="智能制造设备补贴")
    assert _alerts(mail.outbox) == []


def test_one_click_unsubscribe_needs_no_csrf_token_or_login(subscribe, publish):
    sub = subscribe(q="智能制造")
    client = Client(enforce_csrf_checks=True)
    url = reverse("subscriptions:unsubscribe", args=[sub.token])
    # a GET only asks
    page = client.get(url)
    assert page.status_code == 200 and "确认退订" in page.content.decode()
    assert Subscription.objects.get(pk=sub.pk).unsubscribed_at is None
    # the mail client's POST unsubscribes
    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Subscription.objects.get(pk=sub.pk).unsubscribed_at is not None
    publish(title="智能制造设备补贴")
    assert _alerts(mail.outbox) == []
    # an unknown token is a 404
    assert client.post(reverse("subscriptions:unsubscribe", args=["nope"])).status_code == 404


def test_a_forged_or_tampered_confirmation_link_confirms_nothing(subscribe, client):
    sub = subscribe(confirm=False)
    signed = mail.outbox[0].body.split("/subscriptions/confirm/")[1].split("/")[0]
    assert client.post(reverse("subscriptions:confirm", args=[signed[:-2] + "xx"])).status_code == 404
    assert Subscription.objects.get(pk=sub.pk).confirmed_at is None
    # the GET (what a mail scanner opens) confirms nothing either
    assert client.get(reverse("subscriptions:confirm", args=[signed])).status_code == 200
    assert Subscription.objects.get(pk=sub.pk).confirmed_at is None
    response = client.post(reverse("subscriptions:confirm", args=[signed]))
    assert response.status_code == 302
    assert Subscription.objects.get(pk=sub.pk).confirmed_at is not None


def test_a_policy_published_before_the_subscription_was_confirmed_is_not_new_to_it(publish, subscribe):
    from subscriptions.services import policy_alerts_create

    policy = publish(title="智能制造设备补贴")
    subscribe(q="智能制造")
    assert policy_alerts_create(policy_id=policy.pk) == 0
    assert _alerts(mail.outbox) == []


def test_the_hourly_repair_alerts_a_publication_whose_task_was_lost(
    subscribe, publish, monkeypatch, django_capture_on_commit_callbacks
):
    from subscriptions import tasks
    from subscriptions.services import policy_alerts_repair

    subscribe(q="智能制造")
    # given the broker lost the alert task of a publication
    monkeypatch.setattr(tasks.policy_alerts, "apply_async", lambda *a, **k: None)
    publish(title="智能制造设备补贴")
    assert _alerts(mail.outbox) == []
    # when the repair runs (twice), then the subscriber is told once
    with django_capture_on_commit_callbacks(execute=True):
        assert policy_alerts_repair() == 1
        assert policy_alerts_repair() == 0
    assert len(_alerts(mail.outbox)) == 1
