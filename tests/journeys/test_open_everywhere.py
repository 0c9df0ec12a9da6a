"""The same policy is "open" or "closed" everywhere on the same date: the API (detail ``open``
and ``?open=``), the policy list, the policy page, 我的政策, the calculator and the application
form, at 23:30 on its last day and at 00:30 the day after, in Shanghai. At 00:30 the server's
(UTC) date is still the last day, which is how the API and the pages used to disagree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from .conftest import city_build, policy_data, policy_publish_as_officials

pytestmark = pytest.mark.postgres

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAST_DAY_LATE = (0, dt.time(23, 30), True)  # days after apply_end, local time, open?
DAY_AFTER_EARLY = (1, dt.time(0, 30), False)


@pytest.fixture
def world(db, eager_pipeline, django_capture_on_commit_callbacks):
    """Two published policies 丙 is eligible for: one whose application window ends today
    (Shanghai), 300,000; one open for another month, 200,000."""
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        city = city_build()
        ending = policy_publish_as_officials(
            city, policy_data(city, title="今日截止的技改奖励") | {"apply_end": today}
        )
        lasting = policy_publish_as_officials(
            city, policy_data(city, title="长期有效的稳岗奖励", amount="200000")
        )
    return city, ending, lasting, today


def _api(client, path: str, **params) -> dict:
    response = client.get(path, params, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    ("days_after", "clock", "open_"),
    [LAST_DAY_LATE, DAY_AFTER_EARLY],
    ids=["23:30 on the last day", "00:30 the day after"],
)
def test_a_policy_is_open_or_closed_alike_in_the_api_the_pages_and_the_application_form(
    world, client, days_after, clock, open_
):
    city, ending, lasting, last_day = world
    moment = dt.datetime.combine(last_day + dt.timedelta(days=days_after), clock, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        # given the server's clock: UTC is on the last day both times, Shanghai is not at 00:30
        assert dt.datetime.now(dt.UTC).date() == last_day
        assert timezone.localdate() == moment.date()

        # the API: the detail's "open" and the ?open= filter
        assert _api(client, f"/api/v1/policies/{ending.pk}/")["open"] is open_
        open_ids = {p["id"] for p in _api(client, "/api/v1/policies/", open="true")["results"]}
        closed_ids = {p["id"] for p in _api(client, "/api/v1/policies/", open="false")["results"]}
        assert (ending.pk in open_ids, ending.pk in closed_ids) == (open_, not open_)
        assert lasting.pk in open_ids and lasting.pk not in closed_ids

        # the policy list: its "正在申报" filter and facet count
        listed = client.get(reverse("web:policy_list"), {"open": "on"})
        assert (ending.pk in {p.pk for p in listed.context["page"]}) is open_
        assert listed.context["facets"]["open"] == (2 if open_ else 1)

        # the policy page, for the enterprise's user: the badge and the apply button
        client.force_login(city.user)
        page = client.get(reverse("web:policy_detail", args=[ending.pk]))
        assert page.context["is_open"] is open_
        apply_url = reverse("applications:apply", args=[ending.pk])
        assert (f'href="{apply_url}"' in page.content.decode()) is open_

        # 我的政策: a closed window is shown but not counted
        mine = client.get(reverse("web:my_policies")).context
        item = next(i for i in mine["eligible"] if i.policy.id == ending.pk)
        assert item.closed is (not open_)
        assert mine["total"] == (Decimal("500000") if open_ else Decimal("200000"))

        # the calculator, with the same facts stated: the same verdict and the same total
        calculated = client.post(
            reverse("web:calculator"),
            {"district": "410105", "registered_capital": "800", "results": "1"},
            follow=True,
        )
        results = calculated.context["results"]
        row = next(r for r in results["eligible"] if r.policy.id == ending.pk)
        assert row.closed is (not open_)
        assert results["total"] == mine["total"]

        # the application form: shown and accepted while open, refused once closed
        form = client.get(apply_url)
        assert form.context["window"] == ("open" if open_ else "ended")
        assert ('id="apply-form"' in form.content.decode()) is open_
        submitted = client.post(apply_url, {"contact_name": "王五", "contact_phone": "13811112222"})
        if open_:
            assert submitted.status_code == 302, submitted.context and submitted.context.get("errors")
        else:
            assert submitted.status_code == 400
            assert any("申报已截止" in str(m) for m in submitted.context["errors"]["policy"])


def test_crossing_midnight_no_page_keeps_yesterdays_answer_in_its_cache(world, client):
    # given the list, its facet counts and the home page's figures read (and cached, for 10
    # minutes) at 23:58
    city, ending, lasting, last_day = world
    late = dt.datetime.combine(last_day, dt.time(23, 58), tzinfo=SHANGHAI)
    with time_machine.travel(late, tick=False):
        assert client.get(reverse("web:policy_list"), {"open": "on"}).context["facets"]["open"] == 2
        assert client.get(reverse("web:home")).context["figures"]["open_policies"] == 2
    # when the same visitor comes back at 00:02, before those caches expire
    with time_machine.travel(late + dt.timedelta(minutes=4), tick=False):
        listed = client.get(reverse("web:policy_list"), {"open": "on"})
        home = client.get(reverse("web:home"))
        detail = _api(client, f"/api/v1/policies/{ending.pk}/")
    # then every answer is today's
    assert [p.pk for p in listed.context["page"]] == [lasting.pk]
    assert listed.context["facets"]["open"] == 1
    assert home.context["figures"]["open_policies"] == 1
    assert detail["open"] is False
