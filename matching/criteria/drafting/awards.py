"""The award of one sentence: 给予 X 万元奖励, 最高 X 万元 (a ceiling), 按 … 的 X% 给予补助最高不超过
Y 万元 (a share with a cap), 分别给予 A、B 万元 / 分别按 a%、b% with the tiers of the sentence's
threshold, 大型企业按 a%、中小微企业按 b% (cases by size)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .. import vocabulary as V
from .lexicon import Term
from .numbers import NUM, as_json, money_text, scaled, to_number

_MONEY = r"(?:亿元|万元|元)"
_VERB = r"(?:给予|奖励|奖补|补助|资助|补贴|支持|返还|贴息)"
_FIXED = re.compile(
    rf"(?:{_VERB}[^\d,;。%]{{0,10}}?(?P<max>最高|最多)?(?:不超过)?\s*(?P<n>{NUM})\s*(?P<u>{_MONEY})"
    rf"|(?P<max2>最高|最多)?\s*(?P<n2>{NUM})\s*(?P<u2>{_MONEY})的?(?:一次性)?(?:资金)?(?:事后)?"
    rf"(?:奖励|补助|奖补|资助|补贴|支持))"
)
_LIST = re.compile(rf"\s*[、和]\s*(?P<n>{NUM})\s*(?P<u>{_MONEY})")
_TOTAL = re.compile(rf"[(（]共\s*(?P<n>{NUM})\s*(?P<u>{_MONEY})[)）]")
_SHARE = re.compile(
    rf"按(?:照)?(?P<base>[^,;。%\d]{{0,24}}?)(?:的)?(?P<p>{NUM})\s*%(?P<more>(?:\s*、\s*{NUM}\s*%)*)"
)
_CAP = re.compile(
    rf"(?:最高|最多|上限为?|不超过)(?:不超过|可达|给予|奖励|补助|为)?\s*(?P<n>{NUM})\s*(?P<u>{_MONEY})"
)
_SIZE = [(re.compile(r"大型企业"), {"field": "scale", "op": "in", "value": ["large"]})]
_ELSE_SIZE = re.compile(r"中小微企业|中小企业|小微企业")
_MONEY_TYPES = {"money"}


@dataclass
class AwardFound:
    award: dict
    start: int
    end: int
    basis: str = ""  # "up_to" when the text names a ceiling


def _money(n: str, u: str) -> Decimal | None:
    v = to_number(n)
    return None if v is None else scaled(v, u)


def _rate(p: str) -> str:
    return money_text(to_number(p) / 100)


class AwardGrammar:
    def __init__(self, vocabulary: V.Vocabulary):
        self.vocab = vocabulary

    def award(self, sentence: str, terms: list[Term], tiers: dict | None, taken: list) -> AwardFound | None:
        """The award a sentence states, if any; ``tiers`` is a condition with ``_tiers`` values."""
        shares = [m for m in _SHARE.finditer(sentence) if self._base(sentence, terms, m)]
        if shares:
            return self._share(sentence, terms, shares, tiers)
        return self._fixed(sentence, tiers, taken)

    # ---- shares -----------------------------------------------------------------------
    def _base(self, sentence: str, terms: list[Term], m: re.Match) -> str | None:
        """The indicator a share is of: named after 按, else the nearest money indicator before it."""
        inside = [t for t in terms if t.kind == "indicator" and m.start() <= t.start < m.start("p")]
        before = [t for t in terms if t.kind == "indicator" and t.end <= m.start()]
        for t in reversed(inside or before[-1:]):
            spec = self.vocab.field(t.value)
            if spec and spec.indicator and spec.type in _MONEY_TYPES:
                return t.value
        return None

    def _share(self, sentence: str, terms: list[Term], shares: list[re.Match], tiers: dict | None):
        first, last = shares[0], shares[-1]
        cap_m = _CAP.search(sentence, first.end())
        cap = _money(cap_m.group("n"), cap_m.group("u")) if cap_m else None
        end = max(last.end(), cap_m.end() if cap_m else 0)
        before = sentence[: first.start("p")]
        period = ""
        if re.search(r"上一?年度?[^,;。]*$", before):  # 按上年度研发费用的 5%: that period's value
            period = "@last_year"
        elif re.search(r"(?:当年度?|本年度)[^,;。]*$", before):
            period = "@this_year"
        base = self._base(sentence, terms, first) + period
        rates = [first.group("p"), *re.findall(NUM, first.group("more") or "")]
        if len(shares) == 1 and len(rates) == 1:
            amount = f"{_rate(rates[0])} * {base}"
            if cap is not None:
                amount = f"min({amount}, {money_text(cap)})"
            return AwardFound({"amount": amount}, first.start(), end)
        if tiers and len(rates) == len(tiers["_tiers"]) and len(shares) == 1:
            cases = self._tier_cases(tiers, [f"{_rate(r)} * {base}" for r in rates])
            award = {"cases": cases}
            if cap is not None:
                award["cap"] = money_text(cap)
            return AwardFound(award, first.start(), end)
        # 大型企业按 30%、中小微企业按 60%: one case per size, the others last
        cases, default = [], None
        for m in shares:
            before = sentence[max(0, m.start() - 12) : m.start()]
            own = self._base(sentence, terms, m)
            expr = f"{_rate(m.group('p'))} * {own + period if own else base}"
            for pattern, when in _SIZE:
                if pattern.search(before):
                    cases.append({"when": when, "amount": expr})
                    break
            else:
                if _ELSE_SIZE.search(before) or default is None:
                    default = expr
        if not cases or default is None:
            return None
        cases.append({"when": {}, "amount": default})
        award = {"cases": cases}
        if cap is not None:
            award["cap"] = money_text(cap)
        return AwardFound(award, first.start(), end)

    # ---- fixed sums -------------------------------------------------------------------
    def _fixed(self, sentence: str, tiers: dict | None, taken: list) -> AwardFound | None:
        for m in _FIXED.finditer(sentence):
            n, u = (m.group("n"), m.group("u")) if m.group("n") else (m.group("n2"), m.group("u2"))
            num_at = m.start("n") if m.group("n") else m.start("n2")
            if any(a <= num_at < b for a, b in taken):
                continue
            amounts = [_money(n, u)]
            end = m.end()
            while more := _LIST.match(sentence, end):
                amounts.append(_money(more.group("n"), more.group("u")))
                end = more.end()
            if any(a is None for a in amounts):
                return None
            total = _TOTAL.search(sentence, end)
            if total:
                amounts, end = [_money(total.group("n"), total.group("u"))], total.end()
            ceiling = (
                bool(m.group("max") or m.group("max2"))
                or "最高" in sentence[max(0, m.start() - 4) : m.start()]
            )
            if len(amounts) == 1:
                return AwardFound(
                    {"amount": money_text(amounts[0])}, m.start(), end, "up_to" if ceiling else ""
                )
            if tiers and len(amounts) == len(tiers["_tiers"]):
                cases = self._tier_cases(tiers, [money_text(a) for a in amounts])
                return AwardFound({"cases": cases}, m.start(), end, "up_to" if ceiling else "")
            return None  # 分别给予 A、B 万元 for kinds the vocabulary cannot tell apart
        return None

    @staticmethod
    def _tier_cases(tiers: dict, amounts: list[str]) -> list[dict]:
        """Thresholds listed low to high with their amounts → cases, highest tier first."""
        pairs = sorted(zip(tiers["_tiers"], amounts, strict=True), key=lambda p: p[0], reverse=True)
        cases = [{"when": {"field": tiers["field"], "op": tiers["op"], "value": as_json(Decimal(str(v)))},
                  "amount": a} for v, a in pairs[:-1]]  # fmt: skip
        for case in cases:
            if "period" in tiers:
                case["when"]["period"] = tiers["period"]
        cases.append({"when": {}, "amount": pairs[-1][1]})
        return cases
