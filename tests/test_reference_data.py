import pytest

from enterprises.models import IndicatorDefinition, TagDefinition


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_empties_the_tables():
    IndicatorDefinition.objects.all().delete()
    TagDefinition.objects.all().delete()


@pytest.mark.django_db
def test_built_in_indicators_and_tags_are_back_after_a_flush():
    # runs after the test above (file order): flush → post_migrate puts them back
    assert set(IndicatorDefinition.objects.filter(builtin=True).values_list("code", flat=True)) >= {
        "employees", "revenue", "total_assets", "rd_expense", "tax_paid", "insured_employees"}
    assert TagDefinition.objects.filter(name="高新技术企业").exists()
    assert TagDefinition.objects.filter(derived=True).exists()
