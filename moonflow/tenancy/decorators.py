"""Role checks for views that already sit under a project URL."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def admin_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.member.is_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    """Admins and supervisors."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.member.can_manage:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
