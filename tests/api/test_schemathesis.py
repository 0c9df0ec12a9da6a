"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis 4, in
process through WSGI, on PostgreSQL), over every operation under /api/v1/, with every check
schemathesis has:

- stateless: each operation's explicit examples, the coverage phase's deterministic cases
  (every boundary and every kind of invalid value the schema defines), then generated
  requests (valid and invalid); every request is sent as the key with all scopes and as one
  other caller in turn from ``ROLES`` (a key of each single scope, a key with none, an
  official's token, an enterprise user's token, no credential), so each operation is
  answered to each kind of caller;
- stateful: sequences of calls that feed one answer into the next (the links schemathesis
  infers from the schema: a created webhook read, changed and deleted; a created policy read
  and published; …), as an integrator with every scope and as an official, each scenario
  from the same data (a savepoint rolled back at its end).

A failure is any 5xx, an answer that does not conform to the schema (status code not
documented, content type, body, headers), schema-violating input that is not refused, or
schema-valid input that is refused other than by the domain's own rules. The schema cannot
say that a credit code's check digit must hold, that a tag must be in the vocabulary or that
a referenced row must exist; such schema-valid input is refused with a documented, field-keyed
400, which ``positive_data_acceptance`` is told to accept (everything else it expects
unchanged).

Bounded to fit CI (see docs/api.md for the figures): ``STATELESS_EXAMPLES`` generated
requests per operation, ``STATEFUL_SCENARIOS`` scenarios of at most ``STATEFUL_STEPS`` calls
per caller. Figures (operations, requests, failures) are written by ``tests.api.figures`` and
printed at the end of the run."""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig

from api.models import ALL_SCOPES
from tests.api import figures

STATELESS_EXAMPLES = 10
STATEFUL_SCENARIOS = 30
STATEFUL_STEPS = 8

ROLES = (
    "int_all",
    *[f"int_{scope.replace(':', '_')}" for scope in ALL_SCOPES],
    "int_none",
    "off_x",
    "ent_a",
    "anon",
)

CONFIG = {
    "checks": {
        # Schema-valid, refused by a rule the schema cannot state (check digits, vocabulary,
        # existence, one subscription per target, …): a documented 400 naming the field.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]},
    },
}


def _api_schema():
    from portal.wsgi import application

    # The schema is read through WSGI when the module is collected (no database needed for it).
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, config=SchemathesisConfig.from_dict(CONFIG)
    ).include(path_regex=r"^/api/v1/")


schema = _api_schema()


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


# Each request goes out as the all-scopes key and as one other caller, in turn: over an
# operation's cases (the coverage phase alone makes dozens) every caller gets its share.
_OTHER_CALLERS = itertools.cycle(ROLES[1:])


def _headers(world, role: str) -> dict:
    return {} if role == "anon" else {"Authorization": world.credentials[role]}


@pytest.mark.postgres
@schema.parametrize()
@settings(
    max_examples=STATELESS_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
def test_every_operation_conforms_to_the_schema_for_every_caller(case, in_process):
    from django.core.cache import cache

    cache.clear()  # the throttles' counters: thousands of requests are not an attack here
    for role in ("int_all", next(_OTHER_CALLERS)):
        if role == "anon":  # last: it takes the generated credentials off the case
            case.headers.pop("Authorization", None)
            if case.cookies:
                case.cookies.pop("sessionid", None)
        with figures.counting(case, role):
            case.call_and_validate(headers=_headers(in_process, role))


@schema.auth(refresh_interval=None)
class Caller:
    """The stateful scenarios' credential (``Workflow.credential``), set on every generated
    call as the schema's own auth, so that the auth checks know it is a real one and probe
    the operation without it and with an invalid one. None outside a scenario."""

    def get(self, case, context):
        return Workflow.credential or None

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": data}


StatefulBase = schema.as_state_machine()


class Workflow(StatefulBase):
    """A scenario of linked calls by one caller (``credential``, set by the test)."""

    credential: str = ""

    def setup(self):
        """Each scenario starts from the same world (a savepoint rolled back at its end), so
        that hypothesis can replay a scenario and get the same answers."""
        from django.core.cache import cache
        from django.db import transaction

        cache.clear()
        self._scenario = transaction.atomic()
        self._scenario.__enter__()

    def teardown(self):
        from django.db import transaction

        transaction.set_rollback(True)
        self._scenario.__exit__(None, None, None)

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        with figures.counting(case, "stateful"):
            super().validate_response(response, case, additional_checks=additional_checks, **kwargs)


@pytest.mark.postgres
@pytest.mark.parametrize("role", ["int_all", "off_x"])
def test_linked_calls_conform_to_the_schema(role, in_process):
    Workflow.credential = in_process.credentials[role]
    try:
        Workflow.run(
            settings=settings(
                max_examples=STATEFUL_SCENARIOS,
                stateful_step_count=STATEFUL_STEPS,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.generate],
            )
        )
    finally:
        Workflow.credential = ""


def test_every_api_operation_is_tested():
    """No operation is filtered out: the schema's operations under /api/v1/ are all here."""
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {op.path for op in operations}
    assert len(operations) >= 40
    assert {"/api/v1/enterprises/{credit_code}/grants/", "/api/v1/appeals/{id}/rate/"} <= paths
    figures.record_operations(len(operations))
