"""The importers the apps plug into the engine, by entity name.

An app registers its `Importer` in its AppConfig.ready(); the core never
imports an app.
"""

from __future__ import annotations

from moonflow.jobs.waiting import register_continue_page

_IMPORTERS: dict = {}


def register(importer) -> None:
    _IMPORTERS[importer.entity] = importer
    # A waiting import goes on from its page: the mapping or the preview, as its phase says.
    register_continue_page(importer.job_kind, "integrations:detail")


def get_importer(entity: str):
    try:
        return _IMPORTERS[entity]
    except KeyError:
        raise LookupError(f"No importer for {entity!r}") from None


def importers() -> list:
    return list(_IMPORTERS.values())
