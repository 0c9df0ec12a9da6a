"""Conditions from one sentence: thresholds on indicators (营业收入 … 万元（含）以上, 不低于, 超过,
不满 …), growth (同比增长 X% 以上), headcount (从业人员 N 人以上), age (成立 N 年以上), registration
(注册地在 <区县>), industry (制造业 → C …) and qualifications (高新技术企业, 首次认定 …).

Each finding is a ``Found``: one §4 condition (or an ``any`` group) and the character range of
the words it came from. Offsets are those of the sentence within the whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import vocabulary as V
from .lexicon import FIRST_TIME_SURFACES, Lexicon, Term
from .numbers import NUM, PREFIX, UNIT, as_json, comparison, scaled, to_number, unit_kind

STOP = ",;。:!?"
INCL = r"(?:\((?P<{0}>含|不含)[^)]{{0,10}}\))"
SUFFIX = r"(?P<{0}>及以上|以上|及以下|以下|以内)"
_CMP = re.compile(
    rf"(?P<lead>[^\d{STOP}、]{{0,6}}?)(?P<pre>{PREFIX})?(?P<gap>(?(pre)[^\d{STOP}、]{{0,16}}?|))"
    rf"\s*(?P<n>{NUM})\s*(?P<u>{UNIT})\s*{INCL.format('incl')}?\s*{SUFFIX.format('suf')}?\s*{INCL.format('incl2')}?"
    rf"(?:\s*[-—–~至到]\s*(?P<n2>{NUM})\s*(?P<u2>{UNIT})\s*{INCL.format('incl3')}?)?"
)
_MORE = re.compile(rf"\s*[、和及]\s*(?P<n>{NUM})\s*(?P<u>{UNIT})\s*{INCL.format('incl')}?")
_SECOND = re.compile(
    rf"\s*、\s*(?P<pre>{PREFIX})?\s*(?P<n>{NUM})\s*(?P<u>{UNIT})\s*{INCL.format('incl')}?\s*{SUFFIX.format('suf')}?"
)
_PEOPLE_FIRST = re.compile(
    rf"(?P<n>{NUM})\s*[人名]\s*{INCL.format('incl')}?\s*{SUFFIX.format('suf')}的?(?P<who>参保)?(?:单位|企业)"
)
_AGE = re.compile(
    rf"(?:注册登记存续|注册成立|注册时间|成立时间|成立|存续)[^\d{STOP}、]{{0,4}}?(?P<pre>{PREFIX})?\s*"
    rf"(?P<n>{NUM})\s*个?(?:周年|年)\s*{INCL.format('incl')}?\s*{SUFFIX.format('suf')}?"
)
_GROWTH = re.compile(
    rf"^[^\d{STOP}、]{{0,4}}?(?:同比)?(?:增长率|增长|增速|增幅)[^\d{STOP}、]{{0,3}}?(?P<pre>{PREFIX})?\s*"
    rf"(?P<n>{NUM})\s*%\s*{INCL.format('incl')}?\s*{SUFFIX.format('suf')}?{INCL.format('incl2')}?"
)
_RATIO = re.compile(rf"占(?:[^\d{STOP}、]{{0,12}}?(?:比重|比例)|比)(?P<rest>)")
_FIRST_TIME = re.compile(r"首次|新认定|新获|初次|新增|新进|新纳入|新入库|新列入|新晋")
_REGISTERED = re.compile(r"注册|登记|辖区|落户|工商|税务|统计关系|位于|入驻")
_PERIOD_BEFORE = [(re.compile(r"(?:上一?年度?|去年)[^\d" + STOP + r"]{0,3}$"), "last_year"),
                  (re.compile(r"(?:当年度?|本年度|年度内)[^\d" + STOP + r"]{0,3}$"), "this_year"),
                  (re.compile(r"(?P<y>(?:19|20)\d\d)年(?:度)?[^\d" + STOP + r"]{0,3}$"), None)]  # fmt: skip
_FIELD_UNITS = {"money": "money", "number": "people", "percent": "percent"}


@dataclass
class Found:
    node: dict
    start: int
    end: int
    children: list[tuple[str, int, int]] = field(default_factory=list)  # (path below the node, start, end)


def _period(sentence: str, start: int, spec: V.FieldSpec) -> str | None:
    if not spec.indicator or spec.periodicity == "none":
        return None
    before = sentence[max(0, start - 8) : start]
    for pattern, period in _PERIOD_BEFORE:
        m = pattern.search(before)
        if m:
            return period or m.group("y")
    return None


def _stop(sentence: str, pos: int) -> int:
    ends = [i for i in (sentence.find(ch, pos) for ch in STOP) if i >= 0]
    return min(ends) if ends else len(sentence)


class SentenceGrammar:
    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.vocab = lexicon.vocabulary

    def conditions(self, sentence: str, offset: int) -> tuple[list[Found], list[Term]]:
        """The conditions of one (plain-form) sentence, and the terms found in it."""
        terms = self.lexicon.terms(sentence)
        self._terms = terms
        found: list[Found] = []
        taken: list[tuple[int, int]] = []
        for term in terms:
            if term.kind == "indicator":
                found += self._threshold(sentence, term, taken)
            elif term.kind == "growth":
                found += self._growth(sentence, term, term.value)
        found += self._people_first(sentence, taken)
        found += self._age(sentence)
        found += self._tags(sentence, terms)
        found += self._industry(terms)
        found += self._registration(sentence, terms)
        if "企业法人" in sentence:
            at = sentence.index("企业法人")
            found.append(Found({"field": "entity_type", "op": "=", "value": "enterprise"}, at, at + 4))
        found.sort(key=lambda f: f.start)
        for f in found:
            f.start += offset
            f.end += offset
            f.children = [(sub, a + offset, b + offset) for sub, a, b in f.children]
        return found, terms

    # ---- numbers ----------------------------------------------------------------------
    def _value(self, spec: V.FieldSpec, number: str, unit: str):
        n = to_number(number)
        if n is None or unit_kind(unit) != _FIELD_UNITS.get(spec.type):
            return None
        return as_json(scaled(n, unit))

    def _nearer_field(self, *, terms_between: tuple[int, int], unit: str) -> bool:
        """Another indicator of the number's unit stands between: the number is that one's."""
        a, b = terms_between
        for t in self._terms:
            spec = self.vocab.field(t.value) if t.kind == "indicator" else None
            if spec and a <= t.start < b and _FIELD_UNITS.get(spec.type) == unit_kind(unit):
                return True
        return False

    def _threshold(self, sentence: str, term: Term, taken: list) -> list[Found]:
        spec = self.vocab.field(term.value)
        if spec is None or spec.kind != V.NUMERIC:
            return []
        window = sentence[term.end : _stop(sentence, term.end)]
        if window.startswith("占"):  # a ratio (研发费用占营业收入比重, 研发费用占比): an indicator of its own
            ratio = _RATIO.match(window)
            code = self._derived_code(term, ("占", "比", "强度"))
            return self._ratio(sentence, term, code, term.end + ratio.start("rest")) if ratio and code else []
        growth = _GROWTH.match(window)
        if growth:
            code = self._growth_code(term)
            return self._growth(sentence, term, code) if code else []
        m = _CMP.match(window)
        if not m or (m.group("pre") is None and m.group("lead").strip() and m.group("lead")[-1] == "的"):
            return []
        op = comparison(m.group("pre"), m.group("incl") or m.group("incl2"), m.group("suf"))
        value = self._value(spec, m.group("n"), m.group("u"))
        if value is None or self._nearer_field(
            terms_between=(term.end, term.end + m.start("n")), unit=m.group("u")
        ):
            return []
        period = _period(sentence, term.start, spec)
        start, stop = term.start, term.end + m.end()

        def cond(o, v):
            c = {"field": spec.code, "op": o, "value": v}
            if period:
                c["period"] = period
            return c

        out: list[Found] = []
        if m.group("n2"):
            hi = self._value(spec, m.group("n2"), m.group("u2") or m.group("u"))
            if hi is None:
                return []
            if m.group("incl") == "含" and not m.group("incl3"):
                out = [Found(cond(">=", value), start, stop), Found(cond("<", hi), start, stop)]
            else:
                out = [Found(cond("between", [value, hi]), start, stop)]
            taken.append((start, stop))
            return out
        values = [value]
        rest = term.end + m.end()
        while more := _MORE.match(sentence, rest):
            v = self._value(spec, more.group("n"), more.group("u"))
            if v is None:
                break
            values.append(v)
            rest = more.end()
        if (
            len(values) > 1
        ):  # 达到500万元(含)、3000万元(含)、5000万元(含)以上: tiers, the lowest is the criterion
            tail = re.match(rf"\s*{SUFFIX.format('suf')}", sentence[rest:])
            op = op or comparison(None, None, tail.group("suf") if tail else None)
            if tail:
                rest += tail.end()
            if op is None:
                return []
            f = Found(cond(op, min(values) if op in (">", ">=") else max(values)), start, rest)
            f.node["_tiers"] = values
            taken.append((start, rest))
            return [f]
        if op is None:
            return []
        out.append(Found(cond(op, value), start, stop))
        second = _SECOND.match(sentence, stop)
        if second and (second.group("pre") or second.group("suf")):
            op2 = comparison(second.group("pre"), second.group("incl"), second.group("suf"))
            v2 = self._value(spec, second.group("n"), second.group("u"))
            if op2 and v2 is not None:
                out.append(Found(cond(op2, v2), second.start() + 1, second.end()))
                stop = second.end()
        taken.append((start, stop))
        return out

    def _growth_code(self, term: Term) -> str | None:
        """A growth indicator of the vocabulary for this indicator (营业收入增速 …), if defined."""
        return self._derived_code(term, ("增",))

    def _derived_code(self, term: Term, marks: tuple[str, ...]) -> str | None:
        """A per-cent indicator named after this one with one of ``marks`` (营业收入增速, 研发费用占比,
        研发投入强度 …), if the vocabulary defines one."""
        spec = self.vocab.field(term.value)
        for code, other in self.vocab.indicators.items():
            names = (term.surface, spec.name)
            if (
                other.type == "percent"
                and other.name.startswith(names)
                and any(m in other.name for m in marks)
            ):
                return code
        return None

    def _ratio(self, sentence: str, term: Term, code: str, at: int) -> list[Found]:
        m = _CMP.match(sentence, at, _stop(sentence, at))
        if not m or m.group("u") != "%" or m.group("n2"):
            return []
        return self._per_cent(sentence, term, code, m, m.end())

    def _growth(self, sentence: str, term: Term, code: str) -> list[Found]:
        m = _GROWTH.match(sentence[term.end : _stop(sentence, term.end)])
        return self._per_cent(sentence, term, code, m, term.end + m.end()) if m else []

    def _per_cent(self, sentence: str, term: Term, code: str, m: re.Match, end: int) -> list[Found]:
        """The condition on per-cent indicator ``code`` that a comparison ``m`` after ``term`` states."""
        spec = self.vocab.field(code)
        op = comparison(m.group("pre"), m.group("incl") or m.group("incl2"), m.group("suf"))
        n = to_number(m.group("n"))
        if spec is None or op is None or n is None:
            return []
        c = {"field": code, "op": op, "value": as_json(n)}
        period = _period(sentence, term.start, spec)
        if period:
            c["period"] = period
        return [Found(c, term.start, end)]

    def _people_first(self, sentence: str, taken: list) -> list[Found]:
        out = []
        for m in _PEOPLE_FIRST.finditer(sentence):
            if any(a <= m.start() < b for a, b in taken):
                continue
            code = "insured_employees" if m.group("who") else "employees"
            if code not in self.vocab.indicators:
                continue
            op = comparison(None, m.group("incl"), m.group("suf"))
            out.append(
                Found(
                    {"field": code, "op": op, "value": as_json(to_number(m.group("n")))}, m.start(), m.end()
                )
            )
        return out

    def _age(self, sentence: str) -> list[Found]:
        out = []
        for m in _AGE.finditer(sentence):
            n = to_number(m.group("n"))
            op = comparison(m.group("pre"), m.group("incl"), m.group("suf"))
            if n is None or op is None or n >= 100:
                continue
            out.append(Found({"field": "age_years", "op": op, "value": as_json(n)}, m.start(), m.end()))
        return out

    # ---- words ------------------------------------------------------------------------
    def _tags(self, sentence: str, terms: list[Term]) -> list[Found]:
        tags: list[Found] = []
        for term in terms:
            if term.kind != "tag":
                continue
            clause_start = max(sentence.rfind(ch, 0, term.start) for ch in STOP) + 1
            before = sentence[max(clause_start, term.start - 14) : term.start]
            node = {"field": "tags", "op": "has", "value": term.value}
            marker = list(_FIRST_TIME.finditer(before))
            start = term.start
            if marker or term.surface in FIRST_TIME_SURFACES:
                node["first_time"] = True
                if marker:
                    start = term.start - len(before) + marker[-1].start()
            same = next((t for t in tags if t.node["value"] == term.value), None)
            if same:  # named again: a first-time marker on any mention counts
                same.node.update({k: v for k, v in node.items() if k == "first_time"})
                continue
            tags.append(Found(node, start, term.end))
        if len(tags) < 2:
            return tags
        # 高新技术企业或科技型中小企业: members joined by 或 are one any group
        groups: list[list[Found]] = [[tags[0]]]
        for prev, cur in zip(tags, tags[1:], strict=False):
            between = sentence[prev.end : cur.start]
            if "或" in between and not re.search("且|同时|并且", between):
                groups[-1].append(cur)
            else:
                groups.append([cur])
        out = []
        for g in groups:
            if len(g) == 1:
                out.append(g[0])
            else:
                out.append(
                    Found(
                        {"any": [f.node for f in g]},
                        g[0].start,
                        g[-1].end,
                        [(f"any[{j}]", f.start, f.end) for j, f in enumerate(g)],
                    )
                )
        return out

    def _industry(self, terms: list[Term]) -> list[Found]:
        codes: list[str] = []
        spans = [t for t in terms if t.kind == "industry"]
        for t in spans:
            for c in t.value:
                if c not in codes:
                    codes.append(c)
        if not codes:
            return []
        return [Found({"field": "industry", "op": "within", "value": codes}, spans[0].start, spans[-1].end)]

    def _registration(self, sentence: str, terms: list[Term]) -> list[Found]:
        if not _REGISTERED.search(sentence):
            return []
        places = [t for t in terms if t.kind in ("place", "zone") and self._local(sentence, t.start)]
        out = []
        districts = [t for t in places if t.kind == "place"]
        codes = [t.value for t in districts]
        codes = [c for c in codes if not any(o != c and o.startswith(c) for o in codes)]
        if codes:
            out.append(
                Found(
                    {"field": "district", "op": "within", "value": list(dict.fromkeys(codes))},
                    districts[0].start,
                    districts[-1].end,
                )  # fmt: skip
            )
        zones = [t for t in places if t.kind == "zone"]
        if zones:
            values = list(dict.fromkeys(t.value for t in zones))
            node = {"field": "zone", "op": "=", "value": values[0]} if len(values) == 1 else {
                "field": "zone", "op": "in", "value": values}  # fmt: skip
            out.append(Found(node, zones[0].start, zones[-1].end))
        return out

    @staticmethod
    def _local(sentence: str, start: int) -> bool:
        """A place named on its own or after 郑州/在/于, not a zone of another city (宝鸡高新区)."""
        before = sentence[max(0, start - 3) : start]
        if not before or not ("\u4e00" <= before[-1] <= "\u9fff"):
            return True
        return before.endswith(("郑州", "郑州市", "在", "于", "均在", "位于", "河南省"))
