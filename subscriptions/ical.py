"""The 政策日历 as iCalendar (RFC 5545): one all-day event per application window, from its
first day to its deadline (inclusive), with the policy page as its URL."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from policies.models import Policy
from portal.links import absolute_url


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "portal"


def calendar_ics(policies: list[Policy], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Zhengzhou policy portal//政策日历//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    now = timezone.now()
    host = _host()
    for p in policies:
        if not (p.apply_start or p.apply_end):
            continue
        start = p.apply_start or p.apply_end
        end = p.apply_end or p.apply_start
        event = Event()
        event.add("uid", f"policy-{p.pk}-window@{host}")
        event.add("dtstamp", now)
        event.add("summary", f"{p.title}（申报截止 {p.apply_end.isoformat()}）" if p.apply_end else p.title)
        event.add("dtstart", start)
        event.add("dtend", end + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
        url = absolute_url("web:policy_detail", p.pk)
        event.add("url", url)
        event.add("description", f"{p.department.name}\n{p.summary[:300]}\n{url}".strip())
        event.add("categories", [str(p.get_benefit_type_display())])
        cal.add_component(event)
    return cal.to_ical()
