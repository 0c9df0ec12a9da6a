"""Readable renderings, and the legal reading of 以上/以下/超过/不满 (民法典 第一千二百五十九条)."""

import pytest

from matching.criteria import render, validate


def zh(vocab, tree):
    return render(validate(tree, vocabulary=vocab))


def test_the_issue_example_reads_as_officials_write_it(vocab):
    tree = {"all": [
        {"field": "district", "op": "within", "value": ["4101"]},
        {"field": "registered_capital", "op": ">=", "value": 5000000},
        {"any": [{"field": "tags", "op": "has", "value": "高新技术企业"},
                 {"field": "tags", "op": "has", "value": "专精特新中小企业"}]},
    ]}  # fmt: skip
    assert zh(vocab, tree) == "注册地在郑州市 且 注册资本500万元以上 且 (高新技术企业 或 专精特新中小企业)"


@pytest.mark.parametrize(
    ("op", "value", "text"),
    [
        (">=", 5000000, "注册资本500万元以上"),  # 以上 includes the number
        (">", 5000000, "注册资本超过500万元"),  # 超过 excludes it
        ("<", 5000000, "注册资本不满500万元"),  # 不满 excludes it
        ("<=", 5000000, "注册资本500万元以下"),  # 以下 includes it
        ("between", [1000000, 5000000], "注册资本100万元以上500万元以下"),
        ("=", 123456, "注册资本为123456元"),  # not a round 万: shown in yuan
        ("!=", 200000000, "注册资本不为2亿元"),
        (">=", 12345678.5, "注册资本12345678.5元以上"),
    ],
)  # fmt: skip
def test_thresholds_use_the_legal_words(vocab, op, value, text):
    assert zh(vocab, {"field": "registered_capital", "op": op, "value": value}) == text


def test_units_periods_and_counts(vocab):
    assert zh(vocab, {"field": "employees", "op": "<", "value": 300}) == "最近一期从业人员不满300人"
    assert (
        zh(vocab, {"field": "revenue", "op": ">", "value": 20000000, "period": "last_year"})
        == "上年度营业收入超过2000万元"
    )
    assert (
        zh(vocab, {"field": "freight", "op": ">=", "value": 10000, "period": "2024Q2"})
        == "2024年第二季度物流运费1万元以上"
    )
    assert zh(vocab, {"field": "age_years", "op": ">=", "value": 2}) == "成立年限2年以上"
    assert (
        zh(vocab, {"field": "established_on", "op": "<", "value": "2020-01-01"}) == "成立日期早于2020年1月1日"
    )


def test_codes_enums_and_tags(vocab):
    assert (
        zh(vocab, {"field": "district", "op": "not_within", "value": ["金水区", "二七区"]})
        == "注册地不在金水区或二七区"
    )
    assert zh(vocab, {"field": "zone", "op": "=", "value": "高新区"}) == "位于郑州高新技术产业开发区"
    assert zh(vocab, {"field": "zone", "op": "=", "value": ""}) == "不在任何功能区"
    assert zh(vocab, {"field": "scale", "op": "in", "value": ["small", "micro"]}) == "企业规模为小型或微型"
    assert zh(vocab, {"field": "industry", "op": "within", "value": ["C"]}) == "所属行业为制造业"
    assert zh(vocab, {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "this_year",
                      "first_time": True}) == "本年度首次认定的高新技术企业"  # fmt: skip
    assert zh(vocab, {"not": {"field": "scale", "op": "in", "value": ["large"]}}) == "企业规模不为大型"
    assert zh(vocab, {"field": "tags", "op": "has_none", "value": ["高新技术企业"]}) == "不是高新技术企业"


def test_nesting_and_negated_groups(vocab):
    tree = {"any": [{"all": [{"field": "scale", "op": "=", "value": "small"},
                             {"field": "age_years", "op": "<", "value": 3}]},
                    {"not": {"any": [{"field": "zone", "op": "=", "value": "410171"},
                                     {"field": "zone", "op": "=", "value": "410172"}]}}]}  # fmt: skip
    text = zh(vocab, tree)
    assert text.startswith("(企业规模为小型 且 成立年限不满3年) 或 非(")
    assert zh(vocab, {}) == "不限（所有企业）"


def test_english_rendering(vocab):
    tree = {"all": [{"field": "registered_capital", "op": ">=", "value": 5000000},
                    {"field": "revenue", "op": "<", "value": 1, "period": "this_year"}]}  # fmt: skip
    text = render(validate(tree, vocabulary=vocab), language="en")
    assert text == "registered capital ≥ 5,000,000 yuan and operating revenue (this year) < 1 yuan"
