import importlib

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def derived_tags_ensure(sender, using="default", **kwargs) -> None:
    """The derived profile tags (画像) must always exist; put back after a ``flush`` (see
    ``enterprises.apps.builtin_vocabulary_ensure``)."""
    # Imported here: this module is loaded before the app registry is ready, and profile_tags
    # imports the models.
    from matching.pipeline.profile_tags import DERIVED_TAGS

    TagDefinition = apps.get_model("enterprises", "TagDefinition")
    if TagDefinition.objects.using(using).filter(derived=True).count() >= len(DERIVED_TAGS):
        return
    importlib.import_module("matching.migrations.0002_derived_tags").forwards(apps, None)


class MatchingConfig(AppConfig):
    name = "matching"
    label = "matching"
    verbose_name = _("匹配与推送")

    def ready(self) -> None:
        post_migrate.connect(derived_tags_ensure, sender=self, dispatch_uid="matching_derived_tags")
