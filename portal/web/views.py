"""The enterprise-facing pages. Views validate input and call one selector or service."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.selectors import grants_for_enterprise
from enterprises import reference
from inbox.selectors import inbox_item_get, notifications_for_enterprise
from inbox.services import inbox_item_mark_read, inbox_mark_all_read
from matching.criteria import award_amount, evaluate
from matching.criteria.award_kind import award_certain, award_kind_label
from matching.profiles import profile_load
from matching.selectors import channel_preferences_get
from matching.services import channel_preferences_set, unsubscribe_by_token
from policies.rules import award_lines, criteria_text
from policies.selectors import highlight, policy_facets, policy_search
from portal.accounts.decorators import enterprise_user_required
from portal.accounts.masking import masked_for
from portal.accounts.selectors import user_enterprise

from . import selectors, services
from .forms import CorrectionRequestForm, PolicySearchForm, PreferencesForm, policy_search_form
from .templatetags.web_tags import yuan

PAGE_SIZE = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {
            "figures": selectors.portal_figures(),
            "newest": selectors.policies_newest(limit=6),
            "closing": selectors.policies_closing_soon(limit=6),
            "hot_terms": ["研发", "稳岗", "专精特新", "高新技术企业", "贷款贴息", "人才"],
        },
    )


def _search_form(request: HttpRequest) -> PolicySearchForm:
    return policy_search_form(request.GET or None)


@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    form = _search_form(request)
    q, filters = "", {}
    if form.is_bound and form.is_valid():
        q = (form.cleaned_data.get("q") or "").strip()
        filters = form.filters()
    order = (form.cleaned_data.get("order") if form.is_bound and form.is_valid() else "") or (
        "relevance" if q else "newest"
    )
    paginator = Paginator(policy_search(q=q, filters=filters, order=order), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [(p, highlight(p, q) if q else None) for p in page]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "q": q,
        "order": order,
        "filters": filters,
        "facets": _facets(selectors.policy_facets_cached(q=q, filters=filters, compute=policy_facets), form),
        "elided": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
    template = (
        "web/_policy_results.html" if request.htmx and not request.htmx.boosted else "web/policy_list.html"
    )
    return render(request, template, context)


def _facets(counts: dict, form: PolicySearchForm) -> dict:
    """Each single-choice facet as (value, label, count among the current results); every
    choice is listed (count 0 when absent) so that htmx can refresh the counts in place."""
    out = {}
    for name in ("benefit_type", "level", "department"):
        present = {f["value"]: f for f in counts.get(name, [])}
        choices = form.fields[name].choices
        out[name] = [
            (code, label, present[code]["count"] if code in present else 0) for code, label in choices
        ]
    out["open"] = counts.get("open", 0)
    out["auto_grant"] = counts.get("auto_grant", 0)
    out["total"] = counts.get("total", 0)
    return out


@require_GET
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = selectors.policy_for_page(policy_id=pk)
    if policy is None:
        raise Http404(_("政策不存在或尚未发布"))
    today = timezone.localdate()
    language = "en" if (request.LANGUAGE_CODE or "").startswith("en") else "zh-hans"
    context = {
        "policy": policy,
        "criteria_text": criteria_text(policy.criteria or {}, language=language),
        "award_lines": _award_lines(policy.award),
        "award_kind_label": award_kind_label(policy.award_kind),
        "award_certain": award_certain(policy.award_kind),
        "award_fixed": _award_fixed(policy.award),
        "today": today,
        "is_open": policy.is_open(today),
    }
    enterprise = user_enterprise(request.user)
    if enterprise is not None:
        profile = profile_load(enterprise, as_of=today)
        context["enterprise"] = enterprise
        context["evaluation"] = evaluate(policy.criteria or {}, profile, as_of=today)
        if policy.award:
            context["award"] = award_amount(policy.award, profile, as_of=today)
    return render(request, "web/policy_detail.html", context)


def _award_fixed(award: dict | None) -> str | None:
    """A plain amount ("300000") of an award, for the key facts of a policy page; None when
    the amount is a formula or depends on the case."""
    amount = str((award or {}).get("amount", "")).strip()
    return amount if re.fullmatch(r"\d+(\.\d+)?", amount) else None


def _award_lines(award: dict | None) -> list[str]:
    """The award in words; a plain amount as "100万元" rather than a formula."""
    if not award:
        return []

    lines = award_lines(award)
    amount = str(award.get("amount", "")).strip()
    if lines and re.fullmatch(r"\d+(\.\d+)?", amount):
        lines[0] = _("金额：%(amount)s") % {"amount": yuan(amount)}
    return lines


@enterprise_user_required
@require_GET
def my_policies(request: HttpRequest) -> HttpResponse:
    since = services.portal_visit_record(user=request.user)
    overview = selectors.my_policies_overview(enterprise=request.enterprise, since=since)

    # grants and payments (免申即享 and approved applications) with their status; one query
    grants = list(grants_for_enterprise(request.enterprise.pk)[:20])
    return render(
        request,
        "web/my_policies.html",
        {
            "enterprise": request.enterprise,
            "since": since,
            "grants": grants,
            **overview,
        },
    )


@enterprise_user_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Match pushes and application / appeal / grant messages, newest first."""
    unread_only = request.GET.get("filter") == "unread"
    items = notifications_for_enterprise(
        enterprise_id=request.enterprise.pk, unread=True if unread_only else None
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "preference": _preference(request.enterprise),
        },
    )


def _preference(enterprise):
    return channel_preferences_get(enterprise_id=enterprise.pk)


@enterprise_user_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    return _inbox_item_read(request, source="notification", item_id=pk)


@enterprise_user_required
@require_POST
def inbox_message_read(request: HttpRequest, pk: int) -> HttpResponse:
    return _inbox_item_read(request, source="message", item_id=pk)


def _inbox_item_read(request: HttpRequest, *, source: str, item_id: int) -> HttpResponse:
    # Scoped to the user's own enterprise: another enterprise's item is a 404.
    if not inbox_item_mark_read(enterprise_id=request.enterprise.pk, source=source, item_id=item_id):
        raise Http404
    if request.htmx:
        item = inbox_item_get(enterprise_id=request.enterprise.pk, source=source, item_id=item_id)
        return render(request, "web/_notification.html", {"n": item})
    return redirect("web:inbox")


@enterprise_user_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    inbox_mark_all_read(enterprise_id=request.enterprise.pk)
    messages.success(request, _("已全部标为已读"))
    return redirect("web:inbox")


@enterprise_user_required
@require_POST
def unsubscribe_all(request: HttpRequest) -> HttpResponse:
    """One click in the inbox: stop every external channel (in-app messages stay)."""
    preference = _preference(request.enterprise)
    if preference.pk:
        unsubscribe_by_token(token=preference.unsubscribe_token)
    messages.success(request, _("已退订邮件和短信推送，站内消息仍会保留。可随时在推送设置中重新开启。"))
    return redirect("web:inbox")


@enterprise_user_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = _preference(request.enterprise)
    # After 一键退订 nothing external is sent, so no channel is shown ticked: ticking one again
    # (and saving) is what resubscribes (``channel_preferences_set``); the addresses stay.
    active = current.unsubscribed_at is None
    initial = {
        "email": current.email and active,
        "email_address": current.email_address,
        "sms": current.sms and active,
        "sms_phone": current.sms_phone,
        "digest": current.digest,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            channel_preferences_set(enterprise_id=request.enterprise.pk, **form.cleaned_data)
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            messages.success(request, _("推送设置已保存"))
            return redirect("web:preferences")
    return render(request, "web/preferences.html", {"form": form, "preference": current})


@enterprise_user_required
@require_http_methods(["GET", "POST"])
def my_enterprise(request: HttpRequest) -> HttpResponse:
    enterprise = request.enterprise
    form = CorrectionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_request_create(
                enterprise=enterprise,
                user=request.user,
                **form.cleaned_data,
                current_value=_current_value(enterprise, form.cleaned_data["field"]),
            )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            messages.success(request, _("更正申请已提交，工作人员核实后会更新登记信息。"))
            return redirect("web:my_enterprise")
    user = request.user
    context = {
        "enterprise": enterprise,
        "district_name": reference.district_name(enterprise.district),
        "zone_name": reference.zone_name(enterprise.zone),
        "industry_name": reference.industry_name(enterprise.industry),
        "tags": enterprise.tags.select_related("tag").order_by("tag__name"),
        "indicators": enterprise.indicator_values.select_related("indicator").order_by(
            "indicator__code", "-period_end", "-period"
        ),
        "legal_representative": masked_for(user, enterprise.legal_representative, kind="name"),
        "contact_name": masked_for(user, enterprise.contact_name, kind="name"),
        "contact_phone": masked_for(user, enterprise.contact_phone, kind="phone"),
        "contact_email": masked_for(user, enterprise.contact_email, kind="email"),
        "form": form,
        "requests": enterprise.correction_requests.order_by("-created_at")[:20],
    }
    return render(request, "web/my_enterprise.html", context)


def _current_value(enterprise, field: str) -> str:
    value = getattr(enterprise, field, None)
    return "" if value is None else str(value)
