import json

import pytest
from django.urls import reverse

from policies.models import Policy, PolicyStatus
from policies.services import policy_create
from tests.factories.policies import PolicyFactory
from tests.policies.admin_forms import policy_admin_form

pytestmark = pytest.mark.django_db


def _form(department, **overrides):
    given = {
        "title": "郑州市绿色工厂奖励",
        "department": department.pk,
        "level": "municipal",
        "benefit_type": "subsidy",
        "summary": "对新认定的绿色工厂给予奖励",
        "criteria": {"all": [{"field": "district", "op": "within", "value": ["郑州市"]}]},
        "award": {"amount": "200000"},
        "processing_days": "20",
    }
    return policy_admin_form(**(given | overrides))


def test_official_sees_only_their_departments_policies(client, drafter, other_department):
    # given
    mine = PolicyFactory(title="本部门政策", department=drafter.departments.first())
    PolicyFactory(title="别的部门政策", department=other_department)
    client.force_login(drafter)
    # when
    page = client.get(reverse("admin:policies_policy_changelist"))
    # then
    assert page.status_code == 200
    assert "本部门政策" in page.content.decode() and "别的部门政策" not in page.content.decode()
    assert client.get(reverse("admin:policies_policy_change", args=[mine.pk])).status_code == 200


def test_invalid_criteria_are_shown_inline_with_their_path_and_nothing_is_saved(client, drafter, department):
    client.force_login(drafter)
    bad = json.dumps(
        {
            "all": [
                {"field": "district", "op": "within", "value": ["郑州市"]},
                {"field": "registered_capital", "op": "has", "value": 1},
            ]
        }
    )
    page = client.post(reverse("admin:policies_policy_add"), _form(department, criteria=bad))
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors["criteria"]
    assert any(e.startswith("all[1]") for e in errors), errors
    assert "all[1]" in page.content.decode()
    assert not Policy.objects.exists()


def test_adding_a_policy_goes_through_the_service(client, drafter, department):
    client.force_login(drafter)
    page = client.post(reverse("admin:policies_policy_add"), _form(department))
    assert page.status_code == 302, page.context["adminform"].form.errors if page.context else page
    policy = Policy.objects.get()
    assert policy.created_by == drafter and policy.status == PolicyStatus.DRAFT
    assert policy.criteria["all"][0]["value"] == ["4101"]  # normalised by the criteria package
    assert policy.versions.count() == 1
    # the change page shows the Chinese rendering and the history
    html = client.get(reverse("admin:policies_policy_change", args=[policy.pk])).content.decode()
    assert "郑州" in html and "创建草稿" in html


def test_publishing_asks_the_reviewer_to_confirm_the_reach_and_refuses_the_drafter(
    client, drafter, reviewer, draft_data, scheduled
):
    policy = policy_create(actor=drafter, data=draft_data)
    url = reverse("admin:policies_policy_publish", args=[policy.pk])
    # the drafter may not publish: the page says why and offers no confirmation
    client.force_login(drafter)
    page = client.post(url, {"confirm": "yes"})
    assert "没有审核发布政策的权限" in page.content.decode()
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.DRAFT
    # the old transition URL does not publish: it leads to the confirmation page
    client.force_login(reviewer)
    response = client.post(reverse("admin:policies_policy_transition", args=[policy.pk, "publish"]))
    assert response.status_code == 302 and response.url == url
    # the reviewer sees the reach and the conditions before confirming
    page = client.get(url).content.decode()
    assert "我已核对：发布后将向 0 家企业推送" in page and "注册资本" in page
    page = client.post(url, {}).content.decode()
    assert "请勾选确认已核对覆盖面后再发布" in page
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.DRAFT
    client.post(url, {"confirm": "yes"})
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.PUBLISHED
    assert scheduled == [(policy.pk, "published")]


def test_preview_validates_renders_and_counts(client, drafter):
    client.force_login(drafter)
    url = reverse("admin:policies_policy_preview")
    bad = client.post(
        url, {"criteria": '{"all": [{"field": "nope", "op": "=", "value": 1}]}', "award": ""}
    ).json()
    assert bad["errors"] and bad["errors"][0]["path"].startswith("all[0]")
    broken = client.post(url, {"criteria": "{oops", "award": ""}).json()
    assert "JSON 格式错误" in broken["errors"][0]["message"]
    good = client.post(
        url,
        {
            "criteria": '{"all": [{"field": "district", "op": "within", "value": ["4101"]}]}',
            "award": '{"amount": "1000"}',
            "reach": "1",
        },
    ).json()
    assert good["errors"] == [] and "郑州" in good["criteria_text"]
    assert good["reach"]["eligible"] == 0 and "符合条件" in good["reach_html"]


def test_version_history_shows_the_criteria_diff(client, drafter, draft_data):
    from policies.services import policy_update

    policy = policy_create(actor=drafter, data=draft_data)
    policy_update(
        policy=policy,
        actor=drafter,
        data={"criteria": {"all": [{"field": "district", "op": "within", "value": ["4101"]}]}},
    )
    client.force_login(drafter)
    html = client.get(reverse("admin:policies_policy_change", args=[policy.pk])).content.decode()
    assert 'class="del"' in html and "注册资本" in html


def test_change_page_shows_the_workflow_buttons_the_user_may_use(
    client, drafter, reviewer, draft_data, scheduled
):
    # given a draft written by the drafter
    policy = policy_create(actor=drafter, data=draft_data)
    url = reverse("admin:policies_policy_change", args=[policy.pk])
    # when the drafter opens it: submit is offered, publish is shown disabled with the reason
    client.force_login(drafter)
    html = client.get(url).content.decode()
    assert reverse("admin:policies_policy_transition", args=[policy.pk, "submit"]) in html
    assert "没有审核发布政策的权限" in html
    # when the reviewer opens it after submission: publish and return are offered
    client.post(reverse("admin:policies_policy_transition", args=[policy.pk, "submit"]))
    client.force_login(reviewer)
    html = client.get(url).content.decode()
    assert reverse("admin:policies_policy_publish", args=[policy.pk]) in html
    assert reverse("admin:policies_policy_transition", args=[policy.pk, "return"]) in html
