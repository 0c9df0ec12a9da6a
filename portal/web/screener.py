"""The calculator as a short screener: a few questions at a time, the most decisive first,
none that the answers so far make irrelevant.

The questions are the fields of ``CalculatorForm`` (what the published policies use), one
question per profile fact: 所在地 (district and zone), 行业, each company fact, each
indicator, each qualification with its dates. Which ones still matter is read from the one
three-valued evaluation (``matching.eligibility.eligibility_for_profile``): a question
matters while a policy that is neither surely eligible nor surely excluded, and whose
window has not closed, lacks its answer (``Evaluation.missing``, the award's missing data).

Qualifications are closed-world in the evaluator (a tag not held is "not met", never
"unknown", as the registry knows every tag an enterprise holds). A visitor who has not been
asked is not the registry, so the screener evaluates twice: as stated (a tag not answered is
not held) and with every unanswered qualification held (its dates and 首次 unknown). A policy
is decided when both agree; a qualification question matters to the policies whose verdict
differs. The results page shows the first reading, which is what the calculator always did.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from matching.criteria import profile_from_json
from matching.eligibility import EligibilityResult, eligibility_for_profile, policies_in_force

from .calculator import CORE_ORDER, CalculatorForm
from .selectors import criteria_conditions

MAX_INPUTS = 4  # a step asks at most this many inputs (one topic)
TOPIC_TITLES = {
    "location": _("企业所在地"),
    "industry": _("所属行业"),
    "company": _("企业基本情况"),
    "indicators": _("经营数据"),
    "tags": _("已获资质"),
}
COMPANY = ("established_on", "registered_capital", "scale", "entity_type")


@dataclass(frozen=True)
class Question:
    key: str  # "location", "industry", "registered_capital", "ind:revenue", "tag:高新技术企业"
    topic: str
    fields: tuple[str, ...]  # the form fields it shows
    legend: Any = ""  # its fieldset's legend: a qualification's name, 注册地


@dataclass
class Standing:
    """Where a visitor stands after the answers so far."""

    total: int  # policies in force
    eligible: int  # surely eligible
    excluded: int  # surely not eligible
    undecided: int
    demand: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # see ``question_demand``

    @property
    def decided(self) -> int:
        return self.eligible + self.excluded


def questions_of(form: CalculatorForm) -> list[Question]:
    """Every question the form can ask, in the form's order."""
    out: list[Question] = []
    if "district" in form.fields or "zone" in form.fields:
        fields = tuple(f for f in ("district", "zone") if f in form.fields)
        out.append(Question("location", "location", fields, legend=_("注册地")))
    if "industry" in form.fields:
        out.append(Question("industry", "industry", ("industry",)))
    out += [Question(name, "company", (name,)) for name in COMPANY if name in form.fields]
    by_code: dict[str, list[str]] = {}
    for name, code, _period in form.indicator_fields:
        by_code.setdefault(code, []).append(name)
    out += [Question(f"ind:{code}", "indicators", tuple(names)) for code, names in by_code.items()]
    for name, tag in form.tag_fields:
        extra = tuple(n for n in (f"{name}_on", f"{name}_first") if n in form.fields)
        out.append(Question(f"tag:{tag}", "tags", (name, *extra), legend=tag))
    return out


def question_key(missing: Any) -> str | None:
    """The question that answers one item of ``Evaluation.missing`` (or an award's)."""
    if not isinstance(missing, dict):
        return None
    name = missing.get("field")
    if name == "tags":
        return f"tag:{missing.get('tag')}" if missing.get("tag") else None
    if name in ("district", "zone"):
        return "location"
    if name == "age_years":
        return "established_on"
    if name in CORE_ORDER:
        return name
    return f"ind:{name}" if name else None


def _tags_in(tree: dict | None) -> set[str]:
    tags: set[str] = set()
    for cond in criteria_conditions(tree):
        if cond.get("field") == "tags":
            value = cond.get("value")
            tags.update(value if isinstance(value, list) else [value])
    return tags


def stated_profile(form: CalculatorForm, *, answered: set[str]) -> dict[str, Any]:
    """The profile of what was answered (a valid form): a question not answered stays unknown."""
    profile = form.profile_json()
    if "location" not in answered:
        profile.pop("district", None)
        profile.pop("zone", None)
    return profile


def standing(
    form: CalculatorForm, *, answered: set[str], as_of: datetime.date
) -> tuple[Standing, EligibilityResult]:
    """Evaluate the answers so far (see the module's note): the counts, what each unasked
    question would still decide, and the result as stated."""
    profile = stated_profile(form, answered=answered)
    stated = eligibility_for_profile(profile=profile_from_json(profile), as_of=as_of)
    open_tags = [tag for _name, tag in form.tag_fields if f"tag:{tag}" not in answered]
    hopeful_profile = dict(profile, tags=list(profile.get("tags", [])) + [{"name": t} for t in open_tags])
    hopeful = eligibility_for_profile(profile=profile_from_json(hopeful_profile), as_of=as_of)
    total = len(policies_in_force(as_of=as_of))
    sure = {i.policy.id for i in stated.eligible}
    maybe = {i.policy.id for i in hopeful.eligible + hopeful.possible}
    undecided = [i for i in hopeful.eligible + hopeful.possible if i.policy.id not in sure]
    excluded = total - len(maybe)
    result = Standing(total=total, eligible=len(sure), excluded=excluded, undecided=len(undecided))
    result.demand = question_demand(undecided, stated, open_tags=set(open_tags))
    return result, stated


def question_demand(undecided: list, stated: EligibilityResult, *, open_tags: set[str]) -> dict:
    """For each question: (open undecided policies whose verdict waits on it, of them those it
    alone would decide, open policies whose amount waits on it)."""
    waiting: Counter = Counter()
    alone: Counter = Counter()
    amounts: Counter = Counter()
    for item in undecided:
        if item.closed:
            continue
        keys = {question_key(m) for m in item.missing} | {
            f"tag:{t}" for t in _tags_in(item.policy.criteria) & open_tags
        }
        keys.discard(None)
        for key in keys:
            waiting[key] += 1
            if len(keys) == 1:
                alone[key] += 1
    for item in stated.eligible + stated.possible:
        if not item.closed and item.amount is None:
            for key in {question_key(m) for m in item.award_missing} - {None}:
                amounts[key] += 1
    keys = set(waiting) | set(amounts)
    return {k: (waiting[k], alone[k], amounts[k]) for k in keys}


def next_step(form: CalculatorForm, position: Standing, *, asked: set[str]) -> list[Question]:
    """The next step: the unasked question that decides the most policies (then the most on its
    own, then the most amounts; the form's order breaks ties), with the next ones of the same
    topic while the step stays within ``MAX_INPUTS`` inputs. [] when nothing is left to ask."""
    questions = questions_of(form)
    order = {q.key: i for i, q in enumerate(questions)}
    candidates = [q for q in questions if q.key not in asked and any(position.demand.get(q.key, ()))]
    if not candidates:
        return []
    candidates.sort(key=lambda q: (tuple(-n for n in position.demand[q.key]), order[q.key]))
    first = candidates[0]
    step, inputs = [first], len(first.fields)
    for question in candidates[1:]:
        if question.topic == first.topic and inputs + len(question.fields) <= MAX_INPUTS:
            step.append(question)
            inputs += len(question.fields)
    return step


def answered_fields(form: CalculatorForm, questions: list[Question]) -> dict[str, str]:
    """The stated values of ``questions`` as strings, to carry to the next step in hidden inputs
    (a qualification answered "no" is carried as "false" so that it stays answered)."""
    out: dict[str, str] = {}
    for question in questions:
        for name in question.fields:
            value = form.cleaned_data.get(name)
            if isinstance(value, bool):
                if value or not name.endswith("_first"):
                    out[name] = "on" if value else "false"
            elif isinstance(value, datetime.date):
                out[name] = value.isoformat()
            elif value not in (None, ""):
                out[name] = str(value)
    return out
