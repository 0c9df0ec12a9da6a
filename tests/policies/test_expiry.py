import datetime as dt

import pytest
from django.utils import timezone

from policies.models import PolicyStatus
from policies.services import policy_create, policy_expire_due, policy_publish
from policies.tasks import policies_expire_due_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(drafter, reviewer, draft_data, scheduled):
    def make(valid_until):
        policy = policy_create(actor=drafter, data={**draft_data, "valid_until": valid_until})
        return policy_publish(policy=policy, actor=reviewer)

    return make


def test_policies_expire_the_day_after_their_validity_ends(published, scheduled):
    # given a policy valid until tomorrow (its last valid day)
    last_day = timezone.localdate() + dt.timedelta(days=1)
    ending = published(last_day)
    # when the day is still valid, then nothing happens
    assert policy_expire_due(today=last_day) == []
    # when the day after comes
    assert policy_expire_due(today=last_day + dt.timedelta(days=1)) == [ending.pk]
    # then
    ending.refresh_from_db()
    assert ending.status == PolicyStatus.EXPIRED
    assert scheduled[-1] == (ending.pk, "expired")
    assert ending.versions.order_by("-number").first().changed_by is None


def test_expiry_is_idempotent(published, scheduled):
    last_day = timezone.localdate()
    published(last_day)
    two_days_later = last_day + dt.timedelta(days=2)
    assert policy_expire_due(today=two_days_later) != []
    assert policy_expire_due(today=two_days_later) == []
    assert [reason for _, reason in scheduled].count("expired") == 1


def test_beat_task_expires_what_is_due_today(published, scheduled):
    # given a policy whose validity ended long ago (published when it was still valid)
    today = timezone.localdate()
    policy = published(today + dt.timedelta(days=365))
    type(policy).objects.filter(pk=policy.pk).update(valid_until=today - dt.timedelta(days=365 * 6))
    # when
    assert policies_expire_due_task.apply().get() == 1
    # then
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.EXPIRED


def test_beat_schedule_runs_the_expiry_task():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["policies-expire-due"]["task"] == "policies.expire_due"


def test_policy_past_its_validity_cannot_be_published(drafter, reviewer, draft_data):
    from django.core.exceptions import ValidationError

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    policy = policy_create(actor=drafter, data={**draft_data, "valid_until": yesterday.isoformat()})
    with pytest.raises(ValidationError, match="有效期已过"):
        policy_publish(policy=policy, actor=reviewer)
