from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises import reference
from policies.models import BenefitType, Department


class SearchSubscribeForm(forms.Form):
    """An anonymous visitor's saved search: the list's query string rides along in hidden
    fields (read again through the list's own form), the visitor gives only an address."""

    email = forms.EmailField(
        label=_("接收邮箱"),
        max_length=254,
        error_messages={
            "required": _("请填写接收提醒的邮箱。"),
            "invalid": _("邮箱格式不正确，例如 name@example.com。"),
        },
    )


def _departments():
    # every department, not only those with a policy today: one may publish its first later
    return list(Department.objects.order_by("code").values_list("code", "name"))


class EnterpriseSubscriptionForm(forms.Form):
    """An enterprise's saved filter: themes (支持方式), departments, industries, districts and
    a minimum amount; any ticked value of a group matches, an empty group does not restrict."""

    benefit_type = forms.MultipleChoiceField(
        label=_("支持方式"), required=False, choices=BenefitType.choices, widget=forms.CheckboxSelectMultiple
    )
    department = forms.MultipleChoiceField(
        label=_("发文部门"), required=False, choices=[], widget=forms.CheckboxSelectMultiple
    )
    industry = forms.MultipleChoiceField(
        label=_("适用行业"),
        required=False,
        choices=[],
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("可多选：电脑上按住 Ctrl（Mac 为 ⌘）点选。"),
    )
    district = forms.MultipleChoiceField(
        label=_("适用区域"),
        required=False,
        choices=[],
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("可多选：电脑上按住 Ctrl（Mac 为 ⌘）点选。"),
    )
    min_amount = forms.DecimalField(
        label=_("最低金额（万元）"),
        required=False,
        min_value=0,
        max_value=100000,
        decimal_places=2,
        error_messages={
            "invalid": _("请填写数字，例如 10 表示 10 万元。"),
            "min_value": _("最低金额不能为负数。"),
            "max_value": _("最低金额不能超过 100000 万元。"),
            "max_decimal_places": _("最多两位小数。"),
        },
    )
    email = forms.EmailField(
        label=_("接收邮箱"),
        error_messages={
            "required": _("请填写接收提醒的邮箱。"),
            "invalid": _("邮箱格式不正确，例如 name@example.com。"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _departments()
        self.fields["industry"].choices = sorted(reference.industry_sections().items())
        self.fields["district"].choices = list(reference.zhengzhou_districts().items())

    def filters(self) -> dict:
        return {
            k: list(self.cleaned_data.get(k) or [])
            for k in ("benefit_type", "department", "industry", "district")
            if self.cleaned_data.get(k)
        }

    def min_amount_yuan(self):
        value = self.cleaned_data.get("min_amount")
        return None if value is None else value * 10000
