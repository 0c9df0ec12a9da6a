"""Writes of the subscriptions (views and the task call these; nothing relies on signals).

- ``subscription_create``: a saved search or an enterprise's saved filter, with its
  confirmation e-mail (double opt-in: nothing else is sent before ``subscription_confirm``);
  anonymous sign-ups are throttled per client address and per address typed, and the answer
  never says whether an address is known.
- ``policy_alerts_schedule`` (``policies.services.policy_publish`` calls it): on commit, the
  task ``subscriptions.policy_alerts`` runs ``policy_alerts_create``: one alert per
  (subscription, policy), whose e-mail is a ``matching.Delivery`` in the one outbox, sent by the
  one delivery task with List-Unsubscribe (RFC 8058).
- ``subscription_unsubscribe``, ``calendar_feed_regenerate``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import Channel, Delivery
from matching.pipeline.queue import enqueue_on_commit
from policies.models import Policy, PolicyStatus
from portal.accounts.recovery import rate_limit_hit
from portal.links import absolute_url

from .models import CalendarFeed, Subscription, SubscriptionAlert
from .selectors import subscription_satisfied_by, subscriptions_active

CONFIRM_SALT = "subscriptions.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600
EVENT_CONFIRM = "subscription.confirm"
EVENT_ALERT = "subscription.alert"
ALERT_BATCH = 500
# the policy list's filters (``policies.selectors.policy_filter``)
FILTER_KEYS = ("department", "level", "benefit_type", "industry", "district", "open", "auto_grant")


def _deliveries_send_on_commit() -> None:
    from matching import tasks

    enqueue_on_commit(tasks.deliveries_send)


def _mail_delivery(*, subscription: Subscription, event: str, key: str, payload: dict) -> Delivery:
    """A pre-written e-mail in the outbox (``matching.pipeline.deliver`` sends it)."""
    return Delivery.objects.create(
        enterprise_id=subscription.enterprise_id,
        channel=Channel.EMAIL,
        recipient=subscription.email,
        event=event,
        event_key=key[:120],
        payload={"subscription": subscription.pk, **payload},
        next_attempt_at=timezone.now(),
    )


def confirm_link(subscription: Subscription) -> str:
    signed = signing.dumps({"s": subscription.pk, "t": subscription.token[:8]}, salt=CONFIRM_SALT)
    return absolute_url("subscriptions:confirm", signed)


def _confirmation_send(subscription: Subscription) -> None:
    from .mail import confirmation_payload

    _mail_delivery(
        subscription=subscription,
        event=EVENT_CONFIRM,
        key=f"{EVENT_CONFIRM}:{subscription.pk}",
        payload=confirmation_payload(subscription, confirm_link(subscription)),
    )
    _deliveries_send_on_commit()


@transaction.atomic
def subscription_create(
    *,
    email: str,
    q: str = "",
    filters: dict | None = None,
    min_amount: Decimal | None = None,
    enterprise=None,
    client_ip: str | None = None,
    confirmed: bool = False,
) -> Subscription | None:
    """Save a search for ``email`` and send the confirmation e-mail (unless ``confirmed``: an
    enterprise's own, already verified address). Returns None, silently, when an identical
    pending or active subscription exists (its owner already has, or had, the mail): the
    caller says the same thing either way. Raises ``ValidationError`` naming the field."""
    email = (email or "").strip().lower()
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [], False)}
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise ValidationError({"filters": [_("未知的筛选条件：%(keys)s") % {"keys": "、".join(unknown)}]})
    if len(q) > 100:
        raise ValidationError({"q": [_("关键词不能超过 100 个字。")]})
    if enterprise is None:
        per_ip = getattr(settings, "SUBSCRIPTIONS_PER_IP_PER_HOUR", 10)
        per_email = getattr(settings, "SUBSCRIPTIONS_PER_EMAIL_PER_HOUR", 3)
        if rate_limit_hit(f"subscribe:ip:{client_ip or '-'}", per_ip) or rate_limit_hit(
            f"subscribe:email:{email}", per_email
        ):
            raise ValidationError({"email": [_("提交过于频繁，请一小时后再试。")]})
    if min_amount is not None and min_amount < 0:
        raise ValidationError({"min_amount": [_("最低金额不能为负数。")]})
    same = Subscription.objects.filter(
        email=email, q=q, filters=filters, min_amount=min_amount, unsubscribed_at__isnull=True
    )
    if enterprise is not None:
        same = same.filter(enterprise=enterprise)
    else:
        same = same.filter(enterprise__isnull=True)
    if same.exists():
        return None
    sub = Subscription(email=email, q=q, filters=filters, min_amount=min_amount, enterprise=enterprise)
    try:
        sub.full_clean(exclude=["enterprise", "token", "feed_token"])
    except ValidationError as exc:
        raise ValidationError({k: v for k, v in exc.message_dict.items()}) from exc
    if confirmed:
        sub.confirmed_at = timezone.now()
    sub.save()
    if not confirmed:
        _confirmation_send(sub)
    return sub


@transaction.atomic
def subscription_confirm(*, signed: str) -> Subscription | None:
    """Confirm by the signed link of the confirmation e-mail. None when the link is forged,
    expired, or its subscription gone or unsubscribed."""
    try:
        data = signing.loads(signed, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    sub = Subscription.objects.select_for_update().filter(pk=data.get("s")).first()
    if sub is None or not sub.token.startswith(str(data.get("t", "")) or "-") or sub.unsubscribed_at:
        return None
    if sub.confirmed_at is None:
        sub.confirmed_at = timezone.now()
        sub.save(update_fields=["confirmed_at"])
    return sub


@transaction.atomic
def subscription_unsubscribe(*, token: str) -> Subscription | None:
    """One-click unsubscribe (RFC 8058) by the subscription's secret. None if unknown."""
    sub = Subscription.objects.select_for_update().filter(token=token).first()
    if sub is None:
        return None
    if sub.unsubscribed_at is None:
        sub.unsubscribed_at = timezone.now()
        sub.save(update_fields=["unsubscribed_at"])
    return sub


@transaction.atomic
def subscription_resubscribe(*, token: str) -> Subscription | None:
    sub = Subscription.objects.select_for_update().filter(token=token).first()
    if sub is not None and sub.unsubscribed_at is not None:
        sub.unsubscribed_at = None
        sub.save(update_fields=["unsubscribed_at"])
    return sub


def policy_alerts_schedule(*, policy_id: int) -> None:
    """After a publication commits, alert the subscriptions the policy satisfies (a task)."""
    from . import tasks

    enqueue_on_commit(tasks.policy_alerts, policy_id)


@transaction.atomic
def policy_alerts_create(*, policy_id: int) -> int:
    """Alert every confirmed, active subscription whose saved filter ``policy`` satisfies:
    one ``SubscriptionAlert`` and one e-mail delivery each, never twice for the same
    (subscription, policy) however often this runs or the policy is published again. Returns
    how many alerts were written."""
    from .mail import alert_payload

    policy = Policy.objects.select_related("department").filter(pk=policy_id).first()
    if policy is None or policy.status != PolicyStatus.PUBLISHED:
        return 0
    told = SubscriptionAlert.objects.filter(policy_id=policy_id).values("subscription_id")
    created = 0
    # many visitors save the same search: ask the database once per distinct one
    verdicts: dict[tuple, bool] = {}
    # "new" to a subscription: published after it was confirmed
    active = subscriptions_active().filter(confirmed_at__lte=policy.published_at or timezone.now())
    for sub in active.exclude(pk__in=told).order_by("pk").iterator(chunk_size=ALERT_BATCH):
        key = (sub.q, json.dumps(sub.filters, sort_keys=True), sub.min_amount, sub.enterprise_id)
        if key not in verdicts:
            verdicts[key] = subscription_satisfied_by(sub, policy)
        if not verdicts[key]:
            continue
        alert, new = SubscriptionAlert.objects.get_or_create(subscription=sub, policy=policy)
        if not new:
            continue
        alert.delivery = _mail_delivery(
            subscription=sub,
            event=EVENT_ALERT,
            key=f"{EVENT_ALERT}:{sub.pk}:{policy.pk}",
            payload=alert_payload(sub, policy),
        )
        alert.save(update_fields=["delivery"])
        created += 1
    if created:
        _deliveries_send_on_commit()
    return created


def policy_alerts_repair(*, hours: int = 24) -> int:
    """Run the alerts again for every policy published in the last ``hours`` (scheduled hourly):
    a publication whose task the broker lost is alerted late, never twice (the alerts are
    idempotent). Returns how many alerts were written."""
    since = timezone.now() - timedelta(hours=hours)
    ids = Policy.objects.filter(status=PolicyStatus.PUBLISHED, published_at__gte=since).values_list(
        "pk", flat=True
    )
    return sum(policy_alerts_create(policy_id=pk) for pk in ids)


@transaction.atomic
def calendar_feed_regenerate(*, enterprise) -> CalendarFeed:
    """A new secret for the enterprise's calendar feed; the old URL stops working."""
    from .models import _token

    feed, created = CalendarFeed.objects.select_for_update().get_or_create(enterprise=enterprise)
    if not created:
        feed.token = _token()
        feed.save(update_fields=["token", "created_at"])
    return feed


def calendar_feed_get(*, enterprise) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(enterprise=enterprise)
    return feed
