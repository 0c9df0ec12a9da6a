"""我的政策, notifications, preferences and my enterprise: what a logged-in enterprise sees,
and that it sees only its own."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

ENTERPRISE_PAGES = ["web:my_policies", "web:inbox", "web:preferences", "web:my_enterprise"]


@pytest.mark.parametrize("name", ENTERPRISE_PAGES)
def test_enterprise_pages_send_anonymous_visitors_to_login(client, city, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", ENTERPRISE_PAGES)
def test_enterprise_pages_refuse_officials(client, city, name):
    from tests.factories.accounts import OfficialUserFactory

    client.force_login(OfficialUserFactory())
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "您没有权限访问这个页面" in response.content.decode()


def test_my_policies_lists_eligible_with_amounts_and_reasons(client_jia, city):
    response = client_jia.get(reverse("web:my_policies"))
    html = response.content.decode()
    assert response.status_code == 200
    eligible = {i.policy.title: i for i in response.context["eligible"]}
    assert set(eligible) == {"郑州市企业研发费用后补助", "高新技术企业认定奖励", "科技型企业普惠奖励"}
    assert eligible["郑州市企业研发费用后补助"].amount == Decimal("200000")
    assert any("注册资本" in r for r in eligible["郑州市企业研发费用后补助"].reasons)
    assert "20万元" in html and "符合原因" in html


def test_my_policies_counts_only_the_highest_award_of_an_exclusive_group(client_jia, city):
    context = client_jia.get(reverse("web:my_policies")).context
    assert context["total"] == Decimal("500000")  # 200,000 + max(300,000, 100,000)
    generic = next(i for i in context["eligible"] if i.policy.title == "科技型企业普惠奖励")
    assert generic.counted is False


def test_my_policies_shows_possible_ones_with_the_data_to_supply(client_jia, city):
    context = client_jia.get(reverse("web:my_policies")).context
    possible = {i.policy.title: i for i in context["possible"]}
    assert "规模以上企业营收增长奖励" in possible
    assert any("营业收入" in m for m in possible["规模以上企业营收增长奖励"].missing)


def test_my_policies_shows_near_misses_with_what_would_change_the_verdict(client_jia, city):
    context = client_jia.get(reverse("web:my_policies")).context
    near = {i.policy.title: i for i in context["near"]}
    assert "大型企业总部落户奖励" in near
    assert any("注册资本" in u for u in near["大型企业总部落户奖励"].unmet)


def test_my_policies_puts_urgent_deadlines_first_and_lists_them(client_jia, city):
    context = client_jia.get(reverse("web:my_policies")).context
    assert context["eligible"][0].policy.title == "郑州市企业研发费用后补助"  # closes in 12 days
    assert [i.policy.title for i in context["deadlines"]] == ["郑州市企业研发费用后补助"]
    # the rest by amount: 300,000 before 100,000
    titles = [i.policy.title for i in context["eligible"]]
    assert titles.index("高新技术企业认定奖励") < titles.index("科技型企业普惠奖励")


def test_my_policies_marks_what_is_new_since_the_last_visit(
    client_jia, city, django_capture_on_commit_callbacks
):
    from matching.models import Match
    from policies.services import policy_create, policy_publish
    from portal.web.models import PortalVisit

    client_jia.get(reverse("web:my_policies"))
    # the last visit was two hours ago, the existing matches older; a policy is published since
    Match.objects.update(matched_at=timezone.now() - datetime.timedelta(hours=3))
    PortalVisit.objects.filter(user=city.user).update(last_at=timezone.now() - datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        p = policy_create(
            actor=None,
            data={
                "title": "数字化转型券",
                "department": city.department,
                "criteria": {"field": "district", "op": "within", "value": ["4101"]},
            },
        )
        policy_publish(policy=p, actor=None)
    context = client_jia.get(reverse("web:my_policies")).context
    assert [i.policy.title for i in context["new"]] == ["数字化转型券"]


def test_my_policies_query_count_does_not_grow_with_matches(
    client_jia, city, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from policies.services import policy_create, policy_publish

    client_jia.get(reverse("web:my_policies"))  # warm the per-process policy and near-miss caches
    # session, user, enterprise, visit (4 with its savepoint), policies, matches, profile (3), grants, badge, session save
    with django_assert_max_num_queries(17):
        client_jia.get(reverse("web:my_policies"))
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(15):
            p = policy_create(
                actor=None,
                data={
                    "title": f"普惠政策{i}",
                    "department": city.department,
                    "criteria": {"field": "district", "op": "within", "value": ["4101"]},
                    "award": {"amount": "1000"},
                },
            )
            policy_publish(policy=p, actor=None)
    client_jia.get(reverse("web:my_policies"))
    with django_assert_max_num_queries(17):
        response = client_jia.get(reverse("web:my_policies"))
    assert len(response.context["eligible"]) == 18


def test_my_policies_shows_only_the_users_own_enterprise(client, city):
    client.force_login(city.other_user)
    context = client.get(reverse("web:my_policies")).context
    titles = {i.policy.title for i in context["eligible"]}
    assert "大型企业总部落户奖励" in titles  # the other enterprise's capital is large enough
    assert "高新技术企业认定奖励" not in titles
    assert "郑州甲数据科技有限公司" not in client.get(reverse("web:my_policies")).content.decode()


def test_inbox_lists_the_enterprises_notifications_and_marks_one_read_with_htmx(client_jia, city):
    from matching.models import Notification

    response = client_jia.get(reverse("web:inbox"))
    html = response.content.decode()
    own = Notification.objects.filter(enterprise_id=city.enterprise.pk, channel="inapp")
    assert own.exists()
    assert "郑州市企业研发费用后补助" in html
    n = own.filter(read_at__isnull=True).first()
    response = client_jia.post(reverse("web:notification_read", args=[n.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode() and "已读" in response.content.decode()
    n.refresh_from_db()
    assert n.read_at is not None


def test_inbox_never_shows_or_touches_another_enterprises_notifications(client_jia, city):
    from matching.models import Notification

    theirs = Notification.objects.filter(enterprise_id=city.other.pk, channel="inapp").first()
    assert theirs is not None
    html = client_jia.get(reverse("web:inbox")).content.decode()
    assert f'id="notification-{theirs.pk}"' not in html
    assert client_jia.post(reverse("web:notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_and_the_unread_badge(client_jia, city):
    from matching.models import Notification

    assert 'class="badge"' in client_jia.get(reverse("web:home")).content.decode()
    client_jia.post(reverse("web:notifications_read_all"))
    assert not Notification.objects.filter(
        enterprise_id=city.enterprise.pk, channel="inapp", read_at__isnull=True
    ).exists()
    assert Notification.objects.filter(
        enterprise_id=city.other.pk, channel="inapp", read_at__isnull=True
    ).exists()
    assert 'class="badge"' not in client_jia.get(reverse("web:home")).content.decode()


def test_preferences_save_channels_and_digest(client_jia, city):
    from matching.models import ChannelPreference

    response = client_jia.post(
        reverse("web:preferences"),
        {
            "email": "on",
            "email_address": "push@example.com",
            "sms": "",
            "sms_phone": "",
            "digest": "on",
        },
    )
    assert response.status_code == 302
    pref = ChannelPreference.objects.get(enterprise_id=city.enterprise.pk)
    assert pref.email and pref.email_address == "push@example.com" and pref.digest and not pref.sms


def test_preferences_refuse_email_without_an_address_and_change_nothing(client_jia, city):
    from matching.models import ChannelPreference

    response = client_jia.post(reverse("web:preferences"), {"email": "on", "email_address": ""})
    assert response.status_code == 200
    assert "开启邮件推送需要填写接收邮箱" in response.content.decode()
    assert not ChannelPreference.objects.filter(enterprise_id=city.enterprise.pk, email=True).exists()


def test_one_click_unsubscribe_stops_external_channels(client_jia, city):
    from matching.models import ChannelPreference

    client_jia.post(reverse("web:preferences"), {"sms": "on", "sms_phone": "13812345678", "digest": "on"})
    client_jia.post(reverse("web:unsubscribe_all"))
    pref = ChannelPreference.objects.get(enterprise_id=city.enterprise.pk)
    assert pref.unsubscribed_at is not None  # the pipeline sends nothing external from now on


def test_my_enterprise_shows_the_profile_with_personal_data_masked(client_jia, city):
    html = client_jia.get(reverse("web:my_enterprise")).content.decode()
    assert city.enterprise.credit_code in html
    assert "金水区" in html and "高新技术企业" in html
    assert "138****5678" in html and "13812345678" not in html
    assert "l***@example.com" in html and "张**" in html
    assert "郑州乙机械制造有限公司" not in html


def test_correction_request_goes_to_an_official_and_changes_nothing(client_jia, city, admin_client):
    response = client_jia.post(
        reverse("web:my_enterprise"),
        {
            "field": "registered_capital",
            "proposed_value": "1000万元",
            "reason": "已于今年增资，见变更登记通知书。",
        },
    )
    assert response.status_code == 302
    from portal.web.models import CorrectionRequest

    request = CorrectionRequest.objects.get()
    assert request.enterprise_id == city.enterprise.pk and request.requested_by == city.user
    assert request.current_value.startswith("5000000")
    city.enterprise.refresh_from_db()
    assert city.enterprise.registered_capital == Decimal("5000000")
    admin_html = admin_client.get(reverse("admin:web_correctionrequest_changelist")).content.decode()
    assert "1000万元" in admin_html


def test_correction_request_with_a_missing_reason_is_refused_with_the_field(client_jia, city):
    response = client_jia.post(
        reverse("web:my_enterprise"), {"field": "name", "proposed_value": "新名称", "reason": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    from portal.web.models import CorrectionRequest

    assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize(
    "name,data",
    [
        ("web:my_enterprise", {"field": "name", "proposed_value": "x", "reason": "理由充分四字"}),
        ("web:preferences", {"digest": "on"}),
        ("web:notifications_read_all", {}),
        ("web:unsubscribe_all", {}),
    ],
)
def test_every_enterprise_form_needs_the_csrf_token(city, name, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.user)
    assert client.post(reverse(name), data).status_code == 403


def test_after_one_click_unsubscribe_no_channel_is_shown_ticked_and_ticking_resubscribes(client_jia, city):
    from matching.models import ChannelPreference

    # given 甲 gets its pushes by e-mail and SMS, then unsubscribes with one click
    client_jia.post(
        reverse("web:preferences"),
        {"email": "on", "email_address": "push@example.com", "sms": "on", "sms_phone": "13812345678"},
    )
    client_jia.post(reverse("web:unsubscribe_all"))

    # when it opens its preferences
    response = client_jia.get(reverse("web:preferences"))

    # then neither channel is ticked above the note 「重新勾选即可恢复」, the addresses are kept
    form = response.context["form"]
    assert form["email"].value() is False and form["sms"].value() is False
    assert form["email_address"].value() == "push@example.com"
    html = response.content.decode()
    assert "重新勾选即可恢复" in html
    assert not re.search(r'<input[^>]*name="(email|sms)"[^>]*checked', html)

    # and ticking e-mail again resubscribes
    client_jia.post(reverse("web:preferences"), {"email": "on", "email_address": "push@example.com"})
    pref = ChannelPreference.objects.get(enterprise_id=city.enterprise.pk)
    assert pref.unsubscribed_at is None and pref.email and not pref.sms
