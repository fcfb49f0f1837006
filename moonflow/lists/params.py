"""A list's URL parameters: cleaned once, and the query strings of its links.

Every reader of a list's parameters (the page, a saved view, a download job)
goes through `clean_params`, so they all query the same values.
"""

import re
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

PAGE_PARAM = "pagina"
SORT_PARAM = "orden"
SIZE_PARAM = "por_pagina"
VIEW_PARAM = "vista"
SEARCH_PARAM = "q"
# What is not a filter: order, page, size, saved view.
STATE_PARAMS = (SORT_PARAM, PAGE_PARAM, SIZE_PARAM, VIEW_PARAM)
# Never part of what a saved view or a download keeps.
NOT_SAVED = (PAGE_PARAM, VIEW_PARAM, "csrfmiddlewaretoken", "formato", "query", "next")

SEARCH_MAX = 100  # the search box's maxlength
VALUE_MAX = 200  # any other value (options, ids, numbers and dates are far shorter)

# PostgreSQL text holds no NUL; a lone surrogate cannot be encoded for it.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def as_query_dict(params) -> QueryDict:
    """A QueryDict from a QueryDict, a query string or a dict of values or lists."""
    if isinstance(params, QueryDict):
        return params
    if isinstance(params, str):
        return QueryDict(params.lstrip("?"))
    qd = QueryDict(mutable=True)
    for key, value in (params or {}).items():
        if isinstance(value, (list, tuple)):
            qd.setlist(key, [str(v) for v in value])
        elif value is not None:
            qd[key] = str(value)
    return qd


@dataclass
class ListParams:
    data: QueryDict  # what the list, its links, saved views and downloads read
    notices: list[str]  # what was changed, for the person to read


def clean_params(params) -> ListParams:
    """A list's parameters (a URL, a saved view, a download's options) made safe to query.

    1. Characters PostgreSQL cannot store (NUL, lone surrogates) are removed
       from names and values; a name left empty is dropped.
    2. The search is cut to the search box's length, any other value (but the
       page cursor, checked by `moonflow.lists.keyset.decode_cursor`) to VALUE_MAX.

    Each change adds one notice; the rest of the parameters apply as given.
    """
    data = as_query_dict(params)
    clean = QueryDict(mutable=True)
    unstorable = cut = False
    for key, values in data.lists():
        name = _UNSTORABLE.sub("", key)
        unstorable |= name != key
        if not name:
            continue
        kept = []
        for value in values:
            text = _UNSTORABLE.sub("", value)
            unstorable |= text != value
            limit = SEARCH_MAX if name == SEARCH_PARAM else VALUE_MAX
            if name != PAGE_PARAM and len(text) > limit:
                text, cut = text[:limit], True
            kept.append(text)
        clean.setlist(name, clean.getlist(name) + kept)
    notices = []
    if unstorable:
        notices.append(_(
            "Se quitaron caracteres no válidos (como NUL) de la búsqueda o los filtros de la "
            "dirección; se muestran los resultados sin ellos."
        ))
    if cut:
        notices.append(_(
            "La búsqueda admite hasta %(search)s caracteres y cada filtro hasta %(value)s: "
            "se usó el comienzo del texto."
        ) % {"search": SEARCH_MAX, "value": VALUE_MAX})
    clean._mutable = False
    return ListParams(clean, notices)


def _editable(params: QueryDict) -> QueryDict:
    """A mutable copy of `params` (keys and values are strings: no deep copy needed)."""
    qd = QueryDict(mutable=True)
    for key, values in params.lists():
        qd.setlist(key, list(values))
    return qd


def saved_query(params) -> str:
    """What a saved view or a download keeps: filters, search and order, cleaned."""
    qd = _editable(clean_params(params).data)
    for key in NOT_SAVED:
        qd.pop(key, None)
    return qd.urlencode()


def query_with(params: QueryDict, *, drop_page: bool = True, **changes) -> str:
    """The current query string with some parameters set (a value) or removed (None)."""
    qd = _editable(params)
    if drop_page:
        qd.pop(PAGE_PARAM, None)
    for key, value in changes.items():
        qd.pop(key, None)
        if value not in (None, ""):
            qd[key] = value
    return qd.urlencode()


def query_without(params: QueryDict, key: str, value: str = "") -> str:
    """The current query string without one value of `key` (or all of them)."""
    qd = _editable(params)
    qd.pop(PAGE_PARAM, None)
    if value:
        kept = [v for v in qd.getlist(key) if v != value]
        qd.setlist(key, kept)
        if not kept:
            qd.pop(key, None)
    else:
        qd.pop(key, None)
    return qd.urlencode()


def page_size_from(params, sizes: tuple[int, ...], default: int) -> int:
    try:
        size = int(params.get(SIZE_PARAM) or default)
    except (TypeError, ValueError):
        return default
    return size if size in sizes else default
