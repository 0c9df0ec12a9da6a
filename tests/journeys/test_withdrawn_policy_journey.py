"""A published policy is withdrawn, then opened, revised and published again in the admin by
its drafter and its reviewer; the enterprises' matches follow each step."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from .conftest import city_build, policy_data, policy_publish_as_officials

pytestmark = pytest.mark.django_db


def _transition(client, policy, action: str, reason: str = ""):
    response = client.post(
        reverse("admin:policies_policy_transition", args=[policy.pk, action]), {"reason": reason}
    )
    assert response.status_code == 302
    return response


def _change_form(policy, **overrides) -> dict:
    data = {
        "title": policy.title,
        "doc_number": policy.doc_number,
        "department": policy.department_id,
        "level": policy.level,
        "benefit_type": policy.benefit_type,
        "summary": policy.summary,
        "body": policy.body,
        "criteria": json.dumps(policy.criteria, ensure_ascii=False),
        "award": json.dumps(policy.award),
        "exclusive_group": "",
        "apply_end": policy.apply_end.isoformat() if policy.apply_end else "",
        "processing_days": str(policy.processing_days),
        "contact": "",
        "source_url": "",
        "source_name": "",
    }
    for prefix in ("interpretations", "materials", "attachments"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


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
    response = client.post(change_url, _change_form(policy, criteria=json.dumps(data["criteria"])))
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
