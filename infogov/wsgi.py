"""WSGI entry point (gunicorn infogov.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infogov.settings")
application = get_wsgi_application()
