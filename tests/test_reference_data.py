import pytest
from django.core.management import call_command

from enterprises.models import IndicatorDefinition, TagDefinition


@pytest.mark.django_db(transaction=True)
def test_built_in_indicators_and_tags_are_back_after_a_flush():
    # given a transactional test that emptied the vocabulary
    IndicatorDefinition.objects.all().delete()
    TagDefinition.objects.all().delete()
    assert not IndicatorDefinition.objects.exists() and not TagDefinition.objects.exists()
    # when the database is flushed, as pytest-django does after every transactional test
    call_command("flush", "--noinput", verbosity=0)
    # then post_migrate has put the built-in indicators, the common tags and the derived tags back
    assert set(IndicatorDefinition.objects.filter(builtin=True).values_list("code", flat=True)) >= {
        "employees",
        "revenue",
        "total_assets",
        "rd_expense",
        "tax_paid",
        "insured_employees",
    }
    assert TagDefinition.objects.filter(name="高新技术企业").exists()
    assert TagDefinition.objects.filter(derived=True).exists()
