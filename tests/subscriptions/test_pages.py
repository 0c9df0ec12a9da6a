"""The anonymous sign-up: the list's search carried over, a refusal per field, throttled,
and the same answer whether or not an address is known (no enumeration)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from subscriptions.models import Subscription

pytestmark = pytest.mark.django_db


def test_the_list_offers_to_save_its_search(client, publish):
    publish(title="智能制造设备补贴")
    html = client.get(
        reverse("web:policy_list"), {"q": "智能制造", "benefit_type": "subsidy"}
    ).content.decode()
    assert f"{reverse('subscriptions:subscribe')}?q=%E6%99%BA" in html


def test_the_sign_up_saves_the_lists_search_and_sends_one_confirmation(
    client, city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("subscriptions:subscribe"),
            {"q": "智能制造", "benefit_type": "subsidy", "open": "on", "email": "Reader@Example.com"},
        )
    assert response.status_code == 200 and "请查收确认邮件" in response.content.decode()
    sub = Subscription.objects.get()
    assert (sub.email, sub.q, sub.filters) == (
        "reader@example.com",
        "智能制造",
        {"benefit_type": "subsidy", "open": True},
    )
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": ""}, "请填写接收提醒的邮箱。"),
        ({"email": "not-an-address"}, "邮箱格式不正确，例如 name@example.com。"),
        ({"email": "a@example.com", "q": "长" * 101}, "关键词："),
        ({"email": "a@example.com", "benefit_type": "lottery"}, "支持方式："),
    ],
)
def test_bad_input_is_refused_naming_the_field(client, city, data, message):
    response = client.post(reverse("subscriptions:subscribe"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscription.objects.exists() and mail.outbox == []


@pytest.mark.parametrize("value", ["\x00", "-1", "abc", "9" * 30, "<script>"])
def test_a_malformed_search_opened_from_a_link_is_refused_on_the_page_not_a_500(client, city, value):
    keys = ("q", "benefit_type", "department", "district", "industry", "open", "page", "sort")
    response = client.get(reverse("subscriptions:subscribe"), {k: value for k in keys})
    # no value above is a 支持方式 the list knows: the page says so by field, saves nothing
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "支持方式：" in html
    assert not Subscription.objects.exists()


def test_a_known_address_gets_the_same_answer_and_no_second_mail(
    client, city, django_capture_on_commit_callbacks
):
    data = {"q": "智能制造", "email": "reader@example.com"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("subscriptions:subscribe"), data)
        again = client.post(reverse("subscriptions:subscribe"), data)
    assert first.status_code == again.status_code == 200

    def page(response):
        return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", response.content.decode())  # the CSRF tokens differ

    assert page(first) == page(again)
    assert Subscription.objects.count() == 1 and len(mail.outbox) == 1


def test_sign_ups_are_throttled_per_address_and_per_client(client, city, settings):
    settings.SUBSCRIPTIONS_PER_EMAIL_PER_HOUR = 2
    settings.SUBSCRIPTIONS_PER_IP_PER_HOUR = 5
    for i in range(2):
        assert (
            client.post(
                reverse("subscriptions:subscribe"), {"q": f"词{i}", "email": "x@example.com"}
            ).status_code
            == 200
        )
    refused = client.post(reverse("subscriptions:subscribe"), {"q": "词9", "email": "x@example.com"})
    assert refused.status_code == 400 and "提交过于频繁，请一小时后再试。" in refused.content.decode()
    for i in range(2):  # the refused one counted too: 5 from this client
        client.post(reverse("subscriptions:subscribe"), {"q": "词", "email": f"y{i}@example.com"})
    refused = client.post(reverse("subscriptions:subscribe"), {"q": "词", "email": "z@example.com"})
    assert refused.status_code == 400
    assert Subscription.objects.count() == 4


def test_the_manage_page_shows_the_search_and_unsubscribes(client, subscribe):
    sub = subscribe(q="智能制造")
    html = client.get(reverse("subscriptions:manage", args=[sub.token])).content.decode()
    assert "关键词「智能制造」" in html and "订阅中" in html and sub.feed_token in html
    assert client.get(reverse("subscriptions:manage", args=["nope"])).status_code == 404


def test_the_pages_speak_english_when_chosen(client, subscribe):
    sub = subscribe(q="智能制造")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    calendar = client.get(reverse("subscriptions:calendar")).content.decode()
    assert "Policy calendar" in calendar and "政策日历" not in calendar
    manage = client.get(reverse("subscriptions:manage", args=[sub.token])).content.decode()
    assert "Manage subscription" in manage and "Keywords “智能制造”" in manage
    refused = client.post(reverse("subscriptions:subscribe"), {"email": "nope"}).content.decode()
    assert "This is not an e-mail address" in refused
