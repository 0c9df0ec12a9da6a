"""Reads of the subscriptions: which saved filters a policy satisfies, what a saved search
says in words, and the application windows of the 政策日历.

A saved search is the policy list's own query (``policies.selectors.policy_search`` with the
list's filters): a policy satisfies it when the list, searched that way, would show it. An
enterprise's saved filter may name several values per key (any one matches) and a minimum
amount, computed for that enterprise (``matching.criteria.award_amount``).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises import reference
from matching.criteria import award_amount
from matching.profiles import profile_load
from policies.models import BenefitType, Department, Policy, PolicyLevel
from policies.selectors import policies_open_q, policy_filter, policy_search

from .models import Subscription

MULTI_KEYS = ("benefit_type", "department", "industry", "district")


def _split(filters: dict) -> tuple[dict, dict[str, list[str]]]:
    """The list's single-valued filters, and the keys given as lists (an enterprise's filter)."""
    single, multi = {}, {}
    for key, value in (filters or {}).items():
        if isinstance(value, list):
            values = [str(v) for v in value if str(v).strip()]
            if values:
                multi[key] = values
        elif value not in (None, ""):
            single[key] = value
    return single, multi


def policies_for_search(*, q: str, filters: dict) -> QuerySet[Policy]:
    """Published policies a saved search shows (the list's search, any of several values)."""
    single, multi = _split(filters)
    qs = policy_search(q=q, filters=single, order="newest", interpretations=False)
    for key, values in multi.items():
        any_of = Q()
        for value in values:
            any_of |= Q(pk__in=policy_filter(Policy.objects.order_by(), {key: value}).values("pk"))
        qs = qs.filter(any_of)
    return qs


def subscription_amount_for(subscription: Subscription, policy: Policy) -> Decimal | None:
    """The award of ``policy`` for the subscription's enterprise (None when it cannot be
    computed, or for an anonymous subscription: then the policy's stated amount, if plain)."""
    if not policy.award:
        return None
    as_of = timezone.localdate()
    if subscription.enterprise_id:
        return award_amount(
            policy.award, profile_load(subscription.enterprise_id, as_of=as_of), as_of=as_of
        ).amount
    return policy_stated_amount(policy)


def policy_stated_amount(policy: Policy) -> Decimal | None:
    """The award every eligible enterprise is told (a fixed sum; tiers and formulas need a
    profile): the amount computed for an empty profile, when there is one."""
    if not policy.award:
        return None
    from matching.criteria import Profile

    as_of = timezone.localdate()
    try:
        return award_amount(policy.award, Profile(), as_of=as_of).amount
    except Exception:  # a formula that needs data: no single figure
        return None


def subscription_satisfied_by(subscription: Subscription, policy: Policy) -> bool:
    if not policies_for_search(q=subscription.q, filters=subscription.filters).filter(pk=policy.pk).exists():
        return False
    if subscription.min_amount is not None:
        amount = subscription_amount_for(subscription, policy)
        if amount is None or amount < subscription.min_amount:
            return False
    return True


def subscriptions_active() -> QuerySet[Subscription]:
    return Subscription.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


def _labels() -> dict[str, dict[str, str]]:
    return {
        "benefit_type": {k: str(v) for k, v in BenefitType.choices},
        "level": {k: str(v) for k, v in PolicyLevel.choices},
        "department": dict(Department.objects.values_list("code", "name")),
        "industry": dict(reference.industry_sections()),
        "district": dict(reference.zhengzhou_districts()),
    }


def search_description(*, q: str, filters: dict, min_amount: Decimal | None = None) -> list[str]:
    """The saved search in words, one item per condition (the alert's 「为什么推送」)."""
    names = {
        "benefit_type": _("支持方式"),
        "level": _("层级"),
        "department": _("发文部门"),
        "industry": _("适用行业"),
        "district": _("适用区域"),
    }
    labels = _labels()
    out = []
    if q:
        out.append(_("关键词「%(q)s」") % {"q": q})
    for key, name in names.items():
        value = (filters or {}).get(key)
        if not value:
            continue
        values = value if isinstance(value, list) else [value]
        shown = "、".join(labels[key].get(str(v), str(v)) for v in values)
        out.append(f"{name}：{shown}")
    if (filters or {}).get("open"):
        out.append(_("正在申报"))
    if (filters or {}).get("auto_grant"):
        out.append(_("免申即享"))
    if min_amount is not None:
        from portal.web.templatetags.web_tags import yuan  # the pages' one money format

        out.append(_("金额不低于 %(amount)s") % {"amount": yuan(min_amount)})
    return out or [_("全部新发布政策")]


# ---------------------------------------------------------------------------
# 政策日历
# ---------------------------------------------------------------------------


@dataclass
class WindowItem:
    policy: Policy
    start: dt.date | None
    end: dt.date | None
    open: bool


def calendar_policies(*, policies: QuerySet[Policy] | None = None, on: dt.date | None = None) -> list[Policy]:
    """Published policies whose application window is open or still to come on ``on``
    (``policies_open_q`` for open; upcoming: the window starts later), soonest deadline first.
    免申即享 policies have no window to apply in and are left out."""
    on = on or timezone.localdate()
    qs = policies if policies is not None else policy_search(order="newest", interpretations=False)
    qs = qs.filter(auto_grant=False).filter(
        policies_open_q(on=on)
        | Q(apply_start__gt=on, apply_end__isnull=True)
        | Q(apply_start__gt=on, apply_end__gte=on)
    )
    return list(qs.select_related("department").order_by("apply_end", "apply_start", "id")[:500])


def calendar_by_month(
    policies: list[Policy], *, on: dt.date | None = None
) -> OrderedDict[dt.date, list[WindowItem]]:
    """The windows grouped by the month of their deadline (the month they open, when they have
    no deadline: "长期" last)."""
    on = on or timezone.localdate()
    months: dict[dt.date | None, list[WindowItem]] = {}
    for p in policies:
        key_day = p.apply_end or None
        key = key_day.replace(day=1) if key_day else None
        months.setdefault(key, []).append(WindowItem(p, p.apply_start, p.apply_end, p.is_open(on)))
    ordered = OrderedDict(sorted(((k, v) for k, v in months.items() if k is not None), key=lambda kv: kv[0]))
    if None in months:
        ordered[None] = months[None]
    return ordered


def enterprise_calendar_policies(*, enterprise_id: int, on: dt.date | None = None) -> list[Policy]:
    """The windows of the policies the enterprise is matched with (eligible or possible), and of
    those its confirmed saved filters select."""
    from matching.models import Match, MatchStatus

    matched = Match.objects.filter(enterprise_id=enterprise_id).exclude(status=MatchStatus.ENDED)
    ids = set(matched.values_list("policy_id", flat=True))
    for sub in subscriptions_active().filter(enterprise_id=enterprise_id):
        ids.update(policies_for_search(q=sub.q, filters=sub.filters).values_list("pk", flat=True))
    return calendar_policies(
        policies=policy_search(order="newest", interpretations=False).filter(pk__in=ids), on=on
    )
