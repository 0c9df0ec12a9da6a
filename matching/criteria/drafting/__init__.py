"""Drafting criteria and an award from a policy's text (政策颗粒化), by rules.

``draft_text(text, vocabulary=...)`` reads a clause or a whole document sentence by sentence
(jieba finds the words, a grammar of the phrasing Chinese policy documents use reads the
thresholds, qualifications, places, industries and amounts) and proposes:

- ``criteria``: a §4 tree, validated by the domain validator (``{"all": [...]}``);
- ``award``: a validated award or ``None``, and ``award_basis`` ("up_to" when the text names a
  ceiling, else "");
- ``spans``: for each condition path (``all[0]``, ``all[2].any[1]``) and for ``award``, the
  character range of the words it came from (Python offsets into the text, end exclusive);
- ``unparsed``: the sentences from which nothing was drafted.

A draft is a proposal: it only fills the form, and an official confirms it before anything is
published. See docs/criteria-drafting.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .. import vocabulary as V
from ..award import validate_award
from ..errors import CriteriaError
from ..validate import validate
from .awards import AwardFound, AwardGrammar
from .grammar import Found, SentenceGrammar
from .lexicon import Lexicon
from .numbers import plain

MAX_TEXT = 50000
_SENTENCE_END = re.compile(r"[。;；!！?？\n]+")


@dataclass
class Draft:
    criteria: dict
    award: dict | None
    award_basis: str = ""
    spans: list[dict] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, white space trimmed, empty ones left out."""
    out, pos = [], 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m else len(text)
        piece = text[pos:end]
        lead = len(piece) - len(piece.lstrip())
        s, e = pos + lead, pos + len(piece.rstrip())
        if e > s:
            out.append((s, e))
        if m:
            pos = m.end()
    return out


def _valid(node: dict, vocabulary: V.Vocabulary) -> bool:
    try:
        validate({"all": [node]}, vocabulary=vocabulary)
    except CriteriaError:
        return False
    return True


def _plain_node(node: dict) -> dict:
    return {k: v for k, v in node.items() if k != "_tiers"}


def _key(node: dict) -> str:
    return repr(sorted((k, repr(v)) for k, v in node.items()))


Across = tuple[dict, list[Found], set[int]]  # the award, conditions to add, ids of conditions to drop


def _tiers_across(per_sentence: list[tuple[list[Found], AwardFound | None]]) -> Across | None:
    """分档 over sentences: each states a lower bound on one indicator and a fixed or formula amount
    → the lowest bound is the criterion and the award is one case per tier, highest first."""
    rows = []
    for found, award in per_sentence:
        if award is None or "amount" not in award.award:
            continue
        lows = [f for f in found if f.node.get("op") in (">", ">=") and "field" in f.node]
        if len(lows) != 1:
            return None
        rows.append((lows[0], award))
    if len(rows) < 2 or len({r[0].node["field"] for r in rows}) != 1:
        return None
    rows.sort(key=lambda r: r[0].node["value"], reverse=True)
    cases = [{"when": dict(low.node), "amount": a.award["amount"]} for low, a in rows[:-1]]
    cases.append({"when": {}, "amount": rows[-1][1].award["amount"]})
    tier_field = rows[0][0].node["field"]
    drop = {
        id(f) for found, award in per_sentence if award for f in found if f.node.get("field") == tier_field
    }
    return {"cases": cases}, [rows[-1][0]], drop


def _cases_across(per_sentence: list[tuple[list[Found], AwardFound | None]]) -> Across | None:
    """情形 over sentences (对国家级…奖励100万元；对省级…奖励30万元): each states its own conditions and
    a fixed sum → the criterion is any of them and the award one case each, the highest first."""
    rows = [(found, award) for found, award in per_sentence if award]
    if len(rows) < 2 or any(not found or "amount" not in a.award for found, a in rows):
        return None
    try:
        amounts = [Decimal(a.award["amount"]) for _f, a in rows]
    except InvalidOperation:
        return None  # a formula: no order to tell
    members, children, cases = [], [], []
    ordered = [row for row, _amount in sorted(zip(rows, amounts, strict=True), key=lambda r: -r[1])]
    for j, (found, award) in enumerate(ordered):
        nodes = [_plain_node(f.node) for f in found]
        member = nodes[0] if len(nodes) == 1 else {"all": nodes}
        members.append(member)
        cases.append({"when": member, "amount": award.award["amount"]})
        for i, f in enumerate(found):
            path = f"any[{j}]" if len(nodes) == 1 else f"any[{j}].all[{i}]"
            children += [(path, f.start, f.end), *((f"{path}.{sub}", a, b) for sub, a, b in f.children)]
    start, end = min(c[1] for c in children), max(c[2] for c in children)
    group = Found({"any": members}, start, end, children)
    drop = {id(f) for found, _a in rows for f in found}
    return {"cases": cases}, [group], drop


def draft_text(text: str, *, vocabulary: V.Vocabulary) -> Draft:
    """Propose criteria and an award for ``text`` (see the module's docstring)."""
    lexicon = Lexicon(vocabulary)
    grammar, award_grammar = SentenceGrammar(lexicon), AwardGrammar(vocabulary)
    work = plain(text)
    per_sentence: list[tuple[list[Found], AwardFound | None]] = []
    unparsed: list[str] = []
    for s, e in sentences(work):
        found, terms = grammar.conditions(work[s:e], s)
        found = [f for f in found if _valid(_plain_node(f.node), vocabulary)]
        tiers = next((f.node for f in found if "_tiers" in f.node), None)
        taken = [(f.start - s, f.end - s) for f in found if "field" in f.node]
        award = award_grammar.award(work[s:e], terms, tiers, taken)
        if award:
            award.start += s
            award.end += s
        per_sentence.append((found, award))
        if not found and not award:
            unparsed.append(text[s:e])
    awards = [a for _f, a in per_sentence if a]
    across = (_tiers_across(per_sentence) or _cases_across(per_sentence)) if len(awards) > 1 else None
    drop = across[2] if across else set()
    conditions = [f for found, _award in per_sentence for f in found if id(f) not in drop]
    if across:
        conditions = sorted(conditions + across[1], key=lambda f: f.start)
    seen, nodes, spans = set(), [], []
    for f in conditions:
        node = _plain_node(f.node)
        if _key(node) in seen:
            continue
        seen.add(_key(node))
        path = f"all[{len(nodes)}]"
        nodes.append(node)
        spans.append({"path": path, "start": f.start, "end": f.end})
        spans += [{"path": f"{path}.{sub}", "start": a, "end": b} for sub, a, b in f.children]
    criteria = validate({"all": nodes}, vocabulary=vocabulary)
    award, basis = None, ""
    if across:
        award = across[0]
        spans += [{"path": "award", "start": a.start, "end": a.end} for a in awards]
    elif awards:
        award, basis = awards[0].award, awards[0].basis
        spans.append({"path": "award", "start": awards[0].start, "end": awards[0].end})
    if award is not None:
        try:
            award = validate_award(award, vocabulary=vocabulary)
        except CriteriaError:
            award, basis = None, ""
            spans = [sp for sp in spans if sp["path"] != "award"]
    return Draft(
        criteria=criteria, award=award, award_basis=basis if award else "", spans=spans, unparsed=unparsed
    )


__all__ = ["MAX_TEXT", "Draft", "draft_text", "sentences"]
