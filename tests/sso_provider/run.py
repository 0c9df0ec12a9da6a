"""Start the test identity provider (django-oidc-provider) as a second process.

``start(workdir, redirect_uri=…, users=[…], credit_codes={…})`` migrates a fresh SQLite file,
stores a freshly generated 2048-bit RSA key (the id_token is signed with RS256), creates the
users and registers the portal as a confidential client (code flow, consent required), then runs
``manage.py runserver`` on a free port and waits for its discovery document."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "policy-portal"
CLIENT_SECRET = "portal-client-secret-for-tests-only"

_SETUP = r"""
import json, os
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from oidc_provider.models import Client, ResponseType, RSAKey
spec = json.loads(os.environ["SSO_OP_SETUP"])
RSAKey.objects.create(key=spec["rsa_key"])
for u in spec["users"]:
    User.objects.create_user(username=u["username"], password=u["password"], email=u.get("email", ""),
                             first_name=u.get("name", ""))
client = Client(name="政策找企业", client_type="confidential", client_id=spec["client_id"],
                client_secret=spec["client_secret"], jwt_alg="RS256", require_consent=True,
                reuse_consent=False)
client.redirect_uris = [spec["redirect_uri"]]
client.save()
client.response_types.add(ResponseType.objects.get(value="code"))
"""


@dataclass
class Provider:
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def issuer(self) -> str:
        return f"{self.url}/openid"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def start(workdir: Path, *, redirect_uri: str, users: list[dict], credit_codes: dict[str, str]) -> Provider:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.sso_provider.settings",
        SSO_OP_DB=str(workdir / "provider.sqlite3"),
        SSO_OP_URL=url,
        SSO_OP_CREDIT_CODES=json.dumps(credit_codes),
        PYTHONPATH=str(ROOT),
    )
    spec = {
        "rsa_key": _rsa_pem(),
        "users": users,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": redirect_uri,
    }
    subprocess.run(
        [sys.executable, "-c", _SETUP], env={**env, "SSO_OP_SETUP": json.dumps(spec)}, cwd=ROOT, check=True,
        timeout=120,
    )  # fmt: skip
    log = workdir / "provider.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    provider = Provider(url=url, process=process, log=log)
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=2).ok:
                return provider
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            provider.stop()
            raise RuntimeError(
                f"the test identity provider did not start:\n{log.read_text(errors='replace')}"
            )
        time.sleep(0.2)
