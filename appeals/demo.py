"""Demo data for the 诉求 loop: routing rules, time limits, and a few cases and arrears in
various states for the demo enterprise. Idempotent."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from applications.models import DepartmentHead
from enterprises.models import Enterprise
from policies.models import Department

from . import services
from .models import ArrearsCase, Case, Category, CategoryTimeLimit, RoutingRule

DEMO_LOGINS: list[tuple[str, str, str]] = []  # it uses the accounts' demo users

ROUTES = {
    Category.FINANCE: "zz-czj",
    Category.APPROVALS: "zz-scjgj",
    Category.ARREARS: "zz-gxj",
    Category.POLICY: "zz-gxj",
    Category.TALENT: "zz-rsj",
    Category.LAND: "zz-fgw",
    Category.OTHER: "zz-gxj",
}
# 航空港区 enterprises' approvals go to the zone's own administration.
DISTRICT_ROUTES = [(Category.APPROVALS, "410173", "zz-hkg"), (Category.POLICY, "410173", "zz-hkg")]
LIMITS = {
    Category.FINANCE: 10,
    Category.APPROVALS: 5,
    Category.ARREARS: 15,
    Category.POLICY: 5,
    Category.TALENT: 10,
    Category.LAND: 20,
    Category.OTHER: 10,
}


@transaction.atomic
def load(*, enterprises: int = 0, seed: int = 0) -> str:
    departments = {d.code: d for d in Department.objects.filter(code__in=set(ROUTES.values()) | {"zz-hkg"})}
    rules = 0
    for category, code in ROUTES.items():
        if code in departments:
            _, created = RoutingRule.objects.get_or_create(
                category=category, district="", priority=100, defaults={"department": departments[code]}
            )
            rules += created
    for category, district, code in DISTRICT_ROUTES:
        if code in departments:
            _, created = RoutingRule.objects.get_or_create(
                category=category, district=district, priority=100, defaults={"department": departments[code]}
            )
            rules += created
    for category, days in LIMITS.items():
        CategoryTimeLimit.objects.get_or_create(category=category, defaults={"working_days": days})

    User = get_user_model()
    reviewer = User.objects.filter(username="reviewer").first()
    if reviewer and "zz-gxj" in departments:
        DepartmentHead.objects.get_or_create(department=departments["zz-gxj"], user=reviewer)
    enterprise_user = User.objects.filter(username="enterprise").select_related("enterprise").first()
    official = User.objects.filter(username="official").first()
    if enterprise_user is None or enterprise_user.enterprise is None or Case.objects.exists():
        return (
            f"{rules} routing rules; cases already there"
            if Case.objects.exists()
            else f"{rules} routing rules"
        )

    enterprise = enterprise_user.enterprise
    answered = services.case_raise(
        enterprise=enterprise,
        raised_by=enterprise_user,
        category=Category.FINANCE,
        title="申请科技贷款贴息，银行放款慢",
        description="我公司3月向合作银行申请“科技贷”500万元，至今未放款，影响设备采购。希望协调。",
    )
    services.case_raise(
        enterprise=enterprise,
        raised_by=enterprise_user,
        category=Category.TALENT,
        title="引进博士的安家补贴怎么申请",
        description="今年引进两名博士，想了解安家补贴的申请条件和材料。",
        kind="problem",
    )
    handler = (
        official
        if official and official.is_official_of(answered.department_id)
        else User.objects.filter(username="policy-reviewer").first()
    )
    if handler and answered.department_id and handler.is_official_of(answered.department_id):
        services.case_accept(case=answered, actor=handler)
        services.case_answer(
            case=answered,
            actor=handler,
            reply="已与承办银行沟通，贷款已进入放款流程，预计5个工作日内放款；贴息可在放款后通过本平台申报。",
        )
    services.arrears_report(
        enterprise=enterprise,
        reported_by=enterprise_user,
        debtor_name="某区市政工程管理处",
        debtor_type="public_institution",
        amount="380000.00",
        due_on=timezone.localdate() - dt.timedelta(days=200),
        contract_no="SZ-2025-118",
        description="道路照明智能控制系统项目尾款，验收合格后未支付。",
    )
    _city_cases(seed=seed)
    return f"{rules} routing rules, {Case.objects.count()} cases, {ArrearsCase.objects.count()} arrears"


TOPICS = {
    Category.FINANCE: ("贷款审批周期长", "企业申请流动资金贷款，银行审批超过两个月。"),
    Category.APPROVALS: ("厂房扩建手续办理慢", "扩建厂房的规划许可材料已提交一个月，尚无答复。"),
    Category.ARREARS: ("工程款长期未结算", "为区属单位实施的工程已验收一年，尾款未支付。"),
    Category.POLICY: ("研发补助申报系统无法上传附件", "申报研发费用后补助时附件上传失败。"),
    Category.TALENT: ("引进人才子女入学咨询", "引进的高层次人才子女入学需要协调。"),
    Category.LAND: ("扩产用地指标不足", "企业扩产需要新增工业用地约20亩。"),
    Category.OTHER: ("园区道路照明不足", "园区夜间道路照明不足，影响员工通勤安全。"),
}


def _city_cases(*, seed: int) -> None:
    """A few dozen cases of other enterprises in every state, spread over the last months, so
    that the dashboard's figures mean something in the demo city."""
    handler = get_user_model().objects.filter(username="policy-reviewer").first()
    if handler is None:
        return
    rng = random.Random(seed)
    ids = list(Enterprise.objects.order_by("id").values_list("id", flat=True)[:3000])
    now = timezone.now()
    for _ in range(60):
        category = rng.choice(list(TOPICS))
        title, description = TOPICS[category]
        enterprise = Enterprise.objects.get(pk=rng.choice(ids))
        case = services.case_raise(
            enterprise=enterprise,
            logged_by=handler,
            category=category,
            title=title,
            description=description,
            source=rng.choice(["hotline", "visit"]),
        )
        if case.department_id is None or not handler.is_official_of(case.department_id):
            continue
        days_ago = rng.randint(2, 120)
        stage = rng.random()
        if stage > 0.25:
            services.case_accept(case=case, actor=handler)
        if stage > 0.4:
            services.case_answer(case=case, actor=handler, reply="已协调相关部门办理，请企业留意后续通知。")
        if stage > 0.55:
            services.case_return_visit(case=case, actor=handler, summary="电话回访，企业表示问题已解决。")
            services.case_close(case=case, actor=handler)
        created = now - dt.timedelta(days=days_ago)
        resolved = created + dt.timedelta(days=rng.randint(1, 15)) if case.resolved_at else None
        Case.objects.filter(pk=case.pk).update(
            created_at=created,
            due_on=services.case_due_on(category=category, start=timezone.localtime(created).date()),
            resolved_at=resolved,
            closed_at=resolved if case.closed_at else None,
        )
