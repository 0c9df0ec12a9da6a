import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from applications.uploads import upload_check
from policies.models import Department, Policy
from policies.selectors import policies_visible_to

from .models import CaseKind, Category, DebtorType, RatingScore, ReturnVisit

MAX_ATTACHMENTS = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=CaseKind.choices)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(label=_("具体情况"), widget=forms.Textarea(attrs={"rows": 6}))
    policy = forms.ModelChoiceField(
        label=_("涉及政策(可选)"),
        required=False,
        queryset=Policy.objects.none(),
        empty_label=_("— 不涉及具体政策 —"),
        help_text=_("选择后，诉求将分办到该政策的牵头部门。"),
    )
    application = forms.ModelChoiceField(
        label=_("涉及本企业的申报(可选)"),
        required=False,
        queryset=Application.objects.none(),
        empty_label=_("— 不涉及具体申报 —"),
        help_text=_("选择后，诉求将分办到办理该申报的部门。"),
    )
    attachments = MultipleFileField(label=_("附件(PDF、图片等，最多5个，每个不超过10MB)"), required=False)

    def __init__(self, *args, enterprise=None, **kwargs):
        """The pickers offer what the user may see: published policies, and the applications
        of ``enterprise`` (no application picker without one, e.g. an official logging a case
        before the enterprise is known)."""
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = policies_visible_to(department_ids=()).order_by("title")
        if enterprise is None:
            del self.fields["application"]
        else:
            self.fields["application"].queryset = (
                Application.objects.filter(enterprise=enterprise)
                .select_related("policy")
                .order_by("-submitted_at")
            )
            self.fields["application"].label_from_instance = lambda a: f"{a.reference} · {a.policy.title}"

    def links(self) -> dict:
        """The policy and application the case is about, for ``services.case_raise``."""
        return {
            "policy": self.cleaned_data.get("policy"),
            "application": self.cleaned_data.get("application"),
        }

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("附件最多%d个") % MAX_ATTACHMENTS)
        for f in files:
            try:
                upload_check(f)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return files


class LogOnBehalfForm(CaseForm):
    credit_code = forms.CharField(label=_("企业统一社会信用代码"), max_length=40)
    source = forms.ChoiceField(
        label=_("来源"), choices=[("hotline", _("12345热线")), ("visit", _("上门走访"))]
    )


def yes_no_field(label, *, yes, no) -> forms.TypedChoiceField:
    """Two radio buttons read as True (``yes``) or False (``no``)."""
    return forms.TypedChoiceField(
        label=label, coerce=lambda v: v == "yes", choices=[("yes", yes), ("no", no)], widget=forms.RadioSelect
    )


class ConfirmForm(forms.Form):
    resolved = yes_no_field(_("问题是否已解决"), yes=_("已解决"), no=_("未解决，重新提起"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("评价"), coerce=int, choices=RatingScore.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("评价说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    reply = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 5}))


class TransferForm(forms.Form):
    department = forms.ModelChoiceField(label=_("转至部门"), queryset=None)
    reason = forms.CharField(label=_("转办理由"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["department"].queryset = Department.objects.order_by("code")


class ReturnVisitForm(forms.Form):
    method = forms.ChoiceField(label=_("回访方式"), choices=ReturnVisit.Method.choices)
    summary = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 3}))
    resolved = forms.TypedChoiceField(
        label=_("企业是否认可已解决"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("是")), ("no", _("否，继续办理"))],
        widget=forms.RadioSelect,
    )


class ArrearsForm(forms.Form):
    debtor_name = forms.CharField(label=_("欠款单位名称"), max_length=200)
    debtor_type = forms.ChoiceField(label=_("欠款单位类型"), choices=DebtorType.choices)
    amount = forms.DecimalField(label=_("欠款金额(元)"), max_digits=16, decimal_places=2, min_value=0.01)
    contract_no = forms.CharField(label=_("合同编号"), max_length=100, required=False)
    due_on = forms.DateField(
        label=_("约定付款日"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = MultipleFileField(label=_("证明材料(合同、发票、对账单等)"), required=False)


class ArrearsVerifyForm(forms.Form):
    accept = yes_no_field(_("核实结论"), yes=_("属实"), no=_("不予认定"))
    verified_amount = forms.DecimalField(
        label=_("核实金额(元)"), required=False, max_digits=16, decimal_places=2
    )
    note = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ArrearsPlanForm(forms.Form):
    plan = forms.CharField(
        label=_("还款计划(每行：日期 金额，如 2026-12-31 50000)"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_plan(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["plan"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                rows.append((dt.date.fromisoformat(parts[0]), Decimal(parts[1])))
            except (IndexError, ValueError, InvalidOperation):
                raise forms.ValidationError(_("第%d行格式不正确，应为“日期 金额”") % n) from None
        if not rows:
            raise forms.ValidationError(_("请至少填写一期还款计划"))
        return rows


class RepaymentForm(forms.Form):
    paid_on = forms.DateField(
        label=_("还款日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    amount = forms.DecimalField(label=_("还款金额(元)"), max_digits=16, decimal_places=2, min_value=0.01)
