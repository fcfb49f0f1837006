"""What the mapping screen proposes for a file: the first rows to show, and a mapping (a saved
template for the same columns, else the guess by name)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .mapping import apply_template, auto_map, missing_required, normalise, signature
from .models import MappingTemplate

SAMPLE_ROWS = 5


def find_template(project, entity: str, headers) -> MappingTemplate | None:
    return (MappingTemplate.objects.filter(project=project, entity=entity,
                                           signature=signature(headers))
            .order_by("-updated_at").first())


def read_proposal(job, importer, table) -> None:
    """Fill the job (not saved) with the table's headers, first rows, total, decimal mark and
    the proposed mapping."""
    sample = []
    for row in table.rows():
        sample.append({"number": row.number, "values": row.values})
        if len(sample) >= SAMPLE_ROWS:
            break
    headers = table.columns
    template = find_template(job.project, importer.entity, headers)
    options = {"headers": headers, "sample": sample, "decimal_mark": table.decimal_mark,
               "template_id": template.pk if template else None}
    if template:
        # Same columns, perhaps in another order, case or spelling of accents.
        by_name = {normalise(h): target for h, target in template.mapping.items()}
        job.mapping = {header: by_name.get(normalise(header), "") for header in headers}
        options["defaults"] = dict(template.defaults)
    else:
        job.mapping = auto_map(headers, importer.fields(job.project))
    job.total = table.total_rows
    job.options = {**job.options, **options}


def source_mapping(job, importer, source) -> tuple[dict, dict, str]:
    """An SFTP source's file mapped with the source's template (or by name when it has none):
    (mapping, defaults, "" or the message saying which columns the file lacks)."""
    headers = job.options.get("headers") or []
    if source.template is None:
        mapping, missing = job.mapping, []
        defaults = job.options.get("defaults") or {}
    else:
        mapping, missing = apply_template(source.template.mapping, headers)
        defaults = dict(source.template.defaults)
    lacking = missing_required(mapping, importer.fields(source.project), defaults)
    if not missing and not lacking:
        return mapping, defaults, ""
    return mapping, defaults, _(
        "El archivo «%(file)s» no coincide con la plantilla «%(template)s»: faltan las columnas "
        "%(columns)s.") % {
        "file": job.input_name, "template": source.template.name if source.template else "—",
        "columns": ", ".join(missing or [f.label for f in lacking])}
