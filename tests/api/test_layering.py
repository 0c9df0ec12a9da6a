"""The API is a layer over the domain: nothing outside ``api/`` (and the tests) imports it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Every first-party package but the API itself and the tests: the domain apps, the portal's
# pages and accounts, the dashboards.
PACKAGES = sorted(
    p.name for p in ROOT.iterdir()
    if (p / "__init__.py").exists() and p.name not in {"api", "tests"}
)  # fmt: skip
# Composition roots, which put every part together (the API's included), may name it.
COMPOSITION_ROOTS = {
    Path("portal/web/management/commands/load_demo_city.py"),  # each app's demo part, the API's demo key too
}


def api_imports(path: Path) -> list[str]:
    """``file:line module`` for each absolute import of ``api`` or a module below it."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [
            f"{path.name}:{node.lineno} {name}" for name in names if name == "api" or name.startswith("api.")
        ]
    return found


def test_the_domain_packages_are_all_walked():
    assert {"policies", "enterprises", "matching", "applications", "appeals", "inbox", "portal"} <= set(
        PACKAGES
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_outside_the_api_imports_it(package):
    modules = [
        p for p in (ROOT / package).rglob("*.py")
        if "migrations" not in p.parts and p.relative_to(ROOT) not in COMPOSITION_ROOTS
    ]  # fmt: skip
    assert modules
    assert [hit for module in modules for hit in api_imports(module)] == []


def test_the_check_catches_an_import_of_the_api(tmp_path):
    # given a module written the way the old applications/api.py was
    module = tmp_path / "grants.py"
    module.write_text(
        "from api.views import ApiBase\nimport api.access\nimport apispec\nfrom .api import helper\n",
        encoding="utf-8",
    )
    # then both absolute imports of the API are caught; a look-alike and a relative module are not
    assert api_imports(module) == ["grants.py:1 api.views", "grants.py:2 api.access"]
