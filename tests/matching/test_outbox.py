"""One outbox: webhooks are claimed like every other delivery (repair never re-queues a row that
is being sent), inbox messages go out on the enterprise's channels, and a broker that is down
delays a message, loses none."""

import contextlib
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from inbox.services import message_send
from matching import tasks
from matching.channels import TransportError, sms, webhook
from matching.models import Delivery, WebhookDelivery
from matching.pipeline import deliver, repair
from matching.services import channel_preferences_set, unsubscribe_by_token
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.matching import WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def repair_queue(monkeypatch):
    """What the repair run enqueues, recorded instead of sent."""
    queued: list[str] = []
    monkeypatch.setattr(repair, "enqueue_now", lambda task, *args, **kwargs: queued.append(task.name))
    return queued


def _webhook(subscription, *, due_since: timedelta = timedelta(0)) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        subscription=subscription,
        event="policy.published",
        event_key="k1",
        payload={"policy": {"id": 1}},
        next_attempt_at=timezone.now() - due_since,
    )


def test_a_webhook_being_sent_is_not_requeued_by_repair_even_when_it_was_long_overdue(
    monkeypatch, http_receiver, repair_queue
):
    # given a webhook that has been due for an hour (say, the broker was down)
    delivery = _webhook(WebhookSubscriptionFactory(url=http_receiver.url), due_since=timedelta(hours=1))
    during_send = {}
    post = webhook.post

    def post_while_repair_and_another_sender_run(*args, **kwargs):
        during_send["repair"] = repair.matching_repair()
        during_send["status"] = Delivery.objects.get(pk=delivery.pk).status
        during_send["second sender sent"] = deliver.deliveries_send()
        return post(*args, **kwargs)

    monkeypatch.setattr(webhook, "post", post_while_repair_and_another_sender_run)
    # when a sender claims and posts it, and the repair run and a second sender come by meanwhile
    sent = deliver.deliveries_send()
    # then the repair leaves the claimed row alone, the second sender finds nothing, one POST is made
    assert during_send["repair"]["sending_reset"] == 0
    assert during_send["status"] == "sending" and during_send["second sender sent"] == 0
    assert sent == 1 and len(http_receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1 and delivery.response_code == 200


def test_a_stale_webhook_claim_is_requeued_and_the_dead_senders_late_outcome_is_ignored(
    http_receiver, repair_queue, settings
):
    # given a webhook claimed by a sender that was killed before it recorded anything
    delivery = _webhook(WebhookSubscriptionFactory(url=http_receiver.url))
    assert deliver._claim(limit=10)[0] == [delivery.pk]
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.MATCH_DELIVERY_SENDING_STALE_SECONDS + 1)
    )
    dead_senders_claim = Delivery.objects.get(pk=delivery.pk)
    # when the repair run comes by
    report = repair.matching_repair()
    # then the row is put back, the delivery task is queued, and the next sender posts it
    assert report["sending_reset"] == 1 and "matching.deliveries_send" in repair_queue
    assert deliver.deliveries_send() == 1 and len(http_receiver.requests) == 1
    # and an outcome the killed sender might still write cannot overwrite the new one
    deliver._record_failure(dead_senders_claim, TransportError("timeout", retryable=True), time.monotonic())
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2


def test_an_enterprise_message_goes_out_on_the_channels_the_enterprise_chose_once(settings):
    settings.SITE_URL = "https://zc.example.gov.cn"
    # given an enterprise with e-mail and SMS on, and one with no external channel
    chosen, quiet = EnterpriseFactory(), EnterpriseFactory()
    channel_preferences_set(
        enterprise_id=chosen.pk,
        email=True,
        email_address="boss@example.com",
        sms=True,
        sms_phone="13811112222",
    )
    # when a case step messages both, twice (a retried step)
    for _ in range(2):
        for enterprise in (chosen, quiet):
            message_send(
                kind="case",
                title="您的诉求已答复：设备补贴",
                key=f"case-answered-{enterprise.pk}",
                enterprise=enterprise,
                link="/appeals/7/",
            )
    # then the first has one e-mail and one SMS delivery of its message, the second only the in-app message
    rows = Delivery.objects.filter(message__enterprise=chosen)
    assert sorted(rows.values_list("channel", "recipient")) == [
        ("email", "boss@example.com"),
        ("sms", "13811112222"),
    ]
    assert not Delivery.objects.filter(message__enterprise=quiet).exists()
    # and the delivery task sends them with the page's absolute link
    sms.SENT.clear()
    assert deliver.deliveries_send() == 2
    assert deliver.deliveries_send() == 0
    (email,) = mail.outbox
    assert (
        email.subject == "您的诉求已答复：设备补贴" and "https://zc.example.gov.cn/appeals/7/" in email.body
    )
    assert sms.SENT == [
        ("13811112222", "【政策找企业】您的诉求已答复：设备补贴。详情 https://zc.example.gov.cn/appeals/7/")
    ]
    assert set(rows.values_list("status", flat=True)) == {"sent"}


def test_an_unsubscribed_enterprise_gets_its_messages_in_app_only():
    enterprise = EnterpriseFactory()
    pref = channel_preferences_set(enterprise_id=enterprise.pk, email=True, email_address="boss@example.com")
    unsubscribe_by_token(token=pref.unsubscribe_token)
    message = message_send(
        kind="application",
        title="申报已受理",
        key="k-unsub",
        enterprise=enterprise,
        link="/applications/1/",
        sms_phone="13811112222",
    )
    assert message is not None and not Delivery.objects.filter(message=message).exists()


@contextlib.contextmanager
def broker(*, up: bool):
    """Tasks go to a broker: when it is down sending them fails (``queue._send`` logs and moves
    on); when it is up they run in-process (eager), as a worker would run them."""
    app = tasks.deliveries_send.app
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = up

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    real = tasks.deliveries_send.apply_async
    if not up:
        tasks.deliveries_send.apply_async = refuse
    try:
        yield
    finally:
        tasks.deliveries_send.apply_async = real
        app.conf.task_always_eager = eager


def test_with_the_broker_down_a_message_waits_in_the_outbox_and_the_repair_run_sends_it_later(
    django_capture_on_commit_callbacks,
):
    # given an enterprise that wants e-mail
    enterprise = EnterpriseFactory()
    channel_preferences_set(enterprise_id=enterprise.pk, email=True, email_address="boss@example.com")
    # when an application step messages it while the broker is down
    with broker(up=False), django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = message_send(
            kind="application",
            title="申报已受理：研发费用后补助",
            key="k-broker",
            enterprise=enterprise,
            link="/applications/3/",
        )
    # then the step and its delivery are written (the enqueue on commit failed), nothing was sent
    assert len(callbacks) == 1
    delivery = Delivery.objects.get(message=message)
    assert delivery.status == "pending" and mail.outbox == []
    # when the broker is back and the repair run comes by
    with broker(up=True):
        report = repair.matching_repair()
    # then the e-mail is sent, once
    assert report["send"] is True
    assert [m.subject for m in mail.outbox] == ["申报已受理：研发费用后补助"]
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1
