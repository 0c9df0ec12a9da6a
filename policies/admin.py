"""Admin for officials: departments with their service points, and policies edited,
previewed and moved through the workflow by the services (never by saving rows directly).

Criteria and award are JSON in a textarea; errors are shown inline in Chinese with their
paths, the Chinese rendering beside them, and a reach preview (eligible / possible
enterprises by district and industry, total award) computed from the registry.
"""

from __future__ import annotations

import json
import threading
import time

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin_inlines import ReadOnlyAdminMixin

from . import services
from .models import (
    Attachment,
    Department,
    Interpretation,
    Material,
    Policy,
    PolicyStatus,
    PolicyVersion,
    ServicePoint,
)
from .permissions import (
    publish_refusal,
    user_can_edit_policy,
    user_department_ids,
    user_is_official_of,
    user_is_reviewer_of,
)
from .rules import award_clean, award_text, criteria_clean, criteria_text
from .selectors import policy_reach, policy_versions

_local = threading.local()


def _is_official(user) -> bool:
    return bool(user.is_active and user.is_staff and (user.is_superuser or user.departments.exists()))


# --- departments ---------------------------------------------------------------------------


class ServicePointInline(admin.TabularInline):
    model = ServicePoint
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "level", "district", "contact"]
    list_filter = ["level"]
    search_fields = ["code", "name", "short_name"]
    inlines = [ServicePointInline]
    autocomplete_fields = ["parent"]

    def has_module_permission(self, request):
        return _is_official(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_official(request.user)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        return obj is not None and user_is_official_of(request.user, obj.pk)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


# --- policies ---------------------------------------------------------------------------------


class InterpretationInline(admin.StackedInline):
    model = Interpretation
    extra = 0
    fields = [("kind", "position"), "title", "body", ("question", "answer"), "url"]


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ["position", "name", "description", "required", "from_shared_data"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["title", "file"]


class JsonTextarea(forms.Textarea):
    def __init__(self, attrs=None):
        super().__init__(
            attrs={
                "rows": 14,
                "cols": 90,
                "class": "vLargeTextField policy-json",
                "spellcheck": "false",
                **(attrs or {}),
            }
        )

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        return json.dumps(value, ensure_ascii=False, indent=2) if value is not None else ""


class PolicyAdminForm(forms.ModelForm):
    """Validates criteria and award through the criteria package: each error is shown
    under its field as "<path>: <reason>"."""

    class Meta:
        model = Policy
        fields = [
            "title",
            "doc_number",
            "department",
            "co_departments",
            "level",
            "benefit_type",
            "summary",
            "body",
            "criteria",
            "award",
            "auto_grant",
            "exclusive_group",
            "apply_start",
            "apply_end",
            "valid_from",
            "valid_until",
            "processing_days",
            "contact",
            "service_point",
            "source_url",
            "source_name",
        ]
        widgets = {"criteria": JsonTextarea(), "award": JsonTextarea(attrs={"rows": 6})}
        help_texts = {
            "criteria": _(
                'JSON 条件树，例如 {"all": [{"field": "district", "op": "within", "value": ["郑州市"]}]}；{} 表示不限。'
            ),
            "award": _(
                '例如 {"amount": "min(0.1 * rd_expense@last_year, 2000000)"} 或按情形 {"cases": [...], "cap": "..."}；留空表示无金额。'
            ),
        }

    def __init__(self, *args, request: HttpRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A user who may only view the policy (a drafter on a published one, anyone on a
        # withdrawn one) gets a form without fields: everything is read-only then.
        for name in ("criteria", "award"):
            if name in self.fields:
                self.fields[name].required = False
        user = getattr(request, "user", None)
        if "department" in self.fields and user is not None and not user.is_superuser:
            self.fields["department"].queryset = Department.objects.filter(
                pk__in=user_department_ids(user) or []
            )

    def clean_criteria(self):
        try:
            return criteria_clean(self.cleaned_data.get("criteria") or {})
        except ValidationError as exc:  # {"criteria": ["<path>: <reason>", ...]} → the field's errors
            raise ValidationError(exc.message_dict["criteria"]) from None

    def clean_award(self):
        try:
            return award_clean(self.cleaned_data.get("award"))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["award"]) from None


class OwnDepartmentFilter(admin.SimpleListFilter):
    """Departments the official works for (all for a superuser)."""

    title = _("牵头部门")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        ids = user_department_ids(request.user)
        qs = Department.objects.order_by("code")
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        return [(str(d.pk), d.name) for d in qs]

    def queryset(self, request, queryset):
        return queryset.filter(department_id=self.value()) if self.value() else queryset


def _transition_url(obj, action: str) -> str:
    return reverse("admin:policies_policy_transition", args=[obj.pk, action])


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyAdminForm
    list_display = ["title", "department", "benefit_type", "status", "auto_grant", "apply_end", "version"]
    list_filter = ["status", "level", "benefit_type", "auto_grant", OwnDepartmentFilter]
    search_fields = ["title", "doc_number", "summary"]
    date_hierarchy = "published_at"
    list_select_related = ["department"]
    inlines = [InterpretationInline, MaterialInline, AttachmentInline]
    filter_horizontal = ["co_departments"]
    readonly_fields = [
        "status",
        "version",
        "workflow_buttons",
        "criteria_rendered",
        "award_rendered",
        "reach_preview",
        "facets",
        "created_by",
        "submitted_by",
        "published_by",
        "published_at",
        "version_history",
    ]
    fieldsets = [
        (
            _("状态与流程"),
            {
                "fields": [
                    "workflow_buttons",
                    ("status", "version"),
                    ("created_by", "submitted_by", "published_by", "published_at"),
                ]
            },
        ),
        (
            _("基本信息"),
            {
                "fields": [
                    "title",
                    "doc_number",
                    ("department", "level", "benefit_type"),
                    "co_departments",
                    "summary",
                    "body",
                ]
            },
        ),
        (
            _("申报条件与奖补"),
            {
                "fields": [
                    "criteria",
                    "criteria_rendered",
                    "award",
                    "award_rendered",
                    ("auto_grant", "exclusive_group"),
                    "reach_preview",
                    "facets",
                ]
            },
        ),
        (
            _("时间与办理"),
            {
                "fields": [
                    ("apply_start", "apply_end"),
                    ("valid_from", "valid_until"),
                    "processing_days",
                    "contact",
                    "service_point",
                    ("source_name", "source_url"),
                ]
            },
        ),
        (_("修订记录"), {"fields": ["version_history"], "classes": ["collapse"]}),
    ]
    actions = ["action_submit", "action_publish", "action_withdraw"]

    class Media:
        js = ["policies/admin_policy.js"]
        css = {"all": ["policies/admin_policy.css"]}

    # --- who sees what --------------------------------------------------------------

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("department")
        ids = user_department_ids(request.user)
        return qs if ids is None else qs.filter(department_id__in=ids)

    def has_module_permission(self, request):
        return _is_official(request.user)

    def has_view_permission(self, request, obj=None):
        if not _is_official(request.user):
            return False
        return obj is None or user_is_official_of(request.user, obj.department_id)

    def has_add_permission(self, request):
        return _is_official(request.user)

    def has_change_permission(self, request, obj=None):
        if not _is_official(request.user):
            return False
        return obj is None or user_can_edit_policy(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # Published history is kept; only a superuser may delete, and only drafts.
        return request.user.is_superuser and (obj is None or obj.status == PolicyStatus.DRAFT)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form_class = form

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        RequestForm.__name__ = form_class.__name__
        return RequestForm

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != PolicyStatus.DRAFT and not request.user.is_superuser:
            fields.append("department")
        return fields

    # --- saving through the services -------------------------------------------------

    def _data(self, form) -> dict:
        data = {}
        for name in services.EDITABLE_FIELDS + ("department", "co_departments", "service_point"):
            if name in form.cleaned_data:
                value = form.cleaned_data[name]
                if name == "co_departments":
                    value = list(value)
                data[name] = value
        return data

    def save_model(self, request, obj, form, change):
        try:
            if change:
                changed = {k: v for k, v in self._data(form).items() if k in form.changed_data}
                saved = services.policy_update(policy=obj, actor=request.user, data=changed)
            else:
                saved = services.policy_create(actor=request.user, data=self._data(form))
        except (ValidationError, PermissionDenied) as exc:  # validated by the form; a race at most
            raise PermissionDenied(getattr(exc, "messages", [str(exc)])[0]) from exc
        # The inline formsets point at ``obj``: make it the saved row.
        obj.pk = obj.id = saved.pk
        obj._state.adding = False
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def save_related(self, request, form, formsets, change):
        # co_departments were set by the service; the inline rows are saved here, then the
        # version and the search vector follow them.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        if any(fs.has_changed() for fs in formsets):
            services.policy_children_changed(policy=form.instance, actor=request.user)

    # --- read-only panels ---------------------------------------------------------

    @admin.display(description=_("条件（中文）"))
    def criteria_rendered(self, obj):
        return format_html(
            '<div class="policy-rendered" id="criteria-rendered">{}</div>',
            criteria_text(obj.criteria if obj else {}),
        )

    @admin.display(description=_("金额（中文）"))
    def award_rendered(self, obj):
        return format_html(
            '<div class="policy-rendered" id="award-rendered">{}</div>',
            award_text(obj.award if obj else None),
        )

    @admin.display(description=_("覆盖面预览"))
    def reach_preview(self, obj):
        url = reverse("admin:policies_policy_preview")
        return format_html(
            '<div id="policy-preview" data-url="{}">'
            '<button type="button" class="button" id="policy-preview-button">{}</button> '
            '<span class="help">{}</span><div id="policy-preview-result"></div></div>',
            url,
            _("校验并预览覆盖面"),
            _("按当前填写的条件与金额，统计登记库中符合（及可能符合）的企业数、区域与行业分布和奖补总额。"),
        )

    @admin.display(description=_("适用行业/区域（检索用）"))
    def facets(self, obj):
        if not obj or not obj.pk:
            return "-"
        return f"行业：{'、'.join(obj.industries) or '-'}；区域：{'、'.join(obj.districts) or '-'}"

    @admin.display(description=_("流程操作"))
    def workflow_buttons(self, obj):
        if not obj or not obj.pk:
            return _("保存草稿后可提交审核。")
        return format_html(
            "{}", render_to_string("policies/admin_workflow_buttons.html", {"buttons": self._buttons(obj)})
        )

    def _buttons(self, obj) -> list[dict]:
        user = _local.request.user
        out = []
        if obj.status == PolicyStatus.DRAFT and user_is_official_of(user, obj.department_id):
            out.append({"action": "submit", "label": "提交审核", "url": _transition_url(obj, "submit")})
        if obj.status in (PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW):
            refusal = publish_refusal(user, obj)
            out.append(
                {
                    "action": "publish",
                    "label": "审核发布",
                    "url": _transition_url(obj, "publish"),
                    "disabled": refusal,
                }
            )
        if obj.status == PolicyStatus.IN_REVIEW and user_is_reviewer_of(user, obj.department_id):
            out.append(
                {
                    "action": "return",
                    "label": "退回修改",
                    "url": _transition_url(obj, "return"),
                    "reason": True,
                }
            )
        if obj.status == PolicyStatus.PUBLISHED and user_is_reviewer_of(user, obj.department_id):
            out.append(
                {
                    "action": "withdraw",
                    "label": "撤回",
                    "url": _transition_url(obj, "withdraw"),
                    "reason": True,
                }
            )
        if obj.status == PolicyStatus.WITHDRAWN and user_is_official_of(user, obj.department_id):
            out.append({"action": "reopen", "label": "重新修订", "url": _transition_url(obj, "reopen")})
        return out

    @admin.display(description=_("修订记录"))
    def version_history(self, obj):
        if not obj or not obj.pk:
            return "-"
        return format_html(
            "{}",
            render_to_string("policies/admin_versions.html", {"versions": policy_versions(policy=obj)[:30]}),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        _local.request = request  # the read-only panels need the user (per thread)
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # while the request is known to the panels
            return response
        finally:
            _local.request = None

    # --- custom views -------------------------------------------------------------------

    def get_urls(self):
        urls = [
            path("preview/", self.admin_site.admin_view(self.preview_view), name="policies_policy_preview"),
            path(
                "<int:object_id>/transition/<str:action>/",
                self.admin_site.admin_view(self.transition_view),
                name="policies_policy_transition",
            ),
        ]
        return urls + super().get_urls()

    def preview_view(self, request):
        """POST criteria/award JSON (from the textareas) → rendering, errors with paths, reach."""
        if request.method != "POST" or not _is_official(request.user):
            raise PermissionDenied
        out: dict = {"errors": []}
        parsed = {}
        for field in ("criteria", "award"):
            raw = (request.POST.get(field) or "").strip()
            try:
                parsed[field] = json.loads(raw) if raw else ({} if field == "criteria" else None)
            except ValueError as exc:
                out["errors"].append(
                    {
                        "field": field,
                        "path": field,
                        "message": f"JSON 格式错误（第{exc.lineno}行第{exc.colno}列）：{exc.msg}",
                    }
                )
        if not out["errors"]:
            for field, clean in (("criteria", criteria_clean), ("award", award_clean)):
                try:
                    parsed[field] = clean(parsed[field])
                except ValidationError as exc:
                    for msg in exc.message_dict.get(field, []):
                        p, _, m = msg.partition(": ")
                        out["errors"].append({"field": field, "path": p, "message": m})
        if out["errors"]:
            return JsonResponse(out)
        out["criteria_text"] = criteria_text(parsed["criteria"])
        out["award_text"] = award_text(parsed["award"])
        started = time.monotonic()
        reach = policy_reach(policy=Policy(criteria=parsed["criteria"], award=parsed["award"]))
        reach["seconds"] = round(time.monotonic() - started, 2)
        out["reach_html"] = render_to_string("policies/admin_reach.html", {"reach": reach})
        out["reach"] = json.loads(json.dumps(reach, default=str))
        return JsonResponse(out)

    def transition_view(self, request, object_id: int, action: str):
        policy = get_object_or_404(self.get_queryset(request), pk=object_id)
        change_url = reverse("admin:policies_policy_change", args=[policy.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        reason = (request.POST.get("reason") or "").strip()
        try:
            if action == "submit":
                services.policy_submit(policy=policy, actor=request.user)
                done = "已提交审核。"
            elif action == "publish":
                services.policy_publish(policy=policy, actor=request.user)
                done = "已发布，系统正在为符合条件的企业匹配推送。"
            elif action == "return":
                services.policy_return(policy=policy, actor=request.user, reason=reason)
                done = "已退回修改。"
            elif action == "withdraw":
                services.policy_withdraw(policy=policy, actor=request.user, reason=reason)
                done = "已撤回，相关匹配将结束。"
            elif action == "reopen":
                services.policy_reopen(policy=policy, actor=request.user, reason=reason)
                done = "已转为草稿，修订后请提交审核、重新发布。"
            else:
                raise PermissionDenied("未知操作。")
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "没有权限。")
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(request, f"「{policy.title}」{done}")
        return HttpResponseRedirect(change_url)

    # --- bulk actions (each policy through the service) ------------------------------

    def _bulk(self, request, queryset, fn, verb: str):
        ok = 0
        for policy in queryset:
            try:
                fn(policy=policy, actor=request.user)
                ok += 1
            except (PermissionDenied, ValidationError) as exc:
                text = "；".join(getattr(exc, "messages", None) or [str(exc)])
                messages.error(request, f"「{policy.title}」未能{verb}：{text}")
        if ok:
            messages.success(request, f"{ok} 项政策已{verb}。")

    @admin.action(description=_("提交审核所选政策"))
    def action_submit(self, request, queryset):
        self._bulk(request, queryset, services.policy_submit, "提交审核")

    @admin.action(description=_("审核发布所选政策"))
    def action_publish(self, request, queryset):
        self._bulk(request, queryset, services.policy_publish, "发布")

    @admin.action(description=_("撤回所选政策"))
    def action_withdraw(self, request, queryset):
        self._bulk(request, queryset, services.policy_withdraw, "撤回")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["policy", "number", "match_version", "comment", "changed_by", "changed_at"]
    list_select_related = ["policy", "changed_by"]
    readonly_fields = [
        "policy",
        "number",
        "match_version",
        "comment",
        "changed_by",
        "changed_at",
        "changes_readable",
        "snapshot",
    ]
    exclude = ["changes"]
    search_fields = ["policy__title"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = user_department_ids(request.user)
        return qs if ids is None else qs.filter(policy__department_id__in=ids)

    @admin.display(description=_("变更内容"))
    def changes_readable(self, obj):
        return format_html("{}", render_to_string("policies/admin_versions.html", {"versions": [obj]}))

    def has_module_permission(self, request):
        return _is_official(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_official(request.user)
