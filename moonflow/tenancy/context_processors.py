from functools import cache, lru_cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from .selectors import memberships_for_user

# The links of the header and the side menu (base.html): name → (URL name, under
# /p/<project>/, may not exist). They are the same on every page of a project, so
# they are reversed once per process (`_links`); one that does not exist reads "".
NAV_LINKS = {
    "home": ("home", False, False),
    "set_language": ("set_language", False, False),
    "password_change": ("password_change", False, False),
    "logout": ("logout", False, False),
    "project_home": ("project_home", True, False),
    "advisers": ("advisers:list", True, False),
    "teams": ("advisers:teams", True, True),
    "segments": ("clients:segments", True, True),
    "variables": ("clients:variables", True, True),
    "integrations": ("integrations:index", True, True),
    "project_settings": ("project_settings", True, False),
    "audit": ("audit:project", True, True),
    "jobs": ("jobs:list", True, False),
    "notifications": ("jobs:notifications", True, False),
    "clients": ("clients:list", True, False),
    "payment_orders": ("clients:payment_orders", True, True),
    "interactions": ("interactions:list", True, True),
    "my_gestiones": ("followups:mine", True, True),
    "portfolios": ("portfolios:list", True, True),
}


@lru_cache(maxsize=1024)
def _links(slug: str | None, script_prefix: str, urlconf) -> dict[str, str]:
    links = {}
    for key, (name, in_project, optional) in NAV_LINKS.items():
        if in_project and slug is None:
            continue
        try:
            links[key] = reverse(name, urlconf=urlconf,
                                 kwargs={"project": slug} if in_project else None)
        except NoReverseMatch:
            if not optional:
                raise
            links[key] = ""
    return links


def nav_links(project=None) -> dict[str, str]:
    """The header's and side menu's URLs (of `project`'s pages too when given)."""
    return _links(project.slug if project else None, get_script_prefix(), get_urlconf())


def tenancy(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": nav_links()}
    member = getattr(request, "member", None)
    # Read by the header. Under /p/<project>/ the middleware loaded the memberships
    # with the member; elsewhere they are read when a template iterates them.
    memberships = getattr(request, "memberships", None)
    context = {
        "member": member,
        "project": member.project if member else None,
        "memberships": memberships if memberships is not None else memberships_for_user(user),
        "nav": nav_links(member.project if member else None),
    }
    if member is not None:
        from moonflow.jobs.selectors import unread_notification_count

        # A callable: counted when a template first shows it (a partial that does not
        # show the header makes no query), once per request.
        context["unread_notifications"] = cache(lambda: unread_notification_count(member=member))
    return context
