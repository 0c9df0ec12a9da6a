"""What the subscription e-mails say. Written when the delivery is queued (the payload of
its ``matching.Delivery``), so that the one delivery task only sends.

An alert says what a push says (``matching.pipeline.messages.PushContent``): the amount
(「确定可享」 / 「最高可申」 by the award's kind), why it was sent (the saved search's
conditions the policy meets; for an enterprise also the criteria it meets), the deadline,
the next step, and the links to the policy, to manage the subscription and to unsubscribe.
"""

from __future__ import annotations

from django.utils import timezone

from matching.criteria import evaluate
from matching.pipeline.messages import PushContent, next_step, policy_url
from matching.profiles import profile_load
from policies.models import Policy
from portal.links import absolute_url

from .models import Subscription
from .selectors import search_description, subscription_amount_for

SIGNATURE = "郑州市惠企政策服务平台（政策找企业）"


def manage_url(subscription: Subscription) -> str:
    return absolute_url("subscriptions:manage", subscription.token)


def unsubscribe_url(subscription: Subscription) -> str:
    return absolute_url("subscriptions:unsubscribe", subscription.token)


def confirmation_payload(subscription: Subscription, link: str) -> dict:
    conditions = "；".join(
        search_description(q=subscription.q, filters=subscription.filters, min_amount=subscription.min_amount)
    )
    text = "\n".join(
        [
            "您好！",
            "",
            "有人（希望是您）用这个邮箱订阅了郑州市惠企政策服务平台的新政策提醒：",
            f"订阅条件：{conditions}",
            "",
            "请打开下面的链接确认订阅（7 天内有效）。确认之前我们不会再给您发任何邮件；"
            "如果不是您本人操作，忽略这封邮件即可。",
            link,
            "",
            SIGNATURE,
        ]
    )
    return {"subject": "请确认订阅新政策提醒", "text": text, "link": link}


def alert_payload(subscription: Subscription, policy: Policy) -> dict:
    why = [
        "符合您订阅的条件："
        + "；".join(
            search_description(
                q=subscription.q, filters=subscription.filters, min_amount=subscription.min_amount
            )
        )
    ]
    if subscription.enterprise_id and policy.criteria:
        as_of = timezone.localdate()
        try:
            ev = evaluate(policy.criteria, profile_load(subscription.enterprise_id, as_of=as_of), as_of=as_of)
            why += [str(r) for r in (ev.reasons or [])][:6]
        except Exception:  # the explanation is a courtesy
            pass
    content = PushContent(
        policy_id=policy.pk,
        title=policy.title,
        reason="subscription",
        headline="有新发布的政策符合您的订阅",
        why=why,
        amount=subscription_amount_for(subscription, policy),
        kind=policy.award_kind,
        deadline=policy.apply_end.isoformat() if policy.apply_end else "长期有效",
        link=policy_url(policy.pk),
    )
    content.next_step, content.next_link = next_step(policy)
    manage = manage_url(subscription)
    text = "\n".join(
        [
            content.as_text(),
            "",
            f"发文部门：{policy.department.name}" + (f"（{policy.doc_number}）" if policy.doc_number else ""),
            f"管理订阅：{manage}",
            "",
            SIGNATURE,
        ]
    )
    return {
        "subject": f"新政策：{policy.title}",
        "text": text,
        "link": content.link,
        "unsubscribe_url": unsubscribe_url(subscription),
        "data": content.as_data(),
    }
