"""The enterprise's inbox (the 消息 page and the selector the API lists) shows its match pushes
and its application / appeal / grant messages together, newest first, and only its own."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from inbox.selectors import inbox_unread_count, notifications_for_enterprise
from inbox.services import inbox_item_mark_read, message_send
from tests.factories.accounts import EnterpriseUserFactory
from tests.factories.matching import NotificationFactory
from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox_world():
    user = EnterpriseUserFactory()
    other = EnterpriseUserFactory()
    policy = PolicyFactory(status="published", title="研发费用后补助")
    push = NotificationFactory(
        enterprise=user.enterprise,
        policy=policy,
        reason="new_match",
        created_at=timezone.now() - timedelta(hours=1),
    )
    message = message_send(
        kind="application",
        title="申报已受理：研发费用后补助",
        key="accepted-1",
        enterprise=user.enterprise,
        body="请留意审核进度。",
        link=reverse("applications:detail", args=[41]),
    )
    theirs_push = NotificationFactory(
        enterprise=other.enterprise, policy=PolicyFactory(status="published", title="稳岗返还")
    )
    theirs_message = message_send(
        kind="case",
        title="您的诉求已答复：别人的诉求",
        key="case-theirs",
        enterprise=other.enterprise,
        link="/appeals/9/",
    )
    return user, push, message, theirs_push, theirs_message


def test_the_selector_lists_match_pushes_and_application_messages_newest_first(inbox_world):
    user, push, message, _theirs_push, _theirs_message = inbox_world
    # when
    items = list(notifications_for_enterprise(enterprise_id=user.enterprise_id)[:20])
    # then both kinds, in one shape, and nothing of the other enterprise
    assert [(i.source, i.id) for i in items] == [("message", message.pk), ("notification", push.pk)]
    msg, match = items
    assert (msg.kind, msg.title, msg.body, msg.link, msg.policy_id, msg.read_at) == (
        "application",
        "申报已受理：研发费用后补助",
        "请留意审核进度。",
        "/applications/41/",
        None,
        None,
    )
    assert (match.kind, match.reason, match.title, match.policy_id) == (
        "match",
        "new_match",
        "研发费用后补助",
        push.policy_id,
    )
    assert match.link == reverse("web:policy_detail", args=[push.policy_id])
    assert notifications_for_enterprise(enterprise_id=user.enterprise_id).count() == 2

    # and the filters and the order the API offers
    def listed(**filters):
        return [
            (i.source, i.id)
            for i in notifications_for_enterprise(enterprise_id=user.enterprise_id, **filters)[:20]
        ]

    assert listed(since=timezone.now() - timedelta(minutes=5)) == [("message", message.pk)]
    assert listed(oldest_first=True) == [("notification", push.pk), ("message", message.pk)]
    assert inbox_item_mark_read(enterprise_id=user.enterprise_id, source="message", item_id=message.pk)
    assert listed(unread=True) == [("notification", push.pk)]
    assert listed(unread=False) == [("message", message.pk)]
    assert inbox_unread_count(enterprise_id=user.enterprise_id) == 1


def test_the_inbox_page_shows_both_and_marks_a_message_read_in_place(client, inbox_world):
    user, push, message, theirs_push, theirs_message = inbox_world
    client.force_login(user)
    # when the enterprise opens 消息
    html = client.get(reverse("web:inbox")).content.decode()
    # then it sees its match push and its application message, and not the other enterprise's
    assert f'id="notification-{push.pk}"' in html and "研发费用后补助" in html
    assert f'id="message-{message.pk}"' in html and "申报已受理：研发费用后补助" in html
    assert 'href="/applications/41/"' in html
    assert "稳岗返还" not in html and "别人的诉求" not in html
    assert 'class="badge"' in html
    # when it marks the message read (htmx)
    response = client.post(reverse("web:inbox_message_read", args=[message.pk]), HTTP_HX_REQUEST="true")
    # then the row comes back read, and the other enterprise's message cannot be touched
    assert response.status_code == 200 and "已读" in response.content.decode()
    assert f'id="message-{message.pk}"' in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert client.post(reverse("web:inbox_message_read", args=[theirs_message.pk])).status_code == 404
    theirs_message.refresh_from_db()
    assert theirs_message.read_at is None
    # when it marks all read, the push is read too and the badge goes
    client.post(reverse("web:notifications_read_all"))
    push.refresh_from_db()
    assert push.read_at is not None
    assert 'class="badge"' not in client.get(reverse("web:inbox")).content.decode()


def test_the_api_lists_what_the_inbox_shows_and_marks_a_message_read(settings, inbox_world):
    settings.SITE_URL = "https://zc.example.gov.cn"
    user, push, message, _theirs_push, theirs_message = inbox_world
    api = APIClient()
    api.force_authenticate(user)
    # when the enterprise user lists its notifications
    body = api.get("/api/v1/notifications/").json()
    # then the API lists the same items as the 消息 page, in the same order
    page = [(i.source, i.id) for i in notifications_for_enterprise(enterprise_id=user.enterprise_id)[:20]]
    assert (
        [(r["source"], r["id"]) for r in body["results"]]
        == page
        == [("message", message.pk), ("notification", push.pk)]
    )
    assert body["count"] == 2
    msg, match = body["results"]
    assert (msg["kind"], msg["policy"], msg["title"], msg["reason"], msg["link"]) == (
        "application",
        None,
        "申报已受理：研发费用后补助",
        "",
        "https://zc.example.gov.cn/applications/41/",
    )
    assert (match["kind"], match["policy"], match["title"], match["reason"], match["channel"]) == (
        "match",
        push.policy_id,
        "研发费用后补助",
        "new_match",
        "inapp",
    )
    assert match["link"] == f"https://zc.example.gov.cn/policy/{push.policy_id}/"
    oldest_first = api.get("/api/v1/notifications/?ordering=created_at").json()["results"]
    assert [r["source"] for r in oldest_first] == ["notification", "message"]
    # when it marks the message read (and tries another enterprise's)
    assert api.post(f"/api/v1/notifications/{message.pk}/read/?source=message").status_code == 204
    assert api.post(f"/api/v1/notifications/{theirs_message.pk}/read/?source=message").status_code == 404
    # then only the push is unread, and a bad filter value is refused
    unread = api.get("/api/v1/notifications/?unread=true").json()["results"]
    assert [(r["source"], r["id"]) for r in unread] == [("notification", push.pk)]
    assert api.get("/api/v1/notifications/?unread=maybe").status_code == 400
