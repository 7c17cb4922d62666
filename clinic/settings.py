"""Settings for the clinic system, all driven by environment variables.

Production-safe by default. ``CLINIC_DEV=1`` (set by ``make run`` and ``make test``)
relaxes the parts that need HTTPS and a real secret; nothing else does.
A missing required variable stops start-up with django-environ's message naming it.
"""

import datetime
import importlib.util
import sys
from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured

from clinic.broker import client_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEV = env.bool("CLINIC_DEV", default=False)
DEBUG = env.bool("DEBUG", default=False)

if DEV:
    SECRET_KEY = env(
        "SECRET_KEY", default="dev-only-insecure-key-never-used-in-production-0123456789"
    )
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
else:
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "clinic.apps.ClinicConfig",
    "patients.apps.PatientsConfig",
    "protocols.apps.ProtocolsConfig",
    "scheduling.apps.SchedulingConfig",
    "infusions.apps.InfusionsConfig",
    "waitlist.apps.WaitlistConfig",
    "outcomes.apps.OutcomesConfig",
    "reports.apps.ReportsConfig",
    "billing.apps.BillingConfig",
    "fhir_r4.apps.FhirR4Config",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "phonenumber_field",
    "pgtrigger",
    "axes",
    "csp",
    "auditlog",
    "audit.apps.AuditConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework_api_key",
    "integrations.apps.IntegrationsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The change log's actor (also for API token requests); see audit.middleware.
    "audit.middleware.AuditActorMiddleware",
    # Tells whether the session passed the code step (request.user.otp_device).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.sessions.SessionTimeoutMiddleware",
    # After the idle timeout: an unverified session reaches only the code step.
    "clinic.two_factor.middleware.TwoFactorMiddleware",
    # API keys: every call with a key in the key's call log; then Idempotency-Key on POSTs.
    "integrations.middleware.KeyCallMiddleware",
    "integrations.idempotency.IdempotencyMiddleware",
    # One access-log row per successful read of a patient's record (audit.reads).
    "audit.middleware.AccessLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: locks out after repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

# N+1 detection (django-zeal, a dev dependency), on in dev mode (ZEAL=0 switches it off): its
# ORM hooks do nothing until a context switches them on, which the test suite does around
# every request of the test client (tests/conftest.py), so a view that repeats a query per row
# fails its test. Deliberate, bounded repeats: clinic.queries.bounded_repeats; the allowlist:
# repeats of a model's field that are deliberate, each with its reason.
if DEV and env.bool("ZEAL", default=True) and importlib.util.find_spec("zeal"):
    INSTALLED_APPS.append("zeal")
ZEAL_RAISE = True
# A repeat grows with the rows: three of the same query from one line is an N+1; two can be
# a page reading one record twice (a duplicate, not a loop).
ZEAL_NPLUSONE_THRESHOLD = 3
ZEAL_ALLOWLIST: list[dict] = []

# `make bench-load` only (bench/load): queries per request and the floor request.
if env.bool("BENCH_LOAD", default=False):
    MIDDLEWARE.insert(0, "bench.load.middleware.count_queries")
    MIDDLEWARE.append("bench.load.middleware.floor")

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
AUTH_USER_MODEL = "clinic.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.staff",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL")}
# A unix-socket directory arrives percent-encoded in the URL's host part.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
# Persistent connections belong to the thread that opened them. The development server
# (``manage.py runserver``, what ``make run`` starts) serves every request on a new thread
# that dies afterwards, leaving its connection open and idle in Postgres until the process
# exits; a few hundred requests exhaust max_connections. Under runserver connections are
# therefore closed at the end of each request. gunicorn's sync workers (README) serve one
# request at a time on one long-lived thread, so each worker keeps at most one connection.
RUNSERVER = sys.argv[1:2] == ["runserver"]
DATABASES["default"]["CONN_MAX_AGE"] = (
    0 if RUNSERVER else env.int("DATABASE_CONN_MAX_AGE", default=60)
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Two planner settings for every connection of the app (session settings; the server's own
# are untouched), both found by the load benchmark on the full-size scale data (README
# "Load benchmark"): JIT compilation off, since a query whose estimated cost passes
# jit_above_cost spent up to 8 s compiling to run in 0.3 s (a patient search, the nurse
# home's estimates count); and random_page_cost 1.1, the usual value for SSD storage, since
# at the default 4 the planner read every appointment of the network to find a month's
# reminders' sites instead of looking each up by its primary key.
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options["options"] = f"{_options.get('options', '')} -c jit=off -c random_page_cost=1.1".strip()
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})["NAME"] = env(
    "TEST_DATABASE_NAME", default="test_" + DATABASES["default"]["NAME"]
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, Celery ----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TIMEZONE = "America/Los_Angeles"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Keep a worker's database connection across tasks instead of opening one per task.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="clinic")
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {"task": "clinic.tasks.beat_heartbeat", "schedule": 60.0},
    # Claims due reminders from the outbox and hands each to a send task.
    # (Every minute; the fault drill runs its beats with a sweep a second: bench/drill.)
    "reminders-dispatch": {
        "task": "scheduling.tasks.reminders_dispatch",
        "schedule": env.float("REMINDER_DISPATCH_EVERY_SECONDS", default=60.0),
    },
    # Sends an alert unacknowledged past the protocol's delay to the physicians on duty.
    "alert-escalations": {"task": "infusions.tasks.alert_escalations", "schedule": 60.0},
    # Expired sessions are deleted once a day (they stop working at expiry regardless).
    "sessions-clear": {"task": "clinic.tasks.sessions_clear", "schedule": 24 * 3600.0},
    # Idempotency records past their 24 hours (their stored answers may hold patient data).
    "idempotency-records-clear": {
        "task": "integrations.tasks.idempotency_records_clear",
        "schedule": 3600.0,
    },
    # Marks waitlist offers past their time expired; the chair goes to the next who fit.
    "waitlist-offers-expire": {"task": "waitlist.tasks.offers_expire", "schedule": 60.0},
    # Sends each course's due measures as a patient link through the reminder outbox.
    "measure-links": {"task": "outcomes.tasks.measure_links_sweep", "schedule": 15 * 60.0},
    # Webhook deliveries due (integrations.webhooks): new ones and retries after backoff.
    "webhook-deliveries-send": {
        "task": "integrations.tasks.webhook_deliveries_send",
        "schedule": 30.0,
    },
}
# The Django cache (the API's rate-limit counters) is Redis, shared by every worker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # redis-py's spelling of the URL (the embedded Redis is a unix socket).
        "LOCATION": client_url(REDIS_URL),
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="clinic"),
    }
}

# The reports' numbers are kept this long (reports.kept): a dashboard read again within it
# costs no report query; each page says when its figures were computed. 0: never kept.
REPORTS_CACHE_SECONDS = env.int("REPORTS_CACHE_SECONDS", default=300)

# --- Auth -------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_URL_PATH = "/accounts/login/"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # django-axes first: every login path (page, admin, API token) counts failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies older hashes, then upgrades
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Per account, not per IP: a whole clinic shares one address behind its router, and one
# mistyping colleague must not lock every nurse out mid-infusion.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The API's token endpoint answers a locked account in the API's JSON error shape.
AXES_LOCKOUT_CALLABLE = "clinic.api.lockout_response"
# Masked in the POST data django-axes stores with a failed attempt (it masks only
# "password" itself): codes and a waste witness's password (infusions step-up).
AXES_SENSITIVE_PARAMETERS = [
    "username", "ip_address", "otp_token", "witness_password", "witness_otp_token",
]  # fmt: skip
# Two-factor (clinic.two_factor): the name authenticator apps show; no secrets in the admin.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Ketamine clinic")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=15 * 60)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Database sessions that record their user, so deactivating a user ends them.
SESSION_ENGINE = "clinic.credentials"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Time, language ---------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
# Staff screens are English; the patient's own pages (outcomes' patient links) and their
# messages are also in Spanish. The .po files are in locale/; the .mo files are compiled by
# `make install` (and by the test session when stale), never committed.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEV
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In dev mode whitenoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEV
WHITENOISE_AUTOREFRESH = DEV

# --- REST API ---------------------------------------------------------------------------
# FHIR R4 (fhir_r4): the identifier system of the clinic's medical record numbers, e.g. the
# clinic's OID as "urn:oid:...".
FHIR_MRN_SYSTEM = env("FHIR_MRN_SYSTEM", default="urn:ketamine-clinic:mrn")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an API caller without credentials gets 401 + WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        # Authorization: Api-Key <prefix>.<secret> (integrations; scopes and sites per key).
        "integrations.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # 429 in the API's error shape; counters in the Django cache (Redis).
    "DEFAULT_THROTTLE_CLASSES": [
        "integrations.throttling.KeyRateThrottle",
        "integrations.throttling.StaffRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env("API_KEY_RATE", default="600/minute"),
        "user": env("API_USER_RATE", default="1200/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "clinic.api.exception_handler",
    # A list's filterset_class (django-filter): a bad filter value is a 400 naming it.
    "DEFAULT_FILTER_BACKENDS": ["clinic.filters.ListFilterBackend"],
    # DRF's defaults, with a JSON parser that answers a too-deeply nested body with a 400.
    "DEFAULT_PARSER_CLASSES": [
        "clinic.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ketamine clinic API",
    "DESCRIPTION": "REST API of the infusion clinic's practice-management system.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The discharge score kind is one choice set, on the protocol version and the discharge.
    "ENUM_NAME_OVERRIDES": {
        "DischargeScoreTypeEnum": "protocols.models.ScoreType",
        "CourseReviewDecisionEnum": "outcomes.models.Decision",
        "ConsultationStageEnum": "patients.models.Stage",
        "ConsultationQueueStatusEnum": "patients.api.pipeline.QueueStatus",
        "ConsultationStatusEnum": "scheduling.models.ConsultationStatus",
        "ContactAttemptChannelEnum": "patients.models.ContactAttempt.Channel",
        "MessageChannelEnum": "scheduling.models.MessageChannel",
    },
    # The Idempotency-Key header on every POST, and the Api-Key security scheme.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "integrations.schema.document_idempotency",
        "integrations.schema.document_refusals",
    ],
}
# How long a POST's Idempotency-Key and its first answer are kept.
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)
# Webhooks: tries per delivery, first retry delay (doubling), failures in a row that
# switch a subscription off.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=20)

# --- Email, SMS -------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.console.EmailBackend"
        if DEV
        else "django.core.mail.backends.smtp.EmailBackend"
    ),
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / ".local" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="clinic@localhost")
SMS_BACKEND = env("SMS_BACKEND", default="console")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(BASE_DIR / ".local" / "sms"))
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=15.0)
if SMS_BACKEND not in ("console", "file", "twilio") and "." not in SMS_BACKEND:
    raise ImproperlyConfigured(f"SMS_BACKEND={SMS_BACKEND!r}: use console, file or twilio.")
if SMS_BACKEND == "twilio" and not all((TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER)):
    raise ImproperlyConfigured(
        "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER."
    )

# --- Electronic eligibility (billing) ---------------------------------------------------
# file: each 270/271 pair written under ELIGIBILITY_FILE_PATH, answered by a fake (dev, tests);
# clearinghouse: the 270 POSTed to ELIGIBILITY_CLEARINGHOUSE_URL; or a dotted backend path.
ELIGIBILITY_BACKEND = env("ELIGIBILITY_BACKEND", default="file")
ELIGIBILITY_FILE_PATH = env(
    "ELIGIBILITY_FILE_PATH", default=str(BASE_DIR / ".local" / "eligibility")
)
ELIGIBILITY_CLEARINGHOUSE_URL = env("ELIGIBILITY_CLEARINGHOUSE_URL", default="")
ELIGIBILITY_CLEARINGHOUSE_API_KEY = env("ELIGIBILITY_CLEARINGHOUSE_API_KEY", default="")
ELIGIBILITY_SENDER_ID = env("ELIGIBILITY_SENDER_ID", default="CLINIC")
ELIGIBILITY_RECEIVER_ID = env("ELIGIBILITY_RECEIVER_ID", default="CLEARINGHOUSE")
ELIGIBILITY_TIMEOUT_SECONDS = env.float("ELIGIBILITY_TIMEOUT_SECONDS", default=20.0)
if ELIGIBILITY_BACKEND not in ("file", "clearinghouse") and "." not in ELIGIBILITY_BACKEND:
    raise ImproperlyConfigured(
        f"ELIGIBILITY_BACKEND={ELIGIBILITY_BACKEND!r}: use file or clearinghouse."
    )
if ELIGIBILITY_BACKEND == "clearinghouse" and not all(
    (ELIGIBILITY_CLEARINGHOUSE_URL, ELIGIBILITY_CLEARINGHOUSE_API_KEY)
):
    raise ImproperlyConfigured(
        "ELIGIBILITY_BACKEND=clearinghouse needs ELIGIBILITY_CLEARINGHOUSE_URL and "
        "ELIGIBILITY_CLEARINGHOUSE_API_KEY."
    )

# --- Card payments (billing) ------------------------------------------------------------
# fake: intents made up locally, events signed with CARD_WEBHOOK_SECRET (dev, tests; no
# network); stripe: Payment Intents with STRIPE_SECRET_KEY, webhooks checked with
# STRIPE_WEBHOOK_SECRET; or a dotted CardProvider path.
CARD_PROVIDER = env("CARD_PROVIDER", default="fake")
CARD_WEBHOOK_SECRET = env("CARD_WEBHOOK_SECRET", default="whsec_fake_dev_only")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# The provider's webhook: signed events taken per client IP per minute (then 429, which the
# provider retries later); counted in the Django cache (Redis).
CARD_WEBHOOK_PER_MINUTE = env.int("CARD_WEBHOOK_PER_MINUTE", default=120)
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=20.0)
if CARD_PROVIDER not in ("fake", "stripe") and "." not in CARD_PROVIDER:
    raise ImproperlyConfigured(f"CARD_PROVIDER={CARD_PROVIDER!r}: use fake or stripe.")
if CARD_PROVIDER == "stripe" and not all((STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET)):
    raise ImproperlyConfigured(
        "CARD_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET."
    )

# --- Reminders --------------------------------------------------------------------------
# No SMS between these local times (the site's time zone); they wait for the end time.
# Equal values switch quiet hours off.
REMINDER_QUIET_HOURS_START = env("REMINDER_QUIET_HOURS_START", default="21:00")
REMINDER_QUIET_HOURS_END = env("REMINDER_QUIET_HOURS_END", default="08:00")
# Links in messages point here; behind a proxy, the public https origin.
REMINDER_LINK_BASE_URL = env(
    "REMINDER_LINK_BASE_URL",
    default="http://127.0.0.1:8000" if DEV else f"https://{ALLOWED_HOSTS[0]}",
)
REMINDER_LINK_MAX_AGE_DAYS = env.int("REMINDER_LINK_MAX_AGE_DAYS", default=7)
# Outcomes' patient links (answering measures from home): how long one works, and the
# date-of-birth throttle (this many wrong answers lock the link for the minutes given;
# the total allowed before the link is revoked for good).
PATIENT_LINK_HOURS = env.int("PATIENT_LINK_HOURS", default=72)
PATIENT_LINK_DOB_TRIES = env.int("PATIENT_LINK_DOB_TRIES", default=5)
PATIENT_LINK_LOCK_MINUTES = env.int("PATIENT_LINK_LOCK_MINUTES", default=30)
PATIENT_LINK_DOB_MAX_FAILURES = env.int("PATIENT_LINK_DOB_MAX_FAILURES", default=15)
# Waitlist offers: a chair cancelled or missed ahead of time is offered at once to the first
# WAITLIST_OFFER_COUNT waiting patients who fit (off: the desk offers by hand from the fill
# page); a link works WAITLIST_OFFER_HOURS at most, never past the freed time. The date of
# birth step throttles like the measures links (PATIENT_LINK_DOB_*).
WAITLIST_AUTO_OFFER = env.bool("WAITLIST_AUTO_OFFER", default=True)
WAITLIST_OFFER_COUNT = env.int("WAITLIST_OFFER_COUNT", default=3)
WAITLIST_OFFER_HOURS = env.int("WAITLIST_OFFER_HOURS", default=12)
# A row claimed this long ago and still "sending" belonged to a worker that died.
REMINDER_CLAIM_TIMEOUT_MINUTES = env.int("REMINDER_CLAIM_TIMEOUT_MINUTES", default=10)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_RETRY_BACKOFF_SECONDS = env.int("REMINDER_RETRY_BACKOFF_SECONDS", default=30)
REMINDER_DISPATCH_BATCH = env.int("REMINDER_DISPATCH_BATCH", default=500)

PHONENUMBER_DEFAULT_REGION = "US"

# --- Audit ------------------------------------------------------------------------------
# How many proxies of ours (load balancer, ...) append to X-Forwarded-For; 0 = none, and
# the header is ignored: the access and change logs then record REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Backups (manage.py backup_database) ------------------------------------------------
BACKUP_DIR = env("BACKUP_DIR", default=str(BASE_DIR / ".local" / "backups"))

# --- Security: strict unless CLINIC_DEV --------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = not DEV
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEV
CSRF_COOKIE_SECURE = not DEV
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEV else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEV
SECURE_HSTS_PRELOAD = not DEV
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline scripts or styles anywhere; the API docs page alone relaxes style-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # The embedded Postgres logs every process that ever used it when a command exits.
    "loggers": {"pgserver": {"level": "WARNING"}},
}

# A weight counts as current on the patient page for this many days (dosing uses the
# protocol's own, stricter window).
WEIGHT_CURRENT_DAYS = env.int("WEIGHT_CURRENT_DAYS", default=30)
PATIENT_WEIGHT_MIN_KG = 30
PATIENT_WEIGHT_MAX_KG = 300
WEIGHT_CHANGE_CONFIRM_PERCENT = 10
# A first weight outside this range (kg) is recorded only when confirmed, shown in both units.
FIRST_WEIGHT_USUAL_KG = (40, 150)
# The public "contact us" form: requests per client IP per hour.
CONSULTATION_REQUESTS_PER_HOUR = env.int("CONSULTATION_REQUESTS_PER_HOUR", default=5)

# Demo data and its published passwords exist only in dev mode.
DEMO_PASSWORD = "demo-clinic-2026"  # noqa: S105 - published on purpose, dev only
DEMO_TOTP_KEY = "64656d6f2d636c696e69632d32303236746f7470"  # published on purpose, dev only
