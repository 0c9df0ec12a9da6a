"""What a criteria tree may name: the core fields of DESIGN §3, the indicators and tags
that officials define (read from the database by ``vocabulary_load``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.apps import apps

# kinds of field, which decide the ops and the value type
NUMERIC = "numeric"  # number, money, percent
DATE = "date"
ENUM = "enum"  # a fixed list of values; null = unknown
CODE = "code"  # zone and code indicators; compared as text
FLAG = "flag"
DIVISION = "division"
INDUSTRY = "industry"
TAGS = "tags"

OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    NUMERIC: ("=", "!=", "<", "<=", ">", ">=", "between"),
    DATE: ("=", "!=", "<", "<=", ">", ">=", "between"),
    ENUM: ("=", "!=", "in", "not_in"),
    CODE: ("=", "!=", "in", "not_in"),
    FLAG: ("=", "!="),
    DIVISION: ("within", "not_within"),
    INDUSTRY: ("within", "not_within"),
    TAGS: ("has", "has_any", "has_all", "has_none"),
}

ENTITY_TYPES = {
    "government": ("机关", "government body"),
    "public_institution": ("事业单位", "public institution"),
    "social_organisation": ("社会组织", "social organisation"),
    "enterprise": ("企业", "enterprise"),
    "individual_business": ("个体工商户", "individual business"),
    "farmer_cooperative": ("农民专业合作社", "farmers' cooperative"),
    "other": ("其他", "other"),
}
SCALES = {
    "large": ("大型", "large"),
    "medium": ("中型", "medium"),
    "small": ("小型", "small"),
    "micro": ("微型", "micro"),
}


@dataclass(frozen=True)
class FieldSpec:
    code: str
    kind: str
    name: str  # Chinese label
    name_en: str
    type: str  # the DESIGN type: money, number, percent, date, code, flag, enum, division, industry, tags
    unit: str = ""
    periodicity: str = "none"  # indicators only
    indicator: bool = False
    choices: dict[str, tuple[str, str]] | None = None


CORE_FIELDS: dict[str, FieldSpec] = {
    "district": FieldSpec("district", DIVISION, "注册地", "registered in", "division"),
    "zone": FieldSpec("zone", CODE, "功能区", "functional zone", "code"),
    "industry": FieldSpec("industry", INDUSTRY, "所属行业", "industry", "industry"),
    "entity_type": FieldSpec("entity_type", ENUM, "主体类型", "entity type", "enum", choices=ENTITY_TYPES),
    "scale": FieldSpec("scale", ENUM, "企业规模", "size", "enum", choices=SCALES),
    "established_on": FieldSpec("established_on", DATE, "成立日期", "established on", "date"),
    "registered_capital": FieldSpec(
        "registered_capital", NUMERIC, "注册资本", "registered capital", "money", "元"
    ),
    "age_years": FieldSpec("age_years", NUMERIC, "成立年限", "years since establishment", "number", "年"),
    "tags": FieldSpec("tags", TAGS, "资质", "qualifications", "tags"),
}

_INDICATOR_KIND = {"number": NUMERIC, "money": NUMERIC, "percent": NUMERIC, "flag": FLAG, "code": CODE}

# Built in by the registry's data migration (enterprises 0002); used as defaults for labels
# and by tests that need no database.
BUILTIN_INDICATORS = [
    ("employees", "从业人员", "employees", "number", "人", "year"),
    ("revenue", "营业收入", "operating revenue", "money", "元", "year"),
    ("total_assets", "资产总额", "total assets", "money", "元", "year"),
    ("rd_expense", "研发费用", "R&D expense", "money", "元", "year"),
    ("tax_paid", "纳税总额", "tax paid", "money", "元", "year"),
    ("insured_employees", "参保职工人数", "insured employees", "number", "人", "year"),
]
BUILTIN_TAGS = [
    "高新技术企业", "科技型中小企业", "专精特新中小企业", '专精特新"小巨人"企业', "创新型中小企业",
    "制造业单项冠军", "瞪羚企业", "独角兽企业", "技术先进型服务企业", "规模以上工业企业",
    "规模以上服务业企业", "限额以上批发零售企业", "国家级企业技术中心", "省级企业技术中心",
    "省级工程技术研究中心", "绿色工厂", "智能工厂", "农业产业化重点龙头企业", "上市后备企业", "外贸进出口企业",
]  # fmt: skip


def indicator_spec(code: str, name: str, type_: str, unit: str = "", periodicity: str = "year",
                   name_en: str = "") -> FieldSpec:  # fmt: skip
    return FieldSpec(code, _INDICATOR_KIND.get(type_, NUMERIC), name, name_en or name, type_, unit,
                     periodicity, indicator=True)  # fmt: skip


_QUOTES_RE = re.compile(r"[\"'“”‘’「」『』]")


@dataclass(frozen=True)
class Vocabulary:
    """Indicator definitions (code → FieldSpec) and tag names officials maintain: the one
    vocabulary of the portal. Criteria validation reads the specs; the registry's record
    cleaning also needs the row ids (``indicator_ids``, ``tag_ids``) to store values."""

    indicators: dict[str, FieldSpec] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()
    indicator_ids: dict[str, int] = field(default_factory=dict)
    tag_ids: dict[str, int] = field(default_factory=dict)
    derived_tag_ids: frozenset[int] = frozenset()  # the portal's own (画像) tags: no feed sets them

    def indicator_code(self, text: str) -> str:
        """The code an indicator is given by, its code or its Chinese name (营业收入 → revenue)."""
        if text in self.indicators:
            return text
        for code, spec in self.indicators.items():
            if spec.name == text:
                return code
        return text

    def tag_id(self, name: str) -> int | None:
        """The id of a tag by name; quotes typed every which way (专精特新“小巨人”企业 /
        "小巨人" / 「小巨人」) name the same tag."""
        if name in self.tag_ids:
            return self.tag_ids[name]
        plain = _QUOTES_RE.sub("", name)
        for known, tag_id in self.tag_ids.items():
            if _QUOTES_RE.sub("", known) == plain:
                return tag_id
        return None

    @classmethod
    def builtin(cls, *, extra_indicators: list[FieldSpec] | None = None, extra_tags=()) -> Vocabulary:
        """The built-in vocabulary, without the database (tests, tools)."""
        inds = {c: indicator_spec(c, n, t, u, p, en) for c, n, en, t, u, p in BUILTIN_INDICATORS}
        for spec in extra_indicators or []:
            inds[spec.code] = spec
        return cls(indicators=inds, tags=frozenset(BUILTIN_TAGS) | frozenset(extra_tags))

    def field(self, code: str) -> FieldSpec | None:
        return CORE_FIELDS.get(code) or self.indicators.get(code)


# Labels for explanations: evaluation is pure and takes no vocabulary, so it names
# indicators from the last vocabulary this process loaded (or the built-ins).
_label_indicators: dict[str, FieldSpec] = dict(Vocabulary.builtin().indicators)


def remember_labels(vocabulary: Vocabulary) -> None:
    """Make this vocabulary's indicator names known to explanations and renderings."""
    _label_indicators.update(vocabulary.indicators)


def field_spec(code: str) -> FieldSpec | None:
    """The spec of a core field or a known indicator (for labels; never raises)."""
    return CORE_FIELDS.get(code) or _label_indicators.get(code)


def vocabulary_load() -> Vocabulary:
    """The vocabulary from the database: indicator definitions and tag names (two small queries).

    Not cached across calls on purpose: it is read when a tree is validated (on save), never
    in a hot loop, and a cache would let a just-defined indicator or tag be refused (or a
    deleted one accepted) by another process or test.
    """
    IndicatorDefinition = apps.get_model("enterprises", "IndicatorDefinition")
    TagDefinition = apps.get_model("enterprises", "TagDefinition")
    rows = list(IndicatorDefinition.objects.values("id", "code", "name", "type", "unit", "periodicity"))
    inds = {
        r["code"]: indicator_spec(r["code"], r["name"], r["type"], r["unit"], r["periodicity"]) for r in rows
    }
    tag_rows = list(TagDefinition.objects.values_list("name", "id", "derived"))
    tag_ids = {name: tag_id for name, tag_id, _derived in tag_rows}
    vocab = Vocabulary(
        indicators=inds,
        tags=frozenset(tag_ids),
        indicator_ids={r["code"]: r["id"] for r in rows},
        tag_ids=tag_ids,
        derived_tag_ids=frozenset(tag_id for _name, tag_id, derived in tag_rows if derived),
    )
    remember_labels(vocab)
    return vocab
