"""Downloads of the enterprise pages: 我的政策 and the policy search as xlsx or CSV
(``portal.web.exports``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from policies.selectors import policy_search
from portal.accounts.decorators import enterprise_user_required

from . import exports, selectors
from .forms import policy_search_form


def _bad_format() -> HttpResponse:
    return HttpResponse(_("导出格式应为 xlsx 或 csv"), status=400, content_type="text/plain; charset=utf-8")


@enterprise_user_required
@require_GET
def my_policies_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """我的政策 as a spreadsheet: the same items, verdicts and amounts as the page."""
    if fmt not in exports.FORMATS:
        return _bad_format()
    overview = selectors.my_policies_overview(enterprise=request.enterprise, since=None)
    headers, rows = exports.my_policies_table(overview)
    data = exports.table_bytes(headers=headers, rows=rows, fmt=fmt, sheet=_("我的政策"))
    return exports.export_response(data=data, fmt=fmt, name="my-policies")


@require_GET
def policy_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The policy search with the list page's query string (keyword, filters, order)."""
    if fmt not in exports.FORMATS:
        return _bad_format()
    form = policy_search_form(request.GET or None)
    q, filters, order = "", {}, ""
    if form.is_bound:
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            label = form.fields[field].label if field in form.fields else field
            return HttpResponse(
                f"{label}：{'；'.join(errors)}", status=400, content_type="text/plain; charset=utf-8"
            )
        q = (form.cleaned_data.get("q") or "").strip()
        filters = form.filters()
        order = form.cleaned_data.get("order") or ""
    order = order or ("relevance" if q else "newest")
    policies = policy_search(q=q, filters=filters, order=order, interpretations=False)[
        : exports.SEARCH_EXPORT_LIMIT
    ]
    headers, rows = exports.policy_search_table(policies, today=timezone.localdate())
    data = exports.table_bytes(headers=headers, rows=rows, fmt=fmt, sheet=_("政策检索结果"))
    return exports.export_response(data=data, fmt=fmt, name="policies")
