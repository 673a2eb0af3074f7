"""``livsvillkor demo``: set up the Borås demo database (idempotent: running it again changes nothing)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from livsvillkor.core.errors import InputError
from livsvillkor.core.paths import repo_file
from livsvillkor.core.services import ensure_admin_user, load_demo_content
from livsvillkor.framework.services import load_framework


class Command(BaseCommand):
    help = "Set up the Borås demo: migrate, load the målbild and demo content, and create the admin user."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        try:
            result = load_framework(repo_file("frameworks/boras-2021-2024.yaml"))
        except InputError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.message)
        self.stdout.write(load_demo_content())
        self.stdout.write(ensure_admin_user().message)
