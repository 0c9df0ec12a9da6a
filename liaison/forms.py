import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.models import Category


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    discussed = forms.CharField(label=_("交流内容"), widget=forms.Textarea(attrs={"rows": 4}))
    problem_category = forms.ChoiceField(
        label=_("发现问题类别(可选)"), required=False, choices=[("", "—")] + list(Category.choices)
    )
    problem_title = forms.CharField(label=_("发现问题标题(可选)"), required=False, max_length=200)
    problem_description = forms.CharField(
        label=_("问题描述"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()

    def problems(self) -> list[dict]:
        data = self.cleaned_data
        if not (data.get("problem_title") or data.get("problem_description") or data.get("problem_category")):
            return []
        return [
            {
                "category": data.get("problem_category") or "",
                "title": data.get("problem_title") or "",
                "description": data.get("problem_description") or "",
            }
        ]

    def clean_visited_on(self) -> dt.date:
        value = self.cleaned_data["visited_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("走访日期不能晚于今天"))
        return value


class ReassignForm(forms.Form):
    from_username = forms.CharField(label=_("离岗干部用户名"))
    to_username = forms.CharField(label=_("接替干部用户名"))
    reason = forms.CharField(label=_("调整原因"), max_length=200)
