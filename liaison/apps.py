from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "liaison"
    label = "liaison"
    verbose_name = _("万人助万企包联")
