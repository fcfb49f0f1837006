"""The interaction each row of a batch names, found by the communications importer's
natural key (`interactions.importing.natural_key`, stored in `Interaction.import_key`): the
row is cleaned by the importer itself, as the job cleaned it, so the key is the same."""

from __future__ import annotations

from interactions.selectors import interaction_base_queryset
from moonflow.imports.registry import get_importer


def interaction_ids(job, member, rows: list[dict]) -> list[int | None]:
    """For each row (the importer's cells), the id of the record its key names, if the
    member sees it; None for a row whose key could not be read."""
    importer = get_importer("interactions")
    context = importer.context(job)
    importer.for_file(context, decimal_mark=None)
    keys = [importer.clean(cells, context).key for cells in rows]
    found = dict(interaction_base_queryset(member=member).filter(
        import_key__in=[key for key in keys if key]).values_list("import_key", "id"))
    return [found.get(key) if key else None for key in keys]
