"""The importers the apps plug into the engine, by entity name.

An app registers its `Importer` in its AppConfig.ready(); the core never
imports an app.
"""

from __future__ import annotations

_IMPORTERS: dict = {}


def register(importer) -> None:
    _IMPORTERS[importer.entity] = importer


def get_importer(entity: str):
    try:
        return _IMPORTERS[entity]
    except KeyError:
        raise LookupError(f"No importer for {entity!r}") from None


def importers() -> list:
    return list(_IMPORTERS.values())
