"""An Interacciones page's <tr>s, written in Python once per page (as clients/order_rows.py).

Each column's cell writer is chosen once per page; labels are translated once
and URLs filled into templates reversed once per project
(moonflow.lists.links). Two columns read more than the row: Nombres de cartera
and Última comunicación asociada, each one query for the whole page (see
interactions/lists.py for what they mean). The client's name carries the
portfolio icon of each of its active portfolios (portfolios/badges.py), from
the same one query as Nombres de cartera. Text is escaped with `html_text`.
"""

from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from clients.visibility import OTHER_ADVISER, readable_adviser_ids
from moonflow.lists.columns import html_text
from moonflow.lists.links import RowUrls
from moonflow.ui.money import format_money
from portfolios.badges import icon_label, portfolio_icons, portfolio_names

from .models import CampaignKind, Channel, Interaction, Outcome, RecipientKind

EMPTY = "<td>—</td>"
STATUS_BADGES = {
    "scheduled": "text-bg-light border",
    "sent": "text-bg-secondary",
    "delivered": "text-bg-primary",
    "read": "text-bg-success",
    "unread": "text-bg-warning",
    "failed": "text-bg-danger",
    "bounced": "text-bg-danger",
    "answered": "text-bg-success",
}


def _moment(value, tz) -> str:
    return formats.date_format(timezone.localtime(value, tz), "d/m/Y H:i") if value else ""


def last_related(project_id: int, rows: list[dict]) -> dict[int, tuple]:
    """For each row (by id), its client's most recent other interaction with a send date:
    (scheduled_at, channel). One statement: an index probe per row."""
    if not rows:
        return {}
    table = connection.ops.quote_name(Interaction._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, x.scheduled_at, x.channel "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS r(id, client_id) "
            "CROSS JOIN LATERAL ("
            f"  SELECT i.scheduled_at, i.channel FROM {table} i"
            "   WHERE i.project_id = %s AND i.client_id = r.client_id AND i.id <> r.id"
            "     AND i.scheduled_at IS NOT NULL"
            "   ORDER BY i.scheduled_at DESC, i.id DESC LIMIT 1) x",
            [[r["id"] for r in rows], [r["client_id"] for r in rows], project_id],
        )
        return {pk: (moment, channel) for pk, moment, channel in cursor.fetchall()}


def _cell_writers(member, columns, rows, *, urls: RowUrls, tz, currency: str):
    keys = {c.key for c in columns}
    project_id = member.project_id
    # The client's name carries the icons, the optional column the names: one query.
    portfolios = (portfolio_names(project_id, sorted({r["client_id"] for r in rows}))
                  if keys & {"client", "portfolios"} else {})
    icon = icon_label()
    related = last_related(project_id, rows) if "last_related" in keys else {}
    readable = readable_adviser_ids(member) if "adviser" in keys else None
    channels = {str(v): str(lbl) for v, lbl in Channel.choices}
    outcome_labels = {str(v): str(lbl) for v, lbl in Outcome.choices}
    campaign_kinds = {str(v): str(lbl) for v, lbl in CampaignKind.choices}
    recipient_kinds = {str(v): str(lbl) for v, lbl in RecipientKind.choices}
    other_adviser = f"<td>{html_text(OTHER_ADVISER)}</td>"

    writers = []
    for column in columns:
        key, path = column.key, column.path
        if key == "client":
            def client_cell(row):
                url = urls.url("client", row["client_id"])
                name = html_text(row.get("client__name") or "")
                link = f'<a href="{html_text(url)}">{name}</a>' if url else name
                names = portfolios.get(row["client_id"])
                icons = portfolio_icons(names, label=icon) if names else ""
                return f'<th scope="row" class="fw-normal">{link}{icons}</th>'

            writers.append(client_cell)
        elif key == "document":
            writers.append(lambda r, c=column: f'<td class="text-nowrap">{html_text(c.text(r))}</td>')
        elif key in ("scheduled_at", "sent_at"):
            writers.append(lambda r, p=path: (f'<td class="text-nowrap">{_moment(r.get(p), tz)}</td>'
                                              if r.get(p) else EMPTY))
        elif key == "campaign":
            def campaign_cell(row):
                name = row.get("campaign") or ""
                kind = campaign_kinds.get(row.get("campaign_kind") or "", "")
                if not name and not kind:
                    return EMPTY
                sub = (f' <span class="badge text-bg-light border">{html_text(kind)}</span>'
                       if kind else "")
                return f'<td><div class="cell-text">{html_text(name)}{sub}</div></td>'

            writers.append(campaign_cell)
        elif key == "recipients":
            def recipients_cell(row):
                text = row.get("recipients") or ""
                if not text:
                    return EMPTY
                kind = recipient_kinds.get(row.get("recipient_kind") or "", "")
                return (f'<td><div class="cell-text"><span class="small text-body-secondary">'
                        f"{html_text(kind)}:</span> {html_text(text)}</div></td>")

            writers.append(recipients_cell)
        elif key == "status":
            def status_cell(row, c=column):
                badge = STATUS_BADGES.get(row.get("status"), "text-bg-light border")
                return f'<td><span class="badge {badge}">{html_text(c.text(row))}</span></td>'

            writers.append(status_cell)
        elif key == "adviser":
            def adviser_cell(row, c=column):
                adviser_id = row.get("adviser_id")
                if adviser_id is None:
                    return EMPTY
                if readable is not None and adviser_id not in readable:
                    return other_adviser
                return f"<td>{html_text(c.text(row))}</td>"

            writers.append(adviser_cell)
        elif key == "portfolios":
            writers.append(lambda r: (f'<td><div class="cell-text">'
                                      f'{html_text(", ".join(portfolios[r["client_id"]]))}'
                                      "</div></td>") if portfolios.get(r["client_id"]) else EMPTY)
        elif key == "last_related":
            def related_cell(row):
                found = related.get(row["id"])
                if not found:
                    return EMPTY
                moment, channel = found
                return (f'<td class="text-nowrap">{_moment(moment, tz)} · '
                        f"{html_text(channels.get(channel, channel))}</td>")

            writers.append(related_cell)
        elif key == "outcome":
            def outcome_cell(row):
                outcome = row.get("outcome") or ""
                if not outcome:
                    return EMPTY
                text = html_text(outcome_labels.get(outcome, outcome))
                parts = []
                if row.get("promise_amount") is not None:
                    parts.append(f'<span class="money">'
                                 f'{html_text(format_money(row["promise_amount"], currency))}'
                                 "</span>")
                if row.get("promise_date"):
                    parts.append(row["promise_date"].strftime("%d/%m/%Y"))
                detail = f': {" · ".join(parts)}' if parts else ""
                return f"<td>{text}{detail}</td>"

            writers.append(outcome_cell)
        elif key in ("template", "error_message"):
            writers.append(lambda r, p=path: (f'<td><div class="cell-text">{html_text(r[p])}'
                                              "</div></td>") if r.get(p) else EMPTY)
        else:
            written: dict = {}

            def plain_cell(row, c=column, p=path):
                value = row.get(p)
                cell = written.get(value)
                if cell is None:
                    cell = written[value] = f"<td>{html_text(c.text(row, tz=tz) or '—')}</td>"
                return cell

            writers.append(plain_cell)
    return writers


def interaction_rows(member, rows: list[dict], columns, *, client, here: str) -> list[dict]:
    """The page's rows (the `.values()` dicts), each with `html`: its whole <tr>."""
    project = member.project
    tz = ZoneInfo(project.timezone) if project.timezone else None
    urls = RowUrls(project.slug, client="clients:detail", interactions="interactions:client_list")
    writers = _cell_writers(member, columns, rows, urls=urls, tz=tz, currency=project.currency)
    label = html_text(_("Ver comunicaciones"))
    for row in rows:
        cells = "".join(write(row) for write in writers)
        actions = ""
        if client is None:
            url = urls.url("interactions", row["client_id"])
            if url:
                actions = (f'<td class="actions text-end"><a class="btn btn-outline-secondary '
                           f'btn-sm" href="{html_text(url)}" aria-label="{label}" title="{label}">'
                           '<i class="bi bi-envelope" aria-hidden="true"></i></a></td>')
            else:
                actions = '<td class="actions text-end"></td>'
        row["html"] = mark_safe(f"<tr>{cells}{actions}</tr>")
    return rows
