"""Policy versions: a snapshot after every change and a field-level record of what
changed; criteria and award changes are also shown as a diff of their Chinese renderings."""

from __future__ import annotations

import difflib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from .models import Policy, PolicyVersion
from .rules import award_lines, criteria_lines

# Fields whose change alters who matches or what they get: bumps ``Policy.version``.
MATCH_FIELDS = ("criteria", "award", "award_basis", "auto_grant", "exclusive_group")

# The policy's own fields an official edits (``policies.services``), and its child rows'.
EDITABLE_FIELDS = (
    "title",
    "doc_number",
    "level",
    "benefit_type",
    "summary",
    "body",
    "criteria",
    "award",
    "award_basis",
    "auto_grant",
    "exclusive_group",
    "apply_start",
    "apply_end",
    "valid_from",
    "valid_until",
    "processing_days",
    "contact",
    "source_url",
    "source_name",
)
INTERPRETATION_FIELDS = ("kind", "title", "body", "question", "answer", "url")
MATERIAL_FIELDS = ("name", "description", "required", "from_shared_data")
EXAMPLE_FIELDS = ("name", "profile", "as_of", "expected_verdict", "expected_amount")

# A snapshot: those fields, the status, and the relations (see ``policy_snapshot``).
SNAPSHOT_FIELDS = (*EDITABLE_FIELDS, "status")

FIELD_LABELS = {
    "title": "标题",
    "doc_number": "文号",
    "department": "牵头部门",
    "co_departments": "联合发文部门",
    "level": "层级",
    "benefit_type": "支持方式",
    "summary": "摘要",
    "body": "正文",
    "status": "状态",
    "criteria": "申报条件",
    "award": "奖补金额",
    "award_basis": "金额性质",
    "auto_grant": "免申即享",
    "exclusive_group": "从高不重复组",
    "apply_start": "申报开始",
    "apply_end": "申报截止",
    "valid_from": "有效期起",
    "valid_until": "有效期止",
    "processing_days": "办理时限",
    "contact": "咨询方式",
    "service_point": "服务窗口",
    "source_url": "原文链接",
    "source_name": "来源",
    "interpretations": "政策解读",
    "materials": "申报材料",
    "examples": "样例企业",
}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def policy_snapshot(policy: Policy) -> dict:
    """Plain-JSON picture of a policy with its interpretations and materials."""
    snap: dict[str, Any] = {f: getattr(policy, f) for f in SNAPSHOT_FIELDS}
    snap["department"] = policy.department.code if policy.department_id else None
    snap["co_departments"] = sorted(policy.co_departments.values_list("code", flat=True)) if policy.pk else []
    snap["service_point"] = policy.service_point.name if policy.service_point_id else None
    snap["interpretations"] = [
        {k: getattr(i, k) for k in INTERPRETATION_FIELDS} for i in policy.interpretations.all()
    ]
    snap["materials"] = [{k: getattr(m, k) for k in MATERIAL_FIELDS} for m in policy.materials.all()]
    snap["examples"] = (
        [{k: getattr(e, k) for k in EXAMPLE_FIELDS} for e in policy.examples.all()] if policy.pk else []
    )
    return _jsonable(snap)


def snapshot_changes(old: dict | None, new: dict) -> dict:
    """``{field: {"label", "old", "new", ["diff"]}}`` for every field that differs."""
    if old is None:  # the first version: everything is new, nothing "changed"
        return {}
    changes: dict[str, Any] = {}
    for field, value in new.items():
        before = old.get(field)
        if before == value:
            continue
        entry: dict[str, Any] = {"label": FIELD_LABELS.get(field, field), "old": before, "new": value}
        if field == "criteria":
            entry["diff"] = text_diff(criteria_lines(before), criteria_lines(value))
        elif field == "award":
            entry["diff"] = text_diff(award_lines(before), award_lines(value))
        changes[field] = entry
    return changes


def text_diff(old_lines: list[str], new_lines: list[str]) -> list[str]:
    """Lines prefixed "- " (removed), "+ " (added) or "  " (kept)."""
    out = []
    for line in difflib.ndiff(old_lines, new_lines):
        if line.startswith(("- ", "+ ", "  ")):
            out.append(line)
    return out


def version_record(*, policy: Policy, actor, comment: str, force: bool = False) -> PolicyVersion | None:
    """Keep a version when the policy differs from its last one (or ``force``)."""
    last = policy.versions.order_by("-number").first()
    snap = policy_snapshot(policy)
    changes = snapshot_changes(last.snapshot if last else None, snap)
    if last is not None and not changes and not force:
        return None
    return PolicyVersion.objects.create(
        policy=policy,
        number=(last.number + 1) if last else 1,
        match_version=policy.version,
        snapshot=snap,
        changes=changes,
        comment=comment[:200],
        changed_by=actor if getattr(actor, "pk", None) else None,
    )


def match_fields_changed(changes: dict) -> bool:
    return any(f in changes for f in MATCH_FIELDS)
