"""SMRC settings: one module, driven by the environment.

With nothing set you get SQLite in ``var/`` and Celery tasks run eagerly in-process. ``DATABASE_URL`` switches
to PostgreSQL, ``REDIS_URL`` to Redis as Celery broker and cache with real workers. Any secret may also be given
as ``NAME_FILE`` (a path whose content is the value), and is never logged.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from smrc import logs

BASE_DIR = Path(__file__).resolve().parent.parent
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str = "") -> str:
    """The variable ``name``, or the content of the file named by ``name_FILE``, or ``default``."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to an unreadable file: {exc.strerror}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEVELOPMENT_SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"  # noqa: S105
# Development and test only; `manage.py check --deploy` fails while it is in use (smrc/checks.py).
SECRET_KEY = env_str("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
# Rotating SECRET_KEY: the old one(s) here for a while keep sessions and signed values valid (docs/operations.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
# SMRC_PRODUCTION=true (set by `make prod` and docs/deploy): no process starts without what production needs.
SMRC_PRODUCTION = env_bool("SMRC_PRODUCTION", False)
if SMRC_PRODUCTION:
    _missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL") if not env_str(name)]
    if _missing:
        raise ImproperlyConfigured(
            f"SMRC_PRODUCTION is set but {', '.join(_missing)} {'is' if len(_missing) == 1 else 'are'} not: "
            "production runs on PostgreSQL and Redis with its own secret key (docs/operations.md)."
        )
    if not env_str("DATABASE_URL").startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("SMRC_PRODUCTION is set but DATABASE_URL is not a PostgreSQL URL.")
    if DEBUG:
        raise ImproperlyConfigured("SMRC_PRODUCTION is set with DEBUG on: debug pages would show settings.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
DEVELOPMENT_SITE_URL = "http://localhost:8000"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The address people open SMRC at: every link in a mail (notifications, reports) starts with it; workers have no
# request to take it from. Production refuses to start without it (docs/configuration.md); development falls back to
# the address `make run` serves, with a warning from `manage.py check` (smrc/checks.py).
SITE_URL = env_str("SITE_URL").strip().rstrip("/")
if SMRC_PRODUCTION and not SITE_URL:
    raise ImproperlyConfigured(
        "SMRC_PRODUCTION is set but SITE_URL is not: mails would link to this machine instead of the site "
        "(e.g. SITE_URL=https://smrc.example.com, docs/configuration.md)."
    )
SITE_URL = SITE_URL or DEVELOPMENT_SITE_URL

INSTALLED_APPS = [
    "smrc.admin.SmrcAdminConfig",  # the admin site, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram lookups for the queue search on PostgreSQL (inert on SQLite)
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc, vendored: served by our static files, no CDN
    "django_htmx",
    "axes",
    "csp",
    "django_prometheus",
    "brands",
    "tickets",
]

MIDDLEWARE = [
    "smrc.requestid.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "smrc.middleware.ContentLengthMiddleware",  # a Content-Length Django cannot read: 400, not a 500
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "brands.middleware.PresenceMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "smrc.urls"
WSGI_APPLICATION = "smrc.wsgi.application"

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
                "tickets.context_processors.navigation",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
# Behind PgBouncer in transaction pooling mode: no server-side cursors (docs/operations.md, "PgBouncer").
DB_DISABLE_SERVER_SIDE_CURSORS = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False)


def _database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.postgresql":
        # a database that does not answer fails the request (and /readyz) in seconds instead of hanging it
        config.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
    config["DISABLE_SERVER_SIDE_CURSORS"] = DB_DISABLE_SERVER_SIDE_CURSORS
    return config


if DATABASE_URL:
    DATABASES = {"default": _database(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "smrc.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
# A read replica for the reports (smrc.db.ReplicaRouter): DATABASE_REPLICA_URL, e.g. a streaming replica. Without
# it the alias is the primary itself and nothing is routed to it. Tests mirror it onto the test database.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
DATABASES["replica"] = _database(DATABASE_REPLICA_URL) if DATABASE_REPLICA_URL else dict(DATABASES["default"])
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
SMRC_READ_REPLICA = bool(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["smrc.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and background work ----------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # The cache only spares work (SLA targets, calendars, presence): with Redis down a read is a miss and a write is
    # skipped, logged, and the pages and webhooks keep answering (django-redis IGNORE_EXCEPTIONS) instead of 500.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "smrc.cache"
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING below (JSON, with the request id)
CELERY_WORKER_SEND_TASK_EVENTS = False
# One queue per kind of work, so that a backlog of one never delays another (a publishing backlog never holds
# up ingest): each task name to its queue. `make prod` and docs/deploy run one worker per queue.
SMRC_TASK_QUEUES = {
    "ingest": (
        "tickets.tasks.process_delivery_task",
        "tickets.tasks.poll_account_task",
    ),
    "publishing": ("tickets.tasks.deliver_reply_task", "tickets.tasks.send_survey_task"),
    "mail": (
        "tickets.tasks.mail_review_notice_task",
        "tickets.tasks.mail_csat_low_task",
        "tickets.tasks.mail_assignment_notice_task",
        "tickets.tasks.send_scheduled_reports_task",
        "tickets.tasks.deliver_webhook_task",  # outbound webhooks: calls out, like mail (docs/webhooks.md)
        "tickets.tasks.fetch_media_task",  # copies of customers' media from the platforms' CDNs (docs/media.md)
    ),
    "periodic": (
        "tickets.tasks.sweep_deliveries_task",
        "tickets.tasks.poll_channels_task",
        "tickets.tasks.sweep_replies_task",
        "tickets.tasks.sweep_surveys_task",
        "tickets.tasks.sla_scan_task",
        "tickets.tasks.close_quiet_tickets_task",
        "tickets.tasks.unassign_idle_owners_task",
        "tickets.tasks.refine_sentiment_task",
        "tickets.tasks.sweep_webhooks_task",
        "tickets.tasks.sweep_media_task",
        "smrc.heartbeat",
    ),
}
CELERY_TASK_ROUTES = {name: {"queue": queue} for queue, names in SMRC_TASK_QUEUES.items() for name in names}
CELERY_TASK_DEFAULT_QUEUE = "periodic"  # a task missing above still runs (tests insist that none is missing)
# Every queue's worker stamps a heartbeat in the cache this often; /readyz fails on a stamp older than the limit.
SMRC_HEARTBEAT_SECONDS = env_int("SMRC_HEARTBEAT_SECONDS", 15)
SMRC_READY_HEARTBEAT_MAX_AGE = env_int("SMRC_READY_HEARTBEAT_MAX_AGE", 120)
# Outbound webhooks (docs/webhooks.md): subscriptions to http:// and to private, loopback or link-local
# addresses are refused unless this is on (development only: it lets a webhook reach the server's own network).
SMRC_WEBHOOKS_ALLOW_PRIVATE = env_bool("SMRC_WEBHOOKS_ALLOW_PRIVATE", False)
# this many failed delivery attempts in a row pause a subscription and notify the brand's supervisors
SMRC_WEBHOOK_PAUSE_AFTER = env_int("SMRC_WEBHOOK_PAUSE_AFTER", 15)
# /readyz fails while the oldest webhook delivery waiting to be processed is older than this (seconds).
SMRC_READY_DELIVERY_MAX_AGE = env_int("SMRC_READY_DELIVERY_MAX_AGE", 300)
# Sentiment refined after ingest (tickets.services.refinement): every this many seconds, the newest mentions of
# the last SMRC_REFINE_WINDOW_HOURS not refined yet, SMRC_REFINE_BATCH per transaction, at most
# SMRC_REFINE_MAX_PER_RUN per run, no new batch after SMRC_REFINE_SECONDS (the model reads ~17 texts/s per core).
SMRC_REFINE_EVERY_SECONDS = env_int("SMRC_REFINE_EVERY_SECONDS", 30)
SMRC_REFINE_WINDOW_HOURS = env_int("SMRC_REFINE_WINDOW_HOURS", 24)
SMRC_REFINE_BATCH = env_int("SMRC_REFINE_BATCH", 16)
SMRC_REFINE_MAX_PER_RUN = env_int("SMRC_REFINE_MAX_PER_RUN", 256)
SMRC_REFINE_SECONDS = env_int("SMRC_REFINE_SECONDS", 20)
CELERY_BEAT_SCHEDULE = {
    # inbound channels (docs/channels.md): re-queue stored deliveries the broker lost; poll X and YouTube
    "sweep-inbound-deliveries": {"task": "tickets.tasks.sweep_deliveries_task", "schedule": 60.0},
    "poll-channels": {"task": "tickets.tasks.poll_channels_task", "schedule": 60.0},
    "sweep-stuck-replies": {"task": "tickets.tasks.sweep_replies_task", "schedule": 60.0},
    # satisfaction surveys whose sending task was lost or is due again (docs/csat.md)
    "sweep-surveys": {"task": "tickets.tasks.sweep_surveys_task", "schedule": 300.0},
    "sla-scan": {"task": "tickets.tasks.sla_scan_task", "schedule": 60.0},
    # outbound webhooks (docs/webhooks.md): retries whose time has come, deliveries whose queueing was lost
    "sweep-webhooks": {"task": "tickets.tasks.sweep_webhooks_task", "schedule": 30.0},
    # copies of customers' media whose retry time has come, or whose queueing was lost (docs/media.md)
    "sweep-media": {"task": "tickets.tasks.sweep_media_task", "schedule": 60.0},
    "close-quiet-tickets": {"task": "tickets.tasks.close_quiet_tickets_task", "schedule": 300.0},
    "scheduled-reports": {"task": "tickets.tasks.send_scheduled_reports_task", "schedule": 3600.0},
    "unassign-idle-owners": {"task": "tickets.tasks.unassign_idle_owners_task", "schedule": 60.0},
    # the refining sentiment model reads recent mentions again (docs/sentiment.md, "Refining after ingest")
    "refine-sentiment": {"task": "tickets.tasks.refine_sentiment_task", "schedule": float(SMRC_REFINE_EVERY_SECONDS)},
    **{
        f"heartbeat-{queue}": {
            "task": "smrc.heartbeat",
            "schedule": float(SMRC_HEARTBEAT_SECONDS),
            "args": [queue],
            "options": {"queue": queue, "expires": SMRC_HEARTBEAT_SECONDS},
        }
        for queue in SMRC_TASK_QUEUES
    },
}

# --- auth -------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes): five failures for a username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address as the rate limits read it: behind a reverse proxy, from SMRC_CLIENT_IP_HEADER (else every
# failure would count against the proxy's address, and one stranger would lock a username out for everyone).
AXES_CLIENT_IP_CALLABLE = "smrc.clientip.client_ip"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # managers land on the reports (tickets.context_processors.landing_url_name)
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "brands.api_auth.ApiKeyAuthentication",  # the keys people make on /profile/ (docs/api.md)
        "rest_framework.authentication.TokenAuthentication",  # legacy: full-rights tokens an admin makes
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["smrc.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["smrc.throttling.KeyRateThrottle", "smrc.throttling.UserRateThrottle"],
}
# API rates (smrc/throttling.py): per key and per person, "<n>/<second|minute|hour|day>"; over it, 429 + Retry-After
SMRC_API_RATE_PER_KEY = env_str("SMRC_API_RATE_PER_KEY", "600/minute")
SMRC_API_RATE_PER_USER = env_str("SMRC_API_RATE_PER_USER", "1200/minute")

# The OpenAPI 3 description of the API, generated from the code (drf-spectacular; docs/api.md): served at
# /api/v1/schema/, browsable at /api/v1/docs/ with the vendored Swagger UI (drf-spectacular-sidecar).
SPECTACULAR_SETTINGS = {
    "TITLE": "SMRC API",
    "DESCRIPTION": "The REST API v1 of SMRC. Authentication, scopes, pagination, errors, idempotency and "
    "throttling: docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

# Ingest limits: bad input gets a clear error and changes nothing (docs/domain.md).
SMRC_INGEST_MAX_ITEMS = env_int("SMRC_INGEST_MAX_ITEMS", 1000)
SMRC_INGEST_MAX_BYTES = env_int("SMRC_INGEST_MAX_BYTES", 1024 * 1024)
# Django refuses bodies above this before any view reads them; ingest applies its own tighter limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = SMRC_INGEST_MAX_BYTES + 64 * 1024
# Every JSON document from outside (API bodies, config files, imports, stored payloads) nests at most this deep;
# API bodies are at most SMRC_API_MAX_BYTES (docs/configuration.md, "Limits on input").
SMRC_JSON_MAX_DEPTH = env_int("SMRC_JSON_MAX_DEPTH", 32)
SMRC_API_MAX_BYTES = env_int("SMRC_API_MAX_BYTES", SMRC_INGEST_MAX_BYTES)
SMRC_RAW_MAX_BYTES = env_int("SMRC_RAW_MAX_BYTES", 64 * 1024)
SMRC_CONFIG_MAX_BYTES = env_int("SMRC_CONFIG_MAX_BYTES", 8 * 1024 * 1024)
SMRC_IMPORT_MAX_BYTES = env_int("SMRC_IMPORT_MAX_BYTES", 256 * 1024 * 1024)
SMRC_QUEUE_PAGE_SIZE = env_int("SMRC_QUEUE_PAGE_SIZE", 50)
SMRC_QUEUE_REFRESH_SECONDS = env_int("SMRC_QUEUE_REFRESH_SECONDS", 15)
# A resolved ticket with no new customer message closes after this many hours.
SMRC_CLOSE_AFTER_HOURS = env_int("SMRC_CLOSE_AFTER_HOURS", 72)
#: automatic assignment gives tickets only to operators seen in the app within this many minutes
SMRC_ONLINE_MINUTES = env_int("SMRC_ONLINE_MINUTES", 5)

# --- inbound channels (docs/channels.md) ------------------------------------------------------------------
# Webhook bodies above this answer 413 and are not stored; JSON nested deeper than this answers 400 unparsed.
SMRC_WEBHOOK_MAX_BYTES = env_int("SMRC_WEBHOOK_MAX_BYTES", 1024 * 1024)
SMRC_WEBHOOK_MAX_DEPTH = env_int("SMRC_WEBHOOK_MAX_DEPTH", 32)
# The X CRC and the Meta handshake answer at most this many requests a minute per client address, then 429.
SMRC_WEBHOOK_CHALLENGES_PER_MINUTE = env_int("SMRC_WEBHOOK_CHALLENGES_PER_MINUTE", 30)
# Behind a reverse proxy: the header in which it passes the client's address (e.g. X-Real-IP), so that request
# counting goes by client and not by proxy. Leave empty when clients reach the app directly.
SMRC_CLIENT_IP_HEADER = env_str("SMRC_CLIENT_IP_HEADER")
RATELIMIT_IP_META_KEY = "smrc.clientip.client_ip"
# The public CSAT rating page answers at most this many requests a minute per client address, then 429.
SMRC_CSAT_REQUESTS_PER_MINUTE = env_int("SMRC_CSAT_REQUESTS_PER_MINUTE", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(DATA_UPLOAD_MAX_MEMORY_SIZE, SMRC_WEBHOOK_MAX_BYTES + 64 * 1024)
# Every call to a platform gives up after this many seconds.
SMRC_HTTP_TIMEOUT = env_int("SMRC_HTTP_TIMEOUT", 10)
# A delivery that failed this many times (transient errors) is marked failed for an admin to retry.
SMRC_DELIVERY_MAX_ATTEMPTS = env_int("SMRC_DELIVERY_MAX_ATTEMPTS", 5)
# The sweep re-queues deliveries still pending after this many seconds.
SMRC_DELIVERY_SWEEP_AFTER_SECONDS = env_int("SMRC_DELIVERY_SWEEP_AFTER_SECONDS", 30)
# X and YouTube accounts are polled at most this often.
SMRC_POLL_INTERVAL_SECONDS = env_int("SMRC_POLL_INTERVAL_SECONDS", 120)
# Publishing replies (docs/publishing.md): the platforms' API roots (tests point them at a local fake server),
# how often a transient error is retried before the reply fails, and when a reply still ``sending`` counts as
# left behind by a stopped worker (longer than any delivery can take: the HTTP timeout plus the lookups).
SMRC_X_API_URL = env_str("SMRC_X_API_URL", "https://api.x.com/2")
SMRC_GRAPH_API_URL = env_str("SMRC_GRAPH_API_URL", "https://graph.facebook.com/v25.0")
SMRC_YOUTUBE_API_URL = env_str("SMRC_YOUTUBE_API_URL", "https://www.googleapis.com/youtube/v3")
SMRC_PUBLISH_MAX_TRIES = env_int("SMRC_PUBLISH_MAX_TRIES", 8)
SMRC_SENDING_STALE_SECONDS = env_int("SMRC_SENDING_STALE_SECONDS", 300)
# App secrets used when a channel account has no webhook secret of its own (one app for every account).
X_CONSUMER_SECRET = env_str("X_CONSUMER_SECRET")
META_APP_SECRET = env_str("META_APP_SECRET")
META_VERIFY_TOKEN = env_str("META_VERIFY_TOKEN")

# --- i18n -------------------------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("id", _("Indonesian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Jakarta")
USE_TZ = True

# --- static -----------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
# Serve straight from the app folders too, so the dev server and tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("SMRC_MANIFEST_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- media (docs/media.md) ---------------------------------------------------------------------------------
# Copies of the images and videos customers send, and the images attached to replies, are kept in the default
# storage under MEDIA_ROOT and served only through SMRC's own scoped view (/media/m/<id>/, /media/r/<id>/): never
# let the web server serve MEDIA_ROOT itself.
MEDIA_ROOT = Path(env_str("SMRC_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/files/"  # not served: nothing in SMRC links a file by its storage URL
SMRC_MEDIA_MAX_IMAGE_BYTES = env_int("SMRC_MEDIA_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
SMRC_MEDIA_MAX_VIDEO_BYTES = env_int("SMRC_MEDIA_MAX_VIDEO_BYTES", 50 * 1024 * 1024)
# a copy that failed for a reason that may pass is tried this many times in all (1 min, 4 min, 16 min…)
SMRC_MEDIA_MAX_ATTEMPTS = env_int("SMRC_MEDIA_MAX_ATTEMPTS", 4)
# the largest image an operator may attach to a reply (each platform's own limit is lower or equal)
SMRC_REPLY_IMAGE_MAX_BYTES = env_int("SMRC_REPLY_IMAGE_MAX_BYTES", 8 * 1024 * 1024)
SMRC_REPLY_IMAGE_MAX_PIXELS = env_int("SMRC_REPLY_IMAGE_MAX_PIXELS", 40_000_000)
SMRC_MEDIA_MAX_PIXELS = env_int("SMRC_MEDIA_MAX_PIXELS", 40_000_000)

# --- email ------------------------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_HOST")
if EMAIL_URL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_URL
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "smrc@localhost")

# --- security ---------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, images, fonts and requests from our own origin only; no
# inline script or style, no eval, no plugins, no framing, forms post only to us (docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "media-src": ["'self'"],  # customers' videos, through our own view only (docs/media.md)
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "upgrade-insecure-requests": env_bool("SECURE_SSL", False),
        "report-uri": env_list("SMRC_CSP_REPORT_URI", "") or None,
    }
}
# Permissions-Policy (django-permissions-policy): no page of SMRC uses a camera, a microphone, a location...
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "bluetooth", "browsing-topics", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi",
        "payment", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
    )
}  # fmt: skip
if env_bool("SECURE_SSL", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- logs and metrics (docs/operations.md) --------------------------------------------------------------------
LOGGING = logs.config(level=os.environ.get("LOG_LEVEL", "INFO"), fmt=env_str("LOG_FORMAT", "json"))
# /metrics (Prometheus) answers a bearer token from the environment or a client address in the allow-list
# (CIDRs, comma-separated); with neither set it answers 403 to everyone.
SMRC_METRICS_TOKEN = env_str("SMRC_METRICS_TOKEN")
SMRC_METRICS_ALLOWED_IPS = env_list("SMRC_METRICS_ALLOWED_IPS", "")
for _network in SMRC_METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"SMRC_METRICS_ALLOWED_IPS: {_network!r} is not an address or network") from _exc
# The figures read from the database at scrape time are kept this long (one computation per web process).
SMRC_METRICS_CACHE_SECONDS = env_int("SMRC_METRICS_CACHE_SECONDS", 10)
# "Recent" counts (mentions ingested, replies published, SLA warnings and breaches) cover this window.
SMRC_METRICS_WINDOW_SECONDS = env_int("SMRC_METRICS_WINDOW_SECONDS", 300)
PROMETHEUS_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0, float("inf"))
