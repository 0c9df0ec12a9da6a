"""GET /api/v1/enterprises/{credit_code}/grants/: the enterprise, officials of the grant's
department, nobody else."""

from decimal import Decimal

import pytest

from tests.factories.applications import GrantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(department, enterprise):
    return GrantFactory(
        policy__department=department,
        department=department,
        enterprise=enterprise,
        amount=Decimal("300000"),
        policy__title="稳增长奖励",
    )


def url(enterprise) -> str:
    return f"/api/v1/enterprises/{enterprise.credit_code}/grants/"


def test_the_enterprise_sees_its_grants_with_status_and_payments(client, grant, enterprise, enterprise_user):
    client.force_login(enterprise_user)
    body = client.get(url(enterprise)).json()
    assert body["count"] == 1
    [row] = body["results"]
    assert (row["title"], row["amount"], row["status"], row["payments"]) == (
        "稳增长奖励",
        "300000.00",
        "awaiting_account",
        [],
    )
    # a lower-case code with spaces is normalised
    assert client.get(f"/api/v1/enterprises/ {enterprise.credit_code.lower()} /grants/").json()["count"] == 1


def test_officials_see_only_their_departments_grants_and_others_get_404(
    client, grant, enterprise, official, other_official, other_enterprise_user
):
    client.force_login(official)
    assert client.get(url(enterprise)).json()["count"] == 1
    client.force_login(other_official)
    assert client.get(url(enterprise)).json()["count"] == 0
    client.force_login(other_enterprise_user)
    assert client.get(url(enterprise)).status_code in (403, 404)
    client.logout()
    assert client.get(url(enterprise)).status_code == 401


def _six_grants(department, enterprise) -> None:
    for i in range(6):
        GrantFactory(
            policy__department=department,
            department=department,
            enterprise=enterprise,
            period=str(2020 + i),
            amount=Decimal("1000"),
        )


def test_the_grants_list_does_not_grow_queries_with_rows(
    client, department, enterprise, enterprise_user, django_assert_max_num_queries
):
    _six_grants(department, enterprise)
    client.force_login(enterprise_user)
    with django_assert_max_num_queries(10):  # session, user, enterprise, count, page, payments
        body = client.get(url(enterprise)).json()
    assert body["count"] == 6


def test_my_applications_page_does_not_grow_queries_with_grants(
    client, department, enterprise, enterprise_user, django_assert_max_num_queries
):
    _six_grants(department, enterprise)
    client.force_login(enterprise_user)
    # 12: session, user, enterprise, applications, drafts (暂存), grants and their parts; the
    # figure is fixed whatever the number of grants (six here).
    with django_assert_max_num_queries(12):
        response = client.get("/applications/mine/")
    assert response.content.decode().count("data-grant=") == 6
