"""A tiny, separate Django project that is a real OpenID Connect provider (django-oidc-provider),
run as a second process by tests/browser/test_sso.py: its own settings, a SQLite file in a
temporary folder, an RSA key made by the test, one registered client (the portal)."""
