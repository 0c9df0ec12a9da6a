"""Addresses typed without a scheme are taken as https, in every form built from the models."""

import warnings

from django.forms import modelform_factory

from matching.models import WebhookSubscription
from policies.models import Department, Policy


def test_a_bare_address_is_taken_as_https_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django 5.2 warns when a form would prepend http://
        PolicyForm = modelform_factory(Policy, fields=["source_url"])
        DepartmentForm = modelform_factory(Department, fields=["website"])
        HookForm = modelform_factory(WebhookSubscription, fields=["url"])
    form = PolicyForm(data={"source_url": "www.zhengzhou.gov.cn/zwgk/1.html"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["source_url"] == "https://www.zhengzhou.gov.cn/zwgk/1.html"
    assert DepartmentForm(data={"website": "kfq.zhengzhou.gov.cn"}).is_valid()
    # an explicit scheme is kept, http included
    form = HookForm(data={"url": "http://10.0.0.7/hook"})
    assert form.is_valid() and form.cleaned_data["url"] == "http://10.0.0.7/hook"
