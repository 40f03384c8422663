"""Settings shared by every environment. Everything that differs comes from the environment."""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from opencity.csp import content_security_policy, media_origins

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" are yes)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_str(name: str, default: str) -> str:
    """Read a text environment variable; an empty value (`NAME=` in an env file copied from
    .env.example) means the default, as it does for env_bool and env_int."""
    return os.environ.get(name) or default


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as our own static files (no CDN)
    "leaflet",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "geo",
    "media_store",
    "issues",
    "open311",
    "dashboard",
    "alerts",
    "appeals",
    "demo",
]

MIDDLEWARE = [
    # Outermost: the request id, the per-request log line, 503 when the database is away.
    "opencity.observability.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # SECURE_CSP below; the nonce it makes is `csp_nonce` in templates.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "opencity.middleware.RetryAfterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Reads of the map layers, feeds and dashboards from a replica, when one is configured.
    "opencity.dbrouter.ReplicaReadsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "opencity.middleware.StatementTimeoutMiddleware",
    # Last: turns a locked-out sign-in into the lockout answer (accounts.lockout.lockout_response).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opencity.urls"
WSGI_APPLICATION = "opencity.wsgi.application"
ASGI_APPLICATION = "opencity.asgi.application"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "opencity.context_processors.opencity",
            ],
        },
    },
]

# Database: DATABASE_URL (postgis://user:password@host:port/name) selects the server. Local and
# test settings fall back to the project's own cluster (opencity/localdb.py) when it is unset.
# How long one statement of a web request may run (milliseconds) before PostgreSQL cancels it and
# the request answers 503; 0 turns the limit off. manage.py turns it off for commands other than
# runserver (migrations, the demo loader, the worker). The dashboard and its exports raise it for
# their own transaction (SET LOCAL, opencity.db.longer_statement_timeout).
OPENCITY_STATEMENT_TIMEOUT_MS: int = env_int("OPENCITY_STATEMENT_TIMEOUT_MS", 10_000)
OPENCITY_REPORT_STATEMENT_TIMEOUT_MS: int = env_int("OPENCITY_REPORT_STATEMENT_TIMEOUT_MS", 60_000)
DATABASE_OPTIONS = {
    # Parallel query makes small spatial queries several times slower on small machines.
    "options": (f"-c max_parallel_workers_per_gather=0 -c statement_timeout={OPENCITY_STATEMENT_TIMEOUT_MS}"),
}


# Behind PgBouncer in transaction mode each transaction may run on a different server connection:
# - server-side cursors (`.iterator()` declares a WITH HOLD cursor outside a transaction, then fetches
#   in later ones) would be looked for on the wrong connection, so Django must not use them;
# - PgBouncer refuses the `options` startup parameter, so the planner setting above must be set on the
#   database instead (`ALTER DATABASE opencity SET max_parallel_workers_per_gather = 0`).
# - statements prepared in one server session are missing in the next transaction's, so the few that
#   opencity.prepared prepares once per connection are sent as text instead.
# Advisory locks here are transaction-level: fine.
DATABASE_BEHIND_PGBOUNCER = env_bool("DATABASE_BEHIND_PGBOUNCER", False)


def database_from_url(url: str) -> dict:
    """DATABASES['default'] from a DATABASE_URL, always with the PostGIS engine."""
    config = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
    config["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    if DATABASE_BEHIND_PGBOUNCER:
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        config.setdefault("OPTIONS", {}).update(DATABASE_OPTIONS)
    return config


DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES = {"default": database_from_url(DATABASE_URL)} if DATABASE_URL else {}

# A streaming replica of the primary for the read-heavy routes (opencity/dbrouter.py says which
# reads go there and when the primary answers instead). Unset: everything reads from the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_url(DATABASE_REPLICA_URL)
    # A replica that does not answer is skipped; never let it hold a request for long.
    replica_options = DATABASES["replica"].setdefault("OPTIONS", {})
    replica_options.setdefault("connect_timeout", env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["opencity.dbrouter.ReplicaRouter"]
# Most seconds the replica may be behind the primary (pg_last_xact_replay_timestamp) and still serve.
OPENCITY_REPLICA_MAX_LAG_SECONDS = env_int("OPENCITY_REPLICA_MAX_LAG_SECONDS", 5)
# How often each process checks the replica's health and lag, in seconds.
OPENCITY_REPLICA_CHECK_SECONDS = env_int("OPENCITY_REPLICA_CHECK_SECONDS", 5)
# After a client's own write (any POST/PUT/PATCH/DELETE), its reads stay on the primary this long.
OPENCITY_REPLICA_STICKY_SECONDS = env_int("OPENCITY_REPLICA_STICKY_SECONDS", 10)
# The routes (URL names; `namespace:*` for all of one namespace) whose GET may read from the replica:
# the map layers, feeds, Open311 reads, the dashboard, its exports and its API.
OPENCITY_REPLICA_ROUTES = [
    "api:issues",
    "api:issues-nearby",
    "api:tiles-issues",
    "api:tilejson-issues",
    "api:dashboard",
    "geo_api:*",
    "geo:territory",
    "geo:outages-ics",
    "geo:outages-atom",
    "open311:*",
    "dashboard:*",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Ukrainian first, English second.
LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("OPENCITY_TIME_ZONE", "Europe/Kyiv")
USE_TZ = True

# The database cache: shared by every web worker (rate limits), nothing else to run.
# `manage.py createcachetable` creates its table (make run does; the test runner does by itself).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "opencity_cache"}}

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("OPENCITY_MEDIA_ROOT", str(BASE_DIR / "media")))


def media_storage_from_env() -> dict:
    """STORAGES["default"]: the file system under MEDIA_ROOT, or an S3-compatible bucket when
    OPENCITY_S3_BUCKET is set (AWS, MinIO, Ceph, a cloud provider's object storage)."""
    bucket = os.environ.get("OPENCITY_S3_BUCKET", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    from botocore.config import Config

    url_expire = env_int("OPENCITY_S3_URL_EXPIRE_SECONDS", 300)
    options = {
        "bucket_name": bucket,
        "endpoint_url": os.environ.get("OPENCITY_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("OPENCITY_S3_REGION") or None,
        # Unset keys leave boto3 to its own chain (instance role, AWS_* variables, profile).
        "access_key": os.environ.get("OPENCITY_S3_ACCESS_KEY") or None,
        "secret_key": os.environ.get("OPENCITY_S3_SECRET_KEY") or None,
        # Path-style addressing and SigV4 work with every S3-compatible server; botocore's newer
        # default of checksumming every request is refused by several of them, so only when required.
        "client_config": Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
        "default_acl": None,
        "file_overwrite": False,
        # A picture must stop being reachable soon after its issue is hidden: URLs are signed for a
        # short time, and neither browsers nor shared caches keep an object longer than that.
        "object_parameters": {"CacheControl": f"private, max-age={url_expire}"},
        "querystring_expire": url_expire,
    }
    public_url = os.environ.get("OPENCITY_S3_PUBLIC_URL", "").rstrip("/")
    if public_url:
        # A public bucket or a CDN in front of it: plain, stable URLs under that address. A hidden
        # issue's objects are moved off their keys, so its old URLs die at once (the reasons are at
        # media_store.services.media_withhold); the bucket policy exposes uploads/ and budget/ only.
        scheme, _sep, domain = public_url.partition("://")
        options.update(custom_domain=domain, url_protocol=f"{scheme}:", querystring_auth=False)
    else:
        # A private bucket: every URL is signed and expires (OPENCITY_S3_URL_EXPIRE_SECONDS).
        options.update(querystring_auth=True)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": media_storage_from_env(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# E-mail goes through Django 6.1's MAILERS. Development prints messages to the console; production
# sets OPENCITY_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the SMTP variables.
_email_backend = os.environ.get("OPENCITY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_email_options = {}
if _email_backend.endswith("filebased.EmailBackend"):
    # Messages as files (make run-prod uses it on a machine with no SMTP server).
    _email_options = {"file_path": os.environ.get("OPENCITY_EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
elif _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": os.environ.get("OPENCITY_SMTP_HOST", "localhost"),
        "port": env_int("OPENCITY_SMTP_PORT", 587),
        "username": os.environ.get("OPENCITY_SMTP_USER", ""),
        "password": os.environ.get("OPENCITY_SMTP_PASSWORD", ""),
        "use_tls": env_bool("OPENCITY_SMTP_TLS", True),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = os.environ.get("OPENCITY_FROM_EMAIL", "Відкрите місто <noreply@opencity.local>")

# Background work: Django's tasks API, stored in the database, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

REST_FRAMEWORK = {
    # Token first: an unauthenticated API call then gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "opencity.api.exception_handler",
    # Per client address for anonymous calls, per account for signed-in ones (opencity/throttles.py
    # reads the rates from OPENCITY_API_*_RATE); the client address as opencity.ratelimit sees it.
    "DEFAULT_THROTTLE_CLASSES": ["opencity.throttles.AnonymousThrottle", "opencity.throttles.AccountThrottle"],
    "NUM_PROXIES": env_int("OPENCITY_TRUSTED_PROXIES", 0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The OpenAPI 3 schema of /api/v1/ (drf-spectacular) at /api/schema/, Swagger UI at /api/docs/.
SPECTACULAR_SETTINGS = {
    "TITLE": "Open City API",
    "DESCRIPTION": (
        "The REST API (version 1) of Open City («Відкрите місто»): city problems on a map, routed to "
        "whoever fixes them under SLA deadlines, with the budget and outage layers.\n\n"
        "Errors always have the shape `{code, detail, fields}`, with messages in the request's "
        "language (`Accept-Language: uk` or `en`; Ukrainian by default). Map layers are GeoJSON "
        "FeatureCollections built by PostGIS. Open311 GeoReport v2 lives apart, at `/open311/v2/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["opencity.openapi.only_api_v1"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "opencity.openapi.no_credentials_needed",
        "opencity.openapi.answers_of_any_operation",
        "opencity.openapi.health_operations",
    ],
    "ENUM_NAME_OVERRIDES": {
        "IssueStatusEnum": "issues.models.IssueStatus",
        "MediaStatusEnum": "media_store.models.MediaStatus",
        "AddressKindEnum": "geo.selectors.ADDRESS_MATCH_KINDS",
        "KindEnum": "media_store.models.MediaKind",  # its name before the gazetteer's `kind` came
        # The issues' and the appeals' `kind`, `status` and `action` fields each hold other choices.
        "ActionEnum": "issues.api.serializers.TRANSITION_ACTIONS",
        "AppealKindEnum": "appeals.models.AppealKind",
        "AppealStatusEnum": "appeals.serializers.STATUS_CHOICES",
        "AppealActionEnum": "appeals.serializers.ACTION_CHOICES",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "displayOperationId": False},
    "TAGS": [
        {"name": "auth", "description": "Tokens for the API"},
        {"name": "issues", "description": "Reports, their timelines and the lifecycle"},
        {"name": "media", "description": "Photo and video uploads"},
        {"name": "layers", "description": "Budget projects and outages as GeoJSON"},
        {"name": "addresses", "description": "The gazetteer: address search and the address of a point"},
        {"name": "dashboard", "description": "The leadership dashboard's figures"},
        {"name": "appeals", "description": "Written appeals to the council and public-information requests"},
    ],
}

# GDAL on Debian 12 is 3.6, older than Django 6.1 recommends; we never hand user-supplied SRS
# strings to GDAL (integer SRIDs only), which is what the warning is about.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- Open City's own settings ---------------------------------------------------------------
# The base map tiles. Empty means no base layer at all (tests, offline demos); the community
# boundary and districts are still drawn. Example: https://tile.openstreetmap.org/{z}/{x}/{y}.png
OPENCITY_TILE_URL = os.environ.get("OPENCITY_TILE_URL", "")
OPENCITY_TILE_ATTRIBUTION = os.environ.get("OPENCITY_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")
# Content-Security-Policy (opencity/csp.py): this site's scripts and styles only, pictures also from
# the tile server and the media bucket. DJANGO_CSP_REPORT_ONLY=1 sends it as report-only instead.
_csp = content_security_policy(
    tile_url=OPENCITY_TILE_URL,
    media=media_origins(
        bucket=os.environ.get("OPENCITY_S3_BUCKET", ""),
        endpoint_url=os.environ.get("OPENCITY_S3_ENDPOINT_URL", ""),
        public_url=os.environ.get("OPENCITY_S3_PUBLIC_URL", ""),
    ),
)
SECURE_CSP = {} if env_bool("DJANGO_CSP_REPORT_ONLY") else _csp
SECURE_CSP_REPORT_ONLY = _csp if env_bool("DJANGO_CSP_REPORT_ONLY") else {}
OPENCITY_TIME_ZONE = TIME_ZONE
# The public address of the site, for links in e-mails.
OPENCITY_SITE_URL = os.environ.get("OPENCITY_SITE_URL", "http://127.0.0.1:8000")
# Whether demo data (accounts with a known password) may be loaded; production turns it off.
OPENCITY_DEMO_DATA_ALLOWED: bool = True
# Issue pictures on the file system are sent by the checking view (issues.views.issue_picture),
# never from /media/ directly. Behind nginx, set this to an `internal` location mapped to
# MEDIA_ROOT (e.g. /protected-media/) and the view answers with X-Accel-Redirect instead.
OPENCITY_MEDIA_X_ACCEL_PREFIX: str = os.environ.get("OPENCITY_MEDIA_X_ACCEL_PREFIX", "")
OPENCITY_COMMUNITY_CODE = os.environ.get("OPENCITY_COMMUNITY_CODE", "DRH")
# Rate limits: reports per account per hour, registrations per client address per hour.
OPENCITY_REPORTS_PER_HOUR = env_int("OPENCITY_REPORTS_PER_HOUR", 10)
# Appeals and information requests one account may file in an hour (appeals.services).
OPENCITY_APPEALS_PER_HOUR = env_int("OPENCITY_APPEALS_PER_HOUR", 10)
OPENCITY_REGISTRATIONS_PER_HOUR = env_int("OPENCITY_REGISTRATIONS_PER_HOUR", 10)
# How many reverse proxies of our own stand in front of the application and append to
# X-Forwarded-For: the client address is that many hops from the right of the header (the entries
# further left are written by the client and cannot be trusted). 0, the default, ignores the header.
OPENCITY_TRUSTED_PROXIES = env_int("OPENCITY_TRUSTED_PROXIES", 0)
# Lockout (django-axes) on every sign-in path — the login page, /admin/ and the API's token
# endpoint: after OPENCITY_LOGIN_FAILURE_LIMIT failures for one account, or from one client
# address, further attempts are refused for OPENCITY_LOGIN_LOCKOUT_MINUTES (a success resets).
OPENCITY_LOGIN_FAILURE_LIMIT = env_int("OPENCITY_LOGIN_FAILURE_LIMIT", 5)
OPENCITY_LOGIN_LOCKOUT_MINUTES = env_int("OPENCITY_LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = OPENCITY_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=OPENCITY_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, per address
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "opencity.ratelimit.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Two-factor sign-in (TOTP): administrators and dispatchers must confirm each sign-in with a code
# from an authenticator app. On in production (opencity.settings.production), off by default so the
# local demo accounts sign in with their password as documented.
OPENCITY_REQUIRE_2FA = env_bool("OPENCITY_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "Open City"
# Nobody reads another person's TOTP secret or QR code in the admin (django-otp's config and
# qrcode views answer 403); people enrol themselves at /accounts/2fa/setup/.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# API sign-in tokens (POST /api/v1/auth/token/) expire after this many days.
OPENCITY_API_TOKEN_DAYS = env_int("OPENCITY_API_TOKEN_DAYS", 30)
# API throttles (DRF rate strings: "120/minute", "5000/hour"): anonymous calls per client address,
# signed-in calls per account, and token requests (password guesses) per client address.
OPENCITY_API_ANON_RATE = os.environ.get("OPENCITY_API_ANON_RATE", "120/minute")
OPENCITY_API_USER_RATE = os.environ.get("OPENCITY_API_USER_RATE", "600/minute")
OPENCITY_API_AUTH_RATE = os.environ.get("OPENCITY_API_AUTH_RATE", "10/minute")
# Days an e-mail confirmation link stays valid.
OPENCITY_EMAIL_CONFIRMATION_DAYS = env_int("OPENCITY_EMAIL_CONFIRMATION_DAYS", 3)
# The service the outage desk closes outages with: the issues app's one also resolves the reports
# linked to the outage (geo itself never imports issues; the wiring is chosen here).
OPENCITY_OUTAGE_CLOSE_SERVICE = "issues.services.outages.outage_close_resolving_issues"
# Days a reporter has to confirm or dispute a fix before the issue closes by itself.
OPENCITY_CONFIRM_DAYS = env_int("OPENCITY_CONFIRM_DAYS", 7)
# How often `manage.py opencity_sla_sweep --every` looks for missed deadlines, in seconds.
OPENCITY_SLA_SWEEP_SECONDS = env_int("OPENCITY_SLA_SWEEP_SECONDS", 300)
# The passes other apps add to that sweep, run after the issues' own (issues.tasks): dotted paths
# of callables taking `now=` and returning a dict of counts. The issues never import these apps.
OPENCITY_SWEEPS = ["appeals.sweep.appeal_sweep"]
# The issue layer answers at most this many features per request (and says when it cut).
OPENCITY_ISSUE_LIST_LIMIT = env_int("OPENCITY_ISSUE_LIST_LIMIT", 1000)
OPENCITY_ISSUE_LIST_MAX_LIMIT = env_int("OPENCITY_ISSUE_LIST_MAX_LIMIT", 5000)
# Vector tiles (/api/v1/tiles/): an issue tile with more matching issues than this holds a grid of
# OPENCITY_TILE_GRID_CELLS × OPENCITY_TILE_GRID_CELLS cells with exact counts instead of the pins.
OPENCITY_TILE_MAX_FEATURES = env_int("OPENCITY_TILE_MAX_FEATURES", 2000)
OPENCITY_TILE_GRID_CELLS = env_int("OPENCITY_TILE_GRID_CELLS", 32)
# Area alerts (alerts/): how many one person may keep, how big a drawn area and a circle may be,
# and how far back the daily digest looks for events nobody has been told about yet.
OPENCITY_ALERTS_PER_USER = env_int("OPENCITY_ALERTS_PER_USER", 10)
OPENCITY_ALERT_MAX_AREA_KM2 = env_int("OPENCITY_ALERT_MAX_AREA_KM2", 50)
OPENCITY_ALERT_MIN_RADIUS_M = env_int("OPENCITY_ALERT_MIN_RADIUS_M", 50)
OPENCITY_ALERT_MAX_RADIUS_M = env_int("OPENCITY_ALERT_MAX_RADIUS_M", 5000)
OPENCITY_ALERT_DIGEST_LOOKBACK_HOURS = env_int("OPENCITY_ALERT_DIGEST_LOOKBACK_HOURS", 72)
OPENCITY_MAP_CENTER = (49.3487, 23.5069)  # Drohobych town hall, (lat, lon)
OPENCITY_MAP_ZOOM = 13

# Photos, videos and PDF documents (media_store). Uploads are checked by content; these are the limits.
OPENCITY_MAX_PHOTO_MB: int = env_int("OPENCITY_MAX_PHOTO_MB", 15)
OPENCITY_MAX_VIDEO_MB: int = env_int("OPENCITY_MAX_VIDEO_MB", 100)
# PDF documents, where the caller takes them (appeals and their answers; never a map report).
OPENCITY_MAX_DOCUMENT_MB: int = env_int("OPENCITY_MAX_DOCUMENT_MB", 20)
# Width × height, read from the header before any decoding (a decompression bomb is refused unread).
OPENCITY_MAX_IMAGE_PIXELS: int = env_int("OPENCITY_MAX_IMAGE_PIXELS", 40_000_000)
OPENCITY_MAX_VIDEO_SECONDS: int = env_int("OPENCITY_MAX_VIDEO_SECONDS", 60)
# Long edge of the derivatives, pixels.
OPENCITY_MEDIA_WEB_SIZE: int = env_int("OPENCITY_MEDIA_WEB_SIZE", 1600)
OPENCITY_MEDIA_THUMBNAIL_SIZE: int = env_int("OPENCITY_MEDIA_THUMBNAIL_SIZE", 320)
# Longest a single ffprobe/ffmpeg run may take before the file is refused (intake) or failed (task).
OPENCITY_FFMPEG_TIMEOUT_SECONDS: int = env_int("OPENCITY_FFMPEG_TIMEOUT_SECONDS", 120)
# Uploads never attached to a report are deleted by `opencity_prune_media` after this many hours.
OPENCITY_MEDIA_UNATTACHED_HOURS: int = env_int("OPENCITY_MEDIA_UNATTACHED_HOURS", 24)
# Per-account upload rate (POST /api/v1/media/).
OPENCITY_MEDIA_UPLOADS_PER_HOUR: int = env_int("OPENCITY_MEDIA_UPLOADS_PER_HOUR", 120)

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": OPENCITY_MAP_CENTER,
    "DEFAULT_ZOOM": OPENCITY_MAP_ZOOM,
    "MIN_ZOOM": 8,
    "MAX_ZOOM": 19,
    "TILES": [("", OPENCITY_TILE_URL, {"attribution": OPENCITY_TILE_ATTRIBUTION})] if OPENCITY_TILE_URL else [],
    "RESET_VIEW": False,
    # No "SRID" here: django-leaflet reads it as the *display* projection of its maps. 4326 gave
    # the admin and form maps a Plate Carrée CRS that no web tile server draws, and a script tag
    # for a proj4js/4326.js that does not exist. Data stays in 4326 (the widgets' map_srid).
}

# Every log line carries the id of the request it was written for (opencity.observability).
# DJANGO_LOG_FORMAT=json (production's default) writes one JSON object per line; `text` is for people.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "opencity.logformat.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "opencity.logformat.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # One line per request comes from opencity.request; Django's own request logger would repeat
    # every 4xx/5xx (errors with their traceback are still logged by django.request at ERROR).
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Health (opencity/health.py): /readyz fails when the database does not answer within this many
# milliseconds, when no task finished within this many minutes (the SLA sweep loop enqueues one
# every OPENCITY_SLA_SWEEP_SECONDS), or when a runnable task has waited longer than this.
OPENCITY_READY_DB_TIMEOUT_MS = env_int("OPENCITY_READY_DB_TIMEOUT_MS", 2000)
OPENCITY_READY_WORKER_MINUTES = env_int("OPENCITY_READY_WORKER_MINUTES", max(15, 3 * OPENCITY_SLA_SWEEP_SECONDS // 60))
OPENCITY_READY_QUEUE_MINUTES = env_int("OPENCITY_READY_QUEUE_MINUTES", 10)
# A task RUNNING longer than this is taken to be abandoned by a dead worker and runs again (the
# sweep loop checks); longer than any task may take (media processing: a few ffmpeg runs).
OPENCITY_TASK_LEASE_SECONDS = env_int("OPENCITY_TASK_LEASE_SECONDS", 900)

# Open311 GeoReport v2 (/open311/v2/). This server is one jurisdiction: requests naming another
# `jurisdiction_id` are answered 404. The contact is where integrators ask for an API key.
OPENCITY_OPEN311_JURISDICTION = os.environ.get("OPENCITY_OPEN311_JURISDICTION", "drohobych.gov.ua")
OPENCITY_OPEN311_CONTACT = os.environ.get("OPENCITY_OPEN311_CONTACT", "opencity@drohobych.gov.ua")
# `production` or `test`, as the discovery document calls the endpoint.
OPENCITY_OPEN311_ENDPOINT_TYPE = os.environ.get("OPENCITY_OPEN311_ENDPOINT_TYPE", "production")
# The gazetteer (geo): a pin gets the address of the nearest address point within this many metres;
# beyond it, "near <street>, <district>" for the nearest street within OPENCITY_STREET_NEAR_METRES.
OPENCITY_ADDRESS_NEAR_METRES: int = env_int("OPENCITY_ADDRESS_NEAR_METRES", 40)
OPENCITY_STREET_NEAR_METRES: int = env_int("OPENCITY_STREET_NEAR_METRES", 400)
