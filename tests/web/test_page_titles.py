"""Every page an enterprise user opens has a short, plain-text <title> (the browser tab, the
bookmark, what a screen reader announces first): no markup, escaped or not."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@pytest.fixture
def enterprise_world(city, tmp_path, settings):
    """The city's enterprise with something behind each of its pages: an application with a
    grant, a problem raised, an arrears report, and in-app messages about them."""
    from appeals import services as appeals
    from appeals.models import Category
    from applications import services as applications
    from applications.models import Grant
    from tests.factories.policies import OfficialFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    official = OfficialFactory(username="kjj-official", departments=[city.department])
    application = applications.application_submit(
        policy=city.policies["generic"],
        enterprise=city.enterprise,
        applicant=city.user,
        declared={"contact_name": "李四", "contact_phone": "13812345678"},
        files=[],
    )
    applications.application_approve(application=application, actor=official, amount="100000")
    case = appeals.case_raise(
        enterprise=city.enterprise,
        raised_by=city.user,
        category=Category.FINANCE,
        title="补贴到账慢",
        description="公示后两个月未到账",
        department=city.department,
    )
    appeals.case_accept(case=case, actor=official)
    arrears = appeals.arrears_report(
        enterprise=city.enterprise,
        reported_by=city.user,
        debtor_name="某区住建局",
        debtor_type="government",
        amount="90000",
        department=city.department,
        due_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    return {
        "application": application,
        "grant": Grant.objects.get(application=application),
        "case": case,
        "arrears": arrears,
    }


def _enterprise_pages(city, world) -> list[str]:
    return [
        reverse("web:home"),
        reverse("web:policy_list"),
        reverse("web:policy_list") + "?q=研发",
        reverse("web:policy_detail", args=[city.policies["rd"].pk]),
        reverse("web:calculator"),
        reverse("web:my_policies"),
        reverse("web:inbox"),
        reverse("web:preferences"),
        reverse("web:my_enterprise"),
        reverse("applications:apply", args=[city.policies["rd"].pk]),
        reverse("applications:mine"),
        reverse("applications:detail", args=[world["application"].pk]),
        reverse("applications:my_grants"),
        reverse("applications:grant_detail", args=[world["grant"].pk]),
        reverse("appeals:mine"),
        reverse("appeals:new"),
        reverse("appeals:detail", args=[world["case"].pk]),
        reverse("appeals:my_arrears"),
        reverse("appeals:arrears_new"),
        reverse("appeals:arrears_detail", args=[world["arrears"].pk]),
        reverse("inbox:list"),
        reverse("accounts:password_change"),
    ]


def test_every_enterprise_page_has_a_short_plain_text_title(client_jia, city, enterprise_world):
    # given an enterprise with messages in its inbox (the 消息 page lists them)
    from inbox.models import Message

    assert Message.objects.filter(enterprise=city.enterprise).count() >= 2
    for path in _enterprise_pages(city, enterprise_world):
        # when the enterprise user opens the page
        response = client_jia.get(path)
        assert response.status_code == 200, path
        # then its title is one short line of text
        found = TITLE.findall(response.content.decode())
        assert len(found) == 1, f"{path}: {len(found)} <title> elements"
        title = found[0].strip()
        assert "<" not in title and "&lt;" not in title, f"{path}: markup in the title: {title[:200]!r}"
        assert "\n" not in title and 0 < len(html.unescape(title)) <= 80, f"{path}: title {title[:200]!r}"


def test_the_inbox_title_names_the_page(client_jia, city, enterprise_world):
    response = client_jia.get(reverse("web:inbox"))
    title = TITLE.search(response.content.decode()).group(1)
    assert title.startswith("消息 · ")
    body = response.content.decode().split("</title>", 1)[1]
    assert "您的诉求已受理：补贴到账慢" in body  # the case message is listed in the page, not in its title
