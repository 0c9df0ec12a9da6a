"""Saved searches with e-mail alerts (an anonymous visitor's, or an enterprise's own saved
filter), their alerts, and the secret calendar feed of an enterprise.

A subscription sends nothing until its address is confirmed (double opt-in, ``confirmed_at``);
after ``unsubscribed_at`` it sends nothing again. Each (subscription, policy) is alerted at
most once (``SubscriptionAlert``), however often the policy is published again.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def _token() -> str:
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    email = models.EmailField(_("接收邮箱"))
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("企业"),
    )
    # The policy list's own query: ``q`` and its filters (``policies.selectors.policy_filter``);
    # an enterprise's saved filter may give several values per key (any of them matches).
    q = models.CharField(_("关键词"), max_length=100, blank=True, default="")
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    min_amount = models.DecimalField(
        _("最低金额(元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # the manage / unsubscribe link (in every alert); the calendar feed has its own secret
    token = models.CharField(_("管理令牌"), max_length=40, unique=True, default=_token)
    feed_token = models.CharField(_("日历令牌"), max_length=40, unique=True, default=_token)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("退订时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策订阅")
        verbose_name_plural = _("政策订阅")
        indexes = [
            models.Index(
                fields=["confirmed_at"],
                name="subscription_active",
                condition=models.Q(confirmed_at__isnull=False, unsubscribed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.q or '-'} {self.filters}"

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class SubscriptionAlert(models.Model):
    """One policy told to one subscription: the idempotency key of the alerts and the link to
    the outbox row (``matching.Delivery``) that carries the e-mail."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("订阅")
    )
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.CASCADE, related_name="+", verbose_name=_("政策")
    )
    delivery = models.ForeignKey(
        "matching.Delivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("投递"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("订阅提醒")
        verbose_name_plural = _("订阅提醒")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "policy"], name="subscription_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id}→{self.policy_id}"


class CalendarFeed(models.Model):
    """An enterprise's iCalendar feed: calendar clients cannot sign in, so the URL carries a
    secret the enterprise can regenerate (the old URL then stops working)."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("企业"),
    )
    token = models.CharField(_("日历令牌"), max_length=40, unique=True, default=_token)
    created_at = models.DateTimeField(_("生成时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return f"{self.enterprise_id}"
