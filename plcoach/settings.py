"""PL Coach settings: one module, configured from the environment.

Every value that comes from the environment goes through a small helper that
names the variable when its value is unusable, so a bad deploy stops at start-up
with a message instead of failing later on a request.
"""

import ipaddress
import os
import zoneinfo
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def envbool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use one of true, false, 1, 0."
    )


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.getenv(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but empty: list values separated by commas.")
    return items


def envchoice(name: str, default: str, choices: set[str], what: str) -> str:
    value = os.getenv(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not {what}.")
    return value


def envtimezone(name: str, default: str) -> str:
    value = os.getenv(name) or default
    try:
        zoneinfo.ZoneInfo(value)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a time zone name (e.g. America/Chicago).") from None
    return value


def envnetworks(name: str) -> list:
    """Addresses or networks (10.0.0.0/8, 35.191.0.5), comma-separated; none when unset."""
    networks = []
    for item in envlist(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an address or network (e.g. 10.0.0.0/8).") from None
    return networks


def envorigins(name: str) -> list[str]:
    origins = envlist(name, [])
    for origin in origins:
        if not origin.startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"{name}: {origin!r} is not an origin: give the scheme too (https://{origin}).")
    return origins


DATABASE_OPTIONS = "-c jit=off -c work_mem=32MB -c enable_memoize=off"


def envdatabase(name: str, default: str | None) -> dict:
    """A database from a URL: sqlite:///path/to.db or postgres://user:pass@host:port/db?sslmode=require.

    As libpq (psql, pg_dump) reads it: the user and password percent-decoded, and the query's
    parameters (sslmode, sslrootcert, host for a socket directory, ...) passed on to the connection."""
    url = os.getenv(name) or default
    if not url:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (postgres://user:password@host:5432/name).")
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = parts.path[1:] if parts.path.startswith("//") else parts.path
        if not path:
            raise ImproperlyConfigured(f"{name}={url!r} names no database file (sqlite:///path/to.db).")
        # Writes take the lock when their transaction begins, and wait for it: two at once (a
        # threaded `make run`) queue up instead of failing with "database is locked".
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20}}
    if parts.scheme in ("postgres", "postgresql"):
        database = parts.path.lstrip("/")
        if not database:
            raise ImproperlyConfigured(f"{name}={url!r} names no database (postgres://host/name).")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}={url!r} has a port that is not a number.") from None
        # Percent-decoded, and a "+" kept as libpq keeps it (parse_qsl would make it a space).
        pairs = (pair.partition("=") for pair in parts.query.split("&") if pair)
        parameters = {unquote(key): unquote(value) for key, _, value in pairs}
        return {
            "ENGINE": "plcoach.postgresql",  # Django's, waiting out a server restart
            "NAME": unquote(database),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or "") or parameters.pop("host", ""),
            "PORT": str(port or parameters.pop("port", "")),
            # Persistent connections, checked before reuse, so a restarted server
            # costs at most one failed request per worker.
            "CONN_MAX_AGE": envint("DATABASE_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
            # Server settings for each session (empty: the server's own; behind a pooler that refuses
            # them, set them on the role instead). JIT spent longer compiling a district-wide
            # dashboard query than running it (0.7 s of 0.9 s); a quarter's walkthroughs need more
            # than the default 4 MB to be sorted in memory; and the trends, probing teachers one by
            # one through Memoize, took twice as long as hashing them once (bench/INDEXES.md).
            "OPTIONS": {"options": os.getenv("DATABASE_OPTIONS", DATABASE_OPTIONS), **parameters},
        }
    raise ImproperlyConfigured(
        f"{name}={url!r} is not a database URL: use sqlite:///path/to.db or postgres://user:password@host:port/name."
    )


DEBUG = envbool("DEBUG", True)
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (50+ random characters).")
    SECRET_KEY = "development-only-key-never-used-with-debug-off"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (e.g. coach.example.org).")
CSRF_TRUSTED_ORIGINS = envorigins("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # intcomma: a long history's counts read "1,500"
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "people",
    "progressions",
    "observations",
    "reports",
    "dashboard",
]

MIDDLEWARE = [
    "plcoach.middleware.liveness_probe",  # before the host check and the HTTPS redirect
    "plcoach.client_address.forwarded_headers_guard",  # before anything reads those headers
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "plcoach.middleware.unreadable_form_guard",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "plcoach.middleware.admin_address_guard",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "plcoach.urls"
WSGI_APPLICATION = "plcoach.wsgi.application"

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
                "plcoach.context_processors.content_credit",
                "plcoach.context_processors.nav_section",
                "dashboard.context_processors.dashboard_link",
            ],
            # Django's date filter, the same output at a tenth of the cost (plcoach/date_filter.py).
            "builtins": ["plcoach.date_filter"],
        },
    },
]

# make run's SQLite file while developing; in production it must be named, or each app server
# would quietly keep its own.
DATABASES = {"default": envdatabase("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}" if DEBUG else None)}
# Seconds a new PostgreSQL connection keeps trying while the server restarts (plcoach/postgresql).
DATABASE_CONNECT_PATIENCE = envint("DATABASE_CONNECT_PATIENCE", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The dashboard's covering index (observations.Walkthrough) includes columns for PostgreSQL's
# index-only scans; SQLite (make run) keeps the index without them, which is all a demo needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out accounts and addresses first
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"  # each person's own starting point (plcoach/views.py)
LOGOUT_REDIRECT_URL = "login"
# Sessions live in the database so several app servers can share them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 12)

# Login throttling: 5 failures for one account lock it for a while (django-axes). One address
# takes more: a whole school signs in from its router's, and one teacher's typos must not lock
# the building out (plcoach/throttle.py counts axes' failure log by address).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_ENABLE_ACCESS_FAILURE_LOG = True
ADDRESS_FAILURE_LIMIT = envint("ADDRESS_FAILURE_LIMIT", 30)
# axes warns when it does not lock addresses itself: here plcoach/throttle.py does, at its own limit.
SILENCED_SYSTEM_CHECKS += ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind the load balancer every request comes from its address: the client's is read from
# X-Forwarded-For, counting the proxies that append to it (plcoach/client_address.py).
PROXY_COUNT = envint("AXES_PROXY_COUNT", 0 if DEBUG else 1)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"AXES_PROXY_COUNT={PROXY_COUNT} is below 0: give how many proxies stand before the app.")
AXES_CLIENT_IP_CALLABLE = "plcoach.client_address.client_address"
# The balancers, whose X-Forwarded-For and X-Forwarded-Proto are believed (plcoach/client_address.py
# drops those headers from anyone else). Named in production: trusting any private address let a
# client on a school's network reaching an app server pick its own address and escape the sign-in
# lock. Unnamed while developing: any private address.
TRUSTED_PROXIES = envnetworks("TRUSTED_PROXIES")
if not DEBUG and PROXY_COUNT and not TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "TRUSTED_PROXIES must name the load balancers' addresses or networks when DEBUG is off (e.g. 10.0.1.0/24), "
        "or set AXES_PROXY_COUNT=0 when nothing stands before the app."
    )

# Email: the console while developing, SMTP settings from the environment in production.
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "PL Coach <plcoach@localhost>")

# Content-Security-Policy: only the app's own scripts and styles; htmx is configured
# (meta htmx-config) to need neither eval nor inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = envtimezone("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production; plain files while developing.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Production hardening: behind a TLS-terminating load balancer that sets X-Forwarded-Proto.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": envchoice("LOG_LEVEL", "WARNING", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}, "a log level"),
    },
}

# The credit every page, PDF and README carries for the PL Toolbox content ("adapted": the licence
# asks that changes be indicated; fixtures/README.md lists them).
CONTENT_CREDIT = (
    "Content adapted from the PL Toolbox (www.thepltoolbox.com), Personalized Learning Team, Dallas ISD, CC BY-NC-SA 4.0"
)
CONTENT_SOURCE_URL = "https://www.thepltoolbox.com/"
CONTENT_LICENCE_URL = "https://creativecommons.org/licenses/by-nc-sa/4.0/"
CONTENT_FIXTURES_DIR = BASE_DIR / "fixtures"
