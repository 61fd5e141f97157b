"""Settings of the benchmark only: the portal's settings plus the bench's minimal views.

Never used by the portal itself; bench/run.py sets DJANGO_SETTINGS_MODULE to this module for
gunicorn and for its own in-process steps.
"""

from infogov.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
