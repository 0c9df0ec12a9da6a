"""Every endpoint × every role → the expected status, from one table.

Roles: anonymous; enterprise users of A and B; officials of departments X and Y (both
reviewers); a superuser; integrator keys with no scope and with exactly one scope each
(the policies:write key belongs to department X). Fixtures: tests/api/conftest.py.

Rules the table encodes: what a caller may not see answers 404 (another enterprise, a
draft of another department), what they may see but not do answers 403, and an anonymous
caller of a protected endpoint gets 401.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import ROLES
from tests.factories.enterprises import credit_code

ALL = set(ROLES)
OFFICIALS = {"off_x", "off_y", "admin"}


def expect(
    ok: int, allowed: set[str], *, anon: int = 401, other: int = 403, **special: int
) -> dict[str, int]:
    """Status per role: ``ok`` for ``allowed``, ``anon`` for anonymous, ``other`` for the rest,
    and ``special`` overrides."""
    table = {}
    for role in ROLES:
        if role in special:
            table[role] = special[role]
        elif role in allowed:
            table[role] = ok
        elif role == "anon":
            table[role] = anon
        else:
            table[role] = other
    return table


def _new_enterprise(n: int) -> dict:
    return {
        "credit_code": credit_code(n),
        "name": f"郑州新登记{n}有限公司",
        "district": "410105",
        "industry": "C3411",
    }


def _policy_body(world) -> dict:
    return {
        "title": "郑州市中小企业数字化改造补贴",
        "summary": "对完成数字化改造的中小企业给予补贴",
        "department": world.dept_x.code,
        "level": "municipal",
        "benefit_type": "subsidy",
        "criteria": {"all": [{"field": "district", "op": "within", "value": ["4101"]}]},
        "award": {"amount": "100000"},
        "materials": ["营业执照"],
    }


# (id, method, path(world), body(world) or None, expected statuses)
MATRIX = [
    ("departments-list", "get", lambda w: "/api/v1/departments/", None, expect(200, ALL)),
    (
        "departments-create",
        "post",
        lambda w: "/api/v1/departments/",
        lambda w: {"code": "zz-swj", "name": "郑州市商务局"},
        expect(201, {"admin"}),
    ),
    ("tags-list", "get", lambda w: "/api/v1/tags/", None, expect(200, ALL)),
    (
        "tags-create",
        "post",
        lambda w: "/api/v1/tags/",
        lambda w: {"name": "测试新增资质", "issuer": "郑州市科学技术局"},
        expect(201, OFFICIALS),
    ),
    ("indicators-list", "get", lambda w: "/api/v1/indicators/", None, expect(200, ALL)),
    (
        "indicators-create",
        "post",
        lambda w: "/api/v1/indicators/",
        lambda w: {
            "code": "freight_cost",
            "name": "物流运输费用",
            "type": "money",
            "unit": "元",
            "periodicity": "quarter",
        },
        expect(201, OFFICIALS),
    ),
    ("policies-list", "get", lambda w: "/api/v1/policies/", None, expect(200, ALL)),
    ("policy-published", "get", lambda w: f"/api/v1/policies/{w.published.pk}/", None, expect(200, ALL)),
    (
        "policy-draft",
        "get",
        lambda w: f"/api/v1/policies/{w.draft.pk}/",
        None,
        expect(200, {"off_x", "admin", "int_policies_write"}, anon=404, other=404),
    ),
    (
        "policies-create",
        "post",
        lambda w: "/api/v1/policies/",
        _policy_body,
        expect(201, {"off_x", "admin", "int_policies_write"}),
    ),
    (
        "policy-draft-patch",
        "patch",
        lambda w: f"/api/v1/policies/{w.draft.pk}/",
        lambda w: {"summary": "修改后的摘要"},
        expect(200, {"off_x", "admin", "int_policies_write"}, anon=404, other=404),
    ),
    (
        "policy-published-patch",
        "patch",
        lambda w: f"/api/v1/policies/{w.published.pk}/",
        lambda w: {"summary": "修订后的摘要"},
        expect(200, {"off_x", "admin"}),
    ),
    (
        "policy-draft-publish",
        "post",
        lambda w: f"/api/v1/policies/{w.draft.pk}/publish/",
        None,
        expect(200, {"off_x", "admin"}, anon=404, other=404, int_policies_write=403),
    ),
    (
        "policy-draft-reach",
        "get",
        lambda w: f"/api/v1/policies/{w.draft.pk}/reach/",
        None,
        expect(200, {"off_x", "admin"}, anon=404, other=404, int_policies_write=403),
    ),
    (
        "policy-published-reach",
        "get",
        lambda w: f"/api/v1/policies/{w.published.pk}/reach/",
        None,
        expect(200, {"off_x", "admin"}),
    ),
    (
        "enterprises-list",
        "get",
        lambda w: "/api/v1/enterprises/",
        None,
        expect(200, OFFICIALS | {"int_enterprises_read", "int_enterprises_write"}),
    ),
    (
        "enterprises-create",
        "post",
        lambda w: "/api/v1/enterprises/",
        lambda w: _new_enterprise(501),
        expect(201, OFFICIALS | {"int_enterprises_write"}),
    ),
    (
        "enterprise-a-get",
        "get",
        lambda w: f"/api/v1/enterprises/{w.ent_a.credit_code}/",
        None,
        expect(200, OFFICIALS | {"int_enterprises_read", "int_enterprises_write", "ent_a"}, ent_b=404),
    ),
    (
        "enterprise-a-patch",
        "patch",
        lambda w: f"/api/v1/enterprises/{w.ent_a.credit_code}/",
        lambda w: {"address": "郑州市金水区花园路 1 号"},
        expect(200, OFFICIALS | {"int_enterprises_write"}, ent_b=404),
    ),
    (
        "enterprise-a-put",
        "put",
        lambda w: f"/api/v1/enterprises/{w.ent_a.credit_code}/",
        lambda w: {"name": "郑州甲科技有限公司", "district": "410105", "industry": "I6513"},
        expect(200, OFFICIALS | {"int_enterprises_write"}, ent_b=404),
    ),
    (
        "enterprises-bulk",
        "post",
        lambda w: "/api/v1/enterprises/bulk/",
        lambda w: {"source": "测试", "enterprises": [_new_enterprise(601), _new_enterprise(602)]},
        expect(200, OFFICIALS | {"int_enterprises_write"}),
    ),
    (
        "indicator-values",
        "post",
        lambda w: "/api/v1/indicator-values/",
        lambda w: {
            "source": "市税务局",
            "values": [
                {
                    "credit_code": w.ent_a.credit_code,
                    "indicator": "revenue",
                    "period": "2025",
                    "value": "12000000",
                }
            ],
        },
        expect(200, OFFICIALS | {"int_indicators_write"}),
    ),
    (
        "enterprise-a-matches",
        "get",
        lambda w: f"/api/v1/enterprises/{w.ent_a.credit_code}/matches/",
        None,
        expect(200, OFFICIALS | {"int_matches_read", "ent_a"}, ent_b=404),
    ),
    (
        "eligibility",
        "post",
        lambda w: "/api/v1/eligibility/",
        lambda w: {"profile": {"district": "410105", "industry": "C3411"}},
        expect(200, ALL),
    ),
    ("notifications-list", "get", lambda w: "/api/v1/notifications/", None, expect(200, {"ent_a", "ent_b"})),
    (
        "notification-a-read",
        "post",
        lambda w: f"/api/v1/notifications/{w.notification_a.pk}/read/",
        None,
        expect(204, {"ent_a"}, ent_b=404),
    ),
    ("webhooks-list", "get", lambda w: "/api/v1/webhooks/", None, expect(200, {"int_webhooks_manage"})),
    (
        "webhooks-create",
        "post",
        lambda w: "/api/v1/webhooks/",
        lambda w: {"url": "https://hooks.example.com/new", "events": ["match.created"]},
        expect(201, {"int_webhooks_manage"}),
    ),
    (
        "webhook-get",
        "get",
        lambda w: f"/api/v1/webhooks/{w.subscription.pk}/",
        None,
        expect(200, {"int_webhooks_manage"}),
    ),
    (
        "webhook-patch",
        "patch",
        lambda w: f"/api/v1/webhooks/{w.subscription.pk}/",
        lambda w: {"active": False},
        expect(200, {"int_webhooks_manage"}),
    ),
    (
        "webhook-deliveries",
        "get",
        lambda w: f"/api/v1/webhooks/{w.subscription.pk}/deliveries/",
        None,
        expect(200, {"int_webhooks_manage"}),
    ),
    (
        "webhook-delete",
        "delete",
        lambda w: f"/api/v1/webhooks/{w.subscription.pk}/",
        None,
        expect(204, {"int_webhooks_manage"}),
    ),
]

CASES = [
    pytest.param(method, path, body, role, statuses[role], id=f"{name}-{role}")
    for name, method, path, body, statuses in MATRIX
    for role in ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_every_endpoint_answers_each_role_as_the_table_says(world, method, path, body, role, expected):
    # given a caller with this role's real credentials
    client = world.client(role)
    # when it calls the endpoint
    response = getattr(client, method)(path(world), body(world) if body else None, format="json")
    # then the status is the table's
    assert response.status_code == expected, (
        response.status_code,
        getattr(response, "data", response.content),
    )
