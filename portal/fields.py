"""Model fields shared by the apps."""

from __future__ import annotations

from django.db import models


class URLField(models.URLField):
    """An address typed without a scheme (``www.zhengzhou.gov.cn``) is taken as ``https://``: the
    government sites and callbacks the portal links to are served over TLS, and it is Django 6's
    default (5.2 still prepends ``http://`` and warns on every form that does). Migrations see
    Django's own field: nothing in the database differs."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.URLField", args, kwargs
