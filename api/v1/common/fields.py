"""Strict fields: a JSON number or boolean where text is expected is an error, not silently
a string; a text longer than its declared maximum is an error before white space is trimmed."""

from django.db import models
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A JSON number or boolean where text is expected is an error, not silently a string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)

    def run_validation(self, data=serializers.empty):
        # The length the schema declares is the length sent: a value too long is refused even
        # when trimming its surrounding white space would bring it under the limit.
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)


class StrictSlugField(serializers.SlugField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = serializers.ModelSerializer.serializer_field_mapping | {
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
    }
