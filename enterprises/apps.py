import importlib

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def builtin_vocabulary_ensure(sender, using="default", **kwargs) -> None:
    """The built-in indicators and the common tags must always exist. A data migration creates
    them once; ``flush`` (which test runs use between transactional tests) empties the tables
    and then sends ``post_migrate``, so they are put back here, as Django does for permissions."""
    migration = importlib.import_module("enterprises.migrations.0002_builtin_indicators_and_tags")
    IndicatorDefinition = apps.get_model("enterprises", "IndicatorDefinition")
    if IndicatorDefinition.objects.using(using).filter(builtin=True).count() >= len(
        migration.BUILTIN_INDICATORS
    ):
        return
    migration.create(apps, None)


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    label = "enterprises"
    verbose_name = _("市场主体库")

    def ready(self) -> None:
        post_migrate.connect(
            builtin_vocabulary_ensure, sender=self, dispatch_uid="enterprises_builtin_vocabulary"
        )
