"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis, in
process through WSGI, on PostgreSQL): no 5xx, every answer conforms to the schema (status
code, content type, body), and bad input is rejected. Bounded: a few examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks


def _api_schema():
    from portal.wsgi import application

    # The schema is read through WSGI when the module is collected (no database needed for it);
    # only the API's own operations are tested here (other parts route extra endpoints through
    # api/urls.py and test them themselves).
    return (
        schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
        .include(
            path_regex=r"^/api/v1/(auth|departments|tags|indicators|policies|enterprises|indicator-values"
            r"|eligibility|notifications|webhooks)"
        )
        .exclude(path_regex=r"/grants/$")
    )


schema = _api_schema()

# A schema cannot say that a credit code's check digit must hold, that a tag name must be in
# the vocabulary or that a login must be right: such schema-valid input is refused with a
# field-keyed 400, which the positive-data check would count as a failure. Every other check
# (no 5xx, status codes, content types, response bodies, headers, rejection of
# schema-violating input, authentication) runs.
EXCLUDED = [checks.positive_data_acceptance]


@pytest.fixture
def in_process(world):
    """Requests go through the real WSGI handler, which closes the database connection when a
    request finishes; the test's transaction must survive that (as Django's own test client
    arranges), so the handler's connection closing is switched off for the test."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield world
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.postgres
@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
def test_the_api_conforms_to_its_schema_for_an_integrator_with_every_scope(case, in_process):
    case.call_and_validate(
        headers={"Authorization": in_process.credentials["int_all"]}, excluded_checks=EXCLUDED
    )


@pytest.mark.postgres
@schema.parametrize()
@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
def test_the_api_conforms_to_its_schema_for_an_official(case, in_process):
    case.call_and_validate(
        headers={"Authorization": in_process.credentials["off_x"]}, excluded_checks=EXCLUDED
    )
