"""Demo accounts for the demo city (called by ``manage.py load_demo_city`` after the registry
and the policy library). Idempotent: existing users are kept, their roles re-asserted."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from enterprises.demo import DEMO_ENTERPRISE_CREDIT_CODE
from enterprises.models import Enterprise
from policies.models import Department

from .models import User

DEMO_PASSWORD = "Demo-2026-zz"
DEMO_LOGINS = [
    ("admin", DEMO_PASSWORD, "超级管理员（管理后台 /admin/）"),
    ("official", DEMO_PASSWORD, "郑州市工业和信息化局 · 政策起草人员"),
    ("reviewer", DEMO_PASSWORD, "郑州市工业和信息化局 · 政策审核人员"),
    ("enterprise", DEMO_PASSWORD, "企业用户（已绑定演示企业）"),
    ("enterprise2", DEMO_PASSWORD, "企业用户（已绑定另一家企业）"),
]

# The demo officials' authenticator secret (base32, as an authenticator app takes it): they are
# pre-enrolled with it so that a newcomer can sign in — add it to an app, or print the current
# codes with ``manage.py demo_otp``. Demo data only: a real official enrols a secret of their own.
DEMO_OTP_SECRET = "ZHENGZHOUDEMOOTP"
DEMO_OTP_USERS = ("admin", "official", "reviewer")  # and the other parts' officials (load_demo_city)

# The municipal bureau of industry and information technology, created by policies.demo.
DEPARTMENT_CODES = ("zz-gxj",)
DEPARTMENT_NAME = "郑州市工业和信息化局"

DRAFTER_GROUP = "政策起草人员"
REVIEWER_GROUP = "政策审核人员"
_DRAFTER_PERMS = [
    (
        "policies",
        [
            "add_policy",
            "change_policy",
            "view_policy",
            "view_department",
            "add_interpretation",
            "change_interpretation",
            "view_interpretation",
            "add_material",
            "change_material",
            "view_material",
            "add_attachment",
            "change_attachment",
            "view_attachment",
            "view_policyversion",
        ],
    ),
    (
        "enterprises",
        [
            "view_enterprise",
            "view_enterprisetag",
            "view_indicatorvalue",
            "view_indicatordefinition",
            "view_tagdefinition",
        ],
    ),
]
_REVIEWER_EXTRA = [
    ("policies", ["review_policy"]),
    ("accounts", ["view_enterprisebindingrequest", "change_enterprisebindingrequest"]),
]


def _group(name: str, spec: list[tuple[str, list[str]]]) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    perms = Permission.objects.filter(_perm_q(spec))
    group.permissions.add(*perms)
    return group


def _perm_q(spec: list[tuple[str, list[str]]]) -> Q:
    q = Q(pk__in=[])
    for app_label, codenames in spec:
        q |= Q(content_type__app_label=app_label, codename__in=codenames)
    return q


_hash_cache: dict[str, str] = {}


def _demo_hash() -> str:
    # One hash for all demo users: hashing is deliberately slow and the demo city loads on start.
    if "hash" not in _hash_cache:
        _hash_cache["hash"] = make_password(DEMO_PASSWORD)
    return _hash_cache["hash"]


def _user(username: str, **fields) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username, password=_demo_hash())
    for key, value in fields.items():
        setattr(user, key, value)
    # Not forced to change the password on first login (the max-age rule counts from now).
    if created or user.password_changed_at is None:
        user.password_changed_at = timezone.now()
    user.save()
    return user, created


def _department():
    dept = Department.objects.filter(code__in=DEPARTMENT_CODES).order_by("code").first()
    return dept or Department.objects.filter(name=DEPARTMENT_NAME).order_by("code").first()


@transaction.atomic
def load(enterprises: int = 0, seed: int = 0) -> str:
    _hash_cache.clear()  # the hasher settings may differ between calls (tests)

    notes: list[str] = []
    made = 0
    _, created = _user(
        "admin", is_staff=True, is_superuser=True, first_name="管理员", email="admin@example.gov.cn"
    )
    made += created

    dept = _department()
    if dept is None:
        notes.append(f"未找到部门「{DEPARTMENT_NAME}」,未创建 official/reviewer")
    else:
        drafter = _group(DRAFTER_GROUP, _DRAFTER_PERMS)
        reviewer_group = _group(REVIEWER_GROUP, _DRAFTER_PERMS + _REVIEWER_EXTRA)
        official, created = _user("official", is_staff=True, first_name="起草员", last_name="王")
        made += created
        official.departments.add(dept)
        official.groups.add(drafter)
        reviewer, created = _user("reviewer", is_staff=True, first_name="审核员", last_name="李")
        made += created
        reviewer.departments.add(dept)
        reviewer.groups.add(reviewer_group)

    first = Enterprise.objects.filter(credit_code=DEMO_ENTERPRISE_CREDIT_CODE).first()
    if first is None:
        notes.append("未找到演示企业，未创建 enterprise")
    else:
        user, created = _user("enterprise", first_name="企业用户", enterprise=first)
        made += created
    second = (
        Enterprise.objects.exclude(credit_code=DEMO_ENTERPRISE_CREDIT_CODE).order_by("credit_code").first()
    )
    existing = (
        User.objects.filter(username="enterprise2", enterprise__isnull=False)
        .select_related("enterprise")
        .first()
    )
    if existing is not None:
        second = existing.enterprise
    if second is None:
        notes.append("没有第二家企业，未创建 enterprise2")
    else:
        _, created = _user("enterprise2", first_name="企业用户二", enterprise=second)
        made += created
    demo_devices_enrol(DEMO_OTP_USERS)
    summary = (
        f"{User.objects.filter(username__in=[u for u, _, _ in DEMO_LOGINS]).count()} demo users ({made} new)"
    )
    return summary + ("; " + "; ".join(notes) if notes else "")


def demo_devices_enrol(usernames) -> int:
    """Pre-enrol those of ``usernames`` who owe the second factor (officials, staff, superusers);
    ``load_demo_city`` calls it with every demo login once all parts are loaded."""
    from .second_factor import required_for

    enrolled = 0
    for user in User.objects.filter(username__in=list(usernames)).order_by("username"):
        if required_for(user):
            demo_device_enrol(user)
            enrolled += 1
    return enrolled


def demo_device_enrol(user: User):
    """Pre-enrol a demo official with :data:`DEMO_OTP_SECRET` (a device of their own is kept)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .second_factor import key_from_base32

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="演示", key=key_from_base32(DEMO_OTP_SECRET), confirmed=True
        )
    return device
