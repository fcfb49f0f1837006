"""Which file column feeds which Moonflow field.

A file's headers are matched to the entity's fields by normalised name:
accents, case, spacing, punctuation and camelCase ignored, and the words in
any order ("Asesor ID", "ID asesor", "adviser_id", "adviserUserProjectId" all
name the adviser). Each field takes at most one column; a column may be
ignored. A saved `MappingTemplate` with the same headers wins over the guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

IGNORED = ""  # the mapping's value for a column the import leaves out

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class ImportField:
    """One Moonflow field a column can feed, as the mapping screen and the model report show it."""

    key: str  # "document_number", "extra.<key>" for a custom variable
    label: str  # the model report's header, the mapping screen's option
    required: bool = False  # needed to create a record
    synonyms: tuple[str, ...] = ()  # other names people give the column
    help: str = ""  # accepted values, for the model report's second sheet
    example: str = ""  # the model report's example row
    group: str = ""  # "client", "order": a base de cartera has both
    # A required field with options may take one value for every row instead of a
    # column (a file with only "Documento": the type is chosen on the mapping screen).
    choices: tuple[tuple[str, str], ...] = ()

    def all_names(self) -> tuple[str, ...]:
        return (self.label, self.key, *self.synonyms)


def words(text: str) -> list[str]:
    """The lower-case, accent-free words of a header ("adviserUserProjectId" → 4 words)."""
    text = _CAMEL.sub(" ", str(text or ""))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _WORDS.findall(text)


def name_keys(text: str) -> tuple[str, str]:
    """Two keys a header matches by: its words joined, and its words sorted then joined."""
    parts = words(text)
    return "".join(parts), " ".join(sorted(parts))


def normalise(text: str) -> str:
    return name_keys(text)[0]


def signature(headers: Iterable[str]) -> str:
    """The same for files with the same columns, in any order, case or accents."""
    return "|".join(sorted(normalise(h) for h in headers if h))[:2000]


def auto_map(headers: Iterable[str], fields: Iterable[ImportField]) -> dict[str, str]:
    """header → field key (or IGNORED), each field used by the first column that names it."""
    by_key: dict[str, str] = {}
    for spec in fields:
        for name in spec.all_names():
            for key in name_keys(name):
                if key:
                    by_key.setdefault(key, spec.key)
    mapping, used = {}, set()
    for header in headers:
        if not header:
            continue
        target = IGNORED
        for key in name_keys(header):
            candidate = by_key.get(key)
            if candidate and candidate not in used:
                target = candidate
                break
        if target:
            used.add(target)
        mapping[header] = target
    return mapping


def missing_required(mapping: dict[str, str], fields: Iterable[ImportField],
                     defaults: dict | None = None) -> list[ImportField]:
    """The required fields no column feeds and no value for every row covers."""
    targets = set(mapping.values()) | {k for k, v in (defaults or {}).items() if v}
    return [spec for spec in fields if spec.required and spec.key not in targets]


def repeated_targets(mapping: dict[str, str]) -> dict[str, list[str]]:
    """field key → the columns mapped to it, where more than one is."""
    columns: dict[str, list[str]] = {}
    for header, target in mapping.items():
        if target:
            columns.setdefault(target, []).append(header)
    return {target: headers for target, headers in columns.items() if len(headers) > 1}


def apply_template(template: dict, headers: list[str]) -> tuple[dict, list[str]]:
    """A saved mapping applied to a file's headers (same names in any case, accents or order):
    (mapping, the template's mapped columns the file lacks)."""
    by_name = {normalise(h): target for h, target in template.items()}
    mapping = {header: by_name.get(normalise(header), "") for header in headers}
    present = {normalise(h) for h in headers}
    missing = [h for h, target in template.items() if target and normalise(h) not in present]
    return mapping, missing
