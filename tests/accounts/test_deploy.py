"""The production settings path, the container files and the newcomer's first administrator."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_production_settings_pass_the_deployment_checklist_at_warning_level():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        extra_env={
            "DJANGO_PRODUCTION": "1",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage(
        "check", extra_env={"DJANGO_PRODUCTION": "1", "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn"}
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgres_redis_web_worker_and_beat_with_health_checks():
    services = _compose()["services"]
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert (
        services["web"]["command"][0] == "gunicorn"
        and "portal.wsgi:application" in services["web"]["command"]
    )
    assert services["worker"]["command"][:4] == ["celery", "-A", "portal", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "portal", "beat"]
    for name in ("db", "redis", "web", "worker", "beat"):
        check = services[name].get("healthcheck")
        assert check and check["test"], f"{name} has no health check"
        assert check["test"][0] in ("CMD", "CMD-SHELL")


def test_compose_app_services_get_the_production_environment_from_one_place():
    services = _compose()["services"]
    for name in ("web", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        assert env["DJANGO_PRODUCTION"] == "1"
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert "DJANGO_SECRET_KEY" in env and "DJANGO_ALLOWED_HOSTS" in env
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_worker_can_be_scaled():
    compose = _compose()
    worker = compose["services"]["worker"]
    # `docker compose up --scale worker=4` fails on a fixed name or a published host port
    assert "container_name" not in worker
    assert "ports" not in worker
    assert all(name in compose["volumes"] for name in ("pgdata", "media"))


def test_dockerfile_builds_on_python_311_slim_installs_the_project_and_collects_static():
    text = (ROOT / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "pip install ." in text
    assert "collectstatic --noinput" in text
    assert "USER portal" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored and ".env" in ignored


@pytest.mark.django_db
def test_health_endpoint_reports_database_and_cache(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_createsuperuser_noinput_uses_the_standard_environment_variables(monkeypatch, django_user_model):
    # given
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "newcomer")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Newcomer-Admin-2026!")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "newcomer@example.gov.cn")
    # when
    call_command("createsuperuser", "--noinput", verbosity=0)
    # then
    admin = django_user_model.objects.get(username="newcomer")
    assert admin.is_superuser and admin.is_staff and admin.email == "newcomer@example.gov.cn"
    assert admin.check_password("Newcomer-Admin-2026!")
    assert admin.password_changed_at is not None
    assert admin.is_official
