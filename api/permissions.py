from rest_framework.permissions import BasePermission

from .models import ApiKey


class HasApiKey(BasePermission):
    """Every endpoint: a live API key (api.authentication) authenticated the request."""

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiKey)
