import pytest

from appeals.models import Category, RoutingRule
from tests.factories.accounts import EnterpriseUserFactory, OfficialUserFactory
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import DepartmentFactory


@pytest.fixture
def setup(db) -> dict:
    """A department every case and arrears case is routed to, an enterprise with a user, the
    department's official, a user of another enterprise and an official of another department."""
    dept = DepartmentFactory(code="gxj")
    for category in (Category.OTHER, Category.FINANCE, Category.ARREARS):
        RoutingRule.objects.create(category=category, department=dept)
    enterprise = EnterpriseFactory()
    return {
        "dept": dept,
        "enterprise": enterprise,
        "user": EnterpriseUserFactory(enterprise=enterprise),
        "official": OfficialUserFactory(departments=[dept]),
        "other_user": EnterpriseUserFactory(),
        "outsider": OfficialUserFactory(),
    }
