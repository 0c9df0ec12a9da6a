import datetime
from decimal import Decimal

from matching.eligibility import awards_total
from portal.web.selectors import MatchItem, PolicyBrief, _sort_key


def brief(pid: int, *, apply_end=None, auto_grant=False, group=""):
    return PolicyBrief(
        id=pid,
        title=f"p{pid}",
        department="d",
        benefit_type="subsidy",
        criteria={},
        award=None,
        auto_grant=auto_grant,
        exclusive_group=group,
        apply_start=None,
        apply_end=apply_end,
        version=1,
    )


def item(pid: int, amount: str, days_left, **kw):
    today = datetime.date(2026, 11, 27)
    end = today + datetime.timedelta(days=days_left) if days_left is not None else None
    return MatchItem(
        policy=brief(pid, apply_end=end, **kw),
        status="eligible",
        amount=Decimal(amount),
        days_left=days_left,
        as_of=today,
    )


def test_a_closed_application_window_is_not_money_available_and_sorts_last():
    # given one open policy, one whose window closed, and one auto-grant whose window passed
    open_, closed, auto = item(1, "100", 40), item(2, "500", -3), item(3, "50", -3, auto_grant=True)
    # then only the open one and the auto-grant (no application needed) count
    assert awards_total([open_, closed, auto]) == Decimal("150")
    assert closed.closed and not auto.closed and not open_.closed
    assert sorted([closed, open_, auto], key=_sort_key)[-1] is closed
