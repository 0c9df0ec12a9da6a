"""The validator: every malformed tree is rejected with its path and a Chinese reason."""

import pytest

from matching.criteria import CriteriaError, validate


def errors_of(tree, vocab):
    with pytest.raises(CriteriaError) as exc:
        validate(tree, vocabulary=vocab)
    return exc.value.errors


def test_empty_tree_and_empty_all_mean_everyone(vocab):
    assert validate({}, vocabulary=vocab) == {"all": []}
    assert validate({"all": []}, vocabulary=vocab) == {"all": []}
    assert validate(None, vocabulary=vocab) == {"all": []}


def test_design_example_is_valid_and_normalised(vocab):
    # given the example tree of DESIGN §4, with names instead of codes
    tree = {"all": [
        {"field": "district", "op": "within", "value": ["郑州市"]},
        {"field": "industry", "op": "within", "value": ["C", "I65"]},
        {"field": "registered_capital", "op": ">=", "value": "500万"},
        {"field": "revenue", "period": "last_year", "op": ">", "value": 20000000},
        {"field": "age_years", "op": ">=", "value": 2},
        {"any": [{"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "this_year"},
                 {"field": "tags", "op": "has", "value": "专精特新中小企业"}]},
        {"not": {"field": "scale", "op": "in", "value": ["大型"]}},
    ]}  # fmt: skip
    # when
    out = validate(tree, vocabulary=vocab)
    # then names become codes and amounts numbers
    assert out["all"][0]["value"] == ["4101"]
    assert out["all"][1]["value"] == ["C", "I65"]
    assert out["all"][2]["value"] == 5000000
    assert out["all"][3]["period"] == "last_year"
    assert out["all"][6] == {"not": {"field": "scale", "op": "in", "value": ["large"]}}


@pytest.mark.parametrize(
    ("tree", "path", "fragment"),
    [
        ({"all": [{"field": "nope", "op": "=", "value": 1}]}, "all[0].field", "未知字段"),
        (
            {"all": [{}, {}, {"field": "registered_capital", "op": "within", "value": [1]}]},
            "all[2].op",
            "不能用运算符",
        ),
        (
            {"all": [{}, {}, {"field": "registered_capital", "op": ">=", "value": "很多"}]},
            "all[2].value",
            "应为数字",
        ),
        ({"field": "scale", "op": "in", "value": []}, "value", "不能为空"),
        ({"field": "scale", "op": "in", "value": "small"}, "value", "应为列表"),
        ({"field": "scale", "op": "=", "value": "huge"}, "value", "没有这个取值"),
        ({"field": "district", "op": "within", "value": ["火星区"]}, "value[0]", "未知的行政区划"),
        ({"field": "zone", "op": "=", "value": "月球开发区"}, "value", "未知的功能区"),
        ({"field": "industry", "op": "within", "value": ["Z99"]}, "value[0]", "门类"),
        ({"field": "tags", "op": "has", "value": "高薪技术企业"}, "value", "未知资质标签"),
        ({"field": "revenue", "op": ">", "value": 1, "period": "2024Q5"}, "period", "期间格式不正确"),
        ({"field": "revenue", "op": ">", "value": 1, "period": "2024Q2"}, "period", "按年度统计"),
        ({"field": "is_exporter", "op": "=", "value": True, "period": "2024"}, "period", "不分期"),
        ({"field": "registered_capital", "op": ">", "value": 1, "period": "2024"}, "period", "只适用于指标"),
        (
            {"field": "tags", "op": "has_any", "value": ["高新技术企业"], "recognized": "this_year"},
            "recognized",
            "只能与 has",
        ),
        (
            {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "next_year"},
            "recognized",
            "recognized",
        ),
        (
            {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": {"from": "2025-13-01"}},
            "recognized.from",
            "日期",
        ),
        ({"field": "scale", "op": "=", "value": "small", "first_time": True}, "first_time", "只适用于资质"),
        ({"field": "registered_capital", "op": "between", "value": [5, 1]}, "value", "下限大于上限"),
        ({"field": "registered_capital", "op": "between", "value": [1]}, "value", "[下限, 上限]"),
        ({"field": "established_on", "op": ">=", "value": "2020/01/01"}, "value", "YYYY-MM-DD"),
        ({"field": "is_exporter", "op": "=", "value": "maybe"}, "value", "true 或 false"),
        ({"field": "scale", "op": "=", "value": ["small"]}, "value", "不是列表"),
        ({"any": []}, "any", "至少"),
        ({"all": {"field": "scale"}}, "all", "条件列表"),
        ({"all": [1]}, "all[0]", "对象"),
        ({"all": [], "any": []}, "", "只能有一个键"),
        ({"all": [{"not": {"field": "scale", "op": "=", "valu": "small"}}]}, "all[0].not", "未知的键"),
        ({"all": [{"not": {"field": "scale", "op": "="}}]}, "all[0].not.value", "缺少 value"),
    ],
)
def test_malformed_tree_is_rejected_with_path_and_reason(vocab, tree, path, fragment):
    errors = errors_of(tree, vocab)
    assert any(e["path"] == path and fragment in e["message"] for e in errors), errors


def test_every_error_is_reported_not_only_the_first(vocab):
    tree = {"all": [{"field": "nope", "op": "=", "value": 1}, {"field": "scale", "op": "in", "value": []}]}
    assert {e["path"] for e in errors_of(tree, vocab)} == {"all[0].field", "all[1].value"}


def test_codes_and_names_are_normalised(vocab):
    out = validate({"all": [
        {"field": "district", "op": "within", "value": ["金水区", "410102", "河南省", "4101"]},
        {"field": "zone", "op": "in", "value": ["高新区", "410171"]},
        {"field": "industry", "op": "not_within", "value": "3411"},
        {"field": "entity_type", "op": "=", "value": "个体工商户"},
        {"field": "registered_capital", "op": "between", "value": ["1.5亿元", 200000000]},
        {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "2024", "first_time": False},
        {"field": "revenue", "op": ">=", "value": 1, "period": 2024},
        {"field": "credit_rating", "op": "in", "value": ["A", "A", "B"]},
    ]}, vocabulary=vocab)  # fmt: skip
    c = out["all"]
    assert c[0]["value"] == ["410105", "410102", "41", "4101"]
    assert c[1]["value"] == ["410172", "410171"]
    assert c[2]["value"] == ["C3411"]
    assert c[3]["value"] == "individual_business"
    assert c[4]["value"] == [150000000, 200000000]
    assert c[5] == {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": 2024}
    assert c[6]["period"] == "2024"
    assert c[7]["value"] == ["A", "B"]


def test_latest_period_is_the_default_and_dropped(vocab):
    out = validate({"field": "revenue", "op": ">", "value": 1, "period": "latest"}, vocabulary=vocab)
    assert "period" not in out


def test_unknown_indicator_is_rejected_until_defined(vocab):
    with pytest.raises(CriteriaError):
        validate({"field": "equipment_investment", "op": ">", "value": 1}, vocabulary=vocab)
    from matching.criteria import Vocabulary
    from matching.criteria.vocabulary import indicator_spec

    extended = Vocabulary.builtin(
        extra_indicators=[indicator_spec("equipment_investment", "设备投资", "money")]
    )
    assert validate({"field": "equipment_investment", "op": ">", "value": 1}, vocabulary=extended)


def test_error_message_names_the_path():
    from matching.criteria import Vocabulary

    with pytest.raises(CriteriaError) as exc:
        validate({"all": [{}, {"field": "x", "op": "=", "value": 1}]}, vocabulary=Vocabulary.builtin())
    assert "all[1].field" in str(exc.value)
    assert exc.value.message_dict()["all[1].field"]


def test_absurdly_deep_trees_are_rejected(vocab):
    tree = {"field": "scale", "op": "=", "value": "small"}
    for _ in range(40):
        tree = {"not": tree}
    errors = errors_of(tree, vocab)
    assert "嵌套" in errors[0]["message"]
