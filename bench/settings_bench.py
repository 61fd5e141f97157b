"""Settings of the benchmark only: the portal's settings plus the bench's minimal views.

Never used by the portal itself; bench/run.py sets DJANGO_SETTINGS_MODULE to this module for
gunicorn and for its own in-process steps.
"""

from infogov.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"

# The bench's sessions are written directly (bench/seed.py), not signed in, and its leader has
# no authenticator app: the second-factor gate (members.signin) would send him to set one up.
# Once a session has passed it, the gate costs no query (tests/members/test_signin.py).
INFOGOV_REQUIRE_MFA = False
