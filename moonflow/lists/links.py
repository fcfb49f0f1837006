"""Row URLs without a reverse() per row: a list page links every row to the same few views.

`url_template` reverses a URL name once per project (and process) with a sentinel
id; `RowUrls` fills the row's id in. URL patterns do not change at runtime, so the
templates are cached; a URL name that does not exist (yet) gives None, and its
link is left out, as `{% url … as x %}` would.
"""

from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

PK_SENTINEL = 987654321987


@lru_cache(maxsize=2048)
def _template(name: str, slug: str, script_prefix: str, urlconf) -> str | None:
    try:
        return reverse(name, urlconf=urlconf, kwargs={"project": slug, "pk": PK_SENTINEL})
    except NoReverseMatch:
        return None


def url_template(name: str, slug: str) -> str | None:
    """The URL of `name` in project `slug` with PK_SENTINEL for its `pk`."""
    return _template(name, slug, get_script_prefix(), get_urlconf())


class RowUrls:
    """URL names → a row's URLs: `urls.url("detail", pk)`, or all of them with `urls.of(pk)`."""

    def __init__(self, slug: str, **names: str):
        self._parts = {}
        for key, name in names.items():
            template = url_template(name, slug)
            if template is not None:
                head, _sep, tail = template.rpartition(str(PK_SENTINEL))
                self._parts[key] = (head, tail)

    def url(self, key: str, pk) -> str | None:
        """The row's URL for `key`, None when that view does not exist."""
        parts = self._parts.get(key)
        return None if parts is None else f"{parts[0]}{pk}{parts[1]}"

    def of(self, pk) -> dict[str, str]:
        return {key: f"{head}{pk}{tail}" for key, (head, tail) in self._parts.items()}
