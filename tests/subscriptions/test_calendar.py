"""政策日历: the windows of open and upcoming policies by month, and its iCalendar feeds (per
enterprise behind a regenerable secret, per saved search)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def windows(publish):
    today = timezone.localdate()
    return {
        "open": publish(title="智能制造设备补贴", apply_end=today + datetime.timedelta(days=20)),
        "upcoming": publish(
            title="工业设计中心奖励",
            apply_start=today + datetime.timedelta(days=40),
            apply_end=today + datetime.timedelta(days=70),
        ),
        "closed": publish(
            title="去年的技改补贴",
            apply_start=today - datetime.timedelta(days=60),
            apply_end=today - datetime.timedelta(days=1),
        ),
    }


def _parse(response) -> Calendar:
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_the_calendar_page_lists_open_and_upcoming_windows_by_month(client, windows):
    response = client.get(reverse("subscriptions:calendar"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "智能制造设备补贴" in html and "工业设计中心奖励" in html
    assert "去年的技改补贴" not in html
    assert "正在申报" in html and "即将开始" in html
    months = list(response.context["months"])
    assert months == sorted(months)  # by month of deadline


def test_the_calendar_page_takes_the_list_filters(client, windows):
    html = client.get(reverse("subscriptions:calendar"), {"q": "工业设计"}).content.decode()
    assert "工业设计中心奖励" in html and "智能制造设备补贴" not in html


def test_the_enterprise_feed_is_valid_icalendar_with_its_matched_windows(client, city, windows):
    client.force_login(city.user)
    page = client.get(reverse("subscriptions:calendar"))
    feed_url = page.context["feed_url"]
    client.logout()  # calendar clients cannot sign in: the secret URL is enough
    cal = _parse(client.get(feed_url.split("zc.example.gov.cn", 1)[1]))
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    # 丙 (capital 800万 in 金水区) matches every policy of the city; the closed one is left out
    assert set(events) == {
        f"智能制造设备补贴（申报截止 {windows['open'].apply_end.isoformat()}）",
        f"工业设计中心奖励（申报截止 {windows['upcoming'].apply_end.isoformat()}）",
    }
    upcoming = events[f"工业设计中心奖励（申报截止 {windows['upcoming'].apply_end.isoformat()}）"]
    assert upcoming.decoded("dtstart") == windows["upcoming"].apply_start
    assert upcoming.decoded("dtend") == windows["upcoming"].apply_end + datetime.timedelta(days=1)
    assert str(upcoming["url"]).endswith(f"/policy/{windows['upcoming'].pk}/")
    assert len({str(e["uid"]) for e in events.values()}) == 2


def test_a_wrong_or_regenerated_token_is_a_404(client, city, windows):
    from subscriptions.models import CalendarFeed

    assert client.get(reverse("subscriptions:enterprise_feed", args=["guess"])).status_code == 404
    client.force_login(city.user)
    client.get(reverse("subscriptions:calendar"))
    old = CalendarFeed.objects.get(enterprise=city.enterprise).token
    assert client.get(reverse("subscriptions:enterprise_feed", args=[old])).status_code == 200
    # when the enterprise regenerates its address, the old one stops working
    assert client.post(reverse("subscriptions:calendar_regenerate")).status_code == 302
    new = CalendarFeed.objects.get(enterprise=city.enterprise).token
    assert new != old
    assert client.get(reverse("subscriptions:enterprise_feed", args=[old])).status_code == 404
    assert client.get(reverse("subscriptions:enterprise_feed", args=[new])).status_code == 200


def test_a_saved_search_has_its_own_feed(client, subscribe, windows):
    sub = subscribe(q="工业设计")
    cal = _parse(client.get(reverse("subscriptions:search_feed", args=[sub.feed_token])))
    assert [str(e["summary"]).split("（")[0] for e in cal.walk("VEVENT")] == ["工业设计中心奖励"]
    # the manage token is not the feed's, and a wrong one is a 404
    assert client.get(reverse("subscriptions:search_feed", args=[sub.token])).status_code == 404
