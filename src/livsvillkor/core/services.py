"""Setting up an installation: the demo and the admin user."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.dateparse import parse_datetime

from livsvillkor.core.paths import repo_file


@dataclass
class AdminResult:
    username: str
    created: bool
    password: str | None  # set only when a password was generated or read from the environment

    @property
    def message(self) -> str:
        if self.created and self.password and "LIVSVILLKOR_ADMIN_PASSWORD" not in os.environ:
            return (
                f"Admin user '{self.username}' created. One-time password (shown only now): {self.password}\n"
                "Change it after your first login (/admin/password_change/)."
            )
        if self.created:
            return f"Admin user '{self.username}' created with the password from LIVSVILLKOR_ADMIN_PASSWORD."
        if self.password:
            return f"Admin user '{self.username}' exists; password reset from LIVSVILLKOR_ADMIN_PASSWORD."
        return (
            f"Admin user '{self.username}' exists; password unchanged "
            "(set LIVSVILLKOR_ADMIN_PASSWORD to reset it)."
        )


def ensure_admin_user() -> AdminResult:
    username = os.environ.get("LIVSVILLKOR_ADMIN_USER", "admin")
    env_password = os.environ.get("LIVSVILLKOR_ADMIN_PASSWORD")
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        password = env_password or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        return AdminResult(username, created=True, password=password)
    if env_password:
        user.set_password(env_password)
        user.save(update_fields=["password"])
        return AdminResult(username, created=False, password=env_password)
    return AdminResult(username, created=False, password=None)


@transaction.atomic
def load_demo_content(path=None) -> str:
    """Contact details and news for the demo portal; re-running updates in place (keyed by slug)."""
    from livsvillkor.portal.models import ContactDetails, NewsItem

    path = path or repo_file("demo/content.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    contact = data.get("contact")
    if contact and not ContactDetails.objects.exists():
        ContactDetails.objects.create(**contact)
    created = 0
    for item in data.get("news", []):
        fields = dict(item)
        slug = fields.pop("slug")
        published = fields.pop("published_at")
        fields["published_at"] = published if not isinstance(published, str) else parse_datetime(published)
        _obj, was_created = NewsItem.objects.get_or_create(slug=slug, defaults=fields)
        created += was_created
    return f"Demo content: contact details and {created} new news item(s) ({NewsItem.objects.count()} in all)"
