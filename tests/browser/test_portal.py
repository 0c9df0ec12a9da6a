"""The enterprise portal in a real browser: the four journeys of issue 5, with screenshots."""

from __future__ import annotations

import pytest

from .conftest import login, shoot

pytestmark = pytest.mark.browser

PASSWORD = "Demo-2026-zz"


def test_enterprise_user_sees_a_matched_policy_with_its_reason_and_amount(live_city, live_server, page):
    # given an enterprise user of 郑州甲数据科技有限公司
    login(page, live_server.url, "jia")
    # when they open 我的政策
    page.goto(f"{live_server.url}/my/policies/")
    # then the research subsidy is there with its amount and the reason it matched
    card = page.locator("article.match", has_text="郑州市企业研发费用后补助").first
    assert card.is_visible()
    assert "20万元" in card.inner_text()
    card.locator("summary").click()
    assert "注册资本" in card.inner_text()
    assert "50万元" in page.locator(".summary-bar").inner_text()  # total, exclusive group counted once
    shoot(page, "my-policies")
    page.goto(f"{live_server.url}/policy/{live_city.policies['capital'].pk}/")
    assert "暂不符合申报条件" in page.inner_text("main")
    shoot(page, "policy-detail-verdict")
    page.goto(f"{live_server.url}/my/enterprise/")
    assert "138****5678" in page.inner_text("main")
    shoot(page, "my-enterprise")
    page.goto(f"{live_server.url}/my/notifications/preferences/")
    shoot(page, "preferences")


def test_calculator_returns_a_policy_for_a_qualifying_profile(live_city, live_server, page):
    # the screener's first step (the whole walk: tests/browser/test_screener.py), then the
    # results at once
    page.goto(f"{live_server.url}/calculator/")
    page.select_option("select[name=district]", "410105")
    shoot(page, "calculator-form")
    page.get_by_role("button", name="直接查看结果").click()
    page.wait_for_url("**/calculator/r/**")
    results = page.locator("#results")
    assert "科技型企业普惠奖励" in results.inner_text()
    assert "10万元" in results.inner_text()
    shoot(page, "calculator-results")


def test_search_finds_a_policy_by_a_two_character_chinese_term(live_city, live_server, page):
    page.goto(f"{live_server.url}/")
    shoot(page, "home")
    page.fill("#home-q", "研发")
    page.press("#home-q", "Enter")
    page.wait_for_load_state("networkidle")
    first = page.locator("article.result").first
    assert "郑州市企业研发费用后补助" in first.inner_text()
    assert page.locator("article.result mark", has_text="研发").count() >= 1
    shoot(page, "policy-search")
    # a facet narrows the list through htmx and the URL keeps the filter
    page.goto(f"{live_server.url}/policy/")
    page.check("input[name=benefit_type][value=finance]")
    page.wait_for_url("**benefit_type=finance**")
    page.wait_for_load_state("networkidle")
    assert page.locator("article.result").count() == 1
    assert "制造业设备更新贴息" in page.locator("#results").inner_text()
    shoot(page, "policy-list")
    page.click("text=制造业设备更新贴息")
    page.wait_for_load_state("networkidle")
    shoot(page, "policy-detail")


def test_an_official_publishes_and_the_enterprise_inbox_shows_it(live_city, live_server, page, new_page):
    from policies.services import policy_create
    from tests.factories.policies import OfficialFactory

    # given a draft that 郑州甲 qualifies for, and a reviewer of its department
    draft = policy_create(
        actor=None,
        data={
            "title": "数字化转型服务券",
            "department": live_city.department,
            "summary": "对企业数字化改造给予服务券。",
            "criteria": {"field": "district", "op": "within", "value": ["4101"]},
            "award": {"amount": "50000"},
        },
    )
    OfficialFactory(username="reviewer", password=PASSWORD, departments=[live_city.department], reviewer=True)
    # when the official publishes it in the admin
    login(page, live_server.url, "reviewer")
    page.goto(f"{live_server.url}/admin/policies/policy/")
    page.check(f"input[name=_selected_action][value='{draft.pk}']")
    page.select_option("select[name=action]", "action_publish")
    page.click("button[name=index]")
    # and confirms the reach on the intermediate page
    page.check("input[name=confirm]")
    page.get_by_role("button", name="确认发布").click()
    page.wait_for_load_state("networkidle")
    draft.refresh_from_db()
    assert draft.status == "published"
    # then the enterprise's inbox shows it
    enterprise = new_page()
    login(enterprise, live_server.url, "jia")
    enterprise.goto(f"{live_server.url}/my/notifications/")
    notice = enterprise.locator(".notice", has_text="数字化转型服务券").first
    assert notice.is_visible()
    shoot(enterprise, "inbox")
    # and marking it read works in place (htmx)
    notice.get_by_role("button", name="标为已读").click()
    enterprise.wait_for_selector(".notice:not(.unread) >> text=数字化转型服务券")


def test_error_and_login_pages_are_in_the_portal_style(live_city, live_server, page, settings):
    page.goto(f"{live_server.url}/accounts/login/")
    shoot(page, "login")
    response = page.goto(f"{live_server.url}/policy/999999/")
    assert response.status == 404
    shoot(page, "not-found")
