"""Who may do what with a policy.

A drafter is an official of the policy's department; a reviewer is an official of the
same department holding ``policies.review_policy``. Nobody publishes a draft they
created unless they are a superuser. A superuser is an official of every department.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.accounts.selectors import user_department_ids, user_is_official_of  # noqa: F401 - re-exported

from .models import Policy, PolicyStatus

if TYPE_CHECKING:
    from portal.accounts.models import User

REVIEW_PERMISSION = "policies.review_policy"


def user_is_reviewer_of(user: User | None, department_id: int | None) -> bool:
    return user_is_official_of(user, department_id) and user.has_perm(REVIEW_PERMISSION)


def user_can_edit_policy(user: User | None, policy: Policy) -> bool:
    """Drafters edit drafts (and what they sent for review); published policies are
    revised by the department's reviewers."""
    if not user_is_official_of(user, policy.department_id):
        return False
    if policy.status in (PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW):
        return True
    if policy.status == PolicyStatus.PUBLISHED:
        return user.is_superuser or user.has_perm(REVIEW_PERMISSION)
    return False


def user_can_publish_policy(user: User | None, policy: Policy) -> bool:
    return publish_refusal(user, policy) is None


def publish_refusal(user: User | None, policy: Policy) -> str | None:
    """Why ``user`` may not publish ``policy`` (Chinese), or None when they may."""
    if policy.status not in (PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW):
        return f"政策当前状态为「{policy.get_status_display()}」，只有草稿或待审核的政策可以发布。"
    if user is None or not getattr(user, "is_authenticated", False):
        return "请先登录。"
    if user.is_superuser:
        return None
    if not user_is_official_of(user, policy.department_id):
        return "只有本部门的审核人员可以发布本部门的政策。"
    if not user.has_perm(REVIEW_PERMISSION):
        return "您没有审核发布政策的权限，请提交本部门审核人员审核。"
    if policy.created_by_id == user.pk:
        return "不能审核发布自己起草的政策，请由本部门其他审核人员发布。"
    return None
