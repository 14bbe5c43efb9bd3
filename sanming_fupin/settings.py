"""Settings for sanming_fupin, read from the environment.

DATABASE_URL  PostgreSQL (postgres://user@host:port/name) or SQLite; a SQLite file when unset.
DATABASE_REPLICA_URL  a streaming replica of DATABASE_URL's PostgreSQL (same database name), for reads.
DEBUG         1/0/true/false; off (the default) turns on every production security setting.
SECRET_KEY    required when DEBUG is off.
ALLOWED_HOSTS comma-separated host names; localhost only when DEBUG is on and it is unset.
"""

import datetime
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true"):
        return True
    if raw in ("0", "false"):
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1, 0, true, false (got {raw!r})")


def env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 <= value < float("inf"):
        raise ImproperlyConfigured(f"{name} must be a number of seconds, 0 or more (got {raw!r})")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or default


def env_share(name: str, default: str) -> Decimal:
    """A share from 0 to 1 (0.1 is 10 %), written as a decimal number."""
    raw = os.environ.get(name, "").strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 <= value <= 1:
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 1, such as 0.1 for 10 % (got {raw!r})")
    return value


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for development)")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "sanming_fupin.admin.RegistryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "jobs",
    "households",
    "departments",
    "plans",
    "dashboard",
    "workflows",
    "projects",
    "documents",
    "demo",
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
    # Records request.user as the author of every historical record.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: answers a locked-out login (django-axes).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# 5 consecutive failures for a username from one address lock it for 30 minutes, counted in the
# database, for the admin, the pages and the API's token endpoint alike.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "sanming_fupin.views.lockout"

ROOT_URLCONF = "sanming_fupin.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "sanming_fupin.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The quick start's web server and its job worker write to one file: readers do not wait for a
    # writer (WAL), and a writer waits for another rather than failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the registry on a date counts through correlated subqueries whose estimated cost sets
    # off PostgreSQL's JIT, which then spent 330 ms compiling a query that runs in 230 (the city's
    # population at a year's end); no query of ours runs long enough to win it back.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

# A read replica by PostgreSQL's streaming replication (docs/scaling.md, common/replica.py): the
# dashboards', exports', audits' and API lists' reads go to it, everything inside a write and a
# writer's reads for DATABASE_REPLICA_PIN_SECONDS after a write to the primary; so do all reads while
# it is down or behind by more than DATABASE_REPLICA_MAX_LAG seconds (checked at most every
# DATABASE_REPLICA_CHECK_SECONDS). DATABASE_REPLICA_READS=0 keeps every read on the primary (the
# tests, whose data the replica cannot see, but those of the replica itself).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
DATABASE_REPLICA_READS = env_bool("DATABASE_REPLICA_READS", True)
DATABASE_REPLICA_MAX_LAG = env_seconds("DATABASE_REPLICA_MAX_LAG", 2)
DATABASE_REPLICA_CHECK_SECONDS = env_seconds("DATABASE_REPLICA_CHECK_SECONDS", 5)
DATABASE_REPLICA_PIN_SECONDS = env_seconds("DATABASE_REPLICA_PIN_SECONDS", 10)
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL on PostgreSQL, of which it is a replica")
    replica = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
                                    conn_health_checks=True)
    if replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL (a streaming replica)")
    if replica["NAME"] != DATABASES["default"]["NAME"]:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL names the database {replica['NAME']!r}, DATABASE_URL {DATABASES['default']['NAME']!r}:"
            " a streaming replica holds the primary's databases under their own names")
    if DATABASE_REPLICA_PIN_SECONDS < DATABASE_REPLICA_MAX_LAG:
        raise ImproperlyConfigured("DATABASE_REPLICA_PIN_SECONDS must be at least DATABASE_REPLICA_MAX_LAG: a writer"
                                   " would otherwise read a replica that has not replayed the write yet")
    # A replica that does not answer is given up on quickly: its reads go to the primary.
    replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), "connect_timeout": 3, **replica.get("OPTIONS", {})}
    # The tests read the replica's copy of the test database (test_<name>), which they do not create.
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = replica
    DATABASE_ROUTERS = ["common.replica.ReplicaRouter"]
    MIDDLEWARE.append("common.replica_middleware.ReplicaMiddleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The dashboards' own script and stylesheet, and the vendored ECharts (static/vendor/README.md).
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"

# Identification and exit workflows (workflows/): days a public notice (公示) runs before the next
# step; the national rule for exits is at least 7.
WORKFLOW_NOTICE_DAYS = int(os.environ.get("WORKFLOW_NOTICE_DAYS", "7"))

# The printed documents (documents/, docs/printing.md): each carries a QR code of its record's page
# in the registry at REGISTRY_URL; a notice list (公示名单) tells where to raise an objection.
REGISTRY_URL = os.environ.get("REGISTRY_URL", "http://127.0.0.1:8000").rstrip("/")
NOTICE_OBJECTIONS_TO = os.environ.get(
    "NOTICE_OBJECTIONS_TO", "公示期内如有异议，请向村民委员会或乡镇人民政府反映，也可向县扶贫开发领导小组办公室反映。")
# Data-quality checks (households/audit/, `audit_registry`): the codes of checks switched off.
AUDIT_DISABLED_CHECKS = env_list("AUDIT_DISABLED_CHECKS", [])
# A poor household's per-capita income above this is more likely a typo than a fact: about twice
# Fujian's rural per-capita disposable income of 2015 (13,793 yuan).
AUDIT_INCOME_CEILING = int(os.environ.get("AUDIT_INCOME_CEILING", "30000"))
# Measures of a relief channel (九个一批) this many years after the exit year are flagged: support
# goes on for a while after exit (脱贫不脱政策), not for years.
AUDIT_MEASURE_YEARS_AFTER_EXIT = int(os.environ.get("AUDIT_MEASURE_YEARS_AFTER_EXIT", "2"))
# The data-quality page runs the checks as a job and shows its findings for this long before it
# runs them again on its own (the page's 重新核查 runs them at once).
AUDIT_REUSE_MINUTES = int(os.environ.get("AUDIT_REUSE_MINUTES", "10"))
# The department lists' exclusion rules (issue 22), each off until the bureau switches it on: a member
# on the state payroll, with a vehicle or with a company registered in their name.
AUDIT_LIST_PAYROLL = env_bool("AUDIT_LIST_PAYROLL", False)
AUDIT_LIST_VEHICLES = env_bool("AUDIT_LIST_VEHICLES", False)
AUDIT_LIST_COMPANIES = env_bool("AUDIT_LIST_COMPANIES", False)
# Helpers (帮扶责任人, households/helper_selectors.py): the bureau's ceiling of households one helper
# answers for at a time, above which the helper is reported (the plan sets no number: 10 is ours);
# and the days after which an active household not visited by its helper is due for a visit.
HELPER_HOUSEHOLD_CEILING = int(os.environ.get("HELPER_HOUSEHOLD_CEILING", "10"))
HELPER_VISIT_DAYS = int(os.environ.get("HELPER_VISIT_DAYS", "90"))
# Warnings of a return to poverty (workflows/risk_selectors.py, docs/return-risks.md): an exited
# household is flagged when its latest per-capita income is below the line of its year or above it
# by less than this share of the line, or fell by more than this share from the year before. The
# plan sets neither number: 10 % and 20 % are ours.
RETURN_RISK_INCOME_MARGIN = env_share("RETURN_RISK_INCOME_MARGIN", "0.1")
RETURN_RISK_INCOME_DROP = env_share("RETURN_RISK_INCOME_DROP", "0.2")

# Redis, when REDIS_URL is set, holds Django's cache (the API's callers, its throttles), shared by
# every process; otherwise each process keeps its own in memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {"default": {"BACKEND": "common.cache.RedisCache", "LOCATION": REDIS_URL}
          if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The API reads a token's user, role and permissions once and keeps them this long (households/callers.py);
# a change of role drops them at once, but only from a cache every process shares: without Redis, off.
CALLER_CACHE_SECONDS = int(os.environ.get("CALLER_CACHE_SECONDS") or ("300" if REDIS_URL else "0"))

# Long work in the background (jobs/): Django's tasks API (the django-tasks backport). `db` keeps the
# queue in the database (`manage.py db_worker`, started by `make run`); `rq` in Redis (REDIS_URL),
# with as many `manage.py rqworker default` as wanted on as many machines; `immediate` runs each
# job in the request that starts it (the tests).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "db")
TASKS = {
    "default": {"BACKEND": {
        "db": "django_tasks_db.DatabaseBackend",
        "rq": "django_tasks_rq.RQBackend",
        "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    }[TASKS_BACKEND], "QUEUES": ["default"]},
}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
# A running job writes a heartbeat this often; one silent for JOB_STALE_SECONDS has lost its worker
# (killed, or its machine gone) and is marked failed. Finished jobs and their files are kept
# JOB_RETENTION_DAYS (`manage.py clean_jobs`, run periodically).
JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "2"))
JOB_STALE_SECONDS = int(os.environ.get("JOB_STALE_SECONDS", "60"))
JOB_RETENTION_DAYS = int(os.environ.get("JOB_RETENTION_DAYS", "7"))
# Through the API an import above this many bytes, an export above this many households, or the
# data-quality findings over more households than this, run as a job (202 with the job's URL);
# below, the answer comes at once as before.
JOB_IMPORT_BYTES = int(os.environ.get("JOB_IMPORT_BYTES", str(256 * 1024)))
JOB_EXPORT_HOUSEHOLDS = int(os.environ.get("JOB_EXPORT_HOUSEHOLDS", "1000"))
JOB_AUDIT_HOUSEHOLDS = int(os.environ.get("JOB_AUDIT_HOUSEHOLDS", "5000"))
# A workbook above this is refused at once (the city's whole registry is about 15 MB).
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(64 * 1024 * 1024)))
# The files jobs are given and make (workbooks, reports): on storage every worker shares.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")

# The plan document itself (三明市深化精准扶贫2015-2018年行动计划), which the tests hold the fixtures
# against: beside the checkout by default, as on the team's machines and in CI.
PLAN_DOCUMENT = Path(os.environ.get("PLAN_DOCUMENT") or BASE_DIR.parent / "shared" / "seeds" / "000_75e9794d5161ca6f.txt")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a request without credentials is answered 401 with WWW-Authenticate.
        "sanming_fupin.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["sanming_fupin.permissions.HasRole"],
    "DEFAULT_FILTER_BACKENDS": [
        "common.api.KnownParametersFilter",
        "common.api.FilterBackend",
        "common.api.StrictOrderingFilter",
        "common.api.SearchFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["common.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "sanming_fupin.schema.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "common.api.AnonRateThrottle",
        "common.api.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "30/minute"),
        "user": os.environ.get("THROTTLE_USER", "5000/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "三明市精准扶贫建档立卡 API",
    "DESCRIPTION": "建档立卡数据的读写接口。代码见 GLOSSARY；错误以 JSON 返回，字段名为键、中文说明为值。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "HouseholdStatusEnum": "households.models.HouseholdStatus",
        "ProgressStatusEnum": ["met", "behind", "not_yet_due"],
        "LaborEnum": "households.models.Labor",
        "CaseKindEnum": "workflows.models.Kind",
        "CaseStateEnum": "workflows.models.State",
        "PostKindEnum": "projects.models.PostKind",
        "PilotKindEnum": "projects.models.PilotKind",
        "MemberChangeKindEnum": "households.models.ChangeKind",
        "CloseStateEnum": "households.models.CloseState",
        "HelperLevelEnum": "households.models.HelperLevel",
        "HelperVisitKindEnum": "households.models.VisitKind",
        "RiskFollowUpKindEnum": "workflows.risk_models.FollowUpKind",
        "ReturnRiskStateEnum": "workflows.risk_models.RiskState",
    },
}

# Production: everything that `manage.py check --deploy` asks for is on unless DEBUG is.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
if env_bool("BEHIND_TLS_PROXY", False):
    # Only behind a proxy that sets this header itself (nginx: proxy_set_header X-Forwarded-Proto $scheme).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
