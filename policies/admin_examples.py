"""The example enterprises (样例企业) of a policy in the admin: an inline for the policy's
change form. The policy admin (``policies.admin``) lists ``PolicyExampleInline`` among its
inlines; saving the inline runs the examples (``policies.examples.examples_run_store``) and
the form shows each one's last result."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .examples import example_clean, examples_run_store
from .models import PolicyExample

PROFILE_HELP = _(
    "与政策计算器、测算接口相同的企业画像（JSON）。例如："
    '{"district": "410105", "industry": "C3411", "established_on": "2018-06-01", '
    '"registered_capital": "5000000", "tags": [{"name": "高新技术企业", "recognized_on": "2026-03-01", '
    '"first_time": true}], "indicators": {"revenue": {"2025": "30000000"}, "rd_expense": {"2025": "2000000"}}}'
    "。金额以元为单位；留空的数据视为未知。"
)


class PolicyExampleForm(forms.ModelForm):
    profile = forms.JSONField(
        label=_("企业画像"),
        help_text=PROFILE_HELP,
        widget=forms.Textarea(
            attrs={"rows": 6, "cols": 60, "class": "vLargeTextField", "spellcheck": "false"}
        ),
        error_messages={"invalid": _("企业画像不是有效的 JSON。")},
    )

    class Meta:
        model = PolicyExample
        fields = ["name", "profile", "as_of", "expected_verdict", "expected_amount", "position"]
        help_texts = {
            "expected_amount": _("符合时应得的金额（元）；留空则不核对金额。"),
            "as_of": _("按此日期评估（“本年度”“上年度”等据此确定）。"),
        }

    def clean(self):
        data = super().clean()
        fields = ("name", "profile", "as_of", "expected_verdict", "expected_amount")
        if any(f in self.errors for f in fields):
            return data
        try:
            clean = example_clean({f: data.get(f) for f in fields})
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(None if key == "__all__" else key, message)
            return data
        data.update(clean)
        return data


class PolicyExampleFormSet(BaseInlineFormSet):
    def save(self, commit: bool = True):
        saved = super().save(commit)
        if commit and self.instance.pk:
            examples_run_store(policy=self.instance)
        return saved


class PolicyExampleInline(admin.StackedInline):
    model = PolicyExample
    form = PolicyExampleForm
    formset = PolicyExampleFormSet
    extra = 0
    fields = [
        "name",
        "profile",
        ("as_of", "expected_verdict", "expected_amount"),
        "position",
        "last_result",
        "acknowledgement",
    ]
    readonly_fields = ["last_result", "acknowledgement"]
    verbose_name = _("样例企业")
    verbose_name_plural = _("样例企业（保存时自动运行；未通过或结论变化须审核人员确认后才能发布）")

    @admin.display(description=_("最近运行结果"))
    def last_result(self, obj: PolicyExample | None):
        if obj is None or not obj.pk or not obj.last_run:
            return _("保存后运行。")
        return format_html(
            "{}",
            render_to_string(
                "policies/admin_example_result.html", {"run": obj.last_run, "at": obj.last_run_at}
            ),
        )

    @admin.display(description=_("审核确认"))
    def acknowledgement(self, obj: PolicyExample | None):
        if obj is None or not obj.acknowledged_at:
            return "-"
        user = obj.acknowledged_by
        who = (user.get_full_name() or user.get_username()) if user else ""
        return _("%(who)s 于 %(at)s 确认") % {
            "who": who,
            "at": obj.acknowledged_at.strftime("%Y-%m-%d %H:%M"),
        }
