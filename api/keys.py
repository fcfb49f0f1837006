"""The form of an API key: `mf_<project id>_<prefix>_<secret>`.

The project's id travels in the key, so a presented key is looked up by
(project, prefix) — the unique constraint — and never by a global index;
only the SHA-256 of the whole key is stored (the secret is 32 random
characters: a fast hash is enough, nothing to brute-force), compared in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PREFIX_LENGTH = 8
SECRET_BYTES = 24  # 32 URL-safe characters


@dataclass(frozen=True)
class PresentedKey:
    project_id: int
    prefix: str
    text: str


def key_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_key_text(project_id: int) -> tuple[str, str]:
    """(prefix, whole key) of a new key of the project."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    prefix = "".join(secrets.choice(alphabet) for _ in range(PREFIX_LENGTH))
    return prefix, f"mf_{project_id}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"


def parse_key(text: str) -> PresentedKey | None:
    """The parts of a presented key, None when it is not one of ours."""
    parts = (text or "").split("_", 3)
    if len(parts) != 4 or parts[0] != "mf" or not parts[1].isdigit():
        return None
    if len(parts[2]) != PREFIX_LENGTH or not parts[3] or len(text) > 200:
        return None
    return PresentedKey(project_id=int(parts[1]), prefix=parts[2], text=text)


def matches(stored_hash: str, text: str) -> bool:
    return hmac.compare_digest(stored_hash, key_hash(text))
