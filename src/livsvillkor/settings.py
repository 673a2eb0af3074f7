"""Settings, read from environment variables.

Development (the default) uses an SQLite file under ``var/``. Set ``LIVSVILLKOR_ENV=production``
for the hardened mode; it then requires ``LIVSVILLKOR_SECRET_KEY`` and ``LIVSVILLKOR_ALLOWED_HOSTS``.
``DATABASE_URL`` selects the database (``postgres://user:pass@host:5432/name`` in production).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("LIVSVILLKOR_HOME", Path.cwd())).resolve()
VAR_DIR = Path(os.environ.get("LIVSVILLKOR_VAR_DIR", BASE_DIR / "var"))

ENVIRONMENT = os.environ.get("LIVSVILLKOR_ENV", "development").strip().lower()
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("LIVSVILLKOR_DEBUG", not PRODUCTION)

SECRET_KEY = os.environ.get("LIVSVILLKOR_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("LIVSVILLKOR_SECRET_KEY must be set when LIVSVILLKOR_ENV=production")
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdefghijklmnop"

ALLOWED_HOSTS = env_list(
    "LIVSVILLKOR_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("LIVSVILLKOR_ALLOWED_HOSTS must be set when LIVSVILLKOR_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("LIVSVILLKOR_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "livsvillkor.core",
    "livsvillkor.framework",
    "livsvillkor.geo",
    "livsvillkor.observations",
    "livsvillkor.followup",
    "livsvillkor.reports",
    "livsvillkor.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "livsvillkor.urls"
WSGI_APPLICATION = "livsvillkor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "livsvillkor.portal.context_processors.site",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite database lives here
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'livsvillkor.sqlite3'}",
        conn_max_age=int(os.environ.get("LIVSVILLKOR_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Computed statistics and rendered statistics pages are cached (keys carry the data version). Each
# process has its own memory cache by default; LIVSVILLKOR_CACHE_DIR gives the gunicorn workers of one
# host a shared file cache, so a page computed by one worker is served by all.
if os.environ.get("LIVSVILLKOR_CACHE_DIR"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ["LIVSVILLKOR_CACHE_DIR"],
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
else:
    # Django's default of 300 entries is culled midway through one follow-up report (a few entries
    # per indicator and gap dimension), which then recomputes its statistics.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("Engelska"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("LIVSVILLKOR_STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIVSVILLKOR_LOG_LEVEL", "WARNING")},
}

# Security. The production mode passes ``manage.py check --deploy`` without warnings.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("LIVSVILLKOR_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("LIVSVILLKOR_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("LIVSVILLKOR_SECRET_KEY must be at least 50 characters with variety")

# Product settings.
LIVSVILLKOR = {
    "SITE_NAME": os.environ.get("LIVSVILLKOR_SITE_NAME", "Socialt hållbart Borås"),
    "ORGANISATION": os.environ.get("LIVSVILLKOR_ORGANISATION", "Borås Stad"),
    "MUNICIPALITY_CODE": os.environ.get("LIVSVILLKOR_MUNICIPALITY_CODE", "1490"),
}
