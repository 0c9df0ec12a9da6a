from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("账户")

    def ready(self):
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in

        from . import second_factor

        # The second factor (second_factor.py): the admin signs in through the portal's login
        # and its second step, and lets in only verified sessions of those who owe one.
        user_logged_in.connect(second_factor._remember_at_login, dispatch_uid="second_factor_login")
        admin.site.login = second_factor.admin_login
        admin.site.has_permission = second_factor.admin_has_permission(admin.site.has_permission)
