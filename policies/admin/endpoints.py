"""The builder's JSON endpoints (its vocabulary; validation, Chinese rendering and reach of the
criteria and award as typed) and the workflow's transitions. Each takes the PolicyAdmin and
the request (``PolicyAdmin.get_urls``)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse

from matching.criteria import vocabulary_load

from .. import services
from ..examples import run_examples
from ..models import Policy
from ..rules import award_clean, award_text, criteria_clean, criteria_text
from .builder import builder_vocabulary, error_place
from .common import is_official
from .review import timed_reach

PART_NAMES = {"criteria": "申报条件", "award": "奖补金额"}


def vocabulary(model_admin, request):
    """GET → what the builder's pickers offer (fields, operators, tags, divisions, industries)."""
    if not is_official(request.user):
        raise PermissionDenied
    return JsonResponse(builder_vocabulary(vocabulary_load()))


def _parse(raw: str, part: str):
    raw = (raw or "").strip()
    if not raw:
        return ({} if part == "criteria" else None), None
    try:
        return json.loads(raw), None
    except ValueError as exc:
        return None, f"JSON 格式错误（第{exc.lineno}行第{exc.colno}列）：{exc.msg}"


def preview(model_admin, request):
    """POST criteria/award JSON (as typed) → for each part its Chinese rendering or its errors,
    each error placed on its builder row (``row``) and named (``where``); with ``reach=1`` and
    no error, the reach in the registry as well.

    A part with errors gets no rendering (``criteria_text`` null), so that the page never shows
    the rendering of an older tree beside the new one's errors."""
    if request.method != "POST" or not is_official(request.user):
        raise PermissionDenied
    vocab = vocabulary_load()
    out: dict = {"errors": [], "criteria_text": None, "award_text": None}
    parsed = {}
    for part, clean, text in (
        ("criteria", criteria_clean, criteria_text),
        ("award", award_clean, award_text),
    ):
        raw, broken = _parse(request.POST.get(part), part)
        if broken:
            out["errors"].append({"field": part, "path": part, "row": "", "where": "", "message": broken})
            continue
        try:
            parsed[part] = clean(raw, vocabulary=vocab)
        except ValidationError as exc:
            root = raw if part == "criteria" else {"award": raw}
            for msg in exc.message_dict.get(part, []):
                path, _sep, message = msg.partition(": ")
                place = error_place(root, path, vocab)
                out["errors"].append({"field": part, "path": path, "message": message, **place})
            continue
        out[f"{part}_text"] = text(parsed[part])
    if out["errors"] or request.POST.get("reach") != "1":
        return JsonResponse(out)
    reach = timed_reach(Policy(criteria=parsed["criteria"], award=parsed["award"]))
    out["reach_html"] = render_to_string("policies/admin_reach.html", {"reach": reach})
    out["reach"] = json.loads(json.dumps(reach, default=str))
    policy = _policy_viewed(model_admin, request)
    if policy is not None:  # its example enterprises, under the rules as typed
        report = run_examples(
            policy,
            criteria=parsed["criteria"],
            award=parsed["award"],
            award_basis=request.POST.get("award_basis", policy.award_basis),
        )
        out["examples_html"] = render_to_string("policies/admin_examples_report.html", {"report": report})
    return JsonResponse(out)


def _policy_viewed(model_admin, request) -> Policy | None:
    """The saved policy whose change page asks (``policy`` in the POST), if the user may see it."""
    pk = request.POST.get("policy") or ""
    if not pk.isdigit():
        return None
    return model_admin.get_queryset(request).filter(pk=int(pk)).first()


TRANSITIONS = {
    "submit": (services.policy_submit, "已提交审核。"),
    "return": (services.policy_return, "已退回修改。"),
    "withdraw": (services.policy_withdraw, "已撤回，相关匹配将结束。"),
    "reopen": (services.policy_reopen, "已转为草稿，修订后请提交审核、重新发布。"),
}


def transition(model_admin, request, object_id: int, action: str):
    """POST → submit, return, withdraw or reopen the policy (publishing has its confirmation
    page: ``review.publish``)."""
    policy = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    change_url = reverse("admin:policies_policy_change", args=[policy.pk])
    if action == "publish":
        return HttpResponseRedirect(reverse("admin:policies_policy_publish", args=[policy.pk]))
    if request.method != "POST":
        return HttpResponseRedirect(change_url)
    if action not in TRANSITIONS:
        messages.error(request, "未知操作。")
        return HttpResponseRedirect(change_url)
    fn, done = TRANSITIONS[action]
    kwargs = (
        {"reason": (request.POST.get("reason") or "").strip()}
        if action in ("return", "withdraw", "reopen")
        else {}
    )
    try:
        fn(policy=policy, actor=request.user, **kwargs)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限。")
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, f"「{policy.title}」{done}")
    return HttpResponseRedirect(change_url)
