"""Cursor pages of a list for the API, on the list kernel's keyset (moonflow.lists.keyset):
`cursor` carries the kernel's page token ("sig.…" / "ant.…"), `pageSize` the rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from moonflow.lists.keyset import Page, paginate
from moonflow.lists.params import PAGE_PARAM, SIZE_PARAM
from moonflow.lists.totals import Total, page_total

from .problems import ProblemError

CURSOR_PARAM = "cursor"
PAGE_SIZE_PARAM = "pageSize"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
API_PARAMS = (CURSOR_PARAM, PAGE_SIZE_PARAM, PAGE_PARAM, SIZE_PARAM)


def list_params(query: QueryDict) -> QueryDict:
    """The list's own parameters (filters, search, order), without the API's paging ones."""
    params = query.copy()
    for name in API_PARAMS:
        params.pop(name, None)
    return params


def page_size(query: QueryDict) -> int:
    text = query.get(PAGE_SIZE_PARAM, "")
    if not text:
        return DEFAULT_PAGE_SIZE
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise ProblemError(400, _("pageSize debe ser un número entre 1 y %(max)s.") % {
            "max": MAX_PAGE_SIZE}, errors=[{"field": PAGE_SIZE_PARAM,
                                            "message": _("Valor inválido.")}])
    return int(text)


@dataclass
class ApiPage:
    page: Page
    total: Total
    next_cursor: str | None
    previous_cursor: str | None


def read_page(list_query, *, member, query: QueryDict, noun_singular: str,
              noun_plural: str) -> ApiPage:
    """One page of `list_query` (a moonflow.lists ListQuery) as the request asks, with the
    list's bounded total; a cursor that is not one of ours is refused."""
    size = page_size(query)
    cursor = query.get(CURSOR_PARAM, "")
    plan = list_query.search_plan
    page = paginate(list_query.unsearched if plan is not None else list_query.queryset,
                    sort_keys=list_query.sort_keys, descending=list_query.descending,
                    page=cursor, size=size, fields=["id"], plan=plan, member=member)
    if page.refused:
        raise ProblemError(400, _("El cursor no es válido o caducó: pida la primera página."),
                           errors=[{"field": CURSOR_PARAM, "message": _("Valor inválido.")}])
    total = page_total(list_query.queryset, rows=len(page.rows), whole=page.whole,
                       noun_singular=noun_singular, noun_plural=noun_plural, plan=plan,
                       unsearched=list_query.unsearched)
    return ApiPage(page=page, total=total, next_cursor=page.query("next"),
                   previous_cursor=page.query("previous"))


def page_link(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = request.GET.copy()
    query[CURSOR_PARAM] = cursor
    return f"{request.path}?{query.urlencode()}"
