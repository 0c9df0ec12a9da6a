"""The withdrawn-policy journey walked in Chromium against a real Celery worker: the reviewer
withdraws a published policy in the admin, its drafter opens it (the page that used to answer
500), reopens it, raises a threshold in the criteria builder (万元 typed, no JSON) and sends it
for review; the reviewer confirms the reach and publishes it again. The worker ends and
re-creates the matches, and each enterprise's 我的政策 follows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import (
    builtin_vocabulary_restore,
    caches_reset,
    city_build,
    login,
    policy_data,
    policy_publish_as_officials,
    shoot,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.browser]

PASSWORD = "Demo-2026-zz"
TITLE = "智能制造设备补贴"


def _statuses(policy) -> dict[int, str]:
    from matching.models import Match

    return dict(Match.objects.filter(policy=policy).values_list("enterprise_id", "status"))


def _my_policies(chromium, base_url: str, username: str) -> dict[str, str]:
    """What 我的政策 lists under 「符合条件的政策」 and 「差一点符合」, as the enterprise's user
    sees it in a browser of their own (a section with nothing in it is not shown)."""
    context = chromium.new_context(viewport={"width": 360, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        login(page, base_url, username, PASSWORD)
        page.goto(f"{base_url}/my/policies/")
        sections = {
            key: page.locator(f"section[aria-labelledby={key}-title]") for key in ("eligible", "near")
        }
        return {key: section.inner_text() if section.count() else "" for key, section in sections.items()}
    finally:
        context.close()


def test_a_withdrawn_policy_is_revised_and_republished_in_chromium_and_the_worker_follows(
    live_server, page, chromium, start_worker, real_broker
):
    from policies.models import Policy, PolicyStatus

    builtin_vocabulary_restore()
    caches_reset()
    city = city_build()
    bing, ding = city.enterprise.pk, city.other.pk
    start_worker(SITE_URL=live_server.url, MATCH_CHUNK_SIZE=100)
    # given a policy for enterprises of at least 100万 registered capital: 丙 (800万) and 丁 (300万)
    policy = policy_publish_as_officials(city, policy_data(city, title=TITLE))
    wait_for(lambda: _statuses(policy) == {bing: "eligible", ding: "eligible"}, timeout=120,
             what="the worker's first matches")  # fmt: skip
    change_url = f"{live_server.url}/admin/policies/policy/{policy.pk}/change/"

    # when the reviewer withdraws it in the admin, with a reason
    login(page, live_server.url, city.reviewer.username, PASSWORD)
    page.goto(change_url)
    page.fill("input.policy-reason", "补贴标准调整")
    page.get_by_role("button", name="撤回").click()
    page.wait_for_load_state("networkidle")
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.WITHDRAWN
    # then the worker ends every match, and 丙's 我的政策 no longer lists it
    wait_for(lambda: set(_statuses(policy).values()) == {"ended"}, timeout=120, what="the matches ended")
    assert TITLE not in _my_policies(chromium, live_server.url, city.user.username)["eligible"]

    # when its drafter opens the withdrawn policy and reopens it
    page.context.clear_cookies()
    login(page, live_server.url, city.drafter.username, PASSWORD)
    response = page.goto(change_url)
    assert response.status == 200
    page.get_by_role("button", name="重新修订").click()
    page.wait_for_load_state("networkidle")
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.DRAFT
    # and raises the threshold to 500万 in the builder (typed in 万元, stored in 元)
    page.goto(change_url)
    capital = page.locator("#id_criteria-builder .pb-cond").nth(1)
    capital.locator("input.pb-number").fill("500")
    expect(page.locator("#criteria-rendered")).to_contain_text("注册资本500万元以上")
    shoot(page, "journey-withdrawn-revised")
    page.click("input[name=_continue]")
    page.wait_for_load_state("networkidle")
    revised = Policy.objects.get(pk=policy.pk)
    assert revised.criteria["all"][1] == {"field": "registered_capital", "op": ">=", "value": 5_000_000}
    # and sends it for review
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state("networkidle")
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.IN_REVIEW

    # when the reviewer confirms the reach (丙 alone) and publishes it again
    page.context.clear_cookies()
    login(page, live_server.url, city.reviewer.username, PASSWORD)
    page.goto(change_url)
    page.get_by_role("link", name="审核发布…").click()
    expect(page.locator(".policy-publish-form label")).to_contain_text("发布后将向 1 家企业推送")
    page.check("input[name=confirm]")
    page.get_by_role("button", name="确认发布").click()
    page.wait_for_load_state("networkidle")
    republished = Policy.objects.get(pk=policy.pk)
    assert (republished.status, republished.version) == (PolicyStatus.PUBLISHED, 2)

    # then the worker matches the new version: 丙 qualifies again, 丁 (300万) does not
    wait_for(lambda: _statuses(policy) == {bing: "eligible", ding: "ended"}, timeout=120,
             what="the second version's matches")  # fmt: skip
    assert TITLE in _my_policies(chromium, live_server.url, city.user.username)["eligible"]
    ding_sees = _my_policies(chromium, live_server.url, city.other_user.username)
    assert TITLE not in ding_sees["eligible"]
    # and 丁 is told what it lacks: a near miss with its own figure
    assert TITLE in ding_sees["near"] and "当前：300万元" in ding_sees["near"]
