import pytest

from policies.rules import award_lines, criteria_facets, criteria_lines


def test_facets_of_an_unrestricted_tree_are_all():
    assert criteria_facets({}) == (["all"], ["all"])
    assert criteria_facets({"all": [{"field": "registered_capital", "op": ">=", "value": 1}]}) == (
        ["all"],
        ["all"],
    )


def test_facets_take_the_narrowest_required_restriction_and_zones_count_as_districts():
    tree = {
        "all": [
            {"field": "district", "op": "within", "value": ["4101"]},
            {"field": "zone", "op": "=", "value": "410173"},
            {
                "any": [
                    {"field": "industry", "op": "within", "value": ["C39"]},
                    {"field": "industry", "op": "within", "value": ["G"]},
                ]
            },
        ]
    }
    assert criteria_facets(tree) == (["C39", "G"], ["410173"])


def test_facets_ignore_optional_and_negated_restrictions():
    tree = {
        "any": [
            {"field": "industry", "op": "within", "value": ["C"]},
            {"field": "registered_capital", "op": ">=", "value": 1},
        ],
    }
    assert criteria_facets(tree) == (["all"], ["all"])
    assert criteria_facets({"not": {"field": "district", "op": "within", "value": ["410105"]}}) == (
        ["all"],
        ["all"],
    )


@pytest.mark.django_db
def test_criteria_lines_are_one_per_top_level_condition_in_chinese():
    lines = criteria_lines(
        {
            "all": [
                {"field": "district", "op": "within", "value": ["4101"]},
                {"field": "tags", "op": "has", "value": "高新技术企业"},
            ]
        }
    )
    assert len(lines) == 2 and "郑州" in lines[0] and "高新技术企业" in lines[1]
    assert criteria_lines({}) == ["不限（所有企业）"]


@pytest.mark.django_db
def test_award_lines_name_indicators_in_chinese():
    lines = award_lines(
        {
            "cases": [
                {
                    "when": {"field": "scale", "op": "in", "value": ["large"]},
                    "amount": "0.3 * rd_expense@last_year",
                },
                {"when": {}, "amount": "100000"},
            ],
            "cap": "500000",
        }
    )
    assert lines == [
        "情形1：企业规模为大型 → 上年度研发费用的30%",
        "情形2：其他情形 → 10万元",
        "上限：50万元",
    ]
    assert award_lines(None) == ["（无奖补金额）"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("expression", "text"),
    [
        ("min(0.1 * rd_expense@last_year, 500000)", "上年度研发费用的10%，最高50万元"),
        ("min(3000000, rd_expense@last_year * 0.05)", "上年度研发费用的5%，最高300万元"),
        ("0.125 * rd_expense@last_year", "上年度研发费用的12.5%"),
        ("8000", "8,000元"),
        ("max(100000, 0.02 * rd_expense@last_year)", "max(100000, 0.02 × 上年度研发费用)"),
    ],
)
def test_amounts_read_as_an_enterprise_reads_them(expression, text):
    from policies.rules import amount_text

    assert amount_text(expression) == text
