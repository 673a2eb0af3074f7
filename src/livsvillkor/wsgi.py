"""WSGI entry point (gunicorn livsvillkor.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livsvillkor.settings")
application = get_wsgi_application()
