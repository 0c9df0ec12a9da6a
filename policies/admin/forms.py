"""The policy form: criteria and award edited in the builder (``builder``), whose JSON is
posted in the fields' textareas and validated by the criteria package (``policies.rules``)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import Department, Policy
from ..permissions import user_department_ids
from ..rules import award_clean, award_text, criteria_clean, criteria_text
from ..versions import EDITABLE_FIELDS

# The policy's own fields (as the services edit them) and its relations.
FORM_FIELDS = (*EDITABLE_FIELDS, "department", "co_departments", "service_point")


class BuilderTextarea(forms.Textarea):
    """The JSON of criteria or an award, in a textarea that the builder (admin_policy.js)
    keeps in step with its rows: the "advanced" view, and what the form posts."""

    template_name = "policies/widgets/builder_textarea.html"

    def __init__(self, *, part: str, attrs=None):
        self.part = part  # "criteria" or "award"
        super().__init__(
            attrs={
                "rows": 14 if part == "criteria" else 6,
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

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["part"] = self.part
        context["widget"]["rendered"] = self._rendered(value)
        return context

    def _rendered(self, value) -> str:
        """The saved (or posted) value in Chinese, until the builder's live rendering replaces it."""
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else None
            except ValueError:
                return ""
        if self.part == "criteria":
            return criteria_text(value if isinstance(value, dict) else {})
        return award_text(value if isinstance(value, dict) else None)


class PolicyAdminForm(forms.ModelForm):
    """Validates criteria and award through the criteria package: each error is shown
    under its field as "<path>: <reason>" (the builder shows it on its row)."""

    class Meta:
        model = Policy
        fields = list(FORM_FIELDS)
        widgets = {"criteria": BuilderTextarea(part="criteria"), "award": BuilderTextarea(part="award")}
        help_texts = {
            "criteria": _(
                '在条件构建器中逐条填写；高级视图为 JSON 条件树，例如 {"all": [{"field": "district", "op": "within", "value": ["410105"]}]}（行政区划写代码，410105 即金水区）；{} 表示不限。'
            ),
            "award": _(
                '在奖补构建器中选择定额、按比例、分档或按情形；高级视图例如 {"amount": "min(0.1 * rd_expense@last_year, 2000000)"}；留空表示无金额。'
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
