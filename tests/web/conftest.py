"""A small city built with the real services: two enterprises, a handful of published
policies, the matching pipeline run (eagerly) on commit, and one user per enterprise."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.factories.accounts import EnterpriseUserFactory
from tests.factories.enterprises import credit_code
from tests.factories.policies import DepartmentFactory, ServicePointFactory


@dataclass
class City:
    enterprise: object
    other: object
    user: object
    other_user: object
    policies: dict
    department: object


def build_city(*, today: datetime.date | None = None) -> City:
    """Enterprises and policies through the services; matching runs on commit (callers wrap
    this in ``django_capture_on_commit_callbacks(execute=True)`` or a live transaction)."""
    from enterprises.services import enterprise_upsert
    from policies.services import policy_create, policy_publish

    today = today or timezone.localdate()
    last_year = str(today.year - 1)
    department = DepartmentFactory(code="zz-kjj", name="郑州市科学技术局", contact="0371-67180000")
    point = ServicePointFactory(department=department, name="市民服务中心科技窗口", hours="工作日 9:00-17:00")
    enterprise = enterprise_upsert(
        data={
            "credit_code": credit_code(101),
            "name": "郑州甲数据科技有限公司",
            "district": "410105",
            "industry": "I6513",
            "established_on": "2018-03-01",
            "registered_capital": "5000000",
            "legal_representative": "张三丰",
            "contact_name": "李四",
            "contact_phone": "13812345678",
            "contact_email": "lisi@example.com",
            "address": "郑州市金水区花园路1号",
            "tags": [
                {
                    "name": "高新技术企业",
                    "recognized_on": str(today - datetime.timedelta(days=400)),
                    "expires_on": str(today + datetime.timedelta(days=700)),
                }
            ],
            "indicators": {"rd_expense": {last_year: "2000000"}, "employees": {last_year: "80"}},
        },
        source="test",
    )
    other = enterprise_upsert(
        data={
            "credit_code": credit_code(102),
            "name": "郑州乙机械制造有限公司",
            "district": "410102",
            "industry": "C3411",
            "established_on": "2010-05-01",
            "registered_capital": "20000000",
            "contact_phone": "13900001111",
        },
        source="test",
    )
    specs = {
        "rd": {
            "title": "郑州市企业研发费用后补助",
            "benefit_type": "subsidy",
            "summary": "对研发投入大的企业按研发费用给予后补助。",
            "body": "第一条 对上年度研发费用达到一定规模的企业给予补助。",
            "criteria": {
                "all": [
                    {"field": "district", "op": "within", "value": ["4101"]},
                    {"field": "registered_capital", "op": ">=", "value": 1000000},
                ]
            },
            "award": {"amount": "min(0.1 * rd_expense, 500000)"},
            "apply_end": today + datetime.timedelta(days=12),
            "service_point": point,
            "interpretations": [
                {"kind": "qa", "title": "问答", "question": "研发费用怎么算？", "answer": "以税务申报为准。"}
            ],
            "materials": [{"name": "研发费用专项审计报告", "required": True}],
        },
        "hightech": {
            "title": "高新技术企业认定奖励",
            "benefit_type": "subsidy",
            "summary": "对高新技术企业给予一次性奖励。",
            "criteria": {"field": "tags", "op": "has", "value": "高新技术企业"},
            "award": {"amount": "300000"},
            "exclusive_group": "科技奖励",
            "apply_end": today + datetime.timedelta(days=90),
        },
        "generic": {
            "title": "科技型企业普惠奖励",
            "benefit_type": "subsidy",
            "summary": "全市企业普惠支持。",
            "criteria": {"all": [{"field": "district", "op": "within", "value": ["4101"]}]},
            "award": {"amount": "100000"},
            "exclusive_group": "科技奖励",
        },
        "revenue": {
            "title": "规模以上企业营收增长奖励",
            "benefit_type": "subsidy",
            "summary": "营业收入增长奖励。",
            "criteria": {
                "all": [
                    {"field": "district", "op": "within", "value": ["4101"]},
                    {"field": "revenue", "period": "last_year", "op": ">", "value": 20000000},
                ]
            },
            "award": {"amount": "200000"},
        },
        "capital": {
            "title": "大型企业总部落户奖励",
            "benefit_type": "premises",
            "summary": "总部落户奖励。",
            "criteria": {
                "all": [
                    {"field": "district", "op": "within", "value": ["4101"]},
                    {"field": "registered_capital", "op": ">=", "value": 10000000},
                ]
            },
            "award": {"amount": "1000000"},
        },
        "manufacturing": {
            "title": "制造业设备更新贴息",
            "benefit_type": "finance",
            "summary": "制造业企业设备更新贷款贴息。",
            "criteria": {"all": [{"field": "industry", "op": "within", "value": ["C"]}]},
        },
    }
    policies = {}
    for key, spec in specs.items():
        data = {k: v for k, v in spec.items() if k not in ("interpretations", "materials")}
        data["department"] = department
        policy = policy_create(
            actor=None,
            data=data,
            interpretations=spec.get("interpretations"),
            materials=spec.get("materials"),
        )
        policies[key] = policy_publish(policy=policy, actor=None)
    user = EnterpriseUserFactory(username="jia", enterprise=enterprise)
    other_user = EnterpriseUserFactory(username="yi", enterprise=other)
    return City(
        enterprise=enterprise,
        other=other,
        user=user,
        other_user=other_user,
        policies=policies,
        department=department,
    )


@pytest.fixture(autouse=True)
def _eager_tasks(settings):
    """The pages are tested against what the pipeline writes: run its tasks in-process even
    when REDIS_URL is set (CI), where they would otherwise wait for a worker."""
    from portal.celery import app

    # Read before overriding the setting: app.conf reads Django's settings, so read afterwards it
    # says True, and "restoring" that would leave every later test of the session eager.
    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    _process_caches_reset()
    yield
    cache.clear()
    _process_caches_reset()


def _process_caches_reset() -> None:
    """Per-process caches of published policies (ours and the re-match worker's) survive a
    test's rollback; with the shared cache cleared they could take a rolled-back policy for
    a current one."""
    from matching.pipeline.rematch import PUBLISHED
    from portal.web import selectors

    selectors._briefs.update({"key": None, "items": []})
    PUBLISHED.by_id.clear()
    PUBLISHED.generation = None


@pytest.fixture
def city(db, django_capture_on_commit_callbacks, settings) -> City:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_capture_on_commit_callbacks(execute=True):
        built = build_city()
    return built


@pytest.fixture
def client_jia(client, city):
    client.force_login(city.user)
    return client
