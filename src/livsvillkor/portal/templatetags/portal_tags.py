from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()

LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


@register.simple_tag(takes_context=True)
def language_links(context):
    """Links to this page in every language, each labelled in its own language (WCAG 3.1.2)."""
    request = context["request"]
    current = get_language()
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES.get(code, code),
            "url": translate_url(request.get_full_path(), code),
            "active": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]


@register.filter
def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]
