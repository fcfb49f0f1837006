"""API keys for the shared cast, and a client that sends them."""

from django.test import Client as HttpClient

from api.models import ApiKeyScope
from api.services import api_key_create


def make_key(member, *, scope=None, name="Integración"):
    """(ApiKey, its text) acting as `member`: admin scope for an admin, else member scope."""
    scope = scope or (ApiKeyScope.ADMIN if member.is_admin else ApiKeyScope.MEMBER)
    return api_key_create(project=member.project, actor=member.user, name=name, scope=scope,
                          member=member)


class Api:
    """Requests to /api/v1/ with a key (JSON in, JSON out)."""

    def __init__(self, text: str | None, *, language: str | None = None):
        self.http = HttpClient()
        self.headers = {}
        if text is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {text}"
        if language:
            self.headers["HTTP_ACCEPT_LANGUAGE"] = language

    def _call(self, method, path, data=None, headers=None):
        extra = {**self.headers, **(headers or {})}
        if data is None:
            return getattr(self.http, method)(path, **extra)
        return getattr(self.http, method)(path, data=data, content_type="application/json",
                                          **extra)

    def get(self, path, data=None, **headers):
        extra = {**self.headers, **headers}
        return self.http.get(path, data or {}, **extra)

    def post(self, path, data=None, *, idempotency_key=None, **headers):
        if idempotency_key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
        return self._call("post", path, data if data is not None else {}, headers)

    def patch(self, path, data, **headers):
        return self._call("patch", path, data, headers)

    def delete(self, path, **headers):
        return self._call("delete", path, None, headers)


def api_for(member, **kwargs) -> Api:
    _key, text = make_key(member)
    return Api(text, **kwargs)
