"""Application and grant steps reach the enterprise through the one outbox: an in-app message
written with the step, and e-mail / SMS deliveries on the channels it chose, sent, retried and
recorded by the one delivery task."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.services.grants import grant_push_account_request
from inbox.models import Message
from matching.channels import TransportError
from matching.models import Delivery
from matching.pipeline import deliver
from matching.services import channel_preferences_set
from tests.factories.applications import GrantFactory

from .conftest import at, pdf

pytestmark = pytest.mark.django_db


class FlakySmsBackend:
    """An SMS gateway that times out ``failures`` times, then accepts."""

    failures = 0
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        if FlakySmsBackend.failures:
            FlakySmsBackend.failures -= 1
            raise TransportError("SMS gateway unreachable: timed out", retryable=True)
        FlakySmsBackend.sent.append((phone, text))


@pytest.fixture
def flaky_sms(settings):
    settings.SMS_BACKEND = f"{__name__}.FlakySmsBackend"
    settings.SITE_URL = "https://zc.example.gov.cn"
    settings.MATCH_DELIVERY_BACKOFF_SECONDS = 30
    FlakySmsBackend.failures, FlakySmsBackend.sent = 0, []
    return FlakySmsBackend


def test_an_application_steps_sms_is_an_outbox_row_retried_after_a_timeout_and_sent_once(
    policy, enterprise_user, audit_material, flaky_sms
):
    # given an enterprise that chose SMS, and a gateway that times out once
    channel_preferences_set(enterprise_id=enterprise_user.enterprise_id, sms=True, sms_phone="13900001111")
    flaky_sms.failures = 1
    # when it submits an application
    application = services.application_submit(
        policy=policy,
        enterprise=enterprise_user.enterprise,
        applicant=enterprise_user,
        declared={"rd_expense": "2500000", "contact_name": "李经理", "contact_phone": "13812345678"},
        files=[(audit_material.pk, pdf("审计报告.pdf"))],
        now=at(2025, 9, 26),
    )
    # then the step wrote its in-app message and an SMS delivery of it, and sent nothing yet
    message = Message.objects.get(enterprise=enterprise_user.enterprise, kind="application")
    delivery = Delivery.objects.get(message=message)
    assert (delivery.channel, delivery.recipient, delivery.status) == ("sms", "13900001111", "pending")
    assert flaky_sms.sent == []
    # when the delivery task runs and the gateway times out
    before = timezone.now()
    assert deliver.deliveries_send() == 0
    # then the delivery waits for a retry with the error and the duration recorded
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1 and "timed out" in delivery.error
    assert delivery.next_attempt_at >= before + timedelta(seconds=29) and delivery.duration_ms is not None
    # when it is due again and the task runs twice
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert deliver.deliveries_send() == 1
    assert deliver.deliveries_send() == 0
    # then the SMS was sent once, with the link to the application
    link = f"https://zc.example.gov.cn{reverse('applications:detail', args=[application.pk])}"
    assert flaky_sms.sent == [("13900001111", f"【政策找企业】{message.title}。详情 {link}")]
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2 and delivery.error == ""


def test_the_grants_account_link_goes_by_sms_to_the_contact_phone_through_the_outbox(flaky_sms):
    # given a grant for an enterprise that has not chosen SMS
    grant = GrantFactory(enterprise__contact_phone="13700002222")
    # when the enterprise is asked to confirm its account (twice: a retried step)
    grant_push_account_request(grant, at=timezone.now())
    grant_push_account_request(grant, at=timezone.now())
    # then one in-app message and one SMS delivery to the contact phone are in the outbox
    message = Message.objects.get(enterprise=grant.enterprise, kind="grant")
    delivery = Delivery.objects.get(message=message)
    assert (delivery.channel, delivery.recipient) == ("sms", "13700002222")
    # and the task sends the one-click link
    deliver.deliveries_send()
    ((phone, text),) = flaky_sms.sent
    assert (
        phone == "13700002222"
        and "确认收款账户：https://zc.example.gov.cn/applications/grants/confirm/" in text
    )
    # and the amount in the one money format (万元 and the exact figure), not 300000.00元
    from portal.web.templatetags.web_tags import money_text

    assert money_text(grant.amount) in text and f"{grant.amount}元" not in text


def test_a_grant_without_sms_writes_the_in_app_message_only(flaky_sms):
    grant = GrantFactory(enterprise__contact_phone="13700002222")
    grant_push_account_request(grant, at=timezone.now(), sms=False)
    message = Message.objects.get(enterprise=grant.enterprise, kind="grant")
    assert not Delivery.objects.filter(message=message).exists()
