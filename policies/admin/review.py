"""Review and publish: the 「待我审核」 queue of a reviewer, and the confirmation page that
shows, before a policy goes out, what changed since its last published version and how many
enterprises it reaches with how much money (one policy, or the policies of a bulk action)."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import services
from ..examples import examples_acknowledge, run_examples
from ..models import Policy, PolicyStatus
from ..permissions import REVIEW_PERMISSION, publish_refusal, user_department_ids, user_is_reviewer_of
from ..rules import award_lines, criteria_lines
from ..selectors import policy_reach
from ..versions import FIELD_LABELS, policy_snapshot, snapshot_changes, text_diff


def queue_for(user) -> QuerySet[Policy]:
    """Policies in review that ``user`` may publish: in the departments they review for, not
    drafted by themselves; the longest waiting first."""
    qs = Policy.objects.filter(status=PolicyStatus.IN_REVIEW).select_related("department", "submitted_by")
    if not user.is_superuser:
        if not user.has_perm(REVIEW_PERMISSION):
            return qs.none()
        qs = qs.filter(department_id__in=user_department_ids(user) or []).exclude(created_by=user)
    return qs.order_by("updated_at", "pk")


def changes_since_published(policy: Policy) -> dict:
    """``{"published": <PolicyVersion or None>, "changes": {field: {"label", "old", "new", "diff"?}}}``:
    what the policy now says against its last published version; for a first publication its
    conditions and award, every line new."""
    published = policy.versions.filter(snapshot__status=PolicyStatus.PUBLISHED).order_by("-number").first()
    now = policy_snapshot(policy)
    if published is not None:
        changes = snapshot_changes(published.snapshot, now)
        changes.pop("status", None)
    else:
        changes = {
            "criteria": {
                "label": FIELD_LABELS["criteria"],
                "diff": text_diff([], criteria_lines(policy.criteria)),
            },
            "award": {"label": FIELD_LABELS["award"], "diff": text_diff([], award_lines(policy.award))},
        }
    return {"published": published, "changes": changes}


def timed_reach(policy: Policy) -> dict:
    """``selectors.policy_reach`` with the seconds it took (shown beside the figures)."""
    started = time.monotonic()
    reach = policy_reach(policy=policy)
    reach["seconds"] = round(time.monotonic() - started, 2)
    return reach


def _context(model_admin, request, **extra) -> dict:
    return {**model_admin.admin_site.each_context(request), "opts": Policy._meta, **extra}


def queue(model_admin, request):
    """GET → the policies awaiting ``request.user``'s review, each with what changed."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    rows = [
        {"policy": p, "examples": run_examples(p), **changes_since_published(p)}
        for p in queue_for(request.user)
    ]
    return TemplateResponse(
        request,
        "policies/admin_review_queue.html",
        _context(model_admin, request, title="待我审核", rows=rows),
    )


def publish(model_admin, request, object_id: int):
    """GET → the confirmation page (changes since the last published version, the reach in the
    registry today); POST ``confirm=yes`` → publish; POST ``action=return`` → back to the drafter."""
    policy = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    change_url = reverse("admin:policies_policy_change", args=[policy.pk])
    refusal = publish_refusal(request.user, policy)
    problems: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "acknowledge":
                done = examples_acknowledge(policy=policy, actor=request.user)
                messages.success(request, f"已确认 {len(done)} 个样例企业的结论变化。")
                return HttpResponseRedirect(request.path)
            if request.POST.get("action") == "return":
                services.policy_return(
                    policy=policy, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, f"「{policy.title}」已退回修改。")
                return HttpResponseRedirect(reverse("admin:policies_policy_review_queue"))
            if request.POST.get("confirm") != "yes":
                problems.append("请勾选确认已核对覆盖面后再发布。")
            else:
                services.policy_publish(policy=policy, actor=request.user)
                messages.success(request, f"「{policy.title}」已发布，系统正在为符合条件的企业匹配推送。")
                return HttpResponseRedirect(change_url)
        except PermissionDenied as exc:
            problems.append(str(exc) or "没有权限。")
        except ValidationError as exc:
            problems.extend(exc.messages)
    context = _context(
        model_admin,
        request,
        title=f"审核发布：{policy.title}",
        policy=policy,
        refusal=refusal,
        problems=problems,
        reach=timed_reach(policy) if refusal is None else None,
        examples=run_examples(policy),
        may_acknowledge=user_is_reviewer_of(request.user, policy.department_id),
        change_url=change_url,
        **changes_since_published(policy),
    )
    return TemplateResponse(request, "policies/admin_publish_confirm.html", context)


def bulk_confirmation(model_admin, request, queryset):
    """The bulk action's intermediate page: each selected policy with its reach or why the
    user may not publish it; confirming posts the action again with ``confirm=yes``."""
    rows = []
    for policy in queryset.select_related("department"):
        refusal = publish_refusal(request.user, policy)
        rows.append({"policy": policy, "refusal": refusal, "reach": None if refusal else timed_reach(policy)})
    context = _context(
        model_admin,
        request,
        title="确认发布所选政策",
        rows=rows,
        action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
        publishable=[r for r in rows if not r["refusal"]],
    )
    return TemplateResponse(request, "policies/admin_publish_bulk.html", context)
