"""The one access path to a member's saved views."""

from django.db.models import Q
from django.http import Http404

from .models import SavedView


def saved_view_list(*, member, tray: str):
    """The member's own saved views and those shared with the project."""
    return SavedView.objects.filter(
        Q(owner=member) | Q(shared=True), project_id=member.project_id, tray=tray
    ).order_by("name", "id")


def get_saved_view_for_member(member, pk, *, tray: str, missing_ok: bool = False):
    """A saved view the member may apply (own or shared); 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    view = saved_view_list(member=member, tray=tray).filter(pk=pk).first() if pk else None
    if view is None and not missing_ok:
        raise Http404("No such saved view")
    return view
