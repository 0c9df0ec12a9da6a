"""The entry points and the enterprise-facing services and selectors."""

import pytest
from django.core.exceptions import ValidationError

from inbox.selectors import notifications_for_enterprise
from matching.models import MatchRun, Notification, RematchRequest
from matching.selectors import matches_for_enterprise
from matching.services import (
    channel_preferences_set,
    enterprise_rematch_schedule,
    notification_mark_read,
    policy_matching_schedule,
    unsubscribe_by_token,
)
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.matching import MatchFactory, NotificationFactory
from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.django_db


def test_policy_schedule_records_the_run_and_enqueues_only_on_commit(django_capture_on_commit_callbacks):
    policy = PolicyFactory(status="published")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        policy_matching_schedule(policy_id=policy.pk, reason="published")
    run = MatchRun.objects.get(policy_id=policy.pk)
    assert run.reason == "published" and run.status == "pending"
    assert len(callbacks) == 2  # the task, and the cache generation bump


def test_policy_schedule_rejects_an_unknown_reason():
    with pytest.raises(ValueError):
        policy_matching_schedule(policy_id=1, reason="because")


def test_rematch_schedule_records_each_enterprise_once(django_capture_on_commit_callbacks):
    a, b = EnterpriseFactory(), EnterpriseFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enterprise_rematch_schedule(enterprise_ids=[a.pk, b.pk, a.pk])
        enterprise_rematch_schedule(enterprise_ids=[a.pk])
    assert set(RematchRequest.objects.values_list("enterprise_id", flat=True)) == {a.pk, b.pk}
    assert len(callbacks) == 2


def test_channel_preferences_need_an_address_and_change_nothing_when_invalid():
    ent = EnterpriseFactory()
    with pytest.raises(ValidationError) as err:
        channel_preferences_set(enterprise_id=ent.pk, email=True)
    assert "email_address" in err.value.message_dict
    assert not hasattr(ent, "channel_preference") or ent.channel_preference.pk is None
    pref = channel_preferences_set(
        enterprise_id=ent.pk, email=True, email_address="a@example.com", digest=False
    )
    assert pref.email and not pref.digest


def test_one_click_unsubscribe_turns_external_channels_off_until_changed_again():
    ent = EnterpriseFactory()
    pref = channel_preferences_set(enterprise_id=ent.pk, sms=True, sms_phone="13812345678")
    assert unsubscribe_by_token(token=pref.unsubscribe_token).unsubscribed_at is not None
    assert unsubscribe_by_token(token="nope") is None
    assert channel_preferences_set(enterprise_id=ent.pk, sms=True).unsubscribed_at is None


def test_unsubscribe_link_works_by_post_without_login(client):
    ent = EnterpriseFactory()
    pref = channel_preferences_set(enterprise_id=ent.pk, sms=True, sms_phone="13812345678")
    resp = client.post(f"/matching/unsubscribe/{pref.unsubscribe_token}/")
    assert resp.status_code == 200
    pref.refresh_from_db()
    assert pref.unsubscribed_at is not None
    assert client.post("/matching/unsubscribe/unknown/").status_code == 404


def test_mark_read_only_touches_the_enterprises_own_notification():
    mine = NotificationFactory()
    other = EnterpriseFactory()
    assert notification_mark_read(notification_id=mine.pk, enterprise_id=other.pk) is False
    assert notification_mark_read(notification_id=mine.pk, enterprise_id=mine.enterprise_id) is True
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_enterprise_lists_cost_one_query_however_many_rows(django_assert_num_queries):
    ent = EnterpriseFactory()
    for _ in range(5):
        m = MatchFactory(enterprise=ent)
        NotificationFactory(enterprise=ent, policy=m.policy)
    MatchFactory(enterprise=ent, status="ended")
    with django_assert_num_queries(1):
        rows = [
            (m.policy.title, m.policy.department.name) for m in matches_for_enterprise(enterprise_id=ent.pk)
        ]
    assert len(rows) == 5
    with django_assert_num_queries(1):
        titles = [item.title for item in notifications_for_enterprise(enterprise_id=ent.pk)[:50]]
    assert len(titles) == 5
    assert matches_for_enterprise(enterprise_id=ent.pk, include_ended=True).count() == 6
    assert Notification.objects.count() == 5
