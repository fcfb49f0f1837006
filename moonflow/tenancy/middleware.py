"""How a request finds its project.

Every tenant URL lives under `/p/<project>/…`. This middleware is the one place
that turns that slug into `request.project` and `request.member`: an anonymous
visitor is sent to the login page, and a user who is not an active member of
the project gets 404, exactly as if the project did not exist. Views never see
the slug; they work with `request.member`.

The member comes with the user's other active memberships (one query): the
header's project switcher lists them (`request.memberships`, read by
moonflow.tenancy.context_processors).
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone, translation

from .selectors import memberships_for_user


class ProjectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.project = None
        request.member = None
        request.memberships = None
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.pop("project", None)
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        memberships = list(memberships_for_user(request.user).select_related("user", "team"))
        member = next((m for m in memberships if m.project.slug == slug), None)
        if member is None:
            raise Http404("No such project")
        request.member = member
        request.memberships = memberships
        request.project = member.project
        try:
            # Dates and times on the page read as the project's clock.
            timezone.activate(ZoneInfo(member.project.timezone))
        except (ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            # Nobody chose a language in the header: speak the project's.
            translation.activate(member.project.language)
            request.LANGUAGE_CODE = member.project.language
        return None
