"""Whatever is posted to the portal's forms, the answer is a page, never a 500 (issue 14):
hypothesis fills the fields each form really has (read from the page's HTML) with arbitrary
text, numbers, dates, JSON and the values that have broken such forms elsewhere (NUL, huge
exponents, impossible dates, full-width digits, deep brackets), leaves some out or repeats
them, and posts as the person who would use the form. Forms: the calculator (anyone), the
application form and the appeal form (an enterprise user), the correction request on 我的企业,
and the admin's policy form with its criteria and award (a superuser).

Bounded for CI: ``EXAMPLES`` posts per form (50 on the admin form), about 25 s in all.
The Django test client re-raises any exception a view lets through, so a 500 fails the
test with its traceback."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 100
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)

_NO_SURROGATES = st.characters(blacklist_categories=("Cs",))
_EDGES = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1e309",
        "-1e-400",
        "NaN",
        "Infinity",
        "9" * 40,
        "0x1F",
        "１２３",
        "2026-02-30",
        "1000-01-01",
        "9999-12-31",
        "2024Q5",
        "a\x00b",
        "<script>alert(1)</script>",
        "[" * 200,
        '{"all": [',
        '{"field": "revenue", "op": ">", "value": 1e400}',
        '{"any": []}',
        "min(",
        "on",
        "true",
        "410105",
        "91410105MA00010184",
    ]
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(_NO_SURROGATES, max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
).map(json.dumps)
VALUE = st.one_of(
    st.text(_NO_SURROGATES, max_size=40),
    _EDGES,
    st.integers().map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.dates().map(str),
    _JSON,
)
_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
_SKIP = {"csrfmiddlewaretoken", "language", "next", "q"}


_FIELDS: dict[str, list[str]] = {}


def _fields(client, url: str) -> list[str]:
    """The names of the page's form fields (read once per page and run)."""
    if url not in _FIELDS:
        _FIELDS[url] = _read_fields(client, url)
    return _FIELDS[url]


def _read_fields(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    main = html[html.find("<main") :] if "<main" in html else html
    names = sorted({n for n in _NAME.findall(main) if n not in _SKIP})
    assert len(names) >= 2, f"no form found on {url}: {names}"
    return names


# A formset's management fields get small counts: Django caps a claimed TOTAL_FORMS at the
# formset's absolute_max (1,000 more than max_num), and rendering two thousand blank inline
# forms again takes about twenty seconds per request: slow, not wrong (see the report).
_MANAGEMENT = st.sampled_from(["", "0", "1", "3", "-1", "x", "1.5"])


def _value_for(name: str):
    if name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")):
        return _MANAGEMENT
    return st.one_of(VALUE, st.lists(VALUE, max_size=3))


def _post_anything(client, url: str, names: list[str], data) -> None:
    form = data.draw(st.fixed_dictionaries({}, optional={name: _value_for(name) for name in names}))
    response = client.post(url, form)
    assert response.status_code < 500, (url, form)


@pytest.fixture
def as_jia(client, city):
    client.force_login(city.user)
    return client


def _calculator_fields(client) -> tuple[list[str], list[str]]:
    """The screener shows a step at a time: its first page's fields, every question's fields
    (any of them may come back as a hidden answer) and the keys of its questions (for the
    hidden ``asked`` / ``skipped`` / ``step`` state and the ``skip`` button)."""
    from portal.web.calculator import calculator_form
    from portal.web.screener import questions_of

    form = calculator_form({})
    keys = [q.key for q in questions_of(form)]
    names = sorted(
        set(_fields(client, "/calculator/"))
        | set(form.fields)
        | {"asked", "skipped", "step", "skip", "results"}
    )
    return names, keys


@SETTINGS
@given(data=st.data())
def test_the_calculator_never_fails(client, city, data):
    names, keys = _calculator_fields(client)
    state = st.one_of(st.sampled_from(keys), VALUE)
    form = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                name: (
                    st.lists(state, max_size=4)
                    if name in ("asked", "skipped", "step", "skip")
                    else _value_for(name)
                )
                for name in names
            },
        )
    )
    response = client.post("/calculator/", form)
    assert response.status_code < 500, form
    if response.status_code == 302:  # the results link opens
        assert client.get(response["Location"]).status_code == 200, form


@SETTINGS
@given(data=st.data())
def test_the_application_form_never_fails(as_jia, city, data):
    url = f"/applications/apply/{city.policies['rd'].pk}/"
    _post_anything(as_jia, url, _fields(as_jia, url), data)


@SETTINGS
@given(data=st.data())
def test_the_appeal_form_never_fails(as_jia, city, data):
    _post_anything(as_jia, "/appeals/new/", _fields(as_jia, "/appeals/new/"), data)


@SETTINGS
@given(data=st.data())
def test_the_correction_request_never_fails(as_jia, city, data):
    _post_anything(as_jia, "/my/enterprise/", _fields(as_jia, "/my/enterprise/"), data)


@pytest.fixture
def as_admin(client, city, django_user_model):
    admin = django_user_model.objects.filter(username="fuzz-admin").first()
    admin = admin or django_user_model.objects.create_superuser(
        "fuzz-admin", "fuzz@example.com", "Demo-2026-zz"
    )
    client.force_login(admin)
    return client


@settings(SETTINGS, max_examples=50)  # an admin page is slower to render again
@given(data=st.data())
def test_the_admin_criteria_form_never_fails(as_admin, city, data):
    url = f"/admin/policies/policy/{city.policies['rd'].pk}/change/"
    names = _fields(as_admin, url)
    assert {"criteria", "award"} <= set(names)
    _post_anything(as_admin, url, names, data)
