from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from policies.models import BenefitType, PolicyLevel

from .services import CORRECTABLE_FIELDS

ORDER_CHOICES = [("relevance", _("相关度")), ("deadline", _("截止日期")), ("newest", _("最新发布"))]


class PolicySearchForm(forms.Form):
    """The policy list's query string: every filter lives in the URL."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    department = forms.ChoiceField(label=_("发文部门"), required=False, choices=[])
    level = forms.ChoiceField(label=_("层级"), required=False, choices=PolicyLevel.choices)
    benefit_type = forms.ChoiceField(label=_("支持方式"), required=False, choices=BenefitType.choices)
    # the ids of the labels in web/policy_list.html (axe-core: a select needs its name)
    industry = forms.ChoiceField(
        label=_("适用行业"), required=False, choices=[], widget=forms.Select(attrs={"id": "f-industry"})
    )
    district = forms.ChoiceField(
        label=_("适用区域"), required=False, choices=[], widget=forms.Select(attrs={"id": "f-district"})
    )
    open = forms.BooleanField(label=_("正在申报"), required=False)
    auto_grant = forms.BooleanField(label=_("免申即享"), required=False)
    order = forms.ChoiceField(label=_("排序"), required=False, choices=ORDER_CHOICES)

    def __init__(self, *args, departments=(), industries=(), districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = list(departments)
        self.fields["industry"].choices = [("", _("全部行业"))] + list(industries)
        self.fields["district"].choices = [("", _("全部区域"))] + list(districts)

    def filters(self) -> dict:
        data = self.cleaned_data
        out: dict = {}
        for key in ("department", "level", "benefit_type", "industry", "district"):
            if data.get(key):
                out[key] = data[key]
        if data.get("open"):
            out["open"] = True
        if data.get("auto_grant"):
            out["auto_grant"] = True
        return out


class CorrectionRequestForm(forms.Form):
    field = forms.ChoiceField(
        label=_("更正项目"), choices=[("", _("请选择"))] + [(k, _(v)) for k, v in CORRECTABLE_FIELDS.items()]
    )
    proposed_value = forms.CharField(label=_("应更正为"), max_length=300)
    reason = forms.CharField(
        label=_("更正理由及依据"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("如营业执照、认定证书的编号和日期；工作人员核实后更新登记信息。"),
    )


class PreferencesForm(forms.Form):
    email = forms.BooleanField(label=_("电子邮件"), required=False)
    email_address = forms.EmailField(label=_("接收邮箱"), required=False)
    sms = forms.BooleanField(label=_("短信"), required=False)
    sms_phone = forms.RegexField(
        label=_("接收手机号"),
        required=False,
        regex=r"^1\d{10}$",
        error_messages={"invalid": _("请填写11位手机号")},
    )
    digest = forms.BooleanField(
        label=_("合并推送"), required=False, help_text=_("把一天内的多条推送合并成一条发送")
    )

    def clean(self):
        data = super().clean()
        if data.get("email") and not data.get("email_address"):
            self.add_error("email_address", _("开启邮件推送需要填写接收邮箱"))
        if data.get("sms") and not data.get("sms_phone"):
            self.add_error("sms_phone", _("开启短信推送需要填写接收手机号"))
        return data


def policy_search_form(data=None) -> PolicySearchForm:
    """The policy list's form with its choices (the departments with published policies, the
    GB/T 4754 sections, Zhengzhou's districts): the list page and the saved searches
    (``subscriptions``) read a query string through this one form."""
    from enterprises import reference
    from policies.models import Department

    departments = (
        Department.objects.filter(policies__status="published").distinct().values_list("code", "name")
    )
    industries = sorted(reference.industry_sections().items())
    districts = list(reference.zhengzhou_districts().items())
    return PolicySearchForm(data, departments=departments, industries=industries, districts=districts)
