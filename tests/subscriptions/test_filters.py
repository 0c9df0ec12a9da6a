"""An enterprise's saved filter: themes (支持方式), departments, industries, districts and a
minimum amount (computed for that enterprise); any ticked value of a group matches."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from subscriptions.models import Subscription
from subscriptions.selectors import subscription_satisfied_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(publish):
    # 市工信局, 资金补贴, 300,000 yuan fixed, for enterprises registered in Zhengzhou (4101)
    return publish(title="智能制造设备补贴", amount="300000")


@pytest.fixture
def industry_policy(publish):
    return publish(
        title="新材料首批次应用奖励",
        criteria={"all": [{"field": "industry", "op": "within", "value": ["C26"]}]},
    )


def _sub(city, **kwargs) -> Subscription:
    return Subscription(email="boss@bing.example.com", enterprise=city.enterprise, **kwargs)


@pytest.mark.parametrize(
    ("filters", "min_amount", "satisfied"),
    [
        ({}, None, True),
        ({"benefit_type": ["subsidy"]}, None, True),
        ({"benefit_type": ["finance", "subsidy"]}, None, True),  # any ticked value
        ({"benefit_type": ["finance", "tax"]}, None, False),
        ({"department": ["zz-gxj"]}, None, True),
        ({"department": ["zz-kjj"]}, None, False),
        ({"district": ["410105"]}, None, True),  # the policy admits all of Zhengzhou (4101)
        ({"district": ["410100", "410105"]}, None, True),
        ({"industry": ["C"]}, None, True),  # the policy does not restrict industries
        ({}, Decimal("200000"), True),
        ({}, Decimal("300000"), True),
        ({}, Decimal("300001"), False),
        ({"benefit_type": ["subsidy"], "department": ["zz-kjj"]}, None, False),  # every group must match
    ],
)
def test_an_enterprise_filter_selects_by_theme_department_district_industry_and_amount(
    city, policy, filters, min_amount, satisfied
):
    assert subscription_satisfied_by(_sub(city, filters=filters, min_amount=min_amount), policy) is satisfied


def test_an_industry_filter_selects_only_policies_for_that_industry(city, industry_policy):
    assert subscription_satisfied_by(_sub(city, filters={"industry": ["C"]}), industry_policy)
    assert not subscription_satisfied_by(_sub(city, filters={"industry": ["I"]}), industry_policy)


def test_the_minimum_amount_is_computed_for_the_enterprise(city, publish):
    # an award of 5% of registered capital: 400,000 for 丙 (8,000,000)
    share = publish(title="注册资本奖励", amount="registered_capital * 0.05")
    assert subscription_satisfied_by(_sub(city, min_amount=Decimal("400000")), share)
    assert not subscription_satisfied_by(_sub(city, min_amount=Decimal("400001")), share)
    # an anonymous search has no profile: no single figure, so a minimum excludes it
    anonymous = Subscription(email="a@example.com", min_amount=Decimal("1"))
    assert not subscription_satisfied_by(anonymous, share)


def test_an_enterprise_saves_a_filter_on_its_page_and_its_own_address_needs_no_confirmation(
    client, city, django_capture_on_commit_callbacks, publish
):
    client.force_login(city.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("subscriptions:mine"),
            {
                "benefit_type": ["subsidy", "finance"],
                "department": ["zz-gxj"],
                "district": ["410105"],
                "min_amount": "20",  # 万元
                "email": city.user.email or "wangwu@example.com",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    sub = Subscription.objects.get(enterprise=city.enterprise)
    assert sub.filters == {
        "benefit_type": ["subsidy", "finance"],
        "department": ["zz-gxj"],
        "district": ["410105"],
    }
    assert sub.min_amount == Decimal("200000") and sub.confirmed_at is not None
    assert mail.outbox == []  # no confirmation mail for the enterprise's own address
    page = client.get(reverse("subscriptions:mine")).content.decode()
    assert "资金补贴、融资支持" in page and "金额不低于 20万元" in page
    # and a policy it selects is told, with 丙's amount and why 丙 qualifies
    publish(title="智能制造设备补贴", amount="300000")
    (alert,) = mail.outbox
    assert "确定可享（定额）：30万元" in alert.body and "注册资本" in alert.body


def test_an_enterprise_filter_with_a_bad_amount_is_refused_by_field(client, city):
    client.force_login(city.user)
    response = client.post(reverse("subscriptions:mine"), {"min_amount": "-5", "email": "x@example.com"})
    assert response.status_code == 400
    assert "最低金额不能为负数。" in response.content.decode()
    response = client.post(reverse("subscriptions:mine"), {"min_amount": "很多", "email": "not-an-address"})
    html = response.content.decode()
    assert "请填写数字，例如 10 表示 10 万元。" in html and "邮箱格式不正确" in html
    assert not Subscription.objects.exists()
