"""One settings module, read from the environment.

With nothing set the portal runs on an embedded default: SQLite, Celery tasks
executed eagerly, e-mail to the console. ``DATABASE_URL`` (PostgreSQL through
psycopg2) and ``REDIS_URL`` (Celery broker and cache) switch to the real
services; ``DJANGO_PRODUCTION=1`` turns on the hardened settings that pass
``manage.py check --deploy``. Debug pages (tracebacks, the URL list) only with
``DJANGO_DEBUG=1``: ``make run`` serves the portal's own error pages.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PRODUCTION = env.bool("DJANGO_PRODUCTION", default=False)
# Never on unless asked: the embedded default (make run) is a real deployment for one office.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="" if PRODUCTION else "dev-only-insecure-key-do-not-use-in-production-7c1f2a9b",
)
if PRODUCTION and not SECRET_KEY:
    raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_PRODUCTION=1")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "import_export",
    "axes",
    "auditlog",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # project apps (DESIGN §2)
    "portal.accounts",
    "portal.sso",
    "portal.audittrail",
    "portal.web",
    "enterprises",
    "policies",
    "matching",
    "api",
    "applications",
    "appeals",
    "liaison",
    "inbox",
    "dashboard",
    "subscriptions",
]

MIDDLEWARE = [
    "portal.middleware.HeadAsGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.locale.PortalLocaleMiddleware",
    "api.middleware.ApiJsonMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.accounts.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.middleware.PasswordMaxAgeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.client_ip.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.web.context_processors.navigation",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------
SQLITE_OPTIONS = {
    "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),  # seconds a writer waits for the lock
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves several people at once (runserver is threaded, the pipeline
    # runs eagerly inside requests): write-ahead logging lets readers go on while one writes,
    # and every transaction takes the write lock when it begins (IMMEDIATE), so that two
    # read-then-write transactions queue on the busy timeout instead of one failing with
    # "database is locked" when it tries to upgrade its read lock.
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    DATABASES["default"]["TEST"]["NAME"] = env.str("SQLITE_TEST_NAME", default="") or None
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
if IS_POSTGRES and not env.bool("DB_JIT", default=False):
    # PostgreSQL's JIT compiles every plan whose estimated cost passes jit_above_cost: ~100 ms
    # of LLVM work on each chunk query of the matching pipeline, more than the query itself,
    # and nothing gained on this OLTP workload. DB_JIT=1 leaves the server's setting.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (_options.get("options", "") + " -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, Celery ------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # pytest-xdist gives each test process its own database (test_<name>_gwN); give it its own
    # Redis database below the configured one too, so that two processes' Celery workers never
    # take each other's tasks and a cache.clear() in one never empties the other's cache.
    _redis_base, _slash, _redis_db = REDIS_URL.rpartition("/")
    if _redis_db.isdigit():
        REDIS_URL = f"{_redis_base}/{int(_redis_db) - int(os.environ['PYTEST_XDIST_WORKER'][2:])}"
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TASK_IGNORE_RESULT = True
# Redis redelivers a message not acknowledged this long after it was taken (a worker killed with
# its tasks): longer than any task's hard time limit (matching.nightly: 3000 s), or a task still
# running is handed to a second worker. The repair run recovers a killed worker's work sooner.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Asia/Shanghai"

# --- auth, accounts, security -------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # enterprise users: ≥8 characters, not all of one class (letters / digits / symbols);
    # silent for officials, whose rule below is stricter
    {"NAME": "portal.accounts.validators.PasswordStrengthValidator", "OPTIONS": {"min_length": 8}},
    # officials (and staff): ≥12 characters, upper/lower/digit/symbol (GB/T 22239-2019 level 3)
    {"NAME": "portal.accounts.validators.OfficialPasswordComplexityValidator", "OPTIONS": {"min_length": 12}},
]
# Officials whose password is older than this are sent to the change page (PasswordMaxAgeMiddleware).
OFFICIAL_PASSWORD_MAX_AGE_DAYS = env.int("OFFICIAL_PASSWORD_MAX_AGE_DAYS", default=90)
ACTIVATION_CODE_TTL_HOURS = 48
ACTIVATION_CODE_RESEND_SECONDS = 600
# 忘记密码 (docs/accounts.md "Account recovery"): an e-mailed link lives 30 minutes, an SMS code
# 10 minutes; per account at most N sends an hour (silently: the answer never tells whether the
# account exists), per client address and per typed identifier N requests an hour (answered
# with 429); the request page takes at least this long whether or not the account exists.
PASSWORD_RESET_LINK_TTL_MINUTES = env.int("PASSWORD_RESET_LINK_TTL_MINUTES", default=30)
PASSWORD_RESET_CODE_TTL_MINUTES = env.int("PASSWORD_RESET_CODE_TTL_MINUTES", default=10)
PASSWORD_RESET_ACCOUNT_PER_HOUR = env.int("PASSWORD_RESET_ACCOUNT_PER_HOUR", default=5)
PASSWORD_RESET_IP_PER_HOUR = env.int("PASSWORD_RESET_IP_PER_HOUR", default=20)
PASSWORD_RESET_IDENTIFIER_PER_HOUR = env.int("PASSWORD_RESET_IDENTIFIER_PER_HOUR", default=10)
PASSWORD_RESET_MIN_RESPONSE_SECONDS = env.float("PASSWORD_RESET_MIN_RESPONSE_SECONDS", default=0.6)

# django-axes: lock the account (not only the IP) after 5 failures, for a cool-off period.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
# Lock by account ("username": 5 failures from anywhere lock the account) and record the
# (ip, username) combination as well. A bare "ip_address" parameter is left out on purpose:
# many enterprises and government offices share one NAT address, and locking it would let
# one mistyping user lock out a whole office. The combination satisfies axes.W006.
# Every authenticate() call must pass request=… (the API token endpoint too) or axes cannot
# count the failure.
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "username"]]
AXES_LOCKOUT_CALLABLE = "portal.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"

# --- second factor (django-otp) -----------------------------------------------
# TOTP with recovery codes, required for officials, staff and superusers (docs/accounts.md
# "Second factor"; portal/accounts/second_factor.py). Wrong codes back off exponentially.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="政策找企业")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# --- single sign-on (OIDC) ----------------------------------------------------
# The government's unified identity service (统一身份认证; enterprises: legal-person identity,
# 电子营业执照) through mozilla-django-oidc, docs/accounts.md "Single sign-on (OIDC)". On when a
# client id and secret and an issuer (endpoints from its discovery document) or explicit
# endpoints are set; otherwise no button, no backend, and /accounts/sso/ answers 404.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid profile email")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_JWKS_ENDPOINT", default="")
# the claim that carries the enterprise's unified social credit code (统一社会信用代码)
OIDC_CREDIT_CODE_CLAIM = env.str("OIDC_CREDIT_CODE_CLAIM", default="credit_code")
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_VERIFY_SSL = env.bool("OIDC_VERIFY_SSL", default=True)
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
OIDC_ENABLED = bool(
    OIDC_RP_CLIENT_ID
    and OIDC_RP_CLIENT_SECRET
    and (OIDC_ISSUER or (OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT))
)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("portal.sso.backends.PortalOIDCBackend")

# Reverse proxies in front of the portal that append to X-Forwarded-For (0: the header is
# ignored). One place reads the client's address: portal.client_ip.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)

SESSION_COOKIE_AGE = 30 * 60  # idle sessions end after 30 minutes
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from the portal itself (htmx, ECharts, the
# admin's and the API docs' files are all served locally), inline <script> only with the
# request's nonce ({{ request.csp_nonce }}); one inline handler allowed by its hash (the
# payments filter's onchange="this.form.submit()"). Styles allow 'unsafe-inline': the
# templates' style attributes, htmx's indicator <style> and ECharts' SVG set inline styles.
# tests/browser/test_csp.py loads the main pages in Chromium and fails on any violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [
            "'self'",
            NONCE,
            "'unsafe-hashes'",
            "'sha256-osjxnKEPL/pQJbFk1dKsF7PYFmTyMWGmVSiL9inhxJY='",
        ],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # the container health check probes http://localhost/healthz/ from inside the container
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# --- i18n -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production the files are served from the apps' static folders as they are (no
# collectstatic before make run); production serves the collected, hashed copies.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:  # (empty until a collectstatic; WhiteNoise warns on every start without it)
    try:
        STATIC_ROOT.mkdir(exist_ok=True)
    except OSError:
        pass
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded files (materials, evidence) are never served from a public path: views check
# the permission and stream them.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- e-mail, SMS ----------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
# Where django.core.mail.backends.filebased.EmailBackend writes (a worker's mail read by a test).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="政策找企业 <noreply@policy.zhengzhou.example>")
SMS_BACKEND = env.str("SMS_BACKEND", default="matching.channels.sms.LoggingSmsBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_KEY = env.str("SMS_GATEWAY_KEY", default="")

# --- REST framework -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # per address (anon, eligibility: portal.client_ip), per API key (apikey), per person (user)
    "DEFAULT_THROTTLE_RATES": {
        "eligibility": env.str("API_RATE_ELIGIBILITY", default="60/min"),
        "anon": env.str("API_RATE_ANON", default="600/min"),
        "apikey": env.str("API_RATE_APIKEY", default="3000/min"),
        "user": env.str("API_RATE_USER", default="3000/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "政策找企业 Policy-matching portal API",
    "DESCRIPTION": "Public API of the Zhengzhou policy-matching portal (DESIGN §6).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # several models have a "status"; name each choice set after its model
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "appeals.models.CaseStatus",
        "PolicyStatusEnum": "policies.models.PolicyStatus",
        "CaseKindEnum": "appeals.models.CaseKind",
        "CaseCategoryEnum": "appeals.models.Category",
        "CaseSourceEnum": "appeals.models.CaseSource",
    },
}

# --- logging --------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "portal.logging.MaskPersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_pii"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "jieba": {"level": "WARNING"},
        # eager tasks would otherwise log every run of the demo loader
        "celery.app.trace": {"level": "WARNING"},
    },
}

# --- project ----------------------------------------------------------------------
REFERENCE_DIR = BASE_DIR / "enterprises" / "reference"
# Audit trail (django-auditlog) is append-only; entries are kept at least 180 days (never less,
# whatever the environment says) and purged after that by accounts.tasks.audit_purge.
AUDIT_RETENTION_DAYS = max(180, env.int("AUDIT_RETENTION_DAYS", default=365))
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "enterprises.Enterprise", "mask_fields": ["contact_phone", "contact_email"]},
    "enterprises.EnterpriseTag",
    "enterprises.IndicatorValue",
    "enterprises.IndicatorDefinition",
    "enterprises.TagDefinition",
    # what officials and integrators write (docs/accounts.md "Audit trail"); bank accounts masked,
    # frozen snapshots and computed columns left out
    "policies.Department",
    "policies.ServicePoint",
    {"model": "policies.Policy", "exclude_fields": ["updated_at"], "m2m_fields": ["co_departments"]},
    {"model": "policies.PolicyVersion", "exclude_fields": ["snapshot"]},
    {"model": "policies.PolicyExample", "exclude_fields": ["last_run", "last_run_at"]},
    "policies.Interpretation",
    "policies.Material",
    "policies.Attachment",
    {"model": "applications.Application", "exclude_fields": ["prefilled", "declared", "updated_at"]},
    "applications.DepartmentHead",
    {
        "model": "applications.BankAccount",
        "mask_fields": ["account_number"],
        "exclude_fields": ["updated_at"],
    },
    "applications.GrantBatch",
    {"model": "applications.GrantProposal", "exclude_fields": ["facts"]},
    {"model": "applications.Grant", "exclude_fields": ["account_snapshot"]},
    {"model": "applications.PaymentInstruction", "mask_fields": ["account_number"]},
    {"model": "applications.GrantObjection", "mask_fields": ["contact"], "exclude_fields": ["access_key"]},
    "appeals.RoutingRule",
    "appeals.CategoryTimeLimit",
    "appeals.Case",
    "appeals.ArrearsCase",
    "appeals.Repayment",
    "appeals.ReturnVisit",
    "liaison.Assignment",
    {"model": "api.ApiKey", "exclude_fields": ["key_hash", "last_used_at"]},
    {
        "model": "accounts.User",
        # password and last_login are never recorded; reverse relations would only be noise
        "include_fields": [
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "is_active",
            "is_staff",
            "is_superuser",
            "enterprise",
            "password_changed_at",
        ],
        "mask_fields": ["phone", "email"],
        "m2m_fields": ["departments", "groups", "user_permissions"],
    },
    {"model": "accounts.EnterpriseBindingRequest", "mask_fields": ["applicant_phone"]},
    {"model": "accounts.ActivationCode", "exclude_fields": ["code_hash"]},
    "sso.SsoIdentity",
    {"model": "accounts.PasswordReset", "exclude_fields": ["secret_hash"]},
)
AUDITLOG_MASK_CALLABLE = "portal.accounts.masking.mask_any"
# 免申即享 信息公示 (applications/services/notice.py): a confirmed batch's list is public for this many
# working days and is paid only after it (0: no notice); objections per client address per hour
AUTOGRANT_NOTICE_WORKDAYS = env.int("AUTOGRANT_NOTICE_WORKDAYS", default=5)
OBJECTIONS_PER_IP_PER_HOUR = env.int("OBJECTIONS_PER_IP_PER_HOUR", default=5)
# Saved-search sign-ups (subscriptions): per client address and per typed address, per hour.
SUBSCRIPTIONS_PER_IP_PER_HOUR = env.int("SUBSCRIPTIONS_PER_IP_PER_HOUR", default=10)
SUBSCRIPTIONS_PER_EMAIL_PER_HOUR = env.int("SUBSCRIPTIONS_PER_EMAIL_PER_HOUR", default=3)
MATCH_CHUNK_SIZE = env.int("MATCH_CHUNK_SIZE", default=100_000)
# A policy whose estimated reach is at most MATCH_SMALL_REACH_ROWS enterprises (unset: a fifth of
# MATCH_CHUNK_SIZE; 0: never) is matched in MATCH_SMALL_REACH_CHUNKS chunks over the whole registry,
# one per worker process, instead of one per MATCH_CHUNK_SIZE ids (matching.pipeline.policy_run).
MATCH_SMALL_REACH_ROWS = env.int("MATCH_SMALL_REACH_ROWS", default=None)
MATCH_SMALL_REACH_CHUNKS = env.int("MATCH_SMALL_REACH_CHUNKS", default=2)
# matching pipeline (matching/, docs/matching.md "Recovery"): repair every N seconds re-enqueues
# what a crash or a broker outage left behind. A started chunk or a `sending` delivery nobody
# holds (its worker died) is redone at the next repair; a chunk message never started is
# enqueued again once the queue has passed it, at the latest MATCH_CHUNK_STALE_SECONDS after it
# was enqueued (only while no chunk is running); a
# delivery claimed but not held by a sender is put back after MATCH_DELIVERY_SENDING_STALE_SECONDS.
MATCH_REPAIR_INTERVAL = env.int("MATCH_REPAIR_INTERVAL", default=15)
MATCH_CHUNK_STALE_SECONDS = env.int("MATCH_CHUNK_STALE_SECONDS", default=60)
MATCH_DELIVERY_SENDING_STALE_SECONDS = env.int("MATCH_DELIVERY_SENDING_STALE_SECONDS", default=15)
MATCH_DELIVERY_MAX_ATTEMPTS = env.int("MATCH_DELIVERY_MAX_ATTEMPTS", default=6)

# --- periodic tasks (celery beat): every entry of every app, here and only here -------------
CELERY_BEAT_SCHEDULE = {
    # policy library: expire published policies at the end of their validity (idempotent)
    "policies-expire-due": {"task": "policies.expire_due", "schedule": 60 * 60},
    # matching: re-enqueue what a crash or a broker outage left; nightly reconciliation
    "matching-repair": {"task": "matching.repair", "schedule": timedelta(seconds=MATCH_REPAIR_INTERVAL)},
    "matching-nightly": {"task": "matching.nightly", "schedule": crontab(hour=2, minute=30)},
    # applications: escalate overdue reviews; propose 免申即享 grants
    "applications-escalate-overdue": {
        "task": "applications.escalate_overdue",
        "schedule": crontab(minute=30, hour=8),
    },
    "applications-grant-proposals": {
        "task": "applications.grant_proposals_generate",
        "schedule": crontab(minute="*/15"),
    },
    "appeals-remind-and-escalate": {"task": "appeals.remind_and_escalate", "schedule": 6 * 60 * 60},
    "accounts-audit-purge": {"task": "portal.accounts.tasks.audit_purge", "schedule": 24 * 60 * 60},
    # saved searches: alerts of the last day's publications whose task was lost (idempotent)
    "subscriptions-alerts-repair": {"task": "subscriptions.alerts_repair", "schedule": 60 * 60},
}
MATCH_DELIVERY_BACKOFF_SECONDS = env.int("MATCH_DELIVERY_BACKOFF_SECONDS", default=30)
# Webhook targets (matching.channels.webhook): HTTPS to public addresses only. On-premise
# receivers: WEBHOOK_ALLOW_PRIVATE=1 opens every address (and plain HTTP), or list the
# networks to open in WEBHOOK_ALLOWED_NETWORKS ("10.20.0.0/16,192.168.5.7/32"). Cloud metadata
# addresses stay refused.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
for _network in WEBHOOK_ALLOWED_NETWORKS:  # a typo fails at start, not at the first delivery
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as exc:
        raise environ.ImproperlyConfigured(f"WEBHOOK_ALLOWED_NETWORKS: {exc}") from exc
