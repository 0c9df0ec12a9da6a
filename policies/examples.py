"""Example enterprises (样例企业): a policy's regression tests, as OpenFisca keeps a test
per rule. Each example is a §6 profile with the verdict and amount the official expects;
``run_examples`` evaluates them with the criteria engine (the same ``evaluate`` and
``award_amount`` every page uses) and says, per example, expected against actual, pass or
fail, and why (the engine's Chinese explanations).

They run on every save (``examples_run_store``: results kept on the example), in the reach
preview (``run_examples`` with the unsaved criteria and award) and before publishing
(``examples_publish_refusal``): an example that fails, or whose verdict differs from the one
the last published version gave, blocks publication until a reviewer acknowledges it
(``examples_acknowledge``: who and when, kept on the example and in the policy's history).
An acknowledgement holds for the result it saw: changing the criteria again, the award or
the example asks for a new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from matching.criteria import CriteriaError, award_amount, evaluate, profile_from_json
from matching.criteria.award_kind import award_kind, award_kind_label
from matching.criteria.render import fmt_money

from .models import ExampleVerdict, Policy, PolicyExample, PolicyStatus, PolicyVersion
from .permissions import user_can_edit_policy, user_is_official_of, user_is_reviewer_of
from .versions import version_record

VERDICT_TEXT = dict(ExampleVerdict.choices)
CENT = Decimal("0.01")
MAX_EXAMPLES = 50


@dataclass
class Rules:
    """The criteria, award and declared award basis an example is run against."""

    criteria: dict
    award: dict | None
    award_basis: str = ""

    @classmethod
    def of(cls, source: Policy | dict) -> Rules:
        if isinstance(source, Policy):
            return cls(source.criteria or {}, source.award or None, source.award_basis or "")
        return cls(source.get("criteria") or {}, source.get("award") or None, source.get("award_basis") or "")


@dataclass
class ExampleResult:
    example: PolicyExample
    expected_verdict: str
    expected_amount: Decimal | None
    actual_verdict: str | None  # None: the example's profile cannot be read (``error``)
    actual_amount: Decimal | None = None
    amount_text: str = ""
    passed: bool = False
    summary: str = ""  # one line: why it passes or fails
    reasons: list[str] = field(default_factory=list)  # every condition, met or not, in Chinese
    published_verdict: str | None = None  # under the last published version (None: none)
    acknowledged: bool = False
    error: str = ""
    state: str = ""  # what an acknowledgement refers to

    @property
    def verdict_changed(self) -> bool:
        return self.published_verdict is not None and self.published_verdict != self.actual_verdict

    @property
    def needs_ack(self) -> bool:
        """Blocks publication until a reviewer acknowledges it."""
        return (not self.passed or self.verdict_changed) and not self.acknowledged

    def verdict_label(self, verdict: str | None) -> str:
        return VERDICT_TEXT.get(verdict, "无法判断") if verdict else "无法判断"

    def as_json(self) -> dict:
        return json.loads(
            json.dumps(
                {
                    "verdict": self.actual_verdict,
                    "amount": self.actual_amount,
                    "amount_text": self.amount_text,
                    "passed": self.passed,
                    "summary": self.summary,
                    "reasons": self.reasons,
                    "published_verdict": self.published_verdict,
                    "verdict_changed": self.verdict_changed,
                    "acknowledged": self.acknowledged,
                    "error": self.error,
                },
                cls=DjangoJSONEncoder,
                ensure_ascii=False,
            )
        )


@dataclass
class ExamplesReport:
    results: list[ExampleResult]
    kind: str | None = None  # the award's kind under the rules run
    kind_label: str = ""

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failed(self) -> list[ExampleResult]:
        return [r for r in self.results if not r.passed]

    @property
    def changed(self) -> list[ExampleResult]:
        return [r for r in self.results if r.verdict_changed]

    @property
    def needs_ack(self) -> list[ExampleResult]:
        return [r for r in self.results if r.needs_ack]

    @property
    def refusal(self) -> str:
        """Why the policy may not be published yet (Chinese), or ""."""
        if not self.needs_ack:
            return ""
        parts = "；".join(f"「{r.example.name}」{r.summary}" for r in self.needs_ack)
        if any(not r.passed for r in self.needs_ack):
            return (
                f"样例企业未通过，不能发布：{parts}。请修改申报条件、奖补金额或样例的预期结果；"
                "如确属有意调整，请审核人员确认样例变化后再发布。"
            )
        return f"样例企业的结论与已发布版本不同，须审核人员确认后才能发布：{parts}。"


# --- validation ------------------------------------------------------------------------------


def example_clean(data: dict) -> dict:
    """An example's fields, checked: ``{"name", "profile", "as_of", "expected_verdict",
    "expected_amount"}`` → the same with the profile read by the criteria engine (its errors
    name the path), or ``ValidationError`` keyed by field, in Chinese."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    unknown = sorted(set(data) - {"id", "name", "profile", "as_of", "expected_verdict", "expected_amount"})
    if unknown:
        errors["__all__"] = [f"未知字段：{'、'.join(unknown)}。"]
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = ["请填写样例名称（例如：注册在金水区的首次认定高企）。"]
    out["name"] = name[:100]
    try:
        profile_from_json(data.get("profile") or {})
        out["profile"] = data.get("profile") or {}
    except CriteriaError as exc:
        errors["profile"] = [f"{e.get('path', '')}：{e.get('message', '')}" for e in exc.errors]
    as_of = data.get("as_of") or timezone.localdate()
    if not isinstance(as_of, dt.date):
        try:
            as_of = dt.date.fromisoformat(str(as_of))
        except ValueError:
            errors["as_of"] = [f"评估日期格式不正确：{as_of!r}（应为 YYYY-MM-DD）。"]
    out["as_of"] = as_of
    verdict = data.get("expected_verdict")
    if verdict not in ExampleVerdict.values:
        errors["expected_verdict"] = ["预期结果应为：符合、可能符合（缺数据）或不符合。"]
    out["expected_verdict"] = verdict
    amount = data.get("expected_amount")
    if amount in (None, ""):
        out["expected_amount"] = None
    else:
        try:
            out["expected_amount"] = Decimal(str(amount)).quantize(CENT)
            if not 0 <= out["expected_amount"] < 10**18:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["expected_amount"] = [f"预期金额应为不小于0的数字（元）：{amount!r}。"]
    if errors:
        raise ValidationError(errors)
    return out


# --- running -----------------------------------------------------------------------------------


def _published_rules(policy: Policy) -> Rules | None:
    """The criteria and award of the policy's last published version (None: never published)."""
    if policy.pk is None:
        return None
    if policy.status == PolicyStatus.PUBLISHED:
        # A published policy's stored rules are the published ones (revisions apply at once;
        # ``policy_update`` passes the rules before the revision itself).
        stored = Policy.objects.filter(pk=policy.pk).values("criteria", "award", "award_basis").first()
        return Rules.of(stored) if stored else None
    for version in PolicyVersion.objects.filter(policy_id=policy.pk).order_by("-number").only("snapshot"):
        if version.snapshot.get("status") == PolicyStatus.PUBLISHED:
            return Rules.of(version.snapshot)
    return None


def _state(example: PolicyExample, rules: Rules, result: ExampleResult) -> str:
    payload = [
        rules.criteria,
        rules.award,
        rules.award_basis,
        example.profile,
        example.as_of,
        example.expected_verdict,
        example.expected_amount,
        result.actual_verdict,
        result.actual_amount,
    ]
    text = json.dumps(payload, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _verdict(rules: Rules, profile, as_of: dt.date):
    evaluation = evaluate(rules.criteria, profile, as_of=as_of)
    amount = None
    if evaluation.result != ExampleVerdict.NOT_ELIGIBLE and rules.award:
        amount = award_amount(rules.award, profile, as_of=as_of)
    return evaluation, amount


def example_run(example: PolicyExample, rules: Rules, *, published: Rules | None = None) -> ExampleResult:
    """One example under ``rules`` (and the verdict the last published rules gave)."""
    result = ExampleResult(
        example=example,
        expected_verdict=example.expected_verdict,
        expected_amount=example.expected_amount,
        actual_verdict=None,
    )
    try:
        profile = profile_from_json(example.profile or {})
    except CriteriaError as exc:
        result.error = "；".join(f"{e.get('path', '')}：{e.get('message', '')}" for e in exc.errors)
        result.summary = f"企业画像有误：{result.error}"
        result.state = _state(example, rules, result)
        return result
    evaluation, award = _verdict(rules, profile, example.as_of)
    result.actual_verdict = evaluation.result
    result.reasons = [c.text for c in evaluation.conditions] or ["不限条件（所有企业）"]
    if award is not None:
        result.actual_amount, result.amount_text = award.amount, award.text
        result.reasons.append(award.text)
    if published is not None:
        result.published_verdict = evaluate(published.criteria, profile, as_of=example.as_of).result
    expected, actual = result.verdict_label(example.expected_verdict), result.verdict_label(evaluation.result)
    problems = []
    if evaluation.result != example.expected_verdict:
        problems.append(f"预期{expected}，实际{actual}")
    if example.expected_amount is not None:
        if result.actual_amount is None:
            why = award.text if award is not None else "未设定奖补金额或不符合条件"
            problems.append(f"预期金额{fmt_money(example.expected_amount)}，实际无法计算（{why}）")
        elif result.actual_amount.quantize(CENT) != example.expected_amount.quantize(CENT):
            problems.append(
                f"预期金额{fmt_money(example.expected_amount)}，实际{fmt_money(result.actual_amount)}"
            )
    result.passed = not problems
    if problems:
        result.summary = "；".join(problems)
    else:
        amount = f"，金额{fmt_money(result.actual_amount)}" if result.actual_amount is not None else ""
        result.summary = f"通过：{actual}{amount}"
    if result.verdict_changed:
        before = result.verdict_label(result.published_verdict)
        result.summary += f"（与已发布版本相比：由{before}变为{actual}）"
    result.state = _state(example, rules, result)
    result.acknowledged = bool(example.acknowledged_state) and example.acknowledged_state == result.state
    return result


def run_examples(
    policy: Policy,
    *,
    criteria: dict | None = None,
    award: dict | None | str = "stored",
    award_basis: str | None = None,
    published: Rules | None | str = "stored",
) -> ExamplesReport:
    """Run the policy's examples against its stored criteria and award, or against the ones
    given (unsaved, for the reach preview; ``award=None`` is "no award"). ``published``: the
    rules to compare verdicts with (default: the last published version's)."""
    rules = Rules(
        criteria if criteria is not None else (policy.criteria or {}),
        (policy.award or None) if award == "stored" else award,
        award_basis if award_basis is not None else (policy.award_basis or ""),
    )
    if published == "stored":
        published = _published_rules(policy)
    examples = list(policy.examples.all()) if policy.pk else []
    kind = award_kind(rules.award, rules.award_basis)
    return ExamplesReport(
        results=[example_run(e, rules, published=published) for e in examples],
        kind=kind,
        kind_label=award_kind_label(kind),
    )


def examples_run_store(*, policy: Policy, published: Rules | None | str = "stored") -> ExamplesReport:
    """Run the examples and keep each result on its example (run after every save)."""
    report = run_examples(policy, published=published)
    now = timezone.now()
    for result in report.results:
        example = result.example
        example.last_run, example.last_run_at = result.as_json(), now
        PolicyExample.objects.filter(pk=example.pk).update(last_run=example.last_run, last_run_at=now)
    return report


# --- writes -------------------------------------------------------------------------------------


@transaction.atomic
def examples_replace(*, policy: Policy, actor, examples: list[dict]) -> ExamplesReport:
    """Set the policy's examples (each checked by ``example_clean``) and run them. The
    department's officials edit examples of a draft; reviewers those of any policy."""
    if actor is not None and not (
        user_can_edit_policy(actor, policy) or user_is_reviewer_of(actor, policy.department_id)
    ):
        name = policy.department.name
        if not user_is_official_of(actor, policy.department_id):
            raise PermissionDenied(f"您不是「{name}」的工作人员，不能修改该政策的样例企业。")
        raise PermissionDenied("已发布的政策只能由本部门审核人员修改样例企业。")
    if len(examples) > MAX_EXAMPLES:
        raise ValidationError({"examples": [f"样例企业最多 {MAX_EXAMPLES} 个。"]})
    clean, errors = [], []
    for i, data in enumerate(examples):
        try:
            clean.append(example_clean(data))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors += [
                    f"第{i + 1}个样例{'' if key == '__all__' else f'（{key}）'}：{m}" for m in messages
                ]
    if errors:
        raise ValidationError({"examples": errors})
    policy.examples.all().delete()
    PolicyExample.objects.bulk_create(
        PolicyExample(policy=policy, position=i, **data) for i, data in enumerate(clean)
    )
    return examples_run_store(policy=policy)


@transaction.atomic
def examples_acknowledge(
    *, policy: Policy, actor, report: ExamplesReport | None = None
) -> list[PolicyExample]:
    """A reviewer of the policy's department accepts the results its examples now give (a
    failing example or a verdict changed since the last published version). Records who and
    when on each example and a line in the policy's history; returns the examples acknowledged."""
    if actor is None or not user_is_reviewer_of(actor, policy.department_id):
        raise PermissionDenied(f"只有「{policy.department.name}」的审核人员可以确认样例企业的变化。")
    report = report or run_examples(policy)
    now = timezone.now()
    done = []
    for result in report.needs_ack:
        example = result.example
        example.acknowledged_state, example.acknowledged_by, example.acknowledged_at = (
            result.state,
            actor,
            now,
        )
        example.save(update_fields=["acknowledged_state", "acknowledged_by", "acknowledged_at"])
        done.append(example)
    if done:
        names = "、".join(f"「{e.name}」" for e in done)
        version_record(policy=policy, actor=actor, comment=f"审核人员确认样例变化：{names}"[:200], force=True)
        examples_run_store(policy=policy)
    return done


def examples_publish_refusal(policy: Policy, *, published: Rules | None | str = "stored") -> str:
    """Why the examples keep ``policy`` from being published (Chinese), or ""."""
    return run_examples(policy, published=published).refusal
