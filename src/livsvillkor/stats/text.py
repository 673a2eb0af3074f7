"""Marking of user-facing Swedish texts in the statistics core.

``livsvillkor.stats`` never imports Django, so its reasons and labels are plain Swedish strings marked
with :func:`gettext_noop`: ``makemessages`` extracts them (the keyword is one Django passes to xgettext),
and the presentation layer translates the values it shows with Django's ``gettext`` at display time.
"""


def gettext_noop(message: str) -> str:
    """Return ``message`` unchanged; marks it for translation catalogues."""
    return message
