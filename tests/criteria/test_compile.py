"""The compiler on the database: the same answers as the evaluator on the cases the fine
print of DESIGN §4 names, in one query."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enterprises.models import Enterprise
from matching.criteria import Profile, TagHolding, compile_tree, compile_unknown_leaves, evaluate, validate

from .conftest import define_extras, save_profile

D = date.fromisoformat
AS_OF = D("2025-06-15")


@pytest.fixture
def city(db):
    define_extras()
    rows = {
        "jinshui": Profile(district="410105", zone="410172", industry="I6513", registered_capital=Decimal(6000000),
                           tags={"高新技术企业": TagHolding(D("2025-03-01"), D("2028-02-28"), True)},
                           indicators={"revenue": {"2024": Decimal(30000000), "2025H1": Decimal(1)}}),
        "city_only": Profile(district="410100", industry="C34", registered_capital=Decimal(4000000),
                             tags={"高新技术企业": TagHolding()}, indicators={"revenue": {"2023": Decimal(5)}}),
        "erqi": Profile(district="410103", industry="C3411", established_on=D("2023-06-16"),
                        tags={"高新技术企业": TagHolding(D("2024-12-31"), D("2025-06-14"), False)}),
        "bare": Profile(),
    }  # fmt: skip
    return {name: save_profile(p).pk for name, p in rows.items()}


def answers(tree, as_of=AS_OF):
    tree = validate(tree, vocabulary=_vocab())
    c = compile_tree(tree, as_of=as_of)
    eligible = set(Enterprise.objects.filter(c.eligible_q).values_list("pk", flat=True))
    not_eligible = set(Enterprise.objects.filter(c.not_eligible_q).values_list("pk", flat=True))
    possible = set(Enterprise.objects.filter(c.possible_q).values_list("pk", flat=True))
    return eligible, not_eligible, possible, tree


def _vocab():
    from .conftest import test_vocabulary

    return test_vocabulary()


def check(city, tree, eligible, not_eligible, as_of=AS_OF):
    e, n, p, normal = answers(tree, as_of)
    names = {v: k for k, v in city.items()}
    assert {names[i] for i in e} == set(eligible)
    assert {names[i] for i in n} == set(not_eligible)
    assert {names[i] for i in p} == set(city) - set(eligible) - set(not_eligible)
    from matching.profiles import profiles_load

    for pk, profile in profiles_load(list(city.values())).items():
        expected = "eligible" if pk in e else "not_eligible" if pk in n else "possible"
        assert evaluate(normal, profile, as_of=as_of).result == expected, names[pk]


def test_coarser_district_is_unknown_in_sql(city):
    check(city, {"field": "district", "op": "within", "value": ["金水区"]}, ["jinshui"], ["erqi"])
    check(
        city, {"field": "district", "op": "within", "value": ["4101"]}, ["jinshui", "city_only", "erqi"], []
    )
    check(city, {"field": "district", "op": "not_within", "value": ["410105"]}, ["erqi"], ["jinshui"])


def test_absent_zone_is_known_in_sql(city):
    check(city, {"field": "zone", "op": "!=", "value": "高新区"}, ["city_only", "erqi", "bare"], ["jinshui"])


def test_industry_prefixes_in_sql(city):
    check(city, {"field": "industry", "op": "within", "value": ["C3411"]}, ["erqi"], ["jinshui"])


def test_tag_options_in_sql(city):
    check(
        city,
        {"field": "tags", "op": "has", "value": "高新技术企业"},
        ["jinshui", "city_only"],
        ["erqi", "bare"],
    )
    check(city, {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "this_year"},
          ["jinshui"], ["erqi", "bare"])  # fmt: skip
    check(city, {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "last_year"},
          ["erqi"], ["jinshui", "bare"])  # fmt: skip
    check(city, {"field": "tags", "op": "has", "value": "高新技术企业", "first_time": True},
          ["jinshui"], ["erqi", "bare"])  # fmt: skip


def test_this_year_moves_on_the_first_of_january_in_sql(city):
    tree = {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "this_year"}
    check(city, tree, ["erqi"], ["jinshui", "bare"], as_of=D("2024-12-31"))
    # "this year" is the calendar year of the evaluation date, both ends included
    check(city, tree, ["jinshui"], ["erqi", "bare"], as_of=D("2025-01-01"))


def test_latest_is_the_most_recent_period_begun_by_the_evaluation_date(city):
    tree = {"field": "revenue", "op": ">", "value": 1000}
    check(city, tree, ["jinshui"], ["city_only"], as_of=D("2024-12-31"))  # 2025H1 has not begun
    check(city, tree, [], ["jinshui", "city_only"], as_of=D("2025-01-01"))  # 2025H1 = 1 is the latest


def test_age_in_sql(city):
    check(city, {"field": "age_years", "op": ">=", "value": 2}, [], ["erqi"], as_of=D("2025-06-15"))
    check(city, {"field": "age_years", "op": ">=", "value": 2}, ["erqi"], [], as_of=D("2025-06-16"))


def test_empty_tree_is_everyone_and_compiles_to_one_query(city):
    check(city, {}, list(city), [])
    tree = validate({"all": [{"field": "district", "op": "within", "value": ["4101"]},
                             {"field": "revenue", "op": ">", "value": 1, "period": "last_year"},
                             {"any": [{"field": "tags", "op": "has_any", "value": ["高新技术企业"]},
                                      {"not": {"field": "scale", "op": "in", "value": ["large"]}}]}]},
                    vocabulary=_vocab())  # fmt: skip
    c = compile_tree(tree, as_of=AS_OF)
    with CaptureQueriesContext(connection) as ctx:
        list(Enterprise.objects.filter(c.eligible_q).values_list("pk", flat=True))
    assert len(ctx.captured_queries) == 1


def test_unknown_leaves_give_the_missing_list_set_based(city):
    tree = validate({"all": [{"field": "district", "op": "within", "value": ["410105"]},
                             {"field": "revenue", "op": ">", "value": 1, "period": "last_year"}]},
                    vocabulary=_vocab())  # fmt: skip
    leaves = compile_unknown_leaves(tree, as_of=AS_OF)
    assert [leaf.missing["label"] for leaf in leaves] == ["注册地所在区县", "营业收入（2024年度）"]
    possible = Enterprise.objects.filter(
        compile_tree(tree, as_of=AS_OF).possible_q
    )  # a leaf's q is within these
    missing = {leaf.missing["label"]: set(possible.filter(leaf.q).values_list("pk", flat=True))
               for leaf in leaves}  # fmt: skip
    assert missing["注册地所在区县"] == {city["city_only"], city["bare"]}
    assert missing["营业收入（2024年度）"] == {city["city_only"], city["bare"]}  # jinshui has it; erqi is out


def test_indicator_and_tag_leaves_are_sets_computed_once_not_per_enterprise_probes(city):
    # given a tree with a latest indicator, an explicit period and a tag under any
    tree = validate({"all": [{"field": "revenue", "op": ">", "value": 0},
                             {"any": [{"field": "revenue", "op": ">", "value": 1, "period": "2024"},
                                      {"field": "tags", "op": "has", "value": "高新技术企业"}]}]},
                    vocabulary=_vocab())  # fmt: skip
    c = compile_tree(tree, as_of=AS_OF)
    # when it is compiled to SQL
    sql = str(Enterprise.objects.filter(c.eligible_q).values("pk").query)
    # then "latest" is one pass over the indicator's rows (no LIMIT 1 per enterprise) and the
    # tag is an uncorrelated set of holders
    assert "LIMIT" not in sql.upper()
    assert ("DISTINCT ON" if connection.vendor == "postgresql" else "ROW_NUMBER()") in sql
    tag_subquery = sql[sql.index("enterprises_enterprisetag") :]
    assert 'enterprises_enterprise"."id"' not in tag_subquery.split(")")[0]
    names = {v: k for k, v in city.items()}
    assert {names[i] for i in Enterprise.objects.filter(c.eligible_q).values_list("pk", flat=True)} == {
        "jinshui",
        "city_only",
    }


def test_compiled_tree_works_nested_in_another_query(city):
    # given a compiled tree with indicator sets (they refer to the outer enterprise)
    tree = validate({"any": [{"field": "revenue", "op": ">", "value": 1000},
                             {"not": {"field": "revenue", "op": ">", "value": 1, "period": "2023"}}]},
                    vocabulary=_vocab())  # fmt: skip
    c = compile_tree(tree, as_of=D("2024-12-31"))
    from django.db.models import Exists, OuterRef

    from enterprises.models import EnterpriseTag

    # when the enterprise query is used as a correlated subquery (its table gets an alias)
    holders = EnterpriseTag.objects.filter(
        Exists(Enterprise.objects.filter(c.eligible_q, pk=OuterRef("enterprise_id")))
    )
    direct = set(Enterprise.objects.filter(c.eligible_q).values_list("pk", flat=True))
    # then it means the same as on its own
    names = {v: k for k, v in city.items()}
    assert {names[i] for i in direct} == {"jinshui"}
    expected = set(EnterpriseTag.objects.filter(enterprise_id__in=direct).values_list("pk", flat=True))
    assert len(expected) == 1
    assert set(holders.values_list("pk", flat=True)) == expected


def test_a_derived_tag_stays_a_correlated_exists_and_means_the_same(city):
    # given a portal-computed (画像) tag, which may be held by most of the city
    from enterprises.models import TagDefinition

    TagDefinition.objects.filter(name="高新技术企业").update(derived=True)
    tree = validate({"field": "tags", "op": "has", "value": "高新技术企业"}, vocabulary=_vocab())
    # when it is compiled
    sql = str(Enterprise.objects.filter(compile_tree(tree, as_of=AS_OF).eligible_q).values("pk").query)
    # then it is probed per enterprise (never an unhashable IN over a huge set), with the same answers
    assert "EXISTS" in sql.upper() and " IN (SELECT" not in sql.upper()
    check(
        city,
        {"field": "tags", "op": "has", "value": "高新技术企业"},
        ["jinshui", "city_only"],
        ["erqi", "bare"],
    )
    check(city, {"not": {"field": "tags", "op": "has_any", "value": ["高新技术企业"]}}, ["erqi", "bare"],
          ["jinshui", "city_only"])  # fmt: skip


@pytest.mark.parametrize(
    "tree",
    [
        {
            "all": [
                {"field": "tags", "op": "has", "value": "高新技术企业"},
                {"field": "revenue", "period": "2024", "op": ">=", "value": 1000000},
            ]
        },
        {
            "any": [
                {"not": {"field": "tags", "op": "has", "value": "高新技术企业"}},
                {"field": "revenue", "op": ">", "value": 2},
            ]
        },  # "latest" period, under NOT and OR
        {"field": "tags", "op": "has", "value": "高新技术企业", "first_time": True},
    ],
)
def test_sets_cut_to_an_id_range_give_the_same_answers_inside_the_range(city, tree):
    # given a tree compiled for the whole registry and for a range of ids (a pipeline chunk)
    tree = validate(tree, vocabulary=_vocab())
    whole = compile_tree(tree, as_of=AS_OF)
    ids = sorted(city.values())
    for lo, hi in ((ids[0], ids[2]), (ids[1], ids[3] + 1), (ids[2], ids[2] + 1)):
        cut = compile_tree(tree, as_of=AS_OF, id_range=(lo, hi))
        inside = Enterprise.objects.filter(pk__gte=lo, pk__lt=hi)
        # then within the range the eligible, not eligible and possible sets are the same
        for attr in ("eligible_q", "not_eligible_q", "possible_q"):
            expected = set(inside.filter(getattr(whole, attr)).values_list("pk", flat=True))
            assert set(inside.filter(getattr(cut, attr)).values_list("pk", flat=True)) == expected, (
                attr,
                lo,
                hi,
            )
        # and the sets in the SQL carry the range
        sql = str(inside.filter(cut.eligible_q).query)
        assert f'enterprise_id" >= {lo}' in sql or f"enterprise_id >= {lo}" in sql
