"""Journeys across the seams, walked as people walk them.

A small city built with the real services (officials of one department, two enterprises
with their users), and the fixtures of the other suites: the real Celery worker
(``tests/integration``) and Chromium against the live server (``tests/browser``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.browser.conftest import builtin_vocabulary_restore, chromium, login, page, shoot  # noqa: F401
from tests.factories.accounts import EnterpriseUserFactory
from tests.factories.enterprises import credit_code
from tests.factories.policies import DepartmentFactory, OfficialFactory
from tests.integration.conftest import start_worker, wait_for  # noqa: F401

URL = re.compile(r"https?://[^\s<>\"'，。；）]+")


@dataclass
class City:
    department: object
    drafter: object
    reviewer: object
    head: object
    enterprise: object
    other: object
    user: object
    other_user: object
    policies: list = field(default_factory=list)


def city_build() -> City:
    """Officials of 市工信局 (a drafter, a reviewer, the head) and two enterprises in 金水区
    with one user each; no policy yet."""
    from applications.models import DepartmentHead
    from enterprises.services import enterprise_upsert

    department = DepartmentFactory(code="zz-gxj", name="郑州市工业和信息化局", contact="0371-67170000")
    drafter = OfficialFactory(username="gxj-drafter", departments=[department])
    reviewer = OfficialFactory(username="gxj-reviewer", departments=[department], reviewer=True)
    head = OfficialFactory(username="gxj-head", departments=[department], email="head@example.gov.cn")
    DepartmentHead.objects.create(department=department, user=head)
    enterprise = enterprise_upsert(
        data={
            "credit_code": credit_code(301),
            "name": "郑州丙智能装备有限公司",
            "district": "410105",
            "industry": "C3411",
            "established_on": "2016-04-01",
            "registered_capital": "8000000",
            "contact_name": "王五",
            "contact_phone": "13811112222",
            "contact_email": "wangwu@example.com",
        },
        source="test",
    )
    other = enterprise_upsert(
        data={
            "credit_code": credit_code(302),
            "name": "郑州丁新材料有限公司",
            "district": "410105",
            "industry": "C2651",
            "established_on": "2019-07-01",
            "registered_capital": "3000000",
            "contact_phone": "13933334444",
        },
        source="test",
    )
    return City(
        department=department,
        drafter=drafter,
        reviewer=reviewer,
        head=head,
        enterprise=enterprise,
        other=other,
        user=EnterpriseUserFactory(username="bing", enterprise=enterprise),
        other_user=EnterpriseUserFactory(username="ding", enterprise=other),
    )


def policy_data(city: City, *, title: str, min_capital: int = 1_000_000, amount: str = "300000") -> dict:
    today = timezone.localdate()
    return {
        "title": title,
        "department": city.department,
        "benefit_type": "subsidy",
        "processing_days": 10,
        "summary": f"对符合条件的企业给予{title}。",
        "body": "第一条 注册在郑州市且注册资本达到要求的企业可以申报。",
        "criteria": {
            "all": [
                {"field": "district", "op": "within", "value": ["4101"]},
                {"field": "registered_capital", "op": ">=", "value": min_capital},
            ]
        },
        "award": {"amount": amount},
        "apply_end": today + datetime.timedelta(days=30),
    }


def policy_publish_as_officials(city: City, data: dict):
    """Drafted and sent for review by the drafter, published by the reviewer (the services
    the admin and the API call)."""
    from policies.services import policy_create, policy_publish, policy_submit

    draft = policy_submit(policy=policy_create(actor=city.drafter, data=data), actor=city.drafter)
    return policy_publish(policy=draft, actor=city.reviewer)


def caches_reset() -> None:
    from matching.pipeline.rematch import PUBLISHED
    from portal.web import selectors

    cache.clear()
    selectors._briefs.update({"key": None, "items": []})
    PUBLISHED.by_id.clear()
    PUBLISHED.generation = None


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def real_broker(settings):
    """Tasks go to the broker (REDIS_URL) for a real worker, whatever an earlier test left in the
    Celery app's configuration."""
    from portal.celery import app

    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def eager_pipeline(settings):
    """The pipeline's tasks run in-process (as in tests/web) even when REDIS_URL is set."""
    from portal.celery import app

    before = app.conf.task_always_eager  # read before the override: the app loads its conf lazily
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    caches_reset()
    yield
    app.conf.task_always_eager = before
    caches_reset()
