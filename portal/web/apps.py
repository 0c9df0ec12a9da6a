from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "portal.web"
    label = "web"
    verbose_name = _("企业门户")
