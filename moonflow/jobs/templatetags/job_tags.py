"""Template helpers for the Log de procesos."""

from django import template
from django.utils.translation import gettext as _

from ..waiting import continue_url as _continue_url

register = template.Library()


@register.simple_tag
def continue_url(job, project):
    """The page where a job waiting for the user goes on ("" when it does not wait)."""
    return _continue_url(job, project.slug) or ""


@register.filter
def time_left(seconds):
    """'quedan ~40 s', 'quedan ~3 min', 'quedan ~2 h 5 min' for an ETA in seconds."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds < 60:
        return _("quedan ~%(s)s s") % {"s": seconds}
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("quedan ~%(m)s min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    return _("quedan ~%(h)s h %(m)s min") % {"h": hours, "m": minutes}
