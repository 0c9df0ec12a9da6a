"""A published policy is withdrawn, then opened, revised and published again in the admin by
its drafter and its reviewer; the enterprises' matches follow each step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.policies.admin_forms import policy_admin_transition, policy_change_form

from .conftest import city_build, policy_data, policy_publish_as_officials

pytestmark = pytest.mark.django_db


def _transition(client, policy, action: str, reason: str = "") -> None:
    assert policy_admin_transition(client, policy, action, reason).status_code == 302


def _my_policy_titles(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("web:my_policies"))
    assert response.status_code == 200
    return {item.policy.title for item in response.context["eligible"]}


def test_a_withdrawn_policy_is_revised_and_republished_in_the_admin_and_the_matches_follow(
    client, eager_pipeline, django_capture_on_commit_callbacks
):
    from matching.models import Match, Notification
    from policies.models import PolicyStatus

    # given a policy both enterprises qualify for (registered capital ≥ 100万)
    city = city_build()
    with django_capture_on_commit_callbacks(execute=True):
        policy = policy_publish_as_officials(city, policy_data(city, title="智能制造设备补贴"))
    assert _my_policy_titles(client, city.user) == {"智能制造设备补贴"}
    assert _my_policy_titles(client, city.other_user) == {"智能制造设备补贴"}

    # when the reviewer withdraws it in the admin
    client.force_login(city.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        _transition(client, policy, "withdraw", reason="补贴标准调整")
    # then no enterprise has it among its policies any more
    assert _my_policy_titles(client, city.user) == set()
    assert set(Match.objects.filter(policy=policy).values_list("status", flat=True)) == {"ended"}

    # when its drafter opens it, reopens it and raises the threshold to 500万
    client.force_login(city.drafter)
    change_url = reverse("admin:policies_policy_change", args=[policy.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and "重新修订" in page.content.decode()
    _transition(client, policy, "reopen", reason="提高注册资本门槛")
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DRAFT
    data = policy_data(city, title=policy.title, min_capital=5_000_000)
    response = client.post(change_url, policy_change_form(policy, criteria=data["criteria"]))
    assert response.status_code == 302, response.content.decode()[:3000]
    _transition(client, policy, "submit")
    # and its reviewer opens it and publishes it again
    client.force_login(city.reviewer)
    assert client.get(change_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        _transition(client, policy, "publish")

    # then it is published under a new match version
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED and policy.version == 2
    # and 丙 (800万) qualifies again and is told so, while 丁 (300万) does not
    assert _my_policy_titles(client, city.user) == {"智能制造设备补贴"}
    assert _my_policy_titles(client, city.other_user) == set()
    assert Match.objects.get(policy=policy, enterprise=city.enterprise).status == "eligible"
    assert Match.objects.get(policy=policy, enterprise=city.other).status == "ended"
    told = Notification.objects.filter(policy=policy, policy_version=2, channel="inapp", reason="new_match")
    assert list(told.values_list("enterprise_id", flat=True)) == [city.enterprise.pk]
    # and the policy page gives 丙 its verdict and amount
    client.force_login(city.user)
    html = client.get(policy.get_absolute_url()).content.decode()
    assert "符合申报条件" in html and "30万元" in html
