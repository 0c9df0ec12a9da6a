"""Issue 16 details in Chromium: on a 360 px phone a policy page shows the deadline, the
amount, the verdict and 在线申报 before its long text; 我的申报 / 我的兑现 tables are cards with
every cell's label on screen and nothing wider than the phone; amounts say the exact figure
on hover; one search on the policy list adds one browser history entry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import login, shoot

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 800}


def _top(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not displayed"
    return box["y"]


@pytest.fixture
def applied(live_city, settings, tmp_path):
    """郑州甲 with an approved application (a grant awaiting its bank account) and one in review."""
    from applications import services as applications
    from tests.factories.policies import OfficialFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    city = live_city
    official = OfficialFactory(username="phone-official", departments=[city.department])
    approved = applications.application_submit(
        policy=city.policies["generic"],
        enterprise=city.enterprise,
        applicant=city.user,
        declared={"contact_name": "李四", "contact_phone": "13812345678"},
        files=[],
    )
    applications.application_approve(application=approved, actor=official, amount="100000")
    applications.application_submit(
        policy=city.policies["hightech"],
        enterprise=city.enterprise,
        applicant=city.user,
        declared={"contact_name": "李四", "contact_phone": "13812345678"},
        files=[],
    )
    return city


def test_a_policy_page_on_a_phone_starts_with_deadline_amount_verdict_and_the_button(
    applied, live_server, page
):
    city = applied
    # given an enterprise user on a 360 px phone
    login(page, live_server.url, "jia")
    page.set_viewport_size(PHONE)
    # when it opens a policy with a long text
    page.goto(f"{live_server.url}{reverse('web:policy_detail', args=[city.policies['rd'].pk])}")
    page.wait_for_load_state("networkidle")
    # then the key facts come before the conditions and the text of the policy
    facts = _top(page, "#key-facts")
    for selector in ("#fact-deadline", "#fact-amount", "#fact-verdict", "#fact-apply"):
        assert page.locator(selector).is_visible(), selector
        assert _top(page, selector) < _top(page, "#crit-title"), selector
    assert _top(page, "#fact-apply") < 900, "在线申报 is not on the first screens"
    assert facts < _top(page, "#crit-title") < _top(page, "aside")
    assert "剩" in page.locator("#fact-deadline").inner_text()
    assert "符合" in page.locator("#fact-verdict").inner_text()
    # and the amount says its exact figure on hover
    amount = page.locator("#fact-amount data.money")
    assert amount.get_attribute("title").endswith("元") and "," in amount.get_attribute("title")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(page, "phone-policy-key-facts")
    # on a desktop the aside beside the text shows them; the box is not repeated
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not page.locator("#key-facts").is_visible()
    assert page.locator("aside a.btn", has_text="在线申报").is_visible()


def test_my_applications_and_grants_are_cards_on_a_phone(applied, live_server, page):
    login(page, live_server.url, "jia")
    page.set_viewport_size(PHONE)
    for path in (reverse("applications:mine"), reverse("applications:my_grants")):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        # nothing is wider than the phone, nothing hides off-screen to the right
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        rows = page.locator("table.cards tbody tr")
        assert rows.count() >= 1, path
        for i in range(rows.count()):
            row = rows.nth(i)
            box = row.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360, path
            # each row is a card: its cells are stacked, each with its column's name
            for cell in row.locator("td[data-label]").all():
                label = cell.get_attribute("data-label")
                before = cell.evaluate("c => getComputedStyle(c, '::before').content")
                assert label and label in before, (path, label, before)
                cell_box = cell.bounding_box()
                assert cell_box["x"] + cell_box["width"] <= 360, (path, label)
        text = page.locator("main").inner_text()
        assert "状态" in text
    # the grant awaiting its account says so, and the link to confirm it is on screen
    link = page.get_by_role("link", name="确认收款账户").first
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    amount = page.locator("table.cards data.money").first
    assert amount.get_attribute("title") == "100,000.00元" and amount.inner_text() == "10万元"
    shoot(page, "phone-my-grants-cards")
    page.goto(f"{live_server.url}{reverse('applications:mine')}")
    shoot(page, "phone-my-applications-cards")


def test_the_navigation_leads_to_my_applications_and_my_grants(applied, live_server, page):
    login(page, live_server.url, "jia")
    page.goto(f"{live_server.url}/")
    page.locator(".main-nav").get_by_role("link", name="我的申报").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(reverse("applications:mine"))
    page.locator(".main-nav").get_by_role("link", name="我的兑现").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(reverse("applications:my_grants"))
    assert page.locator(".main-nav a[aria-current=page]").inner_text() == "我的兑现"


def test_one_search_adds_one_history_entry(live_city, live_server, page):
    # given the policy list
    page.goto(f"{live_server.url}{reverse('web:policy_list')}")
    page.wait_for_load_state("networkidle")
    before = page.evaluate("history.length")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/policy/?" in r.url else None)
    # when a visitor types a keyword and presses Enter
    page.fill("#list-q", "研发")
    page.press("#list-q", "Enter")
    page.wait_for_url("**q=**")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    # then one request is made and one history entry added
    assert len(requests) == 1, requests
    assert page.evaluate("history.length") == before + 1
    assert "郑州市企业研发费用后补助" in page.locator("#results").inner_text()
    # and a filter still refreshes the results (one more entry), and Back returns to the search
    page.check("input[name=open]")
    page.wait_for_url("**open=on**")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("history.length") == before + 2
    # the order select, inside the results, still refreshes them (select_option sets the value
    # without a user gesture: Chromium may fold that entry, so only the URL is checked)
    page.select_option("#list-order", "newest")
    page.wait_for_url("**order=newest**")
