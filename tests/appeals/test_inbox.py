import pytest
from django.urls import reverse

from appeals import services
from appeals.models import Category, RoutingRule
from applications.models import DepartmentHead
from inbox.models import Message
from tests.factories.accounts import EnterpriseUserFactory, OfficialUserFactory
from tests.factories.policies import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_a_department_head_reads_an_escalation_in_the_work_messages(client):
    dept = DepartmentFactory()
    RoutingRule.objects.create(category=Category.OTHER, department=dept)
    head = OfficialUserFactory(departments=[dept])
    DepartmentHead.objects.create(department=dept, user=head)
    user = EnterpriseUserFactory()
    case = services.case_raise(
        enterprise=user.enterprise, raised_by=user, category="other", title="t", description="d"
    )
    services.cases_remind_and_escalate(today=case.due_on.replace(year=case.due_on.year + 1))
    client.force_login(head)
    page = client.get(reverse("inbox:list")).content.decode()
    assert "诉求超期督办" in page and "工作消息" in page and "诉求办理" in page  # the officials' nav
    message = Message.objects.get(user=head)
    response = client.post(reverse("inbox:read", args=[message.pk]))
    assert response.status_code == 302 and response.url == f"/appeals/staff/{case.pk}/"
    message.refresh_from_db()
    assert message.read_at is not None
    # another user cannot mark it read
    other = OfficialUserFactory()
    client.force_login(other)
    assert "诉求超期督办" not in client.get(reverse("inbox:list")).content.decode()


def test_enterprise_users_see_their_own_nav(client):
    client.force_login(EnterpriseUserFactory())
    page = client.get(reverse("appeals:mine")).content.decode()
    assert "我的政策" in page and "我的诉求" in page and "数据看板" not in page
