"""Profiles from the registry (no N+1), from the §6 JSON, and the vocabulary from the database."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enterprises.models import IndicatorDefinition, TagDefinition
from matching.criteria import CriteriaError, Profile, TagHolding, profile_from_json, vocabulary_load
from matching.profiles import profile_load, profiles_load

from .conftest import define_extras, save_profile


def _rich(n: int) -> Profile:
    return Profile(
        district="410105", zone="410172", industry="I6513", entity_type="enterprise", scale="small",
        established_on=date(2019, 5, 1), registered_capital=Decimal(n * 1000),
        tags={"高新技术企业": TagHolding(date(2024, 3, 1), date(2027, 2, 28), True), "瞪羚企业": TagHolding()},
        indicators={"revenue": {"2023": Decimal(n), "2024": Decimal(n + 1)}, "credit_rating": {"2024": "A"},
                    "is_exporter": {"": Decimal(1)}},
    )  # fmt: skip


@pytest.mark.django_db
def test_profiles_load_takes_three_queries_however_many_enterprises():
    # given 25 enterprises with tags and indicator values
    define_extras()
    ids = [save_profile(_rich(n)).pk for n in range(25)]
    # when
    with CaptureQueriesContext(connection) as ctx:
        profiles = profiles_load(ids)
    # then
    assert len(ctx.captured_queries) == 3
    p = profiles[ids[3]]
    assert p.id == ids[3] and p.registered_capital == Decimal(3000) and p.zone == "410172"
    assert p.tags["高新技术企业"] == TagHolding(date(2024, 3, 1), date(2027, 2, 28), True)
    assert p.indicators["revenue"] == {"2023": Decimal(3), "2024": Decimal(4)}
    assert p.indicators["credit_rating"] == {"2024": "A"} and p.indicators["is_exporter"] == {"": Decimal(1)}


@pytest.mark.django_db
def test_profile_load_by_id_or_row_and_missing_enterprise():
    define_extras()
    e = save_profile(_rich(1))
    assert profile_load(e).industry == "I6513"
    assert profile_load(e.pk).tags.keys() == {"高新技术企业", "瞪羚企业"}
    from enterprises.models import Enterprise

    with pytest.raises(Enterprise.DoesNotExist):
        profile_load(10**9)


@pytest.mark.django_db
def test_vocabulary_load_reads_definitions_as_they_are_now():
    vocab = vocabulary_load()
    assert {"employees", "revenue", "total_assets", "rd_expense", "tax_paid", "insured_employees"} <= set(
        vocab.indicators
    )
    assert "高新技术企业" in vocab.tags
    assert vocab.indicators["revenue"].type == "money"
    # when an official defines a new indicator and tag, the next validation knows them
    IndicatorDefinition.objects.create(code="equipment_investment", name="设备投资", type="money")
    TagDefinition.objects.create(name="新标签")
    with CaptureQueriesContext(connection) as ctx:
        fresh = vocabulary_load()
    assert len(ctx.captured_queries) == 2
    assert "equipment_investment" in fresh.indicators and "新标签" in fresh.tags
    from matching.criteria import render, validate

    tree = validate({"field": "equipment_investment", "op": ">=", "value": 1000000}, vocabulary=fresh)
    assert render(tree) == "最近一期设备投资100万元以上"


def test_profile_from_json_normalises_names_and_reads_tags_and_indicators():
    p = profile_from_json({
        "credit_code": "91410105MA0000015K",
        "district": "金水区", "zone": "高新区", "industry": "6513",
        "established_on": "2019-05-01", "registered_capital": "5000000",
        "tags": ["高新技术企业", {"name": "专精特新中小企业", "recognized_on": "2024-03-01", "first_time": True}],
        "indicators": {"revenue": {"2024": "12000000"}, "employees": {"2024": 50}, "total_assets": {"2024": 1},
                       "credit_rating": {"2024": "A"}, "is_exporter": True},
    })  # fmt: skip
    assert (p.district, p.zone, p.industry) == ("410105", "410172", "I6513")
    assert p.registered_capital == Decimal(5000000) and p.established_on == date(2019, 5, 1)
    assert p.tags["高新技术企业"] == TagHolding()
    assert p.tags["专精特新中小企业"] == TagHolding(date(2024, 3, 1), None, True)
    assert p.indicators["revenue"] == {"2024": Decimal(12000000)}
    assert p.indicators["credit_rating"] == {"2024": "A"} and p.indicators["is_exporter"] == {"": Decimal(1)}
    assert p.entity_type == "enterprise"
    assert p.scale == "small"  # derived: software, 50 persons, 1200万元 revenue


def test_profile_from_json_uses_stated_derived_fields_only_without_the_data():
    stated = profile_from_json({"entity_type": "individual_business", "scale": "micro", "industry": "I6513"})
    assert (stated.entity_type, stated.scale) == ("individual_business", "micro")
    derived = profile_from_json({"credit_code": "91410105MA0000015K", "entity_type": "government", "scale": "large",
                                 "industry": "I6513", "indicators": {"employees": {"2024": 5},
                                 "revenue": {"2024": 100000}, "total_assets": {"2024": 1}}})  # fmt: skip
    assert (derived.entity_type, derived.scale) == ("enterprise", "micro")
    assert profile_from_json({}).scale is None


def test_profile_from_json_rejects_bad_fields_with_paths():
    with pytest.raises(CriteriaError) as exc:
        profile_from_json({"district": "火星区", "established_on": "yesterday", "registered_capital": "lots",
                           "tags": [{"name": "高新技术企业", "recognized_on": "2024-13-01"}],
                           "indicators": {"revenue": {"2024Q9": 1}}, "scale": "huge"})  # fmt: skip
    paths = {e["path"] for e in exc.value.errors}
    assert paths == {"profile.district", "profile.established_on", "profile.registered_capital",
                     "profile.tags[0].recognized_on", "profile.indicators.revenue", "profile.scale"}  # fmt: skip


def test_profile_round_trips_through_json():
    p = profile_from_json({"district": "410105", "tags": [{"name": "瞪羚企业", "expires_on": "2026-01-01"}],
                           "indicators": {"revenue": {"2024": "1.5"}}})  # fmt: skip
    assert profile_from_json(p.to_json()) == p
