import pytest
from django.contrib.auth import get_user_model

from tests.factories.policies import DepartmentFactory, OfficialFactory

VALID_CRITERIA = {
    "all": [
        {"field": "district", "op": "within", "value": ["4101"]},
        {"field": "registered_capital", "op": ">=", "value": 5000000},
    ]
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Officials' passwords are hashed for every test; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def department(db):
    return DepartmentFactory(code="zz-gxj", name="郑州市工业和信息化局")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(code="zz-kjj", name="郑州市科学技术局")


@pytest.fixture
def drafter(department):
    return OfficialFactory(username="alice", departments=[department])


@pytest.fixture
def reviewer(department):
    return OfficialFactory(username="bob", departments=[department], reviewer=True)


@pytest.fixture
def other_reviewer(other_department):
    return OfficialFactory(username="charlie", departments=[other_department], reviewer=True)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "Demo-2026-zz")


@pytest.fixture
def scheduled(monkeypatch):
    """The matching pipeline calls made by the services, as (policy_id, reason)."""
    calls = []
    monkeypatch.setattr(
        "policies.services._schedule_matching",
        lambda *, policy_id, reason: calls.append((policy_id, reason)),
    )
    return calls


@pytest.fixture
def draft_data(department):
    return {
        "title": "郑州市专精特新中小企业奖励",
        "doc_number": "郑工信〔2026〕1号",
        "department": department.code,
        "summary": "对新认定的专精特新中小企业给予一次性奖励。",
        "body": "正文",
        "criteria": VALID_CRITERIA,
        "award": {"amount": "300000"},
    }
