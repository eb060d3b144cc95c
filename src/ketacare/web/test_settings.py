"""Test settings: the production settings with a fixed test secret and fast hashing, over plain
HTTP (the test client speaks HTTP: no HTTPS redirect), static files found without collecting."""

import os

os.environ.setdefault(
    "KETACARE_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789"
)
os.environ.setdefault("KETACARE_SECURE", "0")
os.environ.setdefault("KETACARE_SECURE_COOKIES", "0")

from ketacare.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
KETACARE_SMS_BACKEND = "ketacare.web.notify.sms.LocmemSmsBackend"
CELERY_TASK_ALWAYS_EAGER = True  # tasks run in the test, no broker (one test uses the real one)
