"""A visitor without an account saves a search of the policy list, confirms it from the
confirmation e-mail, and is alerted when an official publishes a policy the search selects:
the alert says the amount, the deadline and the next step, links to its manage page, and
unsubscribes with one click (RFC 8058). Walked in Chromium at desktop and phone width, each
page checked with axe-core and photographed at both widths. The enterprise's saved filter and
its 政策日历 with the calendar feed follow."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible

from .conftest import city_build, login, policy_data, policy_publish_as_officials, shoot

pytestmark = [pytest.mark.browser]

WIDTHS = {"desktop": 1280, "phone": 360}


@pytest.fixture
def site(live_server, settings, eager_pipeline):
    settings.SITE_URL = live_server.url
    mail.outbox.clear()
    return live_server.url


def _look(page, name: str) -> None:
    assert_accessible(page, name)
    shoot(page, name)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_an_anonymous_visitor_saves_a_search_confirms_it_and_is_alerted_of_a_matching_policy(
    site, chromium, width
):
    from subscriptions.models import Subscription

    city = city_build()
    policy_publish_as_officials(city, policy_data(city, title="人才公寓租金补贴"))  # not selected
    mail.outbox.clear()
    context = chromium.new_context(viewport={"width": WIDTHS[width], "height": 900}, locale="zh-CN")
    page = context.new_page()

    # the visitor searches the policy list and offers to save that search
    page.goto(f"{site}/policy/")
    page.fill("#list-q", "智能制造")
    page.locator("#list-q").press("Enter")
    page.wait_for_load_state("networkidle")
    shoot(page, "subscriptions-policy-list")  # the list's offer to save its search
    page.get_by_role("link", name="订阅此搜索的新政策提醒").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".sub-conditions")).to_contain_text("关键词「智能制造」")
    _look(page, "subscriptions-subscribe")

    # a bad address is refused, naming the field
    page.fill("input[name=email]", "not-an-address")
    page.get_by_role("button", name="订阅").click()
    expect(page.locator("#email-errors")).to_contain_text("邮箱格式不正确")
    page.fill("input[name=email]", f"reader-{width}@example.com")
    page.get_by_role("button", name="订阅").click()
    expect(page.locator("main")).to_contain_text("请查收确认邮件")
    _look(page, "subscriptions-sent")

    # one confirmation mail; nothing else until it is confirmed
    (confirmation,) = mail.outbox
    assert confirmation.to == [f"reader-{width}@example.com"]
    link = re.search(rf"{re.escape(site)}/subscriptions/confirm/\S+/", confirmation.body).group(0)
    page.goto(link)
    _look(page, "subscriptions-confirm")
    page.get_by_role("button", name="确认订阅").click()
    expect(page.locator("main")).to_contain_text("订阅中")
    _look(page, "subscriptions-manage")
    sub = Subscription.objects.get(email=f"reader-{width}@example.com")
    assert sub.confirmed_at is not None and sub.q == "智能制造"

    # when an official publishes a policy the search selects (the publish service, tasks eager)
    policy = policy_publish_as_officials(city, policy_data(city, title="智能制造设备补贴", amount="300000"))

    # then the alert arrives with the amount, the deadline, the next step and one-click unsubscribe
    alerts = [m for m in mail.outbox if m.subject.startswith("新政策")]
    assert [m.subject for m in alerts] == ["新政策：智能制造设备补贴"]
    body = alerts[0].body
    assert "确定可享（定额）：30万元" in body
    assert f"申报截止：{policy.apply_end.isoformat()}" in body
    assert f"下一步：在线申报 {site}/applications/apply/{policy.pk}/" in body
    unsubscribe = f"{site}/subscriptions/unsubscribe/{sub.token}/"
    assert alerts[0].extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert alerts[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # the policy link and the manage link of the alert work
    page.goto(re.search(rf"{re.escape(site)}/policy/\d+/", body).group(0))
    expect(page.locator("h1")).to_contain_text("智能制造设备补贴")
    page.goto(re.search(rf"{re.escape(site)}/subscriptions/manage/\S+/", body).group(0))
    expect(page.locator("main")).to_contain_text("智能制造设备补贴")

    # a GET of the unsubscribe link only asks
    page.goto(unsubscribe)
    expect(page.get_by_role("button", name="确认退订")).to_be_visible()
    _look(page, "subscriptions-unsubscribe")
    sub.refresh_from_db()
    assert sub.unsubscribed_at is None

    # the mail client's one-click POST (no cookie, no CSRF token) unsubscribes
    response = context.request.post(
        unsubscribe,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    sub.refresh_from_db()
    assert sub.unsubscribed_at is not None
    mail.outbox.clear()
    policy_publish_as_officials(city, policy_data(city, title="智能制造技改奖励"))
    assert [m for m in mail.outbox if m.to == [f"reader-{width}@example.com"]] == []
    context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_an_enterprise_saves_its_filter_and_adds_its_policy_calendar(site, chromium, width):
    city = city_build()
    policy_publish_as_officials(city, policy_data(city, title="智能制造设备补贴", amount="300000"))
    context = chromium.new_context(viewport={"width": WIDTHS[width], "height": 900}, locale="zh-CN")
    page = context.new_page()
    login(page, site, city.user.username)

    page.goto(f"{site}/my/subscriptions/")
    page.get_by_label("资金补贴").check()
    page.get_by_label("郑州市工业和信息化局").check()
    page.fill("input[name=min_amount]", "20")
    page.fill("input[name=email]", "boss@bing.example.com")
    page.get_by_role("button", name="保存订阅").click()
    expect(page.locator(".sub-list")).to_contain_text("金额不低于 20万元")
    _look(page, "subscriptions-mine")

    # 政策日历 from the navigation, with the enterprise's secret feed
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="政策日历").click()
    expect(page.locator("main")).to_contain_text("智能制造设备补贴")
    page.locator("details.card summary").click()
    _look(page, "subscriptions-calendar")
    feed = page.input_value("#feed-url")
    context.clear_cookies()
    response = context.request.get(feed)
    assert response.status == 200
    events = [str(e["summary"]) for e in Calendar.from_ical(response.body()).walk("VEVENT")]
    assert any(s.startswith("智能制造设备补贴") for s in events)
    context.close()
