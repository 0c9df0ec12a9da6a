from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises.models import IndicatorDefinition
from tests.factories.accounts import EnterpriseUserFactory
from tests.factories.enterprises import EnterpriseFactory, IndicatorValueFactory
from tests.factories.policies import DepartmentFactory, MaterialFactory, OfficialFactory, PolicyFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(y, m, d, hour=10) -> datetime:
    return datetime(y, m, d, hour, 0, tzinfo=SHANGHAI)


def pdf(name: str = "营业执照.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _builtin_indicators(request):
    """The built-in indicators come from a data migration; a transactional test elsewhere may
    have flushed them from a reused test database, so make sure the ones used here exist."""
    if "db" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db") if not request.node.get_closest_marker("services") else None
    for code, name, kind, unit in (
        ("revenue", "营业收入", "money", "元"),
        ("rd_expense", "研发费用", "money", "元"),
    ):
        IndicatorDefinition.objects.get_or_create(
            code=code, defaults={"name": name, "type": kind, "unit": unit}
        )


@pytest.fixture
def department(db):
    return DepartmentFactory(code="gxj", name="郑州市工业和信息化局")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(code="swj", name="郑州市商务局")


@pytest.fixture
def official(department):
    return OfficialFactory(username="gxj-official", departments=[department], first_name="王科长")


@pytest.fixture
def other_official(other_department):
    return OfficialFactory(username="swj-official", departments=[other_department])


@pytest.fixture
def enterprise(db):
    ent = EnterpriseFactory(name="郑州智造科技有限公司", contact_name="李经理", contact_phone="13812345678")
    IndicatorValueFactory(enterprise=ent, period="2024", value=Decimal("30000000"))
    return ent


@pytest.fixture
def enterprise_user(enterprise):
    return EnterpriseUserFactory(username="zhizao", enterprise=enterprise)


@pytest.fixture
def other_enterprise_user(db):
    return EnterpriseUserFactory(username="other-ent")


@pytest.fixture
def policy(department):
    """A published policy asking about revenue (in the registry) and R&D expense (not)."""
    p = PolicyFactory(
        title="研发费用后补助",
        department=department,
        status="published",
        processing_days=5,
        criteria={
            "all": [
                {"field": "revenue", "op": ">", "value": 10000000},
                {"field": "rd_expense", "period": "last_year", "op": ">=", "value": 1000000},
            ]
        },
        award={"amount": "min(0.1 * rd_expense, 500000)"},
    )
    MaterialFactory(policy=p, name="营业执照", from_shared_data=True, position=0)
    MaterialFactory(policy=p, name="研发费用专项审计报告", from_shared_data=False, required=True, position=1)
    return p


@pytest.fixture
def audit_material(policy):
    return policy.materials.get(from_shared_data=False)


def indicator(code: str) -> IndicatorDefinition:
    return IndicatorDefinition.objects.get(code=code)


__all__ = ["at", "pdf", "PDF", "PNG", "date"]
