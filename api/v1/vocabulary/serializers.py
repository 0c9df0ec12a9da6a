from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.v1.common.fields import StrictCharField, StrictModelSerializer
from enterprises.models import IndicatorDefinition, TagDefinition
from policies.models import Department


class DepartmentSerializer(StrictModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        label=_("上级部门"),
    )
    # Plain strings in the schema: "" (none given) is not a URL.
    website = StrictCharField(
        max_length=200, required=False, allow_blank=True, validators=[URLValidator()], label=_("网站")
    )

    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "level", "parent", "contact", "website"]


class TagSerializer(StrictModelSerializer):
    class Meta:
        model = TagDefinition
        fields = ["name", "description", "issuer", "derived"]
        read_only_fields = ["derived"]


class IndicatorSerializer(StrictModelSerializer):
    class Meta:
        model = IndicatorDefinition
        fields = ["code", "name", "type", "unit", "periodicity", "description", "builtin"]
        read_only_fields = ["builtin"]
