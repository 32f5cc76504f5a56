"""Settings for WKM Case Manager: one module, configured by environment variables.

Every variable is listed in the README. Secrets have no default here: SECRET_KEY must come from
the environment. For local development `scripts/bundled.py` writes `var/dev.env` once (a random
key, DEBUG on), which is read below when present; production sets real environment variables.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / "var" / "dev.env")  # only fills variables that are not set

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Two roles on one database (README, "The database roles"). DATABASE_URL is the role the app
# runs as: it owns nothing and may only read and write rows, and on the audit trail only read and
# add them, so nothing the app runs can empty, rewrite or switch off the trail (rule 12).
# DATABASE_OWNER_URL is the role that owns the tables; `manage.py migrate` switches to it
# (audit/db_roles.py) and grants the app its rights. Without DATABASE_OWNER_URL the app runs as
# whatever DATABASE_URL names, as before, and `manage.py check` warns (audit.W001).
# The defaults are the two roles of the server that `scripts/bundled.py` starts under var/.
BUNDLED_DATABASE = "127.0.0.1:54329/wkm"
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"postgres://wkm_app@{BUNDLED_DATABASE}"),
}
DATABASE_OWNER_URL = env(
    "DATABASE_OWNER_URL",
    default="" if "DATABASE_URL" in env else f"postgres://wkm_owner@{BUNDLED_DATABASE}",
)
DATABASE_OWNER = env.db_url_config(DATABASE_OWNER_URL) if DATABASE_OWNER_URL else None
# The role that migrations grant the app's rights to: none when both URLs name the same role.
DATABASE_APP_ROLE = (
    DATABASES["default"]["USER"]
    if DATABASE_OWNER and DATABASE_OWNER["USER"] != DATABASES["default"]["USER"]
    else ""
)
# Each thread that serves requests keeps its connection for CONN_MAX_AGE seconds, so the web
# server must have a fixed number of threads: `make run` serves with gunicorn, 2 processes x 4
# threads (Procfile), never a thread per request (runserver: a burst of 60 requests left 60
# connections open and PostgreSQL refusing the worker, issue 17). The budget against the
# bundled server's max_connections=100 (scripts/bundled.py): web 8 (+1 short-lived /health/
# probe per process), Celery worker 2 + its parent, beat 1: about 14, leaving room for
# `make test`, psql and a backup. Raise WEB_CONCURRENCY x WEB_THREADS only within it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A connection the server dropped (a restart, an idle timeout) is replaced, not used and failed.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:63790/0")

INSTALLED_APPS = [
    "accounts.admin_config.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "pgtrigger",
    "pghistory",
    # Login throttling, two-factor authentication, Content-Security-Policy (accounts/, README).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "accounts",
    "audit",
    "cases",
    "parties",
    "sessions.apps.MediationSessionsConfig",
    # Before volunteers: on closing, the referrer is told before trainee cases end (their
    # cases.signals receivers run in this order, as the calls did).
    "referrers",
    "volunteers",
    "notifications",
    "surveys",
    "documents",
    "demo",
    "reports",
    "exports",
    "imports",
    "public",
    "privacy",
    "rules",
    # `manage.py status` (wkm/management/commands/status.py).
    "wkm",
]
# Apps for development and benchmarks, never for production: `scale` (`manage.py seed_scale`,
# README "Performance"). Installed when DEBUG is on (var/dev.env), or when DEV_APPS=true asks for
# them with DEBUG off, as the cluster test does to seed a production-like install.
DEV_APPS = env.bool("DEV_APPS", default=DEBUG)
if DEV_APPS:
    INSTALLED_APPS += ["scale"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The request's user and address, for every audit event written while answering it.
    "audit.context.AuditContextMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads the body: a form over the size limit gets a page in words.
    "wkm.request_limits.RequestTooLargeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login, except views marked @login_not_required: the public pages,
    # /health/, the calendar feed (its token is the secret) and Django's own login pages.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Nothing a logged-in user is shown stays in a cache (Cache-Control: no-store, private).
    "wkm.private_pages.PrivatePagesMiddleware",
    # request.user.is_verified(), then a code before any page for those who need one.
    "accounts.middleware.VerifiedSessionMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the field-level history (django-pghistory).
    "pghistory.middleware.HistoryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wkm.urls"
WSGI_APPLICATION = "wkm.wsgi.application"

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
                "accounts.context_processors.roles",
                "sessions.context_processors.service_status",
                "wkm.context_processors.service_contact",
            ],
            "libraries": {"wkm_forms": "wkm.form_tags"},
            "builtins": ["wkm.text_tags"],
        },
    },
]

# --- Accounts ---------------------------------------------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A confidential system left open on a shared computer: sessions end after 30 idle minutes and
# when the browser closes. The idle clock restarts when a request comes at least
# SESSION_TOUCH_SECONDS after the session was last saved (accounts.middleware
# .SessionIdleMiddleware), not on every request: three writes fewer per page.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The database engine, keeping an index of each user's sessions for "log out everywhere".
SESSION_ENGINE = "accounts.session_store"
# django-axes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, loading the user's roles in the same query (accounts.backends).
    "accounts.backends.RoleAwareModelBackend",
]
# Login throttling (accounts.lockout): LOGIN_FAILURE_LIMIT failures for one username, or from
# one IP address, lock it out for LOGIN_LOCKOUT_MINUTES after the latest failure. A successful
# login does not wipe the count: with someone's own login an attacker could otherwise reset the
# count of the address they guess other people's passwords from.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.lockout_client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # logins are in the audit trail already
AXES_VERBOSE = False
# Two-factor authentication (accounts.two_factor): the name authenticator apps show.
OTP_TOTP_ISSUER = env("SERVICE_NAME", default="West Kent Mediation")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Someone who needs two-factor and has no device yet sets one up only through a one-time link
# an administrator issues (accounts.enrolment); it stops working after this many hours.
ENROLMENT_LINK_HOURS = env.int("ENROLMENT_LINK_HOURS", default=72)

# --- The service --------------------------------------------------------------------------

# Days after closing when a follow-up call with the parties is suggested.
FOLLOW_UP_DAYS = env.int("FOLLOW_UP_DAYS", default=90)
# The parties' surveys (surveys/): a personal link works for SURVEY_LINK_DAYS after it is sent.
SURVEY_LINK_DAYS = env.int("SURVEY_LINK_DAYS", default=28)
# DBS policy (volunteers.dbs): a certificate is current for DBS_RENEWAL_YEARS after issue, or, on
# the Update Service, for DBS_UPDATE_SERVICE_CHECK_MONTHS after its last status check.
DBS_RENEWAL_YEARS = env.int("DBS_RENEWAL_YEARS", default=3)
DBS_UPDATE_SERVICE_CHECK_MONTHS = env.int("DBS_UPDATE_SERVICE_CHECK_MONTHS", default=12)
DBS_WARNING_DAYS = env.int("DBS_WARNING_DAYS", default=60)
# Rule 5 and rule 6 of DESIGN.md.
COMMUNITY_COURSE_HOURS = 40
TRAINEE_CASES_FOR_ACCREDITATION = 3

# Reminders (notifications.outbox, .dispatch): minutes before a session, comma-separated.
REMINDER_LEAD_MINUTES = env.list("REMINDER_LEAD_MINUTES", cast=int, default=[48 * 60, 120])
QUIET_HOURS_START = env.int("QUIET_HOURS_START", default=21)  # no texts from 21:00…
QUIET_HOURS_END = env.int("QUIET_HOURS_END", default=8)  # …until 08:00, London time
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
# A claimed reminder not marked sent within this time (a worker died) is claimed again.
REMINDER_LEASE_SECONDS = env.int("REMINDER_LEASE_SECONDS", default=300)
SERVICE_NAME = env("SERVICE_NAME", default="West Kent Mediation")
SERVICE_PHONE = env("SERVICE_PHONE", default="01732 000000")
SERVICE_ADDRESS = env(
    "SERVICE_ADDRESS", default="The Community Hub, 1 High Street, Tonbridge, Kent TN9 1AA"
)
# Links in messages and calendars. Unless it is set, it follows the port `make run` serves on
# (PORT, passed on as WKM_PORT to the web server, worker and beat).
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('WKM_PORT', default='8000')}")
# SMS: "notifications.sms.LoggingBackend" (default: writes to the log) or
# "notifications.sms.HttpBackend".
SMS_BACKEND = env("SMS_BACKEND", default="notifications.sms.LoggingBackend")
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN", default="")
SMS_SENDER = env("SMS_SENDER", default="WKMediation")
# Texts sent back (notifications.views.sms_inbound): the provider posts them with
# "Authorization: Bearer <SMS_INBOUND_TOKEN>". Empty (the default) turns the webhook off.
SMS_INBOUND_TOKEN = env("SMS_INBOUND_TOKEN", default="")
# Retention (privacy.services, README "Data protection"): closed cases are anonymised this many
# years after closing; unsuccessful volunteer applications (still applicant, or inactive without
# ever being assigned a case) this many months after the record was made.
RETENTION_CLOSED_CASE_YEARS = env.int("RETENTION_CLOSED_CASE_YEARS", default=6)
RETENTION_APPLICATION_MONTHS = env.int("RETENTION_APPLICATION_MONTHS", default=12)
# Messages that have gone (sent, failed or cancelled), staff notices included, keep whom they
# went to and what they said for this many days, then lose them (notifications.retention, run
# with the retention job).
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=90)
# Public pages (public/): the self-referral and volunteer forms. At most PUBLIC_FORMS_PER_HOUR
# forms an hour from one IP address, which is stored only as a SHA-256 with this salt (empty:
# derived from SECRET_KEY), and at most PUBLIC_FORMS_TOTAL_PER_HOUR from every address together
# (beyond it people are asked to phone); coordinators reply within PUBLIC_REPLY_WORKING_DAYS
# working days.
PUBLIC_FORMS_PER_HOUR = env.int("PUBLIC_FORMS_PER_HOUR", default=5)
PUBLIC_FORMS_TOTAL_PER_HOUR = env.int("PUBLIC_FORMS_TOTAL_PER_HOUR", default=60)
PUBLIC_FORMS_IP_SALT = env("PUBLIC_FORMS_IP_SALT", default="")
PUBLIC_FORMS_MIN_SECONDS = 3
PUBLIC_FORMS_MAX_SECONDS = 2 * 60 * 60
PUBLIC_REPLY_WORKING_DAYS = env.int("PUBLIC_REPLY_WORKING_DAYS", default=3)

# --- Locale -----------------------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Case files, signed scans and generated PDFs are kept through Django's storage API only (never
# a path on this machine's disk), so that several web nodes and workers share one store
# (README, "Running on several servers"). STORAGE_BACKEND=filesystem (the default): MEDIA_ROOT,
# which on several servers must be one directory they all mount; s3: a bucket of an
# S3-compatible store (django-storages), private, every download through our own views.
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Case files are confidential: readable by the app's own user only (served through a view that
# applies the case's visibility, never by the web server).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
if STORAGE_BACKEND == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            # Another provider than AWS (MinIO, Backblaze, Scaleway, …): its https address.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "location": env.str("S3_PREFIX", default=""),
            # Never readable by a link: objects are private and bytes reach a user only through
            # the views that check the case's visibility and audit the download.
            "default_acl": "private",
            "querystring_auth": True,
            # Names are random (documents.models); a clash must never replace a file.
            "file_overwrite": False,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default=None),
        },
    }
else:
    raise ValueError(f"STORAGE_BACKEND must be filesystem or s3, not {STORAGE_BACKEND!r}")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# The largest file that may be uploaded to a case (documents.uploads), in megabytes.
CASE_FILE_MAX_MB = env.int("CASE_FILE_MAX_MB", default=20)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ---------------------------------------------------------------------------------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# The preload token only counts when the registrable domain itself sends it and is submitted
# to hstspreload.org by hand; set SECURE_HSTS_PRELOAD=false for a domain that must never be.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A form refused for want of its cookie (a party's phone blocking cookies): a page in plain words.
CSRF_FAILURE_VIEW = "wkm.csrf.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Request size limits (tests/hostile): a form post larger than this, or with more fields, is
# refused with a 400 before any view reads it. The largest real forms are well inside both: the
# intake page with its 12 parties is about 310 fields and tens of kilobytes; agreement texts are
# bounded by their forms (cases.agreement_forms). Uploaded files do not count towards the size.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # 1 MB
DATA_UPLOAD_MAX_NUMBER_FIELDS = 600
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies of ours stand before the app, each appending to X-Forwarded-For: the client's
# address is read that many places from the right (audit.services.client_ip).
TRUSTED_PROXIES = env.int(
    "TRUSTED_PROXIES", default=1 if env.bool("BEHIND_TLS_PROXY", default=False) else 0
)
# /health/ is probed over plain HTTP by load balancers and process managers.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# /health/ (wkm.health): its checks run at most once per HEALTH_CACHE_SECONDS in each web process
# and are waited on for at most HEALTH_TIMEOUT_SECONDS (the Celery ping itself waits 1 s). The
# components are shown to a loopback caller or to one sending "Authorization: Bearer
# <HEALTH_TOKEN>"; anyone else gets only "ok" or "down". Empty: loopback only.
HEALTH_TOKEN = env("HEALTH_TOKEN", default="")
HEALTH_CACHE_SECONDS = env.float("HEALTH_CACHE_SECONDS", default=5.0)
HEALTH_TIMEOUT_SECONDS = 1.5
# /health/ and `manage.py status` call the outbox "late" (and the whole answer "down", 503) when
# a message has been due and unsent for longer than OUTBOX_LATE_SECONDS (the dispatcher runs every
# minute; a failed send is retried within minutes), and beat "late" when it has sent no scheduled
# task for BEAT_LATE_SECONDS (three of its tasks run every minute).
OUTBOX_LATE_SECONDS = env.int("OUTBOX_LATE_SECONDS", default=15 * 60)
BEAT_LATE_SECONDS = env.int("BEAT_LATE_SECONDS", default=5 * 60)
# Content-Security-Policy (django-csp): our own scripts, styles, fonts and images only, no
# inline script or style anywhere (templates/ has none: tests/security), no framing, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Email ------------------------------------------------------------------------------------

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="WKM Case Manager <casework@localhost>")

# --- Celery -----------------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A page that enqueues work must not hang when Redis is down: fail fast, the outbox keeps the work.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
# django-celery-beat's DatabaseScheduler behind a lock in Redis (wkm.beat): of several beats
# started, one sends; another takes over within BEAT_LOCK_SECONDS of it dying.
CELERY_BEAT_SCHEDULER = "wkm.beat:SingleBeatScheduler"
BEAT_LOCK_SECONDS = env.int("BEAT_LOCK_SECONDS", default=30)
# Each run is written to the database as it is sent (not every 3 minutes, Celery's default), so
# a beat taking over never sends again what the dead one already sent, and /health/ can tell
# whether beat is running (wkm.health.beat_last_run).
CELERY_BEAT_SYNC_EVERY = 1
# Installed into django-celery-beat's tables at start, where administrators can change them.
CELERY_BEAT_SCHEDULE = {
    "dispatch-reminders": {"task": "notifications.tasks.dispatch_reminders", "schedule": 60.0},
    "dbs-warnings": {
        "task": "notifications.tasks.queue_dbs_warnings",
        "schedule": crontab(hour=7, minute=30),
    },
    "follow-ups": {
        "task": "notifications.tasks.queue_follow_ups",
        "schedule": crontab(hour=7, minute=35),
    },
    # The parties' outcome follow-up survey at their case's follow-up date: mid-morning, not
    # with the staff's early emails.
    "follow-up-surveys": {
        "task": "surveys.tasks.queue_follow_up_surveys",
        "schedule": crontab(hour=10, minute=0),
    },
    "unassigned-digest": {
        "task": "notifications.tasks.queue_unassigned_digest",
        "schedule": crontab(hour=7, minute=40, day_of_week="mon-fri"),
    },
    "rule-digest": {
        "task": "rules.tasks.queue_rule_digest",
        "schedule": crontab(hour=7, minute=45),
    },
    "apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    # Exports (exports.services): hand over again what the worker never got, take over what
    # a worker left half-done; and delete every file past its day.
    "resume-exports": {"task": "exports.tasks.resume_exports", "schedule": 60.0},
    "delete-expired-exports": {
        "task": "exports.tasks.delete_expired_exports",
        "schedule": crontab(hour=3, minute=15),
    },
    # Imports (imports.services): the uploaded sheets' bytes go a day after upload; a check or
    # an import whose worker died is marked failed.
    "delete-expired-imports": {
        "task": "imports.tasks.delete_expired_imports",
        "schedule": crontab(hour=3, minute=20),
    },
    # A sheet the worker never got (the broker was down) is handed over again.
    "resend-waiting-imports": {"task": "imports.tasks.resend_waiting_imports", "schedule": 60.0},
}

# --- Exports (exports/, README: Reports) ------------------------------------------------------

# A file made by the worker is kept this long for the one person who asked, then deleted.
EXPORT_KEEP_SECONDS = env.int("EXPORT_KEEP_SECONDS", default=24 * 60 * 60)
# How many files one person may have waiting or being prepared at once.
EXPORTS_MAX_UNFINISHED = env.int("EXPORTS_MAX_UNFINISHED", default=3)
# The largest file kept (bytes, in the database row).
EXPORT_MAX_BYTES = env.int("EXPORT_MAX_BYTES", default=50_000_000)
# The largest "everything the service holds" ZIP kept (exports.everything). 100,000 cases made
# 63 MB of CSV and 188 MB of XLSX (README: Leave with your data); the row's bytea holds up to
# 1 GB, and the web process holds the file in memory once while it sends it.
EXPORT_EVERYTHING_MAX_BYTES = env.int("EXPORT_EVERYTHING_MAX_BYTES", default=250_000_000)
# It takes minutes, not seconds (at 100,000 cases: CSV 56 s, XLSX about 12 minutes, over
# EXPORT_LEASE_SECONDS), so a worker building it is taken to have died only after this long.
EXPORT_EVERYTHING_LEASE_SECONDS = env.int("EXPORT_EVERYTHING_LEASE_SECONDS", default=3600)
# A worker that has not finished an export after this long is taken to have died: another
# takes it over, up to EXPORT_MAX_ATTEMPTS tries in all; one never started within
# EXPORT_QUEUE_TIMEOUT_SECONDS fails with a message (no worker running).
EXPORT_LEASE_SECONDS = env.int("EXPORT_LEASE_SECONDS", default=600)
EXPORT_MAX_ATTEMPTS = env.int("EXPORT_MAX_ATTEMPTS", default=3)
EXPORT_QUEUE_TIMEOUT_SECONDS = env.int("EXPORT_QUEUE_TIMEOUT_SECONDS", default=30 * 60)
# The Celery queue exports go to; empty: Celery's default queue. Give them a queue (and a
# worker, `celery -A wkm worker -Q exports`) of their own so that a long export never delays
# the reminders.
EXPORT_QUEUE = env("EXPORT_QUEUE", default="")

# --- Imports from spreadsheets (imports/, README: Importing) ----------------------------------

# The largest sheet accepted (bytes) and the most rows read from it (the header not counted).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5_000_000)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=10_000)
# An uploaded sheet (and the rows given back) is kept this long at most, then its bytes go.
IMPORT_KEEP_SECONDS = env.int("IMPORT_KEEP_SECONDS", default=24 * 60 * 60)
# A check or import still running after this long is taken to have lost its worker: failed.
IMPORT_LEASE_SECONDS = env.int("IMPORT_LEASE_SECONDS", default=60 * 60)
# The Celery queue checks and imports go to; empty: Celery's default queue.
IMPORT_QUEUE = env("IMPORT_QUEUE", default="")

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_for_client_errors": {"()": "wkm.log_filters.OneLineForClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # A 403 (or 400) is one line, not a traceback: nothing failed.
        "django.request": {"filters": ["one_line_for_client_errors"]},
        # WeasyPrint and fontTools narrate every render at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
