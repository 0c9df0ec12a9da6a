"""The audit viewer (安全审计员): filter the trail by actor, object, date and action; export
what the filter selects as xlsx. Read only: nothing here writes an entry (and the database
refuses UPDATE and DELETE on the table: ``portal.accounts.audit``)."""

from __future__ import annotations

import io
import json
from datetime import datetime, time, timedelta

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

PERMISSION = "audittrail.view_audit_trail"
EXPORT_LIMIT = 50_000
ACTIONS = [
    (LogEntry.Action.CREATE, gettext_lazy("新增")),
    (LogEntry.Action.UPDATE, gettext_lazy("修改")),
    (LogEntry.Action.DELETE, gettext_lazy("删除")),
    (LogEntry.Action.ACCESS, gettext_lazy("访问")),
]


def _content_types():
    used = LogEntry.objects.values_list("content_type_id", flat=True).distinct()
    types = ContentType.objects.filter(pk__in=used)
    return sorted(((ct.pk, f"{ct.app_label}.{ct.model}") for ct in types), key=lambda item: item[1])


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("操作人或接入密钥"), required=False, max_length=150)
    content_type = forms.TypedChoiceField(label=gettext_lazy("对象类型"), required=False, coerce=int,
                                          empty_value=None)  # fmt: skip
    object_pk = forms.CharField(label=gettext_lazy("对象编号"), required=False, max_length=255)
    action = forms.TypedChoiceField(label=gettext_lazy("操作"), required=False, coerce=int, empty_value=None,
                                    choices=[("", gettext_lazy("全部"))] + ACTIONS)  # fmt: skip
    start = forms.DateField(label=gettext_lazy("开始日期"), required=False)
    end = forms.DateField(label=gettext_lazy("结束日期"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content_type"].choices = [("", _("全部"))] + _content_types()

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return data


def entries_filtered(data: dict):
    """The entries a (cleaned) filter selects, newest first."""
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    actor = (data.get("actor") or "").strip()
    if actor:
        entries = entries.filter(
            Q(actor__username__iexact=actor)
            | Q(actor_email__iexact=actor)
            | Q(additional_data__api_key__prefix=actor)
            | Q(additional_data__api_key__name=actor)
        )
    if data.get("content_type"):
        entries = entries.filter(content_type_id=data["content_type"])
    if data.get("object_pk"):
        entries = entries.filter(object_pk=data["object_pk"].strip())
    if data.get("action") is not None:
        entries = entries.filter(action=data["action"])
    zone = timezone.get_current_timezone()
    if data.get("start"):
        entries = entries.filter(timestamp__gte=datetime.combine(data["start"], time.min, zone))
    if data.get("end"):
        entries = entries.filter(
            timestamp__lt=datetime.combine(data["end"] + timedelta(days=1), time.min, zone)
        )
    return entries


def actor_label(entry: LogEntry) -> str:
    key = (entry.additional_data or {}).get("api_key") if isinstance(entry.additional_data, dict) else None
    person = entry.actor.username if entry.actor_id else (entry.actor_email or "")
    if key:
        label = _("接入密钥 %(name)s（%(prefix)s…）") % {
            "name": key.get("name", ""),
            "prefix": key.get("prefix", ""),
        }
        return f"{label} / {person}" if person else label
    return person or _("系统")


def changes_text(entry: LogEntry) -> str:
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    lines = []
    for field, pair in changes.items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            lines.append(f"{field}: {pair[0]} → {pair[1]}")
        else:
            lines.append(f"{field}: {json.dumps(pair, ensure_ascii=False)}")
    return "\n".join(lines)


def _guard(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    return None


@require_GET
def index(request):
    if (refused := _guard(request)) is not None:
        return refused
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = entries_filtered(data) if not form.is_bound or form.is_valid() else LogEntry.objects.none()
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    rows = [
        {"entry": e, "actor": actor_label(e), "changes": changes_text(e), "action": dict(ACTIONS).get(e.action, e.action),
         "via": (e.additional_data or {}).get("via", "") if isinstance(e.additional_data, dict) else ""}
        for e in page.object_list
    ]  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audittrail/index.html", {"form": form, "page": page, "rows": rows,
                                                     "query": query.urlencode()})  # fmt: skip


@require_GET
def export_xlsx(request):
    if (refused := _guard(request)) is not None:
        return refused
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "audittrail/index.html", {"form": form, "page": None, "rows": [], "query": ""},
                      status=400)  # fmt: skip
    data = form.cleaned_data if form.is_bound else {}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("审计日志"))
    ws.append([_("时间"), _("操作人"), _("渠道"), _("来源地址"), _("操作"), _("对象类型"), _("对象编号"),
               _("对象"), _("变更内容"), _("附加信息")])  # fmt: skip
    zone = timezone.get_current_timezone()
    for e in entries_filtered(data)[:EXPORT_LIMIT].iterator(chunk_size=2000):
        extra = e.additional_data if isinstance(e.additional_data, dict) else {}
        ws.append([
            timezone.localtime(e.timestamp, zone).replace(tzinfo=None), actor_label(e), extra.get("via", ""),
            e.remote_addr or "", str(dict(ACTIONS).get(e.action, e.action)),
            f"{e.content_type.app_label}.{e.content_type.model}", e.object_pk, e.object_repr, changes_text(e),
            json.dumps(extra, ensure_ascii=False) if extra else "",
        ])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response
