"""Demo city, applications part (after matching has run): applications in every state for the
demo enterprise and a few others, and 免申即享 proposals for the auto-grant policies — one
policy's batch confirmed and paid (the demo enterprise's grant left awaiting its one-click
account confirmation), the others left for the officer to confirm.

Everything goes through the services (with ``now`` in the past for the application
timeline), so the logs, messages and figures are what real use produces. Idempotent:
applications are made only when none exist; proposals and batches are reused.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from matching.criteria import award_amount
from matching.models import Match
from matching.profiles import profile_load
from policies.models import Department, Policy

from . import services
from .models import Application, BankAccount, DepartmentHead, Grant, GrantBatch, GrantProposal, GrantStatus
from .prefill import application_prefill

log = logging.getLogger(__name__)
DEMO_PASSWORD = "Demo-2026-zz"
OFFICER = "grants-officer"
HEAD = "dept-head"
DEMO_LOGINS = [
    (
        OFFICER,
        DEMO_PASSWORD,
        "申报审核与兑付专员（各演示部门）：/applications/review/ 审核、免申即享确认、兑付台账、统计",
    ),
    (HEAD, DEMO_PASSWORD, "部门负责人（各演示部门）：接收超时督办（站内消息）"),
]
DEMO_PROPOSALS = 600  # per auto-grant policy at demo load
PDF = b"%PDF-1.4\n% demo material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(username: str, **fields):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, **fields)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _officer_and_head():
    officer = _user(OFFICER, is_staff=True, first_name="兑付专员", last_name="陈")
    departments = Department.objects.filter(pk__in=Policy.objects.values("department_id"))
    officer.departments.add(*departments)
    head = _user(HEAD, is_staff=True, first_name="负责人", last_name="周", email="head@example.gov.cn")
    # The demo head heads every department that has policies, so that any overdue demo
    # application reaches an inbox one can log into.
    head.departments.add(*departments)
    for dept in departments:
        DepartmentHead.objects.get_or_create(department=dept, user=head)
    return get_user_model().objects.get(pk=officer.pk)


def _declared(prefill, enterprise) -> dict[str, str]:
    declared = {
        "contact_name": enterprise.contact_name or "王经理",
        "contact_phone": enterprise.contact_phone or "13800000000",
    }
    for item in prefill.missing:
        if item.kind == "indicator":
            declared[item.field] = "1" if item.indicator_type == "flag" else "1200000"
        elif item.field == "established_on":
            declared[item.field] = "2018-06-01"
        elif item.field == "registered_capital":
            declared[item.field] = "5000000"
        else:
            declared[item.field] = "演示数据"
    return declared


def _submit(policy, user, moment: datetime) -> Application | None:
    enterprise = user.enterprise
    prefill = application_prefill(policy=policy, enterprise=enterprise)
    files = [
        (m.pk, SimpleUploadedFile(f"{m.name[:40]}.pdf", PDF, content_type="application/pdf"))
        for m in policy.materials.all()
        if not m.from_shared_data
    ]
    try:
        return services.application_submit(
            policy=policy,
            enterprise=enterprise,
            applicant=user,
            declared=_declared(prefill, enterprise),
            files=files,
            now=moment,
        )
    except ValidationError as exc:
        log.info("demo application for %s not made: %s", policy.title, exc)
        return None


def _award(policy, enterprise, today) -> Decimal:
    try:
        amount = award_amount(policy.award, profile_load(enterprise), as_of=today).amount
    except Exception:  # noqa: BLE001 - a demo amount is enough when the formula needs data
        amount = None
    return amount if amount and amount > 0 else Decimal("100000")


def _results_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["指令编号", "结果", "到账日期", "失败原因", "银行流水号"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _bank_account(enterprise) -> None:
    BankAccount.objects.get_or_create(
        enterprise=enterprise,
        defaults={
            "account_name": enterprise.name,
            "bank_name": "中国工商银行郑州分行营业部",
            "account_number": f"1702{enterprise.pk:015d}",
            "source": "税务部门共享",
        },
    )


def _pay(
    grants: list[Grant],
    officer,
    *,
    enterprise_user_ids: set[int],
    instructed: datetime,
    paid: datetime,
    fail_one: bool,
) -> None:
    for grant in grants:
        _bank_account(grant.enterprise)
        if grant.enterprise_id in enterprise_user_ids:
            continue  # left for the demo enterprise's one-click confirmation
        services.grant_account_confirm(grant=grant, via_token=True, now=instructed - timedelta(days=1))
    ready = [g.pk for g in Grant.objects.filter(pk__in=[g.pk for g in grants], status=GrantStatus.READY)]
    if not ready:
        return
    instructions = services.payment_instructions_create(grant_ids=ready, actor=officer, now=instructed)
    services.payment_instructions_export(instructions=instructions, fmt="csv", now=instructed)
    rows = []
    for index, ins in enumerate(instructions):
        if fail_one and index == len(instructions) - 1 and len(instructions) > 1:
            rows.append([ins.reference, "失败", "", "收款账户状态异常（已销户）", ""])
        else:
            rows.append(
                [ins.reference, "成功", timezone.localtime(paid).date().isoformat(), "", f"DEMO{ins.pk:08d}"]
            )
    services.payment_results_import(
        content=_results_csv(rows), filename="demo-results.csv", actor=officer, now=paid
    )


def _applications(officer, today_moment: datetime) -> int:
    User = get_user_model()
    demo_user = (
        User.objects.filter(username="enterprise", enterprise__isnull=False)
        .select_related("enterprise")
        .first()
    )
    if demo_user is None:
        return 0
    today = timezone.localtime(today_moment).date()
    open_policies = [
        p
        for p in Policy.objects.filter(status="published", auto_grant=False).order_by("id")
        if (p.apply_start is None or p.apply_start <= today - timedelta(days=30))
        and (p.apply_end is None or p.apply_end >= today)
    ]
    if not open_policies:
        return 0
    matched = set(
        Match.objects.filter(
            enterprise=demo_user.enterprise, status__in=["eligible", "possible"]
        ).values_list("policy_id", flat=True)
    )
    open_policies.sort(key=lambda p: (p.pk not in matched, p.pk))
    days = timedelta(days=1)
    made = 0
    plan = ["in_review", "returned", "paid"]
    for policy, state in zip(open_policies, plan, strict=False):
        if state == "in_review":
            app = _submit(policy, demo_user, today_moment - 4 * days)
            if app:
                services.application_accept(application=app, actor=officer, now=today_moment - 3 * days)
        elif state == "returned":
            app = _submit(policy, demo_user, today_moment - 10 * days)
            if app:
                services.application_return(
                    application=app,
                    actor=officer,
                    now=today_moment - 8 * days,
                    reasons="请补充加盖公章的研发费用专项审计报告（第 3 页缺盖章）",
                )
        else:
            app = _submit(policy, demo_user, today_moment - 30 * days)
            if app:
                services.application_accept(application=app, actor=officer, now=today_moment - 28 * days)
                services.application_approve(
                    application=app,
                    actor=officer,
                    amount=_award(policy, demo_user.enterprise, today),
                    now=today_moment - 20 * days,
                )
                _pay(
                    [app.grant],
                    officer,
                    enterprise_user_ids=set(),
                    instructed=today_moment - 15 * days,
                    paid=today_moment - 12 * days,
                    fail_one=False,
                )
        made += bool(app)
    # Other enterprises: an overdue one (escalated), a rejection and approvals for the figures,
    # on the policy whose application window opened first (so the timeline fits in it).
    others: list[int] = []
    for policy in sorted(open_policies, key=lambda p: (p.apply_start or today - timedelta(days=3650), p.pk)):
        others = list(
            Match.objects.filter(policy=policy, status__in=["eligible", "possible"])
            .exclude(enterprise=demo_user.enterprise)
            .values_list("enterprise_id", flat=True)[:4]
        )
        if len(others) >= 3:
            break
    earliest = policy.apply_start or today - timedelta(days=3650)
    for index, enterprise_id in enumerate(others):
        user = _user(f"demo-applicant-{enterprise_id}", first_name="申报人", enterprise_id=enterprise_id)
        if user.enterprise_id != enterprise_id:
            continue
        user = User.objects.select_related("enterprise").get(pk=user.pk)
        start = today_moment - timedelta(days=min(45 - index * 5, (today - earliest).days))
        app = _submit(policy, user, start)
        if app is None:
            continue
        made += 1
        if index == 0:
            continue  # left open past its time limit: overdue, escalated below
        if index == 1:
            services.application_reject(
                application=app,
                actor=officer,
                reasons="近三年存在失信记录，不符合申报条件",
                now=start + 6 * days,
            )
        else:
            services.application_approve(
                application=app,
                actor=officer,
                amount=_award(policy, user.enterprise, today),
                now=start + (7 + index) * days,
            )
            _pay(
                [app.grant],
                officer,
                enterprise_user_ids=set(),
                instructed=start + (10 + index) * days,
                paid=start + (13 + index) * days,
                fail_one=False,
            )
    services.applications_escalate_overdue(now=today_moment)
    return made


def _auto_grants(officer, now: datetime) -> tuple[int, int]:
    User = get_user_model()
    demo_ids = set(
        User.objects.filter(enterprise__isnull=False, username__in=["enterprise", "enterprise2"]).values_list(
            "enterprise_id", flat=True
        )
    )
    period = str(timezone.localtime(now).year)
    created = 0
    policy_ids = services.auto_grant_policy_ids()
    for pid in policy_ids:
        # One bounded batch per policy keeps the demo load quick; on a running system the
        # beat task (applications.grant_proposals_generate) proposes the rest.
        created += services.grant_proposals_generate(
            policy_id=pid, period=period, now=now, limit=DEMO_PROPOSALS
        )
    if GrantBatch.objects.exists():
        return created, 0
    # Confirm and pay one policy's batch, preferring one the demo enterprise is in.
    candidates = list(
        Policy.objects.filter(pk__in=policy_ids, grant_proposals__status="proposed").distinct().order_by("id")
    )
    if not candidates:
        return created, 0
    with_demo = [
        p
        for p in candidates
        if GrantProposal.objects.filter(policy=p, enterprise_id__in=demo_ids, status="proposed").exists()
    ]
    policy = (with_demo or candidates)[0]
    ids = list(
        GrantProposal.objects.filter(policy=policy, period=period, status="proposed")
        .order_by("id")
        .values_list("pk", flat=True)[:40]
    )
    ids += list(
        GrantProposal.objects.filter(
            policy=policy, period=period, status="proposed", enterprise_id__in=demo_ids
        ).values_list("pk", flat=True)
    )
    # confirmed three weeks ago: its 信息公示 is over (services.notice), so it can be paid now
    batch = services.grant_batch_confirm(
        policy=policy,
        period=period,
        actor=officer,
        proposal_ids=list(set(ids)),
        now=now - timedelta(days=21),
        sms=False,
    )
    grants = list(Grant.objects.filter(proposal__batch=batch).select_related("enterprise"))
    _pay(grants, officer, enterprise_user_ids=demo_ids, instructed=now, paid=now, fail_one=True)
    return created, batch.count


@transaction.atomic
def load(enterprises: int = 0, seed: int = 0) -> str:
    now = timezone.now()
    officer = _officer_and_head()
    made = 0
    if not Application.objects.exists():
        made = _applications(officer, now)
    proposals, granted = _auto_grants(officer, now)
    return (
        f"{Application.objects.count()} applications ({made} new), {GrantProposal.objects.count()} auto-grant proposals "
        f"({proposals} new), {Grant.objects.exclude(status='cancelled').count()} grants, "
        f"{Grant.objects.filter(status__in=['paid', 'received']).count()} paid"
    )
