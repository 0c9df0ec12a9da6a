"""Demo city, policy library part: Zhengzhou / Henan departments with service points and
36 support policies (34 in force, 2 expired editions) written, reviewed and published
through the workflow services, so that each has its version history.

Each policy carries its example enterprises (``demo_examples``), which must pass for it to be
published. Idempotent: departments, indicators and users are reused; a policy whose title exists is
left alone. Data for the demo-only indicators (layoff rate, freight costs …) is added to
the synthetic registry so that a good number of enterprises qualify.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseTag, IndicatorDefinition, IndicatorValue, TagDefinition
from enterprises.periods import period_bounds

from . import services
from .demo_data import DEPARTMENTS, EXPIRED, INDICATORS, POLICIES
from .demo_examples import EXAMPLES, resolve
from .examples import examples_replace
from .models import Department, Policy, PolicyStatus, ServicePoint

DEMO_PASSWORD = "Demo-2026-zz"
DRAFTER = "policy-drafter"
REVIEWER = "policy-reviewer"
DEMO_LOGINS = [
    (DRAFTER, DEMO_PASSWORD, "政策起草员（各演示部门），在管理后台起草、提交政策"),
    (REVIEWER, DEMO_PASSWORD, "政策审核员（各演示部门），审核发布、撤回政策，预览覆盖面"),
]


def _departments() -> dict[str, Department]:
    out = {}
    for code, name, short, level, division, parent, contact, website, points in DEPARTMENTS:
        dept, _ = Department.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "level": level,
                "district": division,
                "contact": contact,
                "website": website,
            },
        )
        for point_name, address, hotline in points:
            ServicePoint.objects.get_or_create(
                department=dept,
                name=point_name,
                defaults={
                    "address": address,
                    "hotline": hotline,
                    "hours": "工作日 上午9:00-12:00，下午13:30-17:30",
                },
            )
        out[code] = dept
        if parent and dept.parent_id is None and parent in out:
            dept.parent = out[parent]
            dept.save(update_fields=["parent"])
    return out


def _indicators() -> None:
    for code, name, type_, unit, periodicity, description in INDICATORS:
        IndicatorDefinition.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "type": type_,
                "unit": unit,
                "periodicity": periodicity,
                "description": description,
            },
        )


def _users(departments: list[Department]):
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once for both
    users = []
    for username, first, last in ((DRAFTER, "起草员", "张"), (REVIEWER, "审核员", "刘")):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": True, "password": password},
        )
        if user.password_changed_at is None:
            user.password_changed_at = timezone.now()
            user.save(update_fields=["password_changed_at"])
        user.departments.add(*departments)
        users.append(user)
    users[1].user_permissions.add(
        Permission.objects.get(codename="review_policy", content_type__app_label="policies")
    )
    # The admin also needs the model permissions for the policy library.
    model_perms = Permission.objects.filter(content_type__app_label="policies").exclude(
        codename__startswith="delete_"
    )
    for user in users:
        user.user_permissions.add(*model_perms)
    return users[0].__class__.objects.get(pk=users[0].pk), users[1].__class__.objects.get(pk=users[1].pk)


def _date(offset: int | None, today: dt.date) -> dt.date | None:
    return None if offset is None else today + dt.timedelta(days=offset)


def _body(spec: dict) -> str:
    how_to = (
        "本政策实行“免申即享”：相关部门依据共享数据比对确定名单，公示无异议后直接兑付，企业无需申报。"
        if spec.get("auto_grant")
        else "企业通过“政策找企业”平台在线申报，主管部门在办理时限内完成审核，审核通过后予以兑付。"
    )
    return (
        f"一、支持对象\n{spec['who']}\n\n二、支持标准\n{spec['how']}\n\n三、申报程序\n{how_to}\n\n"
        f"四、说明\n本条目为演示数据，{spec['source_name']}编写，条件与金额已简化，请以原文为准。"
    )


def _data(spec: dict, today: dt.date) -> dict:
    apply_start, apply_end = spec["apply"]
    valid_from, valid_until = spec["valid"]
    return {
        "title": spec["title"],
        "doc_number": spec["doc_number"],
        "department": spec["department"],
        "co_departments": spec.get("co_departments", []),
        "level": spec["level"],
        "benefit_type": spec["benefit_type"],
        "summary": spec["summary"],
        "body": _body(spec),
        "criteria": spec["criteria"],
        "award": spec.get("award"),
        "award_basis": spec.get("award_basis", ""),
        "auto_grant": spec.get("auto_grant", False),
        "exclusive_group": spec.get("exclusive_group", ""),
        "apply_start": _date(apply_start, today),
        "apply_end": _date(apply_end, today),
        "valid_from": _date(valid_from, today),
        "valid_until": _date(valid_until, today),
        "source_name": spec["source_name"],
        "source_url": spec["source_url"],
        "contact": "",
    }


def _interpretations(spec: dict) -> list[dict]:
    items = [
        {
            "kind": "text",
            "title": f"一图读懂《{spec['title']}》",
            "body": f"{spec['summary']}\n支持对象：{spec['who']}\n支持标准：{spec['how']}",
        }
    ]
    for question, answer in spec.get("qa", []):
        items.append({"kind": "qa", "title": "政策问答", "question": question, "answer": answer})
    return items


def _materials(spec: dict) -> list[dict]:
    out = []
    for name in spec.get("materials", []):
        shared = name.endswith("*")
        name = name.rstrip("*")
        out.append(
            {
                "name": name,
                "description": "由平台从政务共享数据获取，无需上传。"
                if shared
                else "加盖企业公章的扫描件（PDF）。",
                "required": True,
                "from_shared_data": shared,
            }
        )
    return out


def _publish(spec: dict, *, drafter, reviewer, service_points: dict, today: dt.date) -> Policy:
    data = _data(spec, today)
    points = service_points.get(spec["department"])
    if points:
        data["service_point"] = points.pk
        data["contact"] = f"{points.name} {points.hotline}"
    policy = services.policy_create(
        actor=drafter, data=data, interpretations=_interpretations(spec), materials=_materials(spec)
    )
    examples = [
        {**e, "profile": resolve(e["profile"], today), "as_of": today}
        for e in EXAMPLES.get(spec["title"], [])
    ]
    if examples:
        # checked when publishing: a demo policy whose examples fail is not published
        examples_replace(policy=policy, actor=drafter, examples=examples)
    policy = services.policy_submit(policy=policy, actor=drafter)
    return services.policy_publish(policy=policy, actor=reviewer)


def _indicator_values(seed: int, today: dt.date) -> int:
    """Demo-only indicators for the synthetic registry (layoff rate, freight costs …)."""
    defs = {
        d.code: d
        for d in IndicatorDefinition.objects.filter(
            code__in=[i[0] for i in INDICATORS] + ["insured_employees", "tax_paid"]
        )
    }
    demo_codes = [i[0] for i in INDICATORS]
    if IndicatorValue.objects.filter(indicator__code__in=demo_codes, source="demo-policies").exists():
        return 0
    rng = random.Random(seed + 17)
    last, this = str(today.year - 1), str(today.year)
    rows: list[IndicatorValue] = []

    def add(enterprise_id: int, code: str, period: str, value) -> None:
        start, end = period_bounds(period)
        rows.append(
            IndicatorValue(
                enterprise_id=enterprise_id,
                indicator=defs[code],
                period=period,
                period_start=start,
                period_end=end,
                value=Decimal(str(value)).quantize(Decimal("0.01")),
                source="demo-policies",
                as_of=today,
            )
        )

    insured = dict(
        IndicatorValue.objects.filter(indicator=defs["insured_employees"], period=last).values_list(
            "enterprise_id", "value"
        )
    )
    for eid, n in insured.items():
        if n is None:
            continue
        rate = rng.choice([0, 0, 0, 0, 1.2, 2.5, 3.8, 4.6, 5.0, 6.8, 9.5, 15])
        add(eid, "layoff_rate", last, rate)
        add(eid, "unemployment_insurance_paid", last, int(n) * rng.randint(600, 900))

    ents = Enterprise.objects.values_list("id", "district", "zone", "industry", "scale")
    quarter = f"{today.year}Q3" if today.month > 9 else f"{today.year - 1}Q4"
    trade = set(
        EnterpriseTag.objects.filter(tag__name="外贸进出口企业").values_list("enterprise_id", flat=True)
    )
    above = set(
        EnterpriseTag.objects.filter(tag__name="规模以上工业企业").values_list("enterprise_id", flat=True)
    )
    taxed = dict(
        IndicatorValue.objects.filter(indicator=defs["tax_paid"], period=last).values_list(
            "enterprise_id", "value"
        )
    )
    for eid, district, zone, industry, scale in ents:
        industry = industry or ""
        if zone == "410173":
            if industry[:1] in ("C", "G", "F") and rng.random() < 0.5:
                add(eid, "freight_cost", quarter, rng.randint(200_000, 30_000_000))
            if eid in above or industry[:1] == "C":
                add(eid, "output_growth", last, round(rng.uniform(-10, 45), 1))
            if industry.startswith("C39"):
                add(eid, "equipment_investment", last, rng.randint(1_000_000, 200_000_000))
        if eid in trade or (industry[:1] == "F" and rng.random() < 0.1):
            add(eid, "import_export_value", last, rng.randint(2_000_000, 500_000_000))
        if scale in ("medium", "small", "micro") and rng.random() < 0.3:
            add(eid, "loan_interest", this, rng.randint(20_000, 2_000_000))
        if district == "410105" and (taxed.get(eid) or 0) >= 5_000_000:
            add(eid, "office_rent", last, rng.randint(200_000, 5_000_000))
    IndicatorValue.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


# Recognitions the demo policies reward, added to the synthetic registry:
# (tag, how many, industry sections or "" for any, scales or None, recognised on (year, month), first_time)
DEMO_TAGS = [
    ("专精特新中小企业", 30, "C", ("small", "medium"), (0, 4), True),
    ('专精特新"小巨人"企业', 6, "C", ("medium", "large"), (-1, 8), True),
    ("高新技术企业", 25, "CIM", None, (0, 10), True),
    ("高新技术企业", 15, "CIM", None, (0, 10), False),
    ("绿色工厂", 20, "C", None, (0, 9), None),
    ("智能工厂", 15, "C", ("medium", "large"), (-1, 11), None),
    ("省级企业技术中心", 20, "CI", None, (0, 6), None),
    ("国家级企业技术中心", 3, "C", ("large",), (0, 3), None),
    ("省级工程技术研究中心", 20, "CM", None, (0, 7), None),
    ("上市后备企业", 30, "", ("medium", "large"), None, None),
    ("规模以上服务业企业", 40, "GIKLMN", None, (0, 5), True),
    ("限额以上批发零售企业", 20, "F", None, (0, 6), True),
]


def _demo_tags(seed: int, today: dt.date) -> int:
    if EnterpriseTag.objects.filter(source="demo-policies").exists():
        return 0
    rng = random.Random(seed + 29)
    tags = {t.name: t for t in TagDefinition.objects.filter(name__in={row[0] for row in DEMO_TAGS})}
    held = set(EnterpriseTag.objects.values_list("enterprise_id", "tag_id"))
    ents = list(Enterprise.objects.order_by("id").values_list("id", "industry", "scale"))
    rows = []
    for name, count, sections, scales, when, first in DEMO_TAGS:
        tag = tags.get(name)
        if tag is None:
            continue
        pool = [
            eid
            for eid, industry, scale in ents
            if (not sections or (industry or " ")[0] in sections)
            and (scales is None or scale in scales)
            and (eid, tag.pk) not in held
        ]
        for eid in rng.sample(pool, min(count, len(pool))):
            recognized = expires = None
            if when is not None:
                year = today.year + when[0]
                month = min(when[1], today.month) if year == today.year else when[1]
                recognized = dt.date(year, month, rng.randint(1, 28))
                expires = recognized.replace(year=recognized.year + 3) - dt.timedelta(days=1)
            rows.append(
                EnterpriseTag(
                    enterprise_id=eid,
                    tag=tag,
                    recognized_on=recognized,
                    expires_on=expires,
                    first_time=first,
                    source="demo-policies",
                )
            )
            held.add((eid, tag.pk))
    EnterpriseTag.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def load(enterprises: int = 0, seed: int = 20261127) -> str:
    today = timezone.localdate()
    with transaction.atomic():
        departments = _departments()
        _indicators()
        drafter, reviewer = _users(list(departments.values()))
        values = _indicator_values(seed, today)
        tags = _demo_tags(seed, today)
    service_points = {code: dept.service_points.order_by("id").first() for code, dept in departments.items()}
    existing = set(Policy.objects.values_list("title", flat=True))
    created = 0
    for spec in POLICIES:
        if spec["title"] in existing:
            continue
        _publish(spec, drafter=drafter, reviewer=reviewer, service_points=service_points, today=today)
        created += 1

    for spec in EXPIRED:
        if spec["title"] in existing:
            continue
        # Published while in force, then its validity ended: the expiry run retires it.
        live = {**spec, "valid": (spec["valid"][0], 30)}
        policy = _publish(
            live, drafter=drafter, reviewer=reviewer, service_points=service_points, today=today
        )
        services.policy_update(
            policy=policy,
            actor=reviewer,
            data={"valid_until": _date(spec["valid"][1], today)},
            comment="有效期调整为原文件规定",
        )
        created += 1
    expired = services.policy_expire_due(today=today)
    published = Policy.objects.filter(status=PolicyStatus.PUBLISHED).count()
    return (
        f"{len(departments)} departments, {created} policies created "
        f"({published} published, {len(expired)} expired now), {values} demo indicator values, {tags} demo recognitions"
    )
