"""The one access path to API keys and to the member a key acts as."""

from django.http import Http404

from .keys import PresentedKey, matches
from .models import ApiKey


def api_key_list(*, member):
    """The project's keys, newest first (only admins manage them: see the views)."""
    return (ApiKey.objects.filter(project_id=member.project_id)
            .select_related("member__user").order_by("-created_at", "prefix"))


def get_api_key_for_member(member, prefix) -> ApiKey:
    key = api_key_list(member=member).filter(prefix=prefix).first()
    if key is None:
        raise Http404("No such API key")
    return key


def key_for_presented(presented: PresentedKey) -> ApiKey | None:
    """The live key a request presents: not revoked, its acting member still active (and
    still an admin for an admin key); None otherwise."""
    key = (ApiKey.objects.filter(project_id=presented.project_id, prefix=presented.prefix)
           .select_related("member__user", "member__project", "member__team").first())
    if key is None or key.revoked_at is not None or not matches(key.key_hash, presented.text):
        return None
    member = key.member
    if not member.is_active or not member.user.is_active:
        return None
    if key.scope == "admin" and not member.is_admin:
        return None
    return key
