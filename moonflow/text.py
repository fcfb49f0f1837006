"""Showing what a person typed back to them."""

SHOWN_MAX = 60


def shorten(value, limit: int = SHOWN_MAX) -> str:
    """`value` as text, cut to `limit` characters with "…" so a message never overflows."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"
