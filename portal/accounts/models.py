"""Accounts: officials belong to departments; enterprise users belong to one enterprise,
bound only after verification. A superuser is an official of every department."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def is_official(self) -> bool:
        return self.is_superuser or self.departments.exists()

    def is_official_of(self, department_id: int) -> bool:
        return self.is_superuser or self.departments.filter(pk=department_id).exists()
