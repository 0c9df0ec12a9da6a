"""What a browser posts to the policy admin: the change form (with its empty inline formsets) and
the workflow buttons. Shared by the admin tests and the withdrawn-policy journey."""

from __future__ import annotations

import json

from django.urls import reverse

from policies.models import Policy

_OPTIONAL_BLANK = ("doc_number", "body", "exclusive_group", "contact", "source_url", "source_name")


def policy_admin_form(**fields) -> dict:
    """The POST body of the add or change form: ``fields`` (criteria and award as trees or as the
    JSON text typed), the optional fields blank, and no interpretation, material, attachment or example."""
    data: dict = dict.fromkeys(_OPTIONAL_BLANK, "")
    for key, value in fields.items():
        if key in ("criteria", "award") and not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False)
        data[key] = value
    for prefix in ("interpretations", "materials", "attachments", "examples"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def policy_change_form(policy: Policy, **overrides) -> dict:
    """The change form of ``policy`` as the admin fills it in, with ``overrides``."""
    shown = {
        "title": policy.title,
        "doc_number": policy.doc_number,
        "department": policy.department_id,
        "level": policy.level,
        "benefit_type": policy.benefit_type,
        "summary": policy.summary,
        "body": policy.body,
        "criteria": policy.criteria,
        "award": policy.award,
        "apply_end": policy.apply_end.isoformat() if policy.apply_end else "",
        "processing_days": str(policy.processing_days),
    }
    return policy_admin_form(**(shown | overrides))


def policy_admin_transition(client, policy: Policy, action: str, reason: str = ""):
    """Press a workflow button; publishing is confirmed on its own page (the reach checked)."""
    if action == "publish":
        return client.post(reverse("admin:policies_policy_publish", args=[policy.pk]), {"confirm": "yes"})
    return client.post(
        reverse("admin:policies_policy_transition", args=[policy.pk, action]), {"reason": reason}
    )
