"""The 政策计算器 screener in Chromium (issue 16, part 2): an enterprise like 郑州甲 answers
it in under a dozen inputs at desktop and at phone width (with JavaScript: htmx swaps the
steps; and at phone width without it: plain posts), every step short on a phone and accessible,
reaches its results, reopens them from the link in a fresh browser and prints them. axe-core
needs JavaScript in the page: it checks the steps of the runs with JavaScript (the same HTML)."""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_accessible

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser]

PHONE_MAX_HEIGHT = 1400  # a step must stay well under one and a half phone screens
ANSWERS = {  # what 郑州甲 knows about itself, by question
    "registered_capital": "500",
    "industry": "软件和信息技术服务",  # a name, not a code
    "ind:revenue": "2500",
    "ind:rd_expense": "200",
}


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _answer(page, key: str) -> int:
    """Answer one question of the step as 郑州甲 would; returns the inputs it filled."""
    if key == "location":
        page.select_option("select[name=district]", "410105")
        return 1
    if key.startswith("tag:"):
        tag = key.removeprefix("tag:")
        fieldset = page.locator("fieldset.question", has=page.locator("legend", has_text=tag))
        if tag != "高新技术企业":
            fieldset.get_by_role("button", name="不清楚，跳过此题").click()
            return -1
        fieldset.get_by_label("已获得此项资质").check()
        return 1
    if key in ANSWERS:
        selector = f"input[name={key}]" if ":" not in key else f"input[name^=ind_{key.split(':')[1]}_]"
        page.fill(selector, ANSWERS[key])
        return 1
    return 0  # left unknown


def _results(page) -> tuple[list[str], str, str]:
    titles = page.locator("#results .match:not(.near) h3 a").all_inner_texts()
    return titles, page.inner_text("#total-certain"), page.inner_text("#total-max")


@pytest.mark.parametrize(
    ("label", "width", "javascript"),
    [("desktop", 1280, True), ("phone", 360, True), ("phone-nojs", 360, False)],
)
def test_an_enterprise_answers_the_screener_in_under_a_dozen_inputs_and_reopens_its_results(
    live_city, live_server, chromium, label, width, javascript
):
    context = chromium.new_context(
        viewport={"width": width, "height": 800}, locale="zh-CN", java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/calculator/")
    answered, steps, heights = 0, 0, []
    while "/calculator/r/" not in page.url:
        steps += 1
        assert steps <= 12, "the screener did not end"
        height = page.evaluate("document.documentElement.scrollHeight")
        heights.append(height)
        if width == 360:
            assert height < PHONE_MAX_HEIGHT, f"step {steps} is {height}px tall on a phone"
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert page.locator("#screener-progress").is_visible()
        if javascript:  # axe-core runs in the page
            assert_accessible(page, f"calculator-step{steps}-{label}")
        _shot(page, f"calculator-step{steps}-{label}")
        keys = [k for k in page.locator("input[name=step]").evaluate_all("els => els.map(e => e.value)")]
        filled = 0
        for key in keys:
            got = _answer(page, key)
            if got < 0:  # skipped (the form was sent)
                break
            filled += got
        else:
            page.locator(".screener-actions").get_by_role("button", name="下一步").click()
        answered += max(filled, 0)
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
    # then it took under a dozen inputs, and the results say what 甲 can get
    assert answered < 12, answered
    page.wait_for_selector("#results")
    titles, certain, most = _results(page)
    assert "郑州市企业研发费用后补助" in titles and "高新技术企业认定奖励" in titles
    assert "规模以上企业营收增长奖励" in titles  # 2,500 万元 revenue last year
    text = page.inner_text("#results")
    assert "研发费用专项审计报告" in text and "登录申报" in text
    if javascript:
        assert_accessible(page, f"calculator-results-{label}")
    _shot(page, f"calculator-results-{label}")
    link = page.input_value("#result-link")
    assert "410105" not in link and "500" not in link.rsplit("/r/", 1)[1]
    # when the link is opened in a fresh browser (no cookies, no history)
    fresh = chromium.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    other = fresh.new_page()
    other.goto(link)
    # then the same results
    assert _results(other) == (titles, certain, most)
    # and the print view renders, the link and buttons hidden when printed
    other.click("text=打印版")
    other.wait_for_load_state("networkidle")
    assert "政策计算器测算结果" in other.inner_text("h1")
    if javascript:
        assert_accessible(other, f"calculator-print-{label}")
    other.emulate_media(media="print")
    assert not other.locator(".no-print").is_visible()
    assert "高新技术企业认定奖励" in other.inner_text("main")
    _shot(other, f"calculator-print-{label}")
    print(f"{label}: {answered} inputs in {steps} steps; step heights {heights}")
    fresh.close()
    context.close()
