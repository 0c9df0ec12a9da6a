""" "Open for application" has one home: Policy.is_open / policies_open_q, on Shanghai's date."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from policies.models import (
    WINDOW_ENDED,
    WINDOW_OPEN,
    WINDOW_UPCOMING,
    Policy,
    PolicyStatus,
    application_window,
)
from policies.selectors import policies_open, policies_open_q
from tests.factories.policies import PolicyFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
ON = dt.date(2026, 6, 15)  # an explicit date passed to the rule: no "today" involved
DAY = dt.timedelta(days=1)


def test_the_window_includes_its_first_and_last_day_and_a_missing_side_is_open():
    assert application_window(ON, ON, ON) == WINDOW_OPEN
    assert application_window(ON + DAY, None, ON) == WINDOW_UPCOMING
    assert application_window(None, ON - DAY, ON) == WINDOW_ENDED
    assert application_window(None, None, ON) == WINDOW_OPEN


@pytest.mark.django_db
def test_the_model_and_the_query_agree_on_every_window_and_status():
    # given policies with every combination of start, end and status around ON
    sides = [None, ON - DAY, ON, ON + DAY]
    for start, end, status in itertools.product(
        sides, sides, [PolicyStatus.PUBLISHED, PolicyStatus.DRAFT, PolicyStatus.WITHDRAWN]
    ):
        PolicyFactory(apply_start=start, apply_end=end, status=status)
    # when
    in_sql = set(Policy.objects.filter(policies_open_q(on=ON)).values_list("pk", flat=True))
    not_in_sql = set(Policy.objects.exclude(policies_open_q(on=ON)).values_list("pk", flat=True))
    # then
    in_python = {p.pk for p in Policy.objects.all() if p.is_open(ON)}
    assert in_sql == in_python
    assert not_in_sql == set(Policy.objects.values_list("pk", flat=True)) - in_python
    assert all(p.status == PolicyStatus.PUBLISHED for p in Policy.objects.filter(pk__in=in_sql))
    assert len(in_sql) == 9  # (None, ON-1, ON) x (None, ON, ON+1), published only


@pytest.mark.django_db
@pytest.mark.parametrize(("clock", "open_"), [((23, 30), True), ((0, 30), False)])
def test_today_is_shanghais_date_even_when_utc_is_still_on_the_day_before(clock, open_):
    # given a policy whose last day is today in Shanghai
    today = timezone.localdate()
    policy = PolicyFactory(status=PolicyStatus.PUBLISHED, apply_end=today)
    hour, minute = clock
    # at 23:30 on the last day, or 00:30 the day after (when UTC's date is still the last day)
    day = today if hour == 23 else today + DAY
    moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        assert dt.datetime.now(dt.UTC).date() == today  # the server's (UTC) date: the last day both times
        # then the model, the query and the selector answer the same
        assert policy.is_open() is open_
        assert Policy.objects.filter(policies_open_q(), pk=policy.pk).exists() is open_
        assert policies_open().filter(pk=policy.pk).exists() is open_
        assert policy.is_closed() is (not open_)


@pytest.mark.django_db
def test_an_auto_grant_policy_past_its_window_is_not_open_but_not_closed_either():
    # given: 免申即享 needs no application, so what it grants still counts after apply_end
    policy = PolicyFactory(status=PolicyStatus.PUBLISHED, auto_grant=True, apply_end=ON - DAY)
    assert not policy.is_open(ON)
    assert not policy.is_closed(ON)
