"""Accounts: officials belong to departments; enterprise users belong to one enterprise,
bound only after verification. A superuser is an official of every department."""

from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# password_changed_at value for "an administrator set this password: change it at the next login".
PASSWORD_MUST_CHANGE = datetime(1970, 1, 1, tzinfo=UTC)


class UserManager(DjangoUserManager):
    def _create_user_object(self, username, email, password, **extra_fields):
        # create_user/createsuperuser hash the password without set_password(): record its age here.
        extra_fields.setdefault("password_changed_at", timezone.now())
        return super()._create_user_object(username, email, password, **extra_fields)


class User(AbstractUser):
    phone = models.CharField(_("手机号"), max_length=20, blank=True, default="")
    departments = models.ManyToManyField(
        "policies.Department", blank=True, related_name="officials", verbose_name=_("所属部门")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属企业(已核验)"),
    )
    # When the password was last set; officials must change it after
    # settings.OFFICIAL_PASSWORD_MAX_AGE_DAYS (GB/T 22239-2019 level 3).
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def is_official(self) -> bool:
        return self.is_superuser or self.departments.exists()

    def is_official_of(self, department_id: int) -> bool:
        return self.is_superuser or self.departments.filter(pk=department_id).exists()

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def save(self, *args, **kwargs):
        # A password hashed without set_password() (fixtures, factories) starts its age now.
        if self.password_changed_at is None and self.password:
            self.password_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)


class BindingStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


class EnterpriseBindingRequest(models.Model):
    """A user asks to act for an enterprise; an official approves or rejects it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="binding_requests",
        verbose_name=_("申请人账号"),
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="binding_requests",
        verbose_name=_("企业"),
    )
    applicant_name = models.CharField(_("申请人姓名"), max_length=50)
    applicant_phone = models.CharField(_("申请人手机号"), max_length=20)
    note = models.CharField(_("申请说明"), max_length=500, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=10, choices=BindingStatus.choices, default=BindingStatus.PENDING, db_index=True
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_binding_requests",
        verbose_name=_("审核人"),
    )
    reason = models.CharField(_("审核意见"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业绑定申请")
        verbose_name_plural = _("企业绑定申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "enterprise"],
                condition=models.Q(status="pending"),
                name="accounts_one_pending_binding_per_user_enterprise",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.credit_code} ({self.get_status_display()})"


class ActivationChannel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class ActivationCode(models.Model):
    """A one-time code sent to the enterprise's registered contact. Only its hash is stored."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="activation_codes",
        verbose_name=_("企业"),
    )
    code_hash = models.CharField(_("激活码摘要"), max_length=128)
    channel = models.CharField(_("发送渠道"), max_length=10, choices=ActivationChannel.choices)
    sent_to = models.CharField(_("发送至（已脱敏）"), max_length=100, blank=True, default="")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("使用人"),
    )
    failed_attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)

    class Meta:
        verbose_name = _("企业激活码")
        verbose_name_plural = _("企业激活码")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["enterprise", "used_at"], name="accounts_actcode_open_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} · {self.get_channel_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class PasswordReset(models.Model):
    """A password-recovery secret sent to a user's own registered contact (忘记密码): a link by
    e-mail or a 6-digit code by SMS. Only an HMAC of the secret is stored. Open while
    ``used_at`` is empty and ``expires_at`` is ahead; a newer request, a use, five wrong codes or
    any password change or login after ``created_at`` closes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_resets",
        verbose_name=_("账号"),
    )
    channel = models.CharField(_("发送渠道"), max_length=10, choices=ActivationChannel.choices)
    secret_hash = models.CharField(_("摘要"), max_length=128, db_index=True)
    sent_to = models.CharField(_("发送至（已脱敏）"), max_length=100, blank=True, default="")
    requested_from = models.GenericIPAddressField(_("申请地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    verified_at = models.DateTimeField(_("验证码核验时间"), null=True, blank=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)

    class Meta:
        verbose_name = _("找回密码记录")
        verbose_name_plural = _("找回密码记录")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "used_at"], name="accounts_pwreset_open_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.get_channel_display()} · {self.created_at:%Y-%m-%d %H:%M}"
