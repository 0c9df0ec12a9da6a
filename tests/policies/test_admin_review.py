"""Review and publish in the admin: the 「待我审核」 queue with the changes since the last
published version and the example enterprises, the confirmation of the reach (one policy or a
bulk action), the examples' acknowledgement; 牵头部门 filled in; the builder's endpoints
place each error on its row and never render a tree that has errors; the labels in Chinese."""

import json

import pytest
from django.urls import reverse

from policies.examples import examples_replace
from policies.models import Policy, PolicyStatus
from policies.services import (
    policy_create,
    policy_publish,
    policy_reopen,
    policy_submit,
    policy_update,
    policy_withdraw,
)

pytestmark = pytest.mark.django_db

QUEUE = "admin:policies_policy_review_queue"


def _example(name: str, capital: str, verdict: str, amount: str = "") -> dict:
    return {
        "name": name,
        "profile": {"district": "410105", "registered_capital": capital},
        "as_of": "2026-12-06",
        "expected_verdict": verdict,
        "expected_amount": amount,
    }


def test_the_queue_lists_what_the_reviewer_may_publish_with_its_changes_and_examples(
    client, drafter, reviewer, other_reviewer, draft_data, scheduled
):
    # given a published policy revised by its drafter (capital 500万 → 800万) and sent for review
    policy = policy_publish(policy=policy_create(actor=drafter, data=draft_data), actor=reviewer)
    policy = policy_reopen(
        policy=policy_withdraw(policy=policy, actor=reviewer, reason="调整"), actor=drafter
    )
    criteria = {
        "all": [
            draft_data["criteria"]["all"][0],
            {"field": "registered_capital", "op": ">=", "value": 8000000},
        ]
    }
    policy = policy_update(policy=policy, actor=drafter, data={"criteria": criteria})
    examples_replace(policy=policy, actor=drafter, examples=[_example("注册资本900万", "9000000", "eligible", "300000"),
                                                            _example("注册资本600万", "6000000", "not_eligible")])  # fmt: skip
    policy_submit(policy=policy, actor=drafter)
    # when its reviewer opens the queue
    client.force_login(reviewer)
    html = client.get(reverse(QUEUE)).content.decode()
    # then the policy is there with the condition that changed and its examples' results
    assert policy.title in html
    assert "注册资本500万元以上" in html and "注册资本800万元以上" in html  # the diff's two lines
    assert 'class="del"' in html and 'class="ins"' in html
    assert "注册资本900万" in html and "注册资本600万" in html and "2 个样例：0 个未通过" in html
    assert reverse("admin:policies_policy_publish", args=[policy.pk]) in html
    # and the change list links to the queue with its count
    assert "待我审核（1）" in client.get(reverse("admin:policies_policy_changelist")).content.decode()
    # the drafter (no review permission) and another department's reviewer have nothing waiting
    for user in (drafter, other_reviewer):
        client.force_login(user)
        page = client.get(reverse(QUEUE))
        assert page.status_code == 200 and policy.title not in page.content.decode()


def test_a_failing_example_blocks_publishing_until_the_reviewer_acknowledges_it(
    client, drafter, reviewer, draft_data, scheduled
):
    policy = policy_create(actor=drafter, data=draft_data)
    # an example the criteria disagree with (600万 ≥ 500万 is eligible, expected not)
    examples_replace(
        policy=policy, actor=drafter, examples=[_example("注册资本600万", "6000000", "not_eligible")]
    )
    policy_submit(policy=policy, actor=drafter)
    url = reverse("admin:policies_policy_publish", args=[policy.pk])
    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert "样例企业未通过" in page and 'value="acknowledge"' in page
    page = client.post(url, {"confirm": "yes"}).content.decode()
    assert "样例企业未通过" in page
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.IN_REVIEW
    # the reviewer acknowledges the example's result, then confirms the reach
    assert client.post(url, {"action": "acknowledge"}).status_code == 302
    client.post(url, {"confirm": "yes"})
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.PUBLISHED


def test_the_bulk_publish_action_shows_each_reach_and_asks_for_confirmation(
    client, drafter, reviewer, draft_data, scheduled
):
    policy = policy_create(actor=drafter, data=draft_data)
    client.force_login(reviewer)
    post = {"action": "action_publish", "_selected_action": [policy.pk]}
    page = client.post(reverse("admin:policies_policy_changelist"), post)
    assert page.status_code == 200 and "我已核对以上 1 项政策的覆盖面" in page.content.decode()
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.DRAFT
    client.post(reverse("admin:policies_policy_changelist"), {**post, "confirm": "yes"})
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.PUBLISHED


def test_the_add_form_fills_in_the_department_of_an_official_of_one(client, drafter, department, superuser):
    client.force_login(drafter)
    form = client.get(reverse("admin:policies_policy_add")).context["adminform"].form
    assert form.initial["department"] == department.pk
    html = client.get(reverse("admin:policies_policy_add")).content.decode()
    # the help text's example names a division by its code
    assert "410105" in html and '"value": ["郑州市"]' not in html
    client.force_login(superuser)
    assert (
        "department" not in client.get(reverse("admin:policies_policy_add")).context["adminform"].form.initial
    )


def test_preview_places_each_error_on_its_row_and_renders_no_tree_with_errors(client, drafter):
    client.force_login(drafter)
    url = reverse("admin:policies_policy_preview")
    criteria = {"all": [{"field": "district", "op": "within", "value": ["410105"]},
                        {"any": [{"field": "revenue", "period": "last_year", "op": ">=", "value": "很多"}]}]}  # fmt: skip
    award = {"cases": [{"when": {}, "amount": "30万 +"}]}
    out = client.post(url, {"criteria": json.dumps(criteria), "award": json.dumps(award)}).json()
    assert out["criteria_text"] is None and out["award_text"] is None
    by_field = {e["field"]: e for e in out["errors"]}
    assert by_field["criteria"]["row"] == "all[1].any[0]"
    assert by_field["criteria"]["where"] == "条件「上年度营业收入」"
    assert by_field["award"]["row"] == "award.cases[0].amount"
    assert by_field["award"]["where"] == "第1种情形的金额"
    # one part right, the other wrong: the right one is rendered
    out = client.post(url, {"criteria": json.dumps(criteria["all"][0]), "award": json.dumps(award)}).json()
    assert out["criteria_text"] == "注册地在金水区" and out["award_text"] is None


def test_the_builder_vocabulary_offers_the_legal_wording_and_the_reference_trees(client, drafter):
    client.force_login(drafter)
    vocab = client.get(reverse("admin:policies_policy_vocabulary")).json()
    fields = {f["code"]: f for f in vocab["fields"]}
    assert fields["revenue"]["name"] == "营业收入" and fields["revenue"]["type"] == "money"
    assert (
        dict(fields["revenue"]["ops"])[">="] == "以上（含）" and dict(fields["revenue"]["ops"])["<"] == "不满"
    )
    assert dict(fields["tags"]["ops"])["first_time"] == "首次认定"
    assert ["410105", "金水区"] in vocab["divisions"] and ["4101", "郑州市（全市）"] in vocab["divisions"]
    assert ["C", "C 制造业"] in vocab["industries"] and "高新技术企业" in vocab["tags"]
    assert ["last_year", "上年度"] in vocab["periods"]


def test_admin_labels_are_chinese(client, drafter, draft_data):
    policy = policy_create(actor=drafter, data=draft_data)
    client.force_login(drafter)
    html = client.get(reverse("admin:policies_policy_change", args=[policy.pk])).content.decode()
    assert "起草人" in html and "Created by" not in html and "Submitted by" not in html
    versions = client.get(reverse("admin:policies_policyversion_changelist")).content.decode()
    assert "修改人" in versions and "Changed by" not in versions
    # Django's own admin script texts (filter_horizontal) that its zh_Hans catalogue lacks
    catalog = client.get(reverse("admin:jsi18n")).content.decode()
    assert "\\u5168\\u9009%s" in catalog or "全选%s" in catalog


def test_the_departments_officials_edit_a_policys_own_rows_whatever_their_model_permissions(
    client, drafter, other_reviewer, draft_data
):
    # the drafter holds no model permission on examples, interpretations or materials
    policy = policy_create(actor=drafter, data=draft_data)
    client.force_login(drafter)
    html = client.get(reverse("admin:policies_policy_change", args=[policy.pk])).content.decode()
    for prefix in ("examples", "interpretations", "materials", "attachments"):
        assert f'name="{prefix}-TOTAL_FORMS"' in html
    assert "区域：郑州市" in html and "行业：不限" in html  # the facets, named
    # another department's official does not even see the policy
    client.force_login(other_reviewer)
    assert client.get(reverse("admin:policies_policy_change", args=[policy.pk])).status_code in (
        302,
        403,
        404,
    )
