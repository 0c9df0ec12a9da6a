import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enterprises.models import IndicatorDefinition
from policies.models import Policy
from policies.selectors import policy_reach
from tests.factories.enterprises import EnterpriseFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 27)
CRITERIA = {
    "all": [
        {"field": "district", "op": "within", "value": ["4101"]},
        {"field": "industry", "op": "within", "value": ["C"]},
        {"field": "registered_capital", "op": ">=", "value": 5000000},
    ]
}
AWARD = {"amount": "min(0.1 * rd_expense@last_year, 150000)"}


@pytest.fixture
def registry():
    rd = IndicatorDefinition.objects.get(code="rd_expense")

    def ent(district, industry, capital, rd_2025=None, zone=""):
        e = EnterpriseFactory(district=district, industry=industry, registered_capital=capital, zone=zone)
        if rd_2025 is not None:
            IndicatorValueFactory(enterprise=e, indicator=rd, period="2025", value=Decimal(rd_2025))
        return e

    return {
        "a": ent("410105", "C3411", Decimal("10000000"), rd_2025="2000000"),  # eligible, award capped 150000
        "b": ent("410105", "C3411", Decimal("10000000")),  # eligible, award unknown (no R&D figure)
        "f": ent("410184", "C3911", Decimal("8000000"), rd_2025="1000000", zone="410173"),  # eligible, 100000
        "c": ent("410184", "C3911", None, zone="410173"),  # possible: capital unknown
        "d": ent("410105", "I6513", Decimal("10000000")),  # not eligible: industry
        "e": ent("410202", "C3411", Decimal("10000000")),  # not eligible: outside Zhengzhou
        "g": ent("410105", "C3411", Decimal("1000000")),  # not eligible: capital too small
    }


def test_reach_counts_eligible_and_possible_by_district_and_industry(registry):
    # given a draft (the preview works on unsaved criteria too)
    policy = Policy(criteria=CRITERIA, award=AWARD)
    # when
    reach = policy_reach(policy=policy, as_of=AS_OF)
    # then
    assert (reach["eligible"], reach["possible"], reach["count"]) == (3, 1, 4)
    districts = {r["code"]: (r["eligible"], r["possible"]) for r in reach["by_district"]}
    assert districts == {"410105": (2, 0), "410184": (1, 1)}
    assert {r["code"]: (r["eligible"], r["possible"]) for r in reach["by_industry"]} == {"C": (3, 1)}
    assert reach["by_district"][0]["name"] == "金水区"


def test_reach_sums_known_awards_and_counts_unknown_ones(registry):
    reach = policy_reach(policy=Policy(criteria=CRITERIA, award=AWARD), as_of=AS_OF)
    assert reach["total_award"] == Decimal("250000.00")
    assert reach["award_unknown"] == 1


def test_reach_without_award_has_no_total(registry):
    reach = policy_reach(policy=Policy(criteria={}, award=None), as_of=AS_OF)
    assert reach["count"] == reach["eligible"] == 7
    assert reach["total_award"] is None


def test_reach_is_one_aggregate_query(registry):
    policy = Policy(criteria=CRITERIA, award=AWARD)
    with CaptureQueriesContext(connection) as ctx:
        policy_reach(policy=policy, as_of=AS_OF)
    # (the criteria package may look up indicator definitions once; the registry is read once)
    selects = [q["sql"] for q in ctx.captured_queries if 'FROM "enterprises_enterprise"' in q["sql"]]
    # one aggregate grouped by (district, industry section): totals and both breakdowns come from it
    assert len(selects) == 1, selects


def test_reach_with_tag_conditions_counts_unknown_dates_as_possible():
    from enterprises.models import TagDefinition
    from tests.factories.enterprises import EnterpriseTagFactory

    # given three enterprises: recognised this year, holding the tag without a date, without it
    tag = TagDefinition.objects.get(name="专精特新中小企业")
    EnterpriseTagFactory(tag=tag, recognized_on=dt.date(2026, 3, 1), expires_on=dt.date(2029, 2, 28))
    EnterpriseTagFactory(tag=tag, recognized_on=None, expires_on=None)
    EnterpriseFactory()
    tree = {
        "all": [
            {"field": "district", "op": "within", "value": ["4101"]},
            {
                "any": [
                    {"field": "tags", "op": "has", "value": "专精特新中小企业", "recognized": "this_year"},
                    {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "this_year"},
                ]
            },
        ]
    }
    # when
    reach = policy_reach(policy=Policy(criteria=tree, award={"amount": "200000"}), as_of=AS_OF)
    # then
    assert (reach["eligible"], reach["possible"]) == (1, 1)
    assert reach["total_award"] == Decimal("200000.00")


def test_required_tag_sets_are_necessary_conditions():
    from policies.rules import required_tag_sets

    tree = {
        "all": [
            {"field": "tags", "op": "has", "value": "A", "recognized": "this_year"},
            {
                "any": [
                    {"field": "tags", "op": "has", "value": "B"},
                    {"field": "tags", "op": "has_any", "value": ["C", "D"]},
                ]
            },
            {
                "any": [
                    {"field": "tags", "op": "has", "value": "E"},
                    {"field": "revenue", "op": ">", "value": 1},
                ]
            },
            {"field": "tags", "op": "has_all", "value": ["F", "G"]},
            {"not": {"field": "tags", "op": "has", "value": "H"}},
            {"field": "tags", "op": "has_none", "value": ["I"]},
        ]
    }
    assert required_tag_sets(tree) == [{"A"}, {"B", "C", "D"}, {"F"}, {"G"}]
    assert required_tag_sets({}) == []
