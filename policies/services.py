"""Writes to the policy library: the publishing workflow, versions, facets and the
search index. Views, the API and the admin call these; nothing here relies on signals.

Workflow: draft → in review → published → expired (``policy_expire_due``, scheduled) or
withdrawn; a withdrawn policy is revised by reopening it as a draft (``policy_reopen``),
which then goes through review and is published again under a new match version. Criteria and award are validated through ``matching.criteria`` before
anything is saved; every change is kept as a ``PolicyVersion``; a published policy whose
criteria, award, auto-grant flag or exclusive group change gets a new match version and
is re-matched (``matching.services.policy_matching_schedule``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from matching.services import policy_matching_schedule

from .examples import Rules, examples_acknowledge, examples_publish_refusal, examples_run_store, run_examples
from .models import Department, Interpretation, Material, Policy, PolicyStatus, ServicePoint
from .permissions import (
    publish_refusal,
    user_can_edit_policy,
    user_can_publish_policy,  # noqa: F401 - re-exported (interfaces.md)
    user_is_official_of,
    user_is_reviewer_of,
)
from .rules import award_clean, criteria_clean, criteria_facets
from .search import policy_search_index_rebuild, policy_search_index_update  # noqa: F401 - re-exported
from .versions import (
    EDITABLE_FIELDS,
    INTERPRETATION_FIELDS,
    MATCH_FIELDS,
    MATERIAL_FIELDS,
    policy_snapshot,
    version_record,
)

RELATION_FIELDS = ("department", "co_departments", "service_point", "interpretations", "materials")


# --- helpers ---------------------------------------------------------------------------


def _schedule_matching(*, policy_id: int, reason: str) -> None:
    """Tell the matching pipeline (it enqueues on commit)."""
    policy_matching_schedule(policy_id=policy_id, reason=reason)


def _schedule_alerts(*, policy_id: int) -> None:
    """Tell the saved searches' alerts (``subscriptions``; a task queued on commit)."""
    from subscriptions.services import policy_alerts_schedule

    policy_alerts_schedule(policy_id=policy_id)


def _department(value: Any, *, field: str = "department") -> Department:
    if isinstance(value, Department):
        return value
    if value in (None, ""):
        raise ValidationError({field: ["请选择牵头部门。"]})
    query = (
        Department.objects.filter(pk=value) if str(value).isdigit() else Department.objects.filter(code=value)
    )
    department = query.first()
    if department is None:
        raise ValidationError({field: [f"部门「{value}」不存在。"]})
    return department


def _service_point(value: Any, department: Department) -> ServicePoint | None:
    if value in (None, ""):
        return None
    if isinstance(value, ServicePoint):
        return value
    point = ServicePoint.objects.filter(pk=value).first() if str(value).isdigit() else None
    if point is None:
        raise ValidationError({"service_point": [f"服务窗口「{value}」不存在。"]})
    return point


def _today() -> dt.date:
    return timezone.localdate()


def _assign(policy: Policy, data: dict) -> None:
    """Set fields from ``data`` on an unsaved copy, validating everything; raise one
    ValidationError listing every problem (nothing is saved then)."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(EDITABLE_FIELDS) - set(RELATION_FIELDS))
    for key in unknown:
        errors.setdefault(key, []).append(f"未知字段「{key}」。")
    for key in EDITABLE_FIELDS:
        if key in data:
            setattr(policy, key, data[key])
    if "criteria" in data:
        try:
            policy.criteria = criteria_clean(data["criteria"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "award" in data:
        try:
            policy.award = award_clean(data["award"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "service_point" in data:
        try:
            policy.service_point = _service_point(data["service_point"], policy.department)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        policy.full_clean(
            exclude=["criteria", "award", "created_by", "submitted_by", "published_by", "service_point"]
        )
    except ValidationError as exc:
        for key, msgs in exc.message_dict.items():
            errors.setdefault(key, []).extend(msgs)
    if not (policy.title or "").strip():
        errors.setdefault("title", ["请填写政策标题。"])
    if policy.apply_start and policy.apply_end and _as_date(policy.apply_start) > _as_date(policy.apply_end):
        errors.setdefault("apply_end", []).append("申报截止日期不能早于申报开始日期。")
    if (
        policy.valid_from
        and policy.valid_until
        and _as_date(policy.valid_from) > _as_date(policy.valid_until)
    ):
        errors.setdefault("valid_until", []).append("有效期止不能早于有效期起。")
    if errors:
        raise ValidationError(errors)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _children(items: list[dict] | None, fields: tuple[str, ...], label: str) -> list[dict]:
    errors = []
    clean = []
    for i, item in enumerate(items or []):
        if not isinstance(item, dict):
            errors.append(f"第{i + 1}项格式不正确。")
            continue
        bad = sorted(set(item) - set(fields) - {"id", "position"})
        if bad:
            errors.append(f"第{i + 1}项含未知字段：{'、'.join(bad)}。")
        name = item.get("title") if "title" in fields else item.get("name")
        if not (name or "").strip():
            errors.append(f"第{i + 1}项缺少{'标题' if 'title' in fields else '名称'}。")
        clean.append({k: item[k] for k in fields if k in item})
    if errors:
        raise ValidationError({label: errors})
    return clean


def _replace_children(
    policy: Policy, interpretations: list[dict] | None, materials: list[dict] | None
) -> None:
    if interpretations is not None:
        policy.interpretations.all().delete()
        Interpretation.objects.bulk_create(
            Interpretation(policy=policy, position=i, **item) for i, item in enumerate(interpretations)
        )
    if materials is not None:
        policy.materials.all().delete()
        Material.objects.bulk_create(
            Material(policy=policy, position=i, **item) for i, item in enumerate(materials)
        )


def _refresh_derived(policy: Policy) -> None:
    """Facets from the criteria, then the search vector."""
    industries, districts = criteria_facets(policy.criteria)
    if policy.industries != industries or policy.districts != districts:
        policy.industries, policy.districts = industries, districts
        Policy.objects.filter(pk=policy.pk).update(industries=industries, districts=districts)
    policy_search_index_update(policy_ids=[policy.pk])


def _split(data: dict, interpretations, materials):
    data = dict(data or {})
    if "interpretations" in data:
        interpretations = data.pop("interpretations")
    if "materials" in data:
        materials = data.pop("materials")
    return data, interpretations, materials


def _require_reviewer(actor, policy: Policy, what: str) -> None:
    if actor is None:
        return  # the system (scheduled tasks, data loads)
    if not user_is_reviewer_of(actor, policy.department_id):
        raise PermissionDenied(f"只有「{policy.department.name}」的审核人员可以{what}。")


# --- services ----------------------------------------------------------------------------


@transaction.atomic
def policy_create(
    *,
    actor,
    data: dict,
    interpretations: list[dict] | None = None,
    materials: list[dict] | None = None,
    comment: str = "创建草稿",
) -> Policy:
    """A new draft. ``data``: the fields of ``EDITABLE_FIELDS`` plus ``department``
    (instance, id or code), ``co_departments``, ``service_point``; ``interpretations`` and
    ``materials`` as lists of dicts (also accepted inside ``data``). ``actor=None`` is the
    system."""
    data, interpretations, materials = _split(data, interpretations, materials)
    department = _department(data.pop("department", None))
    if actor is not None and not user_is_official_of(actor, department.pk):
        raise PermissionDenied(f"您不是「{department.name}」的工作人员，不能为该部门起草政策。")
    co_departments = [_department(d, field="co_departments") for d in data.pop("co_departments", None) or []]
    policy = Policy(department=department, status=PolicyStatus.DRAFT, created_by=actor if actor else None)
    interpretations = _children(interpretations, INTERPRETATION_FIELDS, "interpretations")
    materials = _children(materials, MATERIAL_FIELDS, "materials")
    _assign(policy, data)
    policy.save()
    if co_departments:
        policy.co_departments.set(co_departments)
    _replace_children(policy, interpretations, materials)
    _refresh_derived(policy)
    version_record(policy=policy, actor=actor, comment=comment, force=True)
    return policy


@transaction.atomic
def policy_update(
    *,
    policy: Policy,
    actor,
    data: dict,
    interpretations: list[dict] | None = None,
    materials: list[dict] | None = None,
    comment: str = "修改",
    acknowledge_examples: bool = False,
) -> Policy:
    """Edit a policy. Drafts (and policies in review) by the department's officials;
    published policies by its reviewers — a matching-relevant change then bumps the match
    version and re-matches, and is refused while it makes an example enterprise fail or
    change its verdict, unless the reviewer acknowledges that (``acknowledge_examples``)."""
    data, interpretations, materials = _split(data, interpretations, materials)
    policy = Policy.objects.select_for_update().select_related("department").get(pk=policy.pk)
    if actor is not None and not user_can_edit_policy(actor, policy):
        if policy.status in (PolicyStatus.EXPIRED, PolicyStatus.WITHDRAWN):
            raise PermissionDenied(f"政策已{policy.get_status_display()}，不能再修改。")
        if policy.status == PolicyStatus.PUBLISHED and user_is_official_of(actor, policy.department_id):
            raise PermissionDenied("已发布的政策只能由本部门审核人员修订。")
        raise PermissionDenied(f"您不是「{policy.department.name}」的工作人员，不能修改该政策。")
    if policy.status in (PolicyStatus.EXPIRED, PolicyStatus.WITHDRAWN):
        raise ValidationError({"status": [f"政策已{policy.get_status_display()}，不能再修改。"]})
    before = policy_snapshot(policy)
    if "department" in data:
        department = _department(data.pop("department"))
        if actor is not None and not user_is_official_of(actor, department.pk):
            raise PermissionDenied(f"您不是「{department.name}」的工作人员，不能把政策移交该部门。")
        policy.department = department
    co_departments = None
    if "co_departments" in data:
        co_departments = [_department(d, field="co_departments") for d in data.pop("co_departments") or []]
    interpretations = (
        _children(interpretations, INTERPRETATION_FIELDS, "interpretations")
        if interpretations is not None
        else None
    )
    materials = _children(materials, MATERIAL_FIELDS, "materials") if materials is not None else None
    _assign(policy, data)
    to_acknowledge = None
    if policy.status == PolicyStatus.PUBLISHED and any(
        before.get(f) != getattr(policy, f) for f in ("criteria", "award", "award_basis")
    ):
        # A published policy's revision applies at once: its examples are checked here
        # against the rules it had, as publishing checks them.
        to_acknowledge = run_examples(policy, published=Rules.of(before))
        if to_acknowledge.needs_ack and not acknowledge_examples:
            raise ValidationError({"examples": [to_acknowledge.refusal]})
    policy.save()
    if co_departments is not None:
        policy.co_departments.set(co_departments)
    _replace_children(policy, interpretations, materials)
    policy = _after_change(policy=policy, actor=actor, before=before, comment=comment)
    if to_acknowledge is not None and to_acknowledge.needs_ack:
        examples_acknowledge(policy=policy, actor=actor, report=to_acknowledge)
    return policy


def _after_change(*, policy: Policy, actor, before: dict, comment: str) -> Policy:
    _refresh_derived(policy)
    examples_run_store(policy=policy)
    after = policy_snapshot(policy)
    revised = policy.status == PolicyStatus.PUBLISHED and any(
        before.get(f) != after.get(f) for f in MATCH_FIELDS
    )
    if revised:
        policy.version += 1
        Policy.objects.filter(pk=policy.pk).update(version=policy.version)
    version_record(policy=policy, actor=actor, comment=comment)
    if revised:
        _schedule_matching(policy_id=policy.pk, reason="revised")
    return policy


@transaction.atomic
def policy_children_changed(*, policy: Policy, actor, comment: str = "修改解读/材料") -> Policy:
    """After interpretations, materials or attachments were saved elsewhere (admin inlines):
    keep a version and refresh the search vector."""
    policy = Policy.objects.select_related("department").get(pk=policy.pk)
    last = policy.versions.order_by("-number").first()
    before = last.snapshot if last else policy_snapshot(policy)
    return _after_change(policy=policy, actor=actor, before=before, comment=comment)


@transaction.atomic
def policy_submit(*, policy: Policy, actor, comment: str = "提交审核") -> Policy:
    policy = Policy.objects.select_for_update().select_related("department").get(pk=policy.pk)
    if actor is not None and not user_is_official_of(actor, policy.department_id):
        raise PermissionDenied(f"您不是「{policy.department.name}」的工作人员，不能提交该政策。")
    if policy.status != PolicyStatus.DRAFT:
        raise ValidationError(
            {"status": [f"政策当前状态为「{policy.get_status_display()}」，只有草稿可以提交审核。"]}
        )
    policy.status = PolicyStatus.IN_REVIEW
    policy.submitted_by = actor if actor else None
    policy.save(update_fields=["status", "submitted_by", "updated_at"])
    version_record(policy=policy, actor=actor, comment=comment, force=True)
    return policy


@transaction.atomic
def policy_return(*, policy: Policy, actor, reason: str) -> Policy:
    """A reviewer sends a policy in review back to its drafter."""
    policy = Policy.objects.select_for_update().select_related("department").get(pk=policy.pk)
    _require_reviewer(actor, policy, "退回政策")
    if policy.status != PolicyStatus.IN_REVIEW:
        raise ValidationError({"status": ["只有待审核的政策可以退回修改。"]})
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写退回原因。"]})
    policy.status = PolicyStatus.DRAFT
    policy.save(update_fields=["status", "updated_at"])
    version_record(policy=policy, actor=actor, comment=f"退回修改：{reason}", force=True)
    return policy


@transaction.atomic
def policy_publish(*, policy: Policy, actor, comment: str = "审核发布") -> Policy:
    """Publish a draft or a policy in review; matching starts on commit."""
    policy = Policy.objects.select_for_update().select_related("department").get(pk=policy.pk)
    if actor is not None:
        refusal = publish_refusal(actor, policy)
        if refusal:
            if policy.status not in (PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW):
                raise ValidationError({"status": [refusal]})
            raise PermissionDenied(refusal)
    elif policy.status not in (PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW):
        raise ValidationError({"status": [f"政策当前状态为「{policy.get_status_display()}」，不能发布。"]})
    # The vocabulary may have changed since the draft was saved: validate again.
    errors: dict[str, list[str]] = {}
    for field, clean in (("criteria", criteria_clean), ("award", award_clean)):
        try:
            setattr(policy, field, clean(getattr(policy, field)))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if policy.valid_until and policy.valid_until < _today():
        errors.setdefault("valid_until", []).append("政策有效期已过，不能发布。")
    if not errors:
        refusal = examples_publish_refusal(policy)
        if refusal:
            errors["examples"] = [refusal]
    if errors:
        raise ValidationError(errors)
    if policy.published_at is not None:
        # Published before (then withdrawn and reopened): a new match version, so that every
        # enterprise that qualifies is told again (notices are once per version).
        policy.version += 1
    policy.status = PolicyStatus.PUBLISHED
    policy.published_by = actor if actor else None
    policy.published_at = timezone.now()
    policy.save(
        update_fields=["status", "published_by", "published_at", "criteria", "award", "version", "updated_at"]
    )
    _refresh_derived(policy)
    version_record(policy=policy, actor=actor, comment=comment, force=True)
    _schedule_matching(policy_id=policy.pk, reason="published")
    _schedule_alerts(policy_id=policy.pk)
    return policy


@transaction.atomic
def policy_withdraw(*, policy: Policy, actor, reason: str = "") -> Policy:
    """Take a published policy down; its matches end."""
    policy = Policy.objects.select_for_update().select_related("department").get(pk=policy.pk)
    _require_reviewer(actor, policy, "撤回政策")
    if policy.status != PolicyStatus.PUBLISHED:
        raise ValidationError(
            {"status": [f"政策当前状态为「{policy.get_status_display()}」，只有已发布的政策可以撤回。"]}
        )
    policy.status = PolicyStatus.WITHDRAWN
    policy.save(update_fields=["status", "updated_at"])
    version_record(policy=policy, actor=actor, comment=f"撤回：{reason}" if reason else "撤回", force=True)
    _schedule_matching(policy_id=policy.pk, reason="withdrawn")
    return policy


@transaction.atomic
def policy_reopen(*, policy: Policy, actor, reason: str = "") -> Policy:
    """Make a withdrawn policy a draft again so that it can be revised, sent for review and
    published again (its drafter or a reviewer of its department). Its matches stay ended
    until it is published again."""
    policy = Policy.objects.select_for_update().select_related("department").get(pk=policy.pk)
    if actor is not None and not user_is_official_of(actor, policy.department_id):
        raise PermissionDenied(f"您不是「{policy.department.name}」的工作人员，不能修订该政策。")
    if policy.status != PolicyStatus.WITHDRAWN:
        raise ValidationError(
            {"status": [f"政策当前状态为「{policy.get_status_display()}」，只有已撤回的政策可以重新修订。"]}
        )
    policy.status = PolicyStatus.DRAFT
    policy.save(update_fields=["status", "updated_at"])
    comment = f"撤回后重新修订：{reason}" if reason else "撤回后重新修订"
    version_record(policy=policy, actor=actor, comment=comment, force=True)
    return policy


def policy_expire_due(*, today: dt.date | None = None) -> list[int]:
    """Expire every published policy whose validity ended before ``today``; idempotent.
    Returns the ids expired by this call."""
    today = today or _today()
    expired = []
    due = Policy.objects.filter(status=PolicyStatus.PUBLISHED, valid_until__lt=today).values_list(
        "pk", flat=True
    )
    for policy_id in list(due):
        with transaction.atomic():
            # A conditional UPDATE claims the row, so two runs never expire it twice.
            if not Policy.objects.filter(pk=policy_id, status=PolicyStatus.PUBLISHED).update(
                status=PolicyStatus.EXPIRED
            ):
                continue
            policy = Policy.objects.select_related("department").get(pk=policy_id)
            version_record(
                policy=policy, actor=None, comment=f"有效期至{policy.valid_until}，自动过期", force=True
            )
            _schedule_matching(policy_id=policy_id, reason="expired")
            expired.append(policy_id)
    return expired
