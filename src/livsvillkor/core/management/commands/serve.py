"""``livsvillkor serve``: collect static files and serve the site with gunicorn."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site (gunicorn; static files through WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("LIVSVILLKOR_WORKERS", "3")))

    def handle(self, *args, host, port, workers, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Serving {settings.LIVSVILLKOR['SITE_NAME']} on http://{host}:{port}/ (Ctrl-C stops)"
        )
        self.stdout.flush()
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            "livsvillkor.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ]
        os.execvp(sys.executable, args)
