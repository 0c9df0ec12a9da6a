"""Factories of the registry: enterprises with valid credit codes, tags, indicator values."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseTag, IndicatorDefinition, IndicatorValue, TagDefinition
from enterprises.periods import period_bounds
from enterprises.reference import credit_code_from_parts, entity_type_for


def credit_code(n: int, *, prefix: str = "91", region: str = "410105") -> str:
    """A valid credit code (both check characters hold) numbered ``n``."""
    return credit_code_from_parts(prefix=prefix, region=region, org_body=f"MA{n:06d}")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        django_get_or_create = ("credit_code",)

    credit_code = factory.Sequence(lambda n: credit_code(n))
    name = factory.Sequence(lambda n: f"郑州测试{n}科技有限公司")
    entity_type = factory.LazyAttribute(lambda o: entity_type_for(o.credit_code))
    district = "410105"
    zone = ""
    industry = "I6513"
    established_on = date(2018, 3, 1)
    registered_capital = Decimal("5000000")


class TagDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TagDefinition
        django_get_or_create = ("name",)

    name = "高新技术企业"


class EnterpriseTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseTag

    enterprise = factory.SubFactory(EnterpriseFactory)
    tag = factory.SubFactory(TagDefinitionFactory)
    # valid on the day the test runs: recognised two years before, valid for another year
    recognized_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=730))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    first_time = True


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    enterprise = factory.SubFactory(EnterpriseFactory)
    indicator = factory.LazyFunction(lambda: IndicatorDefinition.objects.get(code="revenue"))
    period = "2024"
    period_start = factory.LazyAttribute(lambda o: period_bounds(o.period)[0])
    period_end = factory.LazyAttribute(lambda o: period_bounds(o.period)[1])
    value = Decimal("10000000")
    source = "test"
