from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    label = "applications"
    verbose_name = _("在线申报与兑付")
