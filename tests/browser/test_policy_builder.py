"""The criteria and award builder in the admin, driven in Chromium as an official drafts a
policy: rows of conditions with pickers and units, an error shown on its row and the Chinese
rendering following it, the award as a share with a cap, the JSON round-tripping, the reach
preview; screenshots at 1280 px in test-artifacts/screenshots/."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Demo-2026-zz"


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)


def _criteria(page) -> dict:
    return json.loads(page.input_value("#id_criteria") or "{}")


def _row(page, n: int):
    return page.locator("#id_criteria-builder .pb-cond").nth(n)


def test_an_official_builds_criteria_and_award_without_writing_json(live_city, live_server, page):
    from policies.models import Policy
    from tests.factories.policies import OfficialFactory

    OfficialFactory(username="drafter", password=PASSWORD, departments=[live_city.department])
    login(page, live_server.url, "drafter")
    page.goto(f"{live_server.url}/admin/policies/policy/add/")
    page.wait_for_selector("#id_criteria-builder .pb-root")
    # 牵头部门 is filled in for an official of one department
    assert page.input_value("#id_department") == str(live_city.department.pk)

    # a condition added from the keyboard: the new row's field picker takes the focus
    page.focus("#id_criteria-builder .pb-root > .pb-group-actions .pb-add")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('pb-field')")
    page.select_option("#id_criteria-builder .pb-field >> nth=0", "district")
    chips = _row(page, 0).locator("input[list]")
    chips.fill("金水区")
    chips.press("Enter")
    # an amount typed in 万元 is stored in 元, for last year's revenue, 以上 (≥)
    page.click("#id_criteria-builder .pb-root > .pb-group-actions .pb-add")
    page.select_option("#id_criteria-builder .pb-cond >> nth=1 >> .pb-field", "revenue")
    _row(page, 1).locator(".pb-period").select_option("last_year")
    _row(page, 1).locator(".pb-op").select_option(">=")
    _row(page, 1).locator("input.pb-number").fill("2000")
    _row(page, 1).locator(".pb-unit").select_option("10000")
    # a qualification with a typo
    page.click("#id_criteria-builder .pb-root > .pb-group-actions .pb-add")
    page.select_option("#id_criteria-builder .pb-cond >> nth=2 >> .pb-field", "tags")
    tag = _row(page, 2).locator("input[list]")
    tag.fill("高薪技术企业")
    tag.dispatch_event("change")
    # then the error is on that row, in Chinese, naming the condition; no stale rendering
    error = _row(page, 2).locator(".pb-row-error")
    error.wait_for(state="visible")
    assert "条件「资质」" in error.inner_text() and "未知资质标签" in error.inner_text()
    assert "all[2]" not in error.inner_text()
    expect(page.locator("#criteria-rendered")).to_contain_text("条件有误")
    _shot(page, "admin-builder-error")
    # when corrected, the rendering follows
    tag.fill("高新技术企业")
    tag.dispatch_event("change")
    expect(page.locator("#criteria-rendered")).to_contain_text("高新技术企业")
    rendered = page.inner_text("#criteria-rendered")
    assert "金水区" in rendered and "上年度营业收入2000万元以上" in rendered
    assert _criteria(page) == {
        "all": [
            {"field": "district", "op": "within", "value": ["410105"]},
            {"field": "revenue", "op": ">=", "value": 20000000, "period": "last_year"},
            {"field": "tags", "op": "has", "value": "高新技术企业"},
        ]
    }

    # the award: 10 % of last year's R&D expense, at most 200万元
    page.select_option(".pb-award-mode", "share")
    page.fill("input[aria-label='比例（%）']", "10")
    page.fill("input[aria-label='上限']", "200")
    assert json.loads(page.input_value("#id_award")) == {
        "amount": "0.1 * rd_expense@last_year",
        "cap": "2000000",
    }
    expect(page.locator("#award-rendered")).to_contain_text("研发费用")

    # the reach preview beside it
    page.click("#policy-preview-button")
    page.wait_for_selector("#policy-preview-result .policy-reach")
    assert "符合条件" in page.inner_text("#policy-preview-result")
    _shot(page, "admin-builder")

    # saved: the JSON the builder wrote is what the policy keeps
    page.fill("#id_title", "研发费用后补助")
    page.fill("#id_summary", "按上年度研发费用的10%给予补助。")
    page.click("input[name=_continue]")
    page.wait_for_load_state("networkidle")
    policy = Policy.objects.get(title="研发费用后补助")
    assert policy.criteria["all"][1] == {
        "field": "revenue",
        "op": ">=",
        "value": 20000000,
        "period": "last_year",
    }
    assert policy.award == {"amount": "0.1 * rd_expense@last_year", "cap": "2000000"}

    # the saved JSON round-trips: the builder writes back exactly what the server sent
    page.wait_for_selector("#id_criteria-builder .pb-root")
    for part in ("criteria", "award"):
        before = page.input_value(f"#id_{part}")
        page.evaluate(f"window.policyBuilder.builders['{part}'].write()")
        assert page.input_value(f"#id_{part}") == before
    # and editing the advanced view updates the rows
    page.click("#id_criteria-advanced summary")
    page.fill("#id_criteria", json.dumps({"any": [{"field": "age_years", "op": "<", "value": 3}]}))
    expect(page.locator("#id_criteria-builder .pb-cond")).to_have_count(1)
    assert page.input_value("#id_criteria-builder .pb-field") == "age_years"
    assert page.input_value("#id_criteria-builder .pb-op") == "<"


def test_groups_tiers_and_cases_are_built_without_json(live_city, live_server, page):
    from tests.factories.policies import OfficialFactory

    OfficialFactory(username="drafter2", password=PASSWORD, departments=[live_city.department])
    login(page, live_server.url, "drafter2")
    page.goto(f"{live_server.url}/admin/policies/policy/add/")
    page.wait_for_selector("#id_criteria-builder .pb-root")
    root = "#id_criteria-builder .pb-root"
    # a nested 满足其一 group, negated: not (small or micro)
    page.click(f"{root} > .pb-group-actions .pb-add-group")
    group = page.locator(f"{root} .pb-items .pb-group").first
    group.locator(".pb-field").select_option("scale")
    group.locator(".pb-op").select_option("in")
    chips = group.locator("input[list]")
    for name in ("小型", "微型"):
        chips.fill(name)
        chips.press("Enter")
    group.locator("legend .pb-not input").check()
    assert _criteria(page) == {
        "all": [{"not": {"any": [{"field": "scale", "op": "in", "value": ["small", "micro"]}]}}]
    }
    expect(page.locator("#criteria-rendered")).to_contain_text("企业规模")

    # tiers (分档): by last year's revenue, highest first
    page.select_option(".pb-award-mode", "tiers")
    page.fill("input[aria-label='第2档门槛']", "5000")
    award = json.loads(page.input_value("#id_award"))
    assert [c["when"]["value"] for c in award["cases"]] == [100000000, 50000000]
    assert award["cases"][0] == {
        "when": {"field": "revenue", "op": ">=", "value": 100000000, "period": "last_year"},
        "amount": "500000",
    }
    expect(page.locator("#award-rendered")).to_contain_text("情形1")

    # cases (按情形, 从高不重复): a second case with its own condition, sorted highest first
    page.select_option(".pb-award-mode", "cases")
    page.fill("input[aria-label='第1种情形的金额']", "10")
    page.get_by_role("button", name="＋ 添加情形").click()
    case2 = page.locator(".pb-case").nth(1)
    case2.locator(".pb-add").click()
    case2.locator(".pb-field").select_option("tags")
    case2.locator("input[list]").fill("高新技术企业")
    case2.locator("input[list]").dispatch_event("change")
    page.fill("input[aria-label='第2种情形的金额']", "30")
    page.get_by_role("button", name="按金额从高到低排序").click()
    award = json.loads(page.input_value("#id_award"))
    assert award == {
        "cases": [
            {"when": {"all": [{"field": "tags", "op": "has", "value": "高新技术企业"}]}, "amount": "300000"},
            {"when": {"all": []}, "amount": "100000"},
        ]
    }
    expect(page.locator("#award-rendered")).to_contain_text("高新技术企业")
    expect(page.locator("#policy-builder-errors")).to_be_empty()
    _shot(page, "admin-builder-cases")
