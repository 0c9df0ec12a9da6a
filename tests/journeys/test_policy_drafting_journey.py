"""Issue 13's "done when", walked in Chromium: an official pastes a real clause, the draft
appears with its sources highlighted, she corrects one condition in the builder, adds two
example enterprises and sends the policy for review; the reviewer finds it in 「待我审核」 with
its changes and its examples, confirms the reach and publishes it; the enterprise's 我的政策
counts it in 确定可享合计 (and a 评审择优 prize only in 最高可申). Screenshots at 1280 px in
test-artifacts/screenshots/."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS

from .conftest import builtin_vocabulary_restore, city_build, login, policy_publish_as_officials

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Demo-2026-zz"
# 汕头市促进科技创新发展若干措施 (https://m.shzx.org/a/20-876-0.html), as in the drafting corpus (st-1)
CLAUSE = "对首次通过认定的高新技术企业,市财政给予一次性奖励8万元"


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)


def _session(chromium):
    """Another person's browser (own cookies), at 1280 px."""
    page = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    return page


def _add_example(page, i: int, name: str, profile: dict, verdict: str, amount: str = "") -> None:
    page.locator("#examples-group .add-row a").click()
    page.fill(f"#id_examples-{i}-name", name)
    page.fill(f"#id_examples-{i}-profile", json.dumps(profile, ensure_ascii=False))
    page.select_option(f"#id_examples-{i}-expected_verdict", verdict)
    page.fill(f"#id_examples-{i}-expected_amount", amount)


def test_an_official_drafts_from_text_and_a_reviewer_publishes_after_checking(
    live_server, page, chromium, eager_pipeline
):
    from enterprises.services import enterprise_upsert
    from policies.models import Policy, PolicyStatus

    builtin_vocabulary_restore()
    city = city_build()
    today = timezone.localdate()
    # 丙 was recognised 高新技术企业 for the first time this year
    enterprise_upsert(
        data={"credit_code": city.enterprise.credit_code,
              "tags": [{"name": "高新技术企业", "recognized_on": today.isoformat(), "first_time": True}]},
        source="test",
    )  # fmt: skip
    # and qualifies for a 评审择优 prize of 50万元 that is not certain
    prize = policy_publish_as_officials(
        city,
        {"title": "市长质量奖", "department": city.department, "summary": "评审择优。",
         "criteria": {"field": "district", "op": "within", "value": ["4101"]},
         "award": {"amount": "500000"}, "award_basis": "competitive"},
    )  # fmt: skip

    # the drafter pastes the clause: the draft fills the builder, its sources highlighted
    login(page, live_server.url, city.drafter.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/policies/policy/add/")
    page.wait_for_selector("#id_criteria-builder .pb-root")
    page.fill("#id_title", "高新技术企业首次认定奖励")
    page.fill("#id_summary", "对首次通过认定的高新技术企业给予一次性奖励。")
    page.click("#policy-draft summary")
    page.fill("#policy-draft-text", CLAUSE)
    page.click("#policy-draft-button")
    marks = page.locator("#policy-draft-result .pb-mark")
    expect(marks).to_have_count(2)
    assert marks.nth(0).inner_text() in CLAUSE and "8万元" in marks.nth(1).inner_text()
    row = page.locator("#id_criteria-builder .pb-cond").first
    expect(row.locator(".pb-badge")).to_have_text("拟稿·待核对")
    assert row.locator(".pb-op").input_value() == "first_time"
    expect(page.locator("#award-rendered")).to_contain_text("8万元")  # amount_text: the money format
    _shot(page, "journey-draft")
    # she corrects one condition: recognised this year (not any first recognition)
    row.locator(".pb-recognized").select_option("this_year")
    expect(page.locator("#criteria-rendered")).to_contain_text("本年度首次认定的高新技术企业")
    assert json.loads(page.input_value("#id_criteria")) == {
        "all": [
            {
                "field": "tags",
                "op": "has",
                "value": "高新技术企业",
                "first_time": True,
                "recognized": "this_year",
            }
        ]
    }
    # and adds two example enterprises
    tag = {"name": "高新技术企业", "first_time": True}
    _add_example(page, 0, "今年首次认定", {"district": "410105", "tags": [{**tag, "recognized_on": today.isoformat()}]},
                 "eligible", "80000")  # fmt: skip
    _add_example(page, 1, "前年首次认定", {"district": "410105",
                 "tags": [{**tag, "recognized_on": today.replace(year=today.year - 2).isoformat()}]}, "not_eligible")  # fmt: skip
    page.click("input[name=_continue]")
    page.wait_for_load_state("networkidle")
    policy = Policy.objects.get(title="高新技术企业首次认定奖励")
    assert policy.examples.count() == 2 and all(e.last_run["passed"] for e in policy.examples.all())
    # and sends it for review
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state("networkidle")
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.IN_REVIEW

    # the reviewer finds it in 待我审核 with its conditions and its examples
    reviewer = _session(chromium)
    login(reviewer, live_server.url, city.reviewer.username, PASSWORD)
    reviewer.goto(f"{live_server.url}/admin/policies/policy/")
    reviewer.get_by_role("link", name="待我审核（1）").click()
    queue = reviewer.locator(".policy-queue tbody tr", has_text=policy.title)
    expect(queue).to_contain_text("本年度首次认定的高新技术企业")
    expect(queue).to_contain_text("今年首次认定")
    expect(queue).to_contain_text("2 个样例：0 个未通过")
    _shot(reviewer, "journey-review-queue")
    # confirms the reach (丙: one enterprise, 8万元) and publishes
    queue.get_by_role("link", name="审核").click()
    reviewer.wait_for_load_state("networkidle")
    confirm = reviewer.locator(".policy-publish-form label")
    expect(confirm).to_contain_text("发布后将向 1 家企业推送（其中 1 家符合条件")
    expect(confirm).to_contain_text("预计奖补总额 80,000.00 元")
    _shot(reviewer, "journey-publish-confirm")
    reviewer.check("input[name=confirm]")
    reviewer.get_by_role("button", name="确认发布").click()
    reviewer.wait_for_load_state("networkidle")
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.PUBLISHED

    # the enterprise's 我的政策 counts it in 确定可享合计; the prize only in 最高可申
    enterprise = _session(chromium)
    login(enterprise, live_server.url, city.user.username, PASSWORD)
    enterprise.goto(f"{live_server.url}/my/policies/")
    expect(enterprise.locator("body")).to_contain_text(policy.title)
    expect(enterprise.locator("body")).to_contain_text(prize.title)
    expect(enterprise.locator("#total-certain .amount")).to_have_text("8万元")
    expect(enterprise.locator("#total-max .amount")).to_have_text("58万元")
    _shot(enterprise, "journey-my-policies")
    for other in (reviewer, enterprise):
        other.context.close()
