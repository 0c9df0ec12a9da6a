"""The words of Chinese policy text the drafter knows, mapped onto the portal's vocabulary.

Terms are found by one longest-first regular expression and kept only where they fall on the
word boundaries jieba finds (the terms are added to jieba's dictionary first), so that a term
inside a longer word (工业 in 化工业, 税收 in 税收留成) does not count. Indicators and tags come out
only when the vocabulary at hand defines them: a draft never names what the validator refuses.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import jieba

from enterprises.reference import industry_divisions, industry_sections, zhengzhou_districts, zhengzhou_zones

from .. import vocabulary as V

# Indicator codes → how policy texts name them (the vocabulary's own Chinese name is added).
INDICATOR_WORDS: dict[str, tuple[str, ...]] = {
    "revenue": ("主营业务收入", "营业收入", "销售收入", "营业额", "销售额", "营收"),
    "employees": ("从业人员", "从业人数", "职工总数", "职工人数", "员工总数", "员工人数"),
    "total_assets": ("资产总额", "总资产"),
    "rd_expense": ("研发费用", "研究开发费用", "研发投入", "研发经费支出", "研发经费"),
    "tax_paid": ("纳税总额", "纳税额", "缴纳税收", "实缴税金"),
    "insured_employees": ("参保职工总数", "参保职工人数", "参保职工", "参保人数"),
    "import_export_value": ("自营进出口额", "进出口总额", "进出口额"),
    "equipment_investment": (
        "设备和软件投资额",
        "设备投资额",
        "设备购置额",
        "设备实际投资",
        "设备投资",
        "设备金额",
    ),
    "output_growth": ("产值增速", "产值增长率"),
    "layoff_rate": ("裁员率",),
    "loan_interest": ("贷款利息", "利息支出"),
    "office_rent": ("办公用房租金", "房租", "租金"),
    "freight_cost": ("物流运输费用", "运输费用", "运费"),
    "unemployment_insurance_paid": ("失业保险费",),
}
# A growth phrase (同比增长 X%) after these words is about the indicator on the right.
GROWTH_OF: dict[str, str] = {"工业产值": "output_growth", "产值": "output_growth"}

# Vocabulary tags → surface forms (quotes of any kind are matched by the pattern below).
TAG_WORDS: dict[str, tuple[str, ...]] = {
    "高新技术企业": ("国家级高新技术企业", "国家高新技术企业", "高新技术企业", "高企"),
    "科技型中小企业": ("科技型中小企业",),
    "专精特新中小企业": ("省级专精特新中小企业", "专精特新中小企业", "专精特新企业"),
    '专精特新"小巨人"企业': ('专精特新"小巨人"企业', '专精特新"小巨人"', '"小巨人"企业', "小巨人企业"),
    "创新型中小企业": ("创新型中小企业",),
    "制造业单项冠军": (
        '制造业"单项冠军"示范企业',
        "制造业单项冠军示范企业",
        "制造业单项冠军",
        "单项冠军示范企业",
        "单项冠军企业",
    ),
    "瞪羚企业": ("瞪羚企业",),
    "独角兽企业": ("独角兽企业",),
    "技术先进型服务企业": ("技术先进型服务企业",),
    "规模以上工业企业": (
        "规模以上工业企业",
        "规模以上工业统计",
        "规上工业企业",
        "规上工业",
        "达规企业",
        "入规纳统",
    ),
    "规模以上服务业企业": ("规模以上服务业企业", "规上服务业企业", "规上服务业"),
    "限额以上批发零售企业": ("限额以上批发零售企业", "限额以上企业", "限上企业"),
    "国家级企业技术中心": ("国家级企业技术中心",),
    "省级企业技术中心": ("省级企业技术中心",),
    "省级工程技术研究中心": ("省级工程技术研究中心",),
    "绿色工厂": ("绿色工厂",),
    "智能工厂": ("智能工厂",),
    "农业产业化重点龙头企业": ("农业产业化重点龙头企业",),
    "上市后备企业": ("上市后备企业",),
    "外贸进出口企业": ("外贸进出口企业",),
}
# Surface forms that mean "newly reached" by themselves.
FIRST_TIME_SURFACES = {"达规企业", "入规纳统"}

# Industries beyond the exact GB/T 4754 names of the reference (which are all known).
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "工业企业": ("B", "C", "D"),
    "制造业": ("C",),
    "制造企业": ("C",),
    "软件和信息技术服务业": ("I65",),
    "互联网和相关服务业": ("I64",),
    "软件企业": ("I65",),
}
# Divisions: the city and the province by name; Zhengzhou's counties and zones from the reference.
PLACE_WORDS: dict[str, tuple[str, str]] = {
    "郑州市": ("district", "4101"),
    "郑州": ("district", "4101"),
    "河南省": ("district", "41"),
    "河南": ("district", "41"),
}
ZONE_SHORT = {"410171": ("经开区", "经济技术开发区"), "410172": ("高新区",), "410173": ("航空港区", "航空港实验区"),
              "4101ZD": ("郑东新区",)}  # fmt: skip

QUOTES = "\"'“”‘’「」『』"


@dataclass(frozen=True)
class Term:
    kind: str  # indicator, tag, industry, place, zone, growth
    value: object  # indicator code, tag name, industry codes, division/zone code
    start: int
    end: int
    surface: str


def _surfaces(vocabulary: V.Vocabulary) -> dict[str, tuple[str, object]]:
    out: dict[str, tuple[str, object]] = {}
    for code, words in INDICATOR_WORDS.items():
        if code in vocabulary.indicators:
            for w in words:
                out[w] = ("indicator", code)
    for code, spec in vocabulary.indicators.items():
        out.setdefault(spec.name, ("indicator", code))
    out["注册资本"] = ("indicator", "registered_capital")
    for w, code in GROWTH_OF.items():
        if code in vocabulary.indicators:
            out[w] = ("growth", code)
    for tag, words in TAG_WORDS.items():
        if tag in vocabulary.tags:
            for w in words:
                out[w] = ("tag", tag)
    for letter, name in industry_sections().items():
        out[name] = ("industry", (letter,))
    for digits, (letter, name) in industry_divisions().items():
        out.setdefault(name, ("industry", (letter + digits,)))
    for w, codes in INDUSTRY_WORDS.items():
        out[w] = ("industry", codes)
    for w, place in PLACE_WORDS.items():
        out[w] = ("place", place[1])
    for code, name in zhengzhou_districts().items():
        out[name] = ("place", code)
    for code, name in zhengzhou_zones().items():
        for w in (name, *ZONE_SHORT.get(code, ())):
            out[w] = ("zone", code)
    return out


def _pattern_of(surface: str) -> str:
    """A surface as a pattern: its quotes match any kind of quote (or none)."""
    return "".join(f"[{re.escape(QUOTES)}]?" if ch in QUOTES else re.escape(ch) for ch in surface)


@lru_cache(maxsize=8)
def _compiled(key: tuple) -> tuple[re.Pattern, dict[str, tuple[str, object]], jieba.Tokenizer]:
    surfaces = dict(key)
    ordered = sorted(surfaces, key=len, reverse=True)
    pattern = re.compile("|".join(f"(?:{_pattern_of(s)})" for s in ordered))
    tokenizer = jieba.Tokenizer()
    jieba.setLogLevel(logging.WARNING)
    for s in ordered:
        plain = "".join(ch for ch in s if ch not in QUOTES)
        tokenizer.add_word(plain, freq=10**6)
    by_plain = {"".join(ch for ch in s if ch not in QUOTES): v for s, v in surfaces.items()}
    return pattern, by_plain, tokenizer


class Lexicon:
    """The terms of one vocabulary; ``terms(text)`` finds them in a text."""

    def __init__(self, vocabulary: V.Vocabulary):
        self.vocabulary = vocabulary
        self.pattern, self.by_plain, self.tokenizer = _compiled(tuple(sorted(_surfaces(vocabulary).items())))

    def boundaries(self, text: str) -> set[int]:
        cuts = {0, len(text)}
        for _word, start, end in self.tokenizer.tokenize(text):
            cuts.add(start)
            cuts.add(end)
        return cuts

    def terms(self, text: str) -> list[Term]:
        cuts = self.boundaries(text)
        found: list[Term] = []
        for m in self.pattern.finditer(text):
            surface = m.group(0)
            plain = "".join(ch for ch in surface if ch not in QUOTES)
            kind, value = self.by_plain[plain]
            quoted = plain != surface
            if (
                not quoted
                and (m.start() not in cuts or m.end() not in cuts)
                and kind not in ("tag", "industry")
            ):
                continue
            found.append(Term(kind, value, m.start(), m.end(), plain))
        return found
