"""Demo integrator key for the demo city: a fixed, well-known key with every scope, so that
``/api/docs/`` can be tried at once (``Authorize`` → ``Api-Key <key>``). Demo only."""

from api.models import ALL_SCOPES, ApiKey, secret_hash

DEMO_KEY_PREFIX = "demo2026"
DEMO_KEY = f"{ApiKey.KEY_PREFIX}_{DEMO_KEY_PREFIX}_Demo-2026-zz-integrator-key"

DEMO_LOGINS = [
    (
        f"Authorization: Api-Key {DEMO_KEY}",
        "-",
        "接入平台密钥(全部权限范围) / integrator API key, all scopes",
    ),
]


def load(enterprises: int, seed: int) -> str:
    from api.services import integrator_account_ensure
    from policies.models import Department

    key = ApiKey.objects.filter(prefix=DEMO_KEY_PREFIX).first()
    if key is not None:
        return f"demo API key {DEMO_KEY_PREFIX}… reused"
    account = integrator_account_ensure(name="demo-province-platform")
    ApiKey.objects.create(
        name="演示：省企业服务平台",
        organisation="河南省企业服务平台(演示)",
        account=account,
        prefix=DEMO_KEY_PREFIX,
        key_hash=secret_hash(DEMO_KEY),
        scopes=list(ALL_SCOPES),
        department=Department.objects.order_by("pk").first(),
    )
    return f"demo API key {DEMO_KEY_PREFIX}… created (scopes: {', '.join(ALL_SCOPES)})"
