"""The one outbox against a real Celery worker, real Redis and PostgreSQL (not eager): an
application step written while the broker is down is delivered later by the repair run."""

import subprocess
import time

import pytest

from inbox.models import Message
from matching.models import ChannelPreference, Delivery
from tests.factories.enterprises import EnterpriseFactory
from tests.integration.conftest import django_subprocess, wait_for

pytestmark = pytest.mark.services


def _step_message_in_subprocess(enterprise_id: int, redis_url: str) -> subprocess.CompletedProcess:
    """An application step (its in-app message) written by another process whose broker is down."""
    return django_subprocess(
        f"""
        from django.db import transaction
        from applications.notify import enterprise_message_create
        with transaction.atomic():
            enterprise_message_create(enterprise_id={enterprise_id}, key="it-outbox-accepted",
                                      title="申报已受理：集成测试政策", url="/applications/1/")
        print("WRITTEN")
    """,
        redis_url=redis_url,
    )


def test_an_application_message_written_while_redis_is_down_is_delivered_after_recovery(
    start_worker, private_redis
):
    # given an enterprise that chose e-mail and SMS, and a worker (with the beat's repair run)
    enterprise = EnterpriseFactory()
    ChannelPreference.objects.create(
        enterprise=enterprise, email=True, email_address="boss@example.com", sms=True, sms_phone="13811112222"
    )
    start_worker(redis_url=private_redis.url, beat=True, MATCH_REPAIR_INTERVAL=2)
    # when Redis goes down and an application step messages the enterprise
    private_redis.stop()
    result = _step_message_in_subprocess(enterprise.pk, private_redis.url)
    # then the step succeeded: its message and both deliveries are in the outbox, unsent
    assert result.returncode == 0 and "WRITTEN" in result.stdout, result.stderr[-2000:]
    message = Message.objects.get(enterprise=enterprise)
    deliveries = Delivery.objects.filter(message=message)
    assert sorted(deliveries.values_list("channel", "status")) == [("email", "pending"), ("sms", "pending")]
    # when Redis comes back
    time.sleep(1)
    private_redis.start()
    # then the repair run queues the delivery task and both are sent, once each
    wait_for(
        lambda: set(deliveries.values_list("status", flat=True)) == {"sent"},
        timeout=120,
        interval=0.5,
        what="the message's deliveries",
    )
    assert sorted(deliveries.values_list("channel", "attempts")) == [("email", 1), ("sms", 1)]
