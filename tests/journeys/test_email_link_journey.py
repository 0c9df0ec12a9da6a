"""An official publishes a policy in the admin; a real Celery worker matches it and e-mails the
enterprise; the link in that e-mail, followed in Chromium by the enterprise's user (who signs
in on the way), opens the policy page with the enterprise's verdict and amount."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from .conftest import (
    builtin_vocabulary_restore,
    caches_reset,
    city_build,
    login,
    policy_data,
    shoot,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.browser]

PASSWORD = "Demo-2026-zz"


def _mails(directory: Path) -> list[email.message.EmailMessage]:
    """The messages Django's file-based backend wrote (one file per connection, messages
    separated by a line of 79 dashes)."""
    out = []
    for path in sorted(directory.glob("*.log")) if directory.exists() else []:
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                out.append(email.message_from_bytes(raw.strip(), policy=email.policy.default))
    return out


def test_the_link_in_the_publication_email_shows_the_enterprise_its_verdict_and_amount(
    live_server, page, start_worker, real_broker, tmp_path, settings
):
    from matching.services import channel_preferences_set
    from policies.models import Policy, PolicyStatus
    from policies.services import policy_create, policy_submit

    builtin_vocabulary_restore()
    caches_reset()
    mail_dir = tmp_path / "mail"
    # given 丙 (registered capital 800万), which wants its pushes by e-mail, and a draft policy for
    # enterprises of at least 100万 sent for review by its drafter
    city = city_build()
    channel_preferences_set(
        enterprise_id=city.enterprise.pk, email=True, email_address="boss@bing.example.com", digest=False
    )
    draft = policy_submit(
        policy=policy_create(actor=city.drafter, data=policy_data(city, title="智能制造设备补贴")),
        actor=city.drafter,
    )
    # and a real worker that writes its e-mail to files and links to this server
    start_worker(
        SITE_URL=live_server.url,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        MATCH_CHUNK_SIZE=100,
    )

    # when the department's reviewer publishes it in the admin
    login(page, live_server.url, city.reviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/policies/policy/{draft.pk}/change/")
    page.get_by_role("link", name="审核发布…").click()
    page.check("input[name=confirm]")  # the reach confirmed on the publish page
    page.get_by_role("button", name="确认发布").click()
    page.wait_for_load_state("networkidle")
    assert "已发布" in page.inner_text("body")
    assert Policy.objects.get(pk=draft.pk).status == PolicyStatus.PUBLISHED

    # then the worker e-mails 丙 about it, with a link to the policy page on this server
    (message,) = wait_for(lambda: _mails(mail_dir), timeout=120, what="the e-mail the worker sends")
    assert message["To"] == "boss@bing.example.com"
    assert "智能制造设备补贴" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(rf"{re.escape(live_server.url)}/policy/\d+/", body)
    assert links == [f"{live_server.url}/policy/{draft.pk}/"]

    # when 丙's user follows the link, signing in from the page
    context = page.context
    context.clear_cookies()
    response = page.goto(links[0])
    assert response.status == 200
    page.locator("main").get_by_role("link", name="登录", exact=True).click()
    page.fill("main input[name=username]", city.user.username)
    page.fill("main input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")

    # then the policy page answers with 丙's verdict and amount
    assert page.url == links[0]
    verdict = page.locator("section.verdict")
    assert "郑州丙智能装备有限公司" in verdict.inner_text()
    assert "符合申报条件" in verdict.inner_text()
    assert "30万元" in verdict.inner_text()
    shoot(page, "journey-policy-from-email")
