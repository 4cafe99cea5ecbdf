"""pytest plugin loaded with `-p kette.testing.env` before pytest-django reads settings.

Tests talk plain HTTP to Django's test client and live server, so the
production defaults for HTTPS are turned off here, and every run gets a data
directory of its own.
"""

import os
import tempfile

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("KETTE_STATIC_COLLECTED", "false")
os.environ.setdefault("SECRET_KEY", "kette-tests-only-" + "x" * 40)
os.environ.setdefault("KETTE_DATA_DIR", tempfile.mkdtemp(prefix="kette-test-"))
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
