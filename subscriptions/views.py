"""Saved searches with e-mail alerts, their confirmation, management and one-click
unsubscribe (RFC 8058), an enterprise's saved filters, and the 政策日历 with its iCalendar
feeds. Views validate input and call one selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.decorators import enterprise_user_required
from portal.accounts.selectors import user_enterprise
from portal.client_ip import client_ip
from portal.links import absolute_url
from portal.web.forms import policy_search_form

from . import selectors, services
from .forms import EnterpriseSubscriptionForm, SearchSubscribeForm
from .ical import calendar_ics
from .models import Subscription

LIST_KEYS = ("q", "department", "level", "benefit_type", "industry", "district", "open", "auto_grant")


def _list_query(request: HttpRequest) -> tuple[str, dict, str, list[str]]:
    """The policy list's query (q, filters) read by the list's own form, its query string, and
    what the form refused ("field: reason"; then nothing is searched for)."""
    data = request.GET if request.method == "GET" else request.POST
    params = {k: data.get(k) for k in LIST_KEYS if data.get(k)}
    form = policy_search_form(params or None)
    if not form.is_bound:
        return "", {}, "", []
    if not form.is_valid():
        errors = [
            f"{form.fields[k].label}：{' '.join(v)}" for k, v in form.errors.items() if k in form.fields
        ]
        return "", {}, "", errors
    q = (form.cleaned_data.get("q") or "").strip()
    return q, form.filters(), urlencode(params), []


def _search_query_string(q: str, filters: dict) -> str:
    params = {"q": q} if q else {}
    for key, value in filters.items():
        if isinstance(value, list):
            continue  # an enterprise's multi-valued filter has no list URL
        params[key] = "on" if value is True else value
    return urlencode(params)


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """Save the current search of the policy list for e-mail alerts (no account needed)."""
    q, filters, query, refused = _list_query(request)
    form = SearchSubscribeForm(request.POST or None)
    if form.is_bound:  # a search the list cannot run is not saved as "everything"
        for error in refused:
            form.add_error(None, error)
    if request.method == "POST" and form.is_valid() and not refused:
        try:
            services.subscription_create(
                email=form.cleaned_data["email"], q=q, filters=filters, client_ip=client_ip(request)
            )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            # the same answer whether or not the address was known (no enumeration)
            return render(request, "subscriptions/sent.html", {"email": form.cleaned_data["email"]})
    return render(
        request,
        "subscriptions/subscribe.html",
        {
            "form": form,
            "refused": [] if form.is_bound else refused,
            "conditions": selectors.search_description(q=q, filters=filters),
            "query": query,
            "matching": selectors.policies_for_search(q=q, filters=filters).count(),
            "list_keys": [(k, request.GET.get(k) or request.POST.get(k)) for k in LIST_KEYS],
        },
        status=400 if request.method == "POST" or refused else 200,
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, signed: str) -> HttpResponse:
    """The link of the confirmation e-mail. A GET shows a button (mail scanners that open links
    must not confirm for the reader); the POST confirms."""
    if request.method == "POST":
        sub = services.subscription_confirm(signed=signed)
        if sub is None:
            return render(request, "subscriptions/confirm.html", {"invalid": True}, status=404)
        return redirect("subscriptions:manage", sub.token)
    return render(request, "subscriptions/confirm.html", {"signed": signed})


def _subscription(token: str) -> Subscription:
    sub = Subscription.objects.filter(token=token).first()
    if sub is None:
        raise Http404(_("订阅不存在或链接有误"))
    return sub


@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """Reachable from every alert: what is subscribed, its state, the matching policies, the
    calendar feed, unsubscribe / subscribe again."""
    sub = _subscription(token)
    query = _search_query_string(sub.q, sub.filters)
    return render(
        request,
        "subscriptions/manage.html",
        {
            "sub": sub,
            "conditions": selectors.search_description(
                q=sub.q, filters=sub.filters, min_amount=sub.min_amount
            ),
            "query": query,
            "recent": list(selectors.policies_for_search(q=sub.q, filters=sub.filters)[:5]),
            "feed_url": absolute_url("subscriptions:search_feed", sub.feed_token),
            "alerts": sub.alerts.count(),
        },
    )


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookie or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        sub = services.subscription_unsubscribe(token=token)
        if sub is None:
            raise Http404(_("订阅不存在或链接有误"))
        return render(request, "subscriptions/unsubscribe.html", {"sub": sub, "done": True})
    return render(request, "subscriptions/unsubscribe.html", {"sub": _subscription(token), "done": False})


@require_POST
def resubscribe(request: HttpRequest, token: str) -> HttpResponse:
    sub = services.subscription_resubscribe(token=token)
    if sub is None:
        raise Http404(_("订阅不存在或链接有误"))
    messages.success(request, _("已恢复订阅。"))
    return redirect("subscriptions:manage", sub.token)


@require_GET
def search_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The 政策日历 of one saved search as iCalendar (the secret is the URL)."""
    sub = Subscription.objects.filter(feed_token=token, unsubscribed_at__isnull=True).first()
    if sub is None:
        raise Http404
    policies = selectors.calendar_policies(
        policies=selectors.policies_for_search(q=sub.q, filters=sub.filters)
    )
    return _ics(
        policies,
        name=_("政策日历：%(what)s")
        % {"what": "；".join(selectors.search_description(q=sub.q, filters=sub.filters))},
    )


def _ics(policies, *, name: str) -> HttpResponse:
    response = HttpResponse(calendar_ics(policies, name=name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@enterprise_user_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """An enterprise's saved filters (themes, departments, industries, districts, minimum amount)."""
    from matching.selectors import channel_preferences_get

    enterprise = request.enterprise
    pref = channel_preferences_get(enterprise_id=enterprise.pk)
    known = {a.lower() for a in (pref.email_address, request.user.email, enterprise.contact_email) if a}
    form = EnterpriseSubscriptionForm(
        request.POST or None,
        initial={"email": pref.email_address or request.user.email or enterprise.contact_email},
    )
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            sub = services.subscription_create(
                email=email,
                filters=form.filters(),
                min_amount=form.min_amount_yuan(),
                enterprise=enterprise,
                confirmed=email.lower() in known,
            )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            if sub is None:
                messages.info(request, _("相同条件的订阅已经存在。"))
            elif sub.confirmed_at:
                messages.success(request, _("订阅已保存，有符合条件的新政策发布时会发邮件提醒您。"))
            else:
                messages.success(
                    request, _("订阅已保存。请打开发到 %(email)s 的确认邮件完成订阅。") % {"email": email}
                )
            return redirect("subscriptions:mine")
    subs = [
        (s, selectors.search_description(q=s.q, filters=s.filters, min_amount=s.min_amount))
        for s in Subscription.objects.filter(enterprise=enterprise).order_by("-created_at")
    ]
    return render(
        request, "subscriptions/mine.html", {"form": form, "subs": subs}, status=400 if form.errors else 200
    )


@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """政策日历: the application windows of open and upcoming policies, by month of deadline;
    the list's filters narrow it (a saved search's calendar)."""
    q, filters, query, _refused = _list_query(request)  # the list page shows no refusal either
    today = timezone.localdate()
    policies = selectors.calendar_policies(
        policies=selectors.policies_for_search(q=q, filters=filters), on=today
    )
    context = {
        "months": selectors.calendar_by_month(policies, on=today),
        "today": today,
        "query": query,
        "conditions": selectors.search_description(q=q, filters=filters) if query else [],
        "count": len(policies),
    }
    enterprise = user_enterprise(request.user) if request.user.is_authenticated else None
    if enterprise is not None:
        feed = services.calendar_feed_get(enterprise=enterprise)
        context["feed_url"] = absolute_url("subscriptions:enterprise_feed", feed.token)
    return render(request, "subscriptions/calendar.html", context)


@enterprise_user_required
@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_regenerate(enterprise=request.enterprise)
    messages.success(request, _("已生成新的日历订阅地址，旧地址已失效。"))
    return redirect("subscriptions:calendar")


@require_GET
def enterprise_feed(request: HttpRequest, token: str) -> HttpResponse:
    from .models import CalendarFeed

    feed = CalendarFeed.objects.select_related("enterprise").filter(token=token).first()
    if feed is None:
        raise Http404
    policies = selectors.enterprise_calendar_policies(enterprise_id=feed.enterprise_id)
    return _ics(policies, name=_("政策日历：%(name)s") % {"name": feed.enterprise.name})
