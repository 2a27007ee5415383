"""Settings for the SFCC Jobs Console, read from the environment.

`DATABASE_URL` and `REDIS_URL` select real services; without them the console runs on
embedded defaults (a SQLite file and a Redis that `make run` starts itself under var/).
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from console.env import envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.getenv("SECRET_KEY", "dev-only-insecure-key-set-SECRET_KEY-in-production")
DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
TIME_ZONE = os.getenv("TIME_ZONE", "UTC")
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False

# One root for everything the jobs write: log files and import archives. Shared by all
# workers and the web process when scaled out (a network volume in production).
STORAGE_ROOT = Path(os.getenv("STORAGE_ROOT", VAR_DIR / "storage"))

INSTALLED_APPS = [
    "console.admin_site.ConsoleAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_celery_beat",
    "jobs",
    "console",
]
# The demo servers, `make run`'s stack and the benchmarks' commands: present in a checkout
# (make run, make test), absent from the production image, which does not carry the package.
if importlib.util.find_spec("demo") is not None:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "console.security.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "console.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

# The console's rooms: each is a package holding its URLs, views, forms and templates
# (console/<room>/templates/); the shared layout and partials are in templates/.
CONSOLE_ROOMS = ("jobs", "history", "executions", "config", "operations", "accounts", "audit")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [
            BASE_DIR / "templates",
            *(BASE_DIR / "console" / room / "templates" for room in CONSOLE_ROOMS),
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/ yet
    # The web process and the worker write at once: WAL lets readers go on, IMMEDIATE
    # transactions take the write lock up front instead of failing half-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not :memory:, so that a worker started by an integration test sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Every query here is short (a page of rows, a counted horizon, a lock): PostgreSQL's JIT,
    # made for long analytical queries, compiled the History query whenever the planner's
    # estimate crossed jit_above_cost (40-500 ms of compiling for 1 ms of work, seen with the
    # statistics of a table that grew fast). Off unless the URL's `options` say otherwise.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if "jit" not in _options.get("options", ""):
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "jobs"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# Serve static files straight from the app folders too, so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = True

# --- Ports of `make run` ---------------------------------------------------------------
# The console, and the demo Akeneo and SFCC it starts beside it (the default configuration
# points at them while nothing has been saved). `make run CONSOLE_PORT=9000` moves one.
CONSOLE_PORT = envint("CONSOLE_PORT", "8000")
# The console over HTTPS (a self-signed certificate in var/tls), for Salesforce's CLIs.
CONSOLE_TLS_PORT = envint("CONSOLE_TLS_PORT", "8443")
DEMO_AKENEO_PORT = envint("DEMO_AKENEO_PORT", "8081")
DEMO_SFCC_PORT = envint("DEMO_SFCC_PORT", "8082")

# --- Redis and Celery -------------------------------------------------------------------
EMBEDDED_REDIS_PORT = envint("EMBEDDED_REDIS_PORT", "6391")
REDIS_URL = os.getenv("REDIS_URL") or f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"
REDIS_EMBEDDED = not os.getenv("REDIS_URL")

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True  # execution state lives in the database, not in a result backend
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a long import must not hold other jobs back in its prefetch
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Clicking Run with the broker down must answer within seconds, not hang on reconnects.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 10}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "False")

# --- The job engine ---------------------------------------------------------------------
JOBS_HEARTBEAT_SECONDS = envint("JOBS_HEARTBEAT_SECONDS", "5")
# An execution whose heartbeat is older than this is taken for dead (worker killed).
JOBS_HEARTBEAT_TIMEOUT_SECONDS = envint("JOBS_HEARTBEAT_TIMEOUT_SECONDS", "60")
# How often beat itself (not a worker) ends abandoned executions and announces unsaid finishes.
JOBS_REAPER_INTERVAL_SECONDS = envint("JOBS_REAPER_INTERVAL_SECONDS", "30")
# A pending execution is ended ERROR when no worker has been alive and it waited this long.
JOBS_PENDING_TIMEOUT_SECONDS = envint("JOBS_PENDING_TIMEOUT_SECONDS", "300")
# A finish not announced this long after it committed is announced by beat (its worker died).
JOBS_ANNOUNCE_GRACE_SECONDS = envint("JOBS_ANNOUNCE_GRACE_SECONDS", "60")
# How long a scheduled run waits for its resource locks before it is recorded as skipped.
JOBS_SCHEDULED_LOCK_WAIT_SECONDS = envint("JOBS_SCHEDULED_LOCK_WAIT_SECONDS", "600")
JOBS_SCHEDULED_LOCK_RETRY_SECONDS = envint("JOBS_SCHEDULED_LOCK_RETRY_SECONDS", "15")
# Extra job definitions to register, as dotted paths to modules (used by tests).
JOBS_EXTRA_MODULES = envlist("JOBS_EXTRA_MODULES")

# Key for the secrets stored in the import configuration (comma-separated to rotate: the first
# encrypts, all decrypt). Without it a key is derived from SECRET_KEY.
CONFIG_ENCRYPTION_KEY = os.getenv("CONFIG_ENCRYPTION_KEY")

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Asking browsers to preload HSTS is a commitment made at hstspreload.org, so it is opt-in; until
# then `check --deploy` is told not to ask for it.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind a proxy that terminates TLS, trust its X-Forwarded-Proto (else SSL redirects loop).
BEHIND_TLS_PROXY = envbool("BEHIND_TLS_PROXY", "False")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sign-in attempts allowed per user name and per address within the window, for every login
# form (console/throttle.py; counted in the database, shared by all web processes).
AUTHENTICATION_BACKENDS = ["console.auth_backends.ThrottledModelBackend"]
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
LOGIN_FAILURE_WINDOW_SECONDS = envint("LOGIN_FAILURE_WINDOW_SECONDS", "900")
# Personal API tokens: the lifetime offered by default and the longest one may choose (days).
API_TOKEN_DEFAULT_DAYS = envint("API_TOKEN_DEFAULT_DAYS", "30", minimum=1)
API_TOKEN_MAX_DAYS = envint("API_TOKEN_MAX_DAYS", "365", minimum=1)
if API_TOKEN_DEFAULT_DAYS > API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured(
        f"API_TOKEN_DEFAULT_DAYS={API_TOKEN_DEFAULT_DAYS} is longer than API_TOKEN_MAX_DAYS={API_TOKEN_MAX_DAYS}"
    )
# API clients (sfcc-ci, the B2C CLI): the longest a client may live (days), and the lifetime of
# the access tokens the token endpoint issues (seconds; Account Manager's is 30 minutes).
API_CLIENT_MAX_DAYS = envint("API_CLIENT_MAX_DAYS", "365", minimum=1)
API_CLIENT_TOKEN_SECONDS = envint("API_CLIENT_TOKEN_SECONDS", "1799", minimum=1)

EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "jobs-console@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# DatabaseScheduler stores these entries in its tables. The reaper and the alert sweep are not
# among them: beat runs them in its own process (jobs/liveness.py), so they work with every
# worker dead and queue no message that would pile up while no worker consumes.
CELERY_BEAT_SCHEDULE = {}

# --- Operations: alerts, links in e-mails -----------------------------------------
# Where the console is reached, for the links in alert e-mails.
CONSOLE_BASE_URL = os.getenv("CONSOLE_BASE_URL", "http://127.0.0.1:8000")
# How often beat sweeps for hanging executions and failure e-mails not sent yet (in its own
# process, with the liveness checks: jobs/operations/receivers.py).
JOBS_ALERT_INTERVAL_SECONDS = envint("JOBS_ALERT_INTERVAL_SECONDS", "60")
