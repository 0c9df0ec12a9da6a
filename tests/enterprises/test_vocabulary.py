"""One vocabulary: the criteria language and the registry's cleaning read the same one."""

import pytest

from enterprises.cleaning import clean_indicator_value, clean_tags
from enterprises.models import IndicatorDefinition, TagDefinition
from matching.criteria import vocabulary_load


@pytest.mark.django_db
def test_the_registry_cleans_with_the_criteria_vocabulary_by_code_name_and_quoted_tag():
    # given the built-in definitions (data migration) as the criteria language loads them
    vocabulary = vocabulary_load()
    revenue = IndicatorDefinition.objects.get(code="revenue")
    giant = TagDefinition.objects.get(name='专精特新"小巨人"企业')
    # when an indicator is named by its Chinese name and a tag with other quotes
    value = clean_indicator_value(code="营业收入", period="2025", value="1200", vocabulary=vocabulary)
    errors: dict = {}
    tags = clean_tags(["专精特新“小巨人”企业"], vocabulary=vocabulary, errors=errors)
    # then both resolve to the stored rows
    assert value["indicator_id"] == revenue.pk and value["code"] == "revenue"
    assert value["period"] == "2025" and str(value["period_start"]) == "2025-01-01"
    assert not errors and [t["tag_id"] for t in tags] == [giant.pk]
    assert vocabulary.field("revenue").name == revenue.name


@pytest.mark.django_db
def test_an_indicator_defined_a_moment_ago_is_known_to_both():
    IndicatorDefinition.objects.create(
        code="freight_cost", name="物流运输费用", type="money", unit="元", periodicity="quarter"
    )
    vocabulary = vocabulary_load()
    assert vocabulary.field("freight_cost").periodicity == "quarter"
    value = clean_indicator_value(code="freight_cost", period="2025q3", value="10", vocabulary=vocabulary)
    assert value["period"] == "2025Q3"
    with pytest.raises(Exception, match="季度"):
        clean_indicator_value(code="freight_cost", period="2025", value="10", vocabulary=vocabulary)
