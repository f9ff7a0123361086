"""Settings shared by every environment. Backends come from elearn.settings.backends."""

import os
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE

from elearn.settings import backends

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "elearn"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# The key development settings fall back to. It is in the repository, so production settings refuse it.
DEV_SECRET_KEY = "dev-only-not-secret-elearn"
DEBUG = env_bool("DJANGO_DEBUG", False)
LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ",".join(LOCAL_HOSTS))
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "elearn.org",
    "elearn.privacy",
    "content",
    "courses",
    "quizzes",
    "leaderboard",
    "drills",
    "hazards",
    "campaign",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "elearn.org.middleware.KnownDeviceMiddleware",
    "elearn.org.middleware.PasswordChangeRequiredMiddleware",
    "elearn.privacy.middleware.NoticeRequiredMiddleware",  # after the password: first the password, then the notice
    "elearn.privacy.middleware.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "elearn.security.PathAwareCSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a login that just locked out into the lockout page
]

ROOT_URLCONF = "elearn.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "elearn.org.context_processors.platform",
            ],
        },
    },
]

WSGI_APPLICATION = "elearn.wsgi.application"
ASGI_APPLICATION = "elearn.asgi.application"

DATABASES = {"default": backends.database(BASE_DIR)}
CHANNEL_LAYERS = backends.channel_layers()
CACHES = backends.caches()

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["elearn.org.auth.EmployeeOrPhoneBackend"]
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "elearn.org.hashers.InitialPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploaded spreadsheets (rosters, question banks): refused above this size.
ELEARN_UPLOAD_MAX_BYTES = int(os.environ.get("ELEARN_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
ELEARN_SITE_NAME = "安全生产月学习竞赛平台"

# Login throttling (elearn/org/throttle.py, with django-axes): failed logins within 15 minutes before a login waits.
# Per client address, any account: high because a hospital's staff share one NAT address. Per account from any
# address: the ceiling on guessing one account from many places (each address adds at most 5, the limit for one
# account at one address, so a stranger cannot reach it from one or two addresses).
ELEARN_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("ELEARN_LOGIN_FAILURES_PER_ADDRESS", "300"))
ELEARN_LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("ELEARN_LOGIN_FAILURES_PER_ACCOUNT", "30"))
AXES_HANDLER = "elearn.org.throttle.LoginLockoutHandler"  # a limit per counter; counters in the default cache
AXES_LOCKOUT_PARAMETERS = "elearn.org.throttle.lockout_parameters"
AXES_FAILURE_LIMIT = "elearn.org.throttle.failure_limit"
AXES_COOLOFF_TIME = "elearn.org.throttle.cool_off"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "elearn.org.throttle.account_key"  # 工号 or mobile in any spelling: one counter
AXES_CLIENT_IP_CALLABLE = "elearn.org.throttle.client_address"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused attempts are not counted again
AXES_LOCKOUT_TEMPLATE = "org/login_locked.html"

# Requests that draw and freeze an exam paper (real or mock): at most this many at a time per server process, so an
# exam's opening rush queues instead of slowing the answer saves of candidates already writing (elearn/admission.py).
ELEARN_ADMISSION_LANES = [
    (
        r"^(?:/api/v1)?/exams/\d+/start/$|^/api/v1/practice/mock/$|^/practice/mock/\d+/$",
        int(os.environ.get("ELEARN_START_CONCURRENCY", "4")),
    ),
]

# Request threads kept idle between requests, per server process (elearn/sync_http.py): starting a thread per request
# blocked daphne's event loop under load. More requests at once than this still get threads, ended after them.
ELEARN_REQUEST_THREADS_KEPT = int(os.environ.get("ELEARN_REQUEST_THREADS_KEPT", "100"))

WAGTAIL_SITE_NAME = ELEARN_SITE_NAME
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
# The dashboard's upgrade check calls releases.wagtail.org, which the CSP blocks (and the district network may too).
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_USER_LOGIN_FORM = "elearn.org.forms.AdminLoginForm"  # the password field's label in both languages
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "mp4", "txt", "md"]
# Documents are served only by Wagtail's view (/documents/<id>/<name>), which applies the collection's privacy first;
# their files under MEDIA_ROOT/documents/ are never served as media (elearn/media.py; nginx: an `internal` location).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Behind nginx, ELEARN_DOCUMENTS_X_ACCEL=1 lets nginx send a document's bytes once the view has allowed it
# (X-Accel-Redirect to /media/documents/..., an `internal` location): see elearn/media.py and the README.
if env_bool("ELEARN_DOCUMENTS_X_ACCEL"):
    SENDFILE_BACKEND = "elearn.media"
# Uploads under MEDIA_URL that anyone may fetch: images and their renditions (and admin avatars). Everything else
# there, documents first, is not served as media.
ELEARN_PUBLIC_MEDIA_DIRS = ["original_images", "images", "avatar_images"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "elearn.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
    "EXCEPTION_HANDLER": "elearn.api_errors.exception_handler",
    # JSON only, also to a browser (no browsable API pages, so no HTML error pages either): /api/docs/ is the explorer.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "elearn API",
    "DESCRIPTION": "安全生产月学习竞赛平台 API: study modules, question bank, exams, competitions, reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["elearn.schema.only_public_api"],
    # The error shape (ApiError) and the refusals every operation can meet (elearn/api_schema_errors.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "elearn.api_schema_errors.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "GamePhaseEnum": "quizzes.competitions.models.Game.Phase",
        "ExamWindowPhaseEnum": ["upcoming", "open", "closed"],
        "TaskSubmissionStateEnum": "campaign.tasks.models.TaskSubmission.State",
        "MyTaskStateEnum": ["not_started", "submitted", "returned", "approved"],
        "DrillCategoryEnum": "drills.models.Drill.Category",
        "AttemptStateEnum": "quizzes.exams.models.Attempt.State",
        "HazardCategoryEnum": "hazards.models.Category",
        "HazardStateEnum": "hazards.models.State",
        "ScorecardCriterionStateEnum": ["met", "unmet", "na", "unavailable"],
    },
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("ELEARN_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {"elearn": {"level": os.environ.get("ELEARN_LOG_LEVEL", "INFO")}},
}

# Security headers. The site ships no inline script (data for scripts travels in JSON script tags); the Wagtail
# admin and the API docs get a relaxed script-src in elearn/security.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "frame-src": [SELF, "https:"],
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# URL modules of the apps, mounted at the site root before Wagtail's page catch-all (see elearn/urls.py).
ELEARN_APP_URLCONFS: list[str] = [
    "courses.urls",
    "content.urls",
    "leaderboard.rankings.urls",
    "quizzes.practice.urls",
    "quizzes.urls",  # merges quizzes.exams.urls and quizzes.competitions.urls (one namespace)
    "elearn.privacy.urls",
    "campaign.tasks.urls",
    "drills.urls",
    "hazards.urls",
]

# Personal data (elearn.privacy): every account acknowledges the notice before anything else (tests switch it off
# except where they test it), and each app describes the rows it keeps about a person in its own module (what a
# person's copy shows, how each kind expires, what anonymising a person who left does).
ELEARN_PRIVACY_NOTICE_REQUIRED = True
ELEARN_PERSONAL_DATA: list[str] = [
    "courses.personal_data",
    "quizzes.personal_data",
    "leaderboard.personal_data",
    "campaign.personal_data",
    "drills.personal_data",
    "hazards.personal_data",
]

# Page types the site search covers (content.search), study modules first.
ELEARN_SEARCH_PAGE_TYPES: list[str] = ["courses.CoursePage", "courses.LessonPage", "content.MaterialPage"]

# Steps that `seed_demo` runs after the organisation and home page, in order (see content/management/commands).
ELEARN_DEMO_SEEDERS: list[str] = [
    "quizzes.demo.bank.seed_demo_bank",  # first: practice, study self-checks, competitions and exams draw from it
    "quizzes.demo.practice.seed_practice",
    "courses.demo.pages.seed_study",
    "quizzes.demo.competitions.seed_competition",
    "quizzes.demo.exams.seed_exam",
    "drills.demo.seed_drills",
    "hazards.demo.seed_hazards",
    "campaign.tasks.demo.seed_tasks",
]

# Drills (drills.models, drills.checkin): check-in by QR code opens this long before a drill's start and closes this
# long after its end; the QR code changes every DRILLS_QR_ROTATE_SECONDS and each is accepted for
# DRILLS_QR_MAX_AGE_SECONDS (time to log in after scanning; a photo of the screen soon stops working).
DRILLS_CHECKIN_BEFORE_MINUTES = int(os.environ.get("DRILLS_CHECKIN_BEFORE_MINUTES", "30"))
DRILLS_CHECKIN_AFTER_MINUTES = int(os.environ.get("DRILLS_CHECKIN_AFTER_MINUTES", "30"))
DRILLS_QR_ROTATE_SECONDS = 60
DRILLS_QR_MAX_AGE_SECONDS = 600

LEADERBOARD_REDIS_URL = backends.redis_url()
