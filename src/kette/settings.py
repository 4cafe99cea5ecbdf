"""kette's one settings module, configured by environment variables only.

Every variable read here is documented in README.md ("Configuration"); a test
fails when one is not.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
# In a source checkout (src layout) the project root holds pyproject.toml.
_CHECKOUT = PACKAGE_DIR.parent.parent
IS_CHECKOUT = (_CHECKOUT / "pyproject.toml").exists()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

DATA_DIR = Path(
    os.environ.get("KETTE_DATA_DIR")
    or (_CHECKOUT / "var" if IS_CHECKOUT else Path.home() / ".local" / "share" / "kette")
)
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in DATA_DIR."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # kette's apps come first: where a msgid (e.g. "Save") is translated by
    # both kette and Django's admin, kette's German wins (first app wins).
    "kette.core",
    "kette.directory",
    "kette.network",
    "kette.monitoring",
    "kette.learning",
    "kette.reports",
    "kette.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "axes",
    "django_htmx",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kette.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "kette.core.middleware.SecurityHeadersMiddleware",
    "kette.api.middleware.PublicAPICorsMiddleware",
    # Axes must be last: it turns locked-out logins into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kette.urls"
WSGI_APPLICATION = "kette.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kette.core.context_processors.kette",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kette.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections stay open between requests (conn_max_age above), as on
    # PostgreSQL: opening one runs the PRAGMAs below and starts with an empty
    # page cache, which made every request re-read the indexes it uses (an
    # HSDS list page of 100,000 offers: 25 ms with a new connection, 9 ms with
    # a kept one).
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work side by side; IMMEDIATE avoids
        # "database is locked" upgrades of read transactions. A 64 MB page cache
        # (the default is 2 MB) keeps the indexes a bulk import writes into in
        # memory instead of rereading their pages from the file.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Failed-login throttling (django-axes): lock a username+address pair.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("KETTE_PROXY_COUNT", "0")) or None

# --- Security -----------------------------------------------------------------
# Production (DEBUG off) defaults to HTTPS-only cookies and redirects; each can
# be turned off by environment, e.g. for tests against a plain-HTTP server.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
# Both apply to the host kette runs on and its own subdomains only (a preload
# entry needs a registrable domain, so the directive is inert on subdomains).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("KETTE_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation ------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["kette.formats"]  # English dates day first (kette/formats/en)
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "kette_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or DATA_DIR / "static")
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "kette.core.staticfinders.NpmFinder",
]
# Where `npm ci` put the front-end libraries (see package.json).
NPM_ROOT = Path(os.environ.get("KETTE_NPM_ROOT") or _CHECKOUT / "node_modules")
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or DATA_DIR / "media")
# In production `kette collectstatic` gathers hashed, compressed files that
# whitenoise serves; without it (development, tests) files come from the finders.
STATIC_COLLECTED = env_bool("KETTE_STATIC_COLLECTED", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_COLLECTED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
WHITENOISE_AUTOREFRESH = not STATIC_COLLECTED
if not STATIC_COLLECTED:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail ------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kette <kette@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- kette ---------------------------------------------------------------------
# Map tiles: empty means no external requests; maps then draw outlines on a
# plain background. Example: https://tile.openstreetmap.de/{z}/{x}/{y}.png
KETTE_MAP_TILE_URL = os.environ.get("KETTE_MAP_TILE_URL", "")
KETTE_MAP_TILE_ATTRIBUTION = os.environ.get("KETTE_MAP_TILE_ATTRIBUTION", "")
# The address people reach kette at, for links in mails sent outside a request
# (reminders from the command line).
KETTE_BASE_URL = os.environ.get("KETTE_BASE_URL", "http://localhost:8000")
# Largest offer file the import accepts, checked before parsing.
KETTE_IMPORT_MAX_BYTES = int(os.environ.get("KETTE_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
# Who runs this installation (imprint, privacy page, accessibility statement).
KETTE_OPERATOR_NAME = os.environ.get("KETTE_OPERATOR_NAME", "")
KETTE_OPERATOR_ADDRESS = os.environ.get("KETTE_OPERATOR_ADDRESS", "")
KETTE_OPERATOR_EMAIL = os.environ.get("KETTE_OPERATOR_EMAIL", "")
# Accessibility feedback is stored and mailed here.
KETTE_ACCESSIBILITY_EMAIL = os.environ.get("KETTE_ACCESSIBILITY_EMAIL", KETTE_OPERATOR_EMAIL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
