"""Match rows, the outbox and the delivery log (DESIGN §5, §8).

The hot tables (``Match``, ``Notification``) are written by set-based
``INSERT … SELECT`` statements at a million rows a run, so they are shaped for
writing: ``Match`` is keyed by ``(policy, enterprise)`` with one more index on
``enterprise`` and no foreign-key constraints (``db_constraint=False``): a
foreign-key check locks the referenced enterprise row for every inserted match,
which alone costs about 3× (DESIGN §8).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.fields import URLField


class MatchStatus(models.TextChoices):
    ELIGIBLE = "eligible", _("符合条件")
    POSSIBLE = "possible", _("可能符合")
    ENDED = "ended", _("已失效")


class Match(models.Model):
    """One (policy, enterprise) pair the engine found eligible or possible.

    Never deleted: a match that is lost (profile changed, policy revised, withdrawn
    or expired) gets ``status=ended`` and ``ended_at``. ``missing`` lists the data
    an enterprise should supply for a ``possible`` match (filled by the per-enterprise
    re-match; the set-based run leaves it empty and pages compute it on read).
    """

    pk = models.CompositePrimaryKey("policy_id", "enterprise_id")
    policy = models.ForeignKey(
        "policies.Policy",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="matches",
        verbose_name=_("政策"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="matches",
        verbose_name=_("企业"),
    )
    # The policy's version when this row's verdict (status, amount, missing data) last changed: a
    # revision that leaves an enterprise's verdict as it was does not rewrite its row.
    policy_version = models.PositiveIntegerField(_("政策匹配版本"), default=1)
    status = models.CharField(_("状态"), max_length=8, choices=MatchStatus.choices)
    amount = models.DecimalField(_("预计金额(元)"), max_digits=18, decimal_places=2, null=True, blank=True)
    missing = models.JSONField(_("待补充数据"), null=True, blank=True)
    matched_at = models.DateTimeField(_("匹配时间"))
    ended_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    # How many times the pair has been gained (absent/ended → active, possible → eligible): each
    # gain and the loss that follows it are told once, keyed by this number (Notification.occurrence).
    # A database default, so the set-based first run writes 1 without naming the column.
    episode = models.PositiveIntegerField(_("匹配次序"), default=1, db_default=1)

    class Meta:
        verbose_name = _("匹配结果")
        verbose_name_plural = _("匹配结果")

    def __str__(self) -> str:
        return f"{self.policy_id}→{self.enterprise_id}: {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status != MatchStatus.ENDED


class Channel(models.TextChoices):
    INAPP = "inapp", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WEBHOOK = "webhook", _("Webhook")


class Reason(models.TextChoices):
    NEW_MATCH = "new_match", _("新匹配")
    POSSIBLE = "possible", _("可能符合")
    LOST = "lost", _("不再符合")
    REVISED = "revised", _("政策修订")


class Notification(models.Model):
    """The outbox: one row per (policy version, enterprise, channel, reason, occurrence).

    Written in the same transaction as the match that causes it. In-app rows are
    what the enterprise reads (``read_at``); rows of the other channels are sent by
    a ``Delivery`` (one each, or one digest for many).
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("企业"),
    )
    policy = models.ForeignKey(
        "policies.Policy",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("政策"),
    )
    policy_version = models.PositiveIntegerField(_("政策匹配版本"))
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    reason = models.CharField(_("原因"), max_length=10, choices=Reason.choices)
    # The match's episode this notice is about: losing and regaining a policy are told each time,
    # a retry of the same change is not (it hits the same key).
    occurrence = models.PositiveIntegerField(_("次序"), default=1, db_default=1)
    created_at = models.DateTimeField(_("创建时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    delivery = models.ForeignKey(
        "Delivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
        related_name="notifications",
        verbose_name=_("投递"),
    )

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "policy", "policy_version", "channel", "reason", "occurrence"],
                name="notification_once",
            )
        ]
        indexes = [
            # the planner's queue: external-channel rows not yet given to a delivery
            models.Index(
                fields=["channel", "enterprise"],
                name="notification_unplanned",
                condition=models.Q(delivery__isnull=True) & ~models.Q(channel="inapp"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.enterprise_id}:{self.policy_id}v{self.policy_version}:{self.reason}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    DEAD = "dead", _("已放弃")


class Delivery(models.Model):
    """One message on one external transport: the single status machine of every message the
    portal sends to an enterprise or an integrator (DESIGN §5).

    What it carries is one of three sources:

    - match pushes: the ``Notification`` rows that point to it (one, or a digest of many);
      a ``webhook`` delivery without a subscription fans out to the enterprise's subscriptions;
    - an in-app ``inbox.Message`` (an application, appeal or grant step) sent on as e-mail or
      SMS (``message``; ``payload`` may hold its SMS wording);
    - a webhook event (``subscription``, ``event``, ``event_key``, ``payload``: the signed body);
    - a saved search's e-mail (``event`` ``subscription.confirm`` / ``subscription.alert``, the
      written mail in ``payload``; the ``subscriptions`` app, not the webhook ``subscription``).

    ``pending`` → ``sending`` (claimed by a conditional UPDATE, ``claimed_at``) → ``sent`` /
    ``failed`` (permanent error) / ``dead`` (out of attempts); a transient error puts it back to
    ``pending`` with a later ``next_attempt_at``.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("企业"),
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    digest = models.BooleanField(_("汇总消息"), default=False)
    recipient = models.CharField(_("接收方"), max_length=500, blank=True, default="")
    message = models.ForeignKey(
        "inbox.Message",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("站内消息"),
    )
    subscription = models.ForeignKey(
        "WebhookSubscription",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("订阅"),
    )
    event = models.CharField(_("事件"), max_length=30, blank=True, default="")
    event_key = models.CharField(_("事件键"), max_length=120, blank=True, default="")
    payload = models.JSONField(_("内容"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=8,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True, default="")
    duration_ms = models.PositiveIntegerField(_("耗时(毫秒)"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        constraints = [
            # a repeated event or a retried fan-out cannot post twice to one subscription
            models.UniqueConstraint(
                fields=["subscription", "event_key"],
                name="delivery_webhook_once",
                condition=models.Q(subscription__isnull=False),
            ),
            # an inbox message goes out at most once per transport
            models.UniqueConstraint(
                fields=["message", "channel"],
                name="delivery_message_once",
                condition=models.Q(message__isnull=False),
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["status", "channel"], name="delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}→{self.enterprise_id or self.subscription_id} ({self.status})"


def _token() -> str:
    return secrets.token_urlsafe(24)


class ChannelPreference(models.Model):
    """How an enterprise wants to hear about matches. In-app is always on."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="channel_preference",
        verbose_name=_("企业"),
    )
    email = models.BooleanField(_("电子邮件"), default=False)
    email_address = models.EmailField(_("接收邮箱"), blank=True, default="")
    sms = models.BooleanField(_("短信"), default=False)
    sms_phone = models.CharField(_("接收手机号"), max_length=20, blank=True, default="")
    webhook = models.BooleanField(_("Webhook"), default=False)
    digest = models.BooleanField(_("合并推送"), default=True)
    unsubscribe_token = models.CharField(_("退订令牌"), max_length=40, unique=True, default=_token)
    unsubscribed_at = models.DateTimeField(_("退订时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("推送偏好")
        verbose_name_plural = _("推送偏好")

    def __str__(self) -> str:
        return f"{self.enterprise_id}: email={self.email} sms={self.sms} webhook={self.webhook}"


class WebhookEvent(models.TextChoices):
    MATCH_CREATED = "match.created", _("新匹配")
    MATCH_ENDED = "match.ended", _("匹配失效")
    POLICY_MATCHED = "policy.matched", _("政策匹配完成")
    POLICY_PUBLISHED = "policy.published", _("政策发布")
    POLICY_REVISED = "policy.revised", _("政策修订")
    POLICY_WITHDRAWN = "policy.withdrawn", _("政策撤回")
    POLICY_EXPIRED = "policy.expired", _("政策到期")
    GRANT_CONFIRMED = "grant.confirmed", _("免申即享兑现确认")


class WebhookSubscription(models.Model):
    """An integrator's endpoint. With ``enterprise`` set it receives that enterprise's
    match events (when the enterprise has the webhook channel on); without, the
    policy-level ``policy.matched`` summaries."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_subscriptions",
        verbose_name=_("所有者"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_subscriptions",
        verbose_name=_("企业"),
    )
    url = URLField(_("回调地址"), max_length=500)
    events = models.JSONField(_("订阅事件"), default=list, blank=True)
    secret = models.CharField(_("签名密钥"), max_length=64, default=_token)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Webhook 订阅")
        verbose_name_plural = _("Webhook 订阅")

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class WebhookDeliveryManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(subscription__isnull=False)


class WebhookDelivery(Delivery):
    """The deliveries that are signed POSTs to one subscription: the integrator-visible log
    (``subscription.deliveries``), a view of ``Delivery`` with its own admin list."""

    objects = WebhookDeliveryManager()

    class Meta:
        proxy = True
        verbose_name = _("Webhook 投递")
        verbose_name_plural = _("Webhook 投递")

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.status})"

    def save(self, *args, **kwargs):
        self.channel = Channel.WEBHOOK
        if self.enterprise_id is None and self.subscription_id is not None:
            self.enterprise_id = self.subscription.enterprise_id
        super().save(*args, **kwargs)


class RunStatus(models.TextChoices):
    PENDING = "pending", _("待执行")
    RUNNING = "running", _("执行中")
    DONE = "done", _("已完成")


class MatchRun(models.Model):
    """A requested policy run, written in the caller's transaction (the run's outbox)."""

    policy = models.ForeignKey(
        "policies.Policy",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("政策"),
    )
    policy_version = models.PositiveIntegerField(_("政策匹配版本"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=12)
    status = models.CharField(_("状态"), max_length=8, choices=RunStatus.choices, default=RunStatus.PENDING)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    matched = models.PositiveIntegerField(_("新匹配数"), default=0)
    ended = models.PositiveIntegerField(_("失效数"), default=0)

    class Meta:
        verbose_name = _("匹配任务")
        verbose_name_plural = _("匹配任务")
        indexes = [models.Index(fields=["status", "created_at"], name="matchrun_status")]

    def __str__(self) -> str:
        return f"run {self.pk}: policy {self.policy_id} {self.reason} ({self.status})"


class MatchChunk(models.Model):
    """One id range of one run. Done in one transaction together with its rows, so a
    killed worker leaves it not done, and the repair task enqueues it again."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="chunks")
    id_from = models.BigIntegerField()
    id_to = models.BigIntegerField()  # exclusive
    done = models.BooleanField(default=False)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Committed before the chunk's own transaction starts: a re-match waits for the chunks that
    # may have read its enterprise's old profile, and the repair run tells a chunk whose worker
    # died (started, not done, its row not locked) from one still waiting in the queue.
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    matched = models.PositiveIntegerField(default=0)
    ended = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("匹配分片")
        verbose_name_plural = _("匹配分片")
        constraints = [models.UniqueConstraint(fields=["run", "id_from"], name="matchchunk_once")]
        indexes = [
            models.Index(
                fields=["done", "enqueued_at"], name="matchchunk_open", condition=models.Q(done=False)
            ),
            # the running chunks a re-match waits for (pipeline/locks.py): a handful at a time
            models.Index(
                fields=["id_from"],
                name="matchchunk_started",
                condition=models.Q(done=False, started_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} [{self.id_from}, {self.id_to})"


class RematchRequest(models.Model):
    """An enterprise whose profile changed: ``pending`` until it has been re-matched. Kept after
    that (``pending=False``) until the nightly reconciliation has checked it: the record of
    which enterprises changed since the last run."""

    enterprise_id = models.BigIntegerField(primary_key=True)
    requested_at = models.DateTimeField()
    pending = models.BooleanField(default=True, db_default=True)

    class Meta:
        verbose_name = _("待重新匹配企业")
        verbose_name_plural = _("待重新匹配企业")
        indexes = [
            models.Index(fields=["requested_at"], name="rematch_pending", condition=models.Q(pending=True)),
            models.Index(fields=["requested_at"], name="rematch_requested"),
        ]

    def __str__(self) -> str:
        return str(self.enterprise_id)


class ReconcileRun(models.Model):
    """One nightly reconciliation: the enterprises changed since the previous run checked
    against the evaluator, and how many of their matches had to be fixed."""

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    since = models.DateTimeField(_("检查起点"), null=True, blank=True)
    checked = models.PositiveIntegerField(_("已检查企业数"), default=0)
    fixed = models.PositiveIntegerField(_("已修正匹配数"), default=0)
    report = models.JSONField(_("报告"), default=dict, blank=True)

    class Meta:
        verbose_name = _("夜间核对")
        verbose_name_plural = _("夜间核对")

    def __str__(self) -> str:
        return f"reconcile {self.started_at:%Y-%m-%d %H:%M}: {self.checked} checked, {self.fixed} fixed"
