"""Writes of a tray's personal settings: the chosen columns and saved views.

Shared by every list (the `tray` argument: "clients", "payment_orders", "jobs"…);
the caller validates column keys against its own column list.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import SavedView, TrayPreference

NAME_MAX = 80
QUERY_MAX = 2000


@transaction.atomic
def tray_columns_set(*, member, tray: str, columns: list[str]) -> TrayPreference:
    """Remember the member's columns for a tray; an empty list means the defaults."""
    pref = (
        TrayPreference.objects.select_for_update()
        .filter(project_id=member.project_id, member=member, tray=tray)
        .first()
    )
    if pref is None:
        return TrayPreference.objects.create(
            project_id=member.project_id, member=member, tray=tray, columns=list(columns)
        )
    pref.columns = list(columns)
    pref.save(update_fields=["columns"])
    return pref


@transaction.atomic
def saved_view_create(
    *, member, tray: str, name: str, query: str, columns: list[str], shared: bool = False
) -> SavedView:
    """Save the tray's current filters (a query string) and columns under a name."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Escriba un nombre para la vista.")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("El nombre admite hasta %(max)s caracteres.") % {"max": NAME_MAX}}
        )
    if len(query or "") > QUERY_MAX:
        raise ValidationError(
            {"name": _("Hay demasiados filtros para guardarlos en una vista: quite algunos.")}
        )
    return SavedView.objects.create(
        project_id=member.project_id,
        owner=member,
        tray=tray,
        name=name,
        query=query or "",
        columns=list(columns),
        shared=bool(shared),
    )


@transaction.atomic
def saved_view_delete(*, member, view: SavedView) -> None:
    """Only the owner deletes a view, shared or not."""
    if view.owner_id != member.pk or view.project_id != member.project_id:
        raise PermissionDenied
    view.delete()
