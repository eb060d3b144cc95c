"""Test settings: the production settings with a fixed test secret and fast hashing."""

import os

os.environ.setdefault(
    "KETACARE_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789"
)
os.environ.setdefault("KETACARE_SECURE_COOKIES", "0")

from ketacare.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
