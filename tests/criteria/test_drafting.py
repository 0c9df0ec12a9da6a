"""The drafting grammar on the phrasings Chinese policy documents use: thresholds in the legal
reading (以上/不低于 include, 超过/不满 exclude, 超过X(含) includes), units into the language's
(万元 → 元), registration, industry, qualifications with 首次, awards (fixed, ceilings, shares
with caps, tiers, size cases), spans into the text as pasted and the sentences left unparsed."""

import pytest

from matching.criteria import validate
from matching.criteria.drafting import draft_text, sentences
from matching.criteria.drafting.bench import demo_vocabulary


@pytest.fixture(scope="module")
def vocab():
    return demo_vocabulary()


def conditions(text, vocab):
    return draft_text(text, vocabulary=vocab).criteria["all"]


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ("上年度营业收入2000万元（含）以上的企业", ">=", 20000000),
        ("主营业务收入超过5亿元(含)的", ">=", 500000000),
        ("年主营业务收入超过5亿元的企业", ">", 500000000),
        ("销售收入不低于1000万元", ">=", 10000000),
        ("营业收入不满500万元的企业", "<", 5000000),
        ("营业收入低于1亿元", "<", 100000000),
        ("年销售收入不超过2亿元", "<=", 200000000),
        ("营收1.5亿元以上", ">=", 150000000),
        ("企业2019年销售收入>4000万;", ">", 40000000),
    ],
)
def test_revenue_thresholds_read_as_the_law_reads_them_in_yuan(text, op, value, vocab):
    (cond,) = conditions(text, vocab)
    assert (cond["field"], cond["op"], cond["value"]) == ("revenue", op, value)


def test_a_range_with_the_lower_bound_marked_included_excludes_the_upper_one(vocab):
    got = conditions("对上一年度营业收入1亿元(含)—5亿元的软件和信息技术服务业企业", vocab)
    assert got == [
        {"field": "revenue", "op": ">=", "value": 100000000, "period": "last_year"},
        {"field": "revenue", "op": "<", "value": 500000000, "period": "last_year"},
        {"field": "industry", "op": "within", "value": ["I65"]},
    ]


def test_a_range_marked_at_its_top_is_between_both_ends(vocab):
    (cond,) = conditions("当年实现自营进出口额100万元-300万元(含300万元)的企业", vocab)
    assert cond["op"] == "between" and cond["value"] == [1000000, 3000000]


def test_a_second_bound_after_the_first_applies_to_the_same_indicator(vocab):
    got = conditions("主营业务收入超过5亿元(含)、未达到10亿元的,给予60万元奖励", vocab)
    assert [(c["op"], c["value"]) for c in got] == [(">=", 500000000), ("<", 1000000000)]


def test_headcount_age_and_growth(vocab):
    got = conditions("从业人员50人以上，成立时间3年以上，工业产值同比增长达到40%(含)以上。", vocab)
    assert {(c["field"], c["op"], c["value"]) for c in got} == {
        ("employees", ">=", 50),
        ("age_years", ">=", 3),
        ("output_growth", ">=", 40),
    }


def test_chinese_numerals_count(vocab):
    (cond,) = conditions("申请企业需在省内工商注册登记存续三年以上;", vocab)
    assert cond == {"field": "age_years", "op": ">=", "value": 3}


def test_a_ratio_to_revenue_is_not_a_revenue_threshold(vocab):
    draft = draft_text("近两年研发经费支出占营业收入平均比重不低于3%。", vocabulary=vocab)
    assert draft.criteria == {"all": []}
    assert draft.unparsed == ["近两年研发经费支出占营业收入平均比重不低于3%。"[:-1]]


def test_a_number_belongs_to_the_nearer_indicator_of_its_unit(vocab):
    got = conditions("30人(含)以下的参保企业裁员率不高于参保职工总数20%的", vocab)
    assert {(c["field"], c["op"], c["value"]) for c in got} == {
        ("insured_employees", "<=", 30),
        ("layoff_rate", "<=", 20),
    }


def test_registration_in_a_county_is_its_code_and_a_zone_of_another_city_is_not_zhengzhous(vocab):
    assert conditions("注册地在郑州市金水区的企业", vocab) == [
        {"field": "district", "op": "within", "value": ["410105"]}
    ]
    assert conditions("工商、税务、统计关系均在高新区的企业", vocab) == [
        {"field": "zone", "op": "=", "value": "410172"}
    ]
    assert conditions("在河南省工商注册登记,具有独立法人资格。", vocab) == [
        {"field": "district", "op": "within", "value": ["41"]}
    ]
    assert not [c for c in conditions("对宝鸡高新区新增入库纳统规上工业企业", vocab) if c["field"] == "zone"]


def test_industries_by_their_reference_names(vocab):
    (cond,) = conditions("软件和信息技术服务业、互联网和相关服务业企业", vocab)
    assert cond == {"field": "industry", "op": "within", "value": ["I65", "I64"]}
    (cond,) = conditions("年进出口额2亿元以上的制造业企业", vocab)[1:]
    assert cond["value"] == ["C"]


def test_qualifications_map_to_the_vocabularys_tags_with_first_time(vocab):
    assert conditions("对首次通过认定的高新技术企业", vocab) == [
        {"field": "tags", "op": "has", "value": "高新技术企业", "first_time": True}
    ]
    assert conditions("工信部专精特新“小巨人”企业", vocab) == [
        {"field": "tags", "op": "has", "value": '专精特新"小巨人"企业'}
    ]
    assert conditions("对首次纳入规模以上工业统计的企业", vocab)[0]["first_time"] is True


def test_qualifications_joined_by_or_are_one_any_group_with_a_span_each(vocab):
    text = "属于高新技术企业或科技型中小企业的"
    draft = draft_text(text, vocabulary=vocab)
    assert draft.criteria == {
        "all": [
            {
                "any": [
                    {"field": "tags", "op": "has", "value": "高新技术企业"},
                    {"field": "tags", "op": "has", "value": "科技型中小企业"},
                ]
            }  # fmt: skip
        ]
    }
    spans = {s["path"]: text[s["start"] : s["end"]] for s in draft.spans}
    assert spans["all[0].any[0]"] == "高新技术企业" and spans["all[0].any[1]"] == "科技型中小企业"


@pytest.mark.parametrize(
    ("text", "award", "basis"),
    [
        ("对新认定的高新技术企业给予一次性5万元奖励", {"amount": "50000"}, ""),
        ("通过复审的高新技术企业给予一次性最高2万元奖励", {"amount": "20000"}, "up_to"),
        (
            "按上年度研发费用的10%给予补助，最高不超过200万元。",
            {"amount": "min(0.1 * rd_expense@last_year, 2000000)"},
            "",
        ),
        (
            "按照运费的20%给予补贴,单个企业每年最高不超过500万元。",
            {"amount": "min(0.2 * freight_cost, 5000000)"},
            "",
        ),
        (
            "大型企业按企业及其职工上年度实际缴纳失业保险费的30%返还,中小微企业按60%返还。",
            {
                "cases": [
                    {
                        "when": {"field": "scale", "op": "in", "value": ["large"]},
                        "amount": "0.3 * unemployment_insurance_paid@last_year",
                    },
                    {"when": {"all": []}, "amount": "0.6 * unemployment_insurance_paid@last_year"},
                ]
            },  # fmt: skip
            "",
        ),
    ],
)
def test_awards(text, award, basis, vocab):
    draft = draft_text(text, vocabulary=vocab)
    assert (draft.award, draft.award_basis) == (award, basis)


def test_tiers_in_one_sentence_become_cases_and_the_lowest_threshold_the_criterion(vocab):
    draft = draft_text(
        "对年主营业务收入首次超过5亿元、10亿元的企业,分别给予50万元、100万元的一次性奖励。", vocabulary=vocab
    )
    assert draft.criteria == {"all": [{"field": "revenue", "op": ">", "value": 500000000}]}
    assert draft.award == {
        "cases": [
            {"when": {"field": "revenue", "op": ">", "value": 1000000000}, "amount": "1000000"},
            {"when": {"all": []}, "amount": "500000"},
        ]
    }


def test_tiers_over_sentences_are_one_tiered_award(vocab):
    text = (
        "(一)主营业务收入超过10亿元(含)的,给予100万元奖励;\n"
        "(二)主营业务收入超过5亿元(含)、未达到10亿元的,给予60万元奖励;\n"
        "(三)主营业务收入超过5000万元(含)、未达到5亿元的,给予30万元奖励。"
    )
    draft = draft_text(text, vocabulary=vocab)
    assert draft.criteria == {"all": [{"field": "revenue", "op": ">=", "value": 50000000}]}
    assert [c["amount"] for c in draft.award["cases"]] == ["1000000", "600000", "300000"]
    assert len([s for s in draft.spans if s["path"] == "award"]) == 3


def test_spans_point_at_the_words_in_the_text_as_pasted_with_full_width_forms(vocab):
    text = "  对注册地在郑州市、上年度营业收入２０００万元（含）以上的企业，给予一次性奖励２０万元。"
    draft = draft_text(text, vocabulary=vocab)
    spans = {s["path"]: text[s["start"] : s["end"]] for s in draft.spans}
    assert spans == {
        "all[0]": "郑州市",
        "all[1]": "营业收入２０００万元（含）以上",
        "award": "给予一次性奖励２０万元",
    }
    assert draft.criteria["all"][1]["value"] == 20000000


def test_the_sentences_not_understood_are_listed_and_the_draft_always_validates(vocab):
    text = "各区县（市）人民政府：\n现将有关事项通知如下。对首次认定的高新技术企业给予20万元奖励。企业根据评价指标综合评价所得分值不低于60分。"
    draft = draft_text(text, vocabulary=vocab)
    assert draft.unparsed == [
        "各区县（市）人民政府：",
        "现将有关事项通知如下",
        "企业根据评价指标综合评价所得分值不低于60分",
    ]
    assert validate(draft.criteria, vocabulary=vocab) == draft.criteria


def test_only_what_the_vocabulary_defines_is_drafted(vocab):
    from matching.criteria import Vocabulary

    bare = Vocabulary.builtin()  # no demo indicators: 进出口额 is not defined
    assert draft_text("年进出口额2亿元以上的企业", vocabulary=bare).criteria == {"all": []}
    assert (
        draft_text("年进出口额2亿元以上的企业", vocabulary=vocab).criteria["all"][0]["field"]
        == "import_export_value"
    )


def test_sentences_are_split_with_their_offsets():
    text = "第一句。 第二句；\n\n第三句"
    assert [text[a:b] for a, b in sentences(text)] == ["第一句", "第二句", "第三句"]


def test_a_ratio_is_read_when_the_vocabulary_defines_an_indicator_for_it():
    from matching.criteria import Vocabulary
    from matching.criteria.vocabulary import indicator_spec

    vocab = Vocabulary.builtin(
        extra_indicators=[indicator_spec("rd_ratio", "研发费用占比", "percent", "%", "year")]
    )
    for text in ("近两年研发费用占营业收入平均比重不低于3%。", "上年度研发费用占比3%以上"):
        (cond,) = draft_text(text, vocabulary=vocab).criteria["all"]
        assert (cond["field"], cond["op"], cond["value"]) == ("rd_ratio", ">=", 3)


def test_cases_over_sentences_are_any_of_their_conditions_and_one_case_each_highest_first(vocab):
    text = "注册地在郑州市。对获得省级专精特新中小企业认定、且营业收入2000万元以上的，奖励30万元；对获得国家级专精特新“小巨人”企业认定的，奖励100万元。"
    draft = draft_text(text, vocabulary=vocab)
    giant = {"field": "tags", "op": "has", "value": '专精特新"小巨人"企业'}
    provincial = {"all": [{"field": "tags", "op": "has", "value": "专精特新中小企业"},
                          {"field": "revenue", "op": ">=", "value": 20000000}]}  # fmt: skip
    assert draft.criteria == {
        "all": [{"field": "district", "op": "within", "value": ["4101"]}, {"any": [giant, provincial]}]
    }
    assert draft.award == {
        "cases": [{"when": giant, "amount": "1000000"}, {"when": provincial, "amount": "300000"}]
    }
    spans = {s["path"]: text[s["start"] : s["end"]] for s in draft.spans if s["path"] != "award"}
    assert spans["all[1].any[0]"] == "专精特新“小巨人”企业"
    assert spans["all[1].any[1].all[1]"] == "营业收入2000万元以上"
