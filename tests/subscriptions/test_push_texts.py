"""Pushes and digests say the amount (确定可享 / 最高可申), the reasons, the deadline and the
next step (在线申报 with its link, or 免申即享: no application needed)."""

from __future__ import annotations

import pytest

from matching.models import Notification
from matching.pipeline.messages import digest_message, single_message

pytestmark = pytest.mark.django_db


def test_a_push_says_amount_reasons_deadline_and_next_step(city, publish):
    policy = publish(title="智能制造设备补贴", amount="300000")
    notice = Notification.objects.filter(
        enterprise_id=city.enterprise.pk, policy=policy, channel="inapp"
    ).first()
    message = single_message(notice)
    assert "确定可享（定额）：30万元" in message.text
    assert "符合理由：" in message.text and "注册资本" in message.text
    assert f"申报截止：{policy.apply_end.isoformat()}" in message.text
    assert f"下一步：在线申报 https://zc.example.gov.cn/applications/apply/{policy.pk}/" in message.text
    assert message.data["items"][0]["next_step"] == "在线申报"
    assert "确定可享30万元" in message.short


def test_an_auto_grant_push_says_no_application_is_needed(city, publish):
    policy = publish(title="稳岗奖励", amount="50000", auto_grant=True)
    notice = Notification.objects.filter(
        enterprise_id=city.enterprise.pk, policy=policy, channel="inapp"
    ).first()
    message = single_message(notice)
    assert "下一步：免申即享，无需申报" in message.text and "/applications/apply/" not in message.text
    assert "免申即享" in message.short


def test_a_digest_opens_with_both_totals(city, publish):
    a = publish(title="智能制造设备补贴", amount="300000")
    b = publish(title="技改奖励", amount="200000")
    notices = list(
        Notification.objects.filter(
            enterprise_id=city.enterprise.pk, policy__in=[a, b], channel="inapp"
        ).order_by("id")
    )
    message = digest_message(notices)
    assert message.text.startswith("确定可享合计：50万元；最高可申合计：50万元")
    assert message.text.count("下一步：在线申报") == 2
