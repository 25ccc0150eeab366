"""Fast settings for the test suite; the database and cache still come from the environment."""
import os

os.environ.setdefault("VOXPOP_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from .base import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] in ("voxpop.sqlite", "django.db.backends.sqlite3"):  # noqa: F405
    # A file, not memory: concurrency tests need real WAL locking between connections, which
    # SQLite's shared-cache memory databases replace with immediate "table is locked" errors.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

# The suite posts straight after rendering a form, and many tests post from the test client's one
# address within one frozen minute: the tests of these limits (tests/security/) set their own values.
VOXPOP_FORM_MIN_SECONDS = 0
VOXPOP_POW_BITS = 10  # browser tests with JavaScript solve it on every post: keep it quick
VOXPOP_RATE_LIMITS = {"source": ((100_000, 60),), "story": ((100_000, 60),), "global": ((100_000, 60),)}

if "REDIS_URL" not in os.environ:
    # One test process: memory is enough, and nothing outlives the run.
    CACHES["threads"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",  # noqa: F405
                         "LOCATION": "voxpop-threads"}
# Each test sees a submission scored and screened when the request returns; tests/scoring/test_intake.py
# runs the intake thread itself.
VOXPOP_INTAKE_INLINE = True
