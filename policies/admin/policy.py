"""The policy change page: who sees and edits what, saving through the services, the
read-only panels (renderings, workflow buttons, history) and the bulk actions.

Criteria and award are edited in the builder (``forms.BuilderTextarea`` + admin_policy.js),
validated and rendered live by ``endpoints.preview``; publishing goes through the
confirmation page of ``review``."""

from __future__ import annotations

import json
import threading

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from matching.criteria.render import division_name, industry_label

from .. import services
from ..admin_examples import PolicyExampleInline
from ..models import Attachment, Interpretation, Material, Policy, PolicyStatus
from ..permissions import (
    publish_refusal,
    user_can_edit_policy,
    user_department_ids,
    user_is_official_of,
    user_is_reviewer_of,
)
from ..rules import award_text, criteria_text
from ..selectors import policy_versions
from . import endpoints, review
from .common import is_official
from .forms import FORM_FIELDS, OwnDepartmentFilter, PolicyAdminForm

_local = threading.local()


class PolicyPartInline:
    """A policy's own rows (interpretations, materials, attachments, examples) are edited by
    whoever may edit the policy and seen by whoever may see it: the department's officials, as
    for the policy itself, whatever model permissions their groups hold."""

    def has_view_permission(self, request, obj=None):
        return is_official(request.user) and (
            obj is None or user_is_official_of(request.user, obj.department_id)
        )

    def has_change_permission(self, request, obj=None):
        return is_official(request.user) and (obj is None or user_can_edit_policy(request.user, obj))

    has_add_permission = has_delete_permission = has_change_permission


class ExampleInline(PolicyPartInline, PolicyExampleInline):
    pass


class InterpretationInline(PolicyPartInline, admin.StackedInline):
    model = Interpretation
    extra = 0
    fields = [("kind", "position"), "title", "body", ("question", "answer"), "url"]


class MaterialInline(PolicyPartInline, admin.TabularInline):
    model = Material
    extra = 0
    fields = ["position", "name", "description", "required", "from_shared_data"]


class AttachmentInline(PolicyPartInline, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["title", "file"]


def transition_url(obj, action: str) -> str:
    if action == "publish":  # the reviewer sees the reach and confirms first
        return reverse("admin:policies_policy_publish", args=[obj.pk])
    return reverse("admin:policies_policy_transition", args=[obj.pk, action])


# The builder shows the renderings and the reach beside the criteria; a user who may only
# view the policy gets them as read-only panels instead.
BUILDER_FIELDS = ["criteria", "award", "award_basis", ("auto_grant", "exclusive_group"), "facets"]
READ_ONLY_FIELDS = ["criteria", "criteria_rendered", "award", "award_rendered", "award_basis", ("auto_grant", "exclusive_group"),
                    "reach_preview", "facets"]  # fmt: skip


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyAdminForm
    list_display = ["title", "department", "benefit_type", "status", "auto_grant", "apply_end", "version"]
    list_filter = ["status", "level", "benefit_type", "auto_grant", OwnDepartmentFilter]
    search_fields = ["title", "doc_number", "summary"]
    date_hierarchy = "published_at"
    list_select_related = ["department"]
    inlines = [InterpretationInline, MaterialInline, AttachmentInline, ExampleInline]
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
    actions = ["action_submit", "action_publish", "action_withdraw"]
    change_list_template = "policies/admin_change_list.html"

    class Media:
        js = ["policies/admin_policy.js"]
        css = {"all": ["policies/admin_policy.css"]}

    def get_fieldsets(self, request, obj=None):
        editable = self.has_change_permission(request, obj) if obj is not None else True
        return [
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
            (_("申报条件与奖补"), {"fields": BUILDER_FIELDS if editable else READ_ONLY_FIELDS}),
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

    # --- who sees what --------------------------------------------------------------

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("department")
        ids = user_department_ids(request.user)
        return qs if ids is None else qs.filter(department_id__in=ids)

    def has_module_permission(self, request):
        return is_official(request.user)

    def has_view_permission(self, request, obj=None):
        if not is_official(request.user):
            return False
        return obj is None or user_is_official_of(request.user, obj.department_id)

    def has_add_permission(self, request):
        return is_official(request.user)

    def has_change_permission(self, request, obj=None):
        if not is_official(request.user):
            return False
        return obj is None or user_can_edit_policy(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # Published history is kept; only a superuser may delete, and only drafts.
        return request.user.is_superuser and (obj is None or obj.status == PolicyStatus.DRAFT)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        RequestForm.__name__ = form_class.__name__
        return RequestForm

    def get_changeform_initial_data(self, request):
        """An official of one department drafts for it: 牵头部门 is filled in."""
        initial = super().get_changeform_initial_data(request)
        ids = user_department_ids(request.user)
        if ids is not None and len(ids) == 1:
            initial.setdefault("department", ids[0])
        return initial

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != PolicyStatus.DRAFT and not request.user.is_superuser:
            fields.append("department")
        return fields

    # --- saving through the services -------------------------------------------------

    def _data(self, form) -> dict:
        data = {}
        for name in FORM_FIELDS:
            if name in form.cleaned_data:
                value = form.cleaned_data[name]
                data[name] = list(value) if name == "co_departments" else value
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
        saved = {
            "criteria_json": json.dumps(obj.criteria if obj else {}, ensure_ascii=False),
            "award_json": json.dumps(obj.award, ensure_ascii=False) if obj and obj.award else "",
        }
        return format_html("{}", render_to_string("policies/admin_reach_panel.html", saved))

    @admin.display(description=_("适用行业/区域（检索用）"))
    def facets(self, obj):
        if not obj or not obj.pk:
            return "-"

        def names(codes, label):
            return "、".join("不限" if c == "all" else label(c) for c in codes) or "-"

        return f"行业：{names(obj.industries, industry_label)}；区域：{names(obj.districts, division_name)}"

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
            out.append({"action": "submit", "label": "提交审核", "url": transition_url(obj, "submit")})
        if obj.status in (PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW):
            out.append(
                {
                    "action": "publish",
                    "label": "审核发布…",
                    "url": transition_url(obj, "publish"),
                    "disabled": publish_refusal(user, obj),
                    "link": True,
                }
            )
        reviewer = user_is_reviewer_of(user, obj.department_id)
        if obj.status == PolicyStatus.IN_REVIEW and reviewer:
            out.append(
                {
                    "action": "return",
                    "label": "退回修改",
                    "url": transition_url(obj, "return"),
                    "reason": True,
                }
            )
        if obj.status == PolicyStatus.PUBLISHED and reviewer:
            out.append(
                {
                    "action": "withdraw",
                    "label": "撤回",
                    "url": transition_url(obj, "withdraw"),
                    "reason": True,
                }
            )
        if obj.status == PolicyStatus.WITHDRAWN and user_is_official_of(user, obj.department_id):
            out.append({"action": "reopen", "label": "重新修订", "url": transition_url(obj, "reopen")})
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

    def changelist_view(self, request, extra_context=None):
        extra = {"review_count": review.queue_for(request.user).count(), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    # --- custom views -------------------------------------------------------------------

    def get_urls(self):
        def view(fn, name, route):
            return path(route, self.admin_site.admin_view(lambda request, *a, **kw: fn(self, request, *a, **kw)),
                        name=f"policies_policy_{name}")  # fmt: skip

        return [
            view(endpoints.preview, "preview", "preview/"),
            view(endpoints.vocabulary, "vocabulary", "builder-vocabulary/"),
            view(review.queue, "review_queue", "review/"),
            view(review.publish, "publish", "<int:object_id>/publish/"),
            view(endpoints.transition, "transition", "<int:object_id>/transition/<str:action>/"),
        ] + super().get_urls()

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
        """Publishing reaches enterprises: the reviewer first sees each policy's reach."""
        if request.POST.get("confirm") != "yes":
            return review.bulk_confirmation(self, request, queryset)
        self._bulk(request, queryset, services.policy_publish, "发布")
        return None

    @admin.action(description=_("撤回所选政策"))
    def action_withdraw(self, request, queryset):
        self._bulk(request, queryset, services.policy_withdraw, "撤回")
